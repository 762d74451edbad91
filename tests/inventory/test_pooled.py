from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.params import InventoryParams, LeadTime, ServiceTarget
from supplymind.inventory.plan import plan_replenishment
from supplymind.inventory.pooled import GlobalDemandForecaster

from .conftest import demand_frame

FAST = {"n_estimators": 60, "learning_rate": 0.1, "min_child_samples": 20}


def _catalogue(n_periods: int = 48, seed: int = 0) -> tuple[pd.DataFrame, dict[str, float]]:
    """Monthly Poisson items with levels from 0.3 to 20 a month, and items whose demand
    stopped at different times (end of life). Returns the history and each item's level
    after the history (0 for the stopped ones)."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2020-01-01", periods=n_periods, freq="MS")
    frames, level = [], {}
    for i, mean in enumerate(np.geomspace(0.3, 20.0, 30)):
        values = rng.poisson(mean, n_periods).astype(float)
        frames.append(pd.DataFrame({"item_id": f"A{i}", "timestamp": stamps, "target": values}))
        level[f"A{i}"] = float(mean)
    for i in range(20):
        values = rng.poisson(6.0, n_periods).astype(float)
        values[n_periods - 4 - i :] = 0.0  # stopped 4..23 periods before the end
        frames.append(pd.DataFrame({"item_id": f"D{i}", "timestamp": stamps, "target": values}))
        level[f"D{i}"] = 0.0
    return pd.concat(frames, ignore_index=True), level


def test_when_fitted_across_items_then_each_items_level_is_learned() -> None:
    history, level = _catalogue()
    model = GlobalDemandForecaster(2, **FAST).fit(history)
    moments = model.moments()
    active = [k for k in level if k.startswith("A")]
    means = np.array([moments[k][0] for k in active])
    truth = np.array([level[k] for k in active])
    assert np.corrcoef(np.log(means), np.log(truth))[0, 1] > 0.95
    assert np.median(np.abs(means / truth - 1)) < 0.3
    # variance of a Poisson item's forecast error: at least its own noise, not wildly more
    assert all(moments[k][1] >= 0.5 * moments[k][0] for k in active)
    # items whose demand stopped long ago are forecast far below their old level of 6
    long_dead = [moments[f"D{i}"][0] for i in range(10, 20)]
    assert max(long_dead) < 2.0


def test_when_the_lead_time_is_random_then_the_protection_law_mixes_the_exact_sums() -> None:
    history, _ = _catalogue()
    model = GlobalDemandForecaster(3, **FAST).fit(history)
    mean, var = 2.0, 5.0
    fixed = model.protection("A0", LeadTime.fixed(2), 1, whole_units=True, moments=(mean, var))
    assert fixed.protection.mean == pytest.approx(3 * mean, rel=1e-6)
    assert fixed.protection.std**2 == pytest.approx(3 * var, rel=1e-4)
    assert fixed.lead.mean == pytest.approx(2 * mean, rel=1e-6)
    assert np.array_equal(fixed.protection.values, np.round(fixed.protection.values))
    random = LeadTime((1, 3), (0.5, 0.5))
    mixed = model.protection("A0", random, 1, whole_units=True, moments=(mean, var))
    assert mixed.protection.mean == pytest.approx(3 * mean, rel=1e-6)  # E[L] + R = 3
    # the mixture over lead times is wider than the sum at the mean lead time
    assert mixed.protection.std > fixed.protection.std
    poisson = model.protection("A0", LeadTime.fixed(1), 1, whole_units=True, moments=(2.0, 1.0))
    assert poisson.protection.std**2 == pytest.approx(4.0, rel=1e-4)  # Poisson(4)
    gamma = model.protection("A0", LeadTime.fixed(1), 1, whole_units=False, moments=(2.0, 3.0))
    assert gamma.protection.mean == pytest.approx(4.0, rel=1e-3)
    assert gamma.protection.std**2 == pytest.approx(6.0, rel=0.05)
    assert not np.array_equal(gamma.protection.values, np.round(gamma.protection.values))
    zero = model.protection("A0", LeadTime.fixed(1), 1, moments=(0.0, 0.0))
    assert zero.protection.mean == 0.0


def test_when_fitted_twice_with_one_seed_then_the_forecasts_are_equal() -> None:
    history, _ = _catalogue(n_periods=30)
    first = GlobalDemandForecaster(2, **FAST, seed=3).fit(history).moments()
    again = GlobalDemandForecaster(2, **FAST, seed=3, n_jobs=2).fit(history).moments()
    assert first == again


def test_when_new_demand_arrives_then_update_keeps_the_trees_and_moves_the_forecast() -> None:
    history, _ = _catalogue()
    cut = history["timestamp"].max() - pd.DateOffset(months=6)
    model = GlobalDemandForecaster(2, **FAST).fit(history[history["timestamp"] <= cut])
    trees = model.mean_model_
    before = model.moments()["D0"][0]
    model.update(history)
    assert model.mean_model_ is trees
    assert model.moments()["D0"][0] < before  # D0 stopped 4 months before the end
    extra = history[history["item_id"] == "A0"].assign(item_id="NEW")
    with pytest.raises(InventoryInputError, match=r"new ones \['NEW'\]"):
        model.update(pd.concat([history, extra]))


def test_when_the_history_is_too_short_or_settings_are_bad_then_errors_name_them() -> None:
    short = demand_frame(n_items=3, n_periods=8)
    with pytest.raises(InventoryInputError, match="min_history \\+ horizon = 14"):
        GlobalDemandForecaster(2).fit(short)
    with pytest.raises(InventoryInputError, match="folds: expected an integer >= 2, found 1"):
        GlobalDemandForecaster(2, folds=1)
    with pytest.raises(InventoryInputError, match="learning_rate"):
        GlobalDemandForecaster(2, learning_rate=0.0)
    with pytest.raises(InventoryInputError, match="horizon"):
        GlobalDemandForecaster(0)
    with pytest.raises(InventoryInputError, match="not fitted"):
        GlobalDemandForecaster(2).moments()
    with pytest.raises(InventoryInputError, match="error_folds: expected 'time' or 'items'"):
        GlobalDemandForecaster(2, error_folds="random")
    one = demand_frame(n_items=1, n_periods=20, intermittent=0)
    with pytest.raises(InventoryInputError, match="found one series with too few origins"):
        GlobalDemandForecaster(2).fit(one)


def test_when_errors_come_from_later_origins_then_a_level_shift_widens_the_spread() -> None:
    # every item's demand doubles for the last third of the history: a common shock that
    # errors across items of the same periods cannot see, errors on later origins can
    history, _ = _catalogue(n_periods=60)
    stamps = np.sort(history["timestamp"].unique())
    late = history["timestamp"] >= stamps[40]
    shifted = history.assign(target=np.where(late, history["target"] * 2, history["target"]))
    by_time = GlobalDemandForecaster(2, **FAST).fit(shifted).moments()
    by_item = GlobalDemandForecaster(2, **FAST, error_folds="items").fit(shifted).moments()
    active = [f"A{i}" for i in range(30)]
    assert sum(by_time[k][1] for k in active) > 1.1 * sum(by_item[k][1] for k in active)
    assert all(by_time[k][0] == by_item[k][0] for k in active)  # the same mean model


def test_when_the_global_model_plans_then_levels_meet_the_target_and_paths_are_valid(
    history: pd.DataFrame,
) -> None:
    params = InventoryParams(lead_time=LeadTime.fixed(2), service=ServiceTarget(0.95))
    plan = plan_replenishment(history, params, method="global")
    table = plan.table
    assert sorted(table["item_id"]) == ["I0", "I1", "I2"]
    assert set(table["demand_model"]) == {"global LightGBM, negative binomial"}
    assert (table["expected_fill_rate"] >= 0.95).all()
    assert (table["order_up_to"] == np.ceil(table["order_up_to"])).all()
    model = GlobalDemandForecaster(3, **FAST).fit(history)
    out = model.predict(3, quantiles=(0.1, 0.5, 0.9), n_paths=300)
    assert list(out.columns) == ["item_id", "timestamp", "mean", "0.1", "0.5", "0.9"]
    assert len(out) == 9
    assert (out[["0.1", "0.5", "0.9"]].to_numpy() >= 0).all()


def test_when_data_are_weekly_then_training_origins_span_a_whole_season() -> None:
    weekly = demand_frame(n_items=5, n_periods=100, freq="W-MON", intermittent=0)
    model = GlobalDemandForecaster(2, **FAST, min_history=12).fit(weekly)
    assert model.season_ == 52
    assert model.n_training_rows_ == 5 * (52 + 2)  # not the 36 origins of the default
    monthly, _ = _catalogue(n_periods=60)
    model = GlobalDemandForecaster(2, **FAST).fit(monthly)
    assert model.n_training_rows_ == 50 * 36
