"""Peer forecasters for the benchmarks, all returning quantiles ``[n_series, horizon, Q]``.

Three families, one output layout:

* statsforecast models (``SeasonalNaive``, ``AutoETS``, ``AutoTheta``, ``CrostonSBA``,
  ``TSB``), fit series by series on gap-filled histories, their intervals mapped to quantiles;
* ``EmpiricalQuantiles``, the empirical quantiles of the most recent window held flat;
* pretrained backbones (:func:`supplymind.models.registry.load_backbone`), which read the
  raw histories, NaN included;
* ``LightGBM`` through mlforecast (:func:`lightgbm_quantiles`): one global model on
  gap-filled, mean-scaled histories, conformal intervals mapped to quantiles.

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
import pandas as pd

from supplymind.models.adapters.fracast import fill_gaps
from supplymind.models.interface import QuantileBackbone

__all__ = [
    "ABSURD_FACTOR",
    "CONFORMAL_MODELS",
    "LIGHTGBM_MIN_SHARE",
    "LIGHTGBM_PARAMS",
    "MAX_CONFORMAL_WINDOWS",
    "STATS_LEVELS",
    "STATS_MODELS",
    "TSB_ALPHAS",
    "Forecast",
    "backbone_quantiles",
    "conformal_windows",
    "empirical_quantiles",
    "empirical_window",
    "guard",
    "lightgbm_calendar",
    "lightgbm_lags",
    "lightgbm_quantiles",
    "lightgbm_windows",
    "seasonal_naive_quantiles",
    "stats_quantiles",
]

#: Interval levels asked of statsforecast; with the point forecast they give 0.1..0.9.
STATS_LEVELS: tuple[int, ...] = (20, 40, 60, 80)

#: A quantile beyond this many times the largest absolute value of the history is absurd.
ABSURD_FACTOR = 10.0

#: Most calibration windows of the conformal intervals (CrostonSBA, TSB, LightGBM); fewer
#: when the history is short, at least 2 (statsforecast's and mlforecast's minimum).
MAX_CONFORMAL_WINDOWS = 5

#: The statistical models this module can run.
STATS_MODELS: tuple[str, ...] = ("SeasonalNaive", "AutoETS", "AutoTheta", "CrostonSBA", "TSB")

#: The statistical models without intervals of their own: conformal intervals.
CONFORMAL_MODELS: tuple[str, ...] = ("CrostonSBA", "TSB")

#: Smoothing of TSB (demand and probability), as in the Forecaster's fallback set.
TSB_ALPHAS = (0.1, 0.1)

#: LightGBM settings of the mlforecast peer (one global point model; ``n_jobs`` and the seed
#: are set per call).
LIGHTGBM_PARAMS: dict[str, Any] = {
    "n_estimators": 300,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_child_samples": 20,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}

#: Share of series the conformal windows of the LightGBM peer must leave in the model.
LIGHTGBM_MIN_SHARE = 0.9


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
    from statsforecast.models import TSB, AutoETS, AutoTheta, CrostonSBA, SeasonalNaive
    from statsforecast.utils import ConformalIntervals

    if name == "SeasonalNaive":
        return SeasonalNaive(season_length=season_length) if n_obs > season_length else None
    if name == "AutoETS":
        return AutoETS(season_length=season_length)
    if name == "AutoTheta":
        return AutoTheta(season_length=season_length)
    if name in CONFORMAL_MODELS:
        windows = conformal_windows(n_obs, horizon)
        if windows < 2:
            return None
        intervals = ConformalIntervals(n_windows=windows, h=horizon)
        if name == "TSB":
            alpha_d, alpha_p = TSB_ALPHAS
            return TSB(alpha_d=alpha_d, alpha_p=alpha_p, prediction_intervals=intervals)
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

    windows = conformal_windows(filled.size, horizon) if name in CONFORMAL_MODELS else None
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
        Quantiles, repair counts and, for CrostonSBA and TSB, the conformal windows used.
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
    if name in CONFORMAL_MODELS:
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

    from supplymind.models.adapters.supplymind import SupplyMindBackbone

    # The SupplyMind backbone takes the season length the statistical peers get (its
    # seasonal copy may use that lag after one cycle); the other backbones take none.
    extra = {"season_length": season_length} if isinstance(backbone, SupplyMindBackbone) else {}
    usable = [i for i, s in enumerate(series) if np.isfinite(s).sum() >= min_observed]
    for i in sorted(set(range(len(series))) - set(usable)):
        out[i] = fallback_of(i)
        repairs["too_short"] += 1
    if usable:
        try:
            out[usable] = backbone.predict_quantiles(
                [series[i] for i in usable], horizon, list(levels), **extra
            )
        except Exception:
            failures: list[Exception] = []
            for i in usable:
                try:
                    out[i] = backbone.predict_quantiles(
                        [series[i]], horizon, list(levels), **extra
                    )[0]
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


def lightgbm_lags(season_length: int) -> list[int]:
    """Target lags of the LightGBM peer: ``1..min(season, 13)`` and the seasonal lag."""
    return sorted(set(range(1, min(season_length, 13) + 1)) | {season_length})


def lightgbm_calendar(stamps: pd.DatetimeIndex, freq: str) -> dict[str, np.ndarray]:
    """Calendar features of the LightGBM peer, by frequency.

    Week of the year (ISO) for weekly data, month for monthly, quarter for quarterly, day of
    the week and month for daily; none otherwise.

    Parameters
    ----------
    stamps
        The timestamps.
    freq
        Pandas offset alias of the dataset.

    Returns
    -------
    dict
        Feature name to float values, one per timestamp.
    """
    alias = freq.upper()
    if alias.startswith("W"):
        return {"week": stamps.isocalendar().week.to_numpy(np.float64)}
    if alias in {"D", "B"}:
        return {
            "dayofweek": stamps.dayofweek.to_numpy(np.float64),
            "month": stamps.month.to_numpy(np.float64),
        }
    if alias.startswith("Q"):
        return {"quarter": stamps.quarter.to_numpy(np.float64)}
    if alias.startswith("M"):
        return {"month": stamps.month.to_numpy(np.float64)}
    return {}


def lightgbm_windows(lengths: Sequence[int], horizon: int) -> int:
    """Conformal windows of the LightGBM peer: one number for the global model.

    mlforecast needs ``n_windows * horizon + 1`` values in every series it fits. The number
    is the largest in ``MAX_CONFORMAL_WINDOWS..2`` that keeps at least
    :data:`LIGHTGBM_MIN_SHARE` of the series, else 2; shorter series fall back.

    Parameters
    ----------
    lengths
        Filled history length of each series.
    horizon
        Steps ahead.

    Returns
    -------
    int
        The number of windows, at least 2.
    """
    sizes = np.asarray(lengths)
    for windows in range(MAX_CONFORMAL_WINDOWS, 1, -1):
        if sizes.size and np.mean(sizes >= windows * horizon + 1) >= LIGHTGBM_MIN_SHARE:
            return windows
    return 2


def lightgbm_quantiles(
    histories: Sequence[np.ndarray],
    ends: Sequence[pd.Timestamp],
    horizon: int,
    freq: str,
    season_length: int,
    levels: Sequence[float],
    n_jobs: int = 1,
    seed: int = 0,
) -> Forecast:
    """Quantiles of one global LightGBM model (mlforecast, recursive), conformal intervals.

    Each gap-filled history is divided by its mean absolute value (1 when that is 0), the
    series are aligned on their last period (an integer time index, so that series ending
    on different dates share cross-validation windows) and carry their calendar features
    (:func:`lightgbm_calendar`) as exogenous columns. One ``LGBMRegressor`` is fit on
    :func:`lightgbm_lags`, the rolling mean of lag 1 over ``min(season, 13)`` periods and the
    calendar, rows with missing lags kept (LightGBM routes them). Forecasts are recursive;
    mlforecast's ``conformal_distribution`` intervals from :func:`lightgbm_windows` windows
    at ``level=[20, 40, 60, 80]`` give the quantiles, as for the statistical models.

    Series too short for the windows get the seasonal naive fallback (``"too_short"``);
    non-finite or absurd outputs of a series fall back too, and negative quantiles of
    non-negative series are clipped (:func:`guard`).

    Parameters
    ----------
    histories
        Raw training series (NaN where missing).
    ends
        Timestamp of each history's last period.
    horizon
        Steps ahead.
    freq
        Pandas offset alias (calendar features).
    season_length
        Seasonal period (lags and fallback).
    levels
        Must be 0.1..0.9 by 0.1.
    n_jobs
        LightGBM threads.
    seed
        LightGBM ``random_state``.

    Returns
    -------
    Forecast
        Quantiles, repair counts and the settings used.
    """
    _levels_check(levels)
    from lightgbm import LGBMRegressor
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.utils import PredictionIntervals

    series = [np.asarray(h, dtype=np.float64) for h in histories]
    filled = [fill_gaps(h) for h in series]
    windows = lightgbm_windows([f.size for f in filled], horizon)
    fitted = [i for i, f in enumerate(filled) if f.size >= windows * horizon + 1]
    last = max((filled[i].size for i in fitted), default=0)
    scales = [float(np.mean(np.abs(f))) if f.size and np.abs(f).sum() > 0 else 1.0 for f in filled]
    past, future = [], []
    for i in fitted:
        n, item = filled[i].size, f"s{i:06d}"
        first = pd.date_range(end=ends[i], periods=n, freq=freq)[0]
        stamps = pd.date_range(first, periods=n + horizon, freq=freq)
        past.append(
            pd.DataFrame(
                {
                    "unique_id": item,
                    "ds": np.arange(last - n + 1, last + 1),
                    "y": filled[i] / scales[i],
                    **lightgbm_calendar(stamps[:n], freq),
                }
            )
        )
        future.append(
            pd.DataFrame(
                {
                    "unique_id": item,
                    "ds": np.arange(last + 1, last + horizon + 1),
                    **lightgbm_calendar(stamps[-horizon:], freq),
                }
            )
        )
    out = np.empty((len(series), horizon, 9))
    repairs: Counter[str] = Counter()
    lags = lightgbm_lags(season_length)
    info: dict[str, Any] = {
        "conformal_windows": windows,
        "lags": lags,
        "rolling_mean_window": min(season_length, 13),
        "calendar": list(lightgbm_calendar(pd.DatetimeIndex([]), freq)),
        "params": {**LIGHTGBM_PARAMS, "random_state": seed, "n_jobs": n_jobs},
    }
    predicted: dict[str, np.ndarray] = {}
    if fitted:
        model = LGBMRegressor(**LIGHTGBM_PARAMS, random_state=seed, n_jobs=n_jobs)
        mlf = MLForecast(
            models={"LightGBM": model},
            freq=1,
            lags=lags,
            lag_transforms={1: [RollingMean(window_size=min(season_length, 13))]},
            num_threads=1,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlf.fit(
                pd.concat(past, ignore_index=True),
                static_features=[],
                dropna=False,
                prediction_intervals=PredictionIntervals(n_windows=windows, h=horizon),
            )
            frame = mlf.predict(
                horizon, level=list(STATS_LEVELS), X_df=pd.concat(future, ignore_index=True)
            )
        frame = frame.rename(columns=lambda c: c.replace("LightGBM-", "")).rename(
            columns={"LightGBM": "mean"}
        )
        for item, group in frame.groupby("unique_id", sort=False):
            group = group.sort_values("ds")
            predicted[str(item)] = _from_intervals({c: group[c].to_numpy() for c in group})
    clipped = 0
    for i in range(len(series)):

        def fallback(i: int = i) -> np.ndarray:
            return seasonal_naive_quantiles(filled[i], horizon, season_length)[0]

        q = predicted.get(f"s{i:06d}")
        if q is None or q.shape != (horizon, 9):
            q = fallback()
            repairs["too_short" if i not in fitted else "error"] += 1
        else:
            q = q * scales[i]
        out[i], reason, was_clipped = guard(q, series[i], fallback, absurd=True)
        if reason is not None:
            repairs[reason] += 1
        clipped += int(was_clipped)
    repairs["clipped"] = clipped
    return Forecast(out, dict(repairs), info)
