"""Statistical and simple forecasters behind one function: quantiles ``[n, horizon, Q]``.

* ``SeasonalNaive``, ``AutoETS``, ``AutoTheta`` (statsforecast), their prediction intervals
  read as quantiles (level ``q`` < 0.5 is the lower bound of the ``100 * (1 - 2q)`` %
  interval, 0.5 the point forecast);
* ``CrostonSBA`` and ``TSB`` for intermittent demand (statsforecast), with conformal
  intervals from up to 5 rolling windows of the history;
* ``EmpiricalQuantiles``: the empirical quantiles of the most recent window held flat (26
  weeks, 24 months, 56 days, 8 quarters, else two seasons), which on noisy retail and
  intermittent data is a strong baseline.

Series are fit one by one on gap-filled histories (leading missing values dropped, interior
ones interpolated, trailing ones hold the last value). A model that fails, or returns
non-finite values or values beyond 10 times the largest absolute value of the history,
falls back for that series along ``SeasonalNaive -> Naive -> last value``. Quantiles of a
non-negative history are clipped at zero.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from supplymind.exceptions import ConfigurationError

__all__ = [
    "INTERMITTENT_MODELS",
    "STAT_MODELS",
    "empirical_window",
    "fill_gaps",
    "stat_quantiles",
]

#: Every model :func:`stat_quantiles` runs.
STAT_MODELS: tuple[str, ...] = (
    "EmpiricalQuantiles",
    "SeasonalNaive",
    "AutoETS",
    "AutoTheta",
    "CrostonSBA",
    "TSB",
)
#: The models meant for intermittent demand only.
INTERMITTENT_MODELS: tuple[str, ...] = ("CrostonSBA", "TSB")
_ABSURD = 10.0
_MAX_CONFORMAL = 5


def fill_gaps(values: np.ndarray) -> np.ndarray:
    """Drop leading NaN, interpolate interior NaN, hold the last value over trailing NaN."""
    arr = np.asarray(values, dtype=np.float64)
    observed = np.flatnonzero(np.isfinite(arr))
    if observed.size == 0:
        return np.empty(0)
    arr = arr[observed[0] :]
    idx = np.arange(arr.size)
    ok = np.isfinite(arr)
    return np.interp(idx, idx[ok], arr[ok])


def empirical_window(freq: str, season_length: int) -> int:
    """Recent periods whose empirical quantiles :data:`EmpiricalQuantiles` holds flat."""
    alias = freq.upper()
    if alias.startswith("W"):
        return 26
    if alias.startswith("M"):
        return 24
    if alias in {"D", "B"}:
        return 56
    if alias.startswith("Q"):
        return 8
    return max(8, 2 * season_length)


def _interval_keys(levels: Sequence[float]) -> tuple[list[float | int], list[str]]:
    """statsforecast interval levels, and the output key of each quantile level."""
    widths: list[float | int] = []
    keys = []
    for q in levels:
        if math.isclose(q, 0.5):
            keys.append("mean")
            continue
        width = round(100.0 * abs(2.0 * q - 1.0), 6)
        lv: float | int = int(width) if float(width).is_integer() else width
        if lv not in widths:
            widths.append(lv)
        keys.append(f"{'lo' if q < 0.5 else 'hi'}-{lv}")
    return widths, keys


def _fallback(filled: np.ndarray, horizon: int, levels: Sequence[float], season: int) -> np.ndarray:
    from statsforecast.models import Naive, SeasonalNaive

    widths, keys = _interval_keys(levels)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for model, needed in ((SeasonalNaive(season_length=season), season + 1), (Naive(), 2)):
            if filled.size >= needed:
                out = model.forecast(y=filled, h=horizon, level=widths)  # type: ignore[arg-type]
                q = np.stack([np.asarray(out[k], dtype=np.float64) for k in keys], axis=-1)
                if np.isfinite(q).all():
                    return q
    last = float(filled[-1]) if filled.size else 0.0
    return np.full((horizon, len(levels)), last)


def _model(name: str, season: int, horizon: int, n_obs: int) -> Any:
    from statsforecast.models import TSB, AutoETS, AutoTheta, CrostonSBA, SeasonalNaive
    from statsforecast.utils import ConformalIntervals

    if name == "SeasonalNaive":
        return SeasonalNaive(season_length=season) if n_obs > season else None
    if name == "AutoETS":
        return AutoETS(season_length=season) if n_obs >= 3 else None
    if name == "AutoTheta":
        return AutoTheta(season_length=season) if n_obs >= 3 else None
    windows = min(_MAX_CONFORMAL, (n_obs - 1) // horizon)
    if windows < 2:
        return None
    intervals = ConformalIntervals(n_windows=windows, h=horizon)
    if name == "CrostonSBA":
        return CrostonSBA(prediction_intervals=intervals)
    return TSB(alpha_d=0.1, alpha_p=0.1, prediction_intervals=intervals)


def _one(
    name: str,
    history: np.ndarray,
    horizon: int,
    levels: Sequence[float],
    season: int,
    window: int,
) -> np.ndarray:
    raw = np.asarray(history, dtype=np.float64)
    observed = raw[np.isfinite(raw)]
    q: np.ndarray | None = None
    if name == "EmpiricalQuantiles":
        recent = raw[-window:]
        recent = recent[np.isfinite(recent)]
        if recent.size == 0:
            recent = observed
        q = np.repeat(np.quantile(recent, list(levels))[None, :], horizon, axis=0)
    else:
        filled = fill_gaps(raw)
        model = _model(name, season, horizon, filled.size)
        if model is not None:
            widths, keys = _interval_keys(levels)
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    out = model.forecast(y=filled, h=horizon, level=widths)
                q = np.stack([np.asarray(out[k], dtype=np.float64) for k in keys], axis=-1)
            except Exception:  # a numerical failure of one series falls back
                q = None
        largest = float(np.abs(observed).max()) if observed.size else 0.0
        bound = _ABSURD * largest if largest > 0 else _ABSURD
        if q is None or not np.isfinite(q).all() or np.abs(q).max() > bound:
            q = _fallback(filled, horizon, levels, season)
    if q is None:  # pragma: no cover - every branch above sets it
        raise RuntimeError("no forecast")
    if observed.size and observed.min() >= 0:
        q = np.maximum(q, 0.0)
    return np.sort(q, axis=-1)


def _chunk(
    name: str,
    histories: list[np.ndarray],
    horizon: int,
    levels: list[float],
    season: int,
    window: int,
) -> np.ndarray:
    return np.stack([_one(name, h, horizon, levels, season, window) for h in histories])


def stat_quantiles(
    name: str,
    histories: Sequence[np.ndarray],
    horizon: int,
    levels: Sequence[float],
    *,
    season_length: int,
    freq: str,
    n_jobs: int = 1,
) -> np.ndarray:
    """Quantile forecasts of one statistical model for many series.

    Parameters
    ----------
    name
        One of :data:`STAT_MODELS`.
    histories
        Raw series, NaN where missing (each with at least one observed value).
    horizon
        Periods ahead.
    levels
        Increasing quantile levels in (0, 1).
    season_length
        Seasonal period.
    freq
        Frequency alias (sets the EmpiricalQuantiles window).
    n_jobs
        Worker processes; the result does not depend on it.

    Returns
    -------
    numpy.ndarray
        ``[len(histories), horizon, len(levels)]``, sorted along the last axis.
    """
    if name not in STAT_MODELS:
        raise ConfigurationError(f"model: expected one of {list(STAT_MODELS)}, found {name!r}")
    series = [np.asarray(h, dtype=np.float64) for h in histories]
    if not series:
        return np.empty((0, horizon, len(levels)))
    window = empirical_window(freq, season_length)
    lv = [float(q) for q in levels]
    if n_jobs <= 1 or len(series) < 64 or name == "EmpiricalQuantiles":
        return _chunk(name, series, horizon, lv, season_length, window)
    size = math.ceil(len(series) / (4 * n_jobs))
    chunks = [series[i : i + size] for i in range(0, len(series), size)]
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        parts = list(
            pool.map(
                _chunk,
                [name] * len(chunks),
                chunks,
                [horizon] * len(chunks),
                [lv] * len(chunks),
                [season_length] * len(chunks),
                [window] * len(chunks),
            )
        )
    return np.concatenate(parts)
