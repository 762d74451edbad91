"""Customer feedback understanding: sentiment and complaint type, Chinese and English.

- :mod:`~supplymind.feedback.encoders`: pretrained text encoders by name or local folder
  (``all-minilm-l6-v2``, the bundled ``supplymind-zh-char-small``);
- :mod:`~supplymind.feedback.classifier`: :class:`TextClassifier`, fine-tuned through the
  shared engine with guarded adoption, class weights and calibrated probabilities;
- :mod:`~supplymind.feedback.baseline`: :class:`TfidfClassifier`, the yardstick and fallback;
- :mod:`~supplymind.feedback.redact`: personal-data redaction;
- :mod:`~supplymind.feedback.pretrain`: masked-LM pretraining of the Chinese encoder;
- :mod:`~supplymind.feedback.commands`, :mod:`~supplymind.feedback.cli`,
  :mod:`~supplymind.feedback.report`: file jobs, ``supplymind feedback`` and the demo
  section.
"""

from __future__ import annotations

from supplymind.exceptions import FeedbackInputError, FeedbackWarning
from supplymind.feedback.baseline import TfidfClassifier
from supplymind.feedback.calibration import expected_calibration_error, fit_temperature
from supplymind.feedback.classifier import ClassifierParams, TextClassifier
from supplymind.feedback.encoders import (
    Encoder,
    list_encoders,
    load_encoder,
    register_encoder,
)
from supplymind.feedback.metrics import ClassificationMetrics, classification_metrics
from supplymind.feedback.redact import find_pii, redact

__all__ = [
    "ClassificationMetrics",
    "ClassifierParams",
    "Encoder",
    "FeedbackInputError",
    "FeedbackWarning",
    "TextClassifier",
    "TfidfClassifier",
    "classification_metrics",
    "expected_calibration_error",
    "find_pii",
    "fit_temperature",
    "list_encoders",
    "load_encoder",
    "redact",
    "register_encoder",
]
