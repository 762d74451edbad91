"""Demand histories and forecasts as long tables: reading, checking and frequency.

A history (or held-out test) is the forecasting contract ``item_id, timestamp, target``
with an optional ``location_id``; a forecast is ``item_id, timestamp, mean`` plus one
column per quantile named by its level (``"0.1"``, ``"0.5"``, ``"0.9"``...), with an
optional ``location_id``. Other column names are mapped with ``id_col``/``time_col``/
``target_col`` as in ``supplymind ingest``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from supplymind.data.frequency import infer_frequency, season_length
from supplymind.data.ingest import column_mapping, read_table_file
from supplymind.exceptions import InventoryInputError
from supplymind.timestamps import parse_timestamps

__all__ = [
    "ID_COL",
    "LOCATION_COL",
    "SERIES_COL",
    "TARGET_COL",
    "TIME_COL",
    "check_forecast",
    "check_history",
    "infer_frequency",
    "quantile_columns",
    "read_forecast",
    "read_history",
    "season_length",
    "series_keys",
]

ID_COL = "item_id"
LOCATION_COL = "location_id"
TIME_COL = "timestamp"
TARGET_COL = "target"
SERIES_COL = "series_id"
_MAX_LISTED = 10


def _listed(values: Sequence[object]) -> str:
    shown = [v if isinstance(v, int) else str(v) for v in list(values)[:_MAX_LISTED]]
    more = f" and {len(values) - _MAX_LISTED} more" if len(values) > _MAX_LISTED else ""
    return f"{shown}{more}"


def _rows(mask: pd.Series) -> str:
    # 1-based data rows, header not counted, as in the ingest errors.
    return _listed([int(i) + 1 for i in np.flatnonzero(mask.to_numpy())])


def _parse_times(frame: pd.DataFrame, role: str) -> pd.Series:
    stamps = parse_timestamps(frame[TIME_COL])
    bad = stamps.isna() & frame[TIME_COL].notna()
    if frame[TIME_COL].isna().any() or bad.any():
        raise InventoryInputError(
            f"{role}: column '{TIME_COL}' expected dates such as 2024-03-01, found empty or "
            f"unreadable values in rows {_rows(frame[TIME_COL].isna() | bad)}"
        )
    return stamps


def _keys(frame: pd.DataFrame) -> list[str]:
    return [ID_COL, LOCATION_COL] if LOCATION_COL in frame.columns else [ID_COL]


def check_history(frame: pd.DataFrame, *, role: str = "history") -> pd.DataFrame:
    """Check and tidy a demand table: columns, dates, numbers >= 0, unique keys.

    Parameters
    ----------
    frame
        ``item_id, timestamp, target`` (+ optional ``location_id``); other columns are
        dropped. Empty targets are missing values (NaN).
    role
        Name used in error messages (``"history"``, ``"test"``).

    Returns
    -------
    pandas.DataFrame
        Sorted by the keys and time, with string ids, naive timestamps, float targets.
    """
    missing = [c for c in (ID_COL, TIME_COL, TARGET_COL) if c not in frame.columns]
    if missing:
        raise InventoryInputError(
            f"{role}: expected the columns {[ID_COL, TIME_COL, TARGET_COL]} (map other names "
            f"with --id-col/--time-col/--target-col), missing {missing}; "
            f"found {list(frame.columns)}"
        )
    if len(frame) == 0:
        raise InventoryInputError(f"{role}: expected at least one row, found none")
    keys = _keys(frame)
    out = frame[[*keys, TIME_COL, TARGET_COL]].copy().reset_index(drop=True)
    for key in keys:
        if out[key].isna().any():
            raise InventoryInputError(
                f"{role}: column '{key}' expected an id in every row, found empty cells in rows "
                f"{_rows(out[key].isna())}"
            )
        out[key] = out[key].astype(str)
    out[TIME_COL] = _parse_times(out, role)
    raw = out[TARGET_COL]
    numbers = pd.to_numeric(raw, errors="coerce")
    empty = raw.isna() | (raw.astype(str).str.strip() == "")
    bad = numbers.isna() & ~empty
    if bad.any():
        raise InventoryInputError(
            f"{role}: column '{TARGET_COL}' expected numbers, "
            f"found {_listed(raw[bad].unique().tolist())} in rows {_rows(bad)}"
        )
    numbers = numbers.astype(np.float64)
    if not np.all(np.isfinite(numbers.dropna())):
        raise InventoryInputError(
            f"{role}: column '{TARGET_COL}' expected finite numbers, found inf"
        )
    negative = numbers < 0
    if negative.any():
        raise InventoryInputError(
            f"{role}: column '{TARGET_COL}' expected demand >= 0, found negative values in rows "
            f"{_rows(negative)}"
        )
    out[TARGET_COL] = numbers
    dup = out.duplicated([*keys, TIME_COL], keep=False)
    if dup.any():
        raise InventoryInputError(
            f"{role}: expected one row per {'/'.join(keys)} and {TIME_COL}, "
            f"found duplicates in rows {_rows(dup)}"
        )
    return out.sort_values([*keys, TIME_COL], kind="stable", ignore_index=True)


def quantile_columns(frame: pd.DataFrame) -> list[tuple[float, str]]:
    """``(level, column)`` for every column whose name is a number in (0, 1), by level."""
    found = []
    for col in frame.columns:
        try:
            level = float(str(col))
        except ValueError:
            continue
        if 0.0 < level < 1.0:
            found.append((level, str(col)))
    return sorted(found)


def check_forecast(frame: pd.DataFrame, *, role: str = "forecast") -> pd.DataFrame:
    """Check a forecast in the Forecaster's format (``item_id, timestamp, mean, "0.1",
    ...``, optional ``location_id``): at least two quantile columns, finite numbers."""
    missing = [c for c in (ID_COL, TIME_COL) if c not in frame.columns]
    levels = quantile_columns(frame)
    if missing or len(levels) < 2:
        raise InventoryInputError(
            f"{role}: expected the columns {[ID_COL, TIME_COL, 'mean']} and at least two quantile "
            f"columns named by level such as '0.1', '0.5', '0.9'; missing {missing}, quantile "
            f"columns {[c for _, c in levels]}; found {list(frame.columns)}"
        )
    keys = _keys(frame)
    value_cols = [c for _, c in levels] + (["mean"] if "mean" in frame.columns else [])
    out = frame[[*keys, TIME_COL, *value_cols]].copy().reset_index(drop=True)
    for key in keys:
        out[key] = out[key].astype(str)
    out[TIME_COL] = _parse_times(out, role)
    for col in value_cols:
        values = pd.to_numeric(out[col], errors="coerce").astype(np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            raise InventoryInputError(
                f"{role}: column '{col}' expected finite numbers, found empty, text or inf in rows "
                f"{_rows(pd.Series(bad))}"
            )
        out[col] = values
    dup = out.duplicated([*keys, TIME_COL], keep=False)
    if dup.any():
        raise InventoryInputError(
            f"{role}: expected one row per {'/'.join(keys)} and {TIME_COL}, "
            f"found duplicates in rows {_rows(dup)}"
        )
    return out.sort_values([*keys, TIME_COL], kind="stable", ignore_index=True)


def _read(
    path: str | Path,
    id_col: str | None,
    time_col: str | None,
    target_col: str | None,
    sep: str | None,
) -> pd.DataFrame:
    frame = read_table_file(path, sep=sep)
    mapping = column_mapping(id_col=id_col, time_col=time_col, target_col=target_col)
    missing = [old for old in mapping if old not in frame.columns]
    if missing:
        raise InventoryInputError(
            f"{path}: expected the mapped columns {missing}, found {list(frame.columns)}"
        )
    return frame.rename(columns=mapping)


def read_history(
    path: str | Path,
    *,
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    sep: str | None = None,
    role: str = "history",
) -> pd.DataFrame:
    """Read and check a demand CSV/Parquet file (see :func:`check_history`)."""
    return check_history(_read(path, id_col, time_col, target_col, sep), role=f"{role} {path}")


def read_forecast(
    path: str | Path,
    *,
    id_col: str | None = None,
    time_col: str | None = None,
    sep: str | None = None,
) -> pd.DataFrame:
    """Read and check a forecast CSV/Parquet file (see :func:`check_forecast`)."""
    return check_forecast(_read(path, id_col, time_col, None, sep), role=f"forecast {path}")


def series_keys(frame: pd.DataFrame) -> pd.Series:
    """One string per row naming its series: the item id, or ``item_id@location_id``."""
    if LOCATION_COL in frame.columns:
        return frame[ID_COL].astype(str) + "@" + frame[LOCATION_COL].astype(str)
    return frame[ID_COL].astype(str)
