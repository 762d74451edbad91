"""From the warehouse tables (or files in their format) to a routing problem.

Orders are ``delivery_orders`` rows: ``order_id``, ``location_id``, ``depot_id``, ``demand``,
``window_start``, ``window_end``, ``service_minutes``; an orders file may add

====================  ===========================================================
column                meaning
====================  ===========================================================
lat, lon              the customer's coordinates (else looked up by ``location_id`` in
                      the locations table; ``location_id`` may then be left out)
pickup                load collected at the customer and brought back (default 0)
required              ``false`` for an optional order the plan may drop (default true)
penalty               cost of dropping an optional order (required for those)
====================  ===========================================================

Depots are the ``depot_id`` of the orders and of the vehicles, located through the
locations table (or the vehicles file's ``depot_lat``/``depot_lon``); orders with a
``depot_id`` leave from that depot only. Times become minutes after midnight of the first
window's day. Travel is estimated from coordinates (:mod:`supplymind.routing.travel`) unless a
matrix file is given, and windows get peak-hour buffers when a delivery history is given
(:mod:`supplymind.routing.profile`). Without vehicles the default fleet of
:mod:`supplymind.routing.fleet` is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.data.ingest import read_table_file
from supplymind.data.schema import ColumnSpec, TableSchema, get_table
from supplymind.data.validation import validate_frame
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import RoutingInputError
from supplymind.routing.fleet import (
    FleetDefaults,
    default_fleet,
    depot_coordinates,
    vehicle_types_from_frame,
)
from supplymind.routing.problem import Depot, Order, RoutingProblem, VehicleType
from supplymind.routing.profile import PeakHourProfile, estimate_peak_profile
from supplymind.routing.travel import TravelSettings, geographic_matrix, haversine_km, read_matrix

__all__ = [
    "ORDER_EXTRAS",
    "VehiclesArg",
    "planned_orders",
    "problem_from_files",
    "problem_from_tables",
    "problem_from_warehouse",
]

VehiclesArg = pd.DataFrame | Sequence[VehicleType] | str | Path | None
"""A vehicles table, a vehicles file (CSV or Parquet), vehicle types, or ``None``."""

FloatArray = npt.NDArray[np.float64]

ORDER_EXTRAS = TableSchema(
    name="delivery_orders",
    description="Routing columns an orders file may add to delivery_orders.",
    columns=(
        ColumnSpec("order_id", "string", "Delivery order identifier."),
        ColumnSpec(
            "lat", "float", "Latitude.", required=False, nullable=True, minimum=-90.0, maximum=90.0
        ),
        ColumnSpec(
            "lon",
            "float",
            "Longitude.",
            required=False,
            nullable=True,
            minimum=-180.0,
            maximum=180.0,
        ),
        ColumnSpec(
            "pickup", "float", "Load collected.", required=False, nullable=True, minimum=0.0
        ),
        ColumnSpec("required", "bool", "Must be served.", required=False, nullable=True),
        ColumnSpec(
            "penalty", "float", "Cost of dropping.", required=False, nullable=True, minimum=0.0
        ),
    ),
    key=("order_id",),
)


def planned_orders(
    delivery_orders: pd.DataFrame, date: str | pd.Timestamp | None = None
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The ``planned`` orders of one day: ``date``, or the first day with planned orders.

    Raises
    ------
    RoutingInputError
        When there are no planned orders (that day), naming the days that have some.
    """
    planned = delivery_orders[delivery_orders["status"].astype(str) == "planned"]
    if planned.empty:
        raise RoutingInputError(
            "delivery_orders: expected orders with status 'planned' to route, found none "
            f"(statuses: {sorted(delivery_orders['status'].astype(str).unique())})"
        )
    days = pd.to_datetime(planned["window_start"]).dt.normalize()
    if date is None:
        day = pd.Timestamp(days.min())
    else:
        try:
            day = pd.Timestamp(date).normalize()
        except (ValueError, TypeError) as exc:
            raise RoutingInputError(f"date: expected YYYY-MM-DD, found {date!r}") from exc
    chosen = planned[(days == day).to_numpy()]
    if chosen.empty:
        available = sorted({d.strftime("%Y-%m-%d") for d in days})
        raise RoutingInputError(
            f"date: expected a day with planned orders ({', '.join(available[:10])}"
            f"{', ...' if len(available) > 10 else ''}), found none on {day:%Y-%m-%d}"
        )
    return chosen.reset_index(drop=True), day


def _minutes(values: pd.Series, origin: pd.Timestamp) -> FloatArray:
    return np.asarray((pd.to_datetime(values) - origin).dt.total_seconds() / 60.0, dtype=np.float64)


def _typed_orders(orders: pd.DataFrame, source: str | None) -> pd.DataFrame:
    """Validated orders: the delivery_orders columns and the routing extras."""
    raw = orders.reset_index(drop=True).copy()
    raw.columns = pd.Index([str(c).strip() for c in raw.columns])
    if "location_id" not in raw.columns and {"lat", "lon"} <= set(raw.columns):
        raw["location_id"] = raw["order_id"] if "order_id" in raw.columns else None
    base = validate_frame(raw, get_table("delivery_orders"), source=source).frame
    extra_cols = ["order_id", *[c.name for c in ORDER_EXTRAS.columns[1:] if c.name in raw.columns]]
    extras = validate_frame(raw[extra_cols], ORDER_EXTRAS, source=source).frame
    typed = base.copy()
    for column in ("lat", "lon", "penalty"):
        typed[column] = extras[column].to_numpy()
    # Empty cells take the defaults: nothing picked up, the order required.
    typed["pickup"] = extras["pickup"].fillna(0.0).to_numpy(dtype=np.float64)
    typed["required"] = extras["required"].fillna(True).to_numpy(dtype=bool)
    optional = typed[~typed["required"].astype(bool)]
    unpriced = optional[optional["penalty"].isna()]["order_id"].astype(str).tolist()
    if unpriced:
        raise RoutingInputError(
            f"orders {unpriced[:10]}, field 'penalty': expected the cost of dropping each "
            "optional order (required = false), found none"
        )
    return typed


def _coordinates(
    ids: Sequence[str], lat: npt.ArrayLike, lon: npt.ArrayLike, locations: pd.DataFrame | None
) -> tuple[FloatArray, FloatArray, list[str]]:
    """Fill missing coordinates from the locations table; return the ids still missing."""
    lat_out = np.asarray(lat, dtype=np.float64).copy()
    lon_out = np.asarray(lon, dtype=np.float64).copy()
    if locations is not None and len(locations):
        absent = [c for c in ("location_id", "lat", "lon") if c not in locations.columns]
        if absent:
            raise RoutingInputError(
                f"locations: expected columns location_id, lat, lon, missing {absent}"
            )
        table = locations.assign(location_id=locations["location_id"].astype(str)).set_index(
            "location_id"
        )
        table = table[~table.index.duplicated(keep="last")]
        keys = pd.Series(list(ids), dtype=object)
        found_lat = pd.to_numeric(keys.map(table["lat"]), errors="coerce").to_numpy(np.float64)
        found_lon = pd.to_numeric(keys.map(table["lon"]), errors="coerce").to_numpy(np.float64)
        gap = np.isnan(lat_out) | np.isnan(lon_out)
        lat_out[gap] = found_lat[gap]
        lon_out[gap] = found_lon[gap]
    missing = [ids[k] for k in range(len(ids)) if np.isnan(lat_out[k]) or np.isnan(lon_out[k])]
    return lat_out, lon_out, missing


def problem_from_tables(
    orders: pd.DataFrame,
    *,
    locations: pd.DataFrame | None = None,
    vehicles: VehiclesArg = None,
    history: pd.DataFrame | None = None,
    travel: TravelSettings | None = None,
    matrix: str | Path | None = None,
    fleet_defaults: FleetDefaults | None = None,
    name: str = "delivery routes",
    load_unit: str = "kg",
    source: str | None = None,
) -> RoutingProblem:
    """Build a routing problem from orders, locations and a fleet.

    Parameters
    ----------
    orders
        Orders in the ``delivery_orders`` format, plus the optional columns of the module
        docstring; all rows are routed.
    locations
        The ``locations`` table, for coordinates of ``location_id`` and ``depot_id``.
    vehicles
        A vehicles table or file (:mod:`supplymind.routing.fleet`), vehicle types, or ``None``
        for the default fleet.
    history
        Delivered ``delivery_orders`` rows for the peak-hour profile, or ``None``.
    travel
        Road factor and speed (defaults of :class:`~supplymind.routing.travel.TravelSettings`).
    matrix
        A travel matrix file to use instead of the estimate.
    fleet_defaults
        Assumptions of the default fleet.
    name
        Name of the problem.
    load_unit
        Unit of ``demand`` and ``capacity``.
    source
        Name of the orders' origin (a file) for error messages.

    Raises
    ------
    DataValidationError
        When order or vehicle rows break the tables' rules (all problems at once).
    RoutingInputError
        When coordinates or depots cannot be found, or a value cannot be used, naming it.
    """
    typed = _typed_orders(orders, source)
    if typed.empty:
        raise RoutingInputError("orders: expected at least one order to route, found none")
    origin = pd.Timestamp(pd.to_datetime(typed["window_start"]).min()).normalize()
    order_ids = typed["order_id"].astype(str).tolist()
    location_ids = typed["location_id"].astype(str).tolist()
    lat, lon, missing = _coordinates(location_ids, typed["lat"], typed["lon"], locations)
    if missing:
        bad = [o for o, loc in zip(order_ids, location_ids, strict=True) if loc in set(missing)]
        raise RoutingInputError(
            f"orders {bad[:10]}, fields 'lat'/'lon': expected coordinates in the orders or the "
            "location in the locations table, found neither for locations "
            f"{sorted(set(missing))[:10]}"
        )
    order_depot = [None if pd.isna(d) else str(d) for d in typed["depot_id"]]

    vehicle_source = "vehicles"
    if isinstance(vehicles, str | Path):
        vehicle_source = str(vehicles)
        vehicles = read_table_file(vehicles)
    vehicle_frame = vehicles if isinstance(vehicles, pd.DataFrame) else None
    fleet: list[VehicleType] | None = None
    if vehicle_frame is not None:
        fleet = vehicle_types_from_frame(vehicle_frame, source=vehicle_source)
    elif vehicles is not None and not isinstance(vehicles, pd.DataFrame):
        fleet = list(vehicles)
        wrong = [type(vt).__name__ for vt in fleet if not isinstance(vt, VehicleType)]
        if wrong or not fleet:
            raise RoutingInputError(
                "vehicles: expected a vehicles table or file, or VehicleType objects, found "
                f"{wrong or 'an empty list'}"
            )

    named = {d for d in order_depot if d is not None}
    named |= {d for vt in fleet or [] for d in (vt.depot_id, vt.return_depot_id)}
    depot_ids = sorted(named)
    if not depot_ids:
        if locations is None or locations.empty:
            raise RoutingInputError(
                "depots: expected a depot_id in the orders or the vehicles, or warehouses in the "
                "locations table, found none"
            )
        kinds = locations["kind"].astype(str)
        depot_ids = (
            locations[kinds.isin(["warehouse", "depot"])]["location_id"].astype(str).tolist()
        )
        if not depot_ids:
            raise RoutingInputError(
                "depots: expected a depot_id in the orders or the vehicles, or locations of kind "
                "warehouse/depot, found none"
            )
    given = depot_coordinates(vehicle_frame) if vehicle_frame is not None else {}
    d_lat = [given.get(d, (math.nan, math.nan))[0] for d in depot_ids]
    d_lon = [given.get(d, (math.nan, math.nan))[1] for d in depot_ids]
    d_lat_a, d_lon_a, d_missing = _coordinates(depot_ids, d_lat, d_lon, locations)
    if d_missing:
        raise RoutingInputError(
            f"depots {d_missing}: expected each in the locations table or with depot_lat/depot_lon "
            "in the vehicles file, found no coordinates"
        )

    start = _minutes(typed["window_start"], origin)
    end = _minutes(typed["window_end"], origin)
    notes: list[str] = []
    if fleet is None:
        nearest = [
            depot_ids[int(np.argmin(haversine_km(la, lo, d_lat_a, d_lon_a)))]
            for la, lo in zip(lat, lon, strict=True)
        ]
        sizing = [d if d is not None else n for d, n in zip(order_depot, nearest, strict=True)]
        fleet = default_fleet(
            depot_ids,
            typed["demand"].tolist(),
            start.tolist(),
            end.tolist(),
            sizing,
            fleet_defaults,
        )
        notes.append(
            "Default fleet (no vehicles given): per depot, as many trucks as orders, "
            f"{', '.join(f'{vt.name} {vt.capacity:,.0f} {load_unit}' for vt in fleet)}; "
            "fixed, per-km and per-hour costs as documented in supplymind.routing.fleet."
        )

    profile: PeakHourProfile | None = None
    if history is not None:
        profile = estimate_peak_profile(history)
    if profile is not None:
        buffers = [profile.buffer(e % 1440.0) for e in end]
        notes.append(
            "Travel times are static (PyVRP has no time-dependent travel times). As an "
            "approximation of the time of day, each window's end is brought forward by the "
            f"mean delay behind schedule observed at that hour: {profile.describe()}."
        )
    else:
        buffers = [0.0] * len(order_ids)

    problem_orders = []
    for k, row in enumerate(typed.to_dict("records")):
        problem_orders.append(
            Order(
                order_id=order_ids[k],
                x=float(lon[k]),
                y=float(lat[k]),
                demand=float(row["demand"]),
                pickup=float(row["pickup"]),
                window_start=float(start[k]),
                window_end=float(end[k]),
                service=float(row["service_minutes"]),
                depot_id=order_depot[k],
                location_id=location_ids[k],
                required=bool(row["required"]),
                penalty=0.0 if pd.isna(row["penalty"]) else float(row["penalty"]),
                buffer=float(buffers[k]),
            )
        )
    depots = [
        Depot(d, float(x), float(y)) for d, x, y in zip(depot_ids, d_lon_a, d_lat_a, strict=True)
    ]
    all_lat = np.concatenate([d_lat_a, lat])
    all_lon = np.concatenate([d_lon_a, lon])
    if matrix is not None:
        travel_matrix = read_matrix(matrix, [*depot_ids, *location_ids], travel)
    else:
        travel_matrix = geographic_matrix(all_lat, all_lon, travel)
    notes.insert(0, f"Travel: {travel_matrix.source}.")
    return RoutingProblem(
        depots=tuple(depots),
        orders=tuple(problem_orders),
        vehicle_types=tuple(fleet),
        travel=travel_matrix,
        name=name,
        distance_unit="km",
        time_unit="min",
        load_unit=load_unit,
        cost_unit="currency",
        time_origin=origin,
        notes=tuple(notes),
    )


def problem_from_warehouse(
    warehouse: Warehouse,
    *,
    date: str | pd.Timestamp | None = None,
    vehicles: VehiclesArg = None,
    travel: TravelSettings | None = None,
    matrix: str | Path | None = None,
    fleet_defaults: FleetDefaults | None = None,
) -> RoutingProblem:
    """The planned delivery orders of one day in the warehouse as a routing problem.

    Parameters
    ----------
    warehouse
        The warehouse with ``delivery_orders`` and ``locations``.
    date
        The day to route; the first day with planned orders when ``None``.
    vehicles, travel, matrix, fleet_defaults
        As for :func:`problem_from_tables`. Delivered orders of the warehouse give the
        peak-hour profile.
    """
    warehouse.require("delivery_orders")
    warehouse.require("locations")
    deliveries = warehouse.read("delivery_orders")
    day_orders, day = planned_orders(deliveries, date)
    history = deliveries[deliveries["status"].astype(str) == "delivered"]
    return problem_from_tables(
        day_orders,
        locations=warehouse.read("locations"),
        vehicles=vehicles,
        history=history,
        travel=travel,
        matrix=matrix,
        fleet_defaults=fleet_defaults,
        name=f"deliveries of {day:%Y-%m-%d}",
        source="warehouse delivery_orders",
    )


def problem_from_files(
    orders: str | Path,
    *,
    vehicles: VehiclesArg = None,
    locations: str | Path | None = None,
    warehouse: Warehouse | None = None,
    travel: TravelSettings | None = None,
    matrix: str | Path | None = None,
    fleet_defaults: FleetDefaults | None = None,
) -> RoutingProblem:
    """Every order of an orders file (CSV or Parquet) as a routing problem.

    Parameters
    ----------
    orders
        The orders file (``delivery_orders`` columns, plus the extras of the module docstring).
    vehicles
        A vehicles file or table, vehicle types, or ``None`` for the default fleet.
    locations
        A locations file for coordinates of ``location_id``/``depot_id``; without it the
        warehouse's locations are used when a warehouse is given.
    warehouse
        Optional: its locations (when no file is given) and its delivered orders (for the
        peak-hour profile).
    travel, matrix, fleet_defaults
        As for :func:`problem_from_tables`.
    """
    frame = read_table_file(orders)
    table = read_table_file(locations) if locations is not None else None
    history = None
    if warehouse is not None:
        if table is None and warehouse.count("locations"):
            table = warehouse.read("locations")
        delivered = warehouse.read("delivery_orders", where="status = 'delivered'")
        history = delivered if len(delivered) else None
    if table is not None and {"lat", "lon"} <= set(table.columns):
        table = table.assign(
            lat=pd.to_numeric(table["lat"], errors="coerce"),
            lon=pd.to_numeric(table["lon"], errors="coerce"),
        )
    return problem_from_tables(
        frame,
        locations=table,
        vehicles=vehicles,
        history=history,
        travel=travel,
        matrix=matrix,
        fleet_defaults=fleet_defaults,
        name=Path(orders).stem,
        source=str(orders),
    )
