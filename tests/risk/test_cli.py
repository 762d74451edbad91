"""``supplymind risk``: the typer app exercised through a root app, as the lead registers it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from supplymind.risk.cli import risk_app

app = typer.Typer()
app.add_typer(risk_app, name="risk")
runner = CliRunner()


def test_every_risk_command_has_help() -> None:
    for command in ("scan", "train-delay", "predict-delay", "whatif", "scorecards"):
        result = runner.invoke(app, ["risk", command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output


def test_when_a_series_file_is_scanned_then_alerts_csv_lists_its_spikes(
    series_factory, tmp_path: Path
) -> None:
    frame, injected = series_factory(n=300, anomalies=(220, 260))
    path = tmp_path / "s.csv"
    frame.rename(columns={"item_id": "kpi", "target": "value"}).to_csv(path, index=False)
    out = tmp_path / "alerts.csv"
    args = ["risk", "scan", "--series", str(path), "--out", str(out), "--detector", "seasonal"]
    result = runner.invoke(app, [*args, "--id-col", "kpi", "--target-col", "value"])
    assert result.exit_code == 0, result.output
    alerts = pd.read_csv(out)
    assert len(alerts) == 2
    assert set(alerts["kind"]) == {"kpi_anomaly"}
    assert set(pd.to_datetime(alerts["event_time"])) == {
        frame["timestamp"].iloc[i] for i in injected
    }


def test_when_the_warehouse_is_scanned_twice_then_no_alert_is_duplicated(
    company_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "alerts.csv"
    args = ["risk", "scan", "--from-db", "--db", company_db, "--out", str(out), "--threads", "1"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "0 new alerts" in second.output
    assert len(pd.read_csv(out)) == len(pd.read_csv(out).drop_duplicates("alert_id"))


def test_when_a_delay_model_is_trained_then_it_predicts_from_its_folder(
    shipment_factory, tmp_path: Path
) -> None:
    data = shipment_factory(n=1500)
    path = tmp_path / "shipments.csv"
    data.to_csv(path, index=False)
    model_dir = tmp_path / "model"
    result = runner.invoke(
        app, ["risk", "train-delay", "--data", str(path), "--out", str(model_dir), "--threads", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "ROC-AUC" in result.output
    config = json.loads((model_dir / "config.json").read_text())
    assert config["kind"] == "lightgbm"
    assert (model_dir / "classifier.txt").is_file()
    open_orders = data.tail(20).drop(columns="delivered_at")
    open_path = tmp_path / "open.csv"
    open_orders.to_csv(open_path, index=False)
    out = tmp_path / "risk.csv"
    result = runner.invoke(
        app,
        [
            "risk",
            "predict-delay",
            "--model",
            str(model_dir),
            "--data",
            str(open_path),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    pred = pd.read_csv(out)
    assert len(pred) == 20
    assert pred["p_late"].between(0, 1).all()
    assert pred["explanation"].str.contains("chance of arriving late").all()


def test_when_a_supplier_is_closed_then_whatif_writes_the_items_at_risk(
    company_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "whatif.csv"
    args = ["risk", "whatif", "--from-db", "--db", company_db, "--out", str(out)]
    result = runner.invoke(app, [*args, "--close-supplier", "SUP01", "--lead-time-increase", "50"])
    assert result.exit_code == 0, result.output
    assert "suppliers closed: SUP01; lead times +50%" in result.output
    table = pd.read_csv(out)
    assert table["newly_at_risk"].any()
    result = runner.invoke(
        app,
        ["risk", "scorecards", "--from-db", "--db", company_db, "--out", str(tmp_path / "c.csv")],
    )
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "c.csv")) == 8


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["risk", "scan", "--out", "a.csv"], "exactly one of --from-db or --series"),
        (["risk", "scorecards", "--out", "a.csv"], "exactly one of --from-db or --data"),
        (["risk", "whatif", "--out", "a.csv", "--lead-time-increase", "10"], "missing"),
        (
            ["risk", "scan", "--series", "s.csv", "--out", "a.csv", "--now", "yesterday-ish"],
            "--now",
        ),
    ],
)
def test_when_options_are_wrong_then_the_command_fails_with_a_clear_message(
    args: list[str], words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.csv").write_text("item_id,timestamp,target\na,2024-01-01,1\n")
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    message = result.output + (str(result.exception) if result.exception else "")
    flat = " ".join(message.replace("│", " ").split())  # the error box wraps lines
    assert words in flat
