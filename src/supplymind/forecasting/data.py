"""From a long demand table to regular series, checked at the boundary.

The contract is the long table ``item_id, timestamp, target`` (names overridable), one row
per item and period, plus optional covariate columns:

* *known-future covariates* (price, promotion, holiday flag...): numbers per row, whose
  future values are given again at prediction time;
* *static covariates* (category, location...): one value per item, any type.

Handling, documented and tested:

* the frequency is inferred from the timestamps unless given; every timestamp of a series
  must lie on that frequency's grid from the series' first timestamp, otherwise the table
  is rejected as irregular;
* missing periods inside a series (no row) and empty targets become missing values (NaN),
  which the models read as such; a series without any observed target is rejected;
* a target must be a finite number; duplicate ``(item, timestamp)`` rows are rejected;
* covariates missing in the history are carried forward (then backward) within a series.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from supplymind.data.frequency import infer_frequency, season_length
from supplymind.exceptions import ForecastInputError, ForecastWarning
from supplymind.timestamps import parse_timestamps

__all__ = [
    "ID_COL",
    "LOCATION_COL",
    "SERIES_SEP",
    "TARGET_COL",
    "TIME_COL",
    "SeriesSet",
    "check_horizon",
    "future_covariates",
    "join_series_location",
    "prepare_series",
    "split_series_location",
]

ID_COL = "item_id"
TIME_COL = "timestamp"
TARGET_COL = "target"
#: The warehouse's location column; its series are items at locations, named
#: ``item@location`` (:data:`SERIES_SEP`) while forecasting.
LOCATION_COL = "location_id"
SERIES_SEP = "@"
_LISTED = 8


def _rows(mask: pd.Series | np.ndarray) -> str:
    """1-based row numbers (as in a spreadsheet without header) of a mask, abbreviated."""
    where = np.flatnonzero(np.asarray(mask)) + 1
    head = ", ".join(str(int(i)) for i in where[:_LISTED])
    return head + (f" and {len(where) - _LISTED} more" if len(where) > _LISTED else "")


def check_horizon(horizon: object) -> int:
    """A horizon as a positive ``int``, or a :class:`ForecastInputError`."""
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer):
        raise ForecastInputError(
            f"horizon: expected a positive whole number of periods, found {horizon!r}"
        )
    if horizon <= 0:
        raise ForecastInputError(f"horizon: expected a positive number of periods, found {horizon}")
    return int(horizon)


@dataclass
class SeriesSet:
    """Regular series of one frequency, ready for the models.

    Attributes
    ----------
    item_ids
        Series names, sorted.
    starts
        First timestamp of each series.
    values
        One float64 array per series on the regular grid, NaN where missing.
    freq
        Pandas offset alias.
    season_length
        Periods per seasonal cycle (1 when none).
    covariate_names
        Known-future covariate columns.
    covariates
        Per series ``[len(values), len(covariate_names)]`` float64 (empty arrays when none).
    static_names
        Static covariate columns.
    static_values
        Per series the raw static values (strings), one per static column.
    """

    item_ids: list[str]
    starts: list[pd.Timestamp]
    values: list[np.ndarray]
    freq: str
    season_length: int
    covariate_names: tuple[str, ...] = ()
    covariates: list[np.ndarray] = field(default_factory=list)
    static_names: tuple[str, ...] = ()
    static_values: list[tuple[str, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.item_ids)

    def index(self, i: int, extra: int = 0) -> pd.DatetimeIndex:
        """Timestamps of series ``i`` and ``extra`` periods after its end."""
        return pd.date_range(self.starts[i], periods=len(self.values[i]) + extra, freq=self.freq)

    def future_index(self, i: int, horizon: int) -> pd.DatetimeIndex:
        """The ``horizon`` timestamps after series ``i``'s last one."""
        return self.index(i, horizon)[-horizon:]

    def truncated(self, ends: Sequence[int]) -> SeriesSet:
        """The same series cut to their first ``ends[i]`` periods."""
        return SeriesSet(
            self.item_ids,
            self.starts,
            [v[:e] for v, e in zip(self.values, ends, strict=True)],
            self.freq,
            self.season_length,
            self.covariate_names,
            [c[:e] for c, e in zip(self.covariates, ends, strict=True)] if self.covariates else [],
            self.static_names,
            self.static_values,
        )


def _parse_times(column: pd.Series, name: str) -> pd.Series:
    stamps = parse_timestamps(column)
    bad = stamps.isna()
    if bad.any():
        found = column[bad].head(3).tolist()
        raise ForecastInputError(
            f"column '{name}': expected dates such as 2024-03-01, found {found} in rows "
            f"{_rows(bad)}"
        )
    return stamps


def _numbers(column: pd.Series, name: str, *, allow_missing: bool) -> pd.Series:
    numbers = pd.to_numeric(column, errors="coerce")
    empty = column.isna() | (column.astype(str).str.strip() == "")
    bad = numbers.isna() & ~empty
    if bad.any():
        found = column[bad].head(3).tolist()
        raise ForecastInputError(
            f"column '{name}': expected numbers, found {found} in rows {_rows(bad)}"
        )
    if not allow_missing and empty.any():
        raise ForecastInputError(
            f"column '{name}': expected a number in every row, found empty cells in rows "
            f"{_rows(empty)}"
        )
    values = numbers.astype(np.float64)
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        raise ForecastInputError(
            f"column '{name}': expected finite numbers, found infinity in rows {_rows(infinite)}"
        )
    return values


def _check_freq(freq: str) -> str:
    try:
        return str(to_offset(freq).freqstr)
    except (TypeError, ValueError) as exc:
        raise ForecastInputError(
            f"freq: expected a pandas frequency alias such as D, W-MON or MS, found {freq!r}"
        ) from exc


def prepare_series(
    frame: pd.DataFrame,
    *,
    id_col: str = ID_COL,
    time_col: str = TIME_COL,
    target_col: str = TARGET_COL,
    freq: str | None = None,
    covariates: Sequence[str] = (),
    static: Sequence[str] = (),
) -> SeriesSet:
    """Check a long demand table and turn it into regular series.

    Parameters
    ----------
    frame
        One row per item and period.
    id_col, time_col, target_col
        Names of the item, time and target columns.
    freq
        Pandas offset alias; inferred from the timestamps when ``None``.
    covariates
        Known-future covariate columns (numbers).
    static
        Static covariate columns (one value per item).

    Returns
    -------
    SeriesSet
        The series, sorted by item id.

    Raises
    ------
    ForecastInputError
        Missing columns, no rows, unreadable dates or numbers, infinities, duplicate
        ``(item, timestamp)`` rows, timestamps off the frequency grid, an item whose target
        is never observed, or a static covariate that changes within an item.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ForecastInputError(
            f"history: expected a pandas DataFrame, found {type(frame).__name__}"
        )
    wanted = [id_col, time_col, target_col, *covariates, *static]
    missing = [c for c in dict.fromkeys(wanted) if c not in frame.columns]
    if missing:
        raise ForecastInputError(
            f"history: expected the columns {list(dict.fromkeys(wanted))} (map other names "
            f"with --id-col/--time-col/--target-col), missing {missing}; found "
            f"{list(frame.columns)}"
        )
    if len(frame) == 0:
        raise ForecastInputError("history: expected at least one row, found none")
    data = frame[list(dict.fromkeys(wanted))].reset_index(drop=True)
    ids = data[id_col]
    if ids.isna().any():
        raise ForecastInputError(
            f"column '{id_col}': expected an id in every row, found empty cells in rows "
            f"{_rows(ids.isna())}"
        )
    data[id_col] = ids.astype(str)
    data[time_col] = _parse_times(data[time_col], time_col)
    data[target_col] = _numbers(data[target_col], target_col, allow_missing=True)
    for name in covariates:
        data[name] = _numbers(data[name], name, allow_missing=True)
    dup = data.duplicated([id_col, time_col], keep=False)
    if dup.any():
        raise ForecastInputError(
            f"history: expected one row per {id_col} and {time_col}, found duplicates in rows "
            f"{_rows(dup)}"
        )
    alias = _check_freq(freq) if freq is not None else infer_frequency(data[time_col])[0]
    offset = to_offset(alias)
    data = data.sort_values([id_col, time_col], kind="stable")

    item_ids: list[str] = []
    starts: list[pd.Timestamp] = []
    values: list[np.ndarray] = []
    covs: list[np.ndarray] = []
    statics: list[tuple[str, ...]] = []
    never_observed: list[str] = []
    coarser: list[tuple[str, str]] = []
    for item, group in data.groupby(id_col, sort=True):
        stamps = pd.DatetimeIndex(group[time_col])
        first = stamps[0]
        grid = pd.date_range(first, stamps[-1], freq=alias)
        position = grid.get_indexer(stamps)
        if (position < 0).any() or not offset.is_on_offset(first):
            off = stamps[position < 0][:3].strftime("%Y-%m-%d %H:%M").tolist()
            own = infer_frequency(stamps)[0] if len(stamps) > 1 else alias
            hint = f" (its own timestamps look like {own})" if own != alias else ""
            raise ForecastInputError(
                f"history: item '{item}' has timestamps off the {alias} grid that starts at "
                f"{first:%Y-%m-%d} ({off}); the series is irregular. Give --freq / freq= the "
                f"right frequency{hint} or resample the data first"
            )
        if len(stamps) >= 3 and len(stamps) < 0.6 * len(grid):
            # Strictly regular at a coarser step (not a sparse table of sales days).
            own_freq = pd.infer_freq(stamps)
            if own_freq is not None and to_offset(own_freq) != offset:
                coarser.append((str(item), own_freq))
        target = np.full(len(grid), np.nan)
        target[position] = group[target_col].to_numpy(np.float64)
        if not np.isfinite(target).any():
            never_observed.append(str(item))
            continue
        item_ids.append(str(item))
        starts.append(grid[0])
        values.append(target)
        if covariates:
            block = pd.DataFrame(np.nan, index=range(len(grid)), columns=list(covariates))
            block.iloc[position] = group[list(covariates)].to_numpy(np.float64)
            block = block.ffill().bfill().fillna(0.0)
            covs.append(block.to_numpy(np.float64))
        if static:
            row = []
            for name in static:
                distinct = group[name].astype(str).unique()
                if len(distinct) > 1:
                    raise ForecastInputError(
                        f"column '{name}': expected one static value per item, found "
                        f"{list(distinct[:3])} for item '{item}'"
                    )
                row.append(str(distinct[0]))
            statics.append(tuple(row))
    if never_observed:
        raise ForecastInputError(
            f"column '{target_col}': expected at least one observed value per item, found "
            f"none for {never_observed[:_LISTED]}"
            + (
                f" and {len(never_observed) - _LISTED} more"
                if len(never_observed) > _LISTED
                else ""
            )
        )
    if coarser:
        # A file mixing frequencies (yearly and quarterly series) reads on one grid; the
        # coarser series are then mostly gaps there. Forecast them, but say so.
        names = [f"{item} ({own})" for item, own in coarser[:_LISTED]]
        more = f" and {len(coarser) - _LISTED} more" if len(coarser) > _LISTED else ""
        warnings.warn(
            f"history: {len(coarser)} items look coarser than the file's {alias} grid and are "
            f"mostly gaps on it: {', '.join(names)}{more}. Forecast them in a file of their own "
            "(or with --freq) to keep their frequency",
            ForecastWarning,
            stacklevel=2,
        )
    return SeriesSet(
        item_ids,
        starts,
        values,
        alias,
        season_length(alias),
        tuple(covariates),
        covs,
        tuple(static),
        statics,
    )


def future_covariates(
    series: SeriesSet,
    frame: pd.DataFrame | None,
    horizon: int,
    *,
    id_col: str = ID_COL,
    time_col: str = TIME_COL,
) -> list[np.ndarray]:
    """The known covariates over history and horizon, per series.

    Parameters
    ----------
    series
        Series with covariates.
    frame
        ``id_col, time_col`` and every covariate column, covering the ``horizon`` periods
        after each series' end.
    horizon
        Periods ahead.

    Returns
    -------
    list of numpy.ndarray
        Per series ``[len(values) + horizon, n_covariates]``.

    Raises
    ------
    ForecastInputError
        No table, missing columns, or future periods without covariate values.
    """
    names = list(series.covariate_names)
    if not names:
        return []
    if frame is None:
        raise ForecastInputError(
            f"future covariates: the model uses the known-future covariates {names}; pass "
            f"their values for the next {horizon} periods (--future F.csv / future_covariates=)"
        )
    missing = [c for c in (id_col, time_col, *names) if c not in frame.columns]
    if missing:
        raise ForecastInputError(
            f"future covariates: expected the columns {[id_col, time_col, *names]}, missing "
            f"{missing}; found {list(frame.columns)}"
        )
    data = frame[[id_col, time_col, *names]].copy()
    data[id_col] = data[id_col].astype(str)
    data[time_col] = _parse_times(data[time_col], time_col)
    for name in names:
        data[name] = _numbers(data[name], name, allow_missing=False)
    lookup = data.drop_duplicates([id_col, time_col], keep="last").set_index([id_col, time_col])
    out = []
    for i, item in enumerate(series.item_ids):
        stamps = series.future_index(i, horizon)
        keys = pd.MultiIndex.from_arrays([[item] * horizon, stamps])
        found = lookup.reindex(keys)
        if found.isna().any(axis=None):
            lacking = int(found.isna().any(axis=1).sum())
            raise ForecastInputError(
                f"future covariates: item '{item}' lacks values of {names} for {lacking} of "
                f"the {horizon} periods from {stamps[0]:%Y-%m-%d}"
            )
        out.append(np.concatenate([series.covariates[i], found.to_numpy(np.float64)]))
    return out


def join_series_location(frame: pd.DataFrame) -> pd.DataFrame:
    """One series per item and location: ``item_id`` becomes ``item@location`` and the
    ``location_id`` column is dropped (the inverse of :func:`split_series_location`)."""
    out = frame.copy()
    out[ID_COL] = out[ID_COL].astype(str) + SERIES_SEP + out[LOCATION_COL].astype(str)
    return out.drop(columns=[LOCATION_COL])


def split_series_location(table: pd.DataFrame) -> pd.DataFrame:
    """``item@location`` series ids back to ``item_id`` and ``location_id`` columns (first
    the two ids, then the other columns in their order)."""
    ids = table[ID_COL].astype(str)
    joined = ids.str.contains(SERIES_SEP, regex=False)
    if not joined.all():
        raise ForecastInputError(
            f"{ID_COL}: expected item{SERIES_SEP}location series ids, found "
            f"{ids[~joined].head(3).tolist()}"
        )
    parts = ids.str.rsplit(SERIES_SEP, n=1, expand=True)
    out = table.copy()
    out[ID_COL] = parts[0].to_numpy()
    out.insert(1, LOCATION_COL, parts[1].to_numpy())
    return out[[ID_COL, LOCATION_COL, *[c for c in out.columns if c not in (ID_COL, LOCATION_COL)]]]
