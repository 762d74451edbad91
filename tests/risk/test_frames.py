from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.frames import check_series, period_days, read_series, season_length_for


def test_when_series_are_checked_then_they_are_sorted_typed_and_gaps_dropped() -> None:
    frame = pd.DataFrame(
        {
            "item_id": [2, 1, 1],
            "timestamp": ["2024-01-02", "2024-01-02", "2024-01-01"],
            "target": ["-1.5", "", "3"],
            "other": [0, 0, 0],
        }
    )
    out = check_series(frame)
    assert list(out.columns) == ["item_id", "timestamp", "target"]
    assert out["item_id"].tolist() == ["1", "2"]
    assert out["target"].tolist() == [3.0, -1.5]  # negative KPIs are fine, gaps dropped
    assert out["timestamp"].dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (pd.DataFrame({"item_id": ["a"], "timestamp": ["2024-01-01"]}), "missing ['target']"),
        (pd.DataFrame({"item_id": ["a"], "timestamp": ["someday"], "target": [1]}), "'timestamp'"),
        (pd.DataFrame({"item_id": ["a"], "timestamp": ["2024-01-01"], "target": ["x"]}), "['x']"),
        (
            pd.DataFrame({"item_id": ["a"], "timestamp": ["2024-01-01"], "target": [np.inf]}),
            "finite",
        ),
        (
            pd.DataFrame(
                {"item_id": ["a", "a"], "timestamp": ["2024-01-01"] * 2, "target": [1, 2]}
            ),
            "duplicates in rows [1, 2]",
        ),
        (
            pd.DataFrame({"item_id": [None], "timestamp": ["2024-01-01"], "target": [1]}),
            "'item_id'",
        ),
        (pd.DataFrame(columns=["item_id", "timestamp", "target"]), "at least one row"),
    ],
)
def test_when_series_are_bad_then_the_error_names_the_field(
    frame: pd.DataFrame, words: str
) -> None:
    with pytest.raises(RiskInputError, match="series") as info:
        check_series(frame)
    assert words in str(info.value)


def test_when_a_file_has_no_id_column_then_it_is_one_series_named_after_it(tmp_path: Path) -> None:
    path = tmp_path / "latency.csv"
    path.write_text("day,ms\n2024-01-01,3\n2024-01-02,4\n")
    out = read_series(path, time_col="day", target_col="ms")
    assert out["item_id"].unique().tolist() == ["latency"]


def test_when_spacing_is_known_then_the_season_follows() -> None:
    half_hours = pd.date_range("2024-01-01", periods=10, freq="30min")
    assert period_days(half_hours) == pytest.approx(1 / 48)
    assert season_length_for(1 / 48) == 48
    assert season_length_for(1.0) == 7
    assert season_length_for(7.0) == 52
    assert season_length_for(30.4) == 12
    assert season_length_for(91.0) == 4
    assert season_length_for(365.0) == 1
    with pytest.raises(RiskInputError, match="period_days"):
        season_length_for(0.0)
