from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from supplymind.routing.build import problem_from_tables
from supplymind.routing.instances import read_instance
from supplymind.routing.output import kpi_table, plan_to_dict, plan_to_frame, to_json, write_plan
from supplymind.routing.problem import Order
from supplymind.routing.solution import RoutePlan
from supplymind.routing.solve import solve

from .conftest import MakeProblem


@pytest.fixture(scope="module")
def instance_plan() -> RoutePlan:
    problem = read_instance(Path(__file__).parent / "data" / "tiny_solomon.txt")
    return solve(problem, time_limit=None, max_iterations=200)


@pytest.fixture(scope="module")
def company_plan() -> RoutePlan:
    orders = pd.DataFrame(
        {
            "order_id": ["A", "B", "C"],
            "depot_id": ["DC"] * 3,
            "demand": [100.0, 200.0, 50.0],
            "window_start": pd.to_datetime(["2024-03-04 08:00"] * 3),
            "window_end": pd.to_datetime(["2024-03-04 12:00"] * 3),
            "service_minutes": [10.0, 10.0, 10.0],
            "lat": [31.25, 31.3, 31.2],
            "lon": [121.45, 121.5, 121.5],
        }
    )
    locations = pd.DataFrame(
        {"location_id": ["DC"], "kind": ["warehouse"], "lat": [31.2], "lon": [121.4]}
    )
    problem = problem_from_tables(orders, locations=locations)
    return solve(problem, time_limit=None, max_iterations=200)


def test_for_an_instance_routes_are_lists_of_client_numbers(instance_plan: RoutePlan) -> None:
    data = plan_to_dict(instance_plan)
    assert data["cost"] == instance_plan.cost
    assert all(isinstance(c, int) for r in data["routes"] for c in r)
    assert sorted(c for r in data["routes"] for c in r) == [1, 2, 3, 4, 5]
    assert data["instance_format"] == "solomon"
    assert data["kpis"]["vehicles_used"] == len(data["routes"])


def test_for_company_data_routes_have_timed_stops(company_plan: RoutePlan) -> None:
    data = plan_to_dict(company_plan)
    route = data["routes"][0]
    assert route["stops"][0]["kind"] == "start"
    assert route["stops"][-1]["kind"] == "end"
    visit = route["stops"][1]
    assert visit["arrival"].startswith("2024-03-04T")
    assert {"lat", "lon", "load", "distance", "lateness", "departure"} <= set(visit)
    assert data["units"] == {"distance": "km", "time": "min", "load": "kg", "cost": "currency"}
    assert data["time_origin"] == "2024-03-04T00:00:00"
    json.dumps(data)  # JSON-safe (no infinities)


def test_the_stops_table_has_one_row_per_stop(company_plan: RoutePlan) -> None:
    frame = plan_to_frame(company_plan)
    stops = sum(len(r.stops) for r in company_plan.routes)
    assert len(frame) == stops
    assert list(frame.columns[:6]) == [
        "vehicle", "vehicle_type", "stop", "kind", "order_id", "location_id",
    ]  # fmt: skip
    assert frame["cumulative_distance"].iloc[-1] == pytest.approx(company_plan.routes[-1].distance)


def test_when_written_then_json_and_csv_sit_side_by_side(
    instance_plan: RoutePlan, tmp_path: Path
) -> None:
    paths = write_plan(instance_plan, tmp_path / "out" / "routes.json")
    assert [p.name for p in paths] == ["routes.json", "routes.csv"]
    data = json.loads(paths[0].read_text())
    assert data["routes"] == [[int(o) for o in r.order_ids] for r in instance_plan.routes]
    assert "x" in pd.read_csv(paths[1]).columns
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_lists_of_numbers_are_kept_on_one_line_and_json_still_parses() -> None:
    data = {"routes": [[1, 2, 3], [4]], "names": ["a", "b"], "x": [1.5, -2e-05]}
    text = to_json(data)
    assert "[1, 2, 3]" in text
    assert json.loads(text) == data


def test_kpi_table_states_units_and_shares(company_plan: RoutePlan) -> None:
    table = kpi_table(company_plan)
    values = dict(zip(table["kpi"], table["value"], strict=True))
    assert values["orders served"] == "3 of 3"
    assert values["on-time rate"] == "100.0%"
    assert "distance (km)" in values


def test_an_empty_plan_gives_an_empty_table_with_the_columns(make_problem: MakeProblem) -> None:
    plan = solve(make_problem([]), time_limit=1.0)
    assert plan_to_frame(plan).empty
    assert "arrival" in plan_to_frame(plan).columns
    assert plan_to_dict(plan)["routes"] == []
    unused = Order("unused", 0.0, 0.0)
    assert unused.planned_window_end == float("inf")
