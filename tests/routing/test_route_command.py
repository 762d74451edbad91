"""The ``supplymind route`` command (a thin shell over the routing package)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from supplymind.cli import app
from supplymind.data.ingest import ingest_frame
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import RoutingInfeasibleError

runner = CliRunner()


def test_when_routing_an_instance_then_json_has_cost_and_client_number_routes(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    args = ["route", "--instance", str(data_dir / "tiny.vrp"), "--time-limit", "0.3"]
    result = runner.invoke(app, [*args, "--seed", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["cost"] <= 27
    assert sorted(c for r in data["routes"] for c in r) == [1, 2, 3, 4, 5]
    assert (tmp_path / "r.csv").is_file()
    assert (tmp_path / "r.png").is_file()
    assert "vehicles used" in result.output


def test_when_routing_from_the_warehouse_then_the_first_planned_day_is_planned(
    sample_tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    db = tmp_path / "wh.duckdb"
    with Warehouse(db) as wh:
        ingest_frame(wh, "locations", sample_tables["locations"])
        ingest_frame(wh, "delivery_orders", sample_tables["delivery_orders"])
    out = tmp_path / "day.json"
    args = ["route", "--from-db", "--db", str(db), "--time-limit", "0.3", "--no-plot"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["feasible"]
    assert data["routes"][0]["stops"][1]["arrival"].startswith(data["time_origin"][:10])
    assert not (tmp_path / "day.png").exists()


def test_when_an_order_is_too_big_for_every_vehicle_then_the_command_names_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "o.csv").write_text(
        "order_id,depot_id,demand,window_start,window_end,lat,lon\n"
        "ok,DC,10,2024-03-04T08:00,2024-03-04T12:00,31.25,121.45\n"
        "huge,DC,9000,2024-03-04T08:00,2024-03-04T12:00,31.3,121.5\n"
    )
    (tmp_path / "v.csv").write_text(
        "vehicle_type,count,capacity,depot_id,depot_lat,depot_lon\nvan,2,1000,DC,31.2,121.4\n"
    )
    args = ["route", "--orders", str(tmp_path / "o.csv"), "--vehicles", str(tmp_path / "v.csv")]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "r.json")])
    assert result.exit_code != 0
    assert isinstance(result.exception, RoutingInfeasibleError)
    assert "order 'huge'" in str(result.exception)
    assert not (tmp_path / "r.json").exists()


def test_when_no_source_or_two_sources_are_given_then_usage_error(data_dir: Path) -> None:
    assert runner.invoke(app, ["route"]).exit_code == 2
    both = ["route", "--from-db", "--instance", str(data_dir / "tiny.vrp")]
    assert runner.invoke(app, both).exit_code == 2
