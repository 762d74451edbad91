"""The plain z-score: distance from the mean of the past in standard deviations.

The baseline every other detector is measured against. With ``window=None`` the mean and
standard deviation are those of every earlier point (expanding); otherwise of the last
``window`` points.
"""

from __future__ import annotations

import numpy as np

from supplymind.risk.anomaly.base import (
    BufferState,
    DetectorState,
    FloatArray,
    ScoreBlock,
    SeriesDetector,
    TimeArray,
    check_positive_float,
    check_positive_int,
    gaussian_p_value,
    sliding_windows,
)

__all__ = ["ZScoreDetector"]


class ZScoreDetector(SeriesDetector):
    """Flag points more than ``threshold`` standard deviations from the past mean.

    Parameters
    ----------
    threshold
        Flag when ``|x - mean| / sd`` exceeds this.
    window
        Points in the rolling window; ``None``: every earlier point.
    min_history
        Points needed before the first score.
    """

    name = "zscore"

    def __init__(
        self, threshold: float = 3.0, *, window: int | None = None, min_history: int = 30
    ) -> None:
        owner = "ZScoreDetector"
        self.threshold = check_positive_float(owner, "threshold", threshold)
        self.window = None if window is None else check_positive_int(owner, "window", window, 2)
        self.min_history = check_positive_int(owner, "min_history", min_history, 2)

    def min_points(self, period_days: float = 1.0) -> int:
        # The first score needs min_history earlier points (at most a window of them).
        held = self.min_history if self.window is None else min(self.min_history, self.window)
        return held + 1

    def new_state(self, period_days: float = 1.0) -> DetectorState:
        if self.window is None:
            return _ExpandingState(self.threshold, self.min_history)
        return _RollingState(self.threshold, self.window, self.min_history)


def _block(values: FloatArray, mean: FloatArray, sd: FloatArray, threshold: float) -> ScoreBlock:
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (values - mean) / sd, np.where(values == mean, 0.0, np.inf))
    z = np.where(np.isnan(mean), np.nan, z)
    score = np.abs(z)
    return ScoreBlock(
        expected=mean,
        lower=mean - threshold * sd,
        upper=mean + threshold * sd,
        score=score,
        p_value=gaussian_p_value(z),
        is_anomaly=np.nan_to_num(score, nan=0.0) > threshold,
    )


class _ExpandingState(DetectorState):
    """Running count, sum and sum of squares (shifted by the first value for accuracy)."""

    def __init__(self, threshold: float, min_history: int) -> None:
        self.threshold = threshold
        self.min_history = min_history
        self.n = 0
        self.shift = 0.0
        self.total = 0.0
        self.squares = 0.0

    def update(self, times: TimeArray, values: FloatArray) -> ScoreBlock:
        x = np.asarray(values, dtype=np.float64)
        if x.size == 0:
            return ScoreBlock.empty(0)
        if self.n == 0:
            self.shift = float(x[0])
        d = x - self.shift
        # Sums over the points before each one: the running totals plus this block's prefix.
        before_sum = self.total + np.concatenate([[0.0], np.cumsum(d)[:-1]])
        before_sq = self.squares + np.concatenate([[0.0], np.cumsum(d * d)[:-1]])
        count = self.n + np.arange(x.size, dtype=np.float64)
        ok = count >= self.min_history
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(ok, before_sum / count, np.nan)
            var = (before_sq - count * mean**2) / (count - 1)
        sd = np.sqrt(np.maximum(var, 0.0))
        self.n += x.size
        self.total += float(d.sum())
        self.squares += float((d * d).sum())
        return _block(d, mean, sd, self.threshold).shifted(self.shift)


class _RollingState(BufferState):
    def __init__(self, threshold: float, window: int, min_history: int) -> None:
        super().__init__(memory=window)
        self.threshold = threshold
        self.window = window
        self.min_history = min(min_history, window)

    def score_array(self, values: FloatArray, start: int, n_before: int) -> ScoreBlock:
        n = values.size - start
        mean = np.full(n, np.nan)
        sd = np.full(n, np.nan)
        # Early points: fewer than `window` earlier points, but enough.
        for pos in range(start, min(values.size, self.window)):
            if n_before + pos >= self.min_history:
                past = values[:pos]
                mean[pos - start] = past.mean()
                sd[pos - start] = past.std(ddof=1)
        for first, windows in sliding_windows(values, start, self.window):
            rows = slice(first - start, first - start + windows.shape[0])
            mean[rows] = windows.mean(axis=1)
            sd[rows] = windows.std(axis=1, ddof=1)
        return _block(values[start:], mean, sd, self.threshold)
