"""Partitioned histories: files that each hold whole series.

Batch forecasting reads one partition at a time, so memory is bounded by the partition
size whatever the number of series. A series must never be split across partitions (its
forecast would then depend on how the data was cut): :func:`write_partitions` and
:func:`partition_warehouse` write such partitions, and a folder written by other tools
must keep each series in one file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from supplymind.exceptions import ConfigurationError
from supplymind.files import atomic_path
from supplymind.forecasting.data import ID_COL, join_series_location

__all__ = ["PARTITION_SUFFIXES", "partition_files", "partition_warehouse", "write_partitions"]

#: File types read as partitions.
PARTITION_SUFFIXES: tuple[str, ...] = (".parquet", ".csv")


def partition_files(source: str | Path) -> list[Path]:
    """The partitions of ``source``: a file, or every Parquet/CSV file under a folder
    (sorted, hidden files skipped).

    Raises
    ------
    ConfigurationError
        ``source`` does not exist or holds no partition.
    """
    path = Path(source)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ConfigurationError(f"history: expected a file or a folder, found {path} (missing)")
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in PARTITION_SUFFIXES
        and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
    )
    if not files:
        raise ConfigurationError(
            f"history: expected {list(PARTITION_SUFFIXES)} files in {path}, found none"
        )
    return files


def _write(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def _check_size(series_per_partition: int) -> None:
    if isinstance(series_per_partition, bool) or series_per_partition < 1:
        raise ConfigurationError(
            f"series_per_partition: expected a positive integer, found {series_per_partition!r}"
        )


def write_partitions(
    frames: pd.DataFrame | Iterable[pd.DataFrame],
    folder: str | Path,
    *,
    series_per_partition: int = 10_000,
    id_col: str = ID_COL,
) -> list[Path]:
    """Write a long history as Parquet partitions of at most ``series_per_partition`` whole
    series each (``part-00000.parquet``, ...).

    Parameters
    ----------
    frames
        The history, or chunks of it in which each series is whole (for example one chunk
        per source file); only one chunk is held at a time.
    folder
        Output folder (created).

    Returns
    -------
    list of Path
        The files written.
    """
    _check_size(series_per_partition)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    chunks = [frames] if isinstance(frames, pd.DataFrame) else frames
    written: list[Path] = []
    for chunk in chunks:
        if id_col not in chunk.columns:
            raise ConfigurationError(
                f"history: expected the id column {id_col!r}, found {list(chunk.columns)}"
            )
        ids = pd.unique(chunk[id_col])
        codes = pd.Series(range(len(ids)), index=ids)
        group = codes.loc[chunk[id_col]].to_numpy() // series_per_partition
        for _, part in chunk.groupby(group, sort=True):
            path = out / f"part-{len(written):05d}.parquet"
            _write(part.reset_index(drop=True), path)
            written.append(path)
    return written


def partition_warehouse(
    folder: str | Path,
    *,
    db: str | None = None,
    items_per_partition: int = 10_000,
) -> list[Path]:
    """Export the warehouse's ``demand`` table as Parquet partitions, one query per
    partition (never the whole table at once); a series is an item at a location, named
    ``item@location`` as in ``supplymind forecast --from-db``, and all locations of an item
    go to the same partition."""
    from supplymind.data.warehouse import Warehouse

    _check_size(items_per_partition)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with Warehouse(db) as wh:
        wh.require("demand")
        items = sorted(wh.keys("demand", ID_COL))
        for start in range(0, len(items), items_per_partition):
            chosen = items[start : start + items_per_partition]
            where = f"{ID_COL} IN ({', '.join('?' for _ in chosen)})"
            frame = wh.read("demand", where=where, params=chosen)
            path = out / f"part-{len(written):05d}.parquet"
            _write(join_series_location(frame), path)
            written.append(path)
    return written
