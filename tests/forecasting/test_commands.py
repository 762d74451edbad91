"""``supplymind forecast``: the CSV contract, column mapping, model dir, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from supplymind.cli import app
from supplymind.forecasting.commands import parse_quantiles, run_forecast

from .conftest import TINY, demand

runner = CliRunner()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "h.csv"
    demand(n_items=3, n_periods=40).rename(
        columns={"item_id": "sku", "timestamp": "week", "target": "qty"}
    ).to_csv(path, index=False)
    return path


MAP = ["--id-col", "sku", "--time-col", "week", "--target-col", "qty"]


def test_forecast_writes_the_contract_columns(history: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    args = [
        "forecast",
        "--history",
        str(history),
        "--horizon",
        "6",
        "--out",
        str(out),
        "--finetune",
        "none",
        "--backbone",
        str(TINY),
        *MAP,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    expected = ["item_id", "timestamp", "mean", *[f"0.{i}" for i in range(1, 10)]]
    assert list(table.columns) == expected
    assert len(table) == 3 * 6
    assert table["timestamp"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()


def test_model_dir_saves_then_reloads_the_fitted_model(history: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    common = [
        "--history",
        str(history),
        "--horizon",
        "4",
        "--backbone",
        str(TINY),
        "--finetune",
        "head",
        "--quantiles",
        "0.05,0.5,0.95",
        "--model-dir",
        str(model_dir),
        *MAP,
    ]
    first = runner.invoke(app, ["forecast", *common, "--out", str(tmp_path / "a.csv")])
    assert first.exit_code == 0, first.output
    assert json.loads((model_dir / "forecaster.json").read_text())["selection"] == {
        "all": "finetuned"
    }
    assert (model_dir / "backtest.csv").exists()
    assert (model_dir / "summary.json").exists()
    second = runner.invoke(app, ["forecast", *common, "--out", str(tmp_path / "b.csv")])
    assert second.exit_code == 0, second.output
    assert "reloaded" in second.output
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns)[-3:] == ["0.05", "0.5", "0.95"]


def test_forecast_from_the_warehouse_keeps_item_and_location(
    tmp_path: Path, demand_db: Callable[[pd.DataFrame], Path]
) -> None:
    frame = demand(n_items=2, n_periods=20, freq="D")
    frame["item_id"] = frame["item_id"].map({"sku0": "A", "sku1": "B"})
    frame["location_id"] = "S1"
    db = demand_db(frame)
    out = tmp_path / "f.csv"
    run_forecast(out, 3, from_db=True, db=str(db), finetune="none", backbone=str(TINY))
    table = pd.read_csv(out)
    assert list(table.columns[:3]) == ["item_id", "location_id", "timestamp"]
    assert set(table["item_id"]) == {"A", "B"}
    assert set(table["location_id"]) == {"S1"}
    assert len(table) == 6


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--horizon", "0"], "horizon: expected a positive"),
        (["--horizon", "3", "--quantiles", "0.5,abc"], "--quantiles: expected comma-separated"),
        (["--horizon", "3", "--finetune", "sometimes"], "finetune: expected one of"),
        (["--horizon", "3", "--id-col", "product"], r"columns \['product'\]"),
    ],
)
def test_bad_input_is_one_clear_message(
    history: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    import re

    from supplymind.cli import main

    args = [
        "forecast",
        "--history",
        str(history),
        "--out",
        str(tmp_path / "x.csv"),
        "--backbone",
        str(TINY),
        "--time-col",
        "week",
        "--target-col",
        "qty",
    ]
    if "--id-col" not in extra:
        args += ["--id-col", "sku"]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code != 0
    assert re.search(message, str(result.exception) + result.output)
    assert not (tmp_path / "x.csv").exists()
    del main


def test_parse_quantiles_defaults_to_the_deciles() -> None:
    assert parse_quantiles(None) == tuple(i / 10 for i in range(1, 10))
    assert parse_quantiles("0.25, 0.75") == (0.25, 0.75)


@pytest.mark.parametrize("finetune", ["none", "auto"])
def test_a_horizon_longer_than_every_series_still_forecasts(tmp_path: Path, finetune: str) -> None:
    """No series can spare a validation window: no backtest, auto keeps the pretrained
    model (it says why), and the forecast is written with the contract columns."""
    path, out = tmp_path / "short.csv", tmp_path / "f.csv"
    pd.DataFrame(
        {
            "item_id": ["A", "B", "B"],
            "timestamp": ["2024-01-01", "2024-01-01", "2024-02-01"],
            "target": [5, 3, 4],
        }
    ).to_csv(path, index=False)
    args = ["forecast", "--history", str(path), "--horizon", "3", "--out", str(out)]
    result = runner.invoke(app, [*args, "--finetune", finetune, "--backbone", str(TINY)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 2 * 3
    assert table["item_id"].tolist() == ["A"] * 3 + ["B"] * 3


def test_day_first_dates_and_daylight_saving_offsets_are_read(tmp_path: Path) -> None:
    """dd-mm-yyyy weekly dates (Walmart's) read as weeks; offsets that change with
    daylight-saving time keep the local clock."""
    weeks = pd.date_range("2010-02-05", periods=30, freq="W-FRI")
    path = tmp_path / "w.csv"
    pd.DataFrame(
        {"item_id": "S1", "timestamp": weeks.strftime("%d-%m-%Y"), "target": range(30)}
    ).to_csv(path, index=False)
    out = tmp_path / "w_out.csv"
    args = ["forecast", "--history", str(path), "--horizon", "2", "--out", str(out)]
    result = runner.invoke(app, [*args, "--finetune", "none", "--backbone", str(TINY)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["timestamp"].tolist() == ["2010-09-03", "2010-09-10"]
    hours = pd.date_range("2024-03-09 20:00", periods=40, freq="h", tz="America/New_York")
    path = tmp_path / "h.csv"
    stamps = [t.isoformat() for t in hours]
    pd.DataFrame({"item_id": "T", "timestamp": stamps, "target": 1.0}).to_csv(path, index=False)
    args = ["forecast", "--history", str(path), "--horizon", "2", "--out", str(out)]
    result = runner.invoke(app, [*args, "--finetune", "none", "--backbone", str(TINY)])
    assert result.exit_code == 0, result.output


def test_a_file_in_another_encoding_is_read_with_encoding(tmp_path: Path) -> None:
    path, out = tmp_path / "gbk.csv", tmp_path / "f.csv"
    pd.DataFrame(
        {"item_id": "螺丝", "timestamp": pd.date_range("2024-01-01", periods=20), "target": 1.0}
    ).to_csv(path, index=False, encoding="gbk")
    args = ["forecast", "--history", str(path), "--horizon", "2", "--out", str(out)]
    args += ["--finetune", "none", "--backbone", str(TINY)]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    message = str(result.exception) + result.output
    assert "expected text in the encoding utf-8" in message
    assert "--encoding gb18030" in message
    result = runner.invoke(app, [*args, "--encoding", "gb18030"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["item_id"].unique().tolist() == ["螺丝"]
