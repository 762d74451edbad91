from __future__ import annotations

import numpy as np
from pyvrp import PenaltyParams

from supplymind.routing.model import build_model
from supplymind.routing.problem import Depot, Order, Scaling, VehicleType

from .conftest import MakeProblem


def test_when_unit_costs_are_one_then_pyvrp_default_penalties_are_kept(
    make_problem: MakeProblem,
) -> None:
    model = build_model(make_problem([Order("A", 3.0, 4.0)], scaling=Scaling.vrplib()))
    assert model.penalty == PenaltyParams()
    assert model.cost_scale == 1.0
    assert model.distance[0, 1] == 5


def test_when_costs_are_in_currency_then_they_become_integers_with_penalties_to_match(
    make_problem: MakeProblem,
) -> None:
    van = VehicleType(
        "van", 1, 10.0, "D", fixed_cost=300.0, cost_per_distance=2.5, cost_per_time=1.0
    )
    model = build_model(make_problem([Order("A", 3.0, 4.0)], vehicles=[van], scaling=Scaling()))
    pyvrp_type = model.data.vehicle_type(0)
    assert pyvrp_type.fixed_cost == round(300.0 * model.cost_scale)
    assert pyvrp_type.unit_distance_cost == round(2.5 * model.cost_scale / 1000)
    assert pyvrp_type.unit_duration_cost == round(1.0 * model.cost_scale / 60)
    factor = max(pyvrp_type.unit_distance_cost, pyvrp_type.unit_duration_cost)
    assert model.penalty.max_penalty == PenaltyParams().max_penalty * factor


def test_when_windows_shifts_and_service_are_set_then_pyvrp_gets_them_scaled(
    make_problem: MakeProblem,
) -> None:
    order = Order("A", 3.0, 4.0, demand=2.5, window_start=10.0, window_end=20.0, service=1.5)
    van = VehicleType("van", 2, 10.0, "D", shift_start=5.0, shift_end=90.0, max_duration=60.0)
    model = build_model(make_problem([order], vehicles=[van]))  # scale 10
    client = model.data.client(0)
    assert (client.tw_early, client.tw_late, client.service_duration) == (100, 200, 15)
    assert client.delivery == [3]  # loads scale 1: 2.5 rounds up
    vt = model.data.vehicle_type(0)
    assert (vt.tw_early, vt.tw_late, vt.shift_duration, vt.num_available) == (50, 900, 600, 2)


def test_when_a_buffer_is_set_then_the_solver_aims_before_the_window_end(
    make_problem: MakeProblem,
) -> None:
    order = Order("A", 3.0, 4.0, window_start=10.0, window_end=20.0, buffer=4.0)
    model = build_model(make_problem([order]))
    assert model.data.client(0).tw_late == 160


def test_when_orders_are_tied_to_depots_then_each_depot_has_a_profile_forbidding_the_others(
    make_problem: MakeProblem,
) -> None:
    depots = [Depot("W", -10.0, 0.0), Depot("E", 10.0, 0.0)]
    orders = [Order("w", -9.0, 0.0, depot_id="W"), Order("any", 0.0, 0.0)]
    vehicles = [VehicleType("vw", 1, 10.0, "W"), VehicleType("ve", 1, 10.0, "E")]
    model = build_model(make_problem(orders, vehicles=vehicles, depots=depots))
    assert model.data.num_profiles == 2
    west, east = model.data.distance_matrix(0), model.data.distance_matrix(1)
    assert west[0, 2] == model.distance[0, 2]
    assert east[1, 2] > model.data.vehicle_type(1).max_distance >= 4 * model.distance.max()
    # The untied order is as near as ever, except from the forbidden one.
    assert np.array_equal(east[[0, 1], 3], model.distance[[0, 1], 3])
    assert model.data.vehicle_type(1).profile == 1
