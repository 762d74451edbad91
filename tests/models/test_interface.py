"""The shared backbone contract: argument checks and quantile-level interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from supplymind.models.interface import check_request, finalize_quantiles, interpolate_quantiles

NATIVE = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@pytest.mark.parametrize(
    ("context", "horizon", "quantiles", "error", "message"),
    [
        ("abc", 4, None, TypeError, "context: expected a sequence of 1-D arrays"),
        (np.float64(1.0), 4, None, TypeError, "context: expected a sequence"),
        ([np.ones((2, 3))], 4, None, ValueError, r"context\[0\]: expected a 1-D array"),
        (np.arange(5.0), 4, None, ValueError, "wrap a single series in a list"),
        ([np.ones(3), [1.0, np.inf]], 4, None, ValueError, r"context\[1\]: .*infinity"),
        ([["a", "b"]], 4, None, TypeError, r"context\[0\]: expected numbers"),
        ([np.ones(3)], 0, None, ValueError, "horizon: expected a positive number of steps"),
        ([np.ones(3)], 2.5, None, TypeError, "horizon: expected an integer, found float"),
        ([np.ones(3)], True, None, TypeError, "horizon: expected an integer, found bool"),
        ([np.ones(3)], 4, [], ValueError, "quantiles: expected strictly increasing"),
        ([np.ones(3)], 4, [0.0, 0.5], ValueError, "quantiles: expected strictly increasing"),
        ([np.ones(3)], 4, [0.5, 1.0], ValueError, "quantiles: expected strictly increasing"),
        ([np.ones(3)], 4, [0.9, 0.1], ValueError, "quantiles: expected strictly increasing"),
        ([np.ones(3)], 4, [0.5, 0.5], ValueError, "quantiles: expected strictly increasing"),
    ],
)
def test_when_request_is_bad_then_error_names_the_argument(
    context: object, horizon: object, quantiles: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        check_request(context, horizon, quantiles, NATIVE)  # type: ignore[arg-type]


def test_when_request_is_good_then_it_is_canonical() -> None:
    """Series become float64 1-D arrays (NaN kept), levels default to the native ones."""
    series, horizon, levels = check_request(
        [[1, 2, np.nan], np.arange(2, dtype=np.int32)], np.int64(3), None, NATIVE
    )
    assert [s.dtype for s in series] == [np.float64, np.float64]
    assert np.isnan(series[0][2])
    assert horizon == 3
    assert type(horizon) is int
    assert levels == NATIVE


def test_when_wanted_levels_are_native_then_values_are_returned_exactly() -> None:
    values = np.sort(np.random.default_rng(0).normal(size=(2, 5, len(NATIVE))), axis=-1)
    out = interpolate_quantiles(values, NATIVE, (0.1, 0.5, 0.9))
    np.testing.assert_array_equal(out, values[..., [0, 4, 8]])


def test_when_level_is_between_native_ones_then_it_is_linear() -> None:
    values = np.array([[[0.0, 10.0, 30.0]]])
    out = interpolate_quantiles(values, (0.2, 0.5, 0.8), (0.35, 0.65, 0.7))
    np.testing.assert_allclose(out, [[[5.0, 20.0, 30.0 * 2 / 3 + 10.0 / 3]]])


def test_when_level_is_beyond_native_ones_then_it_is_clamped() -> None:
    values = np.array([[[1.0, 2.0, 3.0]]])
    out = interpolate_quantiles(values, (0.2, 0.5, 0.8), (0.01, 0.99))
    np.testing.assert_array_equal(out, [[[1.0, 3.0]]])


def test_when_native_quantiles_cross_then_finalized_ones_are_sorted() -> None:
    raw = np.random.default_rng(1).normal(size=(3, 7, len(NATIVE)))  # crossing everywhere
    out = finalize_quantiles(raw, NATIVE, (0.05, 0.15, 0.5, 0.75, 0.97))
    assert out.shape == (3, 7, 5)
    assert out.dtype == np.float64
    assert (np.diff(out, axis=-1) >= 0).all()
