"""Tests of the supply-chain demand generators."""

from __future__ import annotations

import numpy as np
import pytest

from supplymind.training.corpus.supply import (
    ADI_CUTOFF,
    CV2_CUTOFF,
    DemandCategory,
    add_missing,
    add_outliers,
    adi_cv2,
    apply_end_of_life,
    apply_launch,
    apply_level_shifts,
    apply_promotions,
    classify_demand,
    demand_rate,
    generate_supply_series,
    intermittent_demand,
    sample_counts,
)

CATEGORIES: list[DemandCategory] = ["smooth", "erratic", "intermittent", "lumpy"]


def _is_count(values: np.ndarray) -> bool:
    observed = values[~np.isnan(values)]
    return bool(np.all(observed >= 0) and np.all(observed == np.round(observed)))


@pytest.mark.parametrize("category", CATEGORIES)
def test_when_intermittent_demand_then_its_realised_category_is_the_requested_one(
    category: DemandCategory,
) -> None:
    rng = np.random.default_rng(11)
    for length in (24, 60, 200, 1000):
        for _ in range(10):
            series = intermittent_demand(length, category, rng)
            assert _is_count(series)
            assert classify_demand(series) == category


@pytest.mark.parametrize("category", ["intermittent", "lumpy"])
def test_when_intermittent_categories_then_many_zeros(category: DemandCategory) -> None:
    rng = np.random.default_rng(5)
    zero_share = np.mean([np.mean(intermittent_demand(300, category, rng) == 0) for _ in range(20)])
    assert zero_share > 1 - 1 / ADI_CUTOFF  # ADI >= 1.32 means at least ~24% zeros


def test_when_classifying_known_series_then_syntetos_boylan_quadrants() -> None:
    assert classify_demand([5, 5, 6, 5, 4, 5]) == "smooth"
    assert classify_demand([1, 20, 1, 30, 2, 1]) == "erratic"
    assert classify_demand([0, 0, 5, 0, 0, 6, 0, 5]) == "intermittent"
    assert classify_demand([0, 0, 1, 0, 0, 40, 0, 2]) == "lumpy"
    adi, cv2 = adi_cv2([0, 2, np.nan, 0, 2])
    assert adi == 2.0  # NaN periods do not count
    assert cv2 == 0.0
    assert adi_cv2([0, 0]) == (float("inf"), 0.0)
    assert (ADI_CUTOFF, CV2_CUTOFF) == (1.32, 0.49)


def test_when_unknown_category_then_value_error_names_category() -> None:
    with pytest.raises(ValueError, match="category"):
        intermittent_demand(50, "bursty", np.random.default_rng(0))  # type: ignore[arg-type]


def test_when_supply_series_generated_then_non_negative_integer_float32() -> None:
    rng = np.random.default_rng(0)
    series = [generate_supply_series(int(n), rng) for n in rng.integers(2, 600, size=300)]
    assert all(s.dtype == np.float32 for s in series)
    assert all(_is_count(s.astype(np.float64)) for s in series)
    assert all(np.any(~np.isnan(s)) for s in series)
    assert any(np.isnan(s).any() for s in series)  # some carry missing runs
    assert any(np.mean(s == 0) > 0.5 for s in series)  # some are intermittent


def test_when_same_seed_then_same_supply_series() -> None:
    first = generate_supply_series(400, np.random.default_rng(3))
    again = generate_supply_series(400, np.random.default_rng(3))
    np.testing.assert_array_equal(first, again)


def test_when_rate_drawn_then_positive_with_given_length() -> None:
    rng = np.random.default_rng(2)
    for frequency in ("D", "W", "M", None):
        rate = demand_rate(365, rng, frequency=frequency)  # type: ignore[arg-type]
        assert rate.shape == (365,)
        assert np.all(rate > 0)
    with pytest.raises(ValueError, match="frequency"):
        demand_rate(10, rng, frequency="H")  # type: ignore[arg-type]


def test_when_promotions_then_uplift_followed_by_dip() -> None:
    rng = np.random.default_rng(4)
    rate = apply_promotions(np.ones(200), rng)
    first_up = int(np.argmax(rate > 1))
    assert rate.max() >= 1.5
    assert rate.min() < 1
    assert np.any(rate[first_up:] < 1)  # the dip comes after an uplift


def test_when_launched_then_zero_before_launch_and_full_rate_at_the_end() -> None:
    rng = np.random.default_rng(6)
    for _ in range(20):
        rate = apply_launch(np.full(300, 10.0), rng)
        counts = sample_counts(rate, rng)
        launch = int(np.argmax(rate > 0))
        assert np.all(counts[:launch] == 0)
        assert rate[-1] == pytest.approx(10.0, rel=0.02)
        assert np.all(np.diff(rate) >= 0)


def test_when_end_of_life_then_trailing_exact_zeros() -> None:
    rng = np.random.default_rng(8)
    for _ in range(20):
        rate = apply_end_of_life(np.full(300, 10.0), rng)
        counts = sample_counts(rate, rng)
        assert np.all(np.diff(rate) <= 0)
        if rate[-1] == 0:
            assert np.all(counts[int(np.argmax(rate == 0)) :] == 0)
    assert any(apply_end_of_life(np.ones(300), rng)[-1] == 0 for _ in range(20))


def test_when_level_shift_then_rate_is_piecewise_constant_with_a_jump() -> None:
    rate = apply_level_shifts(np.ones(100), np.random.default_rng(9))
    assert 1 <= np.count_nonzero(np.diff(rate)) <= 2


def test_when_negative_binomial_then_overdispersed_counts() -> None:
    rng = np.random.default_rng(10)
    poisson = sample_counts(np.full(20000, 5.0), rng)
    negbin = sample_counts(np.full(20000, 5.0), rng, dispersion=2.0)
    assert poisson.var() == pytest.approx(5.0, rel=0.1)
    assert negbin.var() == pytest.approx(5.0 + 25.0 / 2.0, rel=0.1)
    with pytest.raises(ValueError, match="rate"):
        sample_counts([-1.0], rng)
    with pytest.raises(ValueError, match="dispersion"):
        sample_counts([1.0], rng, dispersion=0.0)


def test_when_outliers_and_missing_added_then_counts_stay_counts_and_ends_observed() -> None:
    rng = np.random.default_rng(12)
    base = sample_counts(np.full(400, 3.0), rng)
    spiked = add_outliers(base, rng)
    assert _is_count(spiked)
    assert np.count_nonzero(spiked != base) >= 1
    for _ in range(20):
        holed = add_missing(spiked, rng)
        missing = np.isnan(holed)
        assert 1 <= missing.sum() <= 100
        assert not missing[0]
        assert not missing[-1]
        np.testing.assert_array_equal(holed[~missing], spiked[~missing])
