"""Tiny hand-made routing problems and the committed instance files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.routing.problem import Depot, Order, RoutingProblem, Scaling, VehicleType
from supplymind.routing.travel import euclidean_matrix

DATA = Path(__file__).parent / "data"

MakeProblem = Callable[..., RoutingProblem]


@pytest.fixture
def data_dir() -> Path:
    """The committed tiny instance files."""
    return DATA


@pytest.fixture
def make_problem() -> MakeProblem:
    """Build a planar problem: travel time equals Euclidean distance, integer rounding."""

    def make(
        orders: Sequence[Order],
        vehicles: Sequence[VehicleType] | None = None,
        depots: Sequence[Depot] | None = None,
        scaling: Scaling | None = None,
    ) -> RoutingProblem:
        depots = list(depots or [Depot("D", 0.0, 0.0)])
        xs = [d.x for d in depots] + [o.x for o in orders]
        ys = [d.y for d in depots] + [o.y for o in orders]
        return RoutingProblem(
            depots=tuple(depots),
            orders=tuple(orders),
            vehicle_types=tuple(vehicles or [VehicleType("van", 3, 10.0, depots[0].depot_id)]),
            travel=euclidean_matrix(xs, ys),
            scaling=scaling or Scaling(distance=10.0, time=10.0, load=1.0, cost=10.0),
            name="tiny",
            distance_unit="",
            time_unit="",
            load_unit="",
        )

    return make


@pytest.fixture(scope="session")
def sample_tables() -> dict[str, pd.DataFrame]:
    """The small synthetic sample company (its warehouses are the depots)."""
    return generate_sample_company(SampleCompanyConfig.small(0))
