from __future__ import annotations

import numpy as np
import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.params import CostParams, InventoryParams, LeadTime, OrderConstraints
from supplymind.inventory.policies import Policy
from supplymind.inventory.simulate import METRICS, simulate

BASE = Policy("base_stock", 10.0, 10.0, 4.0, 0.0)


def _demand(seed: int = 0, n: int = 4, periods: int = 300) -> np.ndarray:
    return np.random.default_rng(seed).poisson(4, (n, periods)).astype(float)


def test_when_demand_is_known_then_costs_and_fill_rate_follow_by_hand() -> None:
    """Lead time 1, order up to 5, demand 3, 7, 0, 1, computed by hand."""
    params = InventoryParams(lead_time=LeadTime.fixed(1), costs=CostParams(1.0, 10.0, 2.0))
    run = simulate([[3.0, 7.0, 0.0, 1.0]], [Policy("base_stock", 5, 5, 3, 0)], params)
    # t0: position 5, no order; sell 3 -> 2 on hand.                       holding 2
    # t1: position 2, order 3 (due t2); sell 2 of 7 -> backlog 5.           shortage 5
    # t2: +3, position 3 - 5 = -2, order 7 (due t3); backlog 5 - 3 = 2.     shortage 2
    # t3: +7, position 7 - 2 = 5, no order; backlog cleared, sell 1 -> 4.   holding 4
    row = run.per_item.iloc[0]
    assert run.on_hand[0].tolist() == [2, 0, 0, 4]
    assert run.backorders[0].tolist() == [0, 5, 2, 0]
    assert run.orders[0].tolist() == [0, 3, 7, 0]
    assert row["holding_cost"] == 6
    assert row["shortage_cost"] == 70
    assert row["ordering_cost"] == 4
    assert row["fill_rate"] == pytest.approx(6 / 11)
    assert row["n_orders"] == 2


def test_when_sales_are_lost_then_no_backlog_builds_up() -> None:
    params = InventoryParams(
        lead_time=LeadTime.fixed(1), costs=CostParams(1.0, 10.0, shortage="lost_sales")
    )
    run = simulate([[3.0, 7.0, 0.0, 1.0]], [Policy("base_stock", 5, 5, 3, 0)], params)
    assert run.backorders.sum() == 0
    assert run.per_item["short_units"].iloc[0] == 5
    assert run.per_item["shortage_cost"].iloc[0] == 50


@pytest.mark.parametrize("kind", ["base_stock", "s_S", "r_Q"])
def test_when_orders_are_constrained_then_they_are_non_negative_packs_above_moq(kind: str) -> None:
    rules = OrderConstraints(moq=14, pack_size=6, capacity=60)
    params = InventoryParams(
        lead_time=LeadTime.parse("1:0.5,3:0.5"),
        review_period=2,
        costs=CostParams(1, 9, 5),
        constraints=rules,
        policy=kind,  # type: ignore[arg-type]
    )
    policy = Policy(kind, 8.0, 30.0, 18.0, 0.0)  # type: ignore[arg-type]
    run = simulate(_demand(), [policy] * 4, params, seed=3)
    placed = run.orders[run.orders > 0]
    assert (run.orders >= 0).all()
    assert np.allclose(placed % 6, 0)
    assert (placed >= 14).all()
    assert (placed <= 60).all()
    assert set(METRICS) <= set(run.per_item.columns)


def test_when_the_seed_is_the_same_then_the_result_is_the_same() -> None:
    params = InventoryParams(lead_time=LeadTime.parse("1:0.3,2:0.4,5:0.3"))
    first = simulate(_demand(), [BASE] * 4, params, seed=11)
    again = simulate(_demand(), [BASE] * 4, params, seed=11)
    other = simulate(_demand(), [BASE] * 4, params, seed=12)
    assert first.per_item.equals(again.per_item)
    assert np.array_equal(first.on_hand, again.on_hand)
    assert not np.array_equal(first.on_hand, other.on_hand)


def test_when_there_is_a_warmup_then_its_periods_are_not_measured() -> None:
    params = InventoryParams(lead_time=LeadTime.fixed(2))
    demand = _demand(n=1, periods=50)
    run = simulate(demand, [BASE], params, warmup=20)
    assert run.totals["demand"] == demand[0, 20:].sum()
    assert run.totals["n_periods"] == 30


def test_when_levels_are_updated_then_orders_follow_the_new_levels() -> None:
    params = InventoryParams(lead_time=LeadTime.fixed(0))
    demand = np.full((1, 10), 2.0)
    high = Policy("base_stock", 20.0, 20.0, 2.0, 0.0)
    run = simulate(demand, [BASE], params, updates={5: [high]})
    assert run.on_hand[0, 4] == 8
    assert run.on_hand[0, 5] == 18


@pytest.mark.parametrize(
    ("demand", "named"),
    [([[1.0, -2.0]], "demand"), ([[1.0, float("nan")]], "demand"), ([[]], "demand")],
)
def test_when_demand_is_bad_then_the_error_names_it(demand: list[list[float]], named: str) -> None:
    with pytest.raises(InventoryInputError, match=named):
        simulate(demand, [BASE], InventoryParams())


def test_when_policies_and_items_disagree_then_an_error_says_how_many() -> None:
    with pytest.raises(InventoryInputError, match="one per item"):
        simulate(_demand(n=2), [BASE], InventoryParams())


def test_when_an_item_is_measured_over_fewer_periods_then_it_equals_its_own_shorter_run() -> None:
    """An item padded after its own window gets the metrics of a run on its window only."""
    params = InventoryParams(lead_time=LeadTime.fixed(2), review_period=3)
    demand = _demand(n=2, periods=40)
    both = simulate(demand, [BASE] * 2, params, warmup=5, periods=[20, 35])
    alone = simulate(demand[:1, :25], [BASE], params, warmup=5)
    assert both.per_item.iloc[0].to_numpy() == pytest.approx(alone.per_item.iloc[0].to_numpy())
    assert both.per_item["demand"].tolist() == [demand[0, 5:25].sum(), demand[1, 5:40].sum()]
    assert both.totals["n_periods"] == 35


@pytest.mark.parametrize("periods", [[0, 5], [5], [5, 36], [2.5, 5]])
def test_when_measured_periods_are_invalid_then_the_error_names_them(periods: list) -> None:
    params = InventoryParams(lead_time=LeadTime.fixed(1))
    with pytest.raises(InventoryInputError, match="periods: expected one whole number"):
        simulate(_demand(n=2, periods=40), [BASE] * 2, params, warmup=5, periods=periods)
