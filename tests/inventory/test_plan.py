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
from supplymind.inventory.plan import SHORT_HISTORY_FALLBACK, plan_replenishment, replan

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


def test_when_lead_time_is_longer_than_every_history_then_all_items_get_the_fallback() -> None:
    short = demand_frame(n_periods=10)
    with pytest.warns(InventoryWarning, match=r"3 series have fewer observed periods"):
        plan = plan_replenishment(short, InventoryParams(lead_time=LeadTime.fixed(14)))
    assert set(plan.table["demand_model"]) == {SHORT_HISTORY_FALLBACK}


def _with_item(history: pd.DataFrame, item: str, values: list[float]) -> pd.DataFrame:
    """``history`` plus ``item`` observed over its last ``len(values)`` periods."""
    stamps = np.sort(history["timestamp"].unique())[-len(values) :]
    extra = pd.DataFrame({"item_id": item, "timestamp": stamps, "target": values})
    return pd.concat([history, extra], ignore_index=True)


def test_when_one_item_has_too_little_history_then_it_gets_the_fallback_and_others_plan_as_usual(
    history: pd.DataFrame,
) -> None:
    """Lead time 2 + review 1 needs 3 observed periods; the new item has 1."""
    usual = plan_replenishment(history, PARAMS, method="empirical", n_samples=300).table
    with pytest.warns(InventoryWarning, match=r"fallback.*\['NEW \(1 observed < 3\)'\]"):
        plan = plan_replenishment(
            _with_item(history, "NEW", [5.0]), PARAMS, method="empirical", n_samples=300
        )
    table = plan.table.set_index("item_id")
    new = table.loc["NEW"]
    assert new["demand_model"] == SHORT_HISTORY_FALLBACK
    # normal over 3 periods: mean 3 * 5, sd raised to the Poisson sqrt(5) per period
    assert new["protection_mean"] == pytest.approx(15.0)
    assert new["protection_sd"] == pytest.approx(np.sqrt(15.0))
    assert new["order_up_to"] > 15.0
    assert new["expected_fill_rate"] >= 0.95
    assert list(plan.table.columns) == list(usual.columns)
    pd.testing.assert_frame_equal(
        plan.table[plan.table["item_id"] != "NEW"].reset_index(drop=True), usual
    )
    assert any("NEW" in note for note in plan.notes)


def test_when_an_item_has_no_observed_demand_then_it_is_left_out_with_a_warning(
    history: pd.DataFrame,
) -> None:
    gone = _with_item(history, "GONE", [np.nan] * 4)
    with pytest.warns(InventoryWarning, match=r"left out of the plan: \['GONE'\]"):
        plan = plan_replenishment(gone, PARAMS, method="empirical", n_samples=300)
    assert sorted(plan.table["item_id"]) == ["I0", "I1", "I2"]
    assert "GONE" not in plan.params
    assert any("GONE" in note for note in plan.notes)


def test_when_no_item_has_observed_demand_then_the_error_says_so(history: pd.DataFrame) -> None:
    with pytest.raises(InventoryInputError, match="expected observed demand for at least one"):
        plan_replenishment(history.assign(target=np.nan), PARAMS, method="empirical")


def test_when_a_forecast_is_given_then_an_item_with_a_short_history_is_planned_from_it(
    history: pd.DataFrame,
) -> None:
    """With a forecast the history only dates it: no fallback, no warning."""
    short = _with_item(history, "NEW", [5.0])
    forecast = _forecast(short)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InventoryWarning)
        plan = plan_replenishment(short, PARAMS, forecast=forecast, n_samples=300)
    assert set(plan.table["demand_model"]) == {"forecast quantiles"}
    assert len(plan.table) == 4


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
