from __future__ import annotations

import numpy as np
import pytest
from stockpyl.loss_functions import normal_loss, poisson_loss

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.demand import (
    DiscreteDistribution,
    NormalDistribution,
    normal_protection,
    paths_from_quantiles,
    protection_from_paths,
)
from supplymind.inventory.params import LeadTime


def test_when_the_loss_of_a_poisson_law_is_computed_then_it_matches_stockpyl() -> None:
    dist = DiscreteDistribution.poisson(12.0)
    for x in (0, 5, 12, 20):
        assert dist.loss(x) == pytest.approx(poisson_loss(x, 12.0)[0], rel=1e-9, abs=1e-12)
    assert dist.mean == pytest.approx(12.0)
    assert dist.quantile(0.5) == 12.0


def test_when_the_loss_of_a_normal_law_is_computed_then_it_matches_stockpyl() -> None:
    dist = NormalDistribution(50.0, 8.0)
    for x in (30.0, 50.0, 61.5):
        assert dist.loss(x) == pytest.approx(normal_loss(x, 50.0, 8.0)[0], rel=1e-9)


def test_when_samples_are_given_then_loss_is_the_mean_shortage_between_and_at_points() -> None:
    samples = np.array([0, 0, 1, 3, 3, 7], dtype=float)
    dist = DiscreteDistribution.from_samples(samples)
    for x in (-1.0, 0.0, 0.5, 3.0, 4.2, 7.0, 9.0):
        assert dist.loss(x) == pytest.approx(np.maximum(samples - x, 0).mean())
    assert dist.cdf(3.0) == pytest.approx(5 / 6)


def test_when_lead_time_is_fixed_then_protection_demand_is_the_sum_over_l_plus_r() -> None:
    rng = np.random.default_rng(0)
    paths = rng.poisson(4, (5000, 6)).astype(float)
    demand = protection_from_paths(paths, LeadTime.fixed(2), 3, rng=rng)
    assert demand.protection.mean == pytest.approx(paths[:, :5].sum(axis=1).mean())
    assert demand.lead.mean == pytest.approx(paths[:, :2].sum(axis=1).mean())
    assert demand.cycle_mean == pytest.approx(3 * paths[:, :5].mean())


def test_when_lead_time_varies_then_the_sum_mixes_over_it() -> None:
    rng = np.random.default_rng(1)
    paths = np.full((20000, 8), 2.0)
    lead = LeadTime((1, 4), (0.5, 0.5))
    demand = protection_from_paths(paths, lead, 1, rng=rng)
    assert set(demand.protection.values.tolist()) == {4.0, 10.0}
    assert demand.protection.mean == pytest.approx(2.0 * (lead.mean + 1), rel=0.02)


def test_when_paths_are_shorter_than_the_protection_period_then_an_error_says_so() -> None:
    with pytest.raises(InventoryInputError, match="at least lead time"):
        protection_from_paths(np.ones((10, 2)), LeadTime.fixed(3), 1, rng=np.random.default_rng())


def test_when_paths_come_from_quantiles_then_marginals_and_the_sum_are_right() -> None:
    levels = np.array([0.1, 0.5, 0.9])
    quantiles = np.tile([10.0, 20.0, 30.0], (4, 1))
    rng = np.random.default_rng(2)
    independent = paths_from_quantiles(levels, quantiles, 40000, rng=rng)
    assert np.quantile(independent[:, 0], [0.1, 0.5, 0.9]) == pytest.approx([10, 20, 30], abs=0.6)
    correlated = paths_from_quantiles(levels, quantiles, 40000, rng=rng, rho=0.8)
    # Periods aggregated properly: spread of the sum grows with the correlation, and is far
    # below the sum of the quantiles when the periods are independent.
    sd_ind, sd_cor = independent.sum(axis=1).std(), correlated.sum(axis=1).std()
    assert sd_ind < sd_cor
    assert np.quantile(independent.sum(axis=1), 0.9) < 4 * 30 - 10


def test_when_paths_go_beyond_the_top_level_then_the_tail_is_exponential() -> None:
    # Deciles of an exponential(1) distribution: the tail beyond 0.9 continues it exactly,
    # where a linear extension would stop near 2.9 at the 0.99 level.
    levels = np.arange(1, 10) / 10
    quantiles = -np.log(1 - levels)[None, :]
    paths = paths_from_quantiles(levels, quantiles, 200000, rng=np.random.default_rng(0))
    assert np.quantile(paths[:, 0], [0.95, 0.99]) == pytest.approx(
        [-np.log(0.05), -np.log(0.01)], rel=0.03
    )


def test_when_the_normal_approximation_is_built_then_it_follows_the_textbook() -> None:
    demand = normal_protection(10.0, 3.0, LeadTime((2, 4), (0.5, 0.5)), 1)
    assert demand.protection.mean == pytest.approx(40.0)
    assert demand.protection.std == pytest.approx(np.sqrt(4 * 9 + 100 * 1))
    assert demand.lead.mean == pytest.approx(30.0)
