from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError, InventoryWarning
from supplymind.inventory.params import (
    CostParams,
    InventoryParams,
    LeadTime,
    OrderConstraints,
    ServiceTarget,
)
from supplymind.inventory.plan import plan_replenishment, replan

from .conftest import demand_frame

PARAMS = InventoryParams(lead_time=LeadTime.fixed(2), service=ServiceTarget(0.95))


def _forecast(history: pd.DataFrame, horizon: int = 5) -> pd.DataFrame:
    """A forecast in the Forecaster's format: flat quantiles of each item's history."""
    rows = []
    start = history["timestamp"].max()
    for item, group in history.groupby("item_id"):
        qs = np.quantile(group["target"], [0.1, 0.5, 0.9])
        for h in range(1, horizon + 1):
            rows.append(
                {
                    "item_id": item,
                    "timestamp": start + pd.Timedelta(days=h),
                    "mean": group["target"].mean(),
                    "0.1": qs[0],
                    "0.5": qs[1],
                    "0.9": qs[2],
                }
            )
    return pd.DataFrame(rows)


def test_when_a_plan_is_made_then_every_item_gets_levels_that_meet_the_target(
    history: pd.DataFrame,
) -> None:
    plan = plan_replenishment(history, PARAMS, n_samples=500)
    table = plan.table
    assert sorted(table["item_id"]) == ["I0", "I1", "I2"]
    assert (table["expected_fill_rate"] >= 0.95).all()
    assert (table["order_up_to"] >= table["protection_mean"] * 0.5).all()
    assert (table["order_up_to"] == np.ceil(table["order_up_to"])).all()  # whole units


def test_when_a_forecast_in_the_forecaster_format_is_given_then_it_drives_the_plan(
    history: pd.DataFrame,
) -> None:
    plan = plan_replenishment(history, PARAMS, forecast=_forecast(history), n_samples=500)
    assert set(plan.table["demand_model"]) == {"forecast quantiles"}


def test_when_the_forecast_misses_items_then_the_error_lists_them(history: pd.DataFrame) -> None:
    partial = _forecast(history)
    partial = partial[partial["item_id"] != "I2"]
    with pytest.raises(InventoryInputError, match=r"no rows for 1 series: \['I2'\]"):
        plan_replenishment(history, PARAMS, forecast=partial)


def test_when_the_forecast_is_short_then_a_warning_says_it_was_extended(
    history: pd.DataFrame,
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan_replenishment(history, PARAMS, forecast=_forecast(history, horizon=2), n_samples=200)
    assert any(issubclass(w.category, InventoryWarning) for w in caught)


def test_when_lead_time_is_longer_than_the_history_then_the_error_says_so() -> None:
    short = demand_frame(n_periods=10)
    with pytest.raises(InventoryInputError, match="lead time \\+ review period"):
        plan_replenishment(short, InventoryParams(lead_time=LeadTime.fixed(14)))


@pytest.mark.parametrize("method", ["empirical", "normal", "normal_ets", "ets"])
def test_when_a_baseline_model_is_chosen_then_it_is_used(
    history: pd.DataFrame, method: str
) -> None:
    plan = plan_replenishment(history, PARAMS, method=method, n_samples=200)  # type: ignore[arg-type]
    assert len(plan.table) == 3


def test_when_stock_is_known_then_order_now_respects_moq_and_packs() -> None:
    history = demand_frame(n_items=2, intermittent=0).assign(location_id="DC1")
    params = InventoryParams(
        lead_time=LeadTime.fixed(3),
        review_period=7,
        costs=CostParams(1, 0, 20),
        constraints=OrderConstraints(moq=40, pack_size=12),
        service=ServiceTarget(0.9),
        policy="s_S",
    )
    stock = pd.DataFrame(
        {"item_id": ["I0", "I1"], "location_id": ["DC1", "DC1"], "on_hand": [0.0, 1e6]}
    )
    table = plan_replenishment(history, params, inventory=stock, n_samples=300).table
    low, high = table.set_index("item_id").loc["I0"], table.set_index("item_id").loc["I1"]
    assert low["order_now"] >= 40
    assert low["order_now"] % 12 == 0
    assert high["order_now"] == 0
    assert list(table.columns[:2]) == ["item_id", "location_id"]


def test_when_new_demand_arrives_then_replan_reuses_the_model(history: pd.DataFrame) -> None:
    early = history[history["timestamp"] < history["timestamp"].max() - pd.Timedelta(days=10)]
    plan = plan_replenishment(early, PARAMS, n_samples=300)
    again = replan(plan, history)
    assert again.model is plan.model
    assert len(again.table) == 3
