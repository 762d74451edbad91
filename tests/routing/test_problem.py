from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from supplymind.exceptions import RoutingInputError
from supplymind.routing.problem import Depot, Order, RoutingProblem, Scaling, VehicleType
from supplymind.routing.travel import euclidean_matrix

from .conftest import MakeProblem


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"order_id": ""}, "order_id"),
        ({"demand": -1.0}, "demand"),
        ({"demand": math.nan}, "demand"),
        ({"pickup": -2.0}, "pickup"),
        ({"service": -5.0}, "service"),
        ({"penalty": -1.0}, "penalty"),
        ({"x": math.inf}, "x"),
        ({"window_start": 50.0, "window_end": 40.0}, "window_end"),
        ({"required": "yes"}, "required"),
    ],
)
def test_when_an_order_field_breaks_its_rule_then_the_error_names_order_and_field(
    kwargs: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"order_id": "O1", "x": 0.0, "y": 0.0, **kwargs}
    with pytest.raises(RoutingInputError, match=f"field '{field}'"):
        Order(**args)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": 1.5}, "count"),
        ({"capacity": -1.0}, "capacity"),
        ({"fixed_cost": -3.0}, "fixed_cost"),
        ({"cost_per_distance": math.nan}, "cost_per_distance"),
        ({"shift_start": 600.0, "shift_end": 500.0}, "shift_end"),
        ({"max_duration": 0.0}, "max_duration"),
        ({"depot_id": " "}, "depot_id"),
    ],
)
def test_when_a_vehicle_type_field_breaks_its_rule_then_the_error_names_it(
    kwargs: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"name": "van", "count": 1, "capacity": 10.0, "depot_id": "D", **kwargs}
    with pytest.raises(RoutingInputError, match=f"vehicle type 'van', field '{field}'"):
        VehicleType(**args)


def test_when_a_depot_closes_before_it_opens_then_error() -> None:
    with pytest.raises(RoutingInputError, match="depot 'D', field 'closes'"):
        Depot("D", 0.0, 0.0, opens=600.0, closes=300.0)


def _problem(**overrides: Any) -> RoutingProblem:
    args: dict[str, Any] = {
        "depots": (Depot("D", 0.0, 0.0),),
        "orders": (Order("A", 1.0, 0.0), Order("B", 2.0, 0.0)),
        "vehicle_types": (VehicleType("van", 1, 10.0, "D"),),
        "travel": euclidean_matrix([0.0, 1.0, 2.0], [0.0, 0.0, 0.0]),
    }
    args.update(overrides)
    return RoutingProblem(**args)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"depots": ()}, "at least one depot"),
        ({"vehicle_types": ()}, "at least one vehicle type"),
        ({"orders": (Order("A", 1.0, 0.0), Order("A", 2.0, 0.0))}, "'A' twice"),
        ({"vehicle_types": (VehicleType("van", 1, 10.0, "X"),)}, "field 'depot_id'"),
        (
            {"vehicle_types": (VehicleType("van", 1, 10.0, "D", end_depot_id="Y"),)},
            "field 'end_depot_id'",
        ),
        (
            {"orders": (Order("A", 1.0, 0.0, depot_id="Z"), Order("B", 2.0, 0.0))},
            "order 'A', field 'depot_id'",
        ),
        ({"travel": euclidean_matrix([0.0, 1.0], [0.0, 0.0])}, "expected a 3 x 3 matrix"),
    ],
)
def test_when_a_problem_is_inconsistent_then_the_error_says_what(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(RoutingInputError, match=message):
        _problem(**overrides)


def test_when_orders_and_depots_are_consistent_then_locations_are_depots_first() -> None:
    problem = _problem()
    assert problem.order_location(0) == 1
    assert problem.depot_index("D") == 0
    assert problem.num_vehicles == 1


def test_vrplib_scaling_rounds_and_dimacs_scaling_truncates_to_one_decimal() -> None:
    distances = np.array([3.1622776, 2.236068, 4.5000001])
    assert Scaling.vrplib().travel_distance(distances).tolist() == [3, 2, 5]
    assert Scaling.dimacs().travel_distance(distances).tolist() == [31, 22, 45]


def test_when_loads_are_scaled_then_demand_rounds_up_and_capacity_down() -> None:
    scale = Scaling(load=10.0)
    assert scale.demand(1.21) == 13
    assert scale.capacity(1.29) == 12
    assert scale.demand(1.2) == 12
    assert scale.capacity(1.2) == 12


def test_when_a_window_is_scaled_then_it_is_rounded_inwards() -> None:
    scale = Scaling(time=60.0)
    assert scale.time_point(1.001, up=True) == 61
    assert scale.time_point(1.999, up=False) == 119
    assert scale.time_point(2.0, up=False) == 120


def test_when_cost_scale_is_automatic_then_unit_costs_keep_three_digits() -> None:
    van = VehicleType("van", 1, 10.0, "D", cost_per_distance=2.5, cost_per_time=1.0)
    scale = Scaling()  # km -> m, min -> s
    factor = scale.cost_scale((van,))
    assert 2.5 / scale.distance * factor >= 1000
    assert 1.0 / scale.time * factor >= 1000
    assert Scaling.dimacs().cost_scale((van,)) == 10.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"distance": 0.0}, "distance"), ({"cost": -1.0}, "cost"), ({"rounding": "up"}, "rounding")],
)
def test_when_scaling_is_unusable_then_error(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(RoutingInputError, match=f"field '{field}'"):
        Scaling(**kwargs)


def test_when_problem_has_a_time_origin_then_clock_shows_wall_time(
    make_problem: MakeProblem,
) -> None:
    import pandas as pd

    problem = make_problem([Order("A", 1.0, 0.0)])
    assert problem.clock(12.5) == "12.5"
    timed = RoutingProblem(
        problem.depots,
        problem.orders,
        problem.vehicle_types,
        problem.travel,
        time_origin=pd.Timestamp("2024-03-01"),
    )
    assert timed.clock(8 * 60 + 30) == "08:30"
    assert timed.clock(24 * 60 + 60) == "2024-03-02 01:00"
    assert timed.clock(math.inf) == "no limit"
