from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.params import InventoryParams, LeadTime
from supplymind.inventory.plot import pick_items, plot_frontier, plot_trajectories
from supplymind.inventory.policies import Policy
from supplymind.inventory.simulate import simulate


def test_when_a_simulation_is_plotted_then_pngs_are_written(tmp_path: Path) -> None:
    demand = np.random.default_rng(0).poisson(3, (3, 40)).astype(float)
    run = simulate(
        demand,
        [Policy("base_stock", 9, 9, 3, 0)] * 3,
        InventoryParams(lead_time=LeadTime.fixed(2)),
        warmup=3,
        item_ids=["a", "b", "c"],
    )
    assert len(pick_items(run, 2)) == 2
    stamps = pd.date_range("2024-01-01", periods=40, freq="D")
    path = plot_trajectories(run, tmp_path / "t.png", timestamps=stamps)
    assert path.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(InventoryInputError, match="simulated items"):
        plot_trajectories(run, tmp_path / "x.png", items=["nope"])
    curve = pd.DataFrame(
        {
            "target": [0.9, 0.95],
            "fill_rate": [0.88, 0.94],
            "average_on_hand": [10.0, 14.0],
            "inventory_cost": [100.0, 140.0],
        }
    )
    assert plot_frontier({"m": curve}, tmp_path / "f.png").stat().st_size > 0


def test_when_items_have_their_own_dates_then_each_is_drawn_over_its_own_periods(
    tmp_path: Path,
) -> None:
    demand = np.random.default_rng(1).poisson(3, (2, 12)).astype(float)
    run = simulate(
        demand,
        [Policy("base_stock", 9, 9, 3, 0)] * 2,
        InventoryParams(lead_time=LeadTime.fixed(1)),
        warmup=2,
        item_ids=["a", "b"],
        periods=[10, 6],
    )
    stamps = np.stack(
        [
            pd.date_range("2024-01-01", periods=12, freq="MS").to_numpy(),
            pd.date_range("2025-06-01", periods=12, freq="MS").to_numpy(),
        ]
    )
    stamps[1, 8:] = np.datetime64("NaT")  # b's window ends earlier: padding
    path = plot_trajectories(run, tmp_path / "own.png", timestamps=stamps)
    assert path.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(InventoryInputError, match="timestamps: expected shape"):
        plot_trajectories(run, tmp_path / "bad.png", timestamps=stamps[:1])
