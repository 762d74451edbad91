"""Continuous learning: a model registry, drift detection and guarded re-fine-tuning.

- :mod:`~supplymind.lifecycle.registry`: every fitted model with its lineage, training data
  fingerprint, scores, file checksums and status (challenger / champion / retired);
- :mod:`~supplymind.lifecycle.drift`: data drift (PSI, KS) and performance drift per segment;
- :mod:`~supplymind.lifecycle.retrain`: challenger vs champion on the newest windows,
  promotion by a margin, rollback;
- :mod:`~supplymind.lifecycle.schedule`: the cron schedule run from ``supplymind serve``.

Submodules are imported on use (the retraining path loads torch).
"""

__all__: list[str] = []
