from __future__ import annotations

import math

import pytest

from supplymind.exceptions import RoutingInputError
from supplymind.routing.problem import Depot, Order, VehicleType
from supplymind.routing.solution import RoutePlan
from supplymind.routing.solve import evaluate, solve

from .conftest import MakeProblem

ITERATIONS = 300


def _ring(n: int, radius: float = 10.0, **order: float) -> list[Order]:
    return [
        Order(
            f"O{k}",
            radius * math.cos(2 * math.pi * k / n),
            radius * math.sin(2 * math.pi * k / n),
            **order,  # type: ignore[arg-type]
        )
        for k in range(n)
    ]


def _served_in_windows(plan: RoutePlan) -> bool:
    for route in plan.routes:
        for stop in route.stops[1:-1]:
            assert stop.window_start is not None
            assert stop.window_end is not None
            begins = stop.arrival + stop.wait
            if begins < stop.window_start - 1e-9 or stop.arrival > stop.window_end + 1e-9:
                return False
    return True


def test_when_capacity_binds_then_every_route_carries_at_most_the_capacity(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem(_ring(6, demand=4.0), vehicles=[VehicleType("van", 6, 10.0, "D")])
    plan = solve(problem, time_limit=None, max_iterations=ITERATIONS)
    assert plan.feasible
    assert plan.kpis.served == 6
    assert len(plan.routes) >= 3
    assert all(r.peak_load <= 10.0 and r.delivered <= 10.0 for r in plan.routes)
    assert sorted(o for r in plan.routes for o in r.order_ids) == [f"O{k}" for k in range(6)]


def test_when_windows_are_tight_then_every_arrival_is_inside_its_window(
    make_problem: MakeProblem,
) -> None:
    orders = [
        Order("late", 10.0, 0.0, window_start=60.0, window_end=70.0, service=5.0),
        Order("early", 10.0, 1.0, window_start=0.0, window_end=15.0, service=5.0),
        Order("mid", 0.0, 10.0, window_start=30.0, window_end=45.0, service=5.0),
    ]
    problem = make_problem(orders, vehicles=[VehicleType("van", 1, 10.0, "D")])
    plan = solve(problem, time_limit=None, max_iterations=ITERATIONS)
    assert plan.feasible
    assert _served_in_windows(plan)
    assert plan.routes[0].order_ids == ["early", "mid", "late"]
    assert plan.kpis.on_time_rate == 1.0
    assert plan.kpis.lateness == 0.0


def test_when_the_seed_is_the_same_then_the_routes_are_the_same(make_problem: MakeProblem) -> None:
    problem = make_problem(_ring(12, demand=2.0), vehicles=[VehicleType("van", 5, 7.0, "D")])
    first = solve(problem, time_limit=None, max_iterations=ITERATIONS, seed=7)
    second = solve(problem, time_limit=None, max_iterations=ITERATIONS, seed=7)
    assert [r.order_ids for r in first.routes] == [r.order_ids for r in second.routes]
    assert first.cost == second.cost


def test_when_an_optional_order_costs_more_than_its_penalty_then_it_is_dropped_and_reported(
    make_problem: MakeProblem,
) -> None:
    orders = [*_ring(3), Order("remote", 500.0, 0.0, required=False, penalty=5.0)]
    plan = solve(make_problem(orders), time_limit=None, max_iterations=ITERATIONS)
    assert plan.feasible
    assert plan.dropped == ("remote",)
    assert plan.kpis.dropped == 1
    assert plan.kpis.served == 3
    served_cost = evaluate(plan.problem, [r.order_ids for r in plan.routes]).cost
    assert plan.cost == pytest.approx(served_cost)  # the penalty is part of the cost
    assert plan.cost > sum(r.cost for r in plan.routes)


def test_when_an_optional_order_is_worth_serving_then_it_is_served(
    make_problem: MakeProblem,
) -> None:
    orders = [*_ring(3), Order("near", 1.0, 1.0, required=False, penalty=1000.0)]
    plan = solve(make_problem(orders), time_limit=None, max_iterations=ITERATIONS)
    assert plan.dropped == ()


def test_when_orders_pick_up_as_well_then_the_load_on_board_stays_within_capacity(
    make_problem: MakeProblem,
) -> None:
    orders = [
        Order("A", 5.0, 0.0, demand=6.0, pickup=1.0),
        Order("B", 5.0, 5.0, demand=0.0, pickup=7.0),
        Order("C", 0.0, 5.0, demand=3.0, pickup=3.0),
    ]
    problem = make_problem(orders, vehicles=[VehicleType("van", 3, 10.0, "D")])
    plan = solve(problem, time_limit=None, max_iterations=ITERATIONS)
    assert plan.feasible
    for route in plan.routes:
        loads = [s.load for s in route.stops[:-1]]
        assert max(loads) <= 10.0
        assert route.stops[0].load == route.delivered
        assert loads[-1] == route.picked_up


def test_when_orders_are_tied_to_depots_then_only_vehicles_of_that_depot_serve_them(
    make_problem: MakeProblem,
) -> None:
    depots = [Depot("W", -10.0, 0.0), Depot("E", 10.0, 0.0)]
    # Each order sits next to the other depot: cheapest would be to swap them.
    orders = [
        Order("west-order", 9.0, 1.0, depot_id="W"),
        Order("east-order", -9.0, 1.0, depot_id="E"),
        Order("free", 0.0, 5.0),
    ]
    vehicles = [VehicleType("vw", 2, 10.0, "W"), VehicleType("ve", 2, 10.0, "E")]
    problem = make_problem(orders, vehicles=vehicles, depots=depots)
    plan = solve(problem, time_limit=None, max_iterations=ITERATIONS)
    assert plan.feasible
    by_order = {o: r.depot_id for r in plan.routes for o in r.order_ids}
    assert by_order["west-order"] == "W"
    assert by_order["east-order"] == "E"


def test_when_types_differ_in_fixed_cost_then_the_cheaper_type_is_used(
    make_problem: MakeProblem,
) -> None:
    vehicles = [
        VehicleType("dear", 2, 10.0, "D", fixed_cost=100.0),
        VehicleType("cheap", 2, 10.0, "D", fixed_cost=10.0),
    ]
    problem = make_problem(_ring(4, demand=2.0), vehicles=vehicles)
    plan = solve(problem, time_limit=None, max_iterations=ITERATIONS)
    assert [r.vehicle_type for r in plan.routes] == ["cheap"]
    assert plan.routes[0].vehicle == "cheap-1"
    assert plan.routes[0].cost == pytest.approx(10.0 + plan.routes[0].distance)


def test_when_given_routes_are_evaluated_then_the_cost_matches_the_solvers(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem(_ring(8, demand=3.0))
    plan = solve(problem, time_limit=None, max_iterations=ITERATIONS)
    again = evaluate(problem, [r.order_ids for r in plan.routes])
    assert again.cost == plan.cost
    assert again.feasible


def test_when_a_route_is_overloaded_then_the_plan_is_infeasible_and_says_why(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem(_ring(4, demand=4.0))
    plan = evaluate(problem, [["O0", "O1", "O2", "O3"]])
    assert not plan.feasible
    assert any("overloaded by 6" in v for v in plan.violations)


def test_when_evaluating_an_unknown_order_then_error(make_problem: MakeProblem) -> None:
    with pytest.raises(RoutingInputError, match="'X'"):
        evaluate(make_problem(_ring(2)), [["O0", "X"]])


def test_when_progress_is_asked_for_then_the_callback_sees_time_and_cost(
    make_problem: MakeProblem,
) -> None:
    seen: list[tuple[float, float | None]] = []
    solve(
        make_problem(_ring(5)),
        time_limit=0.3,
        on_progress=lambda elapsed, cost: seen.append((elapsed, cost)),
    )
    assert seen
    assert seen[-1][0] >= 0.25
    assert seen[-1][1] is not None
    assert seen[-1][1] > 0


def test_when_there_are_no_orders_then_the_plan_is_empty(make_problem: MakeProblem) -> None:
    plan = solve(make_problem([]), time_limit=1.0)
    assert plan.routes == ()
    assert plan.cost == 0.0
    assert plan.feasible


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_limit": 0.0}, "time_limit"),
        ({"time_limit": math.inf}, "time_limit"),
        ({"time_limit": None}, "time_limit or max_iterations"),
        ({"seed": -1}, "seed"),
        ({"max_iterations": 0}, "max_iterations"),
    ],
)
def test_when_limits_are_unusable_then_error(
    make_problem: MakeProblem, kwargs: dict[str, float | None], message: str
) -> None:
    with pytest.raises(RoutingInputError, match=message):
        solve(make_problem(_ring(2)), **kwargs)  # type: ignore[arg-type]
