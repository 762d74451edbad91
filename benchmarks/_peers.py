"""Peer forecasters for the benchmarks, all returning quantiles ``[n_series, horizon, Q]``.

Three families, one output layout:

* statsforecast models (``SeasonalNaive``, ``AutoETS``, ``AutoTheta``, ``CrostonSBA``), fit
  series by series on gap-filled histories, their intervals mapped to quantiles;
* ``EmpiricalQuantiles``, the empirical quantiles of the most recent window held flat;
* pretrained backbones (:func:`supplymind.models.registry.load_backbone`), which read the
  raw histories, NaN included.

Every output goes through :func:`guard`: non-finite (and, for the statistical models,
absurd) forecasts of a series are replaced by the seasonal naive fallback of that series,
and quantiles below zero are clipped at zero for series whose history is non-negative. The
repairs are counted and returned with the forecasts.

Conventions
-----------
Gap filling (statistical models only; the backbones get the NaN): leading NaN are dropped,
interior NaN interpolated linearly, trailing NaN hold the last observation
(:func:`supplymind.models.adapters.fracast.fill_gaps`).

Interval to quantile mapping, ``level=[20, 40, 60, 80]``: ``lo-80 -> 0.1``, ``lo-60 -> 0.2``,
``lo-40 -> 0.3``, ``lo-20 -> 0.4``, the point forecast ``-> 0.5``, ``hi-20 -> 0.6``, ...,
``hi-80 -> 0.9``.

Seasonal naive fallback chain: ``SeasonalNaive(season_length)`` when the filled history is
longer than one season, else ``Naive`` when it has at least two values, else the one value
held flat, else zeros.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from supplymind.models.adapters.fracast import fill_gaps
from supplymind.models.interface import QuantileBackbone

__all__ = [
    "ABSURD_FACTOR",
    "MAX_CONFORMAL_WINDOWS",
    "STATS_LEVELS",
    "STATS_MODELS",
    "Forecast",
    "backbone_quantiles",
    "conformal_windows",
    "empirical_quantiles",
    "empirical_window",
    "guard",
    "seasonal_naive_quantiles",
    "stats_quantiles",
]

#: Interval levels asked of statsforecast; with the point forecast they give 0.1..0.9.
STATS_LEVELS: tuple[int, ...] = (20, 40, 60, 80)

#: A quantile beyond this many times the largest absolute value of the history is absurd.
ABSURD_FACTOR = 10.0

#: Most calibration windows of the conformal intervals (CrostonSBA); fewer when the history
#: is short, at least 2 (statsforecast's minimum).
MAX_CONFORMAL_WINDOWS = 5

#: The statistical models this module can run.
STATS_MODELS: tuple[str, ...] = ("SeasonalNaive", "AutoETS", "AutoTheta", "CrostonSBA")


@dataclass
class Forecast:
    """Quantile forecasts of one model for many series, with what was repaired.

    Parameters
    ----------
    quantiles
        ``[n_series, horizon, Q]``.
    repairs
        Reason to number of series: ``"error"`` (the model raised), ``"too_short"`` (the
        history is too short for the model), ``"non_finite"``, ``"absurd"`` (all replaced
        by the seasonal naive fallback), ``"clipped"`` (negative quantiles of a
        non-negative series set to zero).
    info
        Model-specific notes (e.g. conformal windows used).
    """

    quantiles: np.ndarray
    repairs: dict[str, int] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def _levels_check(levels: Sequence[float]) -> None:
    expected = [0.1 * i for i in range(1, 10)]
    if len(levels) != len(expected) or not np.allclose(levels, expected):
        raise ValueError(f"levels: the statistical peers need 0.1..0.9 by 0.1, found {levels}")


def _from_intervals(fcst: dict[str, np.ndarray]) -> np.ndarray:
    """``[h, 9]`` quantiles 0.1..0.9 from a statsforecast output with STATS_LEVELS."""
    columns = [f"lo-{lv}" for lv in reversed(STATS_LEVELS)]
    columns += ["mean"] + [f"hi-{lv}" for lv in STATS_LEVELS]
    out = np.stack([np.asarray(fcst[c], dtype=np.float64) for c in columns], axis=-1)
    # Conformal distribution intervals can cross by rounding; sorting keeps the median.
    return np.sort(out, axis=-1)


def seasonal_naive_quantiles(
    filled: np.ndarray, horizon: int, season_length: int
) -> tuple[np.ndarray, str]:
    """Quantiles 0.1..0.9 of the seasonal naive fallback chain (see the module docstring).

    Parameters
    ----------
    filled
        A gap-filled history (no NaN).
    horizon
        Steps ahead.
    season_length
        Seasonal lag.

    Returns
    -------
    tuple
        ``[horizon, 9]`` quantiles and the stage used (``"seasonal_naive"``, ``"naive"``,
        ``"last_value"`` or ``"zeros"``).
    """
    from statsforecast.models import Naive, SeasonalNaive

    levels = list(STATS_LEVELS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if filled.size > season_length:
            q = _from_intervals(
                SeasonalNaive(season_length=season_length).forecast(
                    y=filled, h=horizon, level=levels
                )
            )
            if np.isfinite(q).all():
                return q, "seasonal_naive"
        if filled.size >= 2:
            q = _from_intervals(Naive().forecast(y=filled, h=horizon, level=levels))
            if np.isfinite(q).all():
                return q, "naive"
    if filled.size >= 1:
        return np.full((horizon, 9), float(filled[-1])), "last_value"
    return np.zeros((horizon, 9)), "zeros"


def conformal_windows(n_obs: int, horizon: int) -> int:
    """Calibration windows for conformal intervals: as many as fit, at most the maximum.

    Parameters
    ----------
    n_obs
        Length of the filled history.
    horizon
        Steps ahead (each window is one horizon long and needs one value before it).

    Returns
    -------
    int
        ``min(MAX_CONFORMAL_WINDOWS, (n_obs - 1) // horizon)``; below 2 the model cannot
        run.
    """
    return min(MAX_CONFORMAL_WINDOWS, (n_obs - 1) // horizon)


def _stats_model(name: str, season_length: int, horizon: int, n_obs: int) -> Any:
    """A fresh statsforecast model, or ``None`` when the history is too short for it."""
    from statsforecast.models import AutoETS, AutoTheta, CrostonSBA, SeasonalNaive
    from statsforecast.utils import ConformalIntervals

    if name == "SeasonalNaive":
        return SeasonalNaive(season_length=season_length) if n_obs > season_length else None
    if name == "AutoETS":
        return AutoETS(season_length=season_length)
    if name == "AutoTheta":
        return AutoTheta(season_length=season_length)
    if name == "CrostonSBA":
        windows = conformal_windows(n_obs, horizon)
        if windows < 2:
            return None
        intervals = ConformalIntervals(n_windows=windows, h=horizon)
        return CrostonSBA(prediction_intervals=intervals)
    raise ValueError(f"model: expected one of {STATS_MODELS}, found {name!r}")


def guard(
    q: np.ndarray, history: np.ndarray, fallback: Callable[[], np.ndarray], *, absurd: bool
) -> tuple[np.ndarray, str | None, bool]:
    """Repair the quantiles of one series.

    Parameters
    ----------
    q
        ``[horizon, Q]`` forecast.
    history
        The raw history (NaN where missing).
    fallback
        Returns the seasonal naive quantiles of the series (called only when needed).
    absurd
        Also replace forecasts beyond :data:`ABSURD_FACTOR` times the largest absolute
        value of the history (``ABSURD_FACTOR`` itself for an all-zero history).

    Returns
    -------
    tuple
        The repaired ``q``, the reason of a fallback (``"non_finite"``, ``"absurd"`` or
        ``None``) and whether negative values were clipped.
    """
    observed = history[np.isfinite(history)]
    reason = None
    if not np.isfinite(q).all():
        reason = "non_finite"
    elif absurd and observed.size:
        largest = float(np.abs(observed).max())
        bound = ABSURD_FACTOR * largest if largest > 0 else ABSURD_FACTOR
        if np.abs(q).max() > bound:
            reason = "absurd"
    if reason is not None:
        q = fallback()
    clipped = False
    if observed.size and observed.min() >= 0 and (q < 0).any():
        q = np.maximum(q, 0.0)
        clipped = True
    return q, reason, clipped


def _stats_one(
    name: str, history: np.ndarray, horizon: int, season_length: int
) -> tuple[np.ndarray, str | None, bool, int | None]:
    """Quantiles of one series: fit, forecast, fall back, guard."""
    filled = fill_gaps(np.asarray(history, dtype=np.float64))

    def fallback() -> np.ndarray:
        return seasonal_naive_quantiles(filled, horizon, season_length)[0]

    windows = conformal_windows(filled.size, horizon) if name == "CrostonSBA" else None
    if name == "SeasonalNaive":
        # The chain is its own fallback and always finite; only the clipping applies.
        q, stage = seasonal_naive_quantiles(filled, horizon, season_length)
        reason = None if stage == "seasonal_naive" else "too_short"
        q, _, clipped = guard(q, history, fallback, absurd=False)
        return q, reason, clipped, windows
    model = _stats_model(name, season_length, horizon, filled.size) if filled.size >= 2 else None
    if model is None:
        q, _, clipped = guard(fallback(), history, fallback, absurd=False)
        return q, "too_short", clipped, None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            q = _from_intervals(model.forecast(y=filled, h=horizon, level=list(STATS_LEVELS)))
    except Exception:
        q, _, clipped = guard(fallback(), history, fallback, absurd=False)
        return q, "error", clipped, None
    q, reason, clipped = guard(q, history, fallback, absurd=True)
    return q, reason, clipped, windows


def _stats_chunk(
    name: str, histories: list[np.ndarray], horizon: int, season_length: int
) -> list[tuple[np.ndarray, str | None, bool, int | None]]:
    return [_stats_one(name, h, horizon, season_length) for h in histories]


def stats_quantiles(
    name: str,
    histories: Sequence[np.ndarray],
    horizon: int,
    season_length: int,
    levels: Sequence[float],
    n_jobs: int = 1,
) -> Forecast:
    """Forecast every series with one statsforecast model, series by series.

    Parameters
    ----------
    name
        One of :data:`STATS_MODELS`.
    histories
        Raw training series (NaN where missing); filled here before fitting.
    horizon
        Steps ahead.
    season_length
        Seasonal period given to the model.
    levels
        Must be 0.1..0.9 by 0.1 (the mapping of :data:`STATS_LEVELS`).
    n_jobs
        Worker processes (chunks of series keep their order, so the result does not
        depend on it).

    Returns
    -------
    Forecast
        Quantiles, repair counts and, for CrostonSBA, the conformal windows used.
    """
    _levels_check(levels)
    if name not in STATS_MODELS:
        raise ValueError(f"name: expected one of {STATS_MODELS}, found {name!r}")
    series = [np.asarray(h, dtype=np.float64) for h in histories]
    if n_jobs <= 1 or len(series) < 2:
        rows = _stats_chunk(name, series, horizon, season_length)
    else:
        size = math.ceil(len(series) / (4 * n_jobs))
        chunks = [series[i : i + size] for i in range(0, len(series), size)]
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            parts = pool.map(
                _stats_chunk,
                [name] * len(chunks),
                chunks,
                [horizon] * len(chunks),
                [season_length] * len(chunks),
            )
            rows = [row for part in parts for row in part]
    quantiles = np.stack([row[0] for row in rows]) if rows else np.empty((0, horizon, 9))
    repairs = Counter(row[1] for row in rows if row[1] is not None)
    repairs["clipped"] = sum(row[2] for row in rows)
    info: dict[str, Any] = {}
    if name == "CrostonSBA":
        used = Counter(row[3] for row in rows if row[3] is not None and row[3] >= 2)
        info["conformal_windows"] = {str(k): used[k] for k in sorted(used)}
    return Forecast(quantiles, dict(repairs), info)


def empirical_window(freq: str, season_length: int) -> int:
    """Length of the recent window of the EmpiricalQuantiles baseline.

    26 weeks for weekly data, 24 months for monthly, 56 days for daily, 8 quarters for
    quarterly, otherwise two seasons (at least 8 points).

    Parameters
    ----------
    freq
        Pandas offset alias of the dataset.
    season_length
        Seasonal period, for the default.

    Returns
    -------
    int
        Number of most recent points whose empirical quantiles are held flat.
    """
    alias = freq.upper()
    if alias.startswith("W"):
        return 26
    if alias in {"MS", "M", "ME"}:
        return 24
    if alias == "D":
        return 56
    if alias.startswith("Q"):
        return 8
    return max(8, 2 * season_length)


def empirical_quantiles(
    histories: Sequence[np.ndarray],
    horizon: int,
    window: int,
    levels: Sequence[float],
    season_length: int,
) -> Forecast:
    """The empirical quantiles of the last ``window`` observations, held flat.

    NaN in the window are ignored; a window with no observation uses the whole history.
    Quantiles by linear interpolation (numpy's default method).

    Parameters
    ----------
    histories
        Raw training series.
    horizon
        Steps ahead.
    window
        Most recent points used (see :func:`empirical_window`).
    levels
        Quantile levels.
    season_length
        Seasonal period of the fallback for a series with no observation at all.

    Returns
    -------
    Forecast
        Quantiles and repair counts.
    """
    out = np.empty((len(histories), horizon, len(levels)))
    repairs: Counter[str] = Counter()
    for i, history in enumerate(histories):
        history = np.asarray(history, dtype=np.float64)
        recent = history[-window:]
        recent = recent[np.isfinite(recent)]
        if recent.size == 0:
            recent = history[np.isfinite(history)]
        if recent.size == 0:
            out[i] = seasonal_naive_quantiles(fill_gaps(history), horizon, season_length)[0]
            repairs["too_short"] += 1
            continue
        out[i] = np.quantile(recent, list(levels))[None, :]
    repairs["clipped"] = 0
    return Forecast(out, dict(repairs))


def backbone_quantiles(
    backbone: QuantileBackbone,
    histories: Sequence[np.ndarray],
    horizon: int,
    levels: Sequence[float],
    season_length: int,
    min_observed: int = 1,
) -> Forecast:
    """Zero-shot quantiles of a pretrained backbone, from the raw histories.

    Series with fewer than ``min_observed`` observed values get the seasonal naive fallback
    (``"too_short"``). If the backbone fails on the batch, it is retried series by series
    and the failing ones fall back (``"error"``); if every series fails the error is
    raised. Non-finite outputs fall back; absurd values are not replaced (the guard against
    them is for the statistical models); negative values of non-negative series are
    clipped.

    Parameters
    ----------
    backbone
        A loaded backbone.
    histories
        Raw training series, NaN where missing (the backbone reads the last
        ``backbone.context_length`` values itself).
    horizon
        Steps ahead.
    levels
        Quantile levels.
    season_length
        Seasonal period of the fallback.
    min_observed
        Observed values the backbone needs per series.

    Returns
    -------
    Forecast
        Quantiles and repair counts.
    """
    series = [np.asarray(h, dtype=np.float64) for h in histories]
    out = np.empty((len(series), horizon, len(levels)))
    repairs: Counter[str] = Counter()

    def fallback_of(i: int) -> np.ndarray:
        return seasonal_naive_quantiles(fill_gaps(series[i]), horizon, season_length)[0]

    usable = [i for i, s in enumerate(series) if np.isfinite(s).sum() >= min_observed]
    for i in sorted(set(range(len(series))) - set(usable)):
        out[i] = fallback_of(i)
        repairs["too_short"] += 1
    if usable:
        try:
            out[usable] = backbone.predict_quantiles(
                [series[i] for i in usable], horizon, list(levels)
            )
        except Exception:
            failures: list[Exception] = []
            for i in usable:
                try:
                    out[i] = backbone.predict_quantiles([series[i]], horizon, list(levels))[0]
                except Exception as exc:
                    failures.append(exc)
                    out[i] = fallback_of(i)
                    repairs["error"] += 1
            if len(failures) == len(usable):
                raise failures[0] from None
    clipped = 0
    for i in range(len(series)):
        out[i], reason, was_clipped = guard(
            out[i], series[i], functools.partial(fallback_of, i), absurd=False
        )
        if reason is not None:
            repairs[reason] += 1
        clipped += int(was_clipped)
    repairs["clipped"] = clipped
    return Forecast(out, dict(repairs))
