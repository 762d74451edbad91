"""Portfolio fill-rate targets: the least stock meeting a fill rate pooled over items."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.backtest import backtest
from supplymind.inventory.demand import (
    DiscreteDistribution,
    ProtectionDemand,
    normal_protection,
)
from supplymind.inventory.params import InventoryParams, LeadTime, ServiceTarget
from supplymind.inventory.plan import policies_for
from supplymind.inventory.policies import compute_policy, fill_rate_levels
from supplymind.inventory.portfolio import portfolio_fill_rate_levels


def _periods(values: list[float], probs: list[float], lead: int, review: int) -> ProtectionDemand:
    """Exact lead-time and protection demand of i.i.d. whole-unit periods (convolutions)."""
    pmf = np.zeros(int(max(values)) + 1)
    pmf[np.asarray(values, dtype=np.int64)] = probs

    def law(periods: int) -> DiscreteDistribution:
        out = np.array([1.0])
        for _ in range(periods):
            out = np.convolve(out, pmf)
        keep = out > 0
        return DiscreteDistribution(np.arange(out.size, dtype=np.float64)[keep], out[keep])

    mean = float(np.dot(values, probs))
    return ProtectionDemand(law(lead + review), law(lead), mean, review)


def _poisson(mean: float, lead: int, review: int) -> ProtectionDemand:
    return ProtectionDemand(
        DiscreteDistribution.poisson(mean * (lead + review)),
        DiscreteDistribution.poisson(mean * lead) if lead else _zero(),
        mean,
        review,
    )


def _zero() -> DiscreteDistribution:
    return DiscreteDistribution(np.array([0.0]), np.array([1.0]))


#: Items of different speeds, shapes and review periods (whole units and normal).
SMOOTH = {
    "fast": _poisson(12.0, 2, 1),
    "slow": _poisson(0.4, 2, 1),
    "weekly": _poisson(3.0, 1, 7),
    "normal": normal_protection(20.0, 9.0, LeadTime.fixed(2), 1),
    "lumpy": _periods([0, 2, 6], [0.7, 0.2, 0.1], 1, 1),
}
#: Three small whole-unit items (supports up to 10 units), for the brute force.
SMALL = {
    "a": _periods([0, 1, 2, 3], [0.4, 0.3, 0.2, 0.1], 1, 1),
    "b": _periods([0, 5], [0.8, 0.2], 1, 1),
    "c": _periods([0, 1, 2], [0.1, 0.5, 0.4], 0, 1),
}


def _stock(demand: ProtectionDemand, level: float) -> float:
    """Expected stock at the end of a cycle, ``E[(S - D(L+R))+]``."""
    at = np.array([level])
    return float(level - demand.protection.mean + demand.protection.loss(at)[0])


def _short(demand: ProtectionDemand, level: float) -> float:
    """Expected units short per review cycle."""
    at = np.array([level])
    return float(demand.protection.loss(at)[0] - demand.lead.loss(at)[0])


def _pooled(demands: dict[str, ProtectionDemand], levels: dict[str, float]) -> float:
    cycle = sum(d.cycle_mean for d in demands.values())
    return 1.0 - sum(_short(d, levels[s]) for s, d in demands.items()) / cycle


def _total(demands: dict[str, ProtectionDemand], levels: dict[str, float]) -> float:
    return sum(_stock(d, levels[s]) for s, d in demands.items())


def _solve(demands: dict[str, ProtectionDemand], target: float) -> dict[str, float]:
    return {s: float(v[0]) for s, v in portfolio_fill_rate_levels(demands, [target]).items()}


@pytest.mark.parametrize("items", [SMOOTH, SMALL], ids=["smooth", "small"])
@pytest.mark.parametrize("target", [0.7, 0.8, 0.9, 0.95, 0.98])
def test_when_items_share_a_portfolio_target_then_it_is_met_with_no_more_stock_than_per_item(
    items: dict[str, ProtectionDemand], target: float
) -> None:
    pooled = _solve(items, target)
    per_item = {s: float(fill_rate_levels(d, [target])[0]) for s, d in items.items()}
    assert _pooled(items, pooled) >= target - 1e-9
    assert _pooled(items, per_item) >= target - 1e-9  # every item meets it, so the pool does
    assert _total(items, pooled) <= _total(items, per_item) + 1e-9


def test_when_items_differ_then_the_portfolio_holds_strictly_less_stock() -> None:
    pooled = _solve(SMOOTH, 0.95)
    per_item = {s: float(fill_rate_levels(d, [0.95])[0]) for s, d in SMOOTH.items()}
    assert _total(SMOOTH, pooled) < 0.97 * _total(SMOOTH, per_item)


@pytest.mark.parametrize("target", [0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99])
def test_when_every_combination_is_enumerated_then_the_solver_finds_the_cheapest(
    target: float,
) -> None:
    ids = list(SMALL)
    tops = [int(SMALL[s].protection.values[-1]) for s in ids]
    best = np.inf
    for combo in itertools.product(*(range(top + 1) for top in tops)):
        levels = dict(zip(ids, map(float, combo), strict=True))
        if _pooled(SMALL, levels) >= target - 1e-12:
            best = min(best, _total(SMALL, levels))
    solved = _solve(SMALL, target)
    assert _pooled(SMALL, solved) >= target - 1e-9
    # Whole-unit allocation is a knapsack: the Lagrangian plus greedy descent is within 2%
    # of the cheapest combination here (exact at most targets), never above it by more.
    assert best - 1e-9 <= _total(SMALL, solved) <= best * 1.02 + 1e-9


def test_when_the_target_rises_then_no_level_falls() -> None:
    targets = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]
    solved = portfolio_fill_rate_levels(SMOOTH, targets)
    for levels in solved.values():
        assert np.all(np.diff(levels) >= 0)
    totals = [_total(SMOOTH, {s: float(v[j]) for s, v in solved.items()}) for j in range(6)]
    assert np.all(np.diff(totals) > 0)


def test_when_demand_comes_in_whole_units_then_levels_are_whole_and_no_demand_gets_zero() -> None:
    items = {**SMALL, "fast": SMOOTH["fast"], "idle": ProtectionDemand(_zero(), _zero(), 0.0, 1)}
    solved = portfolio_fill_rate_levels(items, [0.9, 0.99])
    for sid in (*SMALL, "fast"):
        assert np.array_equal(solved[sid], np.round(solved[sid]))
    assert np.array_equal(solved["idle"], [0.0, 0.0])
    assert solved["fast"][1] > 0


@pytest.mark.parametrize("target", [0.0, 1.0, 1.5, -0.2])
def test_when_a_portfolio_target_is_outside_zero_one_then_the_error_says_so(
    target: float,
) -> None:
    with pytest.raises(InventoryInputError, match=r"portfolio fill-rate target.*in \(0, 1\)"):
        portfolio_fill_rate_levels(SMALL, [0.9, target])


def test_when_a_portfolio_target_is_a_cycle_service_then_the_error_names_the_scope() -> None:
    with pytest.raises(InventoryInputError, match=r"ServiceTarget\.scope.*found kind 'cycle'"):
        ServiceTarget(0.95, "cycle", "portfolio")


def test_when_policies_are_computed_then_portfolio_series_are_pooled_by_target_level() -> None:
    item = InventoryParams(service=ServiceTarget(0.95))
    at_90 = InventoryParams(service=ServiceTarget(0.9, scope="portfolio"))
    at_95 = InventoryParams(service=ServiceTarget(0.95, scope="portfolio"), policy="newsvendor")
    params = {"fast": at_90, "slow": at_90, "normal": at_95, "lumpy": at_95, "weekly": item}
    policies = policies_for(SMOOTH, params)
    assert list(policies) == list(SMOOTH)
    assert policies["weekly"] == compute_policy(SMOOTH["weekly"], item)
    for group, target in ((("fast", "slow"), 0.9), (("normal", "lumpy"), 0.95)):
        expected = portfolio_fill_rate_levels({s: SMOOTH[s] for s in group}, [target])
        for sid in group:
            policy = policies[sid]
            assert policy.order_up_to == policy.reorder_point == expected[sid][0]
            assert policy.safety_stock == pytest.approx(
                expected[sid][0] - SMOOTH[sid].protection.mean
            )
    assert policies["normal"].kind == "newsvendor"
    assert policies["normal"].order_quantity == policies["normal"].order_up_to
    # a target given for all series pools all of them
    everyone = policies_for(SMOOTH, params, service=ServiceTarget(0.95, scope="portfolio"))
    together = portfolio_fill_rate_levels(SMOOTH, [0.95])
    assert {s: p.order_up_to for s, p in everyone.items()} == {s: v[0] for s, v in together.items()}


def test_when_a_portfolio_target_meets_an_r_q_policy_then_the_error_names_series_and_policy() -> (
    None
):
    pooled = ServiceTarget(0.95, scope="portfolio")
    params = {
        "fast": InventoryParams(service=pooled),
        "slow": InventoryParams(service=pooled, policy="r_Q"),
    }
    demands = {s: SMOOTH[s] for s in params}
    with pytest.raises(InventoryInputError, match=r"series 'slow'.*portfolio.*found policy 'r_Q'"):
        policies_for(demands, params)


def test_when_a_portfolio_plan_is_backtested_then_its_frontier_matches_the_simulation(
    split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    history, test = split
    params = InventoryParams(
        lead_time=LeadTime.fixed(2), service=ServiceTarget(0.9, scope="portfolio")
    )
    result = backtest(
        history,
        test,
        params,
        method="empirical",
        n_samples=200,
        replan_every=7,
        frontier_targets=[0.9, 0.95],
    )
    assert result.frontier is not None
    at_target = result.frontier.set_index("target").loc[0.9]
    assert at_target["fill_rate"] == pytest.approx(result.simulation.totals["fill_rate"])
    assert at_target["average_on_hand"] == pytest.approx(
        result.simulation.totals["average_on_hand"]
    )
    assert set(result.plan.table["target"]) == {"fill_rate 0.9 over the portfolio"}
