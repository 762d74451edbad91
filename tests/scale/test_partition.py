"""Partitions hold whole series; folders list their partitions in order."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplymind.exceptions import ConfigurationError
from supplymind.scale.partition import partition_files, partition_warehouse, write_partitions

from .conftest import demand


def test_write_partitions_keeps_every_series_whole(tmp_path: Path) -> None:
    frame = demand(n_items=25, n_periods=10)
    files = write_partitions(frame, tmp_path, series_per_partition=10)
    assert [f.name for f in files] == [f"part-{i:05d}.parquet" for i in range(3)]
    parts = [pd.read_parquet(f) for f in files]
    assert [p["item_id"].nunique() for p in parts] == [10, 10, 5]
    owners = pd.concat([p[["item_id"]].assign(part=i) for i, p in enumerate(parts)])
    assert owners.groupby("item_id")["part"].nunique().max() == 1
    assert sum(len(p) for p in parts) == len(frame)


def test_partition_files_skips_hidden_and_underscore_files(tmp_path: Path) -> None:
    write_partitions(demand(n_items=4, n_periods=5), tmp_path, series_per_partition=2)
    (tmp_path / ".part-x.parquet.tmp").write_text("")
    (tmp_path / "_summary.parquet").write_text("")
    (tmp_path / "notes.txt").write_text("")
    assert [p.name for p in partition_files(tmp_path)] == [
        "part-00000.parquet",
        "part-00001.parquet",
    ]
    single = tmp_path / "part-00000.parquet"
    assert partition_files(single) == [single]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "expected a file or a folder"),
        (lambda tmp: tmp, "found none"),
    ],
)
def test_partition_files_rejects_missing_or_empty_sources(
    tmp_path: Path, make: object, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        partition_files(make(tmp_path))  # type: ignore[operator]


def test_write_partitions_rejects_a_bad_size(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="series_per_partition"):
        write_partitions(demand(n_items=2, n_periods=5), tmp_path, series_per_partition=0)


def test_partition_warehouse_puts_each_item_in_one_partition_named_item_at_location(
    tmp_path: Path, items_frame: pd.DataFrame, locations_frame: pd.DataFrame
) -> None:
    from supplymind.data.ingest import ingest_frame
    from supplymind.data.warehouse import Warehouse

    db = tmp_path / "w.duckdb"
    frame = demand(n_items=4, n_periods=6, short=0)
    frame["item_id"] = frame["item_id"].map(
        dict(zip(sorted(set(frame["item_id"])), "ABCA", strict=True))
    )
    frame["location_id"] = ["S1" if i % 2 else "DC1" for i in range(len(frame))]
    frame = frame.drop_duplicates(["item_id", "location_id", "timestamp"])
    with Warehouse(db) as wh:
        ingest_frame(wh, "items", items_frame)
        ingest_frame(wh, "locations", locations_frame)
        ingest_frame(wh, "demand", frame)
    files = partition_warehouse(tmp_path / "parts", db=str(db), items_per_partition=1)
    assert len(files) == 3
    parts = [pd.read_parquet(f) for f in files]
    assert all(p["item_id"].str.contains("@").all() for p in parts)
    items = [set(p["item_id"].str.split("@").str[0]) for p in parts]
    assert all(len(i) == 1 for i in items)
