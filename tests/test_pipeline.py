"""The pipeline from the warehouse to decisions, on a tiny sample company."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.data.warehouse import Warehouse
from supplymind.demo import _build_warehouse
from supplymind.inventory.report import protection_days
from supplymind.pipeline import STAGES, PipelineRun, list_runs, load_run, run_pipeline

TINY = SampleCompanyConfig(
    seed=0, n_items=8, n_stores=6, n_days=240, n_feedback=60, delivery_weeks=2, planned_days=2
)


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pipeline") / "warehouse.duckdb"
    _build_warehouse(generate_sample_company(TINY), path)
    return path


@pytest.fixture(scope="module")
def full_run(tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    out = tmp_path_factory.mktemp("run")
    return run_pipeline(
        tiny_warehouse,
        out,
        finetune_steps=2,
        route_time_limit=1.0,
        feedback_steps=2,
        n_jobs=1,
        risk_threads=1,
    )


def test_when_the_pipeline_runs_then_every_stage_is_recorded_with_outputs(
    full_run: PipelineRun,
) -> None:
    assert [s.name for s in full_run.stages] == list(STAGES)
    for name in ("forecast", "replenishment", "routes", "risk"):
        stage = full_run.stage(name)
        assert stage.status == "ok", (name, stage.message)
        assert stage.seconds > 0
        assert stage.inputs, name
        assert all(v > 0 for v in stage.inputs.values()), name
        assert stage.outputs, name
        assert all(Path(p).exists() for p in stage.outputs), name
    forecast = full_run.stage("forecast")
    assert forecast.model["selection"]
    assert forecast.metrics["series"] == 8 * 2  # items x warehouses
    assert {row["model"].split(":")[0] for row in forecast.metrics["held_out"]} >= {
        "adopted",
        "zero_shot",
    }
    backtest = forecast.metrics["backtest_wql"]
    assert {"zero_shot", "EmpiricalQuantiles"} <= {row["model"] for row in backtest}
    assert all(row["wql"] >= 0 for row in backtest)
    assert full_run.stage("routes").metrics["served"] > 0
    out = Path(full_run.out_dir)
    for name in ("forecast.csv", "plan.csv", "routes.json", "alerts.csv", "report.html"):
        assert (out / name).exists(), name
    # The forecast covers what the plan reads: the longest lead time plus the review period.
    days = pd.read_csv(out / "forecast.csv").groupby(["item_id", "location_id"]).size()
    assert (days == max(28, protection_days(generate_sample_company(TINY)))).all()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Demand forecast" in html
    assert "Delivery routes" in html


def test_when_feedback_is_importable_then_its_stage_runs_else_it_is_skipped_with_a_reason(
    full_run: PipelineRun,
) -> None:
    stage = full_run.stage("feedback")
    try:
        from supplymind.feedback.report import feedback_section  # noqa: F401
    except ImportError:
        assert stage.status == "skipped"
        assert "not available" in stage.message
    else:
        assert stage.status in ("ok", "failed")
        if stage.status == "ok":
            assert stage.metrics["predictions"] == 60


def test_when_a_run_is_stored_then_the_table_and_the_json_file_hold_the_same_record(
    full_run: PipelineRun, tiny_warehouse: Path
) -> None:
    record = json.loads(
        (Path(full_run.out_dir) / "runs" / f"{full_run.run_id}.json").read_text("utf-8")
    )
    assert record == full_run.to_dict()
    with Warehouse(tiny_warehouse) as wh:
        assert load_run(wh, full_run.run_id) == record
        assert full_run.run_id in [r["run_id"] for r in list_runs(wh)]
        assert load_run(wh, "no-such-run") is None


def test_when_the_feedback_package_is_missing_then_the_stage_is_skipped_not_faked(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes the import raise ImportError, as for an absent package.
    monkeypatch.setitem(sys.modules, "supplymind.feedback.report", None)
    run = run_pipeline(tiny_warehouse, tmp_path, stages=["feedback"])
    stage = run.stage("feedback")
    assert stage.status == "skipped"
    assert "feedback stage not available yet" in stage.message
    assert [s.status for s in run.stages[:4]] == ["skipped"] * 4
    assert "Customer feedback: skipped" in (tmp_path / "report.html").read_text("utf-8")
    assert run.status == "ok"


def test_when_a_stage_fails_then_it_is_recorded_and_the_later_stages_still_run(
    tmp_path: Path,
) -> None:
    with Warehouse(tmp_path / "empty.duckdb") as wh:
        run = run_pipeline(wh, tmp_path / "out", stages=["routes", "feedback"])
        assert run.stage("routes").status == "failed"
        assert run.stage("routes").message
        assert run.stage("feedback").status in ("ok", "failed", "skipped")
        assert run.status in ("partial", "failed")
        assert load_run(wh, run.run_id) is not None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"stages": ["forecast", "weather"]}, "stages"),
        ({"finetune_steps": -1}, "finetune_steps"),
        ({"route_time_limit": 0.0}, "route_time_limit"),
        ({"feedback_steps": -2}, "feedback_steps"),
    ],
)
def test_when_parameters_are_invalid_then_value_error_names_them(
    tmp_path: Path, kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        run_pipeline(tmp_path / "w.duckdb", tmp_path, **kwargs)  # type: ignore[arg-type]


def test_when_supplymind_run_fails_every_stage_then_it_exits_1_with_the_stage_table(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from supplymind.cli import app

    db = tmp_path / "empty.duckdb"
    result = CliRunner().invoke(app, ["run", "--db", str(db), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    for name in STAGES:
        assert name in result.output
    assert "run status: failed" in result.output
    with Warehouse(db) as wh:
        assert [r["status"] for r in list_runs(wh)] == ["failed"]
