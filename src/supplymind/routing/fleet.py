"""The fleet: a vehicles file (CSV or Parquet) or a default fleet derived from the orders.

Vehicles file, one row per vehicle type:

====================  ========  ===========================================================
column                required  meaning
====================  ========  ===========================================================
vehicle_type          yes       name of the type (unique)
count                 yes       vehicles of this type available
capacity              yes       load capacity, in the orders' unit (kg for the sample company)
depot_id              yes       start depot (``locations.location_id``)
end_depot_id          no        end depot (default: the start depot)
fixed_cost            no        cost of using one vehicle for the day (default 0)
cost_per_km           no        cost per km driven (default 1)
cost_per_hour         no        cost per hour on the road, waiting included (default 0)
shift_start           no        earliest departure, ``HH:MM`` on the routing day (default 00:00)
shift_end             no        latest return, ``HH:MM`` (default 24:00; ``26:30`` is the
                                next day)
max_duration_hours    no        longest route in hours (default: no limit beyond the shift)
depot_lat, depot_lon  no        depot coordinates when the depot is not a known location
====================  ========  ===========================================================

Default fleet (``--from-db`` without ``--vehicles``), see :class:`FleetDefaults`: one vehicle
type ``truck@<depot>`` per depot with orders, as many trucks as orders there (the fixed cost
keeps the number used down), 3,000 kg capacity (or the largest order of the depot rounded up
to 500 kg, if larger), 300 fixed cost, 2.5 per km, 60 per hour, a shift from two hours before
the depot's earliest window to two hours after its latest, and at most 10 hours per route.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from supplymind.data.schema import ColumnSpec, TableSchema
from supplymind.data.validation import validate_frame
from supplymind.exceptions import RoutingInputError
from supplymind.routing.problem import VehicleType

__all__ = [
    "VEHICLES",
    "FleetDefaults",
    "default_fleet",
    "depot_coordinates",
    "parse_clock",
    "vehicle_types_from_frame",
]

VEHICLES = TableSchema(
    name="vehicles",
    description="Vehicle types of the fleet (routing input, not a warehouse table).",
    columns=(
        ColumnSpec("vehicle_type", "string", "Name of the vehicle type."),
        ColumnSpec("count", "int", "Vehicles of this type available.", minimum=1),
        ColumnSpec("capacity", "float", "Load capacity in the orders' unit.", minimum=0.0),
        ColumnSpec("depot_id", "string", "Start depot (locations.location_id)."),
        ColumnSpec("end_depot_id", "string", "End depot.", required=False, nullable=True),
        ColumnSpec(
            "fixed_cost",
            "float",
            "Cost per vehicle used.",
            required=False,
            minimum=0.0,
            default=0.0,
        ),
        ColumnSpec(
            "cost_per_km", "float", "Cost per km.", required=False, minimum=0.0, default=1.0
        ),
        ColumnSpec(
            "cost_per_hour", "float", "Cost per hour.", required=False, minimum=0.0, default=0.0
        ),
        ColumnSpec(
            "shift_start", "string", "Earliest departure HH:MM.", required=False, default="00:00"
        ),
        ColumnSpec("shift_end", "string", "Latest return HH:MM.", required=False, default="24:00"),
        ColumnSpec(
            "max_duration_hours",
            "float",
            "Longest route in hours.",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        ColumnSpec(
            "depot_lat",
            "float",
            "Depot latitude.",
            required=False,
            nullable=True,
            minimum=-90.0,
            maximum=90.0,
        ),
        ColumnSpec(
            "depot_lon",
            "float",
            "Depot longitude.",
            required=False,
            nullable=True,
            minimum=-180.0,
            maximum=180.0,
        ),
    ),
    key=("vehicle_type",),
)

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_clock(value: str, *, owner: str, field: str) -> float:
    """Minutes after midnight of ``HH:MM`` (hours up to 47 reach into the next day)."""
    match = _CLOCK.match(str(value))
    if match is None or int(match.group(1)) > 47 or int(match.group(2)) > 59:
        raise RoutingInputError(
            f"{owner}, field '{field}': expected a time HH:MM (00:00 to 47:59), found {value!r}"
        )
    return int(match.group(1)) * 60.0 + int(match.group(2))


def vehicle_types_from_frame(
    frame: pd.DataFrame, *, source: str | None = None
) -> list[VehicleType]:
    """Vehicle types from a vehicles table (see the module docstring for its columns).

    Times become minutes after midnight of the routing day; costs per hour become costs per
    minute.

    Raises
    ------
    DataValidationError
        When columns are missing or cells are of the wrong type or out of range (every
        problem at once, with row and column).
    RoutingInputError
        When a shift time is not ``HH:MM`` or a shift ends before it starts.
    """
    typed = validate_frame(frame, VEHICLES, source=source).frame
    out = []
    for row in typed.to_dict("records"):
        owner = f"vehicle type '{row['vehicle_type']}'"
        start = parse_clock(str(row["shift_start"]), owner=owner, field="shift_start")
        end = parse_clock(str(row["shift_end"]), owner=owner, field="shift_end")
        hours = row["max_duration_hours"]
        out.append(
            VehicleType(
                name=str(row["vehicle_type"]),
                count=int(row["count"]),
                capacity=float(row["capacity"]),
                depot_id=str(row["depot_id"]),
                end_depot_id=None if pd.isna(row["end_depot_id"]) else str(row["end_depot_id"]),
                fixed_cost=float(row["fixed_cost"]),
                cost_per_distance=float(row["cost_per_km"]),
                cost_per_time=float(row["cost_per_hour"]) / 60.0,
                shift_start=start,
                shift_end=end,
                max_duration=math.inf if pd.isna(hours) else float(hours) * 60.0,
            )
        )
    return out


def depot_coordinates(frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """``depot_id -> (lat, lon)`` given in a vehicles table's ``depot_lat``/``depot_lon``."""
    if not {"depot_lat", "depot_lon"} <= set(frame.columns):
        return {}
    typed = validate_frame(frame, VEHICLES).frame
    known = typed.dropna(subset=["depot_lat", "depot_lon"])
    return {
        str(r["depot_id"]): (float(r["depot_lat"]), float(r["depot_lon"]))
        for r in known.to_dict("records")
    }


@dataclass(frozen=True)
class FleetDefaults:
    """The fleet assumed per depot when none is given.

    Parameters
    ----------
    capacity
        Capacity of a truck (kg); a depot with a larger order gets that order's size rounded
        up to ``capacity_step``.
    capacity_step
        Rounding step for a larger capacity.
    fixed_cost, cost_per_km, cost_per_hour
        Costs of a truck.
    shift_margin_hours
        The shift starts this long before the depot's earliest window and ends this long
        after its latest.
    max_duration_hours
        Longest route.
    """

    capacity: float = 3000.0
    capacity_step: float = 500.0
    fixed_cost: float = 300.0
    cost_per_km: float = 2.5
    cost_per_hour: float = 60.0
    shift_margin_hours: float = 2.0
    max_duration_hours: float = 10.0

    def __post_init__(self) -> None:
        for name in ("capacity", "capacity_step", "max_duration_hours"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise RoutingInputError(
                    f"FleetDefaults.{name}: expected a number > 0, found {value!r}"
                )
        for name in ("fixed_cost", "cost_per_km", "cost_per_hour", "shift_margin_hours"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise RoutingInputError(
                    f"FleetDefaults.{name}: expected a number >= 0, found {value!r}"
                )


def default_fleet(
    depot_ids: Sequence[str],
    demand: Sequence[float],
    window_start: Sequence[float],
    window_end: Sequence[float],
    order_depots: Sequence[str],
    defaults: FleetDefaults | None = None,
) -> list[VehicleType]:
    """One truck type per depot with orders (see :class:`FleetDefaults`).

    Parameters
    ----------
    depot_ids
        The depots, in order.
    demand, window_start, window_end, order_depots
        Per order: size, window (minutes after midnight) and depot.
    defaults
        The assumptions; :class:`FleetDefaults` defaults when ``None``.
    """
    d = defaults or FleetDefaults()
    frame = pd.DataFrame(
        {"demand": demand, "start": window_start, "end": window_end, "depot": order_depots}
    )
    out = []
    for depot in depot_ids:
        mine = frame[frame["depot"] == depot]
        if mine.empty:
            continue
        largest = float(mine["demand"].max())
        capacity = max(d.capacity, math.ceil(largest / d.capacity_step) * d.capacity_step)
        margin = d.shift_margin_hours * 60.0
        out.append(
            VehicleType(
                name=f"truck@{depot}",
                count=len(mine),
                capacity=capacity,
                depot_id=depot,
                fixed_cost=d.fixed_cost,
                cost_per_distance=d.cost_per_km,
                cost_per_time=d.cost_per_hour / 60.0,
                shift_start=max(0.0, float(mine["start"].min()) - margin),
                shift_end=float(mine["end"].max()) + margin,
                max_duration=d.max_duration_hours * 60.0,
            )
        )
    return out
