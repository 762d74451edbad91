"""Supply-chain demand generators: count demand with the events that shape real sales.

Two families of base processes:

* **Intermittent demand** (:func:`intermittent_demand`): a Bernoulli demand occurrence in
  each period with probability ``1 / ADI`` and, when demand occurs, a size
  ``1 + NegativeBinomial`` whose squared coefficient of variation is the target ``CV^2``
  (a compound Bernoulli--negative-binomial process, the discrete-time form of compound
  Poisson demand). Targets are drawn inside one of the four Syntetos--Boylan categories
  (cut-offs ``ADI = 1.32`` and ``CV^2 = 0.49``, Syntetos, Boylan and Croston 2005), and a
  draw whose *realised* category differs is drawn again, so the category is true of the
  series returned.
* **Regular count demand** (:func:`demand_rate` then :func:`sample_counts`): a positive
  rate with a level, a log-linear trend, Fourier seasonality for the chosen sampling
  frequency (weekly and yearly cycles for daily data, yearly for weekly and monthly data)
  and AR(1) log-noise, sampled as Poisson or negative-binomial counts.

Events act on the rate before counts are drawn (:func:`apply_promotions`,
:func:`apply_launch`, :func:`apply_end_of_life`, :func:`apply_level_shifts`) or on the counts
after (:func:`add_outliers`, :func:`add_missing`). :func:`generate_supply_series` draws a
random recipe of all of these. Every output is non-negative and integer-valued where it is
not NaN (missing).
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import scipy.signal

from supplymind.training.corpus._checks import check_generator, check_int

__all__ = [
    "ADI_CUTOFF",
    "CV2_CUTOFF",
    "DemandCategory",
    "add_missing",
    "add_outliers",
    "adi_cv2",
    "apply_end_of_life",
    "apply_launch",
    "apply_level_shifts",
    "apply_promotions",
    "classify_demand",
    "demand_rate",
    "generate_supply_series",
    "intermittent_demand",
    "sample_counts",
]

FloatArray = npt.NDArray[np.float64]

DemandCategory = Literal["smooth", "erratic", "intermittent", "lumpy"]
Frequency = Literal["D", "W", "M"]

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49

_CATEGORIES: tuple[DemandCategory, ...] = get_args(DemandCategory)
# Target ranges, kept clear of the cut-offs so that most draws land in their category.
_ADI_RANGE = {False: (1.0, 1.15), True: (1.6, 8.0)}  # keyed by "intermittent occurrence"
_CV2_RANGE = {False: (0.08, 0.35), True: (0.75, 2.5)}  # keyed by "variable sizes"
_MAX_DRAWS = 50
# Seasonal cycles (in periods) by sampling frequency.
_CYCLES: dict[Frequency, tuple[float, ...]] = {"D": (7.0, 365.25), "W": (52.18,), "M": (12.0,)}


def _check_values(name: str, values: npt.ArrayLike) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def adi_cv2(values: npt.ArrayLike) -> tuple[float, float]:
    """Average demand interval and squared coefficient of variation of demand sizes.

    Parameters
    ----------
    values
        Demand per period; NaN (missing) periods are ignored.

    Returns
    -------
    tuple of float
        ``ADI`` = observed periods / periods with demand (``inf`` when there is no demand),
        and ``CV^2`` = variance / mean^2 of the non-zero demands (population variance; 0
        with fewer than two of them).
    """
    array = _check_values("values", values)
    observed = array[~np.isnan(array)]
    sizes = observed[observed > 0]
    if sizes.size == 0:
        return float("inf"), 0.0
    adi = observed.size / sizes.size
    cv2 = float(np.var(sizes) / np.mean(sizes) ** 2) if sizes.size > 1 else 0.0
    return float(adi), cv2


def classify_demand(values: npt.ArrayLike) -> DemandCategory:
    """Syntetos--Boylan category of a demand series.

    Parameters
    ----------
    values
        Demand per period; NaN periods are ignored.

    Returns
    -------
    str
        ``"smooth"`` (ADI < 1.32, CV^2 < 0.49), ``"erratic"`` (ADI < 1.32, CV^2 >= 0.49),
        ``"intermittent"`` (ADI >= 1.32, CV^2 < 0.49) or ``"lumpy"`` (both at or above).
    """
    adi, cv2 = adi_cv2(values)
    sparse, variable = adi >= ADI_CUTOFF, cv2 >= CV2_CUTOFF
    return _CATEGORIES[2 * sparse + variable]


def _size_draws(count: int, mean: float, cv2: float, rng: np.random.Generator) -> FloatArray:
    """``count`` sizes ``1 + NB`` with the given mean and CV^2 (Poisson if underdispersed)."""
    excess_mean = mean - 1.0
    excess_var = cv2 * mean**2 - excess_mean
    if excess_var <= 1e-9:
        return 1.0 + rng.poisson(excess_mean, size=count).astype(np.float64)
    dispersion = excess_mean**2 / excess_var
    success = dispersion / (dispersion + excess_mean)
    return 1.0 + rng.negative_binomial(dispersion, success, size=count).astype(np.float64)


def intermittent_demand(
    length: int, category: DemandCategory, rng: np.random.Generator
) -> FloatArray:
    """Compound Bernoulli--negative-binomial demand in a given Syntetos--Boylan category.

    Parameters
    ----------
    length
        Number of periods (at least 2).
    category
        ``"smooth"``, ``"erratic"``, ``"intermittent"`` or ``"lumpy"``.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``, non-negative integers as float64. The series is redrawn (up to
        50 times) until :func:`classify_demand` gives ``category`` and it has at least two
        demands; very short series may still miss, and the last draw is then returned.
    """
    check_int("length", length, 2)
    check_generator("rng", rng)
    if category not in _CATEGORIES:
        raise ValueError(f"category must be one of {list(_CATEGORIES)}, got {category!r}")
    position = _CATEGORIES.index(category)
    sparse, variable = bool(position >= 2), bool(position % 2)
    series = np.zeros(length)
    for _ in range(_MAX_DRAWS):
        adi = rng.uniform(*_ADI_RANGE[sparse])
        cv2 = rng.uniform(*_CV2_RANGE[variable])
        # A 1 + NB size has variance >= mean - 1, so a CV^2 below 1/4 needs a mean of at
        # least the larger root of cv2 * m^2 - m + 1 = 0.
        floor = 1.5
        if cv2 < 0.25:
            floor = max(floor, (1.0 + np.sqrt(1.0 - 4.0 * cv2)) / (2.0 * cv2))
        mean = float(np.exp(rng.uniform(np.log(floor), np.log(20.0 * floor))))
        occurs = rng.random(length) < 1.0 / adi
        series = np.zeros(length)
        series[occurs] = _size_draws(int(occurs.sum()), mean, cv2, rng)
        if np.count_nonzero(series) >= 2 and classify_demand(series) == category:
            break
    return series


def demand_rate(
    length: int, rng: np.random.Generator, *, frequency: Frequency | None = None
) -> FloatArray:
    """Positive demand rate: level x trend x seasonality x AR(1) log-noise.

    Parameters
    ----------
    length
        Number of periods (at least 1).
    rng
        Source of randomness.
    frequency
        ``"D"``, ``"W"`` or ``"M"``; picks the seasonal cycles. Random when ``None``.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``, strictly positive float64 (expected units per period).
    """
    check_int("length", length, 1)
    check_generator("rng", rng)
    if frequency is None:
        frequency = tuple(_CYCLES)[int(rng.integers(len(_CYCLES)))]
    if frequency not in _CYCLES:
        raise ValueError(f"frequency must be one of {list(_CYCLES)}, got {frequency!r}")
    t = np.arange(length, dtype=np.float64)
    log_rate = rng.uniform(np.log(0.5), np.log(500.0)) + rng.uniform(-1.0, 1.0) * t / max(
        length - 1, 1
    )  # total drift within e^{+-1}
    for cycle in _CYCLES[frequency]:
        harmonics = 1 + int(rng.integers(3))
        strength = rng.uniform(0.0, 0.6)
        for k in range(1, harmonics + 1):
            phase = rng.uniform(0.0, 2.0 * np.pi)
            log_rate += strength / k * np.cos(2.0 * np.pi * k * t / cycle + phase)
    phi, sigma = rng.uniform(0.0, 0.9), rng.uniform(0.0, 0.25)
    shocks = rng.normal(0.0, sigma, size=length)
    shocks[0] /= np.sqrt(1.0 - phi**2)  # start the AR(1) in its stationary distribution
    noise = scipy.signal.lfilter([1.0], [1.0, -phi], shocks)
    return np.asarray(np.exp(log_rate + noise), dtype=np.float64)


def sample_counts(
    rate: npt.ArrayLike, rng: np.random.Generator, *, dispersion: float | None = None
) -> FloatArray:
    """Draw counts with mean ``rate``: Poisson, or negative binomial with ``dispersion``.

    Parameters
    ----------
    rate
        Non-negative expected count per period.
    rng
        Source of randomness.
    dispersion
        Negative-binomial size ``r`` (variance = mean + mean^2 / r); ``None`` for Poisson.

    Returns
    -------
    numpy.ndarray
        Non-negative integers as float64, zero wherever ``rate`` is zero.
    """
    mean = _check_values("rate", rate)
    check_generator("rng", rng)
    if np.any(~np.isfinite(mean)) or np.any(mean < 0):
        raise ValueError("rate must be finite and non-negative everywhere")
    if dispersion is None:
        return rng.poisson(mean).astype(np.float64)
    if not dispersion > 0:
        raise ValueError(f"dispersion must be > 0 or None, got {dispersion!r}")
    gamma = rng.gamma(dispersion, 1.0 / dispersion, size=mean.shape)  # mean 1, var 1/r
    return rng.poisson(mean * gamma).astype(np.float64)


def apply_promotions(rate: npt.ArrayLike, rng: np.random.Generator) -> FloatArray:
    """Add 1--4 promotions: an uplift for 1--4 periods, then a dip (pantry loading).

    Parameters
    ----------
    rate
        Demand rate.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        A new rate: x1.5--4 during each promotion, x0.4--0.9 for 1--3 periods after it.
    """
    out = _check_values("rate", rate).copy()
    check_generator("rng", rng)
    for _ in range(1 + int(rng.integers(4))):
        start = int(rng.integers(out.size))
        stop = min(out.size, start + 1 + int(rng.integers(4)))
        dip_stop = min(out.size, stop + 1 + int(rng.integers(3)))
        out[start:stop] *= rng.uniform(1.5, 4.0)
        out[stop:dip_stop] *= rng.uniform(0.4, 0.9)
    return out


def apply_launch(rate: npt.ArrayLike, rng: np.random.Generator) -> FloatArray:
    """Launch the product part-way: zero before the launch, then a logistic ramp up.

    Parameters
    ----------
    rate
        Demand rate.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        A new rate, zero before a launch in the first 40% of the series and ramping to the
        original rate over 2--25% of the series.
    """
    out = _check_values("rate", rate).copy()
    check_generator("rng", rng)
    launch = int(rng.integers(0, max(1, int(0.4 * out.size))))
    ramp = max(1.0, rng.uniform(0.02, 0.25) * out.size)
    since = np.arange(out.size) - launch
    weight = 1.0 / (1.0 + np.exp(-(since - ramp / 2.0) * 8.0 / ramp))
    weight[since < 0] = 0.0
    return np.asarray(out * weight, dtype=np.float64)


def apply_end_of_life(rate: npt.ArrayLike, rng: np.random.Generator) -> FloatArray:
    """Phase the product out: exponential decay from a point in the last 60%, then zeros.

    Parameters
    ----------
    rate
        Demand rate.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        A new rate that decays with a half-life of 1--10% of the series and is exactly zero
        from the first period where the decay factor falls below 2%.
    """
    out = _check_values("rate", rate).copy()
    check_generator("rng", rng)
    start = int(rng.integers(int(0.4 * out.size), out.size))
    half_life = max(1.0, rng.uniform(0.01, 0.1) * out.size)
    since = np.arange(out.size) - start
    factor = np.where(since < 0, 1.0, 0.5 ** (np.maximum(since, 0) / half_life))
    factor[factor < 0.02] = 0.0
    return out * factor


def apply_level_shifts(rate: npt.ArrayLike, rng: np.random.Generator) -> FloatArray:
    """Add 1--2 permanent level shifts (new customer, lost listing, price change).

    Parameters
    ----------
    rate
        Demand rate.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        A new rate multiplied by a factor in [1/3, 3] from each shift point on.
    """
    out = _check_values("rate", rate).copy()
    check_generator("rng", rng)
    for _ in range(1 + int(rng.integers(2))):
        point = int(rng.integers(out.size))
        out[point:] *= np.exp(rng.uniform(-np.log(3.0), np.log(3.0)))
    return out


def add_outliers(counts: npt.ArrayLike, rng: np.random.Generator) -> FloatArray:
    """Replace about 1% of periods (at least one) by spikes or by zeros (stock-outs).

    Parameters
    ----------
    counts
        Non-negative counts; NaN stays NaN.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        New counts: spikes are 3--10 times the series' mean (at least 5), rounded.
    """
    out = _check_values("counts", counts).copy()
    check_generator("rng", rng)
    positions = rng.choice(out.size, size=max(1, out.size // 100), replace=False)
    level = max(float(np.nanmean(out)) if np.any(~np.isnan(out)) else 0.0, 1.0)
    for position in positions:
        if rng.random() < 0.7:
            out[position] = np.round(max(5.0, level * rng.uniform(3.0, 10.0)))
        else:
            out[position] = 0.0
    out[np.isnan(np.asarray(counts, dtype=np.float64))] = np.nan
    return out


def add_missing(values: npt.ArrayLike, rng: np.random.Generator) -> FloatArray:
    """Blank out 1--3 runs of periods as NaN (system outage, missing feed).

    Parameters
    ----------
    values
        The series.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        A copy with NaN runs of 1..max(1, length // 20) periods each; at most a quarter of
        the series is blanked, and never its first or last period.
    """
    out = _check_values("values", values).copy()
    check_generator("rng", rng)
    if out.size < 3:
        return out
    longest = max(1, out.size // 20)
    budget = out.size // 4
    for _ in range(1 + int(rng.integers(3))):
        run = min(1 + int(rng.integers(longest)), budget)
        if run < 1:
            break
        start = int(rng.integers(1, max(2, out.size - run)))
        stop = min(start + run, out.size - 1)
        out[start:stop] = np.nan
        budget -= stop - start
    return out


def generate_supply_series(length: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Draw one supply-chain demand series from a random recipe.

    Recipe: 40% intermittent (a random Syntetos--Boylan category) and 60% regular count
    demand (Poisson or negative binomial); a regular series gets promotions with probability
    0.35 and level shifts with 0.25; any series gets a launch with 0.15, an end of life with
    0.15, outliers with 0.2 and missing runs with 0.1.

    Parameters
    ----------
    length
        Number of periods (at least 2).
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``, float32, non-negative integers or NaN.
    """
    check_int("length", length, 2)
    check_generator("rng", rng)
    if rng.random() < 0.4:
        category = _CATEGORIES[int(rng.integers(len(_CATEGORIES)))]
        series = intermittent_demand(length, category, rng)
        # Launch and end of life thin each period's units with the event's rate factor.
        for event in (apply_launch, apply_end_of_life):
            if rng.random() < 0.15:
                keep = event(np.ones(length), rng)
                series = rng.binomial(series.astype(np.int64), keep).astype(np.float64)
    else:
        rate = demand_rate(length, rng)
        if rng.random() < 0.35:
            rate = apply_promotions(rate, rng)
        if rng.random() < 0.25:
            rate = apply_level_shifts(rate, rng)
        if rng.random() < 0.15:
            rate = apply_launch(rate, rng)
        if rng.random() < 0.15:
            rate = apply_end_of_life(rate, rng)
        dispersion = None if rng.random() < 0.4 else float(np.exp(rng.uniform(0.0, np.log(50))))
        series = sample_counts(rate, rng, dispersion=dispersion)
    if rng.random() < 0.2:
        series = add_outliers(series, rng)
    if rng.random() < 0.1:
        series = add_missing(series, rng)
    return series.astype(np.float32)
