"""Risk early warning: what is going wrong, how sure we are, and what to do.

- :mod:`~supplymind.risk.anomaly`: anomaly detection on demand, lead times, delivery
  durations and any KPI (conformal forecast intervals, robust baselines, streaming);
- :mod:`~supplymind.risk.delay`: late-delivery and lead-time risk of shipments (LightGBM,
  calibrated, with reasons per prediction);
- :mod:`~supplymind.risk.alerts`: the ``alerts`` table, deduplicated and rate-limited;
- :mod:`~supplymind.risk.scorecards`: supplier scorecards;
- :mod:`~supplymind.risk.whatif`: disruption scenarios on the inventory plan;
- :mod:`~supplymind.risk.scan`: scans of series and of the warehouse;
- :mod:`~supplymind.risk.report`, :mod:`~supplymind.risk.commands`,
  :mod:`~supplymind.risk.cli`: the demo section, the file jobs and ``supplymind risk``.
"""

from __future__ import annotations

from supplymind.risk.alerts import Alert, AlertPolicy, AlertStore
from supplymind.risk.anomaly import (
    ConformalForecastDetector,
    RollingMADDetector,
    SeasonalProfileForecaster,
    SeasonalResidualDetector,
    StreamingScorer,
    ZScoreDetector,
)
from supplymind.risk.delay import GradientBoostingDelayModel, load_delay_model
from supplymind.risk.scan import ScanParams, scan_series, scan_warehouse
from supplymind.risk.scorecards import supplier_scorecards
from supplymind.risk.whatif import Disruption, run_whatif

__all__ = [
    "Alert",
    "AlertPolicy",
    "AlertStore",
    "ConformalForecastDetector",
    "Disruption",
    "GradientBoostingDelayModel",
    "RollingMADDetector",
    "ScanParams",
    "SeasonalProfileForecaster",
    "SeasonalResidualDetector",
    "StreamingScorer",
    "ZScoreDetector",
    "load_delay_model",
    "run_whatif",
    "scan_series",
    "scan_warehouse",
    "supplier_scorecards",
]
