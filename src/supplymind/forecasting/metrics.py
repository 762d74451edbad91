"""Accuracy of probabilistic forecasts: WQL, MASE and interval coverage.

Layout: ``y`` is ``[n_series, horizon]`` with NaN where the truth is missing (left out of
every metric); ``q`` is ``[n_series, horizon, Q]`` quantiles at increasing ``levels``.

WQL is the weighted quantile loss of GluonTS and the Chronos papers, pooled over all series
and steps: ``mean over levels of 2 * sum(pinball) / sum(|y|)``. MASE is of the median, each
series scaled by the in-sample MAE of the seasonal naive forecast (lag 1 for histories not
longer than a season), averaged over the series whose scale is positive.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["coverage", "mase", "mase_scale", "pinball_sums", "wql"]


def pinball_sums(y: np.ndarray, q: np.ndarray, levels: Sequence[float]) -> tuple[float, float]:
    """``(sum of pinball losses averaged over levels, sum of |y|)`` over observed points."""
    lv = np.asarray(levels, dtype=np.float64)
    observed = np.isfinite(y)
    truth = np.where(observed, y, 0.0)[..., None]
    diff = truth - q
    loss = np.maximum(lv * diff, (lv - 1.0) * diff) * observed[..., None]
    return float(loss.sum() / len(lv)), float(np.abs(truth).sum())


def wql(y: np.ndarray, q: np.ndarray, levels: Sequence[float]) -> float:
    """Mean weighted quantile loss (``nan`` when the truth sums to zero)."""
    loss, scale = pinball_sums(y, q, levels)
    return 2.0 * loss / scale if scale > 0 else float("nan")


def mase_scale(history: np.ndarray, season_length: int) -> float:
    """In-sample MAE of the seasonal naive forecast (``nan`` when undefined)."""
    values = np.asarray(history, dtype=np.float64)
    lag = season_length if len(values) > season_length else 1
    if len(values) <= lag:
        return float("nan")
    diff = np.abs(values[lag:] - values[:-lag])
    diff = diff[np.isfinite(diff)]
    return float(diff.mean()) if diff.size else float("nan")


def mase(
    y: np.ndarray,
    median: np.ndarray,
    histories: Sequence[np.ndarray],
    season_length: int,
) -> float:
    """Mean over series of the MAE of ``median`` scaled by :func:`mase_scale`."""
    scores = []
    for i, history in enumerate(histories):
        scale = mase_scale(history, season_length)
        observed = np.isfinite(y[i])
        if not (np.isfinite(scale) and scale > 0 and observed.any()):
            continue
        scores.append(np.abs(y[i][observed] - median[i][observed]).mean() / scale)
    return float(np.mean(scores)) if scores else float("nan")


def coverage(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of observed points inside ``[lower, upper]``."""
    observed = np.isfinite(y)
    if not observed.any():
        return float("nan")
    inside = (y >= lower) & (y <= upper) & observed
    return float(inside.sum() / observed.sum())
