"""Tests of the augmentations: TSMixup, scaling, jitter and cropping."""

from __future__ import annotations

import numpy as np
import pytest

from supplymind.training.corpus.augment import (
    jitter,
    mean_scale,
    random_crop,
    random_scale,
    tsmixup,
)


def test_when_mean_scaled_then_mean_absolute_value_is_one_and_nan_kept() -> None:
    scaled = mean_scale([2.0, -4.0, np.nan, 6.0])
    assert np.nanmean(np.abs(scaled)) == pytest.approx(1.0)
    assert np.isnan(scaled[2])
    np.testing.assert_array_equal(mean_scale([0.0, 0.0]), [0.0, 0.0])


def test_when_cropped_then_contiguous_window_within_bounds() -> None:
    rng = np.random.default_rng(0)
    series = np.arange(100, dtype=np.float32)
    for _ in range(50):
        crop = random_crop(series, rng, 10, 30)
        assert 10 <= crop.size <= 30
        np.testing.assert_array_equal(np.diff(crop), 1)  # a contiguous run of the input
    np.testing.assert_array_equal(random_crop(series[:5], rng, 10, 30), series[:5])


def test_when_scaled_or_jittered_then_sign_and_zeros_are_kept() -> None:
    rng = np.random.default_rng(1)
    series = np.array([0.0, 1.0, 5.0, -2.0, np.nan], dtype=np.float32)
    scaled = random_scale(series, rng)
    ratio = scaled[1:4] / series[1:4]
    assert np.allclose(ratio, ratio[0])
    assert 0.1 <= ratio[0] <= 10.0
    noisy = jitter(series, rng, sigma=0.5)
    assert noisy[0] == 0.0
    assert np.all(np.sign(noisy[1:4]) == np.sign(series[1:4]))
    assert np.isnan(noisy[4])
    np.testing.assert_array_equal(jitter(series, rng, sigma=0.0), series)


def test_when_mixing_then_output_is_a_convex_combination_of_scaled_windows() -> None:
    """Mixing constant series of different levels gives 1 (each is scaled to 1)."""
    rng = np.random.default_rng(2)
    pool = [np.full(80, level, dtype=np.float32) for level in (1.0, 7.0, 300.0)]
    for _ in range(20):
        mixed = tsmixup(pool, rng, min_length=10, max_length=50)
        assert 10 <= mixed.size <= 50
        np.testing.assert_allclose(mixed, 1.0, rtol=1e-6)


def test_when_mixing_short_series_then_window_capped_at_the_shortest() -> None:
    rng = np.random.default_rng(3)
    mixed = tsmixup([np.ones(12, dtype=np.float32)], rng, min_length=64, max_length=512)
    assert mixed.size == 12


def test_when_same_seed_then_same_mixup() -> None:
    pool = [np.random.default_rng(i).random(100).astype(np.float32) for i in range(5)]
    first = tsmixup(pool, np.random.default_rng(4), min_length=20, max_length=90)
    again = tsmixup(pool, np.random.default_rng(4), min_length=20, max_length=90)
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"min_length": 0, "max_length": 5}, "min_length"),
        ({"min_length": 5, "max_length": 4}, "max_length"),
        ({"min_length": 5, "max_length": 9, "max_components": 0}, "max_components"),
        ({"min_length": 5, "max_length": 9, "alpha": 0.0}, "alpha"),
    ],
)
def test_when_mixup_arguments_are_bad_then_value_error_names_them(
    kwargs: dict[str, float], name: str
) -> None:
    with pytest.raises(ValueError, match=name):
        tsmixup([np.ones(10)], np.random.default_rng(0), **kwargs)  # type: ignore[arg-type]


def test_when_pool_is_empty_then_value_error() -> None:
    with pytest.raises(ValueError, match="pool"):
        tsmixup([], np.random.default_rng(0), min_length=2, max_length=4)
