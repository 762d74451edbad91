from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.forecast import (
    EmpiricalQuantileForecaster,
    StatsForecastQuantileForecaster,
    is_intermittent,
)

from .conftest import demand_frame


def test_when_empirical_quantiles_are_predicted_then_the_forecaster_format_is_kept() -> None:
    history = demand_frame(n_items=2, n_periods=40)
    out = EmpiricalQuantileForecaster(window=20).fit(history).predict(3, quantiles=(0.1, 0.5, 0.9))
    assert list(out.columns) == ["item_id", "timestamp", "mean", "0.1", "0.5", "0.9"]
    assert len(out) == 6
    first = out[out["item_id"] == "I1"]
    assert first["timestamp"].iloc[0] == history["timestamp"].max() + pd.Timedelta(days=1)
    recent = history[history["item_id"] == "I1"]["target"].to_numpy()[-20:]
    assert first["0.5"].iloc[0] == pytest.approx(np.quantile(recent, 0.5))


def test_when_series_differ_then_auto_sends_intermittent_ones_to_the_negative_binomial() -> None:
    history = demand_frame(n_items=3, n_periods=80, intermittent=1)
    model = StatsForecastQuantileForecaster().fit(history)
    assert model.method_["I0"] == "negative binomial"
    assert model.method_["I1"].startswith("AutoETS")
    assert is_intermittent([0, 0, 3, 0, 0, 1])
    paths = model.sample_paths(5, 300, seed=1)
    assert all(p.shape == (300, 5) and (p >= 0).all() for p in paths.values())
    again = StatsForecastQuantileForecaster().fit(history).sample_paths(5, 300, seed=1)
    assert all(np.array_equal(paths[k], again[k]) for k in paths)


def test_when_paths_are_absurd_then_the_guard_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    history = demand_frame(n_items=2, n_periods=80, intermittent=0)
    model = StatsForecastQuantileForecaster().fit(history)
    monkeypatch.setattr(model, "_residual_paths", lambda key, h, n, rng: np.full((n, h), np.inf))
    paths = model.sample_paths(4, 200)
    assert all(np.isfinite(p).all() for p in paths.values())
    assert model.method_["I0"] == "negative binomial (ETS paths guarded)"


def test_when_new_data_arrive_then_update_keeps_the_estimated_parameters() -> None:
    history = demand_frame(n_items=2, n_periods=80, intermittent=0)
    model = StatsForecastQuantileForecaster("ets").fit(history[history["timestamp"] < "2024-03-01"])
    before = {k: np.array(m["par"]) for k, m in model.models_.items()}
    model.update(history)
    assert all(np.array_equal(before[k], model.models_[k]["par"], equal_nan=True) for k in before)
    assert model.values_["I0"].size == 80
    with pytest.raises(InventoryInputError, match="new ones"):
        model.update(demand_frame(n_items=3, n_periods=80))


def test_when_quantiles_are_predicted_from_paths_then_they_do_not_cross() -> None:
    out = StatsForecastQuantileForecaster().fit(demand_frame(n_periods=60)).predict(7, n_paths=400)
    levels = [c for c in out.columns if c not in ("item_id", "timestamp", "mean")]
    values = out[levels].to_numpy()
    assert (np.diff(values, axis=1) >= -1e-9).all()


def test_when_a_series_stops_early_then_its_forecast_still_starts_after_the_history() -> None:
    history = demand_frame(n_items=2, n_periods=40)
    gap = (history["item_id"] == "I1") & (history["timestamp"] > "2024-02-01")
    history.loc[gap, "target"] = np.nan
    out = EmpiricalQuantileForecaster().fit(history).predict(2)
    starts = out.groupby("item_id")["timestamp"].min()
    assert (starts == history["timestamp"].max() + pd.Timedelta(days=1)).all()
