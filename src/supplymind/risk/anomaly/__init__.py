"""Anomaly detection on series: demand, lead times, delivery durations, any KPI.

- :mod:`~supplymind.risk.anomaly.base`: the result table and the batch/streaming contract;
- :mod:`~supplymind.risk.anomaly.zscore`: the plain z-score baseline;
- :mod:`~supplymind.risk.anomaly.mad`: rolling median / MAD robust z-score;
- :mod:`~supplymind.risk.anomaly.seasonal`: seasonal-decomposition residuals;
- :mod:`~supplymind.risk.anomaly.conformal`: forecast-interval exceedance with conformal
  calibration on the forecaster's own rolling forecasts;
- :mod:`~supplymind.risk.anomaly.profile`: a fast seasonal quantile forecaster for it;
- :mod:`~supplymind.risk.anomaly.stream`: scoring the newest points only;
- :mod:`~supplymind.risk.anomaly.evaluate` and :mod:`~supplymind.risk.anomaly.nab`:
  NAB-style scoring against labelled windows.
"""

from __future__ import annotations

from supplymind.risk.anomaly.base import RESULT_COLUMNS, DetectorState, SeriesDetector
from supplymind.risk.anomaly.conformal import ConformalForecastDetector
from supplymind.risk.anomaly.mad import RollingMADDetector
from supplymind.risk.anomaly.profile import SeasonalProfileForecaster
from supplymind.risk.anomaly.seasonal import SeasonalResidualDetector
from supplymind.risk.anomaly.stream import StreamingScorer
from supplymind.risk.anomaly.zscore import ZScoreDetector

__all__ = [
    "DETECTORS",
    "RESULT_COLUMNS",
    "ConformalForecastDetector",
    "DetectorState",
    "RollingMADDetector",
    "SeasonalProfileForecaster",
    "SeasonalResidualDetector",
    "SeriesDetector",
    "StreamingScorer",
    "ZScoreDetector",
    "make_detector",
]

DETECTORS = ("conformal", "conformal_profile", "seasonal", "mad", "zscore")


def make_detector(
    name: str, *, alpha: float = 0.01, threshold: float | None = None
) -> SeriesDetector:
    """A detector by name, for the command line.

    ``conformal``: conformal forecast intervals of the statsforecast forecaster;
    ``conformal_profile``: the same with the seasonal-profile forecaster (any real values,
    fast); ``seasonal``: seasonal-decomposition residuals; ``mad``: rolling median/MAD;
    ``zscore``: the plain z-score. ``threshold`` overrides the z-score threshold of the
    last three.
    """
    from supplymind.exceptions import RiskInputError

    if name == "conformal":
        return ConformalForecastDetector(alpha=alpha)
    if name == "conformal_profile":
        return ConformalForecastDetector(SeasonalProfileForecaster(), alpha=alpha)
    if name == "seasonal":
        return SeasonalResidualDetector(threshold or 3.5)
    if name == "mad":
        return RollingMADDetector(threshold or 3.5)
    if name == "zscore":
        return ZScoreDetector(threshold or 3.0)
    raise RiskInputError(f"detector: expected one of {list(DETECTORS)}, found {name!r}")
