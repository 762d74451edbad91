"""Tests of the public dataset loaders, checked against the raw files they read."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.tseries.frequencies import to_offset

from supplymind.data.datasets import (
    DATA_DIR_ENV_VAR,
    DEFAULT_DATA_DIR,
    ITEM_ID,
    TARGET,
    TIMESTAMP,
    TimeSeriesDataset,
    default_data_dir,
    list_datasets,
    load_dataset,
)
from supplymind.exceptions import DatasetNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# name: (series in the data README, horizon, season length, freq)
EXPECTED = {
    "m1_monthly": (617, 18, 12, "MS"),
    "m1_quarterly": (203, 8, 4, "QS"),
    "m1_yearly": (181, 6, 1, "YS"),
    "m3_monthly": (1428, 18, 12, "MS"),
    "m3_quarterly": (756, 8, 4, "QS"),
    "m3_yearly": (645, 6, 1, "YS"),
    "m3_other": (174, 8, 1, "D"),
    "m4_weekly": (359, 13, 52, "W-MON"),
    "tourism_monthly": (366, 24, 12, "MS"),
    "tourism_quarterly": (427, 8, 4, "QS"),
    "tourism_yearly": (518, 4, 1, "YS"),
    "carparts": (2674, 12, 12, "MS"),
    "hyndman_hospital": (767, 12, 12, "MS"),
    "hyndman_jewelry": (314, 13, 52, "W-MON"),
    "nn5_atm_daily": (111, 56, 7, "D"),
    "walmart_store_weekly": (45, 13, 52, "W-FRI"),
    "uci_daily_demand_orders": (1, 7, 5, "B"),
    "aus_retail": (152, 24, 12, "MS"),
    "pbs": (336, 12, 12, "MS"),
}
NAMES = sorted(EXPECTED)

Loader = Callable[[str], TimeSeriesDataset]


def _public_data_dir() -> Path:
    value = os.environ.get(DATA_DIR_ENV_VAR, "").strip()
    return Path(value) if value else PROJECT_ROOT / DEFAULT_DATA_DIR


@pytest.fixture(scope="module")
def data_dir() -> Path:
    """The real public data folder; every test that needs it skips when it is absent."""
    path = _public_data_dir()
    if not path.is_dir():
        pytest.skip(f"public data folder not found at {path}; set {DATA_DIR_ENV_VAR}")
    return path


@pytest.fixture(scope="module")
def load(data_dir: Path) -> Loader:
    """Load each dataset once per module run."""
    cache: dict[str, TimeSeriesDataset] = {}

    def get(name: str) -> TimeSeriesDataset:
        if name not in cache:
            cache[name] = load_dataset(name, data_dir=data_dir)
        return cache[name]

    return get


def _test_part(dataset: TimeSeriesDataset) -> pd.DataFrame:
    assert dataset.test is not None
    return dataset.test


def _series(frame: pd.DataFrame, item: str) -> pd.DataFrame:
    return frame.loc[frame[ITEM_ID] == item].reset_index(drop=True)


def _csv_rows(path: Path, delimiter: str = ",") -> Iterator[list[str]]:
    """Rows of a raw (optionally gzipped) CSV file, read without pandas."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", newline="") as handle:
            yield from csv.reader(handle, delimiter=delimiter)
    else:
        with path.open(newline="") as handle:
            yield from csv.reader(handle, delimiter=delimiter)


def _floats(cells: list[str]) -> np.ndarray:
    """Raw cells as floats, an empty cell as NaN."""
    return np.array([float(cell) if cell != "" else np.nan for cell in cells])


def _assert_values(series: pd.DataFrame, cells: list[str]) -> None:
    np.testing.assert_array_equal(series[TARGET].to_numpy(), _floats(cells))


def _csv_columns(path: Path) -> dict[str, list[str]]:
    """Read a small wide file as {column: cells}, keeping only the first of repeated names."""
    rows = list(_csv_rows(path))
    columns: dict[str, list[str]] = {}
    for pos, name in enumerate(rows[0]):
        columns.setdefault(name, [row[pos] for row in rows[1:]])
    return columns


# --- registry, errors and settings (no data needed) ---------------------------------------


def test_when_listing_then_every_documented_dataset_is_registered() -> None:
    assert list_datasets() == NAMES


def test_when_name_is_unknown_then_value_error_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'm5_daily'") as info:
        load_dataset("m5_daily")
    assert "m3_monthly" in str(info.value)
    assert "walmart_store_weekly" in str(info.value)


@pytest.mark.parametrize("name", NAMES)
def test_when_folder_is_missing_then_dataset_not_found_names_the_path(
    tmp_path: Path, name: str
) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset(name, data_dir=missing)
    message = str(info.value)
    assert str(missing.resolve()) in message
    assert repr(name) in message
    assert DATA_DIR_ENV_VAR in message
    assert isinstance(info.value, FileNotFoundError)


def test_when_env_var_points_at_empty_folder_then_loading_fails_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV_VAR, str(tmp_path))
    assert default_data_dir() == tmp_path
    with pytest.raises(DatasetNotFoundError, match="has no such file") as info:
        load_dataset("nn5_atm_daily")
    assert str((tmp_path / "nn5_atm_daily" / "nn5_daily_wide.csv").resolve()) in str(info.value)


def test_when_env_var_is_unset_then_default_is_shared_data_next_to_project(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DATA_DIR_ENV_VAR, raising=False)
    assert default_data_dir() == Path("../shared/data")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("horizon", 0, "horizon must be at least 1"),
        ("season_length", 0, "season_length must be at least 1"),
        ("freq", "fortnightly", "freq must be a pandas offset alias"),
    ],
)
def test_when_dataset_parameter_is_invalid_then_value_error(
    field: str, value: object, message: str
) -> None:
    frame = pd.DataFrame({ITEM_ID: ["a"], TIMESTAMP: [pd.Timestamp("2020-01-01")], TARGET: [1.0]})
    args: dict[str, object] = {
        "name": "x",
        "train": frame,
        "test": None,
        "freq": "D",
        "season_length": 7,
        "horizon": 1,
    }
    args[field] = value
    with pytest.raises(ValueError, match=message):
        TimeSeriesDataset(**args)  # type: ignore[arg-type]


def test_when_series_is_not_longer_than_horizon_then_it_stays_in_train(tmp_path: Path) -> None:
    """The no-official-split rule, on a tiny Walmart-format file: store 2 has 13 weeks."""
    folder = tmp_path / "walmart_store_weekly"
    folder.mkdir()
    header = "Store,Date,Weekly_Sales,Holiday_Flag,Temperature,Fuel_Price,CPI,Unemployment\n"
    lines = [header]
    for store, weeks in ((1, 20), (2, 13)):
        for day in pd.date_range("2010-02-05", periods=weeks, freq="W-FRI"):
            lines.append(f"{store},{day:%d-%m-%Y},{100.0 + store},0,50.0,2.5,211.0,8.1\n")
    (folder / "Walmart_Store_sales.csv").write_text("".join(lines))

    dataset = load_dataset("walmart_store_weekly", data_dir=tmp_path)

    test = _test_part(dataset)
    assert dataset.metadata["too_short_series"] == ["store_2"]
    assert set(test[ITEM_ID]) == {"store_1"}
    assert len(test) == 13
    assert (dataset.train[ITEM_ID] == "store_2").sum() == 13
    assert (dataset.train[ITEM_ID] == "store_1").sum() == 7


# --- contract, for every dataset ----------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize("name", NAMES)
def test_when_loaded_then_counts_and_settings_match_the_readme(load: Loader, name: str) -> None:
    dataset = load(name)
    n_series, horizon, season_length, freq = EXPECTED[name]
    assert dataset.name == name
    assert dataset.n_series == n_series
    assert dataset.metadata["n_series"] == n_series
    assert (dataset.horizon, dataset.season_length, dataset.freq) == (horizon, season_length, freq)
    for key in ("source", "description", "split", "horizon_reason", "calendar"):
        assert isinstance(dataset.metadata[key], str)
        assert dataset.metadata[key]


@pytest.mark.shared_data
@pytest.mark.parametrize("name", NAMES)
def test_when_loaded_then_every_test_series_has_horizon_points(load: Loader, name: str) -> None:
    dataset = load(name)
    test = _test_part(dataset)
    sizes = test.groupby(ITEM_ID).size()
    assert (sizes == dataset.horizon).all()
    kept_whole = set(dataset.metadata.get("too_short_series", []))
    assert set(sizes.index) | kept_whole == set(dataset.train[ITEM_ID])


@pytest.mark.shared_data
@pytest.mark.parametrize("name", NAMES)
def test_when_loaded_then_frames_follow_the_long_contract(load: Loader, name: str) -> None:
    dataset = load(name)
    for frame in (dataset.train, _test_part(dataset)):
        assert list(frame.columns[:3]) == [ITEM_ID, TIMESTAMP, TARGET]
        assert pd.api.types.is_string_dtype(frame[ITEM_ID])
        assert frame[TIMESTAMP].dtype == np.dtype("datetime64[ns]")
        assert frame[TARGET].dtype == np.dtype("float64")
        assert isinstance(frame.index, pd.RangeIndex)
        assert frame.index.start == 0
        assert frame.index.step == 1
        ordered = frame.sort_values([ITEM_ID, TIMESTAMP], kind="stable", ignore_index=True)
        pd.testing.assert_frame_equal(frame, ordered)
        assert not frame.duplicated([ITEM_ID, TIMESTAMP]).any()


@pytest.mark.shared_data
@pytest.mark.parametrize("name", NAMES)
def test_when_loaded_then_series_are_regular_and_test_follows_train(
    load: Loader, name: str
) -> None:
    """Train then test is one gap-free run on ``freq`` for every series."""
    dataset = load(name)
    test = _test_part(dataset)
    train_end = dataset.train.groupby(ITEM_ID)[TIMESTAMP].max()
    test_start = test.groupby(ITEM_ID)[TIMESTAMP].min()
    assert (test_start > train_end.loc[test_start.index]).all()

    offset = to_offset(dataset.freq)
    calendars: dict[tuple[pd.Timestamp, int], np.ndarray] = {}
    for item, stamps in dataset.full.groupby(ITEM_ID, sort=False)[TIMESTAMP]:
        key = (stamps.iloc[0], len(stamps))
        if key not in calendars:
            calendars[key] = pd.date_range(key[0], periods=key[1], freq=offset).to_numpy()
        assert np.array_equal(stamps.to_numpy(), calendars[key]), f"{name} {item} off {offset}"


@pytest.mark.shared_data
def test_when_full_is_taken_then_it_is_train_and_test_sorted(load: Loader) -> None:
    dataset = load("tourism_quarterly")
    full = dataset.full
    assert len(full) == len(dataset.train) + len(_test_part(dataset))
    assert isinstance(full.index, pd.RangeIndex)
    assert full[[ITEM_ID, TIMESTAMP]].equals(
        full.sort_values([ITEM_ID, TIMESTAMP], ignore_index=True)[[ITEM_ID, TIMESTAMP]]
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        dataset.horizon = 3  # type: ignore[misc]


# --- spot checks against raw cells --------------------------------------------------------


def _mcomp_raw(data_dir: Path, competition: str, series_id: str) -> list[list[str]]:
    path = data_dir / "m3_mcomp" / f"{competition}_long.csv.gz"
    return [row for row in _csv_rows(path) if row[0] == series_id]


def _label_start(label: str) -> pd.Timestamp:
    if "-Q" in label:
        return pd.Period(label.replace("-", ""), freq="Q").start_time
    return pd.Timestamp(f"{label}-01" if "-" in label else f"{label}-01-01")


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "series_id"),
    [("m3_yearly", "N0001"), ("m3_quarterly", "N0646"), ("m3_monthly", "N1402")],
)
def test_when_m3_series_is_loaded_then_values_and_dates_match_the_raw_rows(
    load: Loader, data_dir: Path, name: str, series_id: str
) -> None:
    dataset = load(name)
    raw = _mcomp_raw(data_dir, "m3", series_id)
    for part, frame in (("train", dataset.train), ("test", _test_part(dataset))):
        rows = [row for row in raw if row[1] == part]
        series = _series(frame, series_id)
        assert series[TARGET].tolist() == [float(row[4]) for row in rows]
        assert series[TIMESTAMP].tolist() == [_label_start(row[3]) for row in rows]


@pytest.mark.shared_data
def test_when_m3_labels_have_no_real_year_then_calendar_is_synthetic(
    load: Loader, data_dir: Path
) -> None:
    monthly = load("m3_monthly")
    assert "N2801" in monthly.metadata["synthetic_calendar_series"]
    assert len(monthly.metadata["synthetic_calendar_series"]) == 29
    n2801 = _series(monthly.train, "N2801")
    assert n2801[TIMESTAMP].iloc[0] == pd.Timestamp("1970-01-01")
    assert n2801[TARGET].iloc[0] == float(_mcomp_raw(data_dir, "m3", "N2801")[0][4])

    other = load("m3_other")
    raw = _mcomp_raw(data_dir, "m3", "N2830")
    series = _series(other.full, "N2830")
    assert series[TARGET].tolist() == [float(row[4]) for row in raw]
    days = (series[TIMESTAMP] - pd.Timestamp("1970-01-01")).dt.days
    assert days.tolist() == list(range(len(raw)))


@pytest.mark.shared_data
def test_when_m4_weekly_is_loaded_then_w1_matches_raw_and_ends_on_anchor(
    load: Loader, data_dir: Path
) -> None:
    dataset = load("m4_weekly")
    folder = data_dir / "m4_weekly"
    raw_train = next(row for row in _csv_rows(folder / "Weekly-train.csv.gz") if row[0] == "W1")
    raw_test = next(row for row in _csv_rows(folder / "Weekly-test.csv") if row[0] == "W1")
    train = _series(dataset.train, "W1")
    assert train[TARGET].tolist() == [float(cell) for cell in raw_train[1:] if cell != ""]
    assert _series(_test_part(dataset), "W1")[TARGET].tolist() == [float(c) for c in raw_test[1:]]
    assert (dataset.train.groupby(ITEM_ID)[TIMESTAMP].max() == pd.Timestamp("2018-12-24")).all()
    assert _test_part(dataset)[TIMESTAMP].min() == pd.Timestamp("2018-12-31")


@pytest.mark.shared_data
def test_when_tourism_monthly_is_loaded_then_header_rows_set_length_and_start(
    load: Loader, data_dir: Path
) -> None:
    dataset = load("tourism_monthly")
    folder = data_dir / "tourism_tcomp"
    raw_in = _csv_columns(folder / "monthly_in.csv")["m1"]
    raw_oos = _csv_columns(folder / "monthly_oos.csv")["m1"]
    length, year, month = (int(float(cell)) for cell in raw_in[:3])
    train = _series(dataset.train, "m1")
    assert len(train) == length
    assert train[TIMESTAMP].iloc[0] == pd.Timestamp(year=year, month=month, day=1)
    assert train[TARGET].tolist() == [float(cell) for cell in raw_in[3 : 3 + length]]
    test = _series(_test_part(dataset), "m1")
    oos_year, oos_month = int(float(raw_oos[1])), int(float(raw_oos[2]))
    assert test[TIMESTAMP].iloc[0] == pd.Timestamp(year=oos_year, month=oos_month, day=1)
    assert test[TARGET].tolist() == [float(cell) for cell in raw_oos[3:27]]


@pytest.mark.shared_data
def test_when_tourism_yearly_has_stray_cells_then_declared_length_wins(
    load: Loader, data_dir: Path
) -> None:
    """Y248..Y326 carry one value far below their declared end; it is not data."""
    dataset = load("tourism_yearly")
    raw = _csv_columns(data_dir / "tourism_tcomp" / "yearly_in.csv")["Y248"]
    declared = int(float(raw[0]))
    series = _series(dataset.train, "Y248")
    assert len(series) == declared
    assert series[TARGET].tolist() == [float(cell) for cell in raw[2 : 2 + declared]]
    assert dataset.metadata["ignored_stray_cells"] == 79
    assert dataset.metadata["start_mismatch_series"] == ["Y18"]


@pytest.mark.shared_data
def test_when_carparts_is_loaded_then_cells_and_nan_survive(load: Loader, data_dir: Path) -> None:
    dataset = load("carparts")
    raw = _csv_columns(data_dir / "carparts" / "carparts_monthly_wide.csv")
    part = _series(dataset.full, "21029664")
    assert part[TIMESTAMP].iloc[0] == pd.Timestamp(raw["month"][0] + "-01")
    _assert_values(part, raw["21029664"])
    raw_nan = sum(cell == "" for name, cells in raw.items() if name != "month" for cell in cells)
    assert dataset.full[TARGET].isna().sum() == raw_nan == 6122
    all_nan = dataset.metadata["all_nan_test_series"]
    test = _test_part(dataset)
    assert test.loc[test[ITEM_ID].isin(all_nan), TARGET].isna().all()
    assert len(all_nan) == 165


@pytest.mark.shared_data
def test_when_hospital_names_repeat_then_ids_keep_every_column(
    load: Loader, data_dir: Path
) -> None:
    dataset = load("hyndman_hospital")
    rows = list(_csv_rows(data_dir / "hyndman_hospital" / "hospital_monthly_wide.csv"))
    positions = [pos for pos, name in enumerate(rows[0]) if name == "TH3"]
    assert len(positions) > 1
    for pos in positions:
        series = _series(dataset.full, f"{pos:03d}_TH3")
        assert series[TARGET].tolist() == [float(row[pos]) for row in rows[1:]]


@pytest.mark.shared_data
def test_when_jewelry_is_loaded_then_52_week_labels_become_consecutive_mondays(
    load: Loader, data_dir: Path
) -> None:
    dataset = load("hyndman_jewelry")
    raw = _csv_columns(data_dir / "hyndman_jewelry" / "jewelry_weekly_wide.csv")
    series = _series(dataset.full, "item_001")
    assert raw["week"][0] == "1998-W05"
    assert series[TIMESTAMP].iloc[0] == pd.Timestamp("1998-01-26")  # Monday of ISO 1998-W05
    assert series[TIMESTAMP].iloc[-1] == pd.Timestamp("2000-06-05")
    _assert_values(series, raw["item_001"])


@pytest.mark.shared_data
def test_when_nn5_is_loaded_then_test_is_the_competition_period(
    load: Loader, data_dir: Path
) -> None:
    dataset = load("nn5_atm_daily")
    raw = _csv_columns(data_dir / "nn5_atm_daily" / "nn5_daily_wide.csv")
    test = _test_part(dataset)
    assert test[TIMESTAMP].min() == pd.Timestamp("1998-03-23")
    assert test[TIMESTAMP].max() == pd.Timestamp("1998-05-17")
    series = _series(dataset.full, "NN5-001")
    _assert_values(series, raw["NN5-001"])
    raw_nan = sum(cell == "" for name, cells in raw.items() if name != "date" for cell in cells)
    assert dataset.full[TARGET].isna().sum() == raw_nan


@pytest.mark.shared_data
def test_when_walmart_is_loaded_then_covariates_are_snake_case_and_match_raw(
    load: Loader, data_dir: Path
) -> None:
    dataset = load("walmart_store_weekly")
    covariates = ["holiday", "temperature", "fuel_price", "cpi", "unemployment"]
    for frame in (dataset.train, _test_part(dataset)):
        assert list(frame.columns) == [ITEM_ID, TIMESTAMP, TARGET, *covariates]
        assert not frame[covariates].isna().any().any()
    raw = list(_csv_rows(data_dir / "walmart_store_weekly" / "Walmart_Store_sales.csv"))
    store, day, sales, holiday, temperature, fuel, cpi, unemployment = raw[2]
    row = dataset.full.loc[
        (dataset.full[ITEM_ID] == f"store_{store}")
        & (dataset.full[TIMESTAMP] == pd.to_datetime(day, format="%d-%m-%Y"))
    ]
    assert len(row) == 1
    assert row[[TARGET, "holiday", "temperature", "fuel_price", "cpi", "unemployment"]].iloc[
        0
    ].tolist() == [
        float(sales),
        int(holiday),
        float(temperature),
        float(fuel),
        float(cpi),
        float(unemployment),
    ]
    assert set(dataset.full.loc[dataset.full["holiday"] == 1, TIMESTAMP].dt.month) == {2, 9, 11, 12}


@pytest.mark.shared_data
def test_when_uci_orders_are_loaded_then_target_is_the_total_column(
    load: Loader, data_dir: Path
) -> None:
    dataset = load("uci_daily_demand_orders")
    path = data_dir / "uci_daily_demand_orders" / "Daily_Demand_Forecasting_Orders.csv"
    rows = list(_csv_rows(path, delimiter=";"))[1:]
    full = dataset.full
    assert full[TARGET].tolist() == [float(row[-1]) for row in rows]
    assert full["day_of_week"].tolist() == [int(row[1]) for row in rows]
    assert full[TIMESTAMP].iloc[0] == pd.Timestamp("1970-01-07")


@pytest.mark.shared_data
def test_when_pbs_and_aus_retail_are_loaded_then_values_match_the_raw_rows(
    load: Loader, data_dir: Path
) -> None:
    folder = data_dir / "tsibbledata_pbs_ausretail"
    pbs = load("pbs")
    raw = pd.read_csv(folder / "PBS.csv.gz")
    row = raw.iloc[0]
    item = f"{row['Concession']}/{row['Type']}/{row['ATC2']}"
    first = pbs.full[pbs.full[ITEM_ID] == item].iloc[0]
    assert str(first[TIMESTAMP].date()) == f"{row['Month']}-01"
    assert first[TARGET] == row["Scripts"]
    retail = load("aus_retail")
    raw = pd.read_csv(folder / "aus_retail.csv.gz")
    last = raw.iloc[-1]
    series = retail.full[retail.full[ITEM_ID] == last["Series ID"]]
    assert series[TARGET].iloc[-1] == last["Turnover"]
    assert str(series[TIMESTAMP].iloc[-1].date()) == f"{last['Month']}-01"
