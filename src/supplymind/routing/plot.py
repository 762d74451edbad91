"""A map-like plot of a route plan: depots, orders and each vehicle's route (PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure as MplFigure

from supplymind.reporting.plots import save_figure
from supplymind.routing.solution import RoutePlan

__all__ = ["plot_routes"]


def plot_routes(plan: RoutePlan, path: str | Path, *, title: str | None = None) -> Path:
    """Draw the routes over the stops' coordinates and save a PNG atomically.

    Depots are squares, served orders dots in their route's colour, dropped orders crosses.
    Longitude/latitude axes (company data) keep their aspect at the map's latitude.

    Parameters
    ----------
    plan
        The plan to draw.
    path
        Where to write the PNG.
    title
        The title; a summary of the plan when ``None``.

    Returns
    -------
    Path
        ``path``.
    """
    problem = plan.problem
    geo = problem.instance_format is None
    fig = MplFigure(figsize=(9, 7.5))
    ax = fig.add_subplot()
    palette = colormaps["tab20"] if len(plan.routes) > 10 else colormaps["tab10"]
    for k, route in enumerate(plan.routes):
        color = palette(k % palette.N)
        xs = [s.x for s in route.stops]
        ys = [s.y for s in route.stops]
        ax.plot(xs, ys, color=color, linewidth=1.3, alpha=0.85, zorder=2)
        ax.scatter(
            xs[1:-1], ys[1:-1], color=color, s=22, zorder=3, edgecolors="white", linewidths=0.4
        )
    if sum(len(r.order_ids) for r in plan.routes) <= 60:
        for route in plan.routes:
            for n, stop in enumerate(route.stops[1:-1], start=1):
                ax.annotate(
                    str(n), (stop.x, stop.y), fontsize=6, xytext=(3, -8), textcoords="offset points"
                )
    if len(plan.routes) <= 12:
        for k, route in enumerate(plan.routes):
            ax.plot(
                [],
                [],
                color=palette(k % palette.N),
                label=f"{route.vehicle} ({len(route.order_ids)})",
            )
    orders = {o.order_id: o for o in problem.orders}
    if plan.dropped:
        dx = [orders[o].x for o in plan.dropped]
        dy = [orders[o].y for o in plan.dropped]
        ax.scatter(
            dx, dy, marker="x", color="#d64545", s=40, zorder=4, label=f"dropped ({len(dx)})"
        )
    ax.scatter(
        [d.x for d in problem.depots],
        [d.y for d in problem.depots],
        marker="s",
        color="#102a43",
        s=90,
        zorder=5,
        label="depot",
    )
    if geo:
        for d in problem.depots:
            ax.annotate(
                d.depot_id, (d.x, d.y), fontsize=8, xytext=(5, 5), textcoords="offset points"
            )
        lat = np.mean([d.y for d in problem.depots] + [o.y for o in problem.orders])
        ax.set_aspect(1.0 / max(float(np.cos(np.radians(lat))), 0.1), adjustable="datalim")
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
    else:
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    kpis = plan.kpis
    unit = f" {problem.distance_unit}" if problem.distance_unit else ""
    summary = f"{kpis.vehicles_used} routes, {kpis.distance:,.1f}{unit}, cost {plan.cost:,.1f}"
    ax.set_title(title or f"{problem.name}: {summary}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return save_figure(fig, path)
