"""A route plan: routes with their timed stops, the orders left out, and KPIs.

Built from a PyVRP solution with :func:`plan_from_solution`. Every number is in the problem's
units (km, minutes after the time origin, kg, currency for company data; the file's units for
an instance), read back from the solver's integers so that the plan and the objective agree.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from pyvrp import Route as PyVRPRoute
from pyvrp import Solution

from supplymind.routing.model import SolverModel
from supplymind.routing.problem import RoutingProblem

__all__ = ["Kpis", "Route", "RoutePlan", "SolverInfo", "Stop", "plan_from_solution"]


@dataclass(frozen=True)
class Stop:
    """One stop of a route: the depot at the start or end, or an order.

    Parameters
    ----------
    kind
        ``"start"``, ``"order"`` or ``"end"``.
    location_id
        The depot id, or the order's location id (its order id when it has none).
    order_id
        The order served, ``None`` at a depot.
    x, y
        Coordinates (longitude, latitude for company data).
    arrival, departure
        Arrival and departure times (at the start depot both are the departure).
    wait
        Time waiting for the window to open.
    load
        Load on board when leaving.
    delivered, picked_up
        Load delivered and collected here.
    distance
        Distance from the previous stop.
    lateness
        Arrival after the window's end (0 when on time).
    window_start, window_end
        The order's window (``None`` at a depot).
    """

    kind: Literal["start", "order", "end"]
    location_id: str
    order_id: str | None
    x: float
    y: float
    arrival: float
    departure: float
    wait: float
    load: float
    delivered: float
    picked_up: float
    distance: float
    lateness: float
    window_start: float | None = None
    window_end: float | None = None


@dataclass(frozen=True)
class Route:
    """The trip of one vehicle from its depot and back.

    Parameters
    ----------
    vehicle
        Vehicle name: ``<vehicle type>-<n>``.
    vehicle_type
        Its type's name.
    depot_id, end_depot_id
        Start and end depots.
    stops
        The stops in order, the depot first and last.
    distance
        Distance driven.
    duration
        Time from leaving the depot to coming back, waiting included.
    delivered, picked_up
        Total load delivered and collected.
    peak_load
        Largest load on board.
    capacity
        The vehicle's capacity.
    cost
        Fixed, distance and duration cost of the route.
    """

    vehicle: str
    vehicle_type: str
    depot_id: str
    end_depot_id: str
    stops: tuple[Stop, ...]
    distance: float
    duration: float
    delivered: float
    picked_up: float
    peak_load: float
    capacity: float
    cost: float

    @property
    def order_ids(self) -> list[str]:
        """Orders served, in sequence."""
        return [s.order_id for s in self.stops if s.order_id is not None]


@dataclass(frozen=True)
class Kpis:
    """Key figures of a plan.

    Parameters
    ----------
    cost
        The objective: vehicle fixed, distance and duration costs plus the penalties of
        dropped optional orders (for an instance, its distance convention).
    distance, duration
        Totals over the routes.
    vehicles_used, vehicles_available
        Routes in the plan and vehicles in the fleet.
    orders, served, dropped
        Orders in the problem, served and left out.
    on_time_rate
        Share of served orders arriving within their window, the peak-hour buffer included
        (1.0 for a feasible plan; less when the solver could not meet every window).
    load_utilisation
        Mean over the routes of the peak load over the vehicle's capacity.
    fleet_utilisation
        Vehicles used over vehicles available.
    lateness
        Total arrival time after window ends.
    """

    cost: float
    distance: float
    duration: float
    vehicles_used: int
    vehicles_available: int
    orders: int
    served: int
    dropped: int
    on_time_rate: float
    load_utilisation: float
    fleet_utilisation: float
    lateness: float


@dataclass(frozen=True)
class SolverInfo:
    """How the plan was found.

    Parameters
    ----------
    solver
        The solver's name and version.
    seed
        Random seed.
    time_limit
        Seconds allowed, or ``None``.
    max_iterations
        Iterations allowed, or ``None``.
    iterations
        Iterations done.
    runtime
        Seconds spent searching.
    """

    solver: str
    seed: int | None = None
    time_limit: float | None = None
    max_iterations: int | None = None
    iterations: int = 0
    runtime: float = 0.0


@dataclass(frozen=True, eq=False)
class RoutePlan:
    """The routes for a problem and what they achieve.

    Parameters
    ----------
    problem
        The problem solved.
    cost
        The objective (see :attr:`Kpis.cost`).
    feasible
        Every constraint is met and every required order served.
    routes
        One route per vehicle used.
    dropped
        Ids of the orders left out.
    kpis
        Key figures.
    solver
        How it was found.
    violations
        What is broken when ``feasible`` is false, in words.
    """

    problem: RoutingProblem
    cost: float
    feasible: bool
    routes: tuple[Route, ...]
    dropped: tuple[str, ...]
    kpis: Kpis
    solver: SolverInfo
    violations: tuple[str, ...] = ()


def _route(
    problem: RoutingProblem, model: SolverModel, route: PyVRPRoute, name: str
) -> tuple[Route, list[str]]:
    """One :class:`Route` from a PyVRP route, and the constraint violations found on it."""
    scale = problem.scaling
    vt_index = route.vehicle_type()
    vt = problem.vehicle_types[vt_index]
    schedule = list(route.schedule())
    visits = [a for a in schedule if a.is_client()]
    delivered = sum(problem.orders[a.idx].demand for a in visits)
    load = delivered
    peak = load
    stops: list[Stop] = []
    violations: list[str] = []
    warp = 0
    previous: int | None = None
    for position, act in enumerate(schedule):
        warp += act.time_warp
        if act.is_depot():
            depot = problem.depots[act.idx]
            location = act.idx
            kind: Literal["start", "order", "end"] = "start" if position == 0 else "end"
            order = None
        else:
            order = problem.orders[act.idx]
            location = problem.order_location(act.idx)
            kind = "order"
        step = 0 if previous is None else int(model.distance[previous, location])
        previous = location
        arrival = (act.start_time - act.wait_duration + warp) / scale.time
        departure = (act.end_time + warp) / scale.time
        if kind == "start":
            arrival = departure
        if order is None:
            stops.append(
                Stop(
                    kind,
                    depot.depot_id,
                    None,
                    depot.x,
                    depot.y,
                    arrival,
                    departure,
                    0.0,
                    load if kind == "start" else 0.0,
                    0.0,
                    0.0,
                    step / scale.distance,
                    0.0,
                )
            )
            continue
        load += order.pickup - order.demand
        peak = max(peak, load)
        lateness = max(0.0, arrival - order.window_end) if math.isfinite(order.window_end) else 0.0
        if order.depot_id is not None and order.depot_id != vt.depot_id:
            violations.append(
                f"order '{order.order_id}' is tied to depot '{order.depot_id}' but served by "
                f"{name} from '{vt.depot_id}'"
            )
        stops.append(
            Stop(
                "order",
                order.location_id or order.order_id,
                order.order_id,
                order.x,
                order.y,
                arrival,
                departure,
                act.wait_duration / scale.time,
                load,
                order.demand,
                order.pickup,
                step / scale.distance,
                lateness,
                order.window_start,
                order.window_end,
            )
        )
    if route.has_time_warp():
        violations.append(
            f"{name} cannot keep its time windows or shift: {route.time_warp() / scale.time:g} "
            f"{problem.time_unit} short"
        )
    if route.has_excess_load():
        violations.append(
            f"{name} is overloaded by {route.excess_load()[0] / scale.load:g} {problem.load_unit}"
        )
    cost_int = route.fixed_vehicle_cost() + route.distance_cost() + route.duration_cost()
    result = Route(
        vehicle=name,
        vehicle_type=vt.name,
        depot_id=vt.depot_id,
        end_depot_id=vt.return_depot_id,
        stops=tuple(stops),
        distance=route.distance() / scale.distance,
        duration=route.duration() / scale.time,
        delivered=delivered,
        picked_up=sum(problem.orders[a.idx].pickup for a in visits),
        peak_load=peak,
        capacity=vt.capacity,
        cost=cost_int / model.cost_scale,
    )
    return result, violations


def plan_from_solution(
    problem: RoutingProblem, model: SolverModel, solution: Solution, solver: SolverInfo
) -> RoutePlan:
    """Read a PyVRP solution back into a :class:`RoutePlan`.

    Parameters
    ----------
    problem
        The problem.
    model
        The PyVRP model built from it (:func:`~supplymind.routing.model.build_model`).
    solution
        A solution of ``model.data``.
    solver
        How it was found.
    """
    counts: Counter[int] = Counter()
    routes: list[Route] = []
    violations: list[str] = []
    for pyvrp_route in solution.routes():
        vt = pyvrp_route.vehicle_type()
        counts[vt] += 1
        route, problems = _route(
            problem, model, pyvrp_route, f"{problem.vehicle_types[vt].name}-{counts[vt]}"
        )
        routes.append(route)
        violations += problems
    served = {oid for r in routes for oid in r.order_ids}
    dropped = tuple(o.order_id for o in problem.orders if o.order_id not in served)
    missing = [o.order_id for o in problem.orders if o.required and o.order_id not in served]
    if missing:
        violations.append(f"required orders not served: {missing}")
    objective = (
        solution.fixed_vehicle_cost()
        + solution.distance_cost()
        + solution.duration_cost()
        + solution.uncollected_prizes()
    )
    cost = objective / model.cost_scale
    orders = {o.order_id: o for o in problem.orders}
    visits = [s for r in routes for s in r.stops if s.order_id is not None]
    on_time = sum(
        1 for s in visits if s.arrival <= orders[str(s.order_id)].planned_window_end + 1e-9
    )
    kpis = Kpis(
        cost=cost,
        distance=solution.distance() / problem.scaling.distance,
        duration=solution.duration() / problem.scaling.time,
        vehicles_used=len(routes),
        vehicles_available=problem.num_vehicles,
        orders=len(problem.orders),
        served=len(visits),
        dropped=len(dropped),
        on_time_rate=on_time / len(visits) if visits else 1.0,
        load_utilisation=(
            sum(r.peak_load / r.capacity for r in routes if r.capacity > 0) / len(routes)
            if routes
            else 0.0
        ),
        fleet_utilisation=len(routes) / problem.num_vehicles,
        lateness=sum(s.lateness for s in visits),
    )
    return RoutePlan(
        problem=problem,
        cost=cost,
        feasible=not violations,
        routes=tuple(routes),
        dropped=dropped,
        kpis=kpis,
        solver=solver,
        violations=tuple(violations),
    )
