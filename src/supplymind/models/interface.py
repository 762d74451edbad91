"""The one forecasting interface every backbone exposes, and the helpers adapters share.

A backbone forecasts quantiles of the next ``horizon`` steps of many univariate series at
once. Whatever the model underneath (ours, Fracast, Chronos, TimesFM), the contract is:

* ``context`` is a sequence of 1-D arrays of any lengths, NaN where a value is missing;
* ``horizon`` may exceed the model's native ``max_horizon`` (each adapter rolls on);
* ``quantiles`` may be any increasing levels in (0, 1): levels the model was not trained on
  are interpolated linearly between its native levels and held flat beyond the outermost;
* the result is a float64 array ``[n_series, horizon, len(quantiles)]``, sorted along the
  last axis (no quantile crossing).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "QuantileBackbone",
    "check_request",
    "finalize_quantiles",
    "interpolate_quantiles",
]


@runtime_checkable
class QuantileBackbone(Protocol):
    """A pretrained forecaster of quantiles, as returned by
    :func:`~supplymind.models.registry.load_backbone`."""

    @property
    def name(self) -> str:
        """Registry name of the backbone (or its family, when loaded from a folder)."""
        ...

    @property
    def context_length(self) -> int:
        """Most recent observations the model reads; longer contexts are cut on the left."""
        ...

    @property
    def max_horizon(self) -> int:
        """Steps the model forecasts in one pass; longer horizons are rolled."""
        ...

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Levels the model was trained on (the default of ``predict_quantiles``)."""
        ...

    def predict_quantiles(
        self,
        context: Sequence[np.ndarray],
        horizon: int,
        quantiles: Sequence[float] | None = None,
    ) -> np.ndarray:
        """Forecast ``horizon`` steps of every series.

        Parameters
        ----------
        context
            One 1-D array per series (any lengths; NaN where missing).
        horizon
            Steps ahead, any positive number.
        quantiles
            Increasing levels in (0, 1); ``None`` for the native :attr:`quantiles`.

        Returns
        -------
        numpy.ndarray
            ``[n_series, horizon, len(quantiles)]`` float64, sorted along the last axis.
        """
        ...


def check_request(
    context: Sequence[np.ndarray],
    horizon: int,
    quantiles: Sequence[float] | None,
    native: Sequence[float],
) -> tuple[list[np.ndarray], int, tuple[float, ...]]:
    """Validate the arguments of ``predict_quantiles`` and put them in canonical form.

    Parameters
    ----------
    context
        One 1-D array per series.
    horizon
        Steps ahead.
    quantiles
        Levels wanted, or ``None`` for ``native``.
    native
        The model's own levels.

    Returns
    -------
    tuple
        The series as float64 1-D arrays, the horizon as ``int``, the levels as a tuple.

    Raises
    ------
    TypeError
        ``context`` is not a sequence of arrays, or ``horizon`` is not an integer.
    ValueError
        A series is not 1-D or holds infinities, ``horizon`` is not positive, or the levels
        are not strictly increasing in (0, 1).
    """
    if isinstance(context, str | bytes) or not isinstance(context, Sequence | np.ndarray):
        raise TypeError(
            "context: expected a sequence of 1-D arrays (one per series), "
            f"found {type(context).__name__}"
        )
    series = []
    for i, values in enumerate(context):
        try:
            arr = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"context[{i}]: expected numbers, found {type(values).__name__}"
            ) from exc
        if arr.ndim != 1:
            hint = " (wrap a single series in a list)" if arr.ndim == 0 else ""
            raise ValueError(f"context[{i}]: expected a 1-D array, found shape {arr.shape}{hint}")
        if np.isinf(arr).any():
            raise ValueError(f"context[{i}]: expected finite values or NaN, found an infinity")
        series.append(arr)
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer):
        raise TypeError(f"horizon: expected an integer, found {type(horizon).__name__}")
    if horizon <= 0:
        raise ValueError(f"horizon: expected a positive number of steps, found {horizon}")
    levels = tuple(float(q) for q in (native if quantiles is None else quantiles))
    if (
        not levels
        or any(not 0.0 < q < 1.0 for q in levels)
        or any(a >= b for a, b in itertools.pairwise(levels))
    ):
        raise ValueError(
            f"quantiles: expected strictly increasing levels in (0, 1), found {list(levels)}"
        )
    return series, int(horizon), levels


def interpolate_quantiles(
    values: np.ndarray, native: Sequence[float], wanted: Sequence[float]
) -> np.ndarray:
    """Quantiles at ``wanted`` levels from quantiles at ``native`` levels.

    Linear in the level between the two nearest native levels; held at the outermost
    native quantile beyond them (no extrapolation). A wanted level equal to a native one
    returns that quantile exactly.

    Parameters
    ----------
    values
        ``[..., len(native)]`` quantiles, sorted along the last axis.
    native
        Strictly increasing levels of ``values``.
    wanted
        Levels to return.

    Returns
    -------
    numpy.ndarray
        ``[..., len(wanted)]``.
    """
    grid = np.asarray(native, dtype=np.float64)
    out = np.empty((*values.shape[:-1], len(wanted)), dtype=np.float64)
    for j, level in enumerate(wanted):
        k = int(np.searchsorted(grid, level))
        if k < len(grid) and grid[k] == level:
            out[..., j] = values[..., k]
        elif k == 0:
            out[..., j] = values[..., 0]
        elif k == len(grid):
            out[..., j] = values[..., -1]
        else:
            w = (level - grid[k - 1]) / (grid[k] - grid[k - 1])
            out[..., j] = (1.0 - w) * values[..., k - 1] + w * values[..., k]
    return out


def finalize_quantiles(
    values: np.ndarray, native: Sequence[float], wanted: Sequence[float]
) -> np.ndarray:
    """Sort native quantiles (removing any crossing), then interpolate to the wanted levels.

    Interpolating sorted values at increasing levels keeps them sorted.

    Parameters
    ----------
    values
        ``[n_series, horizon, len(native)]`` raw model output.
    native
        Levels of ``values``.
    wanted
        Strictly increasing levels to return.

    Returns
    -------
    numpy.ndarray
        ``[n_series, horizon, len(wanted)]`` float64.
    """
    ordered = np.sort(np.asarray(values, dtype=np.float64), axis=-1)
    return interpolate_quantiles(ordered, native, wanted)
