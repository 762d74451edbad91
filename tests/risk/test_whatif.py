"""What-if disruption on a hand-made item and on the sample company."""

from __future__ import annotations

import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.whatif import WHATIF_COLUMNS, Disruption, run_whatif, whatif_alerts

START = pd.Timestamp("2024-03-01")


def _case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One item at DC1 selling 10 a day, 100 in stock, 150 on order from S1 due in 5 days;
    S1 and S2 both delivered in 4 days before."""
    days = pd.date_range(START - pd.Timedelta(days=90), periods=90, freq="D")
    demand = pd.DataFrame({"item_id": "A", "location_id": "DC1", "timestamp": days, "target": 10.0})
    inventory = pd.DataFrame(
        {"item_id": ["A"], "location_id": ["DC1"], "timestamp": [START], "on_hand": [100.0]}
    )
    past = [
        {
            "po_id": f"P{i}",
            "item_id": "A",
            "supplier_id": "S1" if i % 2 else "S2",
            "location_id": "DC1",
            "ordered_at": START - pd.Timedelta(days=80 - 7 * i),
            "promised_at": START - pd.Timedelta(days=76 - 7 * i),
            "received_at": START - pd.Timedelta(days=76 - 7 * i),
            "quantity": 70.0,
        }
        for i in range(10)
    ]
    open_order = {
        "po_id": "P99",
        "item_id": "A",
        "supplier_id": "S1",
        "location_id": "DC1",
        "ordered_at": START - pd.Timedelta(days=1),
        "promised_at": START + pd.Timedelta(days=5),
        "received_at": pd.NaT,
        "quantity": 150.0,
    }
    return demand, inventory, pd.DataFrame([*past, open_order])


def test_when_the_supplier_of_an_open_order_closes_then_stock_runs_out_earlier() -> None:
    result = run_whatif(*_case(), Disruption(closed_suppliers=("S1",)), now=START, horizon_days=40)
    row = result.table.iloc[0]
    assert list(result.table.columns) == list(WHATIF_COLUMNS)
    assert row["net_stock"] == 100.0
    assert (row["on_order_usual"], row["on_order_disrupted"]) == (150.0, 0.0)
    # usually: 100 + 150 lasts 25 days; without the open order: 10 days
    assert row["stockout_usual"] == START + pd.Timedelta(days=26)
    assert row["stockout_disrupted"] == START + pd.Timedelta(days=11)
    assert row["newly_at_risk"]
    assert row["can_reorder"]
    assert row["reorder_point_usual"] == row["reorder_point_disrupted"]
    assert "runs out on 2024-03-12" in row["explanation"]
    alerts = whatif_alerts(result)
    assert [a.kind for a in alerts] == ["stockout_risk"]


def test_when_lead_times_double_then_the_reorder_point_rises_and_orders_come_later() -> None:
    result = run_whatif(*_case(), Disruption(lead_time_increase=1.0), now=START, horizon_days=40)
    row = result.table.iloc[0]
    assert row["lead_time_disrupted"] == pytest.approx(2 * row["lead_time_usual"])
    assert row["reorder_point_disrupted"] > row["reorder_point_usual"]
    # the open order now arrives 6 days later (ordered a day ago, promised in 5, +100%)
    assert row["below_reorder_disrupted"] <= row["below_reorder_usual"]


def test_when_every_supplier_closes_then_the_item_cannot_be_reordered() -> None:
    result = run_whatif(
        *_case(), Disruption(closed_suppliers=("S1", "S2")), now=START, horizon_days=40
    )
    row = result.table.iloc[0]
    assert not row["can_reorder"]
    assert row["action"] == "switch_supplier"
    assert whatif_alerts(result)[0].severity == "critical"


def test_when_a_location_closes_then_its_stock_is_unavailable(
    small_company: dict[str, pd.DataFrame],
) -> None:
    t = small_company
    result = run_whatif(
        t["demand"], t["inventory"], t["purchase_orders"], Disruption(closed_locations=("WH01",))
    )
    closed = result.table[result.table["location_id"] == "WH01"]
    other = result.table[result.table["location_id"] == "WH02"]
    assert (closed["on_order_disrupted"] == 0).all()
    assert not closed["can_reorder"].any()
    assert other["can_reorder"].all()
    assert result.summary["stockout_disrupted"] >= result.summary["stockout_usual"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Disruption(), "at least one"),
        (lambda: Disruption(lead_time_increase=-0.5), "lead_time_increase"),
        (lambda: Disruption(closed_suppliers="S1"), "closed_suppliers"),  # type: ignore[arg-type]
    ],
)
def test_when_a_scenario_is_bad_then_the_error_says_why(make, words: str) -> None:
    with pytest.raises(RiskInputError, match=words):
        make()


def test_when_ids_are_unknown_or_tables_incomplete_then_errors_are_clear() -> None:
    demand, inventory, po = _case()
    with pytest.raises(RiskInputError, match="unknown ids"):
        run_whatif(demand, inventory, po, Disruption(closed_suppliers=("S9",)), now=START)
    with pytest.raises(RiskInputError, match="inventory"):
        run_whatif(
            demand, inventory.drop(columns="on_hand"), po, Disruption(lead_time_increase=0.5)
        )
    with pytest.raises(RiskInputError, match="horizon_days"):
        run_whatif(demand, inventory, po, Disruption(lead_time_increase=0.5), horizon_days=0)
