"""Seeded synthetic data for the risk tests: seasonal series with injected anomalies,
shipments whose probability of arriving late is known, and a small sample company."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.data.ingest import ingest_frame
from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.data.schema import table_names
from supplymind.data.warehouse import Warehouse

SeriesFactory = Callable[..., tuple[pd.DataFrame, list[int]]]
ShipmentFactory = Callable[..., pd.DataFrame]


def make_series(
    n: int = 400,
    *,
    seed: int = 0,
    anomalies: tuple[int, ...] = (250, 300, 340),
    size: float = 20.0,
    item: str = "A",
    level: float = 100.0,
    noise: float = 2.0,
    season: float = 10.0,
) -> tuple[pd.DataFrame, list[int]]:
    """Daily series with a weekly pattern of amplitude ``season`` and spikes (alternating
    up and down) of ``size`` noise standard deviations at ``anomalies``."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = level + season * np.sin(2 * np.pi * t / 7) + rng.normal(0.0, noise, n)
    anomalies = tuple(p for p in anomalies if p < n)
    for k, pos in enumerate(anomalies):
        y[pos] += (size if k % 2 == 0 else -size) * noise
    frame = pd.DataFrame(
        {
            "item_id": item,
            "timestamp": pd.date_range("2023-01-02", periods=n, freq="D"),
            "target": y,
        }
    )
    return frame, list(anomalies)


def true_late_probability(frame: pd.DataFrame) -> np.ndarray:
    """The probability each synthetic shipment arrives late (the generator's truth)."""
    supplier = frame["supplier_id"].map({"S1": -2.5, "S2": -1.5, "S3": -0.5, "S4": 0.5}).to_numpy()
    mode = frame["mode"].map({"air": -0.6, "truck": 0.0, "sea": 0.8}).to_numpy()
    size = 0.5 * (np.log10(frame["quantity"].to_numpy(np.float64)) - 2.0)
    return np.asarray(1.0 / (1.0 + np.exp(-(supplier + mode + size))), dtype=np.float64)


def make_shipments(n: int = 3000, *, seed: int = 0, days: int = 700) -> pd.DataFrame:
    """Shipments over ``days`` days whose late probability is :func:`true_late_probability`."""
    rng = np.random.default_rng(seed)
    ordered = pd.Timestamp("2022-01-03") + pd.to_timedelta(
        np.sort(rng.uniform(0, days, n)), unit="D"
    )
    lead = rng.integers(5, 30, n)
    frame = pd.DataFrame(
        {
            "order_id": [f"O{i:05d}" for i in range(n)],
            "supplier_id": rng.choice(["S1", "S2", "S3", "S4"], n),
            "mode": rng.choice(["air", "truck", "sea"], n, p=[0.3, 0.5, 0.2]),
            "destination": rng.choice(["DC1", "DC2"], n),
            "quantity": np.round(10 ** rng.uniform(1, 3, n)),
            "ordered_at": ordered.floor("D"),
        }
    )
    frame["value"] = frame["quantity"] * 2.5
    frame["promised_at"] = frame["ordered_at"] + pd.to_timedelta(lead, unit="D")
    late = rng.random(n) < true_late_probability(frame)
    delay = np.where(late, 1 + rng.integers(0, 10, n), -rng.integers(0, 3, n))
    frame["delivered_at"] = frame["promised_at"] + pd.to_timedelta(delay, unit="D")
    return frame


@pytest.fixture
def series_factory() -> SeriesFactory:
    return make_series


@pytest.fixture
def shipment_factory() -> ShipmentFactory:
    return make_shipments


@pytest.fixture(scope="session")
def small_company() -> dict[str, pd.DataFrame]:
    """The small sample company (40 items, 240 days), generated once."""
    return generate_sample_company(SampleCompanyConfig.small())


@pytest.fixture
def company_warehouse(small_company: dict[str, pd.DataFrame]) -> Iterator[Warehouse]:
    """An in-memory warehouse loaded with the small sample company."""
    with Warehouse(":memory:") as wh:
        for name in table_names():
            ingest_frame(wh, name, small_company[name])
        yield wh


@pytest.fixture
def company_db(small_company: dict[str, pd.DataFrame], tmp_path: Path) -> str:
    """A DuckDB file loaded with the small sample company (for the command line)."""
    path = tmp_path / "company.duckdb"
    with Warehouse(path) as wh:
        for name in table_names():
            ingest_frame(wh, name, small_company[name])
    return str(path)
