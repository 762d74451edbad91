"""Tests of the held-out split and the real pretraining series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.data.datasets import ITEM_ID, TARGET, TIMESTAMP, TimeSeriesDataset, list_datasets
from supplymind.data.datasets import load_dataset as _load_dataset
from supplymind.exceptions import DatasetNotFoundError, SupplyMindWarning
from supplymind.training.corpus.real import (
    LATER_DATASETS,
    MIN_OBSERVED,
    PRETRAINING_DATASETS,
    heldout_ids,
    load_heldout,
    load_pretraining_by_dataset,
    load_pretraining_series,
    load_validation,
    pretraining_series,
)

IDS = [f"item_{i}" for i in range(10_000)]


def test_when_split_is_computed_then_it_matches_the_recorded_answer() -> None:
    """Golden values: a change here would mix evaluation series into old corpora."""
    ids = ["N1402", "N1403", "N1404", "N1405", "N1406", "N1407", "N1408", "N1409"]
    assert heldout_ids("m3_monthly", ids) == {"N1403", "N1405", "N1406", "N1408", "N1409"}
    assert heldout_ids("m3_yearly", ids) == {"N1405", "N1406", "N1407"}


def test_when_asked_about_a_subset_then_same_answer_as_for_the_whole() -> None:
    whole = heldout_ids("demo", IDS)
    subset = IDS[::7]
    assert heldout_ids("demo", subset) == whole & set(subset)
    assert heldout_ids("demo", reversed(IDS)) == whole


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.8])
def test_when_many_ids_then_held_out_share_is_close_to_the_fraction(fraction: float) -> None:
    share = len(heldout_ids("demo", IDS, fraction)) / len(IDS)
    assert share == pytest.approx(fraction, abs=0.02)


def test_when_fraction_grows_then_held_out_set_only_grows() -> None:
    assert heldout_ids("demo", IDS, 0.3) <= heldout_ids("demo", IDS, 0.5)
    assert heldout_ids("demo", IDS, 0.0) == set()
    assert heldout_ids("demo", IDS, 1.0) == set(IDS)


@pytest.mark.parametrize("fraction", [-0.1, 1.5, float("nan")])
def test_when_fraction_out_of_range_then_value_error_names_it(fraction: float) -> None:
    with pytest.raises(ValueError, match="heldout_fraction"):
        heldout_ids("demo", IDS, fraction)


def _toy_dataset() -> TimeSeriesDataset:
    """Four series: one with NaN edges, one too short, test values all 1e6."""
    rows = []
    train_values = {
        "a": [np.nan, 1.0, 2.0, np.nan, 4.0, 5.0, 6.0, np.nan],
        "b": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        "c": [np.nan, np.nan, 1.0, 2.0, np.nan, np.nan, np.nan, np.nan],
        "d": [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0],
    }
    for item, values in train_values.items():
        for t, value in enumerate([*values, 1e6, 1e6]):
            rows.append((item, pd.Timestamp("2020-01-01") + pd.Timedelta(days=t), value, t >= 8))
    frame = pd.DataFrame(rows, columns=[ITEM_ID, TIMESTAMP, TARGET, "is_test"])
    train = frame.loc[~frame["is_test"], [ITEM_ID, TIMESTAMP, TARGET]].reset_index(drop=True)
    test = frame.loc[frame["is_test"], [ITEM_ID, TIMESTAMP, TARGET]].reset_index(drop=True)
    return TimeSeriesDataset("toy", train, test, freq="D", season_length=7, horizon=2)


def test_when_pretraining_series_taken_then_train_part_only_without_held_out_series() -> None:
    dataset = _toy_dataset()
    series = pretraining_series(dataset, heldout_fraction=0.0)
    assert list(series) == ["a", "b", "d"]  # "c" has fewer than MIN_OBSERVED values
    assert MIN_OBSERVED > 2
    np.testing.assert_array_equal(series["a"], [1.0, 2.0, np.nan, 4.0, 5.0, 6.0])
    assert all(value.dtype == np.float32 for value in series.values())
    assert all(np.nanmax(value) < 1e6 for value in series.values())  # no test value
    held = heldout_ids("toy", ["a", "b", "c", "d"], 0.5)
    assert set(pretraining_series(dataset, 0.5)) == {"a", "b", "d"} - held


def test_when_data_folder_is_absent_then_warning_lists_the_skipped_datasets(
    tmp_path: Path,
) -> None:
    with pytest.warns(SupplyMindWarning, match=r"carparts.*m4_weekly"):
        series = load_pretraining_series(["carparts", "m4_weekly"], data_dir=tmp_path)
    assert series == []
    with pytest.raises(DatasetNotFoundError):
        load_heldout("carparts", data_dir=tmp_path)


def test_when_dataset_name_is_unknown_then_value_error_names_it() -> None:
    with pytest.raises(ValueError, match="no_such_data"):
        load_pretraining_series(["no_such_data"])
    with pytest.raises(TypeError, match="names"):
        load_pretraining_series("carparts")


def test_when_registry_is_listed_then_pretraining_uses_all_but_the_single_series_dataset() -> None:
    later = set(LATER_DATASETS)
    assert set(PRETRAINING_DATASETS) == set(list_datasets()) - {"uci_daily_demand_orders"} - later
    assert later <= set(list_datasets())


# --- on the real data -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data_dir: Path) -> dict[str, dict[str, np.ndarray]]:
    return load_pretraining_by_dataset(PRETRAINING_DATASETS, data_dir=shared_data_dir)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", PRETRAINING_DATASETS)
def test_when_real_dataset_split_then_disjoint_close_to_half_and_train_part_only(
    name: str, real: dict[str, dict[str, np.ndarray]], shared_data_dir: Path
) -> None:
    dataset = _load_dataset(name, shared_data_dir)
    every = set(dataset.full[ITEM_ID])
    held = heldout_ids(name, every)
    pretraining = real[name]
    assert not held & set(pretraining)
    assert set(pretraining) <= every - held
    # Binomial spread of the share is 0.5 / sqrt(n); allow four of it.
    assert len(held) / len(every) == pytest.approx(0.5, abs=4 * 0.5 / np.sqrt(len(every)))
    train = dict(tuple(dataset.train.groupby(ITEM_ID)[TARGET]))
    for item_id, values in pretraining.items():
        part = train[item_id].to_numpy(np.float64)
        observed = np.flatnonzero(~np.isnan(part))
        expected = part[observed[0] : observed[-1] + 1].astype(np.float32)
        assert values.size <= part.size
        np.testing.assert_array_equal(values, expected)


@pytest.mark.shared_data
def test_when_held_out_dataset_loaded_then_exactly_the_held_out_series_with_both_parts(
    shared_data_dir: Path, real: dict[str, dict[str, np.ndarray]]
) -> None:
    for name in ("hyndman_jewelry", "tourism_quarterly", "m3_yearly"):
        full = _load_dataset(name, shared_data_dir)
        heldout = load_heldout(name, data_dir=shared_data_dir)
        assert heldout.test is not None
        ids = set(heldout.train[ITEM_ID]) | set(heldout.test[ITEM_ID])
        assert ids == heldout_ids(name, full.full[ITEM_ID])
        assert set(heldout.test[ITEM_ID]) == ids
        assert not ids & set(real[name])
        assert heldout.metadata["n_series"] == heldout.n_series == len(ids)
        assert heldout.metadata["heldout"]["n_series_in_dataset"] == full.n_series
        assert (heldout.freq, heldout.horizon) == (full.freq, full.horizon)
    # Id-keyed metadata is restricted to the held-out series too.
    assert set(heldout.metadata["series_category"]) == ids


@pytest.mark.shared_data
def test_when_validation_part_loaded_then_it_is_the_complement_of_the_held_out_part(
    shared_data_dir: Path, real: dict[str, dict[str, np.ndarray]]
) -> None:
    for name in ("hyndman_jewelry", "m3_yearly"):
        full = _load_dataset(name, shared_data_dir)
        heldout = load_heldout(name, data_dir=shared_data_dir)
        validation = load_validation(name, data_dir=shared_data_dir)
        assert validation.test is not None
        ids = set(validation.train[ITEM_ID]) | set(validation.test[ITEM_ID])
        held = set(heldout.train[ITEM_ID])
        assert not ids & held
        assert ids | held == set(full.full[ITEM_ID])
        # The backbone saw the train parts of these series, never their test parts.
        assert set(real[name]) <= ids
        assert validation.metadata["heldout"]["part"] == "validation"
        assert heldout.metadata["heldout"]["part"] == "heldout"
        assert validation.metadata["n_series"] == len(ids)
