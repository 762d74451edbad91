"""Route plans as JSON and CSV files, and KPI tables.

JSON (:func:`plan_to_dict`): ``cost`` (the objective, in the instance's own distance
convention for a benchmark instance), ``feasible``, ``routes``, ``dropped``, ``kpis``,
``units``, ``solver``, ``notes`` and ``violations``. For a standard instance ``routes`` is a
list of routes, each a list of client numbers as in the instance file (depot excluded), so
the plan can be re-checked against the file; for company data each route is an object with
the vehicle, its totals and its timed ``stops``.

CSV (:func:`plan_to_frame`): one row per stop (the depot first and last on each route):
``vehicle, vehicle_type, stop, kind, order_id, location_id`` then ``lat, lon`` (company data)
or ``x, y`` (instances), ``arrival, departure, wait, load, delivered, picked_up, distance,
cumulative_distance, lateness, window_start, window_end``. Times are ISO timestamps for
company data, numbers in the instance's units otherwise; distances in km, durations in
minutes, loads in the orders' unit.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from supplymind.files import atomic_path, atomic_write_text
from supplymind.routing.problem import RoutingProblem
from supplymind.routing.solution import Kpis, RoutePlan, Stop

__all__ = ["kpi_table", "plan_to_dict", "plan_to_frame", "to_json", "write_plan"]


def _num(value: float | None, digits: int = 6) -> float | None:
    """A JSON-safe number: rounded, with infinities and NaN as ``None``."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _time(problem: RoutingProblem, value: float | None) -> str | float | None:
    """A time as an ISO timestamp (company data) or a number (instances)."""
    if value is None or not math.isfinite(value):
        return None
    stamp = problem.timestamp(value)
    if stamp is None:
        return _num(value)
    return stamp.round("s").isoformat()


def _stop(problem: RoutingProblem, stop: Stop, position: int, cumulative: float) -> dict[str, Any]:
    geo = problem.instance_format is None
    return {
        "stop": position,
        "kind": stop.kind,
        "order_id": stop.order_id,
        "location_id": stop.location_id,
        ("lat" if geo else "x"): _num(stop.y if geo else stop.x),
        ("lon" if geo else "y"): _num(stop.x if geo else stop.y),
        "arrival": _time(problem, stop.arrival),
        "departure": _time(problem, stop.departure),
        "wait": _num(stop.wait),
        "load": _num(stop.load),
        "delivered": _num(stop.delivered),
        "picked_up": _num(stop.picked_up),
        "distance": _num(stop.distance),
        "cumulative_distance": _num(cumulative),
        "lateness": _num(stop.lateness),
        "window_start": _time(problem, stop.window_start),
        "window_end": _time(problem, stop.window_end),
    }


def _kpis(kpis: Kpis) -> dict[str, Any]:
    return {
        "cost": _num(kpis.cost),
        "distance": _num(kpis.distance),
        "duration": _num(kpis.duration),
        "vehicles_used": kpis.vehicles_used,
        "vehicles_available": kpis.vehicles_available,
        "orders": kpis.orders,
        "served": kpis.served,
        "dropped": kpis.dropped,
        "on_time_rate": _num(kpis.on_time_rate),
        "load_utilisation": _num(kpis.load_utilisation),
        "fleet_utilisation": _num(kpis.fleet_utilisation),
        "lateness": _num(kpis.lateness),
    }


def plan_to_dict(plan: RoutePlan) -> dict[str, Any]:
    """The plan as a JSON-ready dictionary (see the module docstring)."""
    problem = plan.problem
    routes: list[Any]
    if problem.instance_format is not None:
        routes = [[int(o) for o in r.order_ids] for r in plan.routes]
    else:
        routes = []
        for r in plan.routes:
            cumulative = 0.0
            stops = []
            for k, s in enumerate(r.stops):
                cumulative += s.distance
                stops.append(_stop(problem, s, k, cumulative))
            routes.append(
                {
                    "vehicle": r.vehicle,
                    "vehicle_type": r.vehicle_type,
                    "depot_id": r.depot_id,
                    "end_depot_id": r.end_depot_id,
                    "orders": r.order_ids,
                    "distance": _num(r.distance),
                    "duration": _num(r.duration),
                    "delivered": _num(r.delivered),
                    "picked_up": _num(r.picked_up),
                    "peak_load": _num(r.peak_load),
                    "capacity": _num(r.capacity),
                    "cost": _num(r.cost),
                    "stops": stops,
                }
            )
    dropped: list[Any] = [
        int(o) if problem.instance_format is not None else o for o in plan.dropped
    ]
    return {
        "name": problem.name,
        "cost": _num(plan.cost),
        "feasible": plan.feasible,
        "routes": routes,
        "dropped": dropped,
        "kpis": _kpis(plan.kpis),
        "units": {
            "distance": problem.distance_unit or "instance units",
            "time": problem.time_unit or "instance units",
            "load": problem.load_unit or "instance units",
            "cost": problem.cost_unit or "instance distance",
        },
        "instance_format": problem.instance_format,
        "time_origin": None if problem.time_origin is None else problem.time_origin.isoformat(),
        "solver": {
            "solver": plan.solver.solver,
            "seed": plan.solver.seed,
            "time_limit": plan.solver.time_limit,
            "max_iterations": plan.solver.max_iterations,
            "iterations": plan.solver.iterations,
            "runtime": _num(plan.solver.runtime, 3),
        },
        "notes": list(problem.notes),
        "violations": list(plan.violations),
    }


def plan_to_frame(plan: RoutePlan) -> pd.DataFrame:
    """One row per stop of every route (see the module docstring for the columns)."""
    rows = []
    for r in plan.routes:
        cumulative = 0.0
        for k, s in enumerate(r.stops):
            cumulative += s.distance
            rows.append(
                {
                    "vehicle": r.vehicle,
                    "vehicle_type": r.vehicle_type,
                    **_stop(plan.problem, s, k, cumulative),
                }
            )
    if rows:
        return pd.DataFrame(rows)
    geo = plan.problem.instance_format is None
    columns = [
        "vehicle", "vehicle_type", "stop", "kind", "order_id", "location_id",
        "lat" if geo else "x", "lon" if geo else "y", "arrival", "departure", "wait", "load",
        "delivered", "picked_up", "distance", "cumulative_distance", "lateness",
        "window_start", "window_end",
    ]  # fmt: skip
    return pd.DataFrame(columns=columns)


def kpi_table(plan: RoutePlan) -> pd.DataFrame:
    """KPIs as a two-column table (``kpi``, ``value``) with units, for reports and the CLI."""
    p, k = plan.problem, plan.kpis
    dist = f" ({p.distance_unit})" if p.distance_unit else ""
    time = f" ({p.time_unit})" if p.time_unit else ""
    rows = [
        (f"total cost{f' ({p.cost_unit})' if p.cost_unit else ''}", f"{k.cost:,.2f}"),
        (f"distance{dist}", f"{k.distance:,.1f}"),
        (f"route time{time}", f"{k.duration:,.1f}"),
        ("vehicles used", f"{k.vehicles_used} of {k.vehicles_available}"),
        ("orders served", f"{k.served} of {k.orders}"),
        ("orders dropped", f"{k.dropped}"),
        ("on-time rate", f"{k.on_time_rate:.1%}"),
        ("load utilisation", f"{k.load_utilisation:.1%}"),
        ("fleet utilisation", f"{k.fleet_utilisation:.1%}"),
        ("feasible", "yes" if plan.feasible else "no"),
    ]
    return pd.DataFrame(rows, columns=["kpi", "value"])


_NUMBER_LIST = re.compile(r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]")


def to_json(data: dict[str, Any]) -> str:
    """Indented JSON with lists of numbers (a route's client numbers) kept on one line."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    numbers = _NUMBER_LIST.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", text)
    return numbers + "\n"


def write_plan(
    plan: RoutePlan, json_path: str | Path, csv_path: str | Path | None = None
) -> list[Path]:
    """Write the plan as JSON and the stops as CSV (default: the JSON path with ``.csv``),
    each atomically; return both paths."""
    json_path = Path(json_path)
    csv_file = Path(csv_path) if csv_path is not None else json_path.with_suffix(".csv")
    if csv_file.resolve() == json_path.resolve():
        csv_file = json_path.with_name(json_path.name + ".stops.csv")
    atomic_write_text(
        json_path, json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"
    )
    with atomic_path(csv_file) as tmp:
        plan_to_frame(plan).to_csv(tmp, index=False)
    return [json_path, csv_file]
