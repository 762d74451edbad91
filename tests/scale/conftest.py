"""A local Ray cluster of 2 CPUs shared by the scale tests, and seeded histories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

TINY = Path(__file__).resolve().parents[1] / "models" / "data" / "tiny-supplymind-ts"


def demand(
    n_items: int = 300, n_periods: int = 40, *, seed: int = 0, short: int = 5
) -> pd.DataFrame:
    """Weekly counts of ``n_items`` series, a third of them intermittent; the last ``short``
    have only 2 observations (forecast by the statistical fallback)."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2022-01-03", periods=n_periods, freq="W-MON")
    frames = []
    for i in range(n_items):
        level = 3.0 + (i % 17)
        cycle = 1 + 0.3 * np.sin(2 * np.pi * np.arange(n_periods) / 13 + i)
        y = rng.poisson(level * cycle).astype(float)
        if i % 3 == 0:
            y = np.where(rng.random(n_periods) < 0.7, 0.0, y)
        times = stamps
        if i >= n_items - short:
            y, times = y[-2:], stamps[-2:]
        frames.append(pd.DataFrame({"item_id": f"sku{i:04d}", "timestamp": times, "target": y}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="package")
def ray_cluster() -> Iterator[Any]:
    """``ray.init(num_cpus=2)`` once for the package; shut down at the end."""
    ray = pytest.importorskip("ray")
    torch.set_num_threads(1)
    os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()
