"""The model registry: records, checksums verified on load, promotion and rollback."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import ModelChecksumError, ModelRegistryError
from supplymind.lifecycle.registry import ModelRegistry, fingerprint
from supplymind.lifecycle.retrain import RetrainResult, retrain

from .conftest import FAST, drop_end, weekly_demand


def _two_models(registry: ModelRegistry) -> tuple[RetrainResult, RetrainResult]:
    """v001 (champion) and v002, fine-tuned from v001's weights (retired: a 90 % margin)."""
    data = weekly_demand(change_week=None)
    first = retrain(registry, data[data["timestamp"] <= drop_end(0)], FAST)
    strict = replace(FAST, margin=0.9)
    second = retrain(registry, data[data["timestamp"] <= drop_end(1)], strict)
    assert first.promoted
    assert not second.promoted
    return first, second


def test_a_registered_model_records_lineage_data_and_checksums(registry: ModelRegistry) -> None:
    first, _second = _two_models(registry)
    one, two = registry.get("forecast-v001"), registry.get("forecast-v002")
    assert one.parent_id is None
    assert two.parent_id == "forecast-v001"
    assert two.started_from == "forecast-v001/finetuned"
    assert one.status == "champion"
    assert one.promoted_at is not None
    assert one.data_fingerprint["last"] < two.data_fingerprint["last"]
    assert one.data_sha256 != two.data_sha256
    assert len(one.data_sha256) == 64
    assert {"forecaster.json", "README.md", "finetuned/model.safetensors"} <= set(one.files)
    assert "base/model.safetensors" in two.files  # its own copy of v001's weights
    assert one.hyperparameters["finetune_config"]["max_steps"] == FAST.finetune_config.max_steps  # type: ignore[union-attr]
    assert one.metrics["challenger_wql"] == pytest.approx(first.challenger_wql)
    card = (one.folder / "README.md").read_text()
    assert "forecast-v001" in card
    assert "Decision at registration: promoted" in card


def test_when_a_weight_file_is_corrupted_then_loading_fails_naming_it_and_nothing_else_is_affected(
    registry: ModelRegistry,
) -> None:
    _two_models(registry)
    champion = registry.champion("forecast")
    assert champion is not None
    assert champion.model_id == "forecast-v001"
    weights = champion.folder / "finetuned" / "model.safetensors"
    raw = bytearray(weights.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    weights.write_bytes(bytes(raw))
    with pytest.raises(ModelChecksumError, match=r"forecast-v001.*finetuned/model\.safetensors"):
        registry.load_forecaster("forecast-v001")
    # The other model (fine-tuned from v001's weights) still loads, forecasts and can serve.
    history = weekly_demand(change_week=None)
    other = registry.load_forecaster("forecast-v002").predict(history=history)
    assert len(other) == 8 * 4
    assert other["0.5"].notna().all()
    registry.promote("forecast-v002")
    # Rolling back to the corrupted model is refused and changes nothing.
    with pytest.raises(ModelChecksumError, match="checksum mismatch"):
        registry.rollback("forecast")
    assert [r.model_id for r in registry.models()] == ["forecast-v001", "forecast-v002"]
    assert registry.champion("forecast").model_id == "forecast-v002"  # type: ignore[union-attr]


def test_when_a_file_is_missing_or_a_pickle_appears_then_verify_refuses(
    registry: ModelRegistry,
) -> None:
    _two_models(registry)
    folder = registry.get("forecast-v002").folder
    (folder / "extra.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(ModelChecksumError, match=r"unexpected files \['extra.pkl'\]"):
        registry.verify("forecast-v002")
    (folder / "extra.pkl").unlink()
    (folder / "backtest.csv").unlink()
    with pytest.raises(ModelChecksumError, match=r"backtest\.csv is missing"):
        registry.load_forecaster("forecast-v002")
    registry.verify("forecast-v001")


def test_when_a_folder_holds_a_pickle_then_it_cannot_be_registered(
    registry: ModelRegistry,
) -> None:
    model_id, folder = registry.reserve("risk")
    (folder / "model.pt").write_bytes(b"not allowed")
    data = fingerprint(weekly_demand(n_weeks=5, change_week=None))
    with pytest.raises(ModelRegistryError, match=r"model\.pt has a suffix"):
        registry.register(
            model_id,
            task="risk",
            backbone="-",
            started_from="-",
            parent_id=None,
            finetune_mode="none",
            hyperparameters={},
            data=data,
            metrics={},
        )
    registry.discard(model_id)
    assert registry.models() == []
    assert not folder.exists()


def test_promote_retires_the_champion_and_rollback_brings_it_back(
    registry: ModelRegistry,
) -> None:
    _two_models(registry)
    t0 = pd.Timestamp("2025-01-01")
    registry.promote("forecast-v002", now=t0)
    assert registry.get("forecast-v001").status == "retired"
    assert registry.champion("forecast").model_id == "forecast-v002"  # type: ignore[union-attr]
    assert registry.promote("forecast-v002").promoted_at == t0  # idempotent
    back = registry.rollback("forecast", now=t0 + pd.Timedelta(days=1))
    assert back.model_id == "forecast-v001"
    assert back.note == "rolled back from forecast-v002"
    assert [r.model_id for r in registry.models(status="champion")] == ["forecast-v001"]
    again = registry.rollback("forecast", now=t0 + pd.Timedelta(days=2))
    assert again.model_id == "forecast-v002"
    assert registry.rollback("forecast", "forecast-v001").model_id == "forecast-v001"


def test_registry_errors_name_the_problem(registry: ModelRegistry) -> None:
    with pytest.raises(ModelRegistryError, match="no earlier champion"):
        registry.rollback("forecast")
    with pytest.raises(ModelRegistryError, match="found 'forecast-v404'"):
        registry.get("forecast-v404")
    with pytest.raises(ModelRegistryError, match="task: expected one of"):
        registry.models("weather")
    with pytest.raises(ModelRegistryError, match="status: expected one of"):
        registry.models(status="best")


def test_registry_rows_survive_reopening_the_warehouse(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    with Warehouse(url) as wh:
        _two_models(ModelRegistry(wh, tmp_path / "models"))
    with Warehouse(url) as wh:
        registry = ModelRegistry(wh, tmp_path / "models")
        assert [r.status for r in registry.models()] == ["champion", "retired"]
        assert registry.new_id("forecast") == "forecast-v003"
        table = registry.frame("forecast")
        assert table["model_id"].tolist() == ["forecast-v001", "forecast-v002"]
        assert table["parent_id"].tolist() == [None, "forecast-v001"]


def test_fingerprint_ignores_row_order_and_sees_any_change() -> None:
    data = weekly_demand(n_weeks=20, change_week=None)
    a = fingerprint(data)
    assert fingerprint(data.sample(frac=1.0, random_state=1)) == a
    changed = data.copy()
    changed.loc[5, "target"] += 1
    assert fingerprint(changed).sha256 != a.sha256
    assert (a.rows, a.series, a.first[:10]) == (160, 8, "2023-01-02")  # type: ignore[index]


def test_a_saved_model_of_another_task_is_copied_in_and_verified(
    registry: ModelRegistry, tmp_path: Path
) -> None:
    """A risk model folder (JSON + safetensors) goes through the same checksums."""
    from safetensors.numpy import save_file

    source = tmp_path / "risk-model"
    source.mkdir()
    (source / "config.json").write_text('{"kind": "late_delivery"}')
    save_file({"w": np.arange(6, dtype=np.float32)}, str(source / "model.safetensors"))
    data = fingerprint(weekly_demand(n_weeks=5, change_week=None), tables=("purchase_orders",))
    record = registry.register_folder(source, task="risk", backbone="none", data=data)
    assert record.model_id == "risk-v001"
    assert set(record.files) == {"config.json", "model.safetensors"}
    assert registry.promote("risk-v001").status == "champion"
    assert registry.champion("forecast") is None
    (record.folder / "config.json").write_text('{"kind": "tampered"}')
    with pytest.raises(ModelChecksumError, match=r"risk-v001: checksum mismatch for config\.json"):
        registry.verify("risk-v001")
    (source / "weights.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(ModelRegistryError, match=r"\['weights\.pkl'\]"):
        registry.register_folder(source, task="risk", backbone="none", data=data)
    assert [r.model_id for r in registry.models("risk")] == ["risk-v001"]
