"""Forecast-interval exceedance with conformal calibration.

A quantile forecaster (the Forecaster's ``fit``/``predict`` contract) forecasts each series
``horizon`` points ahead from rolling origins, seeing only the points before the origin
(``update`` runs a fitted model over newer points without re-estimating it, when the
forecaster has one). Each point's nonconformity score is its distance outside the
forecast's central interval, in interval widths (normalised conformalised quantile
regression, Romano et al. 2019):

    s = max(lo - y, y - hi) / (hi - lo)

and its conformal p-value is the share of the last ``calibration_size`` scores of the same
series (the model's own earlier rolling forecasts) at least as large:
``p = (1 + #{s_j >= s}) / (n + 1)``. Under exchangeability of the scores a normal point
has ``P(p <= alpha) <= alpha``, whatever the forecaster and however wrong its intervals;
points with ``p <= alpha`` are flagged. Flagged points are kept out of the calibration
scores (``exclude_anomalies``) so a burst of anomalies does not teach the detector that
anomalies are normal.

The band reported for each point is the forecast interval widened by the conformal
quantile of the scores: ``[lo - q w, hi + q w]`` with ``q`` the ``(1 - alpha)(1 + 1/n)``
empirical quantile.
"""

from __future__ import annotations

import bisect
import copy
import math
from collections import deque
from collections.abc import Sequence
from typing import Any, Protocol, Self

import numpy as np
import pandas as pd

from supplymind.exceptions import RiskInputError
from supplymind.risk.anomaly.base import (
    DetectorState,
    FloatArray,
    ScoreBlock,
    SeriesDetector,
    TimeArray,
    check_positive_float,
    check_positive_int,
)
from supplymind.risk.frames import ID_COL, TARGET_COL, TIME_COL, season_length_for

__all__ = ["ConformalForecastDetector", "QuantileForecasterLike", "conformal_p_values"]


class QuantileForecasterLike(Protocol):
    """The Forecaster's contract: ``fit(history) -> self``, then ``predict(horizon,
    quantiles)`` returning ``item_id, timestamp, mean`` and one column per quantile level
    (``"0.05"``, ``"0.5"``, ...)."""

    def fit(self, history: pd.DataFrame) -> Self: ...

    def predict(self, horizon: int, quantiles: Sequence[float] = ...) -> pd.DataFrame: ...


def conformal_p_values(calibration: FloatArray, scores: FloatArray) -> FloatArray:
    """``(1 + #{calibration >= s}) / (n + 1)`` for each score ``s``."""
    cal = np.sort(np.asarray(calibration, dtype=np.float64))
    at_least = cal.size - np.searchsorted(cal, np.asarray(scores, dtype=np.float64), "left")
    return np.asarray((1.0 + at_least) / (cal.size + 1.0), dtype=np.float64)


def default_horizon(period_days: float) -> int:
    """Points forecast from each origin: a day of sub-daily points (at most 24), a week of
    days, four weeks, three months, else one."""
    if period_days < 1.0 - 1e-9:
        return int(min(24, season_length_for(period_days)))
    for limit, steps in ((1.5, 7), (8.0, 4), (32.0, 3)):
        if period_days < limit:
            return steps
    return 1


def _default_forecaster() -> QuantileForecasterLike:
    from supplymind.inventory.forecast import StatsForecastQuantileForecaster

    return StatsForecastQuantileForecaster()


class ConformalForecastDetector(SeriesDetector):
    """Flag points outside a conformally calibrated forecast interval.

    Parameters
    ----------
    forecaster
        Any object with the Forecaster's ``fit``/``predict`` contract (an unfitted
        prototype, copied for each series), or a function returning a new one. Default
        :class:`~supplymind.inventory.forecast.StatsForecastQuantileForecaster` (AutoETS,
        negative binomial for intermittent demand); it models demand, so its forecasts are
        never negative: series with negative values need another forecaster, such as
        :class:`~supplymind.risk.anomaly.profile.SeasonalProfileForecaster`.
    alpha
        Flag points whose conformal p-value is at most ``alpha`` (the false-alarm rate
        per point under normal behaviour). Needs ``1 / alpha - 1`` calibration scores.
    horizon
        Points forecast from each origin; default :func:`default_horizon` of the frequency.
    interval
        Quantile levels of the forecast's central interval that the scores are measured
        from.
    calibration_size
        Most recent scores kept per series.
    min_history
        Points before the first forecast; default three seasons, at least 30.
    refit_every
        Re-estimate the forecaster every this many origins; ``None``: fit once, then
        ``update`` (or fit again when the forecaster has no ``update``).
    max_history
        Most recent points the forecaster sees at each origin.
    exclude_anomalies
        Keep flagged points out of the calibration scores. Off by default: when the
        forecaster misses a recurring pattern (a weekend), excluding its misses keeps them
        looking abnormal forever.
    """

    name = "conformal"

    def __init__(
        self,
        forecaster: Any = None,
        *,
        alpha: float = 0.01,
        horizon: int | None = None,
        interval: tuple[float, float] = (0.05, 0.95),
        calibration_size: int = 2000,
        min_history: int | None = None,
        refit_every: int | None = None,
        max_history: int = 20_000,
        exclude_anomalies: bool = False,
    ) -> None:
        owner = "ConformalForecastDetector"
        has_predict = callable(getattr(forecaster, "predict", None))
        if forecaster is not None and not has_predict and not callable(forecaster):
            raise RiskInputError(
                f"{owner}.forecaster: expected an object with fit() and predict() or a "
                f"function returning one, found {forecaster!r}"
            )
        self.forecaster = forecaster
        self.alpha = check_positive_float(owner, "alpha", alpha)
        if not self.alpha < 1:
            raise RiskInputError(f"{owner}.alpha: expected a number in (0, 1), found {alpha!r}")
        self.horizon = None if horizon is None else check_positive_int(owner, "horizon", horizon)
        lo, hi = interval
        if not 0.0 < lo < 0.5 < hi < 1.0:
            raise RiskInputError(
                f"{owner}.interval: expected levels lo < 0.5 < hi in (0, 1) such as "
                f"(0.05, 0.95), found {interval!r}"
            )
        self.interval = (float(lo), float(hi))
        self.calibration_size = check_positive_int(owner, "calibration_size", calibration_size, 2)
        self.min_history = (
            None
            if min_history is None
            else check_positive_int(owner, "min_history", min_history, 2)
        )
        self.refit_every = (
            None if refit_every is None else check_positive_int(owner, "refit_every", refit_every)
        )
        self.max_history = check_positive_int(owner, "max_history", max_history, 2)
        self.exclude_anomalies = bool(exclude_anomalies)

    @property
    def min_calibration(self) -> int:
        """Scores needed before a point can be flagged: ``ceil(1 / alpha) - 1``."""
        return max(1, math.ceil(1.0 / self.alpha) - 1)

    def make_forecaster(self) -> QuantileForecasterLike:
        """A new, unfitted forecaster for one series."""
        if self.forecaster is None:
            return _default_forecaster()
        if callable(getattr(self.forecaster, "predict", None)):
            return copy.deepcopy(self.forecaster)  # type: ignore[no-any-return]
        made = self.forecaster()
        if not callable(getattr(made, "predict", None)):
            raise RiskInputError(
                "ConformalForecastDetector.forecaster: expected the function to return an "
                f"object with fit() and predict(), found {made!r}"
            )
        return made  # type: ignore[no-any-return]

    def resolved_min_history(self, period_days: float) -> int:
        """Points before the first forecast, for a series whose points are ``period_days``
        apart."""
        return self.min_history or max(30, 3 * season_length_for(period_days))

    def min_points(self, period_days: float = 1.0) -> int:
        # The first forecast after min_history points, then min_calibration scored points
        # before a p-value can reach alpha (more when forecasts fail or flagged points are
        # kept out of the calibration).
        return self.resolved_min_history(period_days) + self.min_calibration + 1

    def new_state(self, period_days: float = 1.0) -> DetectorState:
        horizon = self.horizon or default_horizon(period_days)
        return _ConformalState(self, horizon, self.resolved_min_history(period_days))


class _ConformalState(DetectorState):
    def __init__(self, detector: ConformalForecastDetector, horizon: int, min_history: int) -> None:
        self.d = detector
        self.horizon = horizon
        self.min_history = min_history
        self.forecaster = detector.make_forecaster()
        self.times: list[np.datetime64] = []
        self.values: list[float] = []
        self.pending: deque[tuple[float, float, float]] = deque()
        # The scores in arrival order (to forget the oldest) and sorted (for ranks).
        self.calibration: deque[float] = deque()
        self.ranked: list[float] = []
        self.fitted = False
        self.origins_since_fit = 0
        self.failed_forecasts = 0
        lo, hi = detector.interval
        self.levels = (lo, 0.5, hi)

    def _history(self) -> pd.DataFrame:
        keep = self.d.max_history
        return pd.DataFrame(
            {
                ID_COL: "series",
                TIME_COL: np.asarray(self.times[-keep:], dtype="datetime64[ns]"),
                TARGET_COL: np.asarray(self.values[-keep:], dtype=np.float64),
            }
        )

    def _forecast(self) -> None:
        history = self._history()
        f = self.forecaster
        refit = self.d.refit_every is not None and self.origins_since_fit >= self.d.refit_every
        if not self.fitted or refit or not callable(getattr(f, "update", None)):
            if self.d.forecaster is None and (history[TARGET_COL] < 0).any():
                raise RiskInputError(
                    "series: the default forecaster models demand and expected values >= 0, "
                    f"found {int((history[TARGET_COL] < 0).sum())} negative values; pass "
                    "forecaster=SeasonalProfileForecaster() (or another forecaster) to the "
                    "conformal detector"
                )
            f.fit(history)
            self.fitted = True
            self.origins_since_fit = 0
        else:
            f.update(history)  # type: ignore[attr-defined]
        self.origins_since_fit += 1
        pred = f.predict(self.horizon, quantiles=self.levels)
        names = [f"{q:g}" for q in self.levels]
        missing = [c for c in names if c not in pred.columns]
        if missing:
            raise RiskInputError(
                f"forecaster: expected quantile columns {names} from predict(), missing "
                f"{missing}; found {list(pred.columns)}"
            )
        rows = pred[names].to_numpy(np.float64)[: self.horizon]
        if rows.shape[0] == 0 or not np.all(np.isfinite(rows)):
            # A failed forecast leaves its points unscored rather than scoring them wrongly.
            self.failed_forecasts += 1
            self.pending.extend([(math.nan, math.nan, math.nan)] * self.horizon)
            return
        rows.sort(axis=1)  # guard against crossing quantiles
        self.pending.extend((float(a), float(b), float(c)) for a, b, c in rows)

    def update(self, times: TimeArray, values: FloatArray) -> ScoreBlock:
        n = len(values)
        block = ScoreBlock.empty(n)
        alpha = self.d.alpha
        for i in range(n):
            y = float(values[i])
            if not self.pending and len(self.values) >= self.min_history:
                self._forecast()
            if self.pending:
                lo, mid, hi = self.pending.popleft()
                if not math.isnan(mid):
                    self._score(block, i, y, lo, mid, hi, alpha)
            self.times.append(np.datetime64(times[i], "ns"))
            self.values.append(y)
            if len(self.values) > 2 * self.d.max_history:
                del self.times[: -self.d.max_history]
                del self.values[: -self.d.max_history]
        return block

    def _score(
        self, block: ScoreBlock, i: int, y: float, lo: float, mid: float, hi: float, alpha: float
    ) -> None:
        width = max(hi - lo, 1e-9 + 1e-6 * abs(mid))
        s = max(lo - y, y - hi) / width
        n = len(self.ranked)
        block.expected[i] = mid
        block.score[i] = max(s, 0.0)
        flagged = False
        if n >= min(self.d.min_calibration, 20):
            at_least = n - bisect.bisect_left(self.ranked, s)
            p = (1.0 + at_least) / (n + 1.0)
            rank = math.ceil((1.0 - alpha) * (n + 1))
            q = self.ranked[rank - 1] if rank <= n else math.inf
            block.p_value[i] = p
            block.lower[i] = lo - q * width
            block.upper[i] = hi + q * width
            flagged = n >= self.d.min_calibration and p <= alpha
            block.is_anomaly[i] = flagged
        if not (flagged and self.d.exclude_anomalies):
            self.calibration.append(s)
            bisect.insort(self.ranked, s)
            if len(self.calibration) > self.d.calibration_size:
                old = self.calibration.popleft()
                del self.ranked[bisect.bisect_left(self.ranked, old)]
