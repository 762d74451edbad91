"""Fracast-0 (bundled in the fracast wheel) through the registry, and its explicit gap filling."""

from __future__ import annotations

import numpy as np
import pytest

from supplymind.models.adapters.fracast import MIN_OBSERVATIONS, FracastBackbone, fill_gaps
from supplymind.models.registry import load_backbone

pytest.importorskip("fracast")


@pytest.fixture(scope="module")
def backbone() -> FracastBackbone:
    loaded = load_backbone("fracast")
    assert isinstance(loaded, FracastBackbone)
    return loaded


def sine(length: int, level: float = 50.0) -> np.ndarray:
    t = np.arange(length, dtype=np.float64)
    return level + 10.0 * np.sin(2 * np.pi * t / 12)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
        ([np.nan, np.nan, 1.0, 2.0], [1.0, 2.0]),
        ([1.0, np.nan, np.nan, 4.0], [1.0, 2.0, 3.0, 4.0]),
        ([1.0, 2.0, np.nan, np.nan], [1.0, 2.0, 2.0, 2.0]),
        ([np.nan, 2.0, np.nan, 6.0, np.nan], [2.0, 4.0, 6.0, 6.0]),
        ([np.nan, np.nan], []),
        ([], []),
    ],
)
def test_when_gaps_are_filled_then_leading_dropped_inner_interpolated_trailing_held(
    values: list[float], expected: list[float]
) -> None:
    np.testing.assert_array_equal(fill_gaps(np.asarray(values, dtype=np.float64)), expected)


def test_when_loaded_then_native_attributes_are_fracast_0(backbone: FracastBackbone) -> None:
    assert backbone.name == "fracast"
    assert (backbone.context_length, backbone.max_horizon) == (2048, 48)
    assert backbone.quantiles == (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def test_when_forecasting_a_gappy_sine_zero_shot_then_quantiles_are_finite_sorted_and_near(
    backbone: FracastBackbone,
) -> None:
    """Past the native 48 steps, with missing values and different lengths."""
    long_gappy = sine(240)
    long_gappy[[10, 11, 100, 239]] = np.nan
    context = [long_gappy, sine(30, level=5.0)]
    out = backbone.predict_quantiles(context, horizon=60, quantiles=[0.05, 0.5, 0.95])
    assert out.shape == (2, 60, 3)
    assert np.isfinite(out).all()
    assert (np.diff(out, axis=-1) >= 0).all()
    # Zero-shot on a clean sine: the median stays within the series' range.
    assert (np.abs(out[0, :, 1] - 50.0) < 15.0).all()


def test_when_series_is_batched_with_others_then_its_forecast_is_unchanged(
    backbone: FracastBackbone,
) -> None:
    """Left-padding to a rectangle is invisible: rows are forecast independently."""
    alone = backbone.predict_quantiles([sine(40)], horizon=12)
    batched = backbone.predict_quantiles([sine(300, level=80.0), sine(40)], horizon=12)
    np.testing.assert_allclose(batched[1], alone[0], rtol=1e-5, atol=1e-4)


def test_when_a_series_is_too_short_then_error_names_it(backbone: FracastBackbone) -> None:
    short = np.array([1.0, np.nan, 2.0, 3.0])
    with pytest.raises(ValueError, match=rf"at least {MIN_OBSERVATIONS} observed .*indices 1\)"):
        backbone.predict_quantiles([sine(50), short], horizon=4)
