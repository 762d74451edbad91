"""Re-fine-tuning: 12 monthly drops with a regime change (the acceptance test), guarded
promotion, rollback and the settings' rules."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import ConfigurationError, ModelRegistryError
from supplymind.forecasting.metrics import wql
from supplymind.lifecycle.registry import ModelRegistry
from supplymind.lifecycle.retrain import RetrainConfig, check_drift, retrain
from supplymind.risk.alerts import AlertStore

from .conftest import CHANGE_DROP, FAST, drop_end, weekly_demand

LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _holdout_wql(forecaster: Any, history: pd.DataFrame, origins: list[str], h: int) -> float:
    """WQL on the given origins, computed here from predict() and metrics.wql only."""
    ys, qs = [], []
    stamps = np.sort(history["timestamp"].unique())
    for origin in pd.to_datetime(origins):
        past = history[history["timestamp"] < origin]
        block = stamps[stamps >= np.datetime64(origin)][:h]
        out = forecaster.predict(h, quantiles=LEVELS, history=past)
        truth = history[history["timestamp"].isin(block)]
        merged = out.merge(truth, on=["item_id", "timestamp"]).sort_values(["item_id", "timestamp"])
        ys.append(merged["target"].to_numpy(float))
        qs.append(merged[[f"{q:g}" for q in LEVELS]].to_numpy(float))
    return wql(np.concatenate(ys), np.concatenate(qs), LEVELS)


def test_twelve_monthly_drops_with_a_regime_change(registry: ModelRegistry) -> None:
    """Acceptance: versions registered, drift found within two drops of the change, no worse
    challenger promoted, rollback restores the previous champion's forecasts exactly."""
    began = time.perf_counter()
    data = weekly_demand()
    reference = data.copy()
    first_forecasts: dict[str, pd.DataFrame] = {}
    drifted_drops: list[int] = []
    decisions: list[tuple[int, str, bool]] = []
    for k in range(13):
        history = data[data["timestamp"] <= drop_end(k)]
        if k > 0:
            check = check_drift(registry, history, since=drop_end(k - 1) + pd.Timedelta(days=1))
            if check.drifted:
                drifted_drops.append(k)
        result = retrain(registry, history, FAST)
        decisions.append((k, result.challenger.model_id, result.promoted))
        if result.champion_id is not None:
            # Judge the decision independently from the stored models.
            origins = result.challenger.metrics["eval_origins"]
            chall = _holdout_wql(
                registry.load_forecaster(result.challenger.model_id), history, origins, 4
            )
            champ = _holdout_wql(registry.load_forecaster(result.champion_id), history, origins, 4)
            assert chall == pytest.approx(result.challenger_wql)
            assert champ == pytest.approx(result.champion_wql)
            assert result.promoted == (chall < (1 - FAST.margin) * champ)
            if not result.promoted:
                assert registry.champion("forecast").model_id == result.champion_id  # type: ignore[union-attr]
        champion = registry.champion("forecast")
        assert champion is not None
        if champion.model_id not in first_forecasts:
            first_forecasts[champion.model_id] = registry.load_forecaster(
                champion.model_id
            ).predict(history=reference)

    records = registry.models("forecast")
    assert [r.model_id for r in records] == [f"forecast-v{i:03d}" for i in range(1, 14)]
    assert [r.status for r in records].count("champion") == 1
    assert all(r.parent_id is not None for r in records[1:])
    assert all((r.folder / "README.md").is_file() for r in records)
    # Drift: none before the change, found within two drops of it.
    assert [d for d in drifted_drops if d < CHANGE_DROP] == []
    assert drifted_drops
    assert drifted_drops[0] in (CHANGE_DROP, CHANGE_DROP + 1)
    alerts = AlertStore(registry.warehouse).read(status=None)
    assert set(alerts["kind"]) <= {"demand_anomaly", "kpi_anomaly"}
    assert (alerts["event_time"] >= drop_end(CHANGE_DROP - 1)).all()
    assert "forecast:all:target" in set(alerts["entity"])
    # Rollback restores the previous champion's forecasts exactly.
    promoted = [mid for _, mid, p in decisions if p]
    assert len(promoted) >= 2
    current, previous = promoted[-1], promoted[-2]
    assert registry.champion("forecast").model_id == current  # type: ignore[union-attr]
    restored = registry.rollback("forecast")
    assert restored.model_id == previous
    assert registry.get(current).status == "retired"
    again = registry.load_forecaster(previous).predict(history=reference)
    pd.testing.assert_frame_equal(again, first_forecasts[previous], check_exact=True)
    assert not again.equals(first_forecasts[current])
    print(f"\ndrift at drops {drifted_drops}; decisions {decisions}")
    print(f"12-drop simulation: {time.perf_counter() - began:.1f} s")


def test_when_the_challenger_is_worse_then_the_champion_is_kept(registry: ModelRegistry) -> None:
    """A zero-shot tiny backbone (no fine-tuning, no statistical fallback) loses to the
    champion and is registered as retired."""
    data = weekly_demand(change_week=None)
    first = retrain(registry, data[data["timestamp"] <= drop_end(0)], FAST)
    assert first.promoted
    assert first.reason == "no champion yet"
    worse = replace(FAST, finetune="none", candidates=("zero_shot",), start="backbone")
    result = retrain(registry, data[data["timestamp"] <= drop_end(1)], worse)
    assert result.champion_wql is not None
    assert result.challenger_wql > result.champion_wql
    assert not result.promoted
    assert registry.champion("forecast").model_id == first.challenger.model_id  # type: ignore[union-attr]
    assert registry.get(result.challenger.model_id).status == "retired"
    assert result.challenger.started_from == FAST.backbone


def test_when_fitting_fails_then_no_model_and_no_folder_are_left(
    registry: ModelRegistry,
) -> None:
    data = weekly_demand(n_weeks=60, change_week=None)
    bad = replace(FAST, backbone="no-such-backbone")
    with pytest.raises(Exception, match="no-such-backbone"):
        retrain(registry, data, bad)
    assert registry.models() == []
    assert not any(registry.root.iterdir())


def test_when_history_is_too_short_then_retrain_says_how_many_periods_it_needs(
    registry: ModelRegistry,
) -> None:
    data = weekly_demand(n_weeks=10, change_week=None)
    with pytest.raises(ConfigurationError, match=r"more than 12 periods"):
        retrain(registry, data, FAST)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("task", "risk"),
        ("start", "scratch"),
        ("finetune", "deep"),
        ("horizon", 0),
        ("eval_windows", True),
        ("n_windows", 1.5),
        ("margin", 1.0),
        ("margin", -0.1),
    ],
)
def test_retrain_config_rejects(field: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=f"RetrainConfig.{field}"):
        RetrainConfig(**{field: value})  # type: ignore[arg-type]


def test_same_data_and_seed_give_the_same_challenger(tmp_path: Path) -> None:
    """Two registries fed the same data register identical models and forecasts."""
    data = weekly_demand(change_week=None)
    history = data[data["timestamp"] <= drop_end(1)]
    outcomes = []
    for name in ("a", "b"):
        with Warehouse(":memory:") as wh:
            registry = ModelRegistry(wh, tmp_path / name)
            result = retrain(registry, history, FAST)
            forecast = registry.load_forecaster(result.challenger.model_id).predict(history=data)
            outcomes.append((result.challenger_wql, result.challenger.data_sha256, forecast))
    assert outcomes[0][:2] == outcomes[1][:2]
    pd.testing.assert_frame_equal(outcomes[0][2], outcomes[1][2], check_exact=True)


def test_when_there_is_no_champion_then_check_drift_says_so(registry: ModelRegistry) -> None:
    with pytest.raises(ModelRegistryError, match="has no champion"):
        check_drift(registry, weekly_demand(n_weeks=20, change_week=None))
