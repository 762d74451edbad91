"""Demand over the protection period (lead time + review period) as a distribution.

A replenishment decision must cover the demand until the next order can arrive: the lead
time ``L`` plus the review period ``R``. This module builds that demand's distribution

- from sample paths of per-period demand (a forecaster's simulations, or a bootstrap of the
  history): each path is summed over its own ``L + R`` periods, with ``L`` drawn from the
  lead-time distribution, so sums are aggregated properly instead of adding quantiles;
- from per-period forecast quantiles (the ``item_id, timestamp, mean, "0.1", ...`` format):
  paths are drawn from each period's quantile function, joined by a Gaussian copula with an
  equicorrelation ``rho`` (0: independent periods, i.e. a convolution);
- with the classic normal approximation, ``mean = (E[L] + R) mu`` and
  ``var = (E[L] + R) sigma^2 + mu^2 Var[L]``, the baseline.

Every distribution offers the mean, quantiles and the loss function ``E[(D - x)+]`` that a
fill-rate target needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import stats

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.params import LeadTime

__all__ = [
    "DemandDistribution",
    "DiscreteDistribution",
    "NormalDistribution",
    "ProtectionDemand",
    "normal_protection",
    "paths_from_quantiles",
    "protection_from_paths",
]

FloatArray = npt.NDArray[np.float64]


class DemandDistribution(Protocol):
    """What a policy needs from a demand distribution."""

    @property
    def mean(self) -> float:
        """Expected demand."""
        ...

    @property
    def std(self) -> float:
        """Standard deviation of demand."""
        ...

    @property
    def is_integer(self) -> bool:
        """Whether demand only takes whole values."""
        ...

    def cdf(self, x: npt.ArrayLike) -> FloatArray:
        """``P(D <= x)``."""
        ...

    def quantile(self, p: float) -> float:
        """The smallest ``x`` with ``P(D <= x) >= p``."""
        ...

    def loss(self, x: npt.ArrayLike) -> FloatArray:
        """Expected shortage ``E[(D - x)+]``."""
        ...

    def grid(self) -> FloatArray:
        """Increasing points between which :meth:`loss` is (close to) linear."""
        ...


@dataclass(frozen=True, eq=False)
class DiscreteDistribution:
    """Demand taking ``values`` with ``probabilities``: an empirical or exact discrete law.

    Parameters
    ----------
    values
        Support points in increasing order.
    probabilities
        Their probabilities (summing to 1).
    """

    values: FloatArray
    probabilities: FloatArray
    _cdf: FloatArray = field(init=False, repr=False)
    _tail_value: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float64)
        probs = np.asarray(self.probabilities, dtype=np.float64)
        if values.ndim != 1 or values.size == 0 or values.shape != probs.shape:
            raise InventoryInputError(
                "DiscreteDistribution: expected 1-d values and probabilities of equal, non-zero "
                f"length, found shapes {values.shape} and {probs.shape}"
            )
        if not (np.all(np.isfinite(values)) and np.all(np.isfinite(probs))):
            raise InventoryInputError("DiscreteDistribution: expected finite values, found NaN/inf")
        if np.any(np.diff(values) <= 0) or np.any(probs < 0) or probs.sum() <= 0:
            raise InventoryInputError(
                "DiscreteDistribution: expected increasing values and non-negative probabilities"
            )
        probs = probs / probs.sum()
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "probabilities", probs)
        object.__setattr__(self, "_cdf", np.minimum(np.cumsum(probs), 1.0))
        # _tail_value[i] = sum_{j >= i} p_j v_j, for the loss function.
        tail = np.concatenate([np.cumsum((probs * values)[::-1])[::-1], [0.0]])
        object.__setattr__(self, "_tail_value", tail)

    @classmethod
    def from_samples(cls, samples: npt.ArrayLike) -> DiscreteDistribution:
        """The empirical distribution of ``samples`` (equal weights)."""
        array = np.asarray(samples, dtype=np.float64).ravel()
        array = array[np.isfinite(array)]
        if array.size == 0:
            raise InventoryInputError(
                "demand samples: expected at least one finite value, found none"
            )
        values, counts = np.unique(array, return_counts=True)
        return cls(values, counts.astype(np.float64))

    @classmethod
    def poisson(cls, mean: float, *, tail: float = 1e-12) -> DiscreteDistribution:
        """Poisson demand, truncated where the tail is below ``tail``."""
        upper = int(stats.poisson.isf(tail, mean)) + 1
        values = np.arange(upper + 1, dtype=np.float64)
        return cls(values, stats.poisson.pmf(values, mean))

    @property
    def mean(self) -> float:
        """Expected demand."""
        return float(np.dot(self.values, self.probabilities))

    @property
    def std(self) -> float:
        """Standard deviation of demand."""
        return float(np.sqrt(max(np.dot(self.probabilities, (self.values - self.mean) ** 2), 0.0)))

    @property
    def is_integer(self) -> bool:
        """Whether every support point is a whole number."""
        return bool(np.all(self.values == np.round(self.values)))

    def cdf(self, x: npt.ArrayLike) -> FloatArray:
        """``P(D <= x)``."""
        idx = np.searchsorted(self.values, np.asarray(x, dtype=np.float64), side="right")
        return np.asarray(np.where(idx > 0, self._cdf[np.maximum(idx - 1, 0)], 0.0))

    def quantile(self, p: float) -> float:
        """The smallest support point with ``P(D <= x) >= p``."""
        idx = int(np.searchsorted(self._cdf, p - 1e-12, side="left"))
        return float(self.values[min(idx, self.values.size - 1)])

    def loss(self, x: npt.ArrayLike) -> FloatArray:
        """``E[(D - x)+]``, exact and piecewise linear in ``x``."""
        xs = np.asarray(x, dtype=np.float64)
        idx = np.searchsorted(self.values, xs, side="right")  # first support point > x
        above_mass = np.where(idx < self.values.size, 1.0 - self.cdf(xs), 0.0)
        return np.asarray(np.maximum(self._tail_value[idx] - xs * above_mass, 0.0))

    def grid(self) -> FloatArray:
        """The support points (the loss is linear between them), from 0."""
        return np.unique(np.concatenate([[min(0.0, self.values[0])], self.values]))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values."""
        return np.asarray(rng.choice(self.values, size=size, p=self.probabilities))


@dataclass(frozen=True)
class NormalDistribution:
    """Normal demand, the classic approximation (a zero ``sd`` is a point mass)."""

    mu: float
    sd: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.mu) and np.isfinite(self.sd)) or self.sd < 0:
            raise InventoryInputError(
                f"NormalDistribution: expected a finite mean and sd >= 0, found mean {self.mu!r}, "
                f"sd {self.sd!r}"
            )

    @property
    def mean(self) -> float:
        """Expected demand."""
        return float(self.mu)

    @property
    def std(self) -> float:
        """Standard deviation of demand."""
        return float(self.sd)

    @property
    def is_integer(self) -> bool:
        """A normal law is continuous."""
        return False

    def cdf(self, x: npt.ArrayLike) -> FloatArray:
        """``P(D <= x)``."""
        xs = np.asarray(x, dtype=np.float64)
        if self.sd == 0:
            return np.asarray((xs >= self.mu).astype(np.float64))
        return np.asarray(stats.norm.cdf(xs, self.mu, self.sd))

    def quantile(self, p: float) -> float:
        """``mu + z_p sd``."""
        return float(self.mu + (stats.norm.ppf(p) * self.sd if self.sd > 0 else 0.0))

    def loss(self, x: npt.ArrayLike) -> FloatArray:
        """``sd * G((x - mu) / sd)`` with the standard normal loss ``G``."""
        xs = np.asarray(x, dtype=np.float64)
        if self.sd == 0:
            return np.asarray(np.maximum(self.mu - xs, 0.0))
        z = (xs - self.mu) / self.sd
        return np.asarray(self.sd * (stats.norm.pdf(z) - z * stats.norm.sf(z)))

    def grid(self) -> FloatArray:
        """A fine grid over ``mu - 6 sd .. mu + 10 sd`` (steps of sd / 100)."""
        if self.sd == 0:
            return np.array([min(0.0, self.mu), self.mu])
        return np.asarray(self.mu + self.sd * np.linspace(-6.0, 10.0, 1601))


@dataclass(frozen=True)
class ProtectionDemand:
    """Demand an order must cover, for one item-location.

    Parameters
    ----------
    protection
        Demand over lead time + review period.
    lead
        Demand over the lead time alone (for the fill-rate formula's second term).
    period_mean
        Expected demand per period.
    review_period
        Periods between reviews.
    source
        How the distribution was made (``"bootstrap"``, ``"AutoETS paths"``, ``"normal"``...).
    whole_units
        Demand comes in whole units, so levels are rounded up to whole units.
    """

    protection: DemandDistribution
    lead: DemandDistribution
    period_mean: float
    review_period: int
    source: str = ""
    whole_units: bool = False

    @property
    def cycle_mean(self) -> float:
        """Expected demand in one review cycle, ``R * mu``."""
        return self.review_period * self.period_mean


def _draw_lead_times(
    lead_time: LeadTime, n: int, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    if lead_time.is_fixed:
        return np.full(n, lead_time.values[0], dtype=np.int64)
    return np.asarray(
        rng.choice(np.asarray(lead_time.values), size=n, p=np.asarray(lead_time.probabilities)),
        dtype=np.int64,
    )


def protection_from_paths(
    paths: npt.ArrayLike,
    lead_time: LeadTime,
    review_period: int,
    *,
    rng: np.random.Generator,
    source: str = "sample paths",
) -> ProtectionDemand:
    """Sum each sample path over its own lead time + review period.

    Parameters
    ----------
    paths
        Demand per period, shape ``(n_paths, horizon)``; the horizon must be at least
        ``lead_time.max + review_period``. Negative values are set to 0.
    lead_time
        Lead-time distribution; one lead time is drawn per path.
    review_period
        Periods between reviews.
    rng
        Random generator (for the lead-time draws).
    source
        Label kept with the result.

    Returns
    -------
    ProtectionDemand
        Empirical distributions of the protection-period and lead-time demand.
    """
    array = np.asarray(paths, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise InventoryInputError(
            f"paths: expected a 2-d array (n_paths, horizon), found shape {array.shape}"
        )
    need = lead_time.max + review_period
    if array.shape[1] < need:
        raise InventoryInputError(
            f"paths: expected a horizon of at least lead time + review period = {need} periods, "
            f"found {array.shape[1]}"
        )
    if not np.all(np.isfinite(array)):
        raise InventoryInputError("paths: expected finite demand values, found NaN or inf")
    array = np.maximum(array[:, :need], 0.0)
    cums = np.concatenate([np.zeros((array.shape[0], 1)), np.cumsum(array, axis=1)], axis=1)
    leads = _draw_lead_times(lead_time, array.shape[0], rng)
    rows = np.arange(array.shape[0])
    protection = cums[rows, leads + review_period]
    lead = cums[rows, leads]
    # Guard against rounding noise turning whole-unit sums into 2.9999999.
    if np.all(array == np.round(array)):
        protection, lead = np.round(protection), np.round(lead)
    return ProtectionDemand(
        protection=DiscreteDistribution.from_samples(protection),
        lead=DiscreteDistribution.from_samples(lead),
        period_mean=float(array.mean()),
        review_period=review_period,
        source=source,
    )


def paths_from_quantiles(
    levels: npt.ArrayLike,
    quantiles: npt.ArrayLike,
    n_paths: int,
    *,
    rng: np.random.Generator,
    rho: float = 0.0,
) -> FloatArray:
    """Sample demand paths from per-period quantile forecasts.

    Each period's quantile function is interpolated linearly between the given levels,
    extended linearly below the lowest (slope of the lowest pair) and with an exponential
    tail above the highest (``q(u) = q_K + s log((1 - p_K) / (1 - u))``, ``s`` matched to
    the top pair: demand tails are Poisson / negative-binomial like, and a linear extension
    cut them short, under-stocking by 5 points of fill rate on carparts), then floored at 0.
    Periods are joined by a Gaussian copula with equicorrelation ``rho``.

    Parameters
    ----------
    levels
        Quantile levels in (0, 1), increasing, at least two.
    quantiles
        Forecast quantiles, shape ``(horizon, n_levels)``.
    n_paths
        Number of paths.
    rng
        Random generator.
    rho
        Correlation of the periods' normal scores, in [0, 1).

    Returns
    -------
    numpy.ndarray
        Paths of shape ``(n_paths, horizon)``.
    """
    lv = np.asarray(levels, dtype=np.float64)
    qs = np.asarray(quantiles, dtype=np.float64)
    if lv.ndim != 1 or lv.size < 2 or np.any(np.diff(lv) <= 0) or lv[0] <= 0 or lv[-1] >= 1:
        raise InventoryInputError(
            "quantile levels: expected at least two increasing levels in (0, 1), "
            f"found {lv.tolist()}"
        )
    if qs.ndim != 2 or qs.shape[1] != lv.size or not np.all(np.isfinite(qs)):
        raise InventoryInputError(
            f"quantiles: expected finite values of shape (horizon, {lv.size}), "
            f"found shape {qs.shape}"
        )
    if not 0.0 <= rho < 1.0:
        raise InventoryInputError(f"rho: expected a correlation in [0, 1), found {rho!r}")
    qs = np.maximum.accumulate(qs, axis=1)  # crossing quantiles are made monotone
    horizon = qs.shape[0]
    common = rng.standard_normal((n_paths, 1))
    own = rng.standard_normal((n_paths, horizon))
    u = stats.norm.cdf(np.sqrt(rho) * common + np.sqrt(1.0 - rho) * own)
    out = np.empty((n_paths, horizon))
    for t in range(horizon):
        q = qs[t]
        values = np.interp(u[:, t], lv, q)
        low_slope = (q[1] - q[0]) / (lv[1] - lv[0])
        values = np.where(u[:, t] < lv[0], q[0] - (lv[0] - u[:, t]) * low_slope, values)
        # Upper tail: exponential (demand tails are Poisson / negative-binomial like), its
        # scale matched to the increment between the two top levels.
        scale = (q[-1] - q[-2]) / np.log((1.0 - lv[-2]) / (1.0 - lv[-1]))
        above = np.maximum(u[:, t], lv[-1])
        values = np.where(
            u[:, t] > lv[-1], q[-1] + scale * np.log((1.0 - lv[-1]) / (1.0 - above)), values
        )
        out[:, t] = values
    return np.asarray(np.maximum(out, 0.0))


def normal_protection(
    mean: float,
    sd: float,
    lead_time: LeadTime,
    review_period: int,
    *,
    source: str = "normal",
) -> ProtectionDemand:
    """The classic normal approximation from a per-period mean and standard deviation.

    ``E = (E[L] + R) mu`` and ``Var = (E[L] + R) sigma^2 + mu^2 Var[L]`` (periods
    independent; the lead-time variance adds ``mu^2 Var[L]``).

    Parameters
    ----------
    mean
        Expected demand per period (from history or a point forecast).
    sd
        Standard deviation of per-period demand (history) or of forecast residuals.
    lead_time
        Lead-time distribution.
    review_period
        Periods between reviews.
    source
        Label kept with the result.
    """
    if not (np.isfinite(mean) and np.isfinite(sd)) or mean < 0 or sd < 0:
        raise InventoryInputError(
            "normal demand: expected a finite mean >= 0 and sd >= 0, "
            f"found mean {mean!r}, sd {sd!r}"
        )
    horizon = lead_time.mean + review_period
    protection = NormalDistribution(
        horizon * mean, float(np.sqrt(horizon * sd**2 + mean**2 * lead_time.variance))
    )
    lead = NormalDistribution(
        lead_time.mean * mean,
        float(np.sqrt(lead_time.mean * sd**2 + mean**2 * lead_time.variance)),
    )
    return ProtectionDemand(protection, lead, float(mean), review_period, source)
