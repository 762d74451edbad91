from __future__ import annotations

import pytest

from supplymind.exceptions import RoutingInfeasibleError
from supplymind.routing.feasibility import check_feasible, infeasible_orders
from supplymind.routing.problem import Depot, Order, VehicleType
from supplymind.routing.solve import solve

from .conftest import MakeProblem


def test_when_a_demand_exceeds_every_capacity_then_the_error_names_the_order(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem(
        [Order("small", 1.0, 0.0, demand=3.0), Order("huge", 2.0, 0.0, demand=50.0)],
        vehicles=[VehicleType("van", 2, 10.0, "D"), VehicleType("truck", 1, 40.0, "D")],
    )
    with pytest.raises(RoutingInfeasibleError, match="order 'huge'") as info:
        check_feasible(problem)
    assert list(info.value.reasons) == ["huge"]
    assert "largest capacity" in info.value.reasons["huge"]
    assert "40" in info.value.reasons["huge"]


def test_when_a_window_closes_before_the_depot_opens_then_the_error_names_the_order(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem(
        [Order("early", 1.0, 0.0, window_start=10.0, window_end=50.0), Order("ok", 1.0, 1.0)],
        depots=[Depot("D", 0.0, 0.0, opens=100.0, closes=1000.0)],
    )
    with pytest.raises(RoutingInfeasibleError) as info:
        check_feasible(problem)
    assert list(info.value.reasons) == ["early"]
    assert "before the depot 'D' opens at 100" in str(info.value)


def test_when_an_order_cannot_be_reached_in_time_then_the_arrival_is_stated(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem([Order("far", 100.0, 0.0, window_end=50.0)])
    reasons = infeasible_orders(problem)
    assert "earliest arrival" in reasons["far"]
    assert "100" in reasons["far"]


def test_when_no_vehicle_can_be_back_before_its_shift_ends_then_error(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem(
        [Order("late", 30.0, 0.0, window_start=80.0, service=10.0)],
        vehicles=[VehicleType("van", 1, 10.0, "D", shift_start=0.0, shift_end=100.0)],
    )
    reasons = infeasible_orders(problem)
    assert "after the shift ends at 100" in reasons["late"]


def test_when_a_round_trip_exceeds_the_maximum_duration_then_error(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem(
        [Order("far", 30.0, 0.0)], vehicles=[VehicleType("van", 1, 10.0, "D", max_duration=50.0)]
    )
    assert "maximum route duration 50" in infeasible_orders(problem)["far"]


def test_when_the_fleet_cannot_carry_the_total_demand_then_error(
    make_problem: MakeProblem,
) -> None:
    orders = [Order(f"O{k}", 1.0, float(k), demand=8.0) for k in range(3)]
    problem = make_problem(orders, vehicles=[VehicleType("van", 2, 10.0, "D")])
    with pytest.raises(RoutingInfeasibleError, match="capacity of all 2 vehicles"):
        check_feasible(problem)


def test_when_an_impossible_order_is_optional_then_it_is_dropped_not_an_error(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem(
        [
            Order("ok", 1.0, 0.0, demand=2.0),
            Order("huge", 2.0, 0.0, demand=50.0, required=False, penalty=100.0),
        ]
    )
    assert infeasible_orders(problem) == {}
    plan = solve(problem, time_limit=None, max_iterations=50)
    assert plan.dropped == ("huge",)
    assert plan.feasible


def test_when_solving_an_impossible_problem_then_it_fails_before_searching(
    make_problem: MakeProblem,
) -> None:
    problem = make_problem([Order("huge", 1.0, 0.0, demand=11.0)])
    with pytest.raises(RoutingInfeasibleError, match="order 'huge'"):
        solve(problem, time_limit=60.0)
