from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import ForecastInputError, ForecastWarning
from supplymind.forecasting.data import (
    check_horizon,
    future_covariates,
    join_series_location,
    prepare_series,
    split_series_location,
)

from .conftest import demand


def test_series_come_out_regular_and_sorted_with_gaps_as_missing_values() -> None:
    frame = demand(n_items=2, n_periods=10).sample(frac=1.0, random_state=0)
    frame = frame.drop(index=frame.index[:3])  # three rows missing somewhere
    series = prepare_series(frame)
    assert series.item_ids == ["sku0", "sku1"]
    assert series.freq == "W-MON"
    assert series.season_length == 52
    assert (
        sum(int(np.isnan(v).sum()) for v in series.values) + sum(10 - len(v) for v in series.values)
        == 3
    )
    assert series.future_index(0, 2)[0] == series.index(0)[-1] + pd.Timedelta(weeks=1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="target"), r"missing \['target'\]"),
        (lambda f: f.iloc[:0], "at least one row"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "duplicates in rows"),
        (
            lambda f: f.assign(target=f["target"].astype(object).where(f.index != 2, "many")),
            r"column 'target': expected numbers, found \['many'\]",
        ),
        (lambda f: f.assign(target=f["target"].where(f.index != 1, np.inf)), "finite numbers"),
        (
            lambda f: f.assign(timestamp=f["timestamp"].astype(str).where(f.index != 0, "soon")),
            "column 'timestamp': expected dates",
        ),
        (
            lambda f: f.assign(
                timestamp=f["timestamp"].where(f.index != 4, pd.Timestamp("2022-01-05"))
            ),
            "timestamps off the .* grid",
        ),
        (
            lambda f: f.assign(target=np.where(f["item_id"] == "sku1", np.nan, f["target"])),
            r"at least one observed value per item, found none for \['sku1'\]",
        ),
        (
            lambda f: f.assign(item_id=f["item_id"].where(f.index != 3, None)),
            "empty cells in rows 4",
        ),
    ],
)
def test_bad_histories_get_clear_errors(change: object, message: str) -> None:
    frame = demand(n_items=2, n_periods=10)
    with pytest.raises(ForecastInputError, match=message):
        prepare_series(change(frame))  # type: ignore[operator]


def test_nan_targets_are_missing_values_not_errors() -> None:
    frame = demand(n_items=1, n_periods=10)
    frame.loc[4, "target"] = np.nan
    series = prepare_series(frame)
    assert np.isnan(series.values[0][4])


def test_given_frequency_must_be_an_alias() -> None:
    with pytest.raises(ForecastInputError, match="freq: expected a pandas frequency"):
        prepare_series(demand(n_items=1, n_periods=5), freq="fortnightly-ish")


@pytest.mark.parametrize("horizon", [0, -3, 2.5, True, "7"])
def test_horizon_must_be_a_positive_whole_number(horizon: object) -> None:
    with pytest.raises(ForecastInputError, match="horizon: expected a positive"):
        check_horizon(horizon)


def test_static_covariates_must_be_constant_per_item() -> None:
    frame = demand(n_items=2, n_periods=6, covariates=True)
    frame.loc[2, "category"] = "Z"
    with pytest.raises(ForecastInputError, match="one static value per item"):
        prepare_series(frame, covariates=["promo"], static=["category"])


def test_future_covariates_must_cover_the_horizon() -> None:
    frame = demand(n_items=2, n_periods=6, covariates=True)
    series = prepare_series(frame, covariates=["promo"], static=["category"])
    future = pd.DataFrame(
        {
            "item_id": ["sku0", "sku0", "sku1"],
            "timestamp": [
                series.future_index(0, 2)[0],
                series.future_index(0, 2)[1],
                series.future_index(1, 2)[0],
            ],
            "promo": [1.0, 0.0, 1.0],
        }
    )
    with pytest.raises(ForecastInputError, match="item 'sku1' lacks values of"):
        future_covariates(series, future, 2)
    full = future_covariates(series, future, 1)
    assert [c.shape for c in full] == [(7, 1), (7, 1)]
    with pytest.raises(ForecastInputError, match="pass their values"):
        future_covariates(series, None, 1)


def test_item_at_location_ids_split_back_to_their_columns() -> None:
    frame = pd.DataFrame(
        {"item_id": ["A", "B@x"], "location_id": ["S1", "S@2"], "target": [1.0, 2.0]}
    )
    joined = join_series_location(frame)
    assert joined["item_id"].tolist() == ["A@S1", "B@x@S@2"]
    assert "location_id" not in joined
    table = joined.assign(mean=[0.5, 0.6])
    back = split_series_location(table)
    assert back.columns.tolist() == ["item_id", "location_id", "target", "mean"]
    # The last separator splits: an item id may hold one, a location id may not.
    assert back["item_id"].tolist() == ["A", "B@x@S"]
    assert back["location_id"].tolist() == ["S1", "2"]
    with pytest.raises(ForecastInputError, match=r"item@location series ids, found \['C'\]"):
        split_series_location(pd.DataFrame({"item_id": ["A@S1", "C"]}))


def frame(item: str, stamps: pd.DatetimeIndex, value: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"item_id": item, "timestamp": stamps, "target": value})


def test_a_file_mixing_frequencies_warns_about_the_coarser_series() -> None:
    """Yearly series in a quarterly file are mostly gaps on the quarterly grid: forecast,
    with a warning naming them; sparse sales days of a daily series do not warn."""
    quarterly = frame("Q", pd.date_range("2000-01-01", periods=12, freq="QS"))
    yearly = frame("Y", pd.date_range("2000-01-01", periods=4, freq="YS"), 2.0)
    message = r"1 items look coarser than the file's QS(-OCT)? grid.*Y \(YS"
    with pytest.warns(ForecastWarning, match=message):
        series = prepare_series(pd.concat([quarterly, yearly]))
    assert series.freq.startswith("QS")
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    sparse = frame("S", days[[0, 1, 5, 9, 20, 33, 59]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare_series(pd.concat([frame("D", days), sparse]))


def test_an_item_off_the_grid_is_told_its_own_frequency() -> None:
    weekly = frame("A", pd.date_range("2024-01-01", periods=10, freq="W-MON"))
    with pytest.raises(ForecastInputError, match=r"its own timestamps look like W-MON"):
        prepare_series(weekly, freq="W")
