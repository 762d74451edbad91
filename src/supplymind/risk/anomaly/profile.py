"""A seasonal-profile quantile forecaster for any real-valued series.

The forecast is the robust seasonal decomposition of
:mod:`~supplymind.risk.anomaly.seasonal` carried forward (the level of the last season plus
the median seasonal effect of the last ``cycles`` seasons at each phase); its quantiles add
the empirical quantiles of the last ``window`` one-step residuals. It follows the
Forecaster's ``fit``/``predict`` contract (``item_id, timestamp, mean, "0.1", ...``), takes
negative values (days early, margins) and costs a few milliseconds, so the conformal
detector can re-forecast often on long sub-daily series.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from supplymind.exceptions import RiskInputError
from supplymind.risk.anomaly.base import FloatArray, check_positive_int, sliding_windows
from supplymind.risk.anomaly.seasonal import seasonal_expectation
from supplymind.risk.frames import (
    ID_COL,
    TARGET_COL,
    TIME_COL,
    check_series,
    period_days,
    season_length_for,
)

__all__ = ["SeasonalProfileForecaster"]


class SeasonalProfileForecaster:
    """Level + median seasonal profile, with empirical residual quantiles.

    Parameters
    ----------
    season_length
        Points in one season; default from the frequency (see
        :func:`~supplymind.risk.frames.season_length_for`).
    cycles
        Past seasons whose median gives the seasonal effect.
    window
        One-step residuals whose empirical quantiles make the interval; default four
        seasons, at least 28.
    """

    def __init__(
        self, season_length: int | None = None, *, cycles: int = 4, window: int | None = None
    ) -> None:
        owner = "SeasonalProfileForecaster"
        self.season_length = (
            None
            if season_length is None
            else check_positive_int(owner, "season_length", season_length)
        )
        self.cycles = check_positive_int(owner, "cycles", cycles)
        self.window = None if window is None else check_positive_int(owner, "window", window, 3)

    def fit(self, history: pd.DataFrame) -> Self:
        """Keep the recent points of each series (there is nothing else to estimate)."""
        frame = check_series(history, role="history")
        self.step_ = pd.Timedelta(days=period_days(frame[TIME_COL]))
        self.m_ = self.season_length or season_length_for(self.step_ / pd.Timedelta(days=1))
        self.window_ = self.window or max(28, 4 * self.m_)
        keep = (self.cycles + 1) * self.m_ + self.window_
        self.values_: dict[str, FloatArray] = {}
        self.last_: dict[str, pd.Timestamp] = {}
        for key, group in frame.groupby(ID_COL, sort=False):
            self.values_[str(key)] = group[TARGET_COL].to_numpy(np.float64)[-keep:]
            self.last_[str(key)] = pd.Timestamp(group[TIME_COL].iloc[-1])
        return self

    def update(self, history: pd.DataFrame) -> Self:
        """Take in newer observations (the same as :meth:`fit` for this model)."""
        return self.fit(history)

    def _point(self, y: FloatArray, horizon: int) -> FloatArray:
        m, n = self.m_, y.size
        if n < m:
            return np.full(horizon, float(np.median(y)))
        level = float(np.median(y[-m:]))
        # Level trailing each earlier point, as in seasonal_expectation.
        trailing = np.full(n, np.nan)
        for first, windows in sliding_windows(y, m, m):
            trailing[first : first + windows.shape[0]] = np.median(windows, axis=1)
        detrended = y - trailing
        out = np.empty(horizon)
        for k in range(1, horizon + 1):
            position = n - 1 + k
            lags = [position - j * m for j in range(1, self.cycles + 1 + (k - 1) // m)]
            past = [detrended[p] for p in lags if 0 <= p < n and not np.isnan(detrended[p])]
            out[k - 1] = level + (float(np.median(past[: self.cycles])) if past else 0.0)
        return out

    def _residuals(self, y: FloatArray) -> FloatArray:
        expected = seasonal_expectation(y, self.m_, self.cycles)
        residual = (y - expected)[-self.window_ :]
        residual = residual[~np.isnan(residual)]
        if residual.size < 2:
            # Too short for a seasonal fit: the spread of the values themselves.
            residual = y - np.median(y)
        return residual

    def predict(self, horizon: int, quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
        """``item_id, timestamp, mean`` and one column per quantile level."""
        if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
            raise RiskInputError(f"horizon: expected whole periods >= 1, found {horizon!r}")
        levels = sorted({float(q) for q in quantiles})
        if not levels or any(not 0.0 < q < 1.0 for q in levels):
            raise RiskInputError(f"quantiles: expected levels in (0, 1), found {list(quantiles)}")
        parts = []
        for key, y in self.values_.items():
            point = self._point(y, horizon)
            residual = self._residuals(y)
            offsets = np.quantile(residual, levels)
            stamps = self.last_[key] + self.step_ * np.arange(1, horizon + 1)
            part = pd.DataFrame(
                {ID_COL: key, TIME_COL: stamps, "mean": point + float(residual.mean())}
            )
            for level, offset in zip(levels, offsets, strict=True):
                part[f"{level:g}"] = point + offset
            parts.append(part)
        return pd.concat(parts, ignore_index=True)
