"""Translate a :class:`~supplymind.routing.problem.RoutingProblem` into PyVRP's data.

Built with PyVRP's ``Model`` API; the integer matrices are then set in whole with
``ProblemData.replace`` rather than as one edge object per pair. Location ``i`` of the
problem is PyVRP location ``i`` (depots first), order ``k`` is PyVRP client ``k`` and
vehicle type ``t`` is PyVRP vehicle type ``t``. Values are converted to integers with the
problem's :class:`~supplymind.routing.problem.Scaling`.

Orders tied to a depot get one routing profile per depot: for the vehicles of another depot
the order is farther than any route may drive (their maximum distance), so a route serving it
is infeasible to PyVRP; a plan that still did would be reported as infeasible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pyvrp import Model, PenaltyParams, ProblemData

from supplymind.routing.problem import RoutingProblem

__all__ = ["SolverModel", "build_model"]

IntMatrix = npt.NDArray[np.int64]

_NO_LIMIT = int(np.iinfo(np.int64).max)

# PyVRP's default penalty bounds suit unit costs of about 1; they are scaled with the costs.
_DEFAULT_PENALTY = PenaltyParams()


@dataclass(frozen=True, eq=False)
class SolverModel:
    """PyVRP's view of a problem and how to read its numbers back.

    Parameters
    ----------
    data
        The PyVRP problem data.
    cost_scale
        Integer cost units per currency unit: the objective divided by it is the cost.
    penalty
        Penalty parameters for the search (PyVRP's defaults scaled with the unit costs).
    distance, duration
        The integer distance and travel-time matrices (without depot restrictions).
    """

    data: ProblemData
    cost_scale: float
    penalty: PenaltyParams
    distance: IntMatrix
    duration: IntMatrix


def _window(problem: RoutingProblem, start: float, end: float) -> tuple[int, int]:
    """PyVRP's ``(tw_early, tw_late)``; times before 0 are clipped to 0 (PyVRP's time
    starts there) and no end is PyVRP's default, the largest integer."""
    scale = problem.scaling
    early = max(0, scale.time_point(start, up=True)) if math.isfinite(start) else 0
    late = max(early, scale.time_point(end, up=False)) if math.isfinite(end) else _NO_LIMIT
    return early, late


def build_model(problem: RoutingProblem) -> SolverModel:
    """PyVRP data for ``problem``, through PyVRP's ``Model`` API.

    Parameters
    ----------
    problem
        The routing problem.

    Returns
    -------
    SolverModel
        The data, the cost scale and the penalty parameters to solve it with.
    """
    scale = problem.scaling
    cost_scale = scale.cost_scale(problem.vehicle_types)
    distance = scale.travel_distance(problem.travel.distance)
    duration = scale.travel_time(problem.travel.duration)
    np.fill_diagonal(distance, 0)
    np.fill_diagonal(duration, 0)

    model = Model()
    locations = []
    depots = []
    for depot in problem.depots:
        loc = model.add_location(depot.x, depot.y, name=depot.depot_id)
        locations.append(loc)
        depots.append(model.add_depot(loc, name=depot.depot_id))
    for order in problem.orders:
        early, late = _window(problem, order.window_start, order.planned_window_end)
        loc = model.add_location(order.x, order.y, name=order.order_id)
        locations.append(loc)
        model.add_client(
            loc,
            delivery=[scale.demand(order.demand)],
            pickup=[scale.demand(order.pickup)],
            service_duration=int(scale.travel_time(order.service)),
            prize=0 if order.required else round(order.penalty * cost_scale),
            required=order.required,
            name=order.order_id,
            tw_early=early,
            tw_late=late,
        )
    # One profile per depot when some orders may only leave from their own depot.
    groups = _profiles(problem)
    profiles = {name: model.add_profile(name=name) for name in groups}
    distances, durations = [], []
    # No real route is longer than (locations x longest edge); an edge to an order of another
    # depot is longer than that, and vehicles get that bound as their maximum distance, so a
    # route using one is infeasible for PyVRP whatever the costs.
    reach = (int(distance.max()) + 1) * (len(locations) + 1)
    forbidden = 2 * reach + 1
    for offsite in groups.values() or [[]]:
        dist = distance.copy()
        dist[:, offsite] = forbidden
        dist[offsite, :] = forbidden
        np.fill_diagonal(dist, 0)
        distances.append(dist)
        durations.append(duration)

    unit_costs = [1.0]
    for vt in problem.vehicle_types:
        start = problem.depot_index(vt.depot_id)
        end = problem.depot_index(vt.return_depot_id)
        opens = max(vt.shift_start, problem.depots[start].opens)
        closes = min(vt.shift_end, problem.depots[end].closes)
        per_distance = round(vt.cost_per_distance * cost_scale / scale.distance)
        per_time = round(vt.cost_per_time * cost_scale / scale.time)
        unit_costs += [per_distance, per_time]
        early, late = _window(problem, opens, closes)
        longest = (
            scale.time_point(vt.max_duration, up=False)
            if math.isfinite(vt.max_duration)
            else _NO_LIMIT
        )
        model.add_vehicle_type(
            num_available=int(vt.count),
            capacity=[scale.capacity(vt.capacity)],
            start_depot=depots[start],
            end_depot=depots[end],
            fixed_cost=round(vt.fixed_cost * cost_scale),
            unit_distance_cost=per_distance,
            unit_duration_cost=per_time,
            tw_early=early,
            tw_late=late,
            shift_duration=longest,
            max_distance=reach if profiles else _NO_LIMIT,
            profile=profiles.get(vt.depot_id),
            name=vt.name,
        )
    factor = max(unit_costs)
    penalty = PenaltyParams(
        min_penalty=_DEFAULT_PENALTY.min_penalty * factor,
        max_penalty=_DEFAULT_PENALTY.max_penalty * factor,
    )
    # The matrices go in whole (fast) rather than as one Model edge per pair.
    matrices: dict[str, Any] = {"distance_matrices": distances, "duration_matrices": durations}
    data = model.data().replace(**matrices)
    return SolverModel(data, cost_scale, penalty, distance, duration)


def _profiles(problem: RoutingProblem) -> dict[str, list[int]]:
    """Per depot, the locations of orders tied to another depot; empty if no order is tied."""
    if len(problem.depots) < 2 or all(o.depot_id is None for o in problem.orders):
        return {}
    return {
        depot.depot_id: [
            problem.order_location(k)
            for k, o in enumerate(problem.orders)
            if o.depot_id is not None and o.depot_id != depot.depot_id
        ]
        for depot in problem.depots
    }
