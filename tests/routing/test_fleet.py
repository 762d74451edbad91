from __future__ import annotations

import math

import pandas as pd
import pytest

from supplymind.exceptions import DataValidationError, RoutingInputError
from supplymind.routing.fleet import (
    FleetDefaults,
    default_fleet,
    depot_coordinates,
    parse_clock,
    vehicle_types_from_frame,
)


def _vehicles(**overrides: object) -> pd.DataFrame:
    row = {
        "vehicle_type": "van",
        "count": "3",
        "capacity": "1200",
        "depot_id": "WH01",
        "fixed_cost": "150",
        "cost_per_km": "1.8",
        "cost_per_hour": "42",
        "shift_start": "06:30",
        "shift_end": "26:00",
        "max_duration_hours": "9.5",
    }
    row.update({k: str(v) for k, v in overrides.items()})
    return pd.DataFrame([row])


def test_when_a_vehicles_table_is_read_then_units_become_minutes() -> None:
    (van,) = vehicle_types_from_frame(_vehicles())
    assert (van.name, van.count, van.capacity, van.depot_id) == ("van", 3, 1200.0, "WH01")
    assert van.cost_per_distance == 1.8
    assert van.cost_per_time == pytest.approx(42 / 60)
    assert (van.shift_start, van.shift_end, van.max_duration) == (390.0, 1560.0, 570.0)
    assert van.return_depot_id == "WH01"


def test_when_optional_columns_are_absent_then_defaults_apply() -> None:
    frame = pd.DataFrame([{"vehicle_type": "t", "count": 1, "capacity": 5, "depot_id": "D"}])
    (vt,) = vehicle_types_from_frame(frame)
    assert (vt.fixed_cost, vt.cost_per_distance, vt.cost_per_time) == (0.0, 1.0, 0.0)
    assert (vt.shift_start, vt.shift_end, vt.max_duration) == (0.0, 1440.0, math.inf)


def test_when_a_vehicles_cell_is_bad_then_every_problem_is_reported_with_its_row() -> None:
    with pytest.raises(DataValidationError) as info:
        vehicle_types_from_frame(_vehicles(count="0", capacity="lots"))
    message = str(info.value)
    assert "row 1, column 'count'" in message
    assert "row 1, column 'capacity'" in message


def test_when_a_shift_time_is_not_a_clock_then_the_error_names_type_and_field() -> None:
    with pytest.raises(RoutingInputError, match="vehicle type 'van', field 'shift_start'"):
        vehicle_types_from_frame(_vehicles(shift_start="6am"))
    assert parse_clock("07:05", owner="x", field="y") == 425.0


def test_depot_coordinates_come_from_the_vehicles_file_when_given() -> None:
    frame = _vehicles(depot_lat="31.2", depot_lon="121.5")
    assert depot_coordinates(frame) == {"WH01": (31.2, 121.5)}
    assert depot_coordinates(_vehicles()) == {}


def test_the_default_fleet_has_one_type_per_depot_sized_for_its_orders() -> None:
    fleet = default_fleet(
        ["A", "B", "C"],
        demand=[500.0, 3400.0, 200.0],
        window_start=[360.0, 480.0, 600.0],
        window_end=[480.0, 600.0, 720.0],
        order_depots=["A", "A", "B"],
        defaults=FleetDefaults(),
    )
    assert [vt.name for vt in fleet] == ["truck@A", "truck@B"]
    a, b = fleet
    assert a.count == 2
    assert a.capacity == 3500.0
    assert b.count == 1
    assert b.capacity == 3000.0
    assert (a.shift_start, a.shift_end, a.max_duration) == (240.0, 720.0, 600.0)
    assert a.cost_per_time == pytest.approx(1.0)


@pytest.mark.parametrize("field", ["capacity", "cost_per_km"])
def test_when_fleet_defaults_are_unusable_then_error(field: str) -> None:
    with pytest.raises(RoutingInputError, match=field):
        FleetDefaults(**{field: -1.0})
