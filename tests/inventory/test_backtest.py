from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.backtest import backtest, method_frontier
from supplymind.inventory.params import CostParams, InventoryParams, LeadTime, ServiceTarget

PARAMS = InventoryParams(
    lead_time=LeadTime.fixed(2), review_period=7, costs=CostParams(1, 9), service=ServiceTarget(0.9)
)


def test_when_a_plan_is_backtested_then_the_report_is_complete_json(
    split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    history, test = split
    result = backtest(history, test, PARAMS, n_samples=300, frontier_targets=(0.8, 0.95))
    report = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert report["periods"]["test_periods"] == 21
    assert report["periods"]["replan_every"] == 7
    assert {"fill_rate", "total_cost", "average_on_hand", "n_orders"} <= set(report["totals"])
    assert len(report["per_item"]) == 3
    assert report["frontier"][0]["fill_rate"] <= report["frontier"][1]["fill_rate"]
    assert 0.5 < report["totals"]["fill_rate"] <= 1.0


def test_when_the_seed_is_the_same_then_the_backtest_is_the_same(
    split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    history, test = split
    first = backtest(history, test, PARAMS, n_samples=200, seed=4)
    again = backtest(history, test, PARAMS, n_samples=200, seed=4)
    assert first.simulation.totals == again.simulation.totals


def test_when_the_plan_is_held_then_no_re_plan_happens(
    split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    history, test = split
    held = backtest(history, test, PARAMS, method="normal", replan_every=0)
    assert held.to_dict()["periods"]["replan_every"] == 0
    curve = method_frontier(held, history, test, "empirical", (0.9,), n_samples=200)
    assert np.isfinite(curve["average_on_hand"]).all()


def test_when_test_periods_overlap_the_history_then_the_error_says_so(
    split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    history, _ = split
    with pytest.raises(InventoryInputError, match="after the end of the history"):
        backtest(history, history.tail(30), PARAMS, method="normal")


def test_when_the_test_has_unknown_items_then_the_error_lists_them(
    split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    history, test = split
    stranger = test[test["item_id"] == "I0"].assign(item_id="ZZ")
    with pytest.raises(InventoryInputError, match="unknown series"):
        backtest(history, pd.concat([test, stranger]), PARAMS, method="normal")


def test_when_the_backbone_plans_then_it_refits_never_and_re_forecasts_at_each_replan(
    split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    from supplymind.forecasting.forecaster import Forecaster

    tiny = Path(__file__).resolve().parents[1] / "models" / "data" / "tiny-supplymind-ts"
    history, test = split
    forecaster = Forecaster(str(tiny), n_jobs=1)
    result = backtest(
        history,
        test,
        PARAMS,
        method="backbone",
        forecaster=forecaster,
        finetune="none",
        n_samples=300,
        seed=1,
    )
    assert result.method == "backbone"
    assert set(result.plan.table["demand_model"]) == {"SupplyMind Forecaster (all: zero_shot)"}
    # fitted once on the history, with the protection period (lead 2 + review 7) as horizon
    assert forecaster.horizon_ == 9
    assert forecaster.series_ is not None
    assert forecaster.series_.values[0].size == history["timestamp"].nunique()
    assert 0.5 < result.simulation.totals["fill_rate"] <= 1.0
    again = backtest(
        history,
        test,
        PARAMS,
        method="backbone",
        forecaster=Forecaster(str(tiny), n_jobs=1),
        finetune="none",
        n_samples=300,
        seed=1,
    )
    assert again.simulation.totals == result.simulation.totals


def test_when_demand_is_too_rare_for_the_deciles_then_the_backbone_plan_bootstraps_it() -> None:
    from supplymind.forecasting.forecaster import Forecaster
    from supplymind.inventory.plan import plan_replenishment

    tiny = Path(__file__).resolve().parents[1] / "models" / "data" / "tiny-supplymind-ts"
    stamps = pd.date_range("2024-01-01", periods=120, freq="D")
    rare = np.zeros(120)
    rare[[10, 50, 95]] = [6.0, 4.0, 9.0]  # demand on 3 days in 120: every decile is 0
    regular = np.random.default_rng(0).poisson(8, 120).astype(float)
    history = pd.concat(
        [
            pd.DataFrame({"item_id": "rare", "timestamp": stamps, "target": rare}),
            pd.DataFrame({"item_id": "regular", "timestamp": stamps, "target": regular}),
        ]
    )
    plan = plan_replenishment(
        history,
        PARAMS,
        method="backbone",
        forecaster=Forecaster(str(tiny), n_jobs=1),
        finetune="none",
        n_samples=400,
    )
    table = plan.table.set_index("item_id")
    assert table.loc["rare", "demand_model"] == "empirical bootstrap (rare demand)"
    assert table.loc["rare", "order_up_to"] > 0
    assert table.loc["regular", "demand_model"].startswith("SupplyMind Forecaster")
