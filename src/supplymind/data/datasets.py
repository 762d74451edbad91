"""Loaders for the public time-series datasets in the shared data folder.

Every loader returns a :class:`TimeSeriesDataset`: long tables with the columns
``item_id`` (str), ``timestamp`` (``datetime64[ns]``, naive) and ``target`` (float64, NaN
where the source has a gap), plus covariate columns where the source has them, sorted by
``item_id`` then ``timestamp`` with a fresh ``RangeIndex``.

Where a competition published a train/test split (M1, M3, M4, tourism, NN5) it is used
as published. Elsewhere the test part is the last ``horizon`` observations of each series;
series that are not longer than the horizon stay whole in the training part and are listed
in ``metadata["too_short_series"]``.

Timestamps mark the start of each period (``MS``, ``QS``, ``YS``, the Monday of a week for
``W-MON``) unless the source gives real dates (NN5 days, Walmart's Friday week dates).
Where the source has no calendar, a synthetic one is built and ``metadata["calendar"]``
says how.

The data folder is ``$SUPPLYMIND_DATA_DIR``, or ``../shared/data`` relative to the current
working directory when the variable is unset; every public function takes ``data_dir`` to
override both.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.tseries.frequencies import to_offset

from supplymind.exceptions import DatasetNotFoundError

__all__ = [
    "DATA_DIR_ENV_VAR",
    "DEFAULT_DATA_DIR",
    "ITEM_ID",
    "TARGET",
    "TIMESTAMP",
    "TimeSeriesDataset",
    "default_data_dir",
    "list_datasets",
    "load_dataset",
]

ITEM_ID = "item_id"
TIMESTAMP = "timestamp"
TARGET = "target"

DATA_DIR_ENV_VAR = "SUPPLYMIND_DATA_DIR"
DEFAULT_DATA_DIR = Path("../shared/data")

# Synthetic calendars start at the Unix epoch so that a position can be read back from a
# timestamp; placeholder years (Mcomp stores unknown start dates as year 1) move there too.
_EPOCH_YEAR = 1970
_FIRST_REAL_YEAR = 1000
# M4 weekly start dates (M4-info.csv) are not in the folder: every series is made to end
# its training part on this Monday, so the 13 test weeks are 2018-12-31 .. 2019-03-25.
_M4_WEEKLY_LAST_TRAIN_WEEK = np.datetime64("2018-12-24", "D")
# A Wednesday, because the first UCI row is labelled "day of the week 4" (Wednesday).
_UCI_FIRST_DAY = "1970-01-07"

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True, eq=False)
class TimeSeriesDataset:
    """A forecasting dataset in SupplyMind's long format, split into train and test.

    Parameters
    ----------
    name
        Registry name of the dataset (``"m3_monthly"``, ...).
    train
        Observations available for fitting: ``item_id``, ``timestamp``, ``target`` and any
        covariates, sorted by ``item_id`` and ``timestamp``.
    test
        The held-out ``horizon`` observations that follow ``train`` for each series that
        has them, same columns; ``None`` when the dataset has no test part.
    freq
        Pandas offset alias of the series (``"MS"``, ``"QS"``, ``"YS"``, ``"W-MON"``,
        ``"W-FRI"``, ``"D"``, ``"B"``).
    season_length
        Number of periods in one seasonal cycle (1 when there is no seasonality).
    horizon
        Number of periods to forecast, as used by the literature on the dataset where it
        has one.
    metadata
        Source, description, number of series, how the split and the calendar were made,
        and dataset-specific notes.
    """

    name: str
    train: pd.DataFrame
    test: pd.DataFrame | None
    freq: str
    season_length: int
    horizon: int
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise ValueError(f"horizon must be at least 1, got {self.horizon}")
        if self.season_length < 1:
            raise ValueError(f"season_length must be at least 1, got {self.season_length}")
        try:
            to_offset(self.freq)
        except ValueError as error:
            raise ValueError(
                f"freq must be a pandas offset alias, got {self.freq!r}: {error}"
            ) from error
        for part, frame in (("train", self.train), ("test", self.test)):
            if frame is None:
                continue
            missing = [col for col in (ITEM_ID, TIMESTAMP, TARGET) if col not in frame.columns]
            if missing:
                raise ValueError(f"{part} lacks the columns {missing}; has {list(frame.columns)}")

    @property
    def full(self) -> pd.DataFrame:
        """Train and test together, sorted by ``item_id`` and ``timestamp``."""
        if self.test is None:
            return self.train.copy()
        both = pd.concat([self.train, self.test], ignore_index=True)
        return both.sort_values([ITEM_ID, TIMESTAMP], kind="stable", ignore_index=True)

    @property
    def n_series(self) -> int:
        """Number of distinct series in the whole dataset."""
        parts = (
            [self.train[ITEM_ID]]
            if self.test is None
            else [self.train[ITEM_ID], self.test[ITEM_ID]]
        )
        return int(pd.concat(parts).nunique())


# --- paths ----------------------------------------------------------------------------


def default_data_dir() -> Path:
    """Return the public data folder named by the environment.

    Returns
    -------
    Path
        ``$SUPPLYMIND_DATA_DIR`` when set and not empty, else ``../shared/data`` (relative
        to the current working directory).
    """
    value = os.environ.get(DATA_DIR_ENV_VAR, "").strip()
    return Path(value) if value else DEFAULT_DATA_DIR


def _resolve_dir(data_dir: str | Path | None) -> Path:
    return Path(data_dir) if data_dir is not None else default_data_dir()


def _require(path: Path, dataset: str, data_dir: Path) -> Path:
    """Return ``path``, or raise a :class:`DatasetNotFoundError` that says how to fix it."""
    if path.is_file():
        return path
    if not data_dir.is_dir():
        where = f"the data folder {data_dir.resolve()} does not exist"
    else:
        where = f"the data folder {data_dir.resolve()} has no such file"
    raise DatasetNotFoundError(
        f"dataset {dataset!r} needs the file {path.resolve()}, but {where}. "
        f"Point the environment variable {DATA_DIR_ENV_VAR} (or the data_dir argument) "
        f"at the public data folder, e.g. {DATA_DIR_ENV_VAR}=/path/to/shared/data; "
        f"the default is {DEFAULT_DATA_DIR} relative to the working directory."
    )


# --- shared helpers -------------------------------------------------------------------


def _month_starts(year: IntArray, month: IntArray) -> DateArray:
    """First day of each (year, month) as ``datetime64[ns]``; month is 1-based."""
    months = (year - _EPOCH_YEAR) * 12 + (month - 1)
    return months.astype("datetime64[M]").astype("datetime64[ns]")


def _period_starts(index: IntArray, periods_per_year: int) -> DateArray:
    """Start of period ``index = year * periods_per_year + (period - 1)``."""
    year, period = np.divmod(index, periods_per_year)
    return _month_starts(year, period * (12 // periods_per_year) + 1)


def _long_from_wide(values: FloatArray, item_ids: list[str], stamps: DateArray) -> pd.DataFrame:
    """Stack a (time x series) matrix into the long format, series by series."""
    n_time, n_items = values.shape
    return pd.DataFrame(
        {
            ITEM_ID: np.repeat(np.asarray(item_ids, dtype=object), n_time),
            TIMESTAMP: np.tile(stamps.astype("datetime64[ns]"), n_items),
            TARGET: values.T.reshape(-1),
        }
    )


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Apply the contract's dtypes, column order, sort order and index."""
    covariates = [col for col in frame.columns if col not in (ITEM_ID, TIMESTAMP, TARGET)]
    tidy = frame[[ITEM_ID, TIMESTAMP, TARGET, *covariates]].astype(
        {ITEM_ID: "str", TIMESTAMP: "datetime64[ns]", TARGET: "float64"}
    )
    return tidy.sort_values([ITEM_ID, TIMESTAMP], kind="stable", ignore_index=True)


def _split_last(frame: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Hold out the last ``horizon`` rows of every series longer than ``horizon``.

    Returns
    -------
    tuple
        The training rows, the test rows and the ids of series kept whole in training.
    """
    frame = _tidy(frame)
    by_item = frame.groupby(ITEM_ID, sort=False)[TIMESTAMP]
    from_end = by_item.cumcount(ascending=False)
    splittable = by_item.transform("size") > horizon
    in_test = splittable & (from_end < horizon)
    too_short = sorted(str(item) for item in frame.loc[~splittable, ITEM_ID].unique())
    train = frame.loc[~in_test].reset_index(drop=True)
    test = frame.loc[in_test].reset_index(drop=True)
    return train, test, too_short


def _dataset(
    name: str,
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    freq: str,
    season_length: int,
    horizon: int,
    metadata: dict[str, Any],
) -> TimeSeriesDataset:
    """Build the dataset and add the counts every dataset reports."""
    train, test = _tidy(train), _tidy(test)
    items = pd.concat([train[ITEM_ID], test[ITEM_ID]]).unique()
    counts = {
        "n_series": len(items),
        "n_train_observations": len(train),
        "n_test_observations": len(test),
        "n_missing_train": int(train[TARGET].isna().sum()),
        "n_missing_test": int(test[TARGET].isna().sum()),
    }
    return TimeSeriesDataset(
        name=name,
        train=train,
        test=test,
        freq=freq,
        season_length=season_length,
        horizon=horizon,
        metadata={**metadata, **counts},
    )


def _last_split_dataset(
    name: str,
    frame: pd.DataFrame,
    *,
    freq: str,
    season_length: int,
    horizon: int,
    metadata: dict[str, Any],
) -> TimeSeriesDataset:
    """Split ``frame`` on its last ``horizon`` points and wrap it."""
    train, test, too_short = _split_last(frame, horizon)
    split = (
        f"no official split: the test part is the last {horizon} observations of each series; "
        "series with at most that many observations stay whole in train (too_short_series)"
    )
    return _dataset(
        name,
        train,
        test,
        freq=freq,
        season_length=season_length,
        horizon=horizon,
        metadata={"split": split, "too_short_series": too_short, **metadata},
    )


def _read_wide_with_time(path: Path, time_col: str) -> tuple[pd.Series, FloatArray, list[str]]:
    """Read a ``time column + one column per series`` file; names kept as written."""
    with path.open(newline="") as handle:
        header = next(csv.reader(handle))
    table = pd.read_csv(path, dtype={time_col: "str"})
    values = table.drop(columns=[time_col]).to_numpy(dtype=np.float64)
    return table[time_col], values, header[1:]


# --- M1 / M3 (Mcomp) --------------------------------------------------------------------

_MCOMP_LABEL = {
    "YEARLY": (r"^(\d+)$", 1),
    "QUARTERLY": (r"^(\d+)-Q([1-4])$", 4),
    "MONTHLY": (r"^(\d+)-(\d{2})$", 12),
}
_MCOMP_SOURCE = "robjhyndman/Mcomp data/{file}.rda (GPL-3), converted to CSV; {folder}"


def _load_mcomp(
    data_dir: Path, *, competition: str, period: str, freq: str, season_length: int
) -> TimeSeriesDataset:
    """Load one frequency of M1 or M3 with the official split and real calendars."""
    name = f"{competition}_{period.lower()}"
    folder = data_dir / "m3_mcomp"
    meta = pd.read_csv(_require(folder / f"{competition}_meta.csv", name, data_dir))
    raw = pd.read_csv(
        _require(folder / f"{competition}_long.csv.gz", name, data_dir),
        dtype={"series_id": "str", "split": "str", "time_label": "str", "value": "float64"},
    )
    meta = meta.loc[meta["period"] == period]
    raw = raw.loc[raw["series_id"].isin(meta["series_id"])].reset_index(drop=True)
    horizons = meta["h"].unique()
    if len(horizons) != 1:
        raise ValueError(f"{name}: expected one horizon in the meta file, found {horizons}")
    horizon = int(horizons[0])
    is_test = (raw["split"] == "test").to_numpy()

    synthetic: list[str]
    if period == "OTHER":
        # No calendar at all (time_label is the position): day n of 1970 is position n.
        length = raw["series_id"].map(meta.set_index("series_id")["n"]).to_numpy(np.int64)
        position = raw["t"].to_numpy(np.int64) + np.where(is_test, length, 0) - 1
        stamps = (np.datetime64("1970-01-01", "D") + position).astype("datetime64[ns]")
        synthetic = sorted(meta["series_id"].astype(str))
        calendar = (
            "synthetic daily calendar: the source gives positions only, so "
            "timestamp = 1970-01-01 + (position - 1) days across train and test; "
            "the real sampling frequency of M3 'other' series is not recorded"
        )
    else:
        pattern, per_year = _MCOMP_LABEL[period]
        parts = raw["time_label"].str.extract(pattern)
        if parts.isna().any().any():
            bad = raw.loc[parts.isna().any(axis=1), "time_label"].head(3).tolist()
            raise ValueError(f"{name}: time_label values not like {pattern!r}: {bad}")
        year = parts[0].astype("int64").to_numpy()
        sub = parts[1].astype("int64").to_numpy() if per_year > 1 else np.ones_like(year)
        placeholder = pd.Series(year < _FIRST_REAL_YEAR).groupby(raw["series_id"]).transform("any")
        year = np.where(placeholder.to_numpy(), year + _EPOCH_YEAR - 1, year)
        stamps = _period_starts(year * per_year + sub - 1, per_year)
        synthetic = sorted(raw.loc[placeholder.to_numpy(), "series_id"].unique().astype(str))
        calendar = (
            "real calendar from time_label; series whose labels start at year 1 (Mcomp's "
            "placeholder for an unknown start) are moved to start in 1970 "
            "(synthetic_calendar_series)"
        )
        if competition == "m1":
            calendar += (
                "; M1's start dates in Mcomp are doubtful (many series run past 1982, the "
                "year of the competition, up to 2033) and are kept as given"
            )

    frame = pd.DataFrame(
        {ITEM_ID: raw["series_id"], TIMESTAMP: stamps, TARGET: raw["value"].to_numpy()}
    )
    label = competition.upper()
    return _dataset(
        name,
        frame.loc[~is_test],
        frame.loc[is_test],
        freq=freq,
        season_length=season_length,
        horizon=horizon,
        metadata={
            "source": _MCOMP_SOURCE.format(
                file=label, folder=f"m3_mcomp/{competition}_long.csv.gz"
            ),
            "description": f"{label} competition, {period.lower()} series (Makridakis et al.)",
            "split": f"official {label} split (column 'split'); test = the {horizon} "
            "points the competition held out",
            "horizon_reason": f"the {label} competition horizon for {period.lower()} data "
            "(meta file column 'h')",
            "calendar": calendar,
            "synthetic_calendar_series": synthetic,
            "series_category": dict(
                zip(meta["series_id"].astype(str), meta["type"].astype(str), strict=True)
            ),
        },
    )


# --- M4 weekly --------------------------------------------------------------------------


def _load_m4_weekly(data_dir: Path) -> TimeSeriesDataset:
    """M4 weekly: 359 series, official 13-week test, synthetic aligned calendar."""
    name = "m4_weekly"
    folder = data_dir / "m4_weekly"
    train_raw = pd.read_csv(_require(folder / "Weekly-train.csv.gz", name, data_dir))
    test_raw = pd.read_csv(_require(folder / "Weekly-test.csv", name, data_dir))
    if not train_raw["V1"].equals(test_raw["V1"]):
        raise ValueError(f"{name}: train and test files list different series (column V1)")
    ids = train_raw["V1"].astype(str).tolist()

    train_values = train_raw.drop(columns=["V1"]).to_numpy(np.float64)
    present = ~np.isnan(train_values)
    lengths = present.sum(axis=1)
    # Rows are left-aligned and padded with empty cells; a gap inside would shift dates.
    if not np.array_equal(present, np.arange(present.shape[1]) < lengths[:, None]):
        raise ValueError(f"{name}: a training row has an empty cell before its last value")
    item_pos, col_pos = np.nonzero(present)
    weeks_before_end = lengths[item_pos] - 1 - col_pos
    train = pd.DataFrame(
        {
            ITEM_ID: np.asarray(ids, dtype=object)[item_pos],
            TIMESTAMP: _M4_WEEKLY_LAST_TRAIN_WEEK - 7 * weeks_before_end,
            TARGET: train_values[item_pos, col_pos],
        }
    )
    test_values = test_raw.drop(columns=["V1"]).to_numpy(np.float64)
    horizon = test_values.shape[1]
    test_stamps = _M4_WEEKLY_LAST_TRAIN_WEEK + 7 * np.arange(1, horizon + 1)
    test = _long_from_wide(test_values.T, ids, test_stamps)
    return _dataset(
        name,
        train,
        test,
        freq="W-MON",
        season_length=52,
        horizon=horizon,
        metadata={
            "source": "Mcompetitions/M4-methods Dataset/Train/Weekly-train.csv, "
            "Dataset/Test/Weekly-test.csv (licence not stated)",
            "description": "M4 competition, weekly series (80..2,597 training weeks)",
            "split": "official M4 split: the Weekly-test.csv file",
            "horizon_reason": "the M4 horizon for weekly data (13 weeks)",
            "calendar": "synthetic: M4-info.csv (start dates) is not available, so every "
            "series ends its training part on Monday 2018-12-24 and the test covers "
            "2018-12-31..2019-03-25; dates do not align series in real time",
        },
    )


# --- tourism (Tcomp) ---------------------------------------------------------------------

_TOURISM = {  # kind: (periods per year, horizon, freq)
    "monthly": (12, 24, "MS"),
    "quarterly": (4, 8, "QS"),
    "yearly": (1, 4, "YS"),
}


def _tourism_block(
    raw: pd.DataFrame, per_year: int
) -> tuple[IntArray, IntArray, IntArray, FloatArray, int]:
    """Unpack one Tcomp file: header rows then values, one column per series.

    Returns
    -------
    tuple
        ``item_pos``, ``row_pos``, ``start`` (period index of each series' first value),
        ``values`` (by row, series) and the number of cells found below a series' declared
        length (ignored).
    """
    n_header = 3 if per_year > 1 else 2
    header = raw.iloc[:n_header].to_numpy(np.float64).astype(np.int64)
    body = raw.iloc[n_header:].to_numpy(np.float64)
    lengths = header[0]
    start_period = header[2] if per_year > 1 else np.ones_like(lengths)
    start = header[1] * per_year + start_period - 1
    if lengths.max() > body.shape[0]:
        raise ValueError(f"a series declares {lengths.max()} values, file has {body.shape[0]}")
    inside = np.arange(body.shape[0])[:, None] < lengths[None, :]
    stray = int(np.count_nonzero(~inside & ~np.isnan(body)))
    item_pos, row_pos = np.nonzero(inside.T)
    return item_pos, row_pos, start, body, stray


def _load_tourism(data_dir: Path, *, kind: str) -> TimeSeriesDataset:
    """Tourism forecasting competition data: ``_in`` is train, ``_oos`` is test."""
    name = f"tourism_{kind}"
    per_year, horizon, freq = _TOURISM[kind]
    folder = data_dir / "tourism_tcomp"
    train_raw = pd.read_csv(_require(folder / f"{kind}_in.csv", name, data_dir))
    test_raw = pd.read_csv(_require(folder / f"{kind}_oos.csv", name, data_dir))
    if list(train_raw.columns) != list(test_raw.columns):
        raise ValueError(f"{name}: {kind}_in.csv and {kind}_oos.csv name different series")
    ids = np.asarray(train_raw.columns.astype(str), dtype=object)

    item_pos, row_pos, start, body, stray = _tourism_block(train_raw, per_year)
    train = pd.DataFrame(
        {
            ITEM_ID: ids[item_pos],
            TIMESTAMP: _period_starts(start[item_pos] + row_pos, per_year),
            TARGET: body[row_pos, item_pos],
        }
    )
    lengths = np.bincount(item_pos, minlength=len(ids))
    # The test continues the training part; where the _oos header says otherwise, the
    # series is listed so that a user can check it against the source.
    test_item, test_row, test_start, test_body, test_stray = _tourism_block(test_raw, per_year)
    train_end = start + lengths
    test = pd.DataFrame(
        {
            ITEM_ID: ids[test_item],
            TIMESTAMP: _period_starts(train_end[test_item] + test_row, per_year),
            TARGET: test_body[test_row, test_item],
        }
    )
    mismatch = sorted(str(item) for item in ids[test_start != train_end])
    return _dataset(
        name,
        train,
        test,
        freq=freq,
        season_length=per_year,
        horizon=horizon,
        metadata={
            "source": f"ellisp/Tcomp-r-package source-data/{kind}_in.csv, {kind}_oos.csv (GPL-3)",
            "description": f"tourism forecasting competition, {kind} series "
            "(Athanasopoulos, Hyndman, Song and Wu 2011)",
            "split": f"official: {kind}_in.csv is train, {kind}_oos.csv is test",
            "horizon_reason": f"the competition horizon for {kind} data",
            "calendar": "real: start year (and period) from the file's header rows",
            "start_mismatch_series": mismatch,
            "ignored_stray_cells": stray + test_stray,
        },
    )


# --- expsmooth / tscompdata wide files ----------------------------------------------------


def _load_carparts(data_dir: Path) -> TimeSeriesDataset:
    """Monthly car-part sales: 2,674 intermittent series, NaN kept as NaN."""
    name = "carparts"
    path = _require(data_dir / "carparts" / "carparts_monthly_wide.csv", name, data_dir)
    months, values, ids = _read_wide_with_time(path, "month")
    stamps = pd.to_datetime(months, format="%Y-%m").to_numpy("datetime64[ns]")
    horizon = 12
    all_nan = np.isnan(values[-horizon:]).all(axis=0)
    return _last_split_dataset(
        name,
        _long_from_wide(values, ids, stamps),
        freq="MS",
        season_length=12,
        horizon=horizon,
        metadata={
            "source": "robjhyndman/expsmooth data/carparts.rda (GPL-3), converted to CSV",
            "description": "monthly sales of car parts, Jan 1998..Mar 2002; intermittent "
            "(about 71% zeros)",
            "horizon_reason": "no standard horizon; 12 months = one seasonal cycle, held out "
            "on the shared calendar (test = Apr 2001..Mar 2002 for every part)",
            "calendar": "real (column 'month')",
            "missing_values": "NaN kept as NaN; parts whose record stops early have an "
            "all-NaN test part (all_nan_test_series)",
            "all_nan_test_series": sorted(np.asarray(ids)[all_nan].tolist()),
        },
    )


def _load_hospital(data_dir: Path) -> TimeSeriesDataset:
    """Monthly patient counts for 767 medical products, Jan 2000..Dec 2006."""
    name = "hyndman_hospital"
    path = _require(data_dir / "hyndman_hospital" / "hospital_monthly_wide.csv", name, data_dir)
    months, values, columns = _read_wide_with_time(path, "month")
    # Column names repeat (35 names for 767 series), so the id leads with the position.
    ids = [f"{pos:03d}_{col}" for pos, col in enumerate(columns, start=1)]
    stamps = pd.to_datetime(months, format="%Y-%m").to_numpy("datetime64[ns]")
    return _last_split_dataset(
        name,
        _long_from_wide(values, ids, stamps),
        freq="MS",
        season_length=12,
        horizon=12,
        metadata={
            "source": "robjhyndman/expsmooth data/hospital.rda (GPL-3), converted to CSV",
            "description": "monthly patient counts for products related to medical problems, "
            "Jan 2000..Dec 2006",
            "horizon_reason": "12 months = one seasonal cycle (the last year is held out)",
            "calendar": "real (column 'month')",
            "item_id_rule": "'<1-based column position, 3 digits>_<column name>' because the "
            "source repeats column names",
        },
    )


def _load_jewelry(data_dir: Path) -> TimeSeriesDataset:
    """Weekly unit sales of 314 jewelry items over 124 weeks."""
    name = "hyndman_jewelry"
    path = _require(data_dir / "hyndman_jewelry" / "jewelry_weekly_wide.csv", name, data_dir)
    weeks, values, ids = _read_wide_with_time(path, "week")
    parts = weeks.str.extract(r"^(\d{4})-W(\d{2})$").astype("int64")
    ordinal = (parts[0] * 52 + parts[1]).to_numpy()
    if parts.isna().any().any() or not np.all(np.diff(ordinal) == 1):
        raise ValueError(f"{name}: week labels are not consecutive 'YYYY-Www' 52-week labels")
    first_year, first_week = (int(part) for part in parts.to_numpy()[0])
    first = date.fromisocalendar(first_year, first_week, 1)
    stamps = np.datetime64(first, "D") + 7 * np.arange(len(weeks))
    return _last_split_dataset(
        name,
        _long_from_wide(values, ids, stamps),
        freq="W-MON",
        season_length=52,
        horizon=13,
        metadata={
            "source": "robjhyndman/expsmooth data/jewelry.rda (GPL-3), converted to CSV",
            "description": "weekly unit sales of 314 jewelry items",
            "horizon_reason": "no standard horizon; 13 weeks = one quarter, as for M4 weekly",
            "calendar": "the labels assume 52-week years (R ts, frequency 52); weeks are taken "
            "as consecutive and stamped with the Monday of the ISO week of the first label "
            "(1998-W05 -> 1998-01-26). ISO 1998 has 53 weeks, so from 1999 the label is one "
            "ahead of the ISO week (last label 2000-W24 -> 2000-06-05, ISO 2000-W23)",
            "week_labels": (str(weeks.iloc[0]), str(weeks.iloc[-1])),
        },
    )


def _load_nn5(data_dir: Path) -> TimeSeriesDataset:
    """NN5: daily cash withdrawals at 111 UK ATMs, with the competition's 56-day test."""
    name = "nn5_atm_daily"
    path = _require(data_dir / "nn5_atm_daily" / "nn5_daily_wide.csv", name, data_dir)
    days, values, ids = _read_wide_with_time(path, "date")
    stamps = pd.to_datetime(days, format="%Y-%m-%d").to_numpy("datetime64[ns]")
    return _last_split_dataset(
        name,
        _long_from_wide(values, ids, stamps),
        freq="D",
        season_length=7,
        horizon=56,
        metadata={
            "source": "robjhyndman/tscompdata data/nn5.rda (GPL-3), converted to CSV",
            "description": "NN5 forecasting competition: daily cash withdrawn at 111 UK ATMs, "
            "1996-03-18..1998-05-17",
            "horizon_reason": "the NN5 competition forecast 56 days (1998-03-23..1998-05-17)",
            "calendar": "real (column 'date')",
            "split": "official NN5 split: the last 56 days were the competition test",
            "missing_values": "NaN kept (the competition data has gaps, a few in the test)",
        },
    )


# --- other tables ---------------------------------------------------------------------------

_WALMART_COLUMNS = {
    "Weekly_Sales": TARGET,
    "Holiday_Flag": "holiday",
    "Temperature": "temperature",
    "Fuel_Price": "fuel_price",
    "CPI": "cpi",
    "Unemployment": "unemployment",
}


def _load_walmart(data_dir: Path) -> TimeSeriesDataset:
    """Weekly sales of 45 Walmart stores with holiday and economic covariates."""
    name = "walmart_store_weekly"
    path = _require(data_dir / "walmart_store_weekly" / "Walmart_Store_sales.csv", name, data_dir)
    raw = pd.read_csv(path, dtype={"Store": "int64", "Date": "str"})
    frame = raw.rename(columns=_WALMART_COLUMNS).drop(columns=["Store", "Date"])
    frame[ITEM_ID] = "store_" + raw["Store"].astype(str)
    frame[TIMESTAMP] = pd.to_datetime(raw["Date"], format="%d-%m-%Y")
    frame = frame.astype(dict.fromkeys(_WALMART_COLUMNS.values(), "float64") | {"holiday": "int64"})
    return _last_split_dataset(
        name,
        frame,
        freq="W-FRI",
        season_length=52,
        horizon=13,
        metadata={
            "source": "ZarahShibli/Retail-Analysis-with-Walmart-Data Walmart_Store_sales.csv "
            "(Kaggle 'Walmart Recruiting - Store Sales' derivative; licence not stated)",
            "description": "weekly sales (USD) of 45 Walmart stores, 2010-02-05..2012-10-26",
            "horizon_reason": "no standard horizon in this store-level copy (the Kaggle test "
            "weeks are not included); 13 weeks = one quarter",
            "calendar": "real: 'Date' (dd-mm-yyyy) is the Friday of each sales week",
            "known_covariates": ["holiday"],
            "past_covariates": ["temperature", "fuel_price", "cpi", "unemployment"],
            "covariate_units": {
                "holiday": "1 in the weeks of Super Bowl, Labor Day, Thanksgiving, Christmas",
                "temperature": "degrees Fahrenheit",
                "fuel_price": "USD per gallon",
                "cpi": "consumer price index",
                "unemployment": "unemployment rate, percent",
            },
        },
    )


def _monthly_long(
    name: str, path: Path, keys: list[str], value: str, month: str = "Month"
) -> pd.DataFrame:
    """Read a tidy monthly CSV (``YYYY-MM`` labels) into the long format; the series id joins
    the ``keys`` columns with ``/``. Raises when a column is missing or a (series, month)
    repeats."""
    frame = pd.read_csv(path, dtype=dict.fromkeys(keys, "string"))
    missing = [col for col in (*keys, month, value) if col not in frame.columns]
    if missing:
        raise ValueError(
            f"{name}: expected columns {[*keys, month, value]} in {path.name}, "
            f"missing {missing}; found {list(frame.columns)}"
        )
    item = frame[keys[0]].astype(str)
    for key in keys[1:]:
        item = item + "/" + frame[key].astype(str)
    stamps = pd.to_datetime(frame[month], format="%Y-%m")
    out = pd.DataFrame({ITEM_ID: item, TIMESTAMP: stamps, TARGET: frame[value].astype(float)})
    if out.duplicated([ITEM_ID, TIMESTAMP]).any():
        raise ValueError(f"{name}: a series has two values for one month in {path.name}")
    return out


def _load_aus_retail(data_dir: Path) -> TimeSeriesDataset:
    """Monthly retail turnover of 152 Australian state x industry series, 1982-04..2018-12."""
    name = "aus_retail"
    path = data_dir / "tsibbledata_pbs_ausretail" / "aus_retail.csv.gz"
    frame = _monthly_long(name, _require(path, name, data_dir), ["Series ID"], "Turnover")
    return _last_split_dataset(
        name,
        frame,
        freq="MS",
        season_length=12,
        horizon=24,
        metadata={
            "source": "tidyverts/tsibbledata data/aus_retail.rda (GPL-3), converted to CSV",
            "description": "monthly retail turnover ($M) by state and industry (ABS)",
            "horizon_reason": "no standard horizon; 24 months, as tourism monthly",
            "calendar": "the 'YYYY-MM' month labels, stamped on the first day of the month",
        },
    )


def _load_pbs(data_dir: Path) -> TimeSeriesDataset:
    """Monthly PBS prescription counts (Scripts) by concession, type and ATC2 group."""
    name = "pbs"
    path = data_dir / "tsibbledata_pbs_ausretail" / "PBS.csv.gz"
    frame = _monthly_long(
        name, _require(path, name, data_dir), ["Concession", "Type", "ATC2"], "Scripts"
    )
    return _last_split_dataset(
        name,
        frame,
        freq="MS",
        season_length=12,
        horizon=12,
        metadata={
            "source": "tidyverts/tsibbledata data/PBS.rda (GPL-3), converted to CSV",
            "description": "monthly Australian drug-subsidy prescriptions (Scripts) by "
            "concession, patient type and ATC2 group, 1991-07..2008-06",
            "horizon_reason": "no standard horizon; 12 months",
            "calendar": "the 'YYYY-MM' month labels, stamped on the first day of the month; "
            "series id = Concession/Type/ATC2",
        },
    )


def _load_uci_orders(data_dir: Path) -> TimeSeriesDataset:
    """UCI daily demand forecasting orders: one series of 60 working days."""
    name = "uci_daily_demand_orders"
    folder = data_dir / "uci_daily_demand_orders"
    path = _require(folder / "Daily_Demand_Forecasting_Orders.csv", name, data_dir)
    raw = pd.read_csv(path, sep=";")
    if raw.shape[1] != 13:
        raise ValueError(f"{name}: expected 13 ';'-separated columns, found {raw.shape[1]}")
    frame = pd.DataFrame(
        {
            ITEM_ID: "orders",
            TIMESTAMP: pd.bdate_range(_UCI_FIRST_DAY, periods=len(raw)),
            TARGET: raw.iloc[:, -1].to_numpy(np.float64),
            "week_of_month": raw.iloc[:, 0].to_numpy(np.int64),
            "day_of_week": raw.iloc[:, 1].to_numpy(np.int64),
        }
    )
    return _last_split_dataset(
        name,
        frame,
        freq="B",
        season_length=5,
        horizon=7,
        metadata={
            "source": "nklswlf/Daily_Demand_Forecasting_Orders (UCI 'Daily Demand Forecasting "
            "Orders', a Brazilian logistics company; licence not stated in the copy)",
            "description": "total daily orders over 60 working days",
            "horizon_reason": "no standard horizon; 7 working days, a tiny sanity check",
            "calendar": "synthetic business days from Wednesday 1970-01-07 (the first row is "
            "labelled a Wednesday). The source has no dates and skips some working days, so "
            "its own labels are kept as covariates week_of_month (1..5) and day_of_week "
            "(2 = Monday .. 6 = Friday); they disagree with the synthetic weekday from the "
            "33rd row on",
            "dropped_columns": "the order breakdowns (urgent, type A/B/C, sectors) sum to the "
            "target on the same day, so they are not offered as covariates",
        },
    )


# --- registry -----------------------------------------------------------------------------

_Loader = Callable[[Path], TimeSeriesDataset]

# An explicit table: each name maps to the function that reads its files from a data folder.
_REGISTRY: dict[str, _Loader] = {
    "m1_monthly": partial(
        _load_mcomp, competition="m1", period="MONTHLY", freq="MS", season_length=12
    ),
    "m1_quarterly": partial(
        _load_mcomp, competition="m1", period="QUARTERLY", freq="QS", season_length=4
    ),
    "m1_yearly": partial(
        _load_mcomp, competition="m1", period="YEARLY", freq="YS", season_length=1
    ),
    "m3_monthly": partial(
        _load_mcomp, competition="m3", period="MONTHLY", freq="MS", season_length=12
    ),
    "m3_quarterly": partial(
        _load_mcomp, competition="m3", period="QUARTERLY", freq="QS", season_length=4
    ),
    "m3_yearly": partial(
        _load_mcomp, competition="m3", period="YEARLY", freq="YS", season_length=1
    ),
    "m3_other": partial(_load_mcomp, competition="m3", period="OTHER", freq="D", season_length=1),
    "m4_weekly": _load_m4_weekly,
    "tourism_monthly": partial(_load_tourism, kind="monthly"),
    "tourism_quarterly": partial(_load_tourism, kind="quarterly"),
    "tourism_yearly": partial(_load_tourism, kind="yearly"),
    "carparts": _load_carparts,
    "hyndman_hospital": _load_hospital,
    "hyndman_jewelry": _load_jewelry,
    "nn5_atm_daily": _load_nn5,
    "walmart_store_weekly": _load_walmart,
    "uci_daily_demand_orders": _load_uci_orders,
    "aus_retail": _load_aus_retail,
    "pbs": _load_pbs,
}


def list_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`, sorted.

    Returns
    -------
    list of str
        The registered dataset names.
    """
    return sorted(_REGISTRY)


def load_dataset(name: str, data_dir: str | Path | None = None) -> TimeSeriesDataset:
    """Load a public dataset by name.

    Parameters
    ----------
    name
        One of :func:`list_datasets`.
    data_dir
        The public data folder; defaults to :func:`default_data_dir`.

    Returns
    -------
    TimeSeriesDataset
        The dataset, split into train and test.

    Raises
    ------
    ValueError
        If ``name`` is not a known dataset.
    DatasetNotFoundError
        If the dataset's files are not in the data folder.
    """
    loader = _REGISTRY.get(name)
    if loader is None:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(list_datasets())}")
    return loader(_resolve_dir(data_dir))
