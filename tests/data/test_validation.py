"""One test per validation rule, plus the shape of the error message."""

from __future__ import annotations

import pandas as pd
import pytest

from supplymind.data.schema import get_table
from supplymind.data.validation import validate_frame
from supplymind.exceptions import DataValidationError, Problem


def demand(**overrides: list[str]) -> pd.DataFrame:
    base = {
        "item_id": ["A", "B"],
        "location_id": ["DC1", "DC1"],
        "timestamp": ["2024-01-01", "2024-01-02"],
        "target": ["3", "0"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def problems(df: pd.DataFrame, table: str = "demand", **kwargs: object) -> list[Problem]:
    with pytest.raises(DataValidationError) as info:
        validate_frame(df, get_table(table), **kwargs)  # type: ignore[arg-type]
    return info.value.problems


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, found
    return found[0]


def test_when_input_is_valid_then_columns_are_typed_and_in_schema_order() -> None:
    out = validate_frame(demand(), get_table("demand"))
    assert list(out.frame.columns) == get_table("demand").column_names
    assert out.frame["timestamp"].dtype == "datetime64[ns]"
    assert out.frame["target"].tolist() == [3.0, 0.0]
    assert out.present_columns == ["item_id", "location_id", "timestamp", "target"]


def test_when_required_column_is_missing_then_missing_column_problem() -> None:
    p = only(problems(demand().drop(columns="target")))
    assert (p.rule, p.column, p.row) == ("missing_column", "target", None)


def test_when_text_is_in_a_numeric_column_then_type_problem_with_row() -> None:
    p = only(problems(demand(target=["3", "lots"])))
    assert (p.rule, p.column, p.row, p.found) == ("type", "target", 2, "'lots'")


def test_when_integer_column_has_a_fraction_then_type_problem() -> None:
    df = demand(holiday=["1", "0.5"])
    p = only(problems(df))
    assert (p.rule, p.column, p.row) == ("type", "holiday", 2)


def test_when_required_cell_is_empty_then_required_value_problem() -> None:
    p = only(problems(demand(item_id=["A", "  "])))
    assert (p.rule, p.column, p.row) == ("required_value", "item_id", 2)


def test_when_nullable_cell_is_empty_then_it_is_accepted_as_missing() -> None:
    out = validate_frame(demand(target=["", "2"]), get_table("demand"))
    assert pd.isna(out.frame["target"].iloc[0])


def test_when_quantity_is_negative_then_negative_problem() -> None:
    p = only(problems(demand(target=["-1", "2"])))
    assert (p.rule, p.column, p.row) == ("negative", "target", 1)


def test_when_value_is_above_maximum_then_above_maximum_problem() -> None:
    p = only(problems(demand(promotion=["0.2", "1.5"])))
    assert (p.rule, p.column, p.row) == ("above_maximum", "promotion", 2)


def test_when_value_is_not_a_choice_then_choice_problem() -> None:
    df = pd.DataFrame({"location_id": ["X"], "kind": ["shop"], "lat": ["1"], "lon": ["2"]})
    p = only(problems(df, "locations"))
    assert (p.rule, p.column) == ("choice", "kind")
    assert "store" in p.expected


def test_when_timestamp_is_unparseable_then_type_problem() -> None:
    p = only(problems(demand(timestamp=["2024-02-30", "2024-01-02"])))
    assert (p.rule, p.column, p.row) == ("type", "timestamp", 1)


def test_when_time_format_is_given_then_it_is_used() -> None:
    out = validate_frame(
        demand(timestamp=["01/02/2024", "02/02/2024"]), get_table("demand"), time_format="%d/%m/%Y"
    )
    assert out.frame["timestamp"].tolist() == [
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-02-02"),
    ]


def test_when_timestamps_carry_offsets_then_their_local_wall_time_is_stored() -> None:
    """A day stamped at local midnight stays on its day whatever its offset, and offsets
    that change with daylight-saving time read as one clock (as every reader does)."""
    out = validate_frame(
        demand(
            item_id=["A", "A", "A"],
            location_id=["DC1"] * 3,
            target=["1", "2", "3"],
            timestamp=[
                "2024-01-01T00:00:00+08:00",
                "2024-01-02T00:00:00Z",
                "2024-01-03T00:00-05:00",
            ],
        ),
        get_table("demand"),
    )
    assert out.frame["timestamp"].tolist() == list(pd.date_range("2024-01-01", periods=3))


def test_when_key_repeats_then_duplicate_key_names_the_first_row() -> None:
    p = only(problems(demand(item_id=["A", "A"], timestamp=["2024-01-01", "2024-01-01"])))
    assert (p.rule, p.row) == ("duplicate_key", 2)
    assert "already on row 1" in p.found


def test_when_a_key_column_is_missing_then_rows_equal_on_the_rest_are_duplicates() -> None:
    df = demand(item_id=["A", "A"], timestamp=["2024-01-01", "2024-01-01"]).drop(
        columns="location_id"
    )
    found = problems(df)
    assert {p.rule for p in found} == {"missing_column", "duplicate_key"}


def test_when_later_time_precedes_earlier_then_time_order_problem() -> None:
    df = pd.DataFrame(
        {
            "po_id": ["P1"], "item_id": ["A"], "supplier_id": ["SUP1"], "location_id": ["DC1"],
            "ordered_at": ["2024-01-10"], "promised_at": ["2024-01-05"], "received_at": [""],
            "quantity": ["5"],
        }
    )  # fmt: skip
    p = only(problems(df, "purchase_orders"))
    assert (p.rule, p.column, p.row) == ("time_order", "promised_at", 1)


def test_when_foreign_key_is_unknown_then_unknown_key_problem() -> None:
    def lookup(table: str, column: str, kinds: tuple[str, ...] | None) -> set[str]:
        return {"A", "B"} if table == "items" else {"DC1"}

    p = only(problems(demand(item_id=["A", "Z"]), key_lookup=lookup))
    assert (p.rule, p.column, p.row) == ("unknown_key", "item_id", 2)


def test_when_foreign_key_has_kinds_then_lookup_receives_them() -> None:
    seen = []

    def lookup(table: str, column: str, kinds: tuple[str, ...] | None) -> set[str]:
        seen.append(kinds)
        return {"A", "DC1", "SUP1"}

    df = pd.DataFrame(
        {
            "po_id": ["P1"], "item_id": ["A"], "supplier_id": ["SUP1"], "location_id": ["DC1"],
            "ordered_at": ["2024-01-01"], "promised_at": ["2024-01-05"], "received_at": [""],
            "quantity": ["5"],
        }
    )  # fmt: skip
    validate_frame(df, get_table("purchase_orders"), key_lookup=lookup)
    assert ("supplier",) in seen


def test_when_demand_has_extra_numeric_columns_then_they_are_kept_as_covariates() -> None:
    out = validate_frame(demand(temperature=["20.5", ""]), get_table("demand"))
    assert out.extra_columns == ["temperature"]
    assert out.frame["temperature"].iloc[0] == 20.5


def test_when_covariate_is_not_numeric_then_type_problem() -> None:
    p = only(problems(demand(weather=["sunny", "1"])))
    assert (p.rule, p.column) == ("type", "weather")


def test_when_covariate_name_is_not_an_identifier_then_column_name_problem() -> None:
    p = only(problems(demand(**{"bad name": ["1", "2"]})))
    assert p.rule == "column_name"


def test_when_other_tables_have_extra_columns_then_they_are_ignored() -> None:
    df = pd.DataFrame({"item_id": ["A"], "unit_cost": ["1"], "price": ["2"], "colour": ["red"]})
    out = validate_frame(df, get_table("items"))
    assert out.ignored_columns == ["colour"]
    assert out.frame["pack_size"].tolist() == [1]
    assert out.frame["moq"].tolist() == [0]


def test_when_a_column_appears_twice_then_duplicate_column_problem() -> None:
    df = demand()
    df.insert(4, "x", df["target"])
    df.columns = ["item_id", "location_id", "timestamp", "target", "target"]
    assert only(problems(df)).rule == "duplicate_column"


def test_when_bool_cells_vary_then_they_parse_or_fail_per_cell() -> None:
    from supplymind.data.schema import ColumnSpec, TableSchema

    schema = TableSchema(
        "t", "t", (ColumnSpec("k", "string", "k"), ColumnSpec("b", "bool", "b")), key=("k",)
    )
    out = validate_frame(pd.DataFrame({"k": ["1", "2"], "b": ["Yes", "0"]}), schema)
    assert out.frame["b"].tolist() == [True, False]
    with pytest.raises(DataValidationError, match="row 1, column 'b'"):
        validate_frame(pd.DataFrame({"k": ["1"], "b": ["maybe"]}), schema)


def test_when_typed_input_comes_from_parquet_then_it_validates_without_text() -> None:
    df = pd.DataFrame(
        {
            "item_id": ["A"],
            "location_id": ["DC1"],
            "timestamp": pd.to_datetime(["2024-01-01"]),
            "target": [4],
            "holiday": [True],
        }
    )
    out = validate_frame(df, get_table("demand"))
    assert out.frame["holiday"].tolist() == [1]


def test_when_many_rows_fail_then_message_is_capped_but_problems_are_all_kept() -> None:
    n = 50
    df = pd.DataFrame(
        {
            "item_id": [f"I{i}" for i in range(n)],
            "location_id": ["DC1"] * n,
            "timestamp": ["2024-01-01"] * n,
            "target": ["-1"] * n,
        }
    )
    with pytest.raises(DataValidationError) as info:
        validate_frame(df, get_table("demand"))
    assert len(info.value.problems) == n
    message = str(info.value)
    assert "... and 40 more [negative] in column 'target'" in message
    assert message.count("\n") < 15
