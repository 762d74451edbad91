from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError, InventoryWarning
from supplymind.inventory.backtest import backtest, method_frontier
from supplymind.inventory.params import CostParams, InventoryParams, LeadTime, ServiceTarget
from supplymind.inventory.plan import SHORT_HISTORY_FALLBACK

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


def _series(item: str, start: str, values: list[float] | np.ndarray) -> pd.DataFrame:
    stamps = pd.date_range(start, periods=len(values), freq="D")
    return pd.DataFrame({"item_id": item, "timestamp": stamps, "target": values})


_METRICS = ["holding_cost", "shortage_cost", "fill_rate", "average_on_hand", "n_orders"]


def test_when_test_windows_are_staggered_then_each_item_gets_its_own_periods() -> None:
    """Items whose histories and test windows start at different dates and differ in
    length get, in one backtest, the same results as backtested alone."""
    rng = np.random.default_rng(3)
    a = rng.poisson(6, 70).astype(float)
    b = rng.poisson(9, 74).astype(float)
    history = pd.concat([_series("A", "2024-01-01", a[:60]), _series("B", "2024-03-01", b[:60])])
    test = pd.concat([_series("A", "2024-03-01", a[60:]), _series("B", "2024-04-30", b[60:])])
    result = backtest(history, test, PARAMS, method="normal")
    table = result.per_item().set_index("item_id")
    for item in ("A", "B"):
        alone = backtest(
            history[history["item_id"] == item],
            test[test["item_id"] == item],
            PARAMS,
            method="normal",
        )
        own = alone.per_item().set_index("item_id").loc[item]
        assert table.loc[item, _METRICS].to_numpy() == pytest.approx(own[_METRICS].to_numpy())
    # Totals pool each item's own periods.
    assert result.simulation.totals["demand"] == a[60:].sum() + b[60:].sum()
    assert result.simulation.totals["holding_cost"] == pytest.approx(table["holding_cost"].sum())
    assert table["test_periods"].to_dict() == {"A": 10, "B": 14}
    assert not any("missing test values" in note for note in result.data.notes)
    assert any("test windows differ" in note for note in result.data.notes)


def test_when_a_period_inside_an_item_test_window_is_missing_then_only_it_counts_as_zero() -> None:
    """A day without a row inside an item's own window is a missing value (zero demand,
    counted in the note); the days other items cover outside its window are not."""
    rng = np.random.default_rng(4)
    a = rng.poisson(6, 70).astype(float)
    b = rng.poisson(9, 74).astype(float)
    history = pd.concat([_series("A", "2024-01-01", a[:60]), _series("B", "2024-03-01", b[:60])])
    test_a = _series("A", "2024-03-01", a[60:])
    test = pd.concat([test_a.drop(index=4), _series("B", "2024-04-30", b[60:])])
    result = backtest(history, test, PARAMS, method="normal")
    assert "1 missing test values were counted as zero demand" in " ".join(result.data.notes)
    assert result.simulation.per_item.loc["A", "demand"] == a[60:].sum() - a[64]
    assert result.per_item().set_index("item_id")["test_periods"].to_dict() == {"A": 10, "B": 14}


def test_when_items_are_short_or_empty_then_the_backtest_simulates_the_fallback_and_notes_both(
    split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    history, test = split
    last = history["timestamp"].max()
    extra = pd.concat(
        [
            _series("NEW", str(last.date()), [4.0]),
            _series("GONE", str((last - pd.Timedelta(days=2)).date()), [np.nan] * 3),
        ]
    )
    later = pd.concat(
        [test[test["item_id"] == "I1"].assign(item_id=item) for item in ("NEW", "GONE")]
    )
    with pytest.warns(InventoryWarning):
        result = backtest(
            pd.concat([history, extra]), pd.concat([test, later]), PARAMS, method="normal"
        )
    table = result.per_item().set_index("item_id")
    assert sorted(table.index) == ["I0", "I1", "I2", "NEW"]
    assert table.loc["NEW", "demand_model"] == SHORT_HISTORY_FALLBACK
    notes = " ".join(result.to_dict()["notes"])
    assert "['GONE']" in notes
    assert "NEW (1 observed < 9)" in notes
