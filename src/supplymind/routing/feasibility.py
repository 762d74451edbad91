"""Orders no vehicle can serve, found before solving so that the error names them.

A solver given an impossible order either drops it silently or returns a plan that breaks a
constraint. These checks look at each required order alone, with the solver's own integer
rounding, against every vehicle type allowed to serve it:

- its demand (or pickup) is larger than the capacity;
- its window closes before the vehicle can get there from the depot (opening hours and shift
  start included);
- the vehicle cannot serve it and be back by the end of its shift, or within its maximum
  route duration.

A fleet too small in total (required demand above the capacity of all vehicles) is reported
as well. An order passing these checks can still be left out by a tight combination of
orders; the plan then reports it.
"""

from __future__ import annotations

import math

from supplymind.exceptions import RoutingInfeasibleError
from supplymind.routing.problem import Order, RoutingProblem, VehicleType

__all__ = ["check_feasible", "infeasible_orders"]


def _closes(problem: RoutingProblem, order: Order) -> str:
    """When the order's window closes for the plan, with the buffer if there is one."""
    text = problem.clock(order.planned_window_end)
    if order.buffer > 0 and order.planned_window_end < order.window_end:
        text += (
            f" ({problem.clock(order.window_end)} less a {order.buffer:g} {problem.time_unit} "
            "peak-hour buffer)"
        )
    return text


def _why_not(problem: RoutingProblem, k: int, order: Order, vt: VehicleType) -> str | None:
    """Why vehicles of type ``vt`` cannot serve ``order`` alone, or ``None`` if they can."""
    scale = problem.scaling
    unit = problem.load_unit
    load = max(scale.demand(order.demand), scale.demand(order.pickup))
    if load > scale.capacity(vt.capacity):
        which = "demand" if order.demand >= order.pickup else "pickup"
        size = max(order.demand, order.pickup)
        return f"{which} {size:g} {unit} is more than the capacity {vt.capacity:g} {unit}"
    start_depot = problem.depots[problem.depot_index(vt.depot_id)]
    end_index = problem.depot_index(vt.return_depot_id)
    end_depot = problem.depots[end_index]
    here = problem.order_location(k)
    leave = max(vt.shift_start, start_depot.opens)
    back_by = min(vt.shift_end, end_depot.closes)
    out = int(scale.travel_time(problem.travel.duration[problem.depot_index(vt.depot_id), here]))
    back = int(scale.travel_time(problem.travel.duration[here, end_index]))
    service = int(scale.travel_time(order.service))
    leave_i = scale.time_point(leave, up=True) if math.isfinite(leave) else 0
    close_i = (
        scale.time_point(order.planned_window_end, up=False)
        if math.isfinite(order.window_end)
        else None
    )
    arrive_i = leave_i + out
    if close_i is not None and close_i < leave_i:
        what = (
            f"the depot '{start_depot.depot_id}' opens"
            if start_depot.opens >= vt.shift_start
            else f"the shift of vehicle type '{vt.name}' starts"
        )
        closes = _closes(problem, order)
        return f"its window closes at {closes}, before {what} at {problem.clock(leave)}"
    if close_i is not None and arrive_i > close_i:
        return (
            f"its window closes at {_closes(problem, order)} but the earliest "
            f"arrival from depot '{start_depot.depot_id}' is {problem.clock(arrive_i / scale.time)}"
        )
    start_i = max(arrive_i, scale.time_point(order.window_start, up=True))
    done_i = start_i + service + back
    if math.isfinite(back_by) and done_i > scale.time_point(back_by, up=False):
        return (
            f"a vehicle serving it is back at depot '{end_depot.depot_id}' at "
            f"{problem.clock(done_i / scale.time)} at the earliest, after the shift ends at "
            f"{problem.clock(back_by)}"
        )
    needed = out + service + back
    if math.isfinite(vt.max_duration) and needed > scale.time_point(vt.max_duration, up=False):
        return (
            f"serving it takes at least {needed / scale.time:g} {problem.time_unit} from the "
            f"depot and back, more than the maximum route duration {vt.max_duration:g} "
            f"{problem.time_unit}"
        )
    return None


def infeasible_orders(problem: RoutingProblem) -> dict[str, str]:
    """Required orders no vehicle type can serve, each with the reason (of the first type).

    Parameters
    ----------
    problem
        The routing problem.

    Returns
    -------
    dict
        Order id to the reason, in order of the problem's orders; empty when all can be served.
    """
    reasons: dict[str, str] = {}
    for k, order in enumerate(problem.orders):
        if not order.required:
            continue
        allowed = [vt for vt in problem.vehicle_types if problem.serves(vt, order)]
        if not allowed:
            reasons[order.order_id] = f"no vehicle type is based at its depot '{order.depot_id}'"
            continue
        why = [_why_not(problem, k, order, vt) for vt in allowed]
        if any(w is None for w in why):
            continue
        if len(allowed) == 1:
            reasons[order.order_id] = str(why[0])
            continue
        largest = max(vt.capacity for vt in allowed)
        size = max(order.demand, order.pickup)
        if problem.scaling.demand(size) > problem.scaling.capacity(largest):
            unit = problem.load_unit
            reasons[order.order_id] = (
                f"{'demand' if order.demand >= order.pickup else 'pickup'} {size:g} {unit} is "
                f"more than the largest capacity of the vehicle types that may serve it, "
                f"{largest:g} {unit}"
            )
            continue
        distinct = dict.fromkeys(
            f"vehicle type '{vt.name}': {w}" for vt, w in zip(allowed, why, strict=True)
        )
        reasons[order.order_id] = "; ".join(distinct)
    return reasons


def _fleet_shortfall(problem: RoutingProblem) -> str | None:
    """Why the whole fleet cannot carry the required demand, or ``None``."""
    scale = problem.scaling
    demand = sum(scale.demand(o.demand) for o in problem.orders if o.required)
    capacity = sum(scale.capacity(vt.capacity) * vt.count for vt in problem.vehicle_types)
    if demand > capacity:
        unit = problem.load_unit
        return (
            f"required demand {demand / scale.load:g} {unit} is more than the capacity of all "
            f"{problem.num_vehicles} vehicles together, {capacity / scale.load:g} {unit}"
        )
    return None


def check_feasible(problem: RoutingProblem) -> None:
    """Raise :class:`~supplymind.exceptions.RoutingInfeasibleError` naming the orders no
    vehicle can serve (or a fleet too small for the required demand); return otherwise."""
    reasons = infeasible_orders(problem)
    fleet = _fleet_shortfall(problem)
    if reasons or fleet:
        raise RoutingInfeasibleError(reasons, fleet)
