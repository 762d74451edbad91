from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from supplymind.cli import app
from supplymind.data.sample import SampleCompanyConfig

runner = CliRunner()


def _command_paths(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in getattr(group, "commands", {}).items():
        paths.append((*prefix, name))
        paths.extend(_command_paths(command, (*prefix, name)))
    return paths


COMMANDS = _command_paths(typer.main.get_command(app))


def test_the_cli_has_the_foundation_commands() -> None:
    for path in [("demo",), ("ingest",), ("db", "info"), ("schema",), ("datasets", "list")]:
        assert path in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_when_files_are_ingested_then_db_info_shows_rows_and_dates(tmp_path: Path) -> None:
    db = str(tmp_path / "wh.duckdb")
    (tmp_path / "items.csv").write_text("item_id,unit_cost,price\nA,1,2\n")
    (tmp_path / "loc.csv").write_text("location_id,kind,lat,lon\nDC1,warehouse,31.2,121.4\n")
    (tmp_path / "d.csv").write_text(
        "sku,location_id,day,qty\nA,DC1,2024-01-01,3\nA,DC1,2024-01-02,4\n"
    )
    for table, file in (("items", "items.csv"), ("locations", "loc.csv")):
        result = runner.invoke(app, ["ingest", table, str(tmp_path / file), "--db", db])
        assert result.exit_code == 0, result.output
    args = ["ingest", "demand", str(tmp_path / "d.csv"), "--db", db]
    mapping = ["--id-col", "sku", "--time-col", "day", "--target-col", "qty"]
    result = runner.invoke(app, [*args, *mapping])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 2 inserted, 0 updated" in result.output
    result = runner.invoke(app, ["db", "info", "--db", db])
    assert result.exit_code == 0
    assert "demand" in result.output
    assert "2024-01-02" in result.output


def test_when_rename_is_malformed_then_usage_error() -> None:
    result = runner.invoke(app, ["ingest", "demand", "x.csv", "--rename", "nope"])
    assert result.exit_code == 2
    assert "OLD=NEW" in result.output


def test_when_ingest_fails_then_entry_point_prints_problems_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("item_id,unit_cost,price\nA,cheap,2\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "supplymind",
            "ingest",
            "items",
            str(bad),
            "--db",
            str(tmp_path / "w"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "row 1, column 'unit_cost'" in proc.stderr
    assert "[type]" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_schema_describes_every_table() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    for table in ("items", "locations", "demand", "purchase_orders", "feedback"):
        assert table in result.output


def test_when_export_then_file_round_trips(tmp_path: Path) -> None:
    db = str(tmp_path / "wh.duckdb")
    (tmp_path / "items.csv").write_text("item_id,unit_cost,price\nA,1,2\nB,3,4\n")
    runner.invoke(app, ["ingest", "items", str(tmp_path / "items.csv"), "--db", db])
    out = tmp_path / "items.parquet"
    result = runner.invoke(app, ["db", "export", "items", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    import pandas as pd

    assert pd.read_parquet(out)["item_id"].tolist() == ["A", "B"]


def test_when_sample_csvs_are_ingested_in_order_then_every_row_lands(tmp_path: Path) -> None:
    """`supplymind sample` output passes `supplymind ingest` unchanged, table by table."""
    out = tmp_path / "csv"
    result = runner.invoke(app, ["sample", str(out), "--small", "--seed", "5"])
    assert result.exit_code == 0, result.output
    db = str(tmp_path / "wh.duckdb")
    from supplymind.data.schema import table_names

    for table in table_names():
        result = runner.invoke(app, ["ingest", table, str(out / f"{table}.csv"), "--db", db])
        assert result.exit_code == 0, (table, result.output)
        assert " 0 updated" in result.output
    import pandas as pd

    from supplymind.data.warehouse import Warehouse

    with Warehouse(db) as wh:
        for table in table_names():
            assert wh.count(table) == len(pd.read_csv(out / f"{table}.csv")), table


def test_when_demo_small_runs_then_report_path_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command's wiring; the demo's stages themselves are run and checked in
    tests/test_demo.py (running them twice cost a minute of CI)."""
    import supplymind.demo

    calls: list[dict[str, object]] = []
    real = supplymind.demo.run_demo

    def without_stages(out: Path, **kwargs: Any) -> supplymind.demo.DemoResult:
        calls.append(kwargs)
        return real(out, **{**kwargs, "stages": []})

    monkeypatch.setattr(supplymind.demo, "run_demo", without_stages)
    args = ["demo", "--small", "--finetune-steps", "2", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").exists()
    assert "report" in result.output
    assert calls[0]["finetune_steps"] == 2
    assert calls[0]["config"] == SampleCompanyConfig.small(0)
