"""A global demand model: one gradient-boosted model across all series.

Per-series models (a window mean, AutoETS, Croston) estimate each item's demand level from
its own few dozen observations. On slow, lumpy items (spare parts) that level is mostly
noise, and a safety stock sized on it protects the noise. A *global* model learns from all
items at once how the next periods' demand follows from an item's recent history (recent
means, how often it sold, how long since it last sold, its volume): the approach of the
strong entries of the M5 competition, here for the protection-period demand of a
replenishment policy.

:class:`GlobalDemandForecaster`

1. cuts every series' history at many forecast origins and describes each origin by
   scale-free features (recent means and spreads over several windows divided by the
   series' mean, exponentially weighted means of demand and of demand occurrence, the
   mean over the same stretch one season back and over the stretch before it, the share of
   periods with demand, periods since the last and since the first demand, the log of the
   series' mean);
2. fits a LightGBM regressor with the Poisson loss to the demand of the next ``horizon``
   periods (divided by the series' mean, weighted by it, so the loss is the Poisson
   deviance in units);
3. fits a second LightGBM model to the squared out-of-sample errors of the first (rolling
   origin: the later origins forecast by models fitted on the earlier ones only): the
   variance of the forecast error, which holds the demand's own noise, the model's error in
   the level and what changed over time;
4. gives each series' protection-period demand exactly, with that mean and variance per
   period and periods independent: negative binomial for demand in whole units (Poisson
   where the variance is not above the mean; sums of i.i.d. negative binomials are negative
   binomial), gamma otherwise, mixed over the lead-time distribution
   (:meth:`~GlobalDemandForecaster.protection`). No Monte Carlo noise in the tails a high
   fill rate depends on. Sample paths with the same laws serve :meth:`predict`.

:meth:`~GlobalDemandForecaster.update` keeps both models and recomputes the features from
the newer observations (a rolling re-plan does not re-estimate).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.demand import DiscreteDistribution, ProtectionDemand
from supplymind.inventory.forecast import (
    _check_horizon,
    _negative_binomial,
    _PathForecaster,
)
from supplymind.inventory.frames import season_length
from supplymind.inventory.params import LeadTime

__all__ = ["GlobalDemandForecaster"]

FloatArray = npt.NDArray[np.float64]

#: Windows (periods) of the recent-mean features; windows of 1, 2 and 4 horizons are added.
_MEAN_WINDOWS = (1, 2, 3, 6, 12, 24, 52)
#: Windows of the demand-frequency and spread features.
_SPREAD_WINDOWS = (6, 12, 24)
#: Smoothing constants of the exponentially weighted demand and demand-occurrence features.
_EWMA_ALPHAS = (0.1, 0.25, 0.5)
#: Probability left out of an exact discrete law's upper tail.
_TAIL = 1e-10
#: Largest support of an exact discrete law; above it (and for gamma demand) the law is
#: represented by this many equally likely quantiles.
_MAX_SUPPORT = 20_000
_QUANTILE_POINTS = 2_000
#: Guard against dividing by a zero scale or mean.
_TINY = 1e-9


def _positive_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InventoryInputError(f"{name}: expected an integer >= {minimum}, found {value!r}")
    return value


def _ewma(matrix: FloatArray, alpha: float) -> FloatArray:
    """Exponentially weighted mean of each row's observed values (NaN skipped; it starts at
    the first observation; NaN where a row has none)."""
    level = np.full(matrix.shape[0], np.nan)
    for j in range(matrix.shape[1]):
        y = matrix[:, j]
        seen = ~np.isnan(y)
        start = seen & np.isnan(level)
        level = np.where(start, y, level)
        step = seen & ~start
        level = np.where(step, level + alpha * (y - level), level)
    return level


def _period_sum(
    mean: float, var: float, periods: int, whole: bool
) -> tuple[FloatArray, FloatArray]:
    """Support and probabilities of the demand of ``periods`` i.i.d. periods with the given
    mean and variance per period."""
    if periods == 0 or mean <= _TINY:
        return np.zeros(1), np.ones(1)
    total = periods * mean
    law: Any
    if whole:
        if var <= mean * (1 + 1e-9):
            law = stats.poisson(total)
        else:
            p = mean / var
            law = stats.nbinom(periods * mean * p / (1 - p), p)
        upper = int(law.isf(_TAIL)) + 1
        if upper <= _MAX_SUPPORT:
            support = np.arange(upper + 1, dtype=np.float64)
            return support, np.asarray(law.pmf(support), dtype=np.float64)
    else:
        var = max(var, _TINY)
        law = stats.gamma(periods * mean**2 / var, scale=var / mean)
    points = law.ppf((np.arange(_QUANTILE_POINTS) + 0.5) / _QUANTILE_POINTS)
    if whole:
        points = np.ceil(points - 1e-9)
    return np.asarray(points, dtype=np.float64), np.full(_QUANTILE_POINTS, 1.0 / _QUANTILE_POINTS)


def _mixture(parts: list[tuple[float, FloatArray, FloatArray]]) -> DiscreteDistribution:
    """The mixture of discrete laws ``(weight, support, probabilities)``."""
    values = np.concatenate([v for _, v, _ in parts])
    probs = np.concatenate([w * p for w, _, p in parts])
    support, inverse = np.unique(values, return_inverse=True)
    return DiscreteDistribution(support, np.bincount(inverse, weights=probs).astype(np.float64))


class GlobalDemandForecaster(_PathForecaster):
    """One LightGBM model of the next ``horizon`` periods' demand across all series, and
    one of its error variance; sample paths from both.

    Parameters
    ----------
    horizon
        Periods whose demand is forecast (the longest lead time + review period).
    min_history
        Observed periods a series needs before a forecast origin to give a training row.
    max_origins
        Most recent forecast origins per series used for training (bounds the rows); at
        least a whole season plus the horizon, so the errors see every time of the year.
    folds
        Item folds for the out-of-fold errors of the variance model.
    n_estimators, learning_rate, num_leaves, min_child_samples
        LightGBM settings of both models.
    seed
        Seed of the folds and of LightGBM's row and feature sampling.
    n_jobs
        LightGBM threads (results are the same for any number: ``deterministic=True``).
    error_folds
        How the variance model's errors are kept out of sample: ``"time"`` (rolling origin:
        later blocks of origins forecast by models fitted on earlier ones; falls back to
        ``"items"`` when the history is too short) or ``"items"`` (folds of series).
    """

    def __init__(
        self,
        horizon: int = 1,
        *,
        min_history: int = 12,
        max_origins: int = 36,
        folds: int = 4,
        n_estimators: int = 300,
        learning_rate: float = 0.03,
        num_leaves: int = 15,
        min_child_samples: int = 50,
        seed: int = 0,
        n_jobs: int = 1,
        error_folds: str = "time",
    ) -> None:
        super().__init__(None)
        _check_horizon(horizon)
        self.horizon = horizon
        self.min_history = _positive_int("min_history", min_history, 1)
        self.max_origins = _positive_int("max_origins", max_origins, 1)
        self.folds = _positive_int("folds", folds, 2)
        self.n_estimators = _positive_int("n_estimators", n_estimators, 1)
        self.num_leaves = _positive_int("num_leaves", num_leaves, 2)
        self.min_child_samples = _positive_int("min_child_samples", min_child_samples, 1)
        if not 0.0 < learning_rate <= 1.0:
            raise InventoryInputError(
                f"learning_rate: expected a number in (0, 1], found {learning_rate!r}"
            )
        self.learning_rate = float(learning_rate)
        self.seed = seed
        self.n_jobs = _positive_int("n_jobs", n_jobs, 1)
        if error_folds not in ("time", "items"):
            raise InventoryInputError(
                f"error_folds: expected 'time' or 'items', found {error_folds!r}"
            )
        self.error_folds = error_folds

    # -- data ---------------------------------------------------------------------------

    def _matrix(self) -> tuple[list[str], FloatArray]:
        """Series' observed values, right-aligned (the last observation in the last column),
        NaN before a series' first observation."""
        keys = list(self.values_)
        width = max(v.size for v in self.values_.values())
        out = np.full((len(keys), width), np.nan)
        for i, key in enumerate(keys):
            y = self.values_[key]
            out[i, width - y.size :] = y
        return keys, out

    def _features(self, matrix: FloatArray, t: int) -> tuple[FloatArray, FloatArray]:
        """Features of every series at origin ``t`` (columns ``< t`` observed) and its scale
        (the mean of its observations so far; 1 where that is 0 or absent)."""
        past = matrix[:, :t]
        seen = ~np.isnan(past)
        filled = np.where(seen, past, 0.0)
        count = seen.sum(axis=1)
        mean_all = filled.sum(axis=1) / np.maximum(count, 1)
        scale = np.where(mean_all > _TINY, mean_all, 1.0)
        cols: list[FloatArray] = []
        windows = sorted({*_MEAN_WINDOWS, self.horizon, 2 * self.horizon, 4 * self.horizon})
        for k in windows:
            seen_k, filled_k = seen[:, -k:], filled[:, -k:]
            n_k = seen_k.sum(axis=1)
            avg = np.where(n_k > 0, filled_k.sum(axis=1) / np.maximum(n_k, 1), np.nan)
            cols.append(avg / scale)
        for k in _SPREAD_WINDOWS:
            seen_k, filled_k = seen[:, -k:], filled[:, -k:]
            n_k = np.maximum(seen_k.sum(axis=1), 1)
            m_k = filled_k.sum(axis=1) / n_k
            var_k = np.where(seen_k, (filled_k - m_k[:, None]) ** 2, 0.0).sum(axis=1) / n_k
            cols.append(((filled_k > 0) & seen_k).sum(axis=1) / n_k)
            cols.append(np.sqrt(var_k) / scale)
        # the same stretch one season (or whole seasons) back, and the stretch before it
        lag = self.season_ * -(-self.horizon // self.season_) if self.season_ > 1 else 0
        for lo, hi in ((t - lag, t - lag + self.horizon), (t - lag - self.horizon, t - lag)):
            if lag and lo >= 0:
                seen_k, filled_k = seen[:, lo:hi], filled[:, lo:hi]
                n_k = seen_k.sum(axis=1)
                avg = np.where(n_k > 0, filled_k.sum(axis=1) / np.maximum(n_k, 1), np.nan)
                cols.append(avg / scale)
            else:
                cols.append(np.full(matrix.shape[0], np.nan))
        sold = (filled > 0) & seen
        for alpha in _EWMA_ALPHAS:
            level, occur = _ewma(past, alpha), _ewma(np.where(seen, sold, np.nan), alpha)
            cols += [level / scale, occur]
        any_sold = sold.any(axis=1)
        since_last = np.where(any_sold, np.argmax(sold[:, ::-1], axis=1), count)
        first_col = np.argmax(sold, axis=1)
        since_first = np.where(any_sold, t - first_col, 0)
        cols += [
            since_last.astype(np.float64),
            since_first / np.maximum(count, 1),
            count.astype(np.float64),
            np.log1p(np.maximum(mean_all, 0.0)),
        ]
        return np.column_stack(cols), scale

    def _training_rows(
        self, matrix: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Features, scaled target, weight, series index and origin of every usable row."""
        h = self.horizon
        width = matrix.shape[1]
        observed = np.cumsum(~np.isnan(matrix), axis=1)
        xs, ys, ws, items, origins = [], [], [], [], []
        # at least a whole season of origins, so that the errors see every time of the year
        span = max(self.max_origins, self.season_ + h) if self.season_ > 1 else self.max_origins
        first = max(1, width - h - span + 1)
        for t in range(first, width - h + 1):
            ahead = matrix[:, t : t + h]
            ok = (observed[:, t - 1] >= self.min_history) & ~np.isnan(ahead).any(axis=1)
            if not ok.any():
                continue
            x, scale = self._features(matrix, t)
            xs.append(x[ok])
            ys.append(ahead[ok].sum(axis=1) / (h * scale[ok]))
            ws.append(scale[ok])
            items.append(np.flatnonzero(ok))
            origins.append(np.full(int(ok.sum()), t))
        if not xs:
            raise InventoryInputError(
                f"history: the global demand model needs series with at least min_history + "
                f"horizon = {self.min_history + h} observed periods, found at most "
                f"{int(observed[:, -1].max())}"
            )
        weight = np.concatenate(ws)
        return (
            np.concatenate(xs),
            np.maximum(np.concatenate(ys), 0.0),
            weight / weight.mean(),
            np.concatenate(items).astype(np.int64),
            np.concatenate(origins).astype(np.int64),
        )

    # -- models -------------------------------------------------------------------------

    def _regressor(self) -> Any:
        import lightgbm as lgb

        return lgb.LGBMRegressor(
            objective="poisson",
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            random_state=self.seed,
            n_jobs=self.n_jobs,
            deterministic=True,
            force_row_wise=True,
            verbose=-1,
        )

    def _out_of_sample(
        self,
        x: FloatArray,
        y: FloatArray,
        w: FloatArray,
        items: npt.NDArray[np.int64],
        origins: npt.NDArray[np.int64],
    ) -> FloatArray:
        """Out-of-sample forecasts of the training rows (NaN where there is none)."""
        oof = np.full_like(y, np.nan)
        if self.error_folds == "time":
            # Rolling origin: the origins are cut into ``folds`` blocks in time order; each
            # block of the later half is forecast by a model fitted on the rows whose targets
            # ended before the block starts. The errors then include what changes over time
            # (common shocks, drift), which errors across items of the same periods miss.
            stamps = np.unique(origins)
            blocks = np.array_split(stamps, min(self.folds, stamps.size))
            for block in blocks[len(blocks) // 2 :]:
                inside = np.isin(origins, block)
                before = origins + self.horizon <= block[0]
                if before.sum() < 2 * self.min_child_samples:
                    continue
                model = self._regressor().fit(x[before], y[before], sample_weight=w[before])
                oof[inside] = model.predict(x[inside])
            if not np.isnan(oof).all():
                return oof
        # Across items (also the fallback of a history too short for time blocks): each fold
        # of series is forecast by a model fitted on the other series.
        n_series = int(items.max()) + 1
        if np.unique(items).size < 2:
            raise InventoryInputError(
                "history: the global demand model measures its errors out of sample, on later "
                "origins or on other series; found one series with too few origins "
                f"({np.unique(origins).size}) for time blocks"
            )
        order = np.random.default_rng(self.seed).permutation(n_series)
        fold_of = np.empty(n_series, dtype=np.int64)
        fold_of[order] = np.arange(n_series) % self.folds
        fold = fold_of[items]
        for f in np.unique(fold):
            inside = fold == f
            if inside.all():
                continue
            model = self._regressor().fit(x[~inside], y[~inside], sample_weight=w[~inside])
            oof[inside] = model.predict(x[inside])
        return oof

    def fit(self, history: pd.DataFrame) -> Self:
        """Fit the mean and error-variance models on every series' history."""
        self._store(history)
        self.season_ = season_length(self.freq_)
        _, matrix = self._matrix()
        x, y, w, items, origins = self._training_rows(matrix)
        oof = self._out_of_sample(x, y, w, items, origins)
        has = ~np.isnan(oof)
        self.mean_model_ = self._regressor().fit(x, y, sample_weight=w)
        self.var_model_ = self._regressor().fit(
            np.column_stack([x[has], oof[has]]), (y[has] - oof[has]) ** 2, sample_weight=w[has]
        )
        self.n_training_rows_ = int(y.size)
        return self

    def update(self, history: pd.DataFrame) -> Self:
        """Take in newer observations of the same series; both models keep their trees."""
        known = set(self.values_)
        self._store(history)
        new = sorted(set(self.values_) - known)
        if new:
            raise InventoryInputError(
                f"history: update expected the fitted series only, found new ones {new[:10]}"
            )
        return self

    def moments(self) -> dict[str, tuple[float, float]]:
        """Per series: expected demand per period and the variance of one period's demand
        (the forecast-error variance of the ``horizon``-period total, spread evenly)."""
        if not hasattr(self, "mean_model_"):
            raise InventoryInputError("global demand model: not fitted; call fit() first")
        keys, matrix = self._matrix()
        x, scale = self._features(matrix, matrix.shape[1])
        mean = np.maximum(self.mean_model_.predict(x), 0.0)
        var_scaled = np.maximum(self.var_model_.predict(np.column_stack([x, mean])), 0.0)
        h = self.horizon
        per_period_mean = mean * scale
        per_period_var = var_scaled * scale**2 * h
        return {
            key: (float(per_period_mean[i]), float(per_period_var[i])) for i, key in enumerate(keys)
        }

    def protection(
        self,
        key: str,
        lead_time: LeadTime,
        review_period: int,
        *,
        whole_units: bool | None = None,
        moments: tuple[float, float] | None = None,
    ) -> ProtectionDemand:
        """Exact protection-period and lead-time demand of series ``key``.

        Parameters
        ----------
        key
            Series id.
        lead_time
            Lead-time distribution (the laws are mixed over its values).
        review_period
            Periods between reviews.
        whole_units
            Demand in whole units (negative binomial) or not (gamma); default: whether the
            series' history is.
        moments
            ``(mean, variance)`` per period, default :meth:`moments` of ``key`` (pass them
            when planning many series: :meth:`moments` predicts all series at once).
        """
        if key not in self.values_:
            raise InventoryInputError(f"series: expected a fitted series id, found {key!r}")
        mean, var = moments if moments is not None else self.moments()[key]
        whole = (
            bool(np.all(self.values_[key] == np.round(self.values_[key])))
            if whole_units is None
            else whole_units
        )
        pairs = list(zip(lead_time.values, lead_time.probabilities, strict=True))
        protection = _mixture(
            [(w, *_period_sum(mean, var, lead + review_period, whole)) for lead, w in pairs]
        )
        lead = _mixture([(w, *_period_sum(mean, var, lead, whole)) for lead, w in pairs])
        return ProtectionDemand(
            protection,
            lead,
            float(mean),
            review_period,
            source="global LightGBM, negative binomial" if whole else "global LightGBM, gamma",
            whole_units=whole,
        )

    def sample_paths(self, horizon: int, n_paths: int, *, seed: int = 0) -> dict[str, FloatArray]:
        """I.i.d. per-period draws with each series' mean and variance: negative binomial
        (Poisson when not overdispersed) for whole-unit series, gamma otherwise."""
        _check_horizon(horizon)
        rng = np.random.default_rng(seed)
        out = {}
        for key, (mean, var) in self.moments().items():
            size = (n_paths, horizon)
            if mean <= _TINY:
                out[key] = np.zeros(size)
            elif np.all(self.values_[key] == np.round(self.values_[key])):
                out[key] = _negative_binomial(rng, mean, var, size)
            else:
                var = max(var, _TINY)
                out[key] = rng.gamma(mean**2 / var, var / mean, size)
        return out
