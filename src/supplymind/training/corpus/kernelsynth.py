"""KernelSynth: synthetic series drawn from Gaussian processes with random composite kernels.

After Ansari et al. (2024), "Chronos: Learning the Language of Time Series", section 4.2:
pick 1 to ``max_kernels`` kernels from a bank (with replacement), join them with randomly
chosen ``+`` and ``*``, and draw one sample of the zero-mean Gaussian process with that
covariance on a grid of ``length`` points.

The grid is ``x_i = i / (length - 1)`` in ``[0, 1]``. Smooth kernels (RBF, rational
quadratic) and the dot product use that unit span, so they shape the series as a whole
whatever its length. Periodic kernels take their period in *samples* (24 = daily cycle of
hourly data, 7 = weekly cycle of daily data, 52.18 = yearly cycle of weekly data, ...), which
is Chronos' ``periodicity = p / LENGTH`` on a unit grid.

The draw is exact: the covariance matrix is factorised by Cholesky with a small diagonal
jitter, raised tenfold until it succeeds. The cost is O(length^3), so the grid is capped
at :data:`MAX_LENGTH` = 1024 points. Two things keep it fast enough for a corpus of
thousands of series: a stationary kernel (everything but the dot product) is evaluated on
its ``length`` lags only and expanded as a Toeplitz matrix, and one factorisation takes
about 4 ms at 512 points and 20 ms at 1024 on one core (so a corpus that draws lengths
uniformly up to 1024 averages about 7 ms a series). Run many draws inside
:func:`single_blas_thread`: at these sizes a multi-threaded BLAS gains little, and on a
busy machine its threads contend (measured 45 ms a series on two busy cores against 7 ms
with one thread). A low-rank or random-feature approximation was not used: white noise and
short periods are full rank, which such approximations lose.
"""

from __future__ import annotations

import contextlib
import functools
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.linalg

from supplymind.training.corpus._checks import check_generator, check_int, check_real

__all__ = [
    "MAX_LENGTH",
    "RBF",
    "Constant",
    "DotProduct",
    "Kernel",
    "Periodic",
    "Product",
    "RationalQuadratic",
    "Sum",
    "White",
    "default_kernel_bank",
    "generate_kernelsynth",
    "random_kernel",
    "sample_gp",
    "single_blas_thread",
]

MAX_LENGTH = 1024

FloatArray = npt.NDArray[np.float64]

# Relative diagonal jitter of the first Cholesky attempt, and how many tenfold raises follow.
_JITTER = 1e-6
_JITTER_RAISES = 6


def _unit_lags(length: int) -> FloatArray:
    """Lags ``0 .. length-1`` measured on the unit grid."""
    return np.arange(length, dtype=np.float64) / max(length - 1, 1)


class Kernel(ABC):
    """A covariance function evaluated on the grid of a series of ``length`` points.

    Kernels combine with ``+`` and ``*`` into :class:`Sum` and :class:`Product`.
    """

    @property
    @abstractmethod
    def stationary(self) -> bool:
        """Whether the covariance depends on the lag only."""

    @abstractmethod
    def lags(self, length: int) -> FloatArray:
        """Covariance at lags ``0 .. length-1`` (stationary kernels only).

        Parameters
        ----------
        length
            Number of grid points.

        Returns
        -------
        numpy.ndarray
            Shape ``(length,)``.
        """

    def matrix(self, length: int) -> FloatArray:
        """Covariance matrix on the grid; a fresh array the caller may modify.

        Parameters
        ----------
        length
            Number of grid points.

        Returns
        -------
        numpy.ndarray
            Shape ``(length, length)``, symmetric.
        """
        return np.asarray(scipy.linalg.toeplitz(self.lags(length)), dtype=np.float64)

    def __add__(self, other: Kernel) -> Kernel:
        return Sum(self, other)

    def __mul__(self, other: Kernel) -> Kernel:
        return Product(self, other)


class _Stationary(Kernel):
    @property
    def stationary(self) -> bool:
        return True


@dataclass(frozen=True)
class Periodic(_Stationary):
    """Exp-sine-squared kernel ``exp(-2 sin^2(pi tau / period) / length_scale^2)``.

    Parameters
    ----------
    period
        Period in samples (``tau`` is the lag in samples).
    length_scale
        Smoothness of the repeating shape; larger is smoother.
    """

    period: float
    length_scale: float = 1.0

    def lags(self, length: int) -> FloatArray:
        tau = np.arange(length, dtype=np.float64)
        return np.exp(-2.0 * np.sin(np.pi * tau / self.period) ** 2 / self.length_scale**2)


@dataclass(frozen=True)
class RBF(_Stationary):
    """Squared-exponential kernel ``exp(-tau^2 / (2 length_scale^2))`` on the unit grid.

    Parameters
    ----------
    length_scale
        Correlation length as a fraction of the series span.
    """

    length_scale: float

    def lags(self, length: int) -> FloatArray:
        return np.exp(-0.5 * (_unit_lags(length) / self.length_scale) ** 2)


@dataclass(frozen=True)
class RationalQuadratic(_Stationary):
    """Rational-quadratic kernel ``(1 + tau^2 / (2 alpha length_scale^2))^-alpha``.

    Parameters
    ----------
    alpha
        Mixture scale: small values mix many length scales, large values approach the RBF.
    length_scale
        Correlation length as a fraction of the series span.
    """

    alpha: float
    length_scale: float = 1.0

    def lags(self, length: int) -> FloatArray:
        tau = _unit_lags(length) / self.length_scale
        return (1.0 + tau**2 / (2.0 * self.alpha)) ** (-self.alpha)


@dataclass(frozen=True)
class White(_Stationary):
    """White-noise kernel: ``noise_level`` at lag 0, zero elsewhere.

    Parameters
    ----------
    noise_level
        Variance of the noise.
    """

    noise_level: float

    def lags(self, length: int) -> FloatArray:
        values = np.zeros(length)
        values[0] = self.noise_level
        return values


@dataclass(frozen=True)
class Constant(_Stationary):
    """Constant kernel: a random level (alone) or a random scale (in a product).

    Parameters
    ----------
    value
        The covariance at every lag.
    """

    value: float = 1.0

    def lags(self, length: int) -> FloatArray:
        return np.full(length, self.value)


@dataclass(frozen=True)
class DotProduct(Kernel):
    """Linear kernel ``sigma_0^2 + x x'`` on the unit grid: random lines, and trends in products.

    Parameters
    ----------
    sigma_0
        Standard deviation of the random intercept.
    """

    sigma_0: float

    @property
    def stationary(self) -> bool:
        return False

    def lags(self, length: int) -> FloatArray:
        raise TypeError("DotProduct is not stationary and has no lag representation")

    def matrix(self, length: int) -> FloatArray:
        x = _unit_lags(length)
        return self.sigma_0**2 + np.outer(x, x)


@dataclass(frozen=True)
class Sum(Kernel):
    """Sum of two kernels: independent components added."""

    left: Kernel
    right: Kernel

    @property
    def stationary(self) -> bool:
        return self.left.stationary and self.right.stationary

    def lags(self, length: int) -> FloatArray:
        return self.left.lags(length) + self.right.lags(length)

    def matrix(self, length: int) -> FloatArray:
        if self.stationary:
            return super().matrix(length)
        return self.left.matrix(length) + self.right.matrix(length)


@dataclass(frozen=True)
class Product(Kernel):
    """Product of two kernels: one component modulates the other."""

    left: Kernel
    right: Kernel

    @property
    def stationary(self) -> bool:
        return self.left.stationary and self.right.stationary

    def lags(self, length: int) -> FloatArray:
        return self.left.lags(length) * self.right.lags(length)

    def matrix(self, length: int) -> FloatArray:
        if self.stationary:
            return super().matrix(length)
        return self.left.matrix(length) * self.right.matrix(length)


# Periods in samples, named by the sampling frequency they suit.
_PERIODS = (
    24.0,  # hourly: day
    48.0,  # hourly: half of the Chronos two-day harmonic
    168.0,  # hourly: week
    7.0,  # daily: week
    14.0,  # daily: fortnight
    30.44,  # daily: month
    91.31,  # daily: quarter
    365.25,  # daily: year
    4.35,  # weekly: month
    13.0,  # weekly: quarter
    26.0,  # weekly: half year
    52.18,  # weekly: year (365.25 / 7)
    3.0,  # monthly: quarter
    6.0,  # monthly: half year
    12.0,  # monthly: year
    4.0,  # quarterly: year
    5.0,  # business daily: week
    10.0,  # yearly: decade-scale cycle
)


@functools.cache
def default_kernel_bank() -> tuple[Kernel, ...]:
    """The kernel bank: periodic kernels for common cycles plus trend, smooth and noise kernels.

    Returns
    -------
    tuple of Kernel
        18 periodic kernels (periods in samples, see the module source), 3 dot products
        (``sigma_0`` 0, 1, 10), 3 RBF (length scales 0.1, 1, 10), 3 rational quadratic
        (``alpha`` 0.1, 1, 10), 2 white noises (0.1, 1) and a constant.
    """
    periodic: list[Kernel] = [Periodic(period) for period in _PERIODS]
    others: list[Kernel] = [
        DotProduct(0.0),
        DotProduct(1.0),
        DotProduct(10.0),
        RBF(0.1),
        RBF(1.0),
        RBF(10.0),
        RationalQuadratic(0.1),
        RationalQuadratic(1.0),
        RationalQuadratic(10.0),
        White(0.1),
        White(1.0),
        Constant(1.0),
    ]
    return (*periodic, *others)


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (a no-op without ``threadpoolctl``).

    ``threadpoolctl`` comes with ``statsforecast``, a SupplyMind dependency.

    Yields
    ------
    None
        Control, with every loaded BLAS library limited to one thread.
    """
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - present with the declared dependencies
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def random_kernel(
    rng: np.random.Generator, max_kernels: int = 5, bank: Sequence[Kernel] | None = None
) -> Kernel:
    """Draw a composite kernel: 1..``max_kernels`` bank kernels joined by random ``+``/``*``.

    Parameters
    ----------
    rng
        Source of randomness.
    max_kernels
        Largest number of bank kernels combined.
    bank
        Kernels to choose from (with replacement); :func:`default_kernel_bank` by default.

    Returns
    -------
    Kernel
        The composite kernel, folded from the left.
    """
    check_generator("rng", rng)
    check_int("max_kernels", max_kernels, 1)
    choices = default_kernel_bank() if bank is None else tuple(bank)
    if not choices:
        raise ValueError("bank must hold at least one kernel, got an empty sequence")
    count = int(rng.integers(1, max_kernels + 1))
    picks = rng.integers(0, len(choices), size=count)
    kernel = choices[int(picks[0])]
    for pick in picks[1:]:
        other = choices[int(pick)]
        kernel = kernel + other if rng.random() < 0.5 else kernel * other
    return kernel


def sample_gp(
    kernel: Kernel, length: int, rng: np.random.Generator, *, jitter: float = _JITTER
) -> FloatArray:
    """Draw one sample of the zero-mean Gaussian process with covariance ``kernel``.

    Parameters
    ----------
    kernel
        Covariance function.
    length
        Number of grid points, at most :data:`MAX_LENGTH`.
    rng
        Source of randomness.
    jitter
        First diagonal jitter relative to the mean variance; raised tenfold (up to six
        times) while the Cholesky factorisation fails. If it still fails, the covariance is
        made positive semi-definite by clipping negative eigenvalues.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``, float64.
    """
    check_int("length", length, 1, MAX_LENGTH)
    check_generator("rng", rng)
    check_real("jitter", jitter, 0.0, strict_minimum=True)
    cov = np.array(kernel.matrix(length), dtype=np.float64)  # own copy: jitter edits it
    scale = max(float(np.mean(np.diag(cov))), np.finfo(np.float64).tiny)
    noise = rng.standard_normal(length)
    diagonal = np.diag_indices(length)
    added = 0.0
    for attempt in range(_JITTER_RAISES + 1):
        target = jitter * scale * 10.0**attempt
        cov[diagonal] += target - added
        added = target
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            continue
        return np.asarray(chol @ noise, dtype=np.float64)
    values, vectors = np.linalg.eigh(cov)
    return np.asarray(vectors @ (np.sqrt(np.clip(values, 0.0, None)) * noise), dtype=np.float64)


def generate_kernelsynth(
    length: int,
    rng: np.random.Generator,
    *,
    max_kernels: int = 5,
    bank: Sequence[Kernel] | None = None,
) -> npt.NDArray[np.float32]:
    """Generate one KernelSynth series.

    Parameters
    ----------
    length
        Number of points, 1..:data:`MAX_LENGTH`.
    rng
        Source of randomness.
    max_kernels
        Largest number of bank kernels in the composite kernel.
    bank
        Kernels to choose from; :func:`default_kernel_bank` by default.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``, float32, finite.
    """
    check_int("length", length, 1, MAX_LENGTH)
    kernel = random_kernel(rng, max_kernels, bank)
    return sample_gp(kernel, length, rng).astype(np.float32)
