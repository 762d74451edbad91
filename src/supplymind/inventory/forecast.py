"""A small quantile-forecast interface, a statsforecast-backed forecaster and the
empirical-quantile baseline.

The interface is the future Forecaster's contract: ``fit(history) -> self`` on the long
table ``item_id, timestamp, target``, then ``predict(horizon, quantiles=...)`` returns a
long table ``item_id, timestamp, mean, "0.01", ..., "0.99"`` (one column per quantile,
named by its level). Forecasters that can simulate also offer ``sample_paths``, which
inventory prefers: sums over the protection period come straight from the paths.

- :class:`EmpiricalQuantileForecaster`: the empirical distribution of the last ``window``
  observations held flat (PITFALLS: a strong baseline on noisy and intermittent demand);
  its paths are an i.i.d. bootstrap of those observations.
- :class:`StatsForecastQuantileForecaster`: per series, AutoETS for smooth series (paths =
  its mean forecast plus a bootstrap of its recent one-step errors, or statsforecast's own
  ``simulate``; guarded against failed fits and absurd paths), negative-binomial paths
  matched to the recent moments for intermittent (average demand interval above 1.32,
  Syntetos-Boylan) or short series.

Both can ``update`` on newer data without re-estimating (for rolling re-plans).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.tseries.frequencies import to_offset

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.frames import ID_COL, TARGET_COL, TIME_COL, infer_frequency, season_length

__all__ = [
    "DEFAULT_QUANTILES",
    "EmpiricalQuantileForecaster",
    "QuantileForecaster",
    "SampleForecaster",
    "StatsForecastQuantileForecaster",
    "default_window",
    "is_intermittent",
    "quantile_name",
]

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]

DEFAULT_QUANTILES: tuple[float, ...] = (
    0.01,
    0.025,
    0.05,
    0.1,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.9,
    0.95,
    0.975,
    0.99,
)
# Syntetos-Boylan: an average inter-demand interval above 1.32 periods is intermittent.
_ADI_CUTOFF = 1.32
_MIN_ETS_OBS = 16


class QuantileForecaster(Protocol):
    """Fit on a long demand table, predict quantiles in the Forecaster's format."""

    def fit(self, history: pd.DataFrame) -> Self:
        """Fit on ``item_id, timestamp, target`` (missing targets ignored)."""
        ...

    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pd.DataFrame:
        """``item_id, timestamp, mean`` and one column per quantile, ``horizon`` rows per
        series."""
        ...


class SampleForecaster(QuantileForecaster, Protocol):
    """A quantile forecaster that can also draw joint sample paths."""

    def sample_paths(self, horizon: int, n_paths: int, *, seed: int = 0) -> dict[str, FloatArray]:
        """Paths ``(n_paths, horizon)`` per series id."""
        ...


def quantile_name(level: float) -> str:
    """Column name of a quantile level: ``0.1 -> "0.1"``, ``0.025 -> "0.025"``."""
    return f"{level:g}"


def is_intermittent(values: npt.ArrayLike) -> bool:
    """Whether the average interval between non-zero demands exceeds 1.32 periods."""
    y = np.asarray(values, dtype=np.float64)
    nonzero = int(np.count_nonzero(y > 0))
    return nonzero == 0 or y.size / nonzero > _ADI_CUTOFF


def default_window(period_days: float) -> int:
    """Observations in the empirical window: 26 weeks for daily and weekly data, 24 months,
    8 quarters, else 8 periods at least."""
    if period_days < 28:
        return max(8, round(182 / period_days))
    if period_days < 89:
        return 24
    return 8


def _check_quantiles(quantiles: Sequence[float]) -> list[float]:
    levels = [float(q) for q in quantiles]
    if not levels or any(not 0.0 < q < 1.0 for q in levels):
        raise InventoryInputError(f"quantiles: expected levels in (0, 1), found {list(quantiles)}")
    return sorted(set(levels))


def _check_horizon(horizon: int) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise InventoryInputError(f"horizon: expected whole periods >= 1, found {horizon!r}")


class _SeriesForecaster:
    """Shared state: each series' observed values, its last timestamp and the frequency."""

    def __init__(self, window: int | None = None) -> None:
        if window is not None and (not isinstance(window, int) or window < 2):
            raise InventoryInputError(f"window: expected an integer >= 2 or None, found {window!r}")
        self.window = window

    def _store(self, history: pd.DataFrame) -> None:
        missing = [c for c in (ID_COL, TIME_COL, TARGET_COL) if c not in history.columns]
        if missing:
            raise InventoryInputError(
                f"history: expected the columns {[ID_COL, TIME_COL, TARGET_COL]}, missing {missing}"
            )
        frame = history.dropna(subset=[TARGET_COL]).sort_values([ID_COL, TIME_COL], kind="stable")
        if frame.empty:
            raise InventoryInputError("history: expected observed demand, found only empty targets")
        self.freq_, self.period_days_ = infer_frequency(frame[TIME_COL])
        self.window_ = self.window or default_window(self.period_days_)
        self.values_: dict[str, FloatArray] = {}
        for key, group in frame.groupby(ID_COL, sort=False):
            self.values_[str(key)] = group[TARGET_COL].to_numpy(np.float64)
        # Forecasts start after the last period of the history, observed or not.
        last = history.groupby(history[ID_COL].astype(str))[TIME_COL].max()
        self.last_: dict[str, pd.Timestamp] = {k: pd.Timestamp(last[k]) for k in self.values_}
        all_ids = history[ID_COL].astype(str).unique()
        empty = [i for i in all_ids if i not in self.values_]
        if empty:
            raise InventoryInputError(
                f"history: expected observed demand for every series, found none for {empty[:10]}"
            )

    def recent(self, key: str) -> FloatArray:
        """The last ``window`` observations of series ``key``."""
        return self.values_[key][-self.window_ :]

    def _frame(
        self, horizon: int, levels: list[float], stats: dict[str, tuple[FloatArray, FloatArray]]
    ) -> pd.DataFrame:
        offset = to_offset(self.freq_)
        parts = []
        for key, (mean, qs) in stats.items():
            stamps = pd.date_range(self.last_[key], periods=horizon + 1, freq=offset)[1:]
            part = pd.DataFrame({ID_COL: key, TIME_COL: stamps, "mean": mean})
            for j, level in enumerate(levels):
                part[quantile_name(level)] = qs[:, j]
            parts.append(part)
        return pd.concat(parts, ignore_index=True)


class EmpiricalQuantileForecaster(_SeriesForecaster):
    """Empirical quantiles of the last ``window`` observations, held flat.

    Parameters
    ----------
    window
        Observations per series; default :func:`default_window` of the frequency.
    """

    def fit(self, history: pd.DataFrame) -> Self:
        """Keep each series' recent observations."""
        self._store(history)
        return self

    def update(self, history: pd.DataFrame) -> Self:
        """Take in newer observations (the same as :meth:`fit` for this model)."""
        return self.fit(history)

    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pd.DataFrame:
        """Flat empirical quantiles and mean for ``horizon`` periods."""
        _check_horizon(horizon)
        levels = _check_quantiles(quantiles)
        stats = {}
        for key in self.values_:
            recent = self.recent(key)
            qs = np.quantile(recent, levels)
            stats[key] = (np.full(horizon, recent.mean()), np.tile(qs, (horizon, 1)))
        return self._frame(horizon, levels, stats)

    def sample_paths(self, horizon: int, n_paths: int, *, seed: int = 0) -> dict[str, FloatArray]:
        """An i.i.d. bootstrap of each series' recent observations."""
        _check_horizon(horizon)
        rng = np.random.default_rng(seed)
        return {
            key: np.asarray(rng.choice(self.recent(key), size=(n_paths, horizon)))
            for key in self.values_
        }


class _PathForecaster(_SeriesForecaster):
    """A forecaster whose quantiles are those of its sample paths."""

    def sample_paths(self, horizon: int, n_paths: int, *, seed: int = 0) -> dict[str, FloatArray]:
        raise NotImplementedError

    def predict(
        self,
        horizon: int,
        quantiles: Sequence[float] = DEFAULT_QUANTILES,
        *,
        n_paths: int = 2000,
        seed: int = 0,
    ) -> pd.DataFrame:
        """Quantiles and mean of ``n_paths`` sample paths per step."""
        levels = _check_quantiles(quantiles)
        paths = self.sample_paths(horizon, n_paths, seed=seed)
        stats = {
            key: (p.mean(axis=0), np.quantile(p, levels, axis=0).T) for key, p in paths.items()
        }
        return self._frame(horizon, levels, stats)


class StatsForecastQuantileForecaster(_PathForecaster):
    """AutoETS paths for smooth series, negative-binomial paths for intermittent or short
    ones.

    Intermittent series (average demand interval above 1.32 periods in the recent window)
    and series shorter than 16 observations get i.i.d. negative-binomial paths whose mean
    and variance per period are the larger of those of the recent window and of its last
    quarter (so a part whose demand is picking up is not planned on its quiet past); a
    variance at or below the mean gives Poisson paths. The others get AutoETS paths: by
    default its mean forecast plus errors drawn from its last ``window`` one-step in-sample
    errors (``paths="residuals"``), or statsforecast's ``simulate`` (``"simulate"``; on the
    weekly jewelry data its multi-step spread was wider than the demand turned out to be).
    Guards: a failed fit, non-finite paths or paths whose 99th percentile exceeds
    ``guard_ratio`` times the largest recent observation fall back to the negative binomial.
    Negative demand is set to 0.

    Parameters
    ----------
    method
        ``"auto"`` (as above) or ``"ets"`` (AutoETS wherever it fits, e.g. for the
        normal-approximation baseline).
    season_length
        Seasonal period; default from the frequency (AutoETS allows at most 24, beyond that
        the model is non-seasonal).
    window
        Recent observations for the intermittent model; default :func:`default_window`.
    guard_ratio
        Paths whose 99th percentile is above this many times the largest recent observation
        are discarded.
    error_distribution
        Errors of the simulated paths (statsforecast ``simulate``: ``"normal"``,
        ``"bootstrap"``, ``"t"``...); default the fitted model's.
    ets_model
        AutoETS model string (error, trend, season; ``Z`` chooses): ``"ZZZ"`` searches all.
    paths
        ``"residuals"`` (mean + bootstrapped one-step errors) or ``"simulate"``.
    on_progress
        Called with ``(done, total)`` while fitting.
    """

    def __init__(
        self,
        method: Literal["auto", "ets"] = "auto",
        *,
        season_length: int | None = None,
        window: int | None = None,
        guard_ratio: float = 3.0,
        error_distribution: str | None = None,
        ets_model: str = "ZZZ",
        paths: Literal["residuals", "simulate"] = "residuals",
        on_progress: Progress | None = None,
    ) -> None:
        super().__init__(window)
        if method not in ("auto", "ets"):
            raise InventoryInputError(f"method: expected 'auto' or 'ets', found {method!r}")
        if not guard_ratio > 1:
            raise InventoryInputError(f"guard_ratio: expected a number > 1, found {guard_ratio!r}")
        self.method = method
        self.season_length = season_length
        self.guard_ratio = guard_ratio
        self.error_distribution = error_distribution
        self.ets_model = ets_model
        if paths not in ("residuals", "simulate"):
            raise InventoryInputError(f"paths: expected 'residuals' or 'simulate', found {paths!r}")
        self.paths = paths
        self.on_progress = on_progress

    def fit(self, history: pd.DataFrame) -> Self:
        """Fit AutoETS to each series that should have it."""
        from statsforecast.models import AutoETS

        self._store(history)
        m = self.season_length or season_length(self.freq_)
        self.models_: dict[str, dict[str, Any]] = {}
        self.method_: dict[str, str] = {}
        total = len(self.values_)
        for done, (key, y) in enumerate(self.values_.items(), start=1):
            self.method_[key] = "negative binomial"
            short = y.size < _MIN_ETS_OBS
            if not short and (self.method == "ets" or not is_intermittent(self.recent(key))):
                season = m if 1 < m <= 24 and y.size >= 2 * m + 2 else 1
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        model = AutoETS(season_length=season, model=self.ets_model).fit(y)
                    if np.all(np.isfinite(model.model_["fitted"])):
                        self.models_[key] = model.model_
                        self.method_[key] = f"AutoETS {model.model_['method']}"
                except Exception:
                    self.method_[key] = "negative binomial (ETS fit failed)"
            if self.on_progress is not None:
                self.on_progress(done, total)
        return self

    def update(self, history: pd.DataFrame) -> Self:
        """Take in newer observations of the same series without re-estimating: AutoETS
        keeps its parameters and runs its states over the new data (statsforecast
        ``forward``)."""
        from statsforecast.ets import forward_ets

        known = set(self.values_)
        window = self.window_
        self._store(history)
        self.window_ = window
        new = sorted(set(self.values_) - known)
        if new:
            raise InventoryInputError(
                f"history: update expected the fitted series only, found new ones {new[:10]}"
            )
        for key, mod in list(self.models_.items()):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self.models_[key] = forward_ets(mod, y=self.values_[key])  # type: ignore[no-untyped-call]
            except Exception:
                del self.models_[key]
                self.method_[key] = "negative binomial (ETS update failed)"
        return self

    def _moments(self, key: str) -> tuple[float, float]:
        recent = self.recent(key)
        short = recent[-max(3, recent.size // 4) :]
        mean = max(float(recent.mean()), float(short.mean()))
        var = max(
            float(np.var(recent, ddof=1)) if recent.size > 1 else 0.0,
            float(np.var(short, ddof=1)) if short.size > 1 else 0.0,
        )
        return mean, var

    def residual_sd(self, key: str) -> float:
        """Standard deviation of the one-step in-sample errors (AutoETS), or of the recent
        observations for series without a model."""
        mod = self.models_.get(key)
        y = self.values_[key]
        if mod is None:
            recent = self.recent(key)
            return float(np.std(recent, ddof=1)) if recent.size > 1 else 0.0
        errors = y - np.asarray(mod["fitted"], dtype=np.float64)
        errors = errors[np.isfinite(errors)]
        return float(np.std(errors, ddof=1)) if errors.size > 1 else 0.0

    def point_forecast(self, horizon: int) -> dict[str, FloatArray]:
        """AutoETS mean forecasts (floored at 0); the recent mean for the other series."""
        from statsforecast.ets import forecast_ets

        _check_horizon(horizon)
        out = {}
        for key in self.values_:
            mod = self.models_.get(key)
            mean = np.full(horizon, self.recent(key).mean())
            if mod is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fc = np.asarray(forecast_ets(mod, h=horizon)["mean"], dtype=np.float64)  # type: ignore[no-untyped-call]
                if np.all(np.isfinite(fc)):
                    mean = fc
            out[key] = np.maximum(mean, 0.0)
        return out

    def _residual_paths(
        self, key: str, horizon: int, n_paths: int, rng: np.random.Generator
    ) -> FloatArray | None:
        from statsforecast.ets import forecast_ets

        mod = self.models_[key]
        y = self.values_[key]
        errors = (y - np.asarray(mod["fitted"], dtype=np.float64))[-self.window_ :]
        errors = errors[np.isfinite(errors)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean = np.asarray(forecast_ets(mod, h=horizon)["mean"], dtype=np.float64)  # type: ignore[no-untyped-call]
        if errors.size < 2 or not np.all(np.isfinite(mean)):
            return None
        return np.asarray(mean[None, :] + rng.choice(errors, size=(n_paths, horizon)))

    def _ets_paths(self, key: str, horizon: int, n_paths: int, seed: int) -> FloatArray | None:
        from statsforecast.ets import simulate_ets

        mod = self.models_[key]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                paths = np.asarray(
                    simulate_ets(  # type: ignore[no-untyped-call]
                        model=mod,
                        h=horizon,
                        n_paths=n_paths,
                        seed=seed,
                        error_distribution=self.error_distribution
                        or mod.get("distribution", "normal"),
                    ),
                    dtype=np.float64,
                )
        except Exception:
            return None
        return paths

    def _sane(self, key: str, paths: FloatArray | None) -> bool:
        """Finite paths whose 99th percentile stays within ``guard_ratio`` times the largest
        recent observation."""
        if paths is None or not np.all(np.isfinite(paths)):
            return False
        limit = self.guard_ratio * max(float(self.recent(key).max()), 1e-9)
        return bool(np.quantile(paths, 0.99) <= limit)

    def sample_paths(self, horizon: int, n_paths: int, *, seed: int = 0) -> dict[str, FloatArray]:
        """AutoETS paths (guarded) or negative-binomial paths, per series."""
        _check_horizon(horizon)
        rng = np.random.default_rng(seed)
        out = {}
        for i, key in enumerate(self.values_):
            paths = None
            if key in self.models_:
                if self.paths == "residuals":
                    paths = self._residual_paths(key, horizon, n_paths, rng)
                else:
                    paths = self._ets_paths(key, horizon, n_paths, seed + i)
                if not self._sane(key, paths):
                    self.method_[key] = "negative binomial (ETS paths guarded)"
                    paths = None
            if paths is None:
                mean, var = self._moments(key)
                paths = _negative_binomial(rng, mean, var, (n_paths, horizon))
            out[key] = np.maximum(paths, 0.0)
        return out


def _negative_binomial(
    rng: np.random.Generator, mean: float, var: float, size: tuple[int, int]
) -> FloatArray:
    """Draws with the given mean and variance: negative binomial when overdispersed,
    Poisson otherwise (0 for a zero mean)."""
    if mean <= 0:
        return np.zeros(size)
    if var <= mean * (1 + 1e-9):
        return np.asarray(rng.poisson(mean, size), dtype=np.float64)
    p = mean / var
    return np.asarray(rng.negative_binomial(mean * p / (1 - p), p, size), dtype=np.float64)
