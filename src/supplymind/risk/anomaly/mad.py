"""Rolling median / MAD robust z-score.

The median and the median absolute deviation of the last ``window`` points are not moved
by the outliers they are meant to find, unlike the mean and standard deviation of the
plain z-score (Iglewicz and Hoaglin's modified z-score, threshold 3.5).
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
    gaussian_p_value,
    robust_scale,
    sliding_windows,
)
from supplymind.risk.frames import season_length_for

__all__ = ["RollingMADDetector", "robust_block"]

_MIN_WINDOW, _MAX_WINDOW = 28, 2016


def robust_block(
    values: FloatArray, centre: FloatArray, scale: FloatArray, threshold: float
) -> ScoreBlock:
    """Scores of ``values`` against a centre and a robust standard deviation."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, (values - centre) / scale, np.where(values == centre, 0.0, np.inf))
    z = np.where(np.isnan(centre), np.nan, z)
    score = np.abs(z)
    return ScoreBlock(
        expected=centre,
        lower=centre - threshold * scale,
        upper=centre + threshold * scale,
        score=score,
        p_value=gaussian_p_value(z),
        is_anomaly=np.nan_to_num(score, nan=0.0) > threshold,
    )


def rolling_median_scale(
    values: FloatArray, start: int, window: int, min_history: int
) -> tuple[FloatArray, FloatArray]:
    """Median and robust sd of the (up to) ``window`` points before each of
    ``values[start:]``, missing values (NaN) skipped; NaN where fewer than ``min_history``
    points are available."""
    n = values.size - start
    centre = np.full(n, np.nan)
    scale = np.full(n, np.nan)
    valid = ~np.isnan(values)
    for pos in range(start, min(values.size, window)):
        past = values[:pos][valid[:pos]]
        if past.size >= min_history:
            middle = float(np.median(past))
            centre[pos - start] = middle
            scale[pos - start] = robust_scale(past[None, :], np.array([middle]))[0]
    for first, windows in sliding_windows(values, start, window):
        rows = slice(first - start, first - start + windows.shape[0])
        if np.isnan(windows).any():
            counts = (~np.isnan(windows)).sum(axis=1)
            enough = counts >= max(min_history, 1)
            med = np.full(windows.shape[0], np.nan)
            sc = np.full(windows.shape[0], np.nan)
            if enough.any():
                sub = windows[enough]
                m = np.nanmedian(sub, axis=1)
                dev = np.abs(sub - m[:, None])
                mad = 1.4826 * np.nanmedian(dev, axis=1)
                med[enough] = m
                sc[enough] = np.where(mad > 0, mad, 1.2533 * np.nanmean(dev, axis=1))
            centre[rows] = med
            scale[rows] = sc
        else:
            med = np.median(windows, axis=1)
            centre[rows] = med
            scale[rows] = robust_scale(windows, med)
    return centre, scale


class RollingMADDetector(SeriesDetector):
    """Flag points whose robust z-score ``(x - median) / (1.4826 MAD)`` over the last
    ``window`` points exceeds ``threshold``.

    Parameters
    ----------
    threshold
        Robust z-score above which a point is flagged (3.5: Iglewicz and Hoaglin).
    window
        Points in the window; default four seasonal cycles of the series' frequency (28
        days for daily data), between 28 and 2016 points.
    min_history
        Points needed before the first score (default half the window).
    """

    name = "rolling_mad"

    def __init__(
        self,
        threshold: float = 3.5,
        *,
        window: int | None = None,
        min_history: int | None = None,
    ) -> None:
        owner = "RollingMADDetector"
        self.threshold = check_positive_float(owner, "threshold", threshold)
        self.window = None if window is None else check_positive_int(owner, "window", window, 3)
        self.min_history = (
            None
            if min_history is None
            else check_positive_int(owner, "min_history", min_history, 3)
        )

    def resolved_window(self, period_days: float) -> int:
        """The window for a series whose points are ``period_days`` apart."""
        if self.window is not None:
            return self.window
        return int(np.clip(4 * season_length_for(period_days), _MIN_WINDOW, _MAX_WINDOW))

    def resolved_min_history(self, period_days: float) -> int:
        """Points needed before the first score, for a series whose points are
        ``period_days`` apart."""
        window = self.resolved_window(period_days)
        return min(self.min_history or max(3, window // 2), window)

    def min_points(self, period_days: float = 1.0) -> int:
        # The first score needs min_history earlier points.
        return self.resolved_min_history(period_days) + 1

    def new_state(self, period_days: float = 1.0) -> DetectorState:
        window = self.resolved_window(period_days)
        return _MADState(self.threshold, window, self.resolved_min_history(period_days))


class _MADState(BufferState):
    def __init__(self, threshold: float, window: int, min_history: int) -> None:
        super().__init__(memory=window)
        self.threshold = threshold
        self.window = window
        self.min_history = min_history

    def score_array(self, values: FloatArray, start: int, n_before: int) -> ScoreBlock:
        centre, scale = rolling_median_scale(values, start, self.window, self.min_history)
        return robust_block(values[start:], centre, scale, self.threshold)
