"""Probabilistic forecast metrics shared by the forecasting benchmarks.

Arrays follow one layout: ``y`` is ``[n_series, horizon]`` with NaN where the truth is
missing (those points are left out of every metric), ``q`` is ``[n_series, horizon, Q]``
quantiles at increasing ``levels``.

Conventions
-----------
WQL
    The mean weighted quantile loss of GluonTS and the Chronos papers:
    ``mean over levels of 2 * sum(pinball) / sum(|y|)``, the sums pooled over every series
    and step of a dataset. Half of it is the mean pinball loss per level scaled by the sum
    of ``|y|``.
MASE
    Of the median. Each series is scaled by the in-sample MAE of the seasonal naive
    forecast with lag ``season_length`` over its history (NaN pairs skipped), lag 1 when the
    history is not longer than one season; series whose scale is zero or undefined are
    skipped and counted. The dataset value is the mean over the scored series.
Coverage
    Share of observed test points inside ``[q_lo, q_hi]`` (bounds included).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = [
    "QUANTILES",
    "Scores",
    "geometric_mean",
    "mase_scale",
    "rank_models",
    "score",
]

#: The quantile levels every model is asked for.
QUANTILES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Scores:
    """Metrics of one model on one dataset.

    Parameters
    ----------
    wql
        Mean weighted quantile loss (see the module docstring).
    mase
        Mean absolute scaled error of the median, averaged over the scored series.
    coverage
        Share of observed test points inside the central interval.
    n_series
        Series forecast.
    n_points
        Observed test points scored.
    n_mase_skipped
        Series left out of the MASE because their scale is zero or undefined.
    """

    wql: float
    mase: float
    coverage: float
    n_series: int
    n_points: int
    n_mase_skipped: int

    def to_dict(self) -> dict[str, Any]:
        """The scores as a plain dict."""
        return asdict(self)


def mase_scale(history: np.ndarray, season_length: int) -> float:
    """In-sample MAE of the seasonal naive forecast: the MASE denominator of one series.

    Parameters
    ----------
    history
        The training values, NaN where missing (leading NaN are dropped first).
    season_length
        Seasonal lag; lag 1 is used when the history has at most ``season_length`` values.

    Returns
    -------
    float
        The scale, NaN when no pair of observed values ``lag`` apart exists.
    """
    values = np.asarray(history, dtype=np.float64)
    observed = np.flatnonzero(np.isfinite(values))
    if observed.size == 0:
        return math.nan
    values = values[observed[0] :]
    lag = season_length if values.size > season_length else 1
    diffs = np.abs(values[lag:] - values[:-lag])
    diffs = diffs[np.isfinite(diffs)]
    return float(diffs.mean()) if diffs.size else math.nan


def score(
    y: np.ndarray,
    q: np.ndarray,
    levels: Sequence[float],
    histories: Sequence[np.ndarray],
    season_length: int,
    interval: tuple[float, float] = (0.1, 0.9),
) -> Scores:
    """WQL, MASE of the median and interval coverage of one model on one dataset.

    Parameters
    ----------
    y
        ``[n, h]`` truth, NaN where missing.
    q
        ``[n, h, Q]`` forecast quantiles at ``levels``.
    levels
        Increasing quantile levels; must contain 0.5 and both ends of ``interval``.
    histories
        The ``n`` training series (for the MASE scale).
    season_length
        Seasonal lag of the MASE scale.
    interval
        Levels of the interval whose coverage is measured.

    Returns
    -------
    Scores
        The metrics; NaN where nothing could be scored.

    Raises
    ------
    ValueError
        Shapes disagree or a needed level is missing.
    """
    y = np.asarray(y, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    grid = [round(float(level), 6) for level in levels]
    if q.shape != (*y.shape, len(grid)) or len(histories) != y.shape[0]:
        raise ValueError(
            f"q: expected shape {(*y.shape, len(grid))} with {y.shape[0]} histories, "
            f"found {q.shape} with {len(histories)}"
        )
    missing = [lv for lv in (0.5, *interval) if round(lv, 6) not in grid]
    if missing:
        raise ValueError(f"levels: expected {missing} among the levels, found {list(levels)}")
    mask = np.isfinite(y)
    n_points = int(mask.sum())
    truth = np.where(mask, y, 0.0)
    # Pinball: (y - q) * (tau - 1[y < q]); masked points contribute nothing.
    tau = np.asarray(grid)[None, None, :]
    diff = truth[..., None] - q
    loss = np.where(mask[..., None], diff * (tau - (diff < 0)), 0.0)
    denominator = float(np.abs(truth).sum())
    wql = float(np.mean(2.0 * loss.sum(axis=(0, 1)) / denominator)) if denominator else math.nan

    median = q[..., grid.index(0.5)]
    mase_values = []
    skipped = 0
    for i, history in enumerate(histories):
        if not mask[i].any():
            continue
        scale = mase_scale(history, season_length)
        if not np.isfinite(scale) or scale <= 0.0:
            skipped += 1
            continue
        mase_values.append(float(np.abs(y[i] - median[i])[mask[i]].mean() / scale))
    mase = float(np.mean(mase_values)) if mase_values else math.nan

    lo = q[..., grid.index(round(interval[0], 6))]
    hi = q[..., grid.index(round(interval[1], 6))]
    inside = (y >= lo) & (y <= hi) & mask
    coverage = float(inside.sum() / n_points) if n_points else math.nan
    return Scores(
        wql=wql,
        mase=mase,
        coverage=coverage,
        n_series=int(y.shape[0]),
        n_points=n_points,
        n_mase_skipped=skipped,
    )


def geometric_mean(values: Sequence[float]) -> float:
    """Geometric mean of positive finite values; NaN when any is missing or not positive."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        return math.nan
    return float(np.exp(np.log(arr).mean()))


def rank_models(values: Mapping[str, float]) -> dict[str, float]:
    """Rank models by a loss (1 = lowest), ties sharing the mean rank; NaN stays unranked.

    Parameters
    ----------
    values
        Model name to loss.

    Returns
    -------
    dict
        Model name to rank (NaN for models without a finite loss).
    """
    finite = {name: v for name, v in values.items() if np.isfinite(v)}
    ordered = sorted(finite.values())
    ranks: dict[str, float] = {}
    for name, value in values.items():
        if name not in finite:
            ranks[name] = math.nan
            continue
        first = ordered.index(value) + 1
        last = len(ordered) - ordered[::-1].index(value)
        ranks[name] = (first + last) / 2.0
    return ranks
