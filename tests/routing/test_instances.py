from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import pyvrp
from pyvrp.stop import MaxIterations

from supplymind.exceptions import RoutingInputError
from supplymind.routing.instances import (
    instance_format,
    read_instance,
    read_solution,
    solomon_to_vrplib,
)
from supplymind.routing.model import build_model
from supplymind.routing.solve import evaluate, solve


def test_when_a_vrplib_file_is_read_then_clients_keep_the_sol_numbering(data_dir: Path) -> None:
    problem = read_instance(data_dir / "tiny.vrp")
    assert instance_format(data_dir / "tiny.vrp") == "vrplib"
    assert problem.instance_format == "vrplib"
    assert [o.order_id for o in problem.orders] == ["1", "2", "3", "4", "5"]
    assert [o.demand for o in problem.orders] == [4.0, 5.0, 3.0, 6.0, 2.0]
    assert problem.vehicle_types[0].capacity == 10.0
    assert problem.vehicle_types[0].count == 5  # no VEHICLES: one per client
    # sqrt(10) = 3.16 rounds to 3 under the CVRPLIB convention.
    assert build_model(problem).distance[0, 1] == 3


def test_when_a_solomon_file_is_read_then_distances_are_truncated_to_one_decimal(
    data_dir: Path,
) -> None:
    path = data_dir / "tiny_solomon.txt"
    problem = read_instance(path)
    assert instance_format(path) == "solomon"
    assert problem.vehicle_types[0].count == 3
    assert problem.depots[0].closes == 100.0
    assert problem.orders[1].window_start == 10.0
    assert problem.orders[1].service == 2.0
    model = build_model(problem)
    assert model.distance[0, 1] == 31  # sqrt(10) = 3.162 -> 3.1, in tenths
    assert model.cost_scale == 10.0


@pytest.mark.parametrize(("name", "suffix"), [("tiny", ".vrp"), ("tiny_solomon", ".txt")])
def test_when_the_sol_file_is_evaluated_then_its_stated_cost_is_recovered(
    data_dir: Path, name: str, suffix: str
) -> None:
    problem = read_instance(data_dir / f"{name}{suffix}")
    known = read_solution(data_dir / f"{name}.sol")
    plan = evaluate(problem, [[str(c) for c in route] for route in known.routes])
    assert plan.feasible
    assert plan.cost == known.cost


def test_when_a_tiny_instance_is_solved_then_routes_are_client_numbers(data_dir: Path) -> None:
    plan = solve(read_instance(data_dir / "tiny_solomon.txt"), time_limit=None, max_iterations=200)
    assert plan.feasible
    assert plan.cost <= 27.5
    assert sorted(int(o) for r in plan.routes for o in r.order_ids) == [1, 2, 3, 4, 5]


def test_when_the_file_is_not_an_instance_then_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vrp"
    bad.write_text("hello\n")
    with pytest.raises(RoutingInputError, match=r"bad\.vrp"):
        read_instance(bad)
    with pytest.raises(RoutingInputError, match="expected a file"):
        read_instance(tmp_path / "missing.vrp")


def test_when_a_solomon_file_is_rewritten_as_vrplib_then_pyvrp_reads_the_same_data(
    data_dir: Path, tmp_path: Path
) -> None:
    target = solomon_to_vrplib(data_dir / "tiny_solomon.txt", tmp_path / "tiny.vrp")
    plain = pyvrp.read(target, round_func="dimacs")
    ours = build_model(read_instance(data_dir / "tiny_solomon.txt")).data
    assert np.array_equal(plain.distance_matrix(0), ours.distance_matrix(0))
    assert [c.tw_late for c in plain.clients()] == [c.tw_late for c in ours.clients()]


# --- The public benchmark instances (skipped without the shared data folder). ---


def _bks(folder: Path) -> dict[str, float]:
    with (folder / "bks_index.csv").open() as fh:
        return {row["instance"]: float(row["bks_cost"]) for row in csv.DictReader(fh)}


@pytest.mark.shared_data
@pytest.mark.parametrize(("family", "suffix"), [("cvrplib_x", ".vrp"), ("solomon_vrptw", ".txt")])
def test_every_best_known_solution_costs_what_the_index_says(
    shared_data_dir: Path, family: str, suffix: str
) -> None:
    """The readers' rounding conventions and client numbering reproduce every BKS cost."""
    folder = shared_data_dir / family
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    bks = _bks(folder)
    assert bks
    for name, cost in bks.items():
        problem = read_instance(folder / f"{name}{suffix}")
        known = read_solution(folder / f"{name}.sol")
        plan = evaluate(problem, [[str(c) for c in route] for route in known.routes])
        assert plan.feasible, (name, plan.violations)
        assert plan.cost == pytest.approx(cost, abs=1e-6), name
        assert plan.kpis.vehicles_used == len(known.routes)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["cvrplib_x/X-n101-k25.vrp", "solomon_vrptw/R101.txt"])
def test_the_wrapper_gives_pyvrp_the_same_data_and_gets_the_same_result(
    shared_data_dir: Path, tmp_path: Path, name: str
) -> None:
    """Same data, seed and iterations as plain ``pyvrp.read`` + ``pyvrp.solve``: same cost."""
    path = shared_data_dir / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    if path.suffix == ".txt":
        plain = pyvrp.read(solomon_to_vrplib(path, tmp_path / "i.vrp"), round_func="dimacs")
    else:
        plain = pyvrp.read(path, round_func="round")
    ours = build_model(read_instance(path)).data
    assert np.array_equal(plain.distance_matrix(0), ours.distance_matrix(0))
    assert np.array_equal(plain.duration_matrix(0), ours.duration_matrix(0))
    fields = ("location", "delivery", "pickup", "service_duration", "tw_early", "tw_late", "prize")
    for field in fields:
        assert [getattr(c, field) for c in plain.clients()] == [
            getattr(c, field) for c in ours.clients()
        ], field
    plain_type, our_type = plain.vehicle_type(0), ours.vehicle_type(0)
    for field in ("num_available", "capacity", "tw_early", "tw_late", "shift_duration"):
        assert getattr(plain_type, field) == getattr(our_type, field), field
    reference = pyvrp.solve(plain, MaxIterations(150), seed=3, display=False)
    plan = solve(read_instance(path), time_limit=None, max_iterations=150, seed=3)
    assert plan.cost * (10 if path.suffix == ".txt" else 1) == pytest.approx(reference.cost())
