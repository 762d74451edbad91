"""Small seeded demand tables for the inventory tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def demand_frame(
    n_items: int = 3,
    n_periods: int = 60,
    *,
    seed: int = 0,
    freq: str = "D",
    start: str = "2024-01-01",
    intermittent: int = 1,
) -> pd.DataFrame:
    """``item_id, timestamp, target``: Poisson items (mean 5..) and ``intermittent`` sparse ones."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range(start, periods=n_periods, freq=freq)
    frames = []
    for i in range(n_items):
        if i < intermittent:
            values = rng.poisson(3, n_periods) * (rng.random(n_periods) < 0.25)
        else:
            values = rng.poisson(5 + 3 * i, n_periods)
        frames.append(pd.DataFrame({"item_id": f"I{i}", "timestamp": stamps, "target": values}))
    return pd.concat(frames, ignore_index=True).astype({"target": "float64"})


@pytest.fixture
def history() -> pd.DataFrame:
    return demand_frame()


@pytest.fixture
def split() -> tuple[pd.DataFrame, pd.DataFrame]:
    """History and held-out test (the last 21 days) of the same items."""
    frame = demand_frame(n_periods=91)
    cut = frame["timestamp"].max() - pd.Timedelta(days=20)
    return frame[frame["timestamp"] < cut], frame[frame["timestamp"] >= cut]
