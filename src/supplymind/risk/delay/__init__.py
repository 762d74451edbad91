"""Late-delivery and lead-time risk of shipments.

- :mod:`~supplymind.risk.delay.data`: the shipments contract, purchase orders and SCMS;
- :mod:`~supplymind.risk.delay.features`: features known at assessment time, including
  recent supplier, route, mode and destination performance;
- :mod:`~supplymind.risk.delay.calibration`: Platt and isotonic calibration, reliability
  curves;
- :mod:`~supplymind.risk.delay.model`: the LightGBM hurdle model with attributions;
- :mod:`~supplymind.risk.delay.explain`: attributions in words;
- :mod:`~supplymind.risk.delay.base`: the model interface and the registry of kinds.
"""

from __future__ import annotations

from supplymind.risk.delay.base import (
    PREDICTION_COLUMNS,
    DelayRiskModel,
    load_delay_model,
    register_delay_model,
    registered_delay_models,
)
from supplymind.risk.delay.calibration import (
    expected_calibration_error,
    reliability_curve,
)
from supplymind.risk.delay.data import (
    check_shipments,
    load_scms,
    shipments_from_purchase_orders,
)
from supplymind.risk.delay.features import FeatureSpec
from supplymind.risk.delay.model import DelayModelParams, GradientBoostingDelayModel

__all__ = [
    "PREDICTION_COLUMNS",
    "DelayModelParams",
    "DelayRiskModel",
    "FeatureSpec",
    "GradientBoostingDelayModel",
    "check_shipments",
    "expected_calibration_error",
    "load_delay_model",
    "load_scms",
    "register_delay_model",
    "registered_delay_models",
    "reliability_curve",
    "shipments_from_purchase_orders",
]
