"""Seeded demand tables and the tiny backbone for the forecasting tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TINY = Path(__file__).resolve().parents[1] / "models" / "data" / "tiny-supplymind-ts"


def demand(
    n_items: int = 6,
    n_periods: int = 60,
    *,
    freq: str = "W-MON",
    seed: int = 0,
    intermittent: int = 0,
    covariates: bool = False,
) -> pd.DataFrame:
    """Weekly count demand with a yearly-ish cycle; the last ``intermittent`` items are
    sparse. With ``covariates``: a promotion flag that doubles demand and a category."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2022-01-03", periods=n_periods, freq=freq)
    rows = []
    for i in range(n_items):
        level = 5.0 + 3 * i
        cycle = 1 + 0.3 * np.sin(2 * np.pi * np.arange(n_periods) / 13 + i)
        promo = (rng.random(n_periods) < 0.2).astype(float)
        mean = level * cycle * (1 + promo if covariates else 1)
        y = rng.poisson(mean).astype(float)
        if i >= n_items - intermittent:
            y = np.where(rng.random(n_periods) < 0.7, 0.0, y)
        frame = pd.DataFrame({"item_id": f"sku{i}", "timestamp": stamps, "target": y})
        if covariates:
            frame["promo"] = promo
            frame["category"] = "A" if i % 2 else "B"
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)
