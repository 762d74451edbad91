"""``supplymind forecast`` on partitions and ``supplymind finetune`` from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from supplymind.cli import app
from supplymind.scale.partition import write_partitions

from .conftest import TINY, demand

runner = CliRunner()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "h.csv"
    demand(n_items=12, short=0).rename(columns={"item_id": "sku", "target": "qty"}).to_csv(
        path, index=False
    )
    return path


def _parts(folder: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted(folder.glob("part-*.parquet"))])


def test_a_folder_history_is_forecast_partition_by_partition(tmp_path: Path) -> None:
    write_partitions(demand(n_items=20), tmp_path / "in", series_per_partition=8)
    out = tmp_path / "out"
    args = ["forecast", "--history", str(tmp_path / "in"), "--out", str(out), "--horizon", "3"]
    result = runner.invoke(app, [*args, "--finetune", "none", "--backbone", str(TINY)])
    assert result.exit_code == 0, result.output
    table = _parts(out)
    assert list(table.columns[:3]) == ["item_id", "timestamp", "mean"]
    assert table["item_id"].nunique() == 20
    summary = json.loads((out / "_summary.json").read_text())
    assert summary["partitions"] == 3
    assert summary["series"] == 20


def test_a_folder_history_without_a_saved_model_needs_finetune_none(tmp_path: Path) -> None:
    write_partitions(demand(n_items=4), tmp_path / "in")
    args = ["forecast", "--history", str(tmp_path / "in"), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, [*args, "--horizon", "3", "--backbone", str(TINY)])
    assert result.exit_code != 0
    assert "--model-dir" in str(result.exception)


def test_finetune_saves_a_model_that_forecast_ray_reloads(
    ray_cluster: Any, history: Path, tmp_path: Path
) -> None:
    model_dir = tmp_path / "model"
    cols = ["--id-col", "sku", "--target-col", "qty"]
    result = runner.invoke(
        app,
        [
            "finetune",
            "--history",
            str(history),
            "--model-dir",
            str(model_dir),
            "--backbone",
            str(TINY),
            "--horizon",
            "4",
            "--max-steps",
            "4",
            *cols,
        ],
    )
    assert result.exit_code == 0, result.output
    assert (model_dir / "forecaster.json").is_file()
    assert (model_dir / "checkpoints" / "finetune-full" / "log.csv").is_file()
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "forecast",
            "--history",
            str(history),
            "--out",
            str(out),
            "--horizon",
            "4",
            "--model-dir",
            str(model_dir),
            "--ray",
            "local",
            "--num-workers",
            "2",
            "--series-per-partition",
            "5",
            *cols,
        ],
    )
    assert result.exit_code == 0, result.output
    table = _parts(out)
    assert table["item_id"].nunique() == 12
    assert len(table) == 12 * 4
    assert not (out / "_history").exists()


def test_partitions_from_the_warehouse_keep_item_and_location_like_the_single_file_path(
    tmp_path: Path, demand_db: Callable[[pd.DataFrame], Path]
) -> None:
    from supplymind.forecasting.commands import run_forecast
    from supplymind.scale.commands import run_batch_forecast

    frame = demand(n_items=2, n_periods=20, short=0)
    frame["item_id"] = frame["item_id"].map({"sku0000": "A", "sku0001": "B"})
    frame["location_id"] = "S1"
    db = demand_db(frame)
    report = run_batch_forecast(tmp_path / "parts", 3, from_db=True, db=str(db), backbone=str(TINY))
    batch = _parts(tmp_path / "parts").reset_index(drop=True)
    assert list(batch.columns[:3]) == ["item_id", "location_id", "timestamp"]
    assert report.series == 2
    run_forecast(tmp_path / "f.csv", 3, from_db=True, db=str(db), finetune="none",
                 backbone=str(TINY))  # fmt: skip
    single = pd.read_csv(tmp_path / "f.csv", parse_dates=["timestamp"])
    pd.testing.assert_frame_equal(
        batch[single.columns.tolist()].astype({"timestamp": "datetime64[ns]"}),
        single,
        check_dtype=False,
        atol=1e-4,
    )
