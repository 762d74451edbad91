from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.ingest import ingest_frame
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import DataValidationError, RoutingInputError
from supplymind.routing.build import (
    planned_orders,
    problem_from_files,
    problem_from_tables,
    problem_from_warehouse,
)
from supplymind.routing.solve import solve


def _orders(**extra: list[object]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "order_id": ["A", "B"],
            "depot_id": ["DC", "DC"],
            "demand": ["120.5", "80"],
            "window_start": ["2024-03-04T08:00", "2024-03-04T13:00"],
            "window_end": ["2024-03-04T11:00", "2024-03-04T16:00"],
            "service_minutes": ["10", "15"],
            "lat": ["31.25", "31.30"],
            "lon": ["121.45", "121.50"],
        }
    )
    for column, values in extra.items():
        frame[column] = values
    return frame


LOCATIONS = pd.DataFrame(
    {"location_id": ["DC"], "kind": ["warehouse"], "lat": [31.2], "lon": [121.4]}
)


def test_when_orders_carry_coordinates_then_times_are_minutes_after_midnight() -> None:
    problem = problem_from_tables(_orders(), locations=LOCATIONS)
    assert problem.time_origin == pd.Timestamp("2024-03-04")
    a, b = problem.orders
    assert (a.order_id, a.location_id, a.x, a.y) == ("A", "A", 121.45, 31.25)
    assert (a.window_start, a.window_end, a.service, a.demand) == (480.0, 660.0, 10.0, 120.5)
    assert b.window_start == 780.0
    assert [d.depot_id for d in problem.depots] == ["DC"]
    assert problem.vehicle_types[0].name == "truck@DC"
    assert any("Default fleet" in n for n in problem.notes)
    assert problem.travel.distance[0, 1] > 0


def test_when_vehicles_are_given_then_they_are_the_fleet() -> None:
    vehicles = pd.DataFrame(
        [
            {"vehicle_type": "van", "count": 2, "capacity": 150, "depot_id": "DC"},
            {"vehicle_type": "bike", "count": 1, "capacity": 30, "depot_id": "HUB",
             "depot_lat": 31.26, "depot_lon": 121.46},
        ]
    )  # fmt: skip
    problem = problem_from_tables(_orders(), locations=LOCATIONS, vehicles=vehicles)
    assert [vt.name for vt in problem.vehicle_types] == ["van", "bike"]
    assert [d.depot_id for d in problem.depots] == ["DC", "HUB"]
    assert problem.depots[1].y == 31.26
    assert not any("Default fleet" in n for n in problem.notes)


def test_when_optional_and_pickup_columns_are_given_then_orders_carry_them() -> None:
    problem = problem_from_tables(
        _orders(pickup=["5", ""], required=["false", "true"], penalty=["250", ""]),
        locations=LOCATIONS,
    )
    a, b = problem.orders
    assert (a.required, a.penalty, a.pickup) == (False, 250.0, 5.0)
    assert (b.required, b.pickup) == (True, 0.0)


def test_when_an_optional_order_has_no_penalty_then_the_error_names_it() -> None:
    with pytest.raises(RoutingInputError, match=r"\['A'\], field 'penalty'"):
        problem_from_tables(_orders(required=["no", "yes"]), locations=LOCATIONS)


def test_when_a_location_is_unknown_then_the_error_names_the_orders() -> None:
    orders = _orders().drop(columns=["lat", "lon"]).assign(location_id=["S1", "S2"])
    with pytest.raises(RoutingInputError, match=r"orders \['A', 'B'\], fields 'lat'/'lon'"):
        problem_from_tables(orders, locations=LOCATIONS)


def test_when_an_order_cell_is_bad_then_every_problem_is_reported_with_row_and_column() -> None:
    orders = _orders()
    orders.loc[1, "demand"] = "-3"
    orders.loc[0, "window_end"] = "2024-03-04T07:00"
    with pytest.raises(DataValidationError) as info:
        problem_from_tables(orders, locations=LOCATIONS)
    message = str(info.value)
    assert "row 2, column 'demand'" in message
    assert "window_end" in message


def test_when_no_depot_is_named_then_the_warehouses_are_the_depots() -> None:
    orders = _orders().drop(columns=["depot_id"])
    problem = problem_from_tables(orders, locations=LOCATIONS)
    assert [d.depot_id for d in problem.depots] == ["DC"]
    assert all(o.depot_id is None for o in problem.orders)


def test_when_history_is_given_then_windows_get_peak_hour_buffers(
    sample_tables: dict[str, pd.DataFrame],
) -> None:
    deliveries = sample_tables["delivery_orders"]
    orders, day = planned_orders(deliveries)
    history = deliveries[deliveries["status"] == "delivered"]
    problem = problem_from_tables(orders, locations=sample_tables["locations"], history=history)
    assert day == pd.to_datetime(orders["window_start"]).min().normalize()
    assert all(o.buffer > 0 for o in problem.orders)
    assert any("approximation" in n and "peak-hour profile" in n for n in problem.notes)
    assert [d.depot_id for d in problem.depots] == sorted(d.depot_id for d in problem.depots)


def test_planned_orders_picks_the_first_planned_day_or_the_given_one(
    sample_tables: dict[str, pd.DataFrame],
) -> None:
    deliveries = sample_tables["delivery_orders"]
    first, day = planned_orders(deliveries)
    assert set(first["status"]) == {"planned"}
    assert set(pd.to_datetime(first["window_start"]).dt.normalize()) == {day}
    _later, next_day = planned_orders(deliveries, day + pd.Timedelta(days=1))
    assert next_day == day + pd.Timedelta(days=1)
    with pytest.raises(RoutingInputError, match="found none on 1999-01-01"):
        planned_orders(deliveries, "1999-01-01")


def test_when_the_warehouse_has_planned_orders_then_the_first_day_is_routed(
    sample_tables: dict[str, pd.DataFrame],
) -> None:
    with Warehouse(":memory:") as wh:
        ingest_frame(wh, "locations", sample_tables["locations"])
        ingest_frame(wh, "delivery_orders", sample_tables["delivery_orders"])
        problem = problem_from_warehouse(wh)
    _, day = planned_orders(sample_tables["delivery_orders"])
    assert problem.name == f"deliveries of {day:%Y-%m-%d}"
    plan = solve(problem, time_limit=None, max_iterations=200)
    assert plan.feasible
    assert plan.kpis.served == len(problem.orders)


def test_when_routing_from_files_then_a_matrix_file_replaces_the_estimate(tmp_path: Path) -> None:
    orders = _orders().drop(columns=["lat", "lon"]).assign(location_id=["S1", "S2"])
    orders.to_csv(tmp_path / "orders.csv", index=False)
    locations = pd.DataFrame(
        {"location_id": ["DC", "S1", "S2"], "kind": ["warehouse", "store", "store"],
         "lat": [31.2, 31.25, 31.3], "lon": [121.4, 121.45, 121.5]}
    )  # fmt: skip
    locations.to_csv(tmp_path / "locations.csv", index=False)
    pd.DataFrame([{"vehicle_type": "van", "count": 2, "capacity": 500, "depot_id": "DC"}]).to_csv(
        tmp_path / "vehicles.csv", index=False
    )
    ids = ["DC", "S1", "S2"]
    pd.DataFrame(
        [{"from_id": a, "to_id": b, "distance_km": 7.0} for a in ids for b in ids if a != b]
    ).to_csv(tmp_path / "matrix.csv", index=False)
    problem = problem_from_files(
        tmp_path / "orders.csv",
        vehicles=tmp_path / "vehicles.csv",
        locations=tmp_path / "locations.csv",
        matrix=tmp_path / "matrix.csv",
    )
    assert problem.name == "orders"
    assert problem.travel.distance[0, 1] == 7.0
    assert problem.travel.duration[0, 1] == pytest.approx(14.0)  # 7 km at 30 km/h
    assert "matrix file" in problem.notes[0]


def test_when_vehicles_are_not_vehicle_types_then_error() -> None:
    with pytest.raises(RoutingInputError, match=r"vehicles: expected .* found \['str'\]"):
        problem_from_tables(_orders(), locations=LOCATIONS, vehicles=["van"])  # type: ignore[list-item]
