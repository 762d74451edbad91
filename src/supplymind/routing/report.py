"""The routing stage of a report: route the first planned day and describe the plan."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from supplymind.data.warehouse import Warehouse
from supplymind.reporting import Figure, Section
from supplymind.routing.build import planned_orders, problem_from_tables
from supplymind.routing.output import kpi_table, write_plan
from supplymind.routing.plot import plot_routes
from supplymind.routing.solution import RoutePlan
from supplymind.routing.solve import solve

__all__ = ["route_table", "routing_section"]


def route_table(plan: RoutePlan) -> pd.DataFrame:
    """One row per route: vehicle, orders, distance, time, load and its use of capacity."""
    problem = plan.problem
    rows = []
    for r in plan.routes:
        rows.append(
            {
                "vehicle": r.vehicle,
                "orders": len(r.order_ids),
                "leaves": problem.clock(r.stops[0].departure),
                "returns": problem.clock(r.stops[-1].arrival),
                f"distance ({problem.distance_unit or 'units'})": r.distance,
                "hours": r.duration / 60.0 if problem.time_unit == "min" else r.duration,
                f"load ({problem.load_unit or 'units'})": r.delivered,
                "capacity used": f"{r.peak_load / r.capacity:.0%}" if r.capacity else "-",
                "cost": r.cost,
            }
        )
    return pd.DataFrame(rows)


def routing_section(
    source: Warehouse | Mapping[str, pd.DataFrame],
    plot_dir: Path,
    rel: str,
    *,
    time_limit: float = 5.0,
    seed: int = 0,
    out_dir: Path | None = None,
) -> tuple[Section, list[Path]]:
    """Route the first planned day of deliveries and return the report section.

    Parameters
    ----------
    source
        A warehouse, or the tables by name (``delivery_orders`` and ``locations``), such as
        the sample company's.
    plot_dir
        Folder for the route map ``routes_map.png``.
    rel
        ``plot_dir`` relative to the report (for the figure's link).
    time_limit
        Seconds of search.
    seed
        Seed of the search.
    out_dir
        Folder for ``routes.json`` and ``routes.csv``; ``plot_dir``'s parent when ``None``.

    Returns
    -------
    tuple
        The section (paragraph, notes, KPI and route tables, map) and the files written:
        the PNG, the JSON and the CSV.
    """
    if isinstance(source, Warehouse):
        deliveries = source.read("delivery_orders")
        locations = source.read("locations")
    else:
        deliveries, locations = source["delivery_orders"], source["locations"]
    orders, day = planned_orders(deliveries, None)
    history = deliveries[deliveries["status"].astype(str) == "delivered"]
    problem = problem_from_tables(
        orders,
        locations=locations,
        history=history,
        name=f"deliveries of {day:%Y-%m-%d}",
        source="delivery_orders",
    )
    plan = solve(problem, time_limit=time_limit, seed=seed)
    png = plot_routes(plan, plot_dir / "routes_map.png")
    files = write_plan(plan, (out_dir or plot_dir.parent) / "routes.json")

    section = Section("Delivery routes")
    k = plan.kpis
    depots = ", ".join(d.depot_id for d in problem.depots)
    section.paragraphs.append(
        f"The {k.orders} planned delivery orders of {day:%Y-%m-%d} leave from {depots}. "
        f"PyVRP (state-of-the-art iterated local search; {time_limit:g} s, seed {seed}) "
        f"serves them with {k.vehicles_used} vehicles over {k.distance:,.1f} km for a cost of "
        f"{k.cost:,.2f}: fixed cost per vehicle plus per-km and per-hour costs. Routes are "
        "written to routes.json and routes.csv (stop by stop, with arrival times and load)."
    )
    section.notes.extend(problem.notes)
    if not plan.feasible:
        section.notes.append(
            "No plan meeting every constraint was found: " + "; ".join(plan.violations)
        )
    section.add_table(kpi_table(plan))
    section.add_table(route_table(plan), float_format="{:,.1f}")
    section.figures.append(
        Figure(
            f"{rel}/{png.name}",
            "Routes of the day: depots (squares) and each vehicle's stops in visiting order.",
        )
    )
    return section, [png, *files]
