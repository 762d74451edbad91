"""Seeded monthly data drops with a regime change, the tiny backbone and a fast setup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from supplymind.data.warehouse import Warehouse
from supplymind.lifecycle.registry import ModelRegistry
from supplymind.lifecycle.retrain import RetrainConfig
from supplymind.training.finetune import FinetuneConfig

TINY = Path(__file__).resolve().parents[1] / "models" / "data" / "tiny-supplymind-ts"
QUICK = FinetuneConfig(max_steps=6, batch_size=16, eval_every=3, learning_rate=3e-3, num_threads=1)
FAST = RetrainConfig(
    backbone=str(TINY),
    horizon=4,
    eval_windows=2,
    n_windows=1,
    margin=0.02,
    candidates=("zero_shot", "finetuned", "EmpiricalQuantiles", "SeasonalNaive"),
    finetune_config=QUICK,
)
INITIAL_WEEKS = 52
DROP_WEEKS = 4
CHANGE_DROP = 7  # the first drop after the regime change


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def weekly_demand(
    n_items: int = 8,
    n_weeks: int = INITIAL_WEEKS + 12 * DROP_WEEKS,
    *,
    change_week: int | None = INITIAL_WEEKS + (CHANGE_DROP - 1) * DROP_WEEKS,
    factor: float = 3.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Weekly Poisson demand with a mild 13-week cycle; from ``change_week`` on, every
    item's level is multiplied by ``factor`` (the regime change)."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2023-01-02", periods=n_weeks, freq="W-MON")
    frames = []
    for i in range(n_items):
        level = 20.0 + 5 * i
        t = np.arange(n_weeks)
        mean = level * (1 + 0.2 * np.sin(2 * np.pi * t / 13 + i))
        if change_week is not None:
            mean = np.where(t >= change_week, mean * factor, mean)
        y = rng.poisson(mean).astype(float)
        frames.append(pd.DataFrame({"item_id": f"sku{i}", "timestamp": stamps, "target": y}))
    return pd.concat(frames, ignore_index=True)


def drop_end(k: int) -> pd.Timestamp:
    """Last week included once drop ``k`` (0 = the initial history) has arrived."""
    stamps = pd.date_range("2023-01-02", periods=INITIAL_WEEKS + 12 * DROP_WEEKS, freq="W-MON")
    return stamps[INITIAL_WEEKS + k * DROP_WEEKS - 1]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[ModelRegistry]:
    with Warehouse(":memory:") as wh:
        yield ModelRegistry(wh, tmp_path / "models")
