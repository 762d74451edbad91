"""Standard benchmark instances: VRPLIB ``.vrp`` (CVRPLIB X) and Solomon ``.txt`` files.

Each family comes with its rounding convention, which the best-known solutions (BKS) use:

- VRPLIB / CVRPLIB X (``EUC_2D``): Euclidean distances rounded to the nearest integer
  (:meth:`Scaling.vrplib <supplymind.routing.problem.Scaling.vrplib>`);
- Solomon: Euclidean distances truncated to one decimal, as in the DIMACS challenge; the
  solver works in tenths and costs are divided by 10 (:meth:`Scaling.dimacs
  <supplymind.routing.problem.Scaling.dimacs>`). Travel time equals distance.

Client numbers follow the ``.sol`` files: the depot is location 0 and a client's number is
its location index (VRPLIB node ``k`` is client ``k - 1``; Solomon customer ``k`` is client
``k``). The orders of the problem have these numbers as ids, so routes read back from a plan
can be checked against the file by anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import vrplib

from supplymind.exceptions import RoutingInputError
from supplymind.files import atomic_path
from supplymind.routing.problem import (
    Depot,
    InstanceFormat,
    Order,
    RoutingProblem,
    Scaling,
    VehicleType,
)
from supplymind.routing.travel import TravelMatrix, euclidean_matrix

__all__ = ["Solution", "instance_format", "read_instance", "read_solution", "solomon_to_vrplib"]


@dataclass(frozen=True)
class Solution:
    """A solution file: routes of client numbers (depot excluded) and the stated cost.

    Parameters
    ----------
    routes
        Each route as the client numbers in visiting order.
    cost
        The ``Cost`` line of the file, or ``None`` when absent.
    """

    routes: tuple[tuple[int, ...], ...]
    cost: float | None


def instance_format(path: str | Path) -> InstanceFormat:
    """``"solomon"`` for a Solomon text file, ``"vrplib"`` for a VRPLIB file.

    Decided by the content: a Solomon file has ``VEHICLE`` and ``CUSTOMER`` blocks.
    """
    head = Path(path).read_text(encoding="utf-8", errors="replace")[:2000].upper()
    if "CUSTOMER" in head and "VEHICLE" in head and "NODE_COORD_SECTION" not in head:
        return "solomon"
    return "vrplib"


def _read(path: Path, fmt: InstanceFormat) -> dict[str, Any]:
    try:
        data: dict[str, Any] = vrplib.read_instance(str(path), instance_format=fmt)
    except Exception as exc:  # vrplib raises RuntimeError/ValueError/IndexError on bad files
        raise RoutingInputError(
            f"instance {path.name}: expected a {fmt} file, could not read it: {exc}"
        ) from exc
    for key in ("node_coord", "demand", "capacity"):
        if key not in data:
            raise RoutingInputError(
                f"instance {path.name}: expected a {key.upper()} entry, found none"
            )
    return data


def read_instance(path: str | Path, fmt: InstanceFormat | None = None) -> RoutingProblem:
    """Read a VRPLIB or Solomon instance as a routing problem with its rounding convention.

    Parameters
    ----------
    path
        The ``.vrp`` or ``.txt`` file.
    fmt
        ``"vrplib"`` or ``"solomon"``; detected from the content when ``None``.

    Returns
    -------
    RoutingProblem
        Depot(s) first, then one order per client with the client number as its id; the
        fleet is the file's vehicle count (or one vehicle per client when not stated).

    Raises
    ------
    RoutingInputError
        When the file is missing or not an instance of the format.
    """
    path = Path(path)
    if not path.is_file():
        raise RoutingInputError(f"instance: expected a file, found nothing at {path}")
    fmt = fmt or instance_format(path)
    if fmt not in ("vrplib", "solomon"):
        raise RoutingInputError(f"instance format: expected 'vrplib' or 'solomon', found {fmt!r}")
    data = _read(path, fmt)
    coords = np.asarray(data["node_coord"], dtype=np.float64)
    demand = np.asarray(data["demand"], dtype=np.float64).reshape(-1)
    n = coords.shape[0]
    if fmt == "solomon":
        num_depots = 1
        scaling = Scaling.dimacs()
        convention = "Solomon/DIMACS: Euclidean distances truncated to one decimal"
    else:
        depot_idx = np.asarray(data.get("depot", [0]), dtype=np.int64).reshape(-1)
        num_depots = len(depot_idx)
        if not np.array_equal(depot_idx, np.arange(num_depots)):
            raise RoutingInputError(
                f"instance {path.name}: expected the depots to be the first nodes, found "
                f"depot nodes {list(depot_idx + 1)}"
            )
        scaling = Scaling.vrplib()
        convention = "CVRPLIB: Euclidean distances rounded to the nearest integer"
    windows = np.asarray(data.get("time_window", [[0.0, np.inf]] * n), dtype=np.float64)
    service = np.asarray(data.get("service_time", np.zeros(n)), dtype=np.float64).reshape(-1)
    if service.size == 1:
        service = np.full(n, float(service[0]))
    travel = _travel(path, data, coords, fmt)
    depots = tuple(
        Depot(
            str(k),
            float(coords[k, 0]),
            float(coords[k, 1]),
            float(windows[k, 0]),
            float(windows[k, 1]),
        )
        for k in range(num_depots)
    )
    orders = tuple(
        Order(
            order_id=str(k),
            x=float(coords[k, 0]),
            y=float(coords[k, 1]),
            demand=float(demand[k]),
            window_start=float(windows[k, 0]),
            window_end=float(windows[k, 1]),
            service=float(service[k]),
        )
        for k in range(num_depots, n)
    )
    count = int(data.get("vehicles", len(orders)) or len(orders))
    capacity = float(np.asarray(data["capacity"]).reshape(-1)[0])
    fleet = tuple(
        VehicleType(
            name="vehicle" if num_depots == 1 else f"vehicle@{k}",
            count=count,
            capacity=capacity,
            depot_id=str(k),
        )
        for k in range(num_depots)
    )
    return RoutingProblem(
        depots=depots,
        orders=orders,
        vehicle_types=fleet,
        travel=travel,
        scaling=scaling,
        name=str(data.get("name") or path.stem).strip(),
        distance_unit="",
        time_unit="",
        load_unit="",
        cost_unit="",
        instance_format=fmt,
        notes=(f"{convention}; travel time equals distance.",),
    )


def _travel(
    path: Path, data: dict[str, Any], coords: np.ndarray, fmt: InstanceFormat
) -> TravelMatrix:
    """Euclidean travel from the coordinates, or the file's explicit matrix."""
    kind = str(data.get("edge_weight_type", "EUC_2D")).upper()
    if fmt == "solomon" or kind == "EUC_2D":
        return euclidean_matrix(coords[:, 0], coords[:, 1])
    if kind == "EXPLICIT" and "edge_weight" in data:
        weights = np.asarray(data["edge_weight"], dtype=np.float64)
        return TravelMatrix(weights, weights.copy(), "explicit matrix of the instance file")
    raise RoutingInputError(
        f"instance {path.name}: expected EDGE_WEIGHT_TYPE EUC_2D or EXPLICIT, found {kind}"
    )


def read_solution(path: str | Path) -> Solution:
    """Read a ``.sol`` file (``Route #k: ...`` lines and ``Cost``).

    Raises
    ------
    RoutingInputError
        When the file is missing or has no routes.
    """
    path = Path(path)
    if not path.is_file():
        raise RoutingInputError(f"solution: expected a file, found nothing at {path}")
    data = vrplib.read_solution(str(path))
    routes = tuple(tuple(int(c) for c in r) for r in data.get("routes", []))
    if not routes:
        raise RoutingInputError(f"solution {path.name}: expected 'Route #k:' lines, found none")
    cost = data.get("cost")
    return Solution(routes, None if cost is None else float(cost))


def solomon_to_vrplib(source: str | Path, target: str | Path) -> Path:
    """Rewrite a Solomon ``.txt`` instance as a VRPLIB ``.vrp`` file (same data, same
    numbering), for tools that read only VRPLIB, such as ``pyvrp.read``.

    Parameters
    ----------
    source
        The Solomon file.
    target
        The VRPLIB file to write (atomically).
    """
    source = Path(source)
    data = _read(source, "solomon")
    n = len(data["demand"])
    fields: dict[str, Any] = {
        "NAME": str(data.get("name") or source.stem).strip(),
        "TYPE": "VRPTW",
        "DIMENSION": n,
        "EDGE_WEIGHT_TYPE": "EUC_2D",
        "VEHICLES": int(data["vehicles"]),
        "CAPACITY": int(data["capacity"]),
        "NODE_COORD_SECTION": np.asarray(data["node_coord"]),
        "DEMAND_SECTION": np.asarray(data["demand"]),
        "TIME_WINDOW_SECTION": np.asarray(data["time_window"]),
        "SERVICE_TIME_SECTION": np.asarray(data["service_time"]),
        "DEPOT_SECTION": [1, -1],
    }
    with atomic_path(target) as tmp:
        vrplib.write_instance(str(tmp), fields)
    return Path(target)
