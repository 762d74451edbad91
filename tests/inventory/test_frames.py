from __future__ import annotations

import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.frames import (
    check_forecast,
    check_history,
    infer_frequency,
    quantile_columns,
    read_history,
)


def _frame(**changes: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "item_id": ["A", "A", "B"],
        "timestamp": ["2024-01-01", "2024-01-02", "2024-01-01"],
        "target": ["1", "", "3.5"],
    }
    base.update(changes)
    return pd.DataFrame(base)


def test_when_history_is_valid_then_it_is_typed_sorted_and_keeps_gaps() -> None:
    out = check_history(_frame())
    assert out["target"].isna().sum() == 1
    assert str(out["timestamp"].dtype) == "datetime64[ns]"


@pytest.mark.parametrize(
    ("frame", "named"),
    [
        (_frame().drop(columns="target"), "missing \\['target'\\]"),
        (_frame(target=["1", "-2", "3"]), "demand >= 0"),
        (_frame(target=["1", "x", "3"]), "expected numbers"),
        (_frame(timestamp=["2024-01-01", "soon", "2024-01-01"]), "timestamp"),
        (
            _frame(timestamp=["2024-01-01", "2024-01-01", "2024-01-01"]),
            "duplicates in rows \\[1, 2\\]",
        ),
    ],
)
def test_when_history_is_bad_then_the_error_names_column_and_rows(
    frame: pd.DataFrame, named: str
) -> None:
    with pytest.raises(InventoryInputError, match=named):
        check_history(frame)


def test_when_columns_have_other_names_then_they_are_mapped(
    tmp_path: pytest.TempPathFactory,
) -> None:
    path = tmp_path / "sales.csv"  # type: ignore[operator]
    path.write_text("sku,day,qty\nA,2024-01-01,3\nA,2024-01-02,4\n")
    out = read_history(path, id_col="sku", time_col="day", target_col="qty")
    assert out["target"].tolist() == [3.0, 4.0]


def test_when_frequencies_are_inferred_then_period_lengths_follow() -> None:
    assert infer_frequency(pd.date_range("2024-01-01", periods=10, freq="D")) == ("D", 1.0)
    alias, days = infer_frequency(pd.date_range("2024-01-01", periods=10, freq="W-MON"))
    assert (alias, days) == ("W-MON", 7.0)
    assert infer_frequency(pd.date_range("2020-01-01", periods=10, freq="MS"))[0] == "MS"


def test_when_a_forecast_has_quantile_columns_then_they_are_found_by_level() -> None:
    frame = pd.DataFrame(
        {"item_id": ["A"], "timestamp": ["2024-01-01"], "mean": [2.0], "0.9": [4.0], "0.1": [1.0]}
    )
    assert quantile_columns(frame) == [(0.1, "0.1"), (0.9, "0.9")]
    assert list(check_forecast(frame).columns) == ["item_id", "timestamp", "0.1", "0.9", "mean"]
    with pytest.raises(InventoryInputError, match="at least two quantile"):
        check_forecast(frame.drop(columns="0.9"))
