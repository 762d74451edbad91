"""Series for risk monitoring as long tables: reading, checking and spacing.

A monitored series is the forecasting contract ``item_id, timestamp, target``: demand, a
lead time, a delivery duration, an on-time rate, any KPI. Unlike demand, a KPI may be
negative (days early), so targets only need to be finite numbers. Other column names are
mapped with ``id_col``/``time_col``/``target_col`` as in ``supplymind ingest``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from supplymind.data.ingest import column_mapping, read_table_file
from supplymind.exceptions import RiskInputError
from supplymind.timestamps import parse_timestamps

__all__ = [
    "ID_COL",
    "TARGET_COL",
    "TIME_COL",
    "check_series",
    "days_between",
    "listed",
    "period_days",
    "read_series",
    "season_length_for",
]

ID_COL = "item_id"
TIME_COL = "timestamp"
TARGET_COL = "target"
_MAX_LISTED = 10


def listed(values: Sequence[object]) -> str:
    """The first ten values of a list, and how many more, for error messages."""
    values = list(values)
    shown = [v if isinstance(v, int | float) else str(v) for v in values[:_MAX_LISTED]]
    more = f" and {len(values) - _MAX_LISTED} more" if len(values) > _MAX_LISTED else ""
    return f"{shown}{more}"


def _rows(mask: pd.Series) -> str:
    # 1-based data rows, header not counted, as in the ingest errors.
    return listed([int(i) + 1 for i in np.flatnonzero(mask.to_numpy())])


def _parse_times(column: pd.Series, role: str) -> pd.Series:
    stamps = parse_timestamps(column)
    bad = stamps.isna()
    if bad.any():
        raise RiskInputError(
            f"{role}: column '{TIME_COL}' expected dates such as 2024-03-01 or "
            f"2024-03-01 08:30, found empty or unreadable values "
            f"{listed(column[bad].tolist())} in rows {_rows(bad)}"
        )
    return stamps


def _parse_numbers(raw: pd.Series, role: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype(np.float64)
    else:
        numbers = pd.to_numeric(raw, errors="coerce")
        empty = raw.isna() | (raw.astype(str).str.strip() == "")
        text = numbers.isna() & ~empty
        if text.any():
            raise RiskInputError(
                f"{role}: column '{TARGET_COL}' expected numbers, found "
                f"{listed(raw[text].unique().tolist())} in rows {_rows(text)}"
            )
        values = numbers.astype(np.float64)
    infinite = values.notna() & ~np.isfinite(values)
    if infinite.any():
        raise RiskInputError(
            f"{role}: column '{TARGET_COL}' expected finite numbers, found inf in rows "
            f"{_rows(infinite)}"
        )
    return values


def check_series(frame: pd.DataFrame, *, role: str = "series") -> pd.DataFrame:
    """Check and tidy monitored series: columns, dates, finite numbers, unique keys.

    Parameters
    ----------
    frame
        ``item_id, timestamp, target``; other columns are dropped. Rows with an empty
        target are dropped (a gap is not an anomaly).
    role
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``item_id`` and ``timestamp``, string ids, naive timestamps, float
        targets, a fresh index.
    """
    if not isinstance(frame, pd.DataFrame):
        raise RiskInputError(f"{role}: expected a pandas DataFrame, found {type(frame).__name__}")
    missing = [c for c in (ID_COL, TIME_COL, TARGET_COL) if c not in frame.columns]
    if missing:
        raise RiskInputError(
            f"{role}: expected the columns {[ID_COL, TIME_COL, TARGET_COL]} (map other names "
            f"with --id-col/--time-col/--target-col), missing {missing}; "
            f"found {list(frame.columns)}"
        )
    if len(frame) == 0:
        raise RiskInputError(f"{role}: expected at least one row, found none")
    out = frame[[ID_COL, TIME_COL, TARGET_COL]].copy().reset_index(drop=True)
    if out[ID_COL].isna().any():
        raise RiskInputError(
            f"{role}: column '{ID_COL}' expected an id in every row, found empty cells in rows "
            f"{_rows(out[ID_COL].isna())}"
        )
    out[ID_COL] = out[ID_COL].astype(str)
    out[TIME_COL] = _parse_times(out[TIME_COL], role)
    out[TARGET_COL] = _parse_numbers(out[TARGET_COL], role)
    dup = out.duplicated([ID_COL, TIME_COL], keep=False)
    if dup.any():
        raise RiskInputError(
            f"{role}: expected one row per {ID_COL} and {TIME_COL}, found duplicates in rows "
            f"{_rows(dup)}"
        )
    out = out.dropna(subset=[TARGET_COL])
    if out.empty:
        raise RiskInputError(f"{role}: expected observed values, found only empty targets")
    return out.sort_values([ID_COL, TIME_COL], kind="stable", ignore_index=True)


def read_series(
    path: str | Path,
    *,
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    sep: str | None = None,
) -> pd.DataFrame:
    """Read and check a series CSV/Parquet file (see :func:`check_series`).

    A file without an ``item_id`` column (and no ``id_col``) is one series named after the
    file.
    """
    frame = read_table_file(path, sep=sep)
    mapping = column_mapping(id_col=id_col, time_col=time_col, target_col=target_col)
    missing = [old for old in mapping if old not in frame.columns]
    if missing:
        raise RiskInputError(
            f"{path}: expected the mapped columns {missing}, found {list(frame.columns)}"
        )
    frame = frame.rename(columns=mapping)
    if ID_COL not in frame.columns and id_col is None:
        frame.insert(0, ID_COL, Path(path).stem)
    return check_series(frame, role=f"series {path}")


def days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """``end - start`` in days (float; NaN where either is missing)."""
    seconds: pd.Series = (end - start).dt.total_seconds()
    return seconds / 86_400.0


def period_days(timestamps: pd.Series | pd.DatetimeIndex | np.ndarray) -> float:
    """The typical spacing of sorted timestamps in days (the median step; 1 when unknown)."""
    stamps = np.sort(np.asarray(pd.DatetimeIndex(timestamps).asi8, dtype=np.int64))
    steps = np.diff(np.unique(stamps))
    if steps.size == 0:
        return 1.0
    return float(np.median(steps)) / 86_400e9


def season_length_for(days: float) -> int:
    """Periods in one seasonal cycle for a spacing in days.

    Sub-daily data: one day of points (48 for half-hourly); daily: 7; weekly: 52; monthly:
    12; quarterly: 4; else 1 (no seasonality).
    """
    if not days > 0:
        raise RiskInputError(f"period_days: expected a spacing > 0 days, found {days!r}")
    if days < 1.0 - 1e-9:
        return max(1, round(1.0 / days))
    table = ((1.5, 7), (8.0, 52), (32.0, 12), (93.0, 4))
    for limit, periods in table:
        if days < limit:
            return periods
    return 1
