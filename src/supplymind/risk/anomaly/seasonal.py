"""Seasonal decomposition residuals, robustly and causally.

Each point is split, from earlier points only, into

- a level: the median of the last full season (``season_length`` points);
- a seasonal effect: the median, over the last ``cycles`` seasons, of the value at the same
  phase minus the level at that time (both levels trail by the same half season, so a
  steady trend cancels);
- a residual: the value minus level and seasonal effect,

and the residual is scored with the rolling median / MAD robust z-score of the residuals
before it. A demand spike on a weekday that is always busy is then not flagged, a spike on
a quiet day is.
"""

from __future__ import annotations

import numpy as np

from supplymind.risk.anomaly.base import (
    BufferState,
    DetectorState,
    FloatArray,
    ScoreBlock,
    SeriesDetector,
    check_positive_float,
    check_positive_int,
    sliding_windows,
)
from supplymind.risk.anomaly.mad import robust_block, rolling_median_scale
from supplymind.risk.frames import season_length_for

__all__ = ["SeasonalResidualDetector", "seasonal_expectation"]


def seasonal_expectation(values: FloatArray, season_length: int, cycles: int) -> FloatArray:
    """Level + seasonal effect expected at each position from earlier points only (NaN
    until ``(cycles + 1) * season_length`` points came before)."""
    n = values.size
    m = season_length
    level = np.full(n, np.nan)
    for first, windows in sliding_windows(values, m, m):
        level[first : first + windows.shape[0]] = np.median(windows, axis=1)
    detrended = values - level
    lagged = np.full((cycles, n), np.nan)
    for k in range(1, cycles + 1):
        if n > k * m:
            lagged[k - 1, k * m :] = detrended[: n - k * m]
    expected = np.full(n, np.nan)
    ready = ~np.isnan(lagged).any(axis=0) & ~np.isnan(level)
    if ready.any():
        expected[ready] = level[ready] + np.median(lagged[:, ready], axis=0)
    return expected


class SeasonalResidualDetector(SeriesDetector):
    """Flag points whose seasonal-decomposition residual has a robust z-score above
    ``threshold``.

    Parameters
    ----------
    threshold
        Robust z-score of the residual above which a point is flagged.
    season_length
        Points in one season; default from the frequency (7 for daily data, one day of
        points for sub-daily data, 52 weekly, 12 monthly).
    cycles
        Past seasons whose median gives the seasonal effect.
    residual_window
        Past residuals for their median and MAD; default eight seasons, at least 56.
    """

    name = "seasonal_residual"

    def __init__(
        self,
        threshold: float = 3.5,
        *,
        season_length: int | None = None,
        cycles: int = 4,
        residual_window: int | None = None,
    ) -> None:
        owner = "SeasonalResidualDetector"
        self.threshold = check_positive_float(owner, "threshold", threshold)
        self.season_length = (
            None
            if season_length is None
            else check_positive_int(owner, "season_length", season_length)
        )
        self.cycles = check_positive_int(owner, "cycles", cycles)
        self.residual_window = (
            None
            if residual_window is None
            else check_positive_int(owner, "residual_window", residual_window, 3)
        )

    def _resolved(self, period_days: float) -> tuple[int, int]:
        """Season length and residual window for points ``period_days`` apart."""
        m = self.season_length or season_length_for(period_days)
        # Fewer than ~50 residuals make the MAD itself noisy and the z-scores heavy-tailed
        # (0.7% false alarms at 3.5 with 28 of them on Gaussian noise, 0.2% with 56).
        return m, self.residual_window or max(56, 8 * m)

    def min_points(self, period_days: float = 1.0) -> int:
        # (cycles + 1) seasons before the first expected value, then a third of the
        # residual window before the first residual scale.
        m, window = self._resolved(period_days)
        return (self.cycles + 1) * m + _residual_history(window) + 1

    def new_state(self, period_days: float = 1.0) -> DetectorState:
        m, window = self._resolved(period_days)
        return _SeasonalState(self.threshold, m, self.cycles, window)


def _residual_history(window: int) -> int:
    """Residuals needed before the first residual scale: a third of the window, so the
    first scores are not made from a handful of points."""
    return max(3, window // 3)


class _SeasonalState(BufferState):
    def __init__(self, threshold: float, season_length: int, cycles: int, window: int) -> None:
        self.warmup = (cycles + 1) * season_length
        super().__init__(memory=self.warmup + window)
        self.threshold = threshold
        self.season_length = season_length
        self.cycles = cycles
        self.window = window

    def score_array(self, values: FloatArray, start: int, n_before: int) -> ScoreBlock:
        expected = seasonal_expectation(values, self.season_length, self.cycles)
        residual = values - expected
        # Residual scale from the earlier residuals that exist.
        centre, scale = rolling_median_scale(
            residual, start, self.window, _residual_history(self.window)
        )
        centre = np.where(np.isnan(expected[start:]), np.nan, centre)
        block = robust_block(residual[start:], centre, scale, self.threshold)
        base = expected[start:]
        return ScoreBlock(
            expected=base + block.expected,
            lower=base + block.lower,
            upper=base + block.upper,
            score=block.score,
            p_value=block.p_value,
            is_anomaly=block.is_anomaly,
        )
