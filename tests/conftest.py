"""Shared fixtures: a small warehouse with reference data, and the public-data folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.ingest import ingest_frame
from supplymind.data.warehouse import Warehouse

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def items_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": ["A", "B", "C"],
            "name": ["Apple juice", "Biscuits", "Cola"],
            "category": ["beverages", "snacks", "beverages"],
            "unit_cost": ["1.0", "0.5", "0.7"],
            "price": ["2.0", "1.2", "1.5"],
        }
    )


@pytest.fixture
def locations_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "location_id": ["DC1", "S1", "SUP1"],
            "kind": ["warehouse", "store", "supplier"],
            "lat": ["31.2", "31.3", "22.5"],
            "lon": ["121.4", "121.5", "114.1"],
        }
    )


@pytest.fixture
def demand_db(
    tmp_path: Path, items_frame: pd.DataFrame, locations_frame: pd.DataFrame
) -> Callable[[pd.DataFrame], Path]:
    """Writes a DuckDB warehouse file with the reference items and locations and the given
    demand rows (items A/B/C at locations DC1/S1/SUP1); returns its path."""

    def write(demand: pd.DataFrame) -> Path:
        path = tmp_path / "demand.duckdb"
        with Warehouse(path) as wh:
            ingest_frame(wh, "items", items_frame)
            ingest_frame(wh, "locations", locations_frame)
            ingest_frame(wh, "demand", demand)
        return path

    return write


@pytest.fixture
def warehouse(items_frame: pd.DataFrame, locations_frame: pd.DataFrame) -> Iterator[Warehouse]:
    """An in-memory DuckDB warehouse holding three items and three locations."""
    with Warehouse(":memory:") as wh:
        ingest_frame(wh, "items", items_frame)
        ingest_frame(wh, "locations", locations_frame)
        yield wh


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The public data folder (SUPPLYMIND_DATA_DIR, default ../shared/data); skip if absent."""
    folder = Path(os.environ.get("SUPPLYMIND_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
    if not folder.is_dir():
        pytest.skip(f"public data folder not found at {folder}; set SUPPLYMIND_DATA_DIR")
    return folder
