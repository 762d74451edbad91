"""Solve a routing problem with PyVRP, or evaluate given routes the same way.

:func:`solve` checks the problem (orders no vehicle can serve are named before any search),
builds PyVRP's data (:mod:`supplymind.routing.model`), runs PyVRP's iterated local search
until the time limit (or an iteration limit) and reads the best solution back into a
:class:`~supplymind.routing.solution.RoutePlan`.

Runs are deterministic for a seed when stopped by ``max_iterations``. A time limit stops the
same search path at a point that depends on the machine's speed, so two runs with the same
seed agree once the search has converged (small problems) and may differ slightly otherwise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version

import pyvrp
from pyvrp import Solution, SolveParams
from pyvrp.stop import MaxIterations, MaxRuntime

from supplymind.exceptions import RoutingInputError
from supplymind.routing.feasibility import check_feasible
from supplymind.routing.model import build_model
from supplymind.routing.problem import RoutingProblem
from supplymind.routing.solution import RoutePlan, SolverInfo, plan_from_solution

__all__ = ["ProgressCallback", "evaluate", "solve"]

ProgressCallback = Callable[[float, float | None], None]
"""Called during the search with the seconds elapsed and the best cost so far (``None``
while no feasible plan is known)."""

# PyVRP reports an infeasible best solution's cost as the largest integer.
_INFEASIBLE = 2**62


class _Stop:
    """PyVRP's ``MaxRuntime`` (and ``MaxIterations``), reporting progress on the way."""

    def __init__(
        self,
        time_limit: float | None,
        max_iterations: int | None,
        on_progress: ProgressCallback | None,
        cost_scale: float,
        interval: float = 0.25,
    ) -> None:
        self._runtime = MaxRuntime(time_limit) if time_limit is not None else None
        self._iterations = MaxIterations(max_iterations) if max_iterations is not None else None
        self._on_progress = on_progress
        self._cost_scale = cost_scale
        self._interval = interval
        self._start: float | None = None
        self._last = -math.inf

    def __call__(self, best_cost: int) -> bool:
        done = bool(self._runtime is not None and self._runtime(best_cost))
        done = bool(self._iterations is not None and self._iterations(best_cost)) or done
        if self._on_progress is not None:
            now = time.perf_counter()
            self._start = now if self._start is None else self._start
            if done or now - self._last >= self._interval:
                self._last = now
                cost = None if best_cost >= _INFEASIBLE else best_cost / self._cost_scale
                self._on_progress(now - self._start, cost)
        return done


def _check_limits(time_limit: float | None, seed: int, max_iterations: int | None) -> None:
    if time_limit is None and max_iterations is None:
        raise RoutingInputError("solve: expected a time_limit or max_iterations, found neither")
    if time_limit is not None and (
        isinstance(time_limit, bool) or not math.isfinite(time_limit) or time_limit <= 0
    ):
        raise RoutingInputError(f"solve, time_limit: expected seconds > 0, found {time_limit!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise RoutingInputError(f"solve, seed: expected an integer >= 0, found {seed!r}")
    if max_iterations is not None and (
        isinstance(max_iterations, bool)
        or not isinstance(max_iterations, int)
        or max_iterations < 1
    ):
        raise RoutingInputError(
            f"solve, max_iterations: expected an integer >= 1, found {max_iterations!r}"
        )


def solve(
    problem: RoutingProblem,
    *,
    time_limit: float | None = 10.0,
    seed: int = 0,
    max_iterations: int | None = None,
    on_progress: ProgressCallback | None = None,
    check: bool = True,
) -> RoutePlan:
    """Find routes for ``problem`` with PyVRP.

    Parameters
    ----------
    problem
        The routing problem.
    time_limit
        Seconds of search; ``None`` to stop on ``max_iterations`` only.
    seed
        Seed of the search.
    max_iterations
        Stop after this many iterations (reproducible on any machine), or ``None``.
    on_progress
        Called a few times a second with the seconds elapsed and the best cost so far.
    check
        Check first that every required order can be served at all.

    Returns
    -------
    RoutePlan
        The best plan found; ``feasible`` is false (with ``violations``) when the search
        found no plan meeting every constraint.

    Raises
    ------
    RoutingInfeasibleError
        When ``check`` finds required orders no vehicle can serve (named with the reason).
    RoutingInputError
        When the limits or the seed are not usable.
    """
    _check_limits(time_limit, seed, max_iterations)
    if check:
        check_feasible(problem)
    model = build_model(problem)
    solver = f"PyVRP {version('pyvrp')}"
    if not problem.orders:
        info = SolverInfo(solver, seed, time_limit, max_iterations)
        return plan_from_solution(problem, model, Solution(model.data, []), info)
    stop = _Stop(time_limit, max_iterations, on_progress, model.cost_scale)
    result = pyvrp.solve(
        model.data,
        stop,
        seed=seed,
        collect_stats=False,
        display=False,
        params=SolveParams(penalty=model.penalty),
    )
    info = SolverInfo(
        solver, seed, time_limit, max_iterations, result.num_iterations, result.runtime
    )
    return plan_from_solution(problem, model, result.best, info)


def evaluate(
    problem: RoutingProblem,
    routes: Sequence[Sequence[str]],
    vehicle_types: Sequence[str] | None = None,
) -> RoutePlan:
    """The plan made of given routes, costed exactly as :func:`solve` costs its own.

    Use it to check a plan from elsewhere (for example a best-known solution) under the
    problem's rounding convention.

    Parameters
    ----------
    problem
        The routing problem.
    routes
        Each route as the order ids in visiting sequence (depots excluded).
    vehicle_types
        The vehicle type of each route; the first type for all when ``None``.

    Raises
    ------
    RoutingInputError
        When a route names an unknown order or vehicle type.
    """
    index = {o.order_id: k for k, o in enumerate(problem.orders)}
    types = {vt.name: k for k, vt in enumerate(problem.vehicle_types)}
    if vehicle_types is not None and len(vehicle_types) != len(routes):
        raise RoutingInputError(
            f"evaluate, vehicle_types: expected one per route ({len(routes)}), "
            f"found {len(vehicle_types)}"
        )
    model = build_model(problem)
    built = []
    for n, route in enumerate(routes):
        unknown = [str(o) for o in route if str(o) not in index]
        if unknown:
            raise RoutingInputError(
                f"evaluate, route {n + 1}: expected order ids of the problem, found {unknown}"
            )
        name = vehicle_types[n] if vehicle_types is not None else problem.vehicle_types[0].name
        if name not in types:
            raise RoutingInputError(
                f"evaluate, route {n + 1}: expected a vehicle type in {sorted(types)}, "
                f"found {name!r}"
            )
        built.append(pyvrp.Route(model.data, [index[str(o)] for o in route], types[name]))
    info = SolverInfo("given routes")
    return plan_from_solution(problem, model, Solution(model.data, built), info)
