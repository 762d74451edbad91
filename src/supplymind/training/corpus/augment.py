"""Augmentations for pretraining series: TSMixup, random scaling, jitter and cropping.

All functions take a ``numpy.random.Generator`` and never modify their input. NaN (missing
values) pass through: a NaN in any TSMixup component makes that point NaN.

TSMixup follows Ansari et al. (2024), "Chronos", section 4.1: draw ``k`` from
``1..max_components``, pick ``k`` series, crop each to one random window length, divide each
by its mean absolute value, and take a convex combination with ``Dirichlet(alpha)`` weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from supplymind.training.corpus._checks import check_generator, check_int, check_real

__all__ = ["jitter", "mean_scale", "random_crop", "random_scale", "tsmixup"]

Float32Array = npt.NDArray[np.float32]


def _as_series(name: str, values: npt.ArrayLike) -> Float32Array:
    array = np.asarray(values, dtype=np.float32)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
    return array


def mean_scale(values: npt.ArrayLike) -> Float32Array:
    """Divide a series by the mean of its absolute observed values.

    Parameters
    ----------
    values
        The series; NaN are ignored in the mean and kept.

    Returns
    -------
    numpy.ndarray
        Float32 copy; unchanged when the mean is zero or there is no observed value.
    """
    array = _as_series("values", values)
    observed = np.abs(array[~np.isnan(array)])
    scale = float(observed.mean()) if observed.size else 0.0
    return array / np.float32(scale) if scale > 0 else array.copy()


def random_crop(
    values: npt.ArrayLike, rng: np.random.Generator, min_length: int, max_length: int
) -> Float32Array:
    """Cut a random contiguous window out of a series.

    Parameters
    ----------
    values
        The series.
    rng
        Source of randomness.
    min_length, max_length
        Bounds of the window length, drawn uniformly and capped at the series length.

    Returns
    -------
    numpy.ndarray
        Float32 copy of the window.
    """
    array = _as_series("values", values)
    check_generator("rng", rng)
    check_int("min_length", min_length, 1)
    check_int("max_length", max_length, min_length)
    high = min(max_length, array.size)
    low = min(min_length, high)
    length = int(rng.integers(low, high + 1))
    start = int(rng.integers(0, array.size - length + 1))
    return array[start : start + length].copy()


def random_scale(
    values: npt.ArrayLike, rng: np.random.Generator, low: float = 0.1, high: float = 10.0
) -> Float32Array:
    """Multiply a series by one factor drawn log-uniformly from ``[low, high]``.

    Parameters
    ----------
    values
        The series.
    rng
        Source of randomness.
    low, high
        Bounds of the factor, ``0 < low <= high``.

    Returns
    -------
    numpy.ndarray
        Float32 copy, scaled.
    """
    array = _as_series("values", values)
    check_generator("rng", rng)
    check_real("low", low, 0.0, strict_minimum=True)
    check_real("high", high, low)
    factor = np.exp(rng.uniform(np.log(low), np.log(high)))
    return (array * np.float32(factor)).astype(np.float32)


def jitter(values: npt.ArrayLike, rng: np.random.Generator, sigma: float = 0.05) -> Float32Array:
    """Multiplicative noise: each point times ``exp(sigma * z)`` with ``z`` standard normal.

    The log-normal factor keeps every point's sign (zeros stay zero), which matters for
    non-negative demand.

    Parameters
    ----------
    values
        The series.
    rng
        Source of randomness.
    sigma
        Standard deviation of the log factor, at least 0.

    Returns
    -------
    numpy.ndarray
        Float32 copy with noise.
    """
    array = _as_series("values", values)
    check_generator("rng", rng)
    check_real("sigma", sigma, 0.0)
    factor = np.exp(sigma * rng.standard_normal(array.size))
    return (array * factor).astype(np.float32)


def tsmixup(
    pool: Sequence[npt.ArrayLike],
    rng: np.random.Generator,
    *,
    min_length: int,
    max_length: int,
    max_components: int = 3,
    alpha: float = 1.5,
) -> Float32Array:
    """Convex combination of 1..``max_components`` mean-scaled random windows of the pool.

    Parameters
    ----------
    pool
        Series to mix (picked uniformly, with replacement).
    rng
        Source of randomness.
    min_length, max_length
        Bounds of the window length, drawn uniformly and capped at the shortest picked
        series.
    max_components
        Largest number of series mixed.
    alpha
        Concentration of the symmetric Dirichlet distribution of the weights.

    Returns
    -------
    numpy.ndarray
        Float32 mixed series.
    """
    check_generator("rng", rng)
    check_int("min_length", min_length, 1)
    check_int("max_length", max_length, min_length)
    check_int("max_components", max_components, 1)
    check_real("alpha", alpha, 0.0, strict_minimum=True)
    if len(pool) == 0:
        raise ValueError("pool must hold at least one series, got an empty sequence")
    count = int(rng.integers(1, max_components + 1))
    picks = [_as_series("pool item", pool[int(i)]) for i in rng.integers(0, len(pool), count)]
    shortest = min(series.size for series in picks)
    high = min(max_length, shortest)
    length = int(rng.integers(min(min_length, high), high + 1))
    weights = rng.dirichlet(np.full(count, alpha))
    mixed = np.zeros(length, dtype=np.float64)
    for weight, series in zip(weights, picks, strict=True):
        start = int(rng.integers(0, series.size - length + 1))
        mixed += weight * mean_scale(series[start : start + length])
    return mixed.astype(np.float32)
