from __future__ import annotations

import re
from pathlib import Path

import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.params import (
    CostParams,
    InventoryParams,
    LeadTime,
    OrderConstraints,
    ServiceTarget,
)

BAD = [
    (lambda: CostParams(holding_cost=-1.0), "holding_cost"),
    (lambda: CostParams(shortage_cost=float("nan")), "shortage_cost"),
    (lambda: CostParams(order_cost=-5.0), "order_cost"),
    (lambda: CostParams(shortage="lost"), "shortage"),  # type: ignore[arg-type]
    (lambda: ServiceTarget(0.0), "level"),
    (lambda: ServiceTarget(1.0), "level"),
    (lambda: ServiceTarget(95.0), "level"),
    (lambda: ServiceTarget(0.9, "type1"), "kind"),  # type: ignore[arg-type]
    (
        lambda: ServiceTarget(0.9, scope="pooled"),  # type: ignore[arg-type]
        re.escape("ServiceTarget.scope: expected one of ['item', 'portfolio'], found 'pooled'"),
    ),
    (
        lambda: ServiceTarget(0.9, "cycle", "portfolio"),
        re.escape(
            "ServiceTarget.scope: a portfolio target pools the fill rate over items and "
            "expected kind 'fill_rate', found kind 'cycle'"
        ),
    ),
    (
        lambda: InventoryParams.from_options(service_level=0.9, service_scope="all"),
        re.escape(
            "InventoryParams.service_scope: expected one of ['item', 'portfolio'], found 'all'"
        ),
    ),
    (
        lambda: InventoryParams.from_options(
            holding_cost=1.0, shortage_cost=9.0, service_scope="portfolio"
        ),
        "service_scope: a portfolio scope pools a fill-rate target over items and expected a "
        "service level",
    ),
    (lambda: LeadTime.fixed(-1), "lead_time"),
    (lambda: LeadTime((1, 2), (0.5, 0.6)), "probabilities"),
    (lambda: LeadTime((2, 1), (0.5, 0.5)), "values"),
    (lambda: LeadTime.parse("two"), "lead_time"),
    (lambda: LeadTime.from_samples([1.5, 2]), "whole periods"),
    (lambda: OrderConstraints(pack_size=0), "pack_size"),
    (lambda: OrderConstraints(moq=-1), "moq"),
    (lambda: OrderConstraints(moq=50, capacity=20), "capacity"),
    (lambda: InventoryParams(review_period=0), "review_period"),
    (lambda: InventoryParams(policy="kanban"), "policy"),  # type: ignore[arg-type]
    (lambda: InventoryParams(costs=CostParams(holding_cost=0.0)), "holding_cost"),
    (lambda: InventoryParams.from_options(service_level=None, holding_cost=1.0), "--shortage-cost"),
    (lambda: InventoryParams.from_options(service_level=1.2), "level"),
    (lambda: InventoryParams().with_overrides(colour="red"), "colour"),
]


@pytest.mark.parametrize(("make", "named"), BAD, ids=[n for _, n in BAD])
def test_when_a_parameter_breaks_a_rule_then_the_error_names_it(make: object, named: str) -> None:
    with pytest.raises(InventoryInputError, match=named):
        make()  # type: ignore[operator]


def test_when_an_order_is_rounded_then_moq_pack_and_capacity_hold() -> None:
    rules = OrderConstraints(moq=30, pack_size=12, capacity=120)
    assert rules.round_order(0) == 0
    assert rules.round_order(-3) == 0
    assert rules.round_order(1) == 36  # MOQ 30 rounded up to a pack multiple
    assert rules.round_order(50) == 60
    assert rules.round_order(1000) == 120


def test_when_lead_time_is_parsed_then_mean_variance_and_pmf_follow() -> None:
    lead = LeadTime.parse("3:0.5,1:0.25,2:0.25")
    assert lead.values == (1, 2, 3)
    assert lead.mean == pytest.approx(2.25)
    assert lead.variance == pytest.approx(0.6875)
    assert lead.pmf().tolist() == [0.0, 0.25, 0.25, 0.5]
    assert LeadTime.parse("4").is_fixed


def test_when_options_give_an_order_cost_then_auto_picks_r_q_or_s_s() -> None:
    assert InventoryParams.from_options(service_level=0.9).policy == "base_stock"
    assert InventoryParams.from_options(service_level=0.9, order_cost=5).policy == "r_Q"
    chosen = InventoryParams.from_options(service_level=0.9, order_cost=5, review_period=7)
    assert chosen.policy == "s_S"
    by_cost = InventoryParams.from_options(holding_cost=1, shortage_cost=9, policy="base-stock")
    assert by_cost.service is None
    assert by_cost.costs.critical_ratio == pytest.approx(0.9)


def test_when_params_come_from_toml_then_every_field_is_read(tmp_path: Path) -> None:
    path = tmp_path / "inv.toml"
    path.write_text(
        "[inventory]\nlead_time = '2:0.5,4:0.5'\nreview_period = 7\nservice_level = 0.97\n"
        "holding_cost = 0.2\nshortage_cost = 3.0\nmoq = 10\npack_size = 5\npolicy = 's_S'\n"
        "order_cost = 2.5\n"
    )
    params = InventoryParams.from_file(path)
    assert params.lead_time.mean == 3
    assert params.review_period == 7
    assert params.service == ServiceTarget(0.97)
    assert params.constraints == OrderConstraints(moq=10, pack_size=5)
    assert params.costs == CostParams(0.2, 3.0, 2.5)
    assert params.policy == "s_S"


def test_when_a_portfolio_scope_is_asked_then_options_and_files_carry_it(tmp_path: Path) -> None:
    pooled = InventoryParams.from_options(service_level=0.95, service_scope="portfolio")
    assert pooled.service == ServiceTarget(0.95, "fill_rate", "portfolio")
    assert InventoryParams.from_options(service_level=0.95).service == ServiceTarget(0.95)
    assert ServiceTarget(0.95).scope == "item"
    path = tmp_path / "inv.toml"
    path.write_text("service_level = 0.9\nservice_scope = 'portfolio'\n")
    assert InventoryParams.from_file(path).service == ServiceTarget(0.9, scope="portfolio")
