"""Routing quality: gap to the best-known solution (BKS) on Solomon and CVRPLIB X instances.

Each instance is solved three ways with the same time limit:

``supplymind``
    ``supplymind.routing``: the instance read with its rounding convention, solved with
    PyVRP through the wrapper (``read_instance`` + ``solve``), seed ``--seed``.
``pyvrp``
    Plain PyVRP: ``pyvrp.read`` + ``pyvrp.solve`` with ``MaxRuntime`` and the same seed (a
    Solomon file is first rewritten as VRPLIB, as ``pyvrp.read`` reads only VRPLIB).
``ortools``
    OR-Tools routing on the same integer matrices: capacity dimension, time dimension with
    the windows for Solomon, first solution PATH_CHEAPEST_ARC, GUIDED_LOCAL_SEARCH, same time
    limit, one thread (OR-Tools' routing search has no seed; it is deterministic).

Objective conventions: total distance, as in the BKS files. X: Euclidean distances rounded to
integers, fleet unlimited (PyVRP: one vehicle per client; OR-Tools: the ``k`` of the name
plus 50%, at least ``k + 3`` vehicles, to keep its model small). Solomon: distances truncated
to one decimal (integer tenths), at most the instance's vehicle count, distance minimised
(not vehicles first), as in the DIMACS BKS. Every plan is re-costed and checked with
``supplymind.routing.evaluate``; an infeasible or missing plan has no gap.

Run (from the repository root)::

    .venv/bin/python benchmarks/routing.py [--time-limit 10] [--jobs 1] [--solomon] [--x]
        [--limit N] [--fresh] [--seed 0] [--solvers supplymind,pyvrp,ortools]
        [--data-dir ../shared/data] [--out benchmarks/results]

Writes ``routing.json`` (every run) and ``routing.md`` (per-instance table and family means)
atomically after each run; a rerun skips the runs already in ``routing.json`` with the same
time limit and seed unless ``--fresh``. With neither ``--solomon`` nor ``--x``, both.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from supplymind.files import atomic_write_text
from supplymind.routing.instances import read_instance, solomon_to_vrplib
from supplymind.routing.model import build_model
from supplymind.routing.output import to_json
from supplymind.routing.problem import RoutingProblem
from supplymind.routing.solve import evaluate, solve

REPO = Path(__file__).resolve().parents[1]
SOLVERS = ("supplymind", "pyvrp", "ortools")
FAMILIES = {"solomon": ("solomon_vrptw", ".txt"), "x": ("cvrplib_x", ".vrp")}
MAX_X_SIZE = 300


@dataclass(frozen=True)
class Instance:
    """One benchmark instance and its best-known cost."""

    family: str
    name: str
    path: Path
    bks: float


@dataclass(frozen=True)
class Task:
    """One solver on one instance."""

    instance: Instance
    solver: str
    time_limit: float
    seed: int


def find_instances(data_dir: Path, families: list[str]) -> list[Instance]:
    """Solomon (all) and X instances with n <= 300, ordered by family and name."""
    found = []
    for family in families:
        folder, suffix = FAMILIES[family]
        index = data_dir / folder / "bks_index.csv"
        if not index.is_file():
            raise SystemExit(f"no {index}: set --data-dir or SUPPLYMIND_DATA_DIR")
        with index.open() as fh:
            for row in csv.DictReader(fh):
                name = row["instance"]
                size = re.match(r"X-n(\d+)-", name)
                if family == "x" and (size is None or int(size.group(1)) > MAX_X_SIZE):
                    continue
                path = data_dir / folder / f"{name}{suffix}"
                found.append(Instance(family, name, path, float(row["bks_cost"])))
    return sorted(found, key=lambda i: (i.family != "solomon", i.name))


def _routes_cost(problem: RoutingProblem, routes: list[list[int]]) -> tuple[float, bool]:
    """Cost and feasibility of client-number routes under the instance's convention."""
    plan = evaluate(problem, [[str(c) for c in r] for r in routes])
    return plan.cost, plan.feasible


def run_supplymind(instance: Instance, time_limit: float, seed: int) -> dict[str, Any]:
    """The wrapper: ``read_instance`` + ``solve``."""
    problem = read_instance(instance.path)
    plan = solve(problem, time_limit=time_limit, seed=seed)
    return {
        "cost": plan.cost,
        "feasible": plan.feasible,
        "routes": len(plan.routes),
        "iterations": plan.solver.iterations,
    }


def run_pyvrp(instance: Instance, time_limit: float, seed: int) -> dict[str, Any]:
    """Plain PyVRP: ``pyvrp.read`` + ``pyvrp.solve`` (its cost is checked against ours)."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    if instance.family == "solomon":
        with tempfile.TemporaryDirectory() as tmp:
            path = solomon_to_vrplib(instance.path, Path(tmp) / f"{instance.name}.vrp")
            data = pyvrp.read(path, round_func="dimacs")
        scale = 10.0
    else:
        data = pyvrp.read(instance.path, round_func="round")
        scale = 1.0
    result = pyvrp.solve(data, MaxRuntime(time_limit), seed=seed, display=False)
    # Client index k is location (and client number) k + 1: one depot, at location 0.
    routes = [[a.idx + 1 for a in r if a.is_client()] for r in result.best.routes()]
    problem = read_instance(instance.path)
    cost, feasible = _routes_cost(problem, routes)
    if result.is_feasible() and not math.isclose(cost, result.cost() / scale):
        raise RuntimeError(f"{instance.name}: PyVRP cost {result.cost() / scale} != {cost}")
    return {
        "cost": cost,
        "feasible": feasible and result.is_feasible(),
        "routes": len(routes),
        "iterations": result.num_iterations,
    }


def _ortools_fleet(instance: Instance, problem: RoutingProblem) -> int:
    """Solomon: the instance's vehicles. X: max(k + 3, 1.5 k), k from the name."""
    if instance.family == "solomon":
        return problem.vehicle_types[0].count
    k = int(re.search(r"-k(\d+)", instance.name).group(1))  # type: ignore[union-attr]
    return min(len(problem.orders), max(k + 3, math.ceil(1.5 * k)))


def run_ortools(instance: Instance, time_limit: float, seed: int) -> dict[str, Any]:
    """OR-Tools routing with guided local search on the wrapper's integer data (no seed)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    problem = read_instance(instance.path)
    model = build_model(problem)
    data = model.data
    n = data.num_locations
    vehicles = _ortools_fleet(instance, problem)
    manager = pywrapcp.RoutingIndexManager(n, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    distance = model.distance.tolist()
    arc = routing.RegisterTransitMatrix(distance)
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    demands = [0] + [c.delivery[0] for c in data.clients()]
    capacity = data.vehicle_type(0).capacity[0]
    load = routing.RegisterUnaryTransitVector(demands)
    routing.AddDimensionWithVehicleCapacity(load, 0, [capacity] * vehicles, True, "load")
    if data.has_time_windows():
        service = [0] + [c.service_duration for c in data.clients()]
        travel = [[service[i] + int(model.duration[i][j]) for j in range(n)] for i in range(n)]
        horizon = data.vehicle_type(0).tw_late
        transit = routing.RegisterTransitMatrix(travel)
        routing.AddDimension(transit, horizon, horizon, False, "time")
        time_dim = routing.GetDimensionOrDie("time")
        for k, client in enumerate(data.clients(), start=1):
            time_dim.CumulVar(manager.NodeToIndex(k)).SetRange(client.tw_early, client.tw_late)
        for v in range(vehicles):
            for index in (routing.Start(v), routing.End(v)):
                time_dim.CumulVar(index).SetRange(data.vehicle_type(0).tw_early, horizon)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return {"cost": None, "feasible": False, "routes": None, "iterations": None}
    routes = []
    for v in range(vehicles):
        index = routing.Start(v)
        route = []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    cost, feasible = _routes_cost(problem, routes)
    return {"cost": cost, "feasible": feasible, "routes": len(routes), "iterations": None}


RUNNERS: dict[str, Callable[[Instance, float, int], dict[str, Any]]] = {
    "supplymind": run_supplymind,
    "pyvrp": run_pyvrp,
    "ortools": run_ortools,
}


def run_task(task: Task) -> tuple[Task, dict[str, Any]]:
    """Run one solver on one instance; errors are recorded, not raised."""
    start = time.perf_counter()
    try:
        outcome = RUNNERS[task.solver](task.instance, task.time_limit, task.seed)
    except Exception as exc:  # a failed run must not lose the others
        outcome = {"cost": None, "feasible": False, "error": f"{type(exc).__name__}: {exc}"}
    cost = outcome.get("cost")
    bks = task.instance.bks
    outcome["gap"] = (
        100.0 * (cost - bks) / bks if cost is not None and outcome.get("feasible") else None
    )
    outcome["time_limit"] = task.time_limit
    outcome["seed"] = task.seed
    outcome["wall_s"] = round(time.perf_counter() - start, 2)
    return task, outcome


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "–" if value is None else format(value, spec)


def summarise(results: dict[str, Any], solvers: list[str]) -> dict[str, Any]:
    """Mean gap per family and solver, over the instances every solver has a gap for."""
    summary: dict[str, Any] = {}
    for family in FAMILIES:
        rows = [r for r in results.values() if r["family"] == family]
        common = [r for r in rows if all(r.get(s, {}).get("gap") is not None for s in solvers)]
        entry: dict[str, Any] = {"instances": len(rows), "compared": len(common)}
        for solver in solvers:
            gaps = [r[solver]["gap"] for r in rows if r.get(solver, {}).get("gap") is not None]
            entry[solver] = {
                "mean_gap": _mean([r[solver]["gap"] for r in common]),
                "mean_gap_all": _mean(gaps),
                "feasible": len(gaps),
            }
        summary[family] = entry
    return summary


def goals(results: dict[str, Any]) -> list[str]:
    """The issue's acceptance goals, each marked met or not (or not measured).

    The wrapper is compared with plain PyVRP on the instances both solved feasibly; the
    Solomon goal uses every instance (an instance without a feasible plan fails it).
    """
    out = []
    for family in FAMILIES:
        rows = [r for r in results.values() if r["family"] == family]
        pairs = [
            (r["supplymind"]["gap"], r["pyvrp"]["gap"])
            for r in rows
            if r.get("supplymind", {}).get("gap") is not None
            and r.get("pyvrp", {}).get("gap") is not None
        ]
        if pairs:
            diff = sum(a - b for a, b in pairs) / len(pairs)
            met = "met" if diff <= 0.1 else "NOT met"
            out.append(
                f"- {family}: mean gap within 0.1 point of plain PyVRP: {met} ({diff:+.3f} "
                f"points over {len(pairs)} instances)"
            )
    solomon = [r.get("supplymind", {}) for r in results.values() if r["family"] == "solomon"]
    if solomon and all("gap" in r for r in solomon):
        gaps = [r["gap"] for r in solomon]
        if None in gaps:
            out.append(f"- solomon: mean gap below 1%: NOT met ({gaps.count(None)} without a plan)")
        else:
            mean = sum(gaps) / len(gaps)
            out.append(
                f"- solomon: mean gap below 1%: {'met' if mean < 1.0 else 'NOT met'} "
                f"({mean:.3f}% over {len(gaps)} instances; the goal is stated for 10 s each)"
            )
    return out or ["- not measured yet"]


def markdown(results: dict[str, Any], meta: dict[str, Any], solvers: list[str]) -> str:
    """Per-instance table and family means."""
    summary = summarise(results, solvers)
    lines = [
        "# Routing benchmark: gap to the best-known solution",
        "",
        f"Time limit {meta['time_limit']:g} s per instance and solver, seed {meta['seed']}, "
        f"{meta['machine']}. {meta['versions']}.",
        "",
        "Gap = 100 x (cost - BKS) / BKS, in percent. Costs are total distance in each family's "
        "convention (X: integer-rounded Euclidean; Solomon: truncated to one decimal, at most "
        "the instance's vehicles, distance minimised as in the DIMACS BKS). Every plan is "
        "re-costed and checked with supplymind.routing.evaluate. OR-Tools: PATH_CHEAPEST_ARC + "
        "GUIDED_LOCAL_SEARCH on the same integer matrices, one thread, no seed; X fleet "
        "max(k + 3, 1.5 k).",
        "",
        "## Means per family",
        "",
        "| family | instances | compared | "
        + " | ".join(f"{s} gap %" for s in solvers)
        + (" | supplymind - pyvrp (points) |" if {"supplymind", "pyvrp"} <= set(solvers) else " |"),
        "|---|---|---|"
        + "---|" * len(solvers)
        + ("---|" if {"supplymind", "pyvrp"} <= set(solvers) else ""),
    ]
    for family, entry in summary.items():
        if not entry["instances"]:
            continue
        cells = [_fmt(entry[s]["mean_gap"], ".3f") for s in solvers]
        row = f"| {family} | {entry['instances']} | {entry['compared']} | " + " | ".join(cells)
        if {"supplymind", "pyvrp"} <= set(solvers):
            a, b = entry["supplymind"]["mean_gap"], entry["pyvrp"]["mean_gap"]
            row += f" | {_fmt(None if a is None or b is None else a - b, '+.3f')}"
        lines.append(row + " |")
    lines += [
        "",
        "Means are over the instances where every solver found a feasible plan (`compared`). "
        "Over each solver's own feasible plans:",
        "",
        "| family | " + " | ".join(f"{s} feasible | {s} mean gap %" for s in solvers) + " |",
        "|---|" + "---|---|" * len(solvers),
    ]
    for family, entry in summary.items():
        if entry["instances"]:
            cells = [
                f"{entry[s]['feasible']}/{entry['instances']} | "
                + _fmt(entry[s]["mean_gap_all"], ".3f")
                for s in solvers
            ]
            lines.append(f"| {family} | " + " | ".join(cells) + " |")
    lines += ["", "## Goals", "", *goals(results)]
    lines += [
        "",
        "## Per instance",
        "",
        "| instance | BKS | supplymind cost | " + " | ".join(f"{s} gap %" for s in solvers) + " |",
        "|---|---|---|" + "---|" * len(solvers),
    ]
    for name, row in results.items():
        cost = row.get("supplymind", {}).get("cost")
        cells = []
        for s in solvers:
            run = row.get(s, {})
            cells.append(_fmt(run.get("gap")) if "error" not in run else "error")
        lines.append(
            f"| {name} | {row['bks']:g} | {_fmt(cost, '.1f')} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines) + "\n"


def _load(path: Path, fresh: bool) -> dict[str, Any]:
    if fresh or not path.is_file():
        return {}
    stored: dict[str, Any] = json.loads(path.read_text())
    return dict(stored.get("results", {}))


def _tasks(
    instances: list[Instance], solvers: list[str], results: dict[str, Any], limit: float, seed: int
) -> Iterator[Task]:
    for instance in instances:
        for solver in solvers:
            done = results.get(instance.name, {}).get(solver)
            if done and done.get("time_limit") == limit and done.get("seed") == seed:
                continue
            yield Task(instance, solver, limit, seed)


def main() -> None:
    """Parse the options, run what is not stored yet, write the results after each run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel (processes)")
    parser.add_argument("--solomon", action="store_true", help="Solomon instances")
    parser.add_argument("--x", action="store_true", help="CVRPLIB X instances with n <= 300")
    parser.add_argument("--limit", type=int, default=None, help="first N instances per family")
    parser.add_argument("--fresh", action="store_true", help="ignore stored results")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    default_data = os.environ.get("SUPPLYMIND_DATA_DIR", str(REPO.parent / "shared" / "data"))
    parser.add_argument("--data-dir", type=Path, default=Path(default_data))
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()

    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    unknown = sorted(set(solvers) - set(SOLVERS))
    if unknown:
        raise SystemExit(f"--solvers: expected names from {list(SOLVERS)}, found {unknown}")
    families = [f for f, chosen in (("solomon", args.solomon), ("x", args.x)) if chosen]
    instances = find_instances(args.data_dir, families or list(FAMILIES))
    if args.limit is not None:
        instances = [
            i
            for family in FAMILIES
            for i in [j for j in instances if j.family == family][: args.limit]
        ]
    json_path, md_path = args.out / "routing.json", args.out / "routing.md"
    results = _load(json_path, args.fresh)
    meta = {
        "time_limit": args.time_limit,
        "seed": args.seed,
        "jobs": args.jobs,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{args.jobs} job(s) at a time",
        "versions": (
            f"pyvrp {version('pyvrp')}, ortools {version('ortools')}, "
            f"Python {platform.python_version()}"
        ),
    }

    def save() -> None:
        payload = {"meta": meta, "summary": summarise(results, solvers), "results": results}
        atomic_write_text(json_path, to_json(payload))
        atomic_write_text(md_path, markdown(results, meta, solvers))

    def record(task: Task, outcome: dict[str, Any]) -> None:
        row = results.setdefault(
            task.instance.name, {"family": task.instance.family, "bks": task.instance.bks}
        )
        row[task.solver] = outcome
        ordered = dict(
            sorted(results.items(), key=lambda kv: (kv[1]["family"] != "solomon", kv[0]))
        )
        results.clear()
        results.update(ordered)
        save()
        gap = outcome.get("gap")
        shown = "error: " + outcome["error"] if "error" in outcome else f"gap {_fmt(gap, '.2f')}%"
        cost = outcome.get("cost")
        print(f"{task.instance.name:>14} {task.solver:>10}: cost {cost} {shown}", flush=True)

    pending = list(_tasks(instances, solvers, results, args.time_limit, args.seed))
    print(f"{len(instances)} instances, {len(pending)} runs to do, {args.jobs} at a time")
    if args.jobs <= 1:
        for task in pending:
            record(*run_task(task))
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            running: set[Future[tuple[Task, dict[str, Any]]]] = {
                pool.submit(run_task, task) for task in pending
            }
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    record(*future.result())
    save()
    for family, entry in summarise(results, solvers).items():
        if entry["instances"]:
            means = ", ".join(f"{s} {_fmt(entry[s]['mean_gap'], '.3f')}%" for s in solvers)
            print(f"{family}: {entry['compared']}/{entry['instances']} compared; mean gap {means}")
    print(f"written: {json_path}, {md_path}")


if __name__ == "__main__":
    main()
