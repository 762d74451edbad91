from __future__ import annotations

from pathlib import Path

from supplymind.routing.plot import plot_routes
from supplymind.routing.problem import Order
from supplymind.routing.solve import solve

from .conftest import MakeProblem


def test_when_a_plan_is_plotted_then_a_png_is_written(
    make_problem: MakeProblem, tmp_path: Path
) -> None:
    orders = [
        Order("A", 5.0, 0.0, demand=4.0),
        Order("B", 0.0, 5.0, demand=4.0),
        Order("far", 90.0, 90.0, required=False, penalty=1.0),
    ]
    plan = solve(make_problem(orders), time_limit=None, max_iterations=100)
    assert plan.dropped == ("far",)
    path = plot_routes(plan, tmp_path / "map.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
