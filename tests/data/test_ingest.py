from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.ingest import column_mapping, ingest_file, read_table_file
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import DataValidationError

PLANTED = """item_id,timestamp,target,price
A,2024-01-01,4,2.0
A,2024-01-02,lots,2.0
B,2024-01-01,3,1.0
B,2024-01-01,2,1.0
C,2024-01-03,-5,1.5
C,2024-01-32,1,1.5
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def snapshot(wh: Warehouse) -> dict[str, pd.DataFrame]:
    return {t: wh.read(t) for t in ("items", "locations", "demand")}


def test_when_file_has_five_planted_faults_then_one_error_names_all_and_nothing_changes(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """Missing column, text in a numeric column, duplicate key, negative demand, bad date."""
    good = write(tmp_path, "good.csv", "item_id,location_id,timestamp,target\nA,DC1,2023-12-31,1\n")
    ingest_file(warehouse, "demand", good)
    before = snapshot(warehouse)
    path = write(tmp_path, "planted.csv", PLANTED)

    with pytest.raises(DataValidationError) as info:
        ingest_file(warehouse, "demand", path)

    found = {(p.rule, p.column, p.row) for p in info.value.problems}
    assert ("missing_column", "location_id", None) in found
    assert ("type", "target", 2) in found
    assert ("duplicate_key", "(item_id, timestamp)", 4) in found
    assert ("negative", "target", 5) in found
    assert ("type", "timestamp", 6) in found
    message = str(info.value)
    for fragment in (
        "column 'location_id'",
        "row 2, column 'target'",
        "row 4, column '(item_id, timestamp)'",
        "row 5, column 'target'",
        "row 6, column 'timestamp'",
        str(path),
        "nothing was written",
    ):
        assert fragment in message
    after = snapshot(warehouse)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame)


def test_when_the_same_file_is_ingested_twice_then_rows_are_not_duplicated(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    rows = "\n".join(f"A,DC1,2024-01-{d:02d},{d}" for d in range(1, 29))
    path = write(tmp_path, "d.csv", "item_id,location_id,timestamp,target\n" + rows + "\n")
    first = ingest_file(warehouse, "demand", path)
    second = ingest_file(warehouse, "demand", path)
    assert (first.inserted, second.inserted, second.updated) == (28, 0, 28)
    assert warehouse.count("demand") == 28


def test_when_columns_have_other_names_then_id_time_target_options_map_them(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = write(tmp_path, "m.csv", "sku,loc,date,sales\nA,DC1,2024-01-01,7\n")
    mapping = column_mapping(
        id_col="sku", time_col="date", target_col="sales", rename={"loc": "location_id"}
    )
    ingest_file(warehouse, "demand", path, mapping=mapping)
    assert warehouse.read("demand")[["item_id", "target"]].values.tolist() == [["A", 7.0]]


def test_when_mapped_column_is_absent_then_error_names_it(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = write(tmp_path, "m.csv", "item_id,location_id,timestamp,target\nA,DC1,2024-01-01,7\n")
    with pytest.raises(DataValidationError, match="a column named 'sku'"):
        ingest_file(warehouse, "demand", path, mapping=column_mapping(id_col="sku"))


def test_when_item_is_unknown_then_ingest_fails_unless_checks_are_off(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = write(tmp_path, "u.csv", "item_id,location_id,timestamp,target\nZZ,DC1,2024-01-01,1\n")
    with pytest.raises(DataValidationError, match=r"row 1, column 'item_id'.*items\.item_id"):
        ingest_file(warehouse, "demand", path)
    ingest_file(warehouse, "demand", path, check_foreign_keys=False)
    assert warehouse.count("demand") == 1


def test_when_file_is_parquet_then_typed_columns_are_ingested(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    frame = pd.DataFrame(
        {
            "item_id": ["A", "B"],
            "location_id": ["DC1", "DC1"],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-01-01"]),
            "on_hand": [5.0, 0.0],
        }
    )
    path = tmp_path / "inv.parquet"
    frame.to_parquet(path)
    result = ingest_file(warehouse, "inventory", path)
    assert result.inserted == 2
    assert warehouse.read("inventory")["on_order"].tolist() == [0.0, 0.0]


def test_when_file_is_missing_or_of_unknown_kind_then_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="expected an existing CSV or Parquet file"):
        read_table_file(tmp_path / "nope.csv")
    odd = write(tmp_path, "x.xlsx", "")
    with pytest.raises(ValueError, match=r"expected a name ending in .*found 'x.xlsx'"):
        read_table_file(odd)


def test_when_csv_uses_semicolons_then_sep_reads_it(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "item_id;unit_cost;price\nA;1;2\n")
    assert read_table_file(path, sep=";").columns.tolist() == ["item_id", "unit_cost", "price"]


def test_when_csv_cells_look_numeric_or_empty_then_text_is_kept_verbatim(tmp_path: Path) -> None:
    """Identifiers such as '007' stay text and empty cells stay missing (no type guessing)."""
    path = write(tmp_path, "t.csv", "item_id,unit_cost,price,launched_at\n007,1,,NaT\n")
    frame = read_table_file(path)
    assert frame["item_id"].tolist() == ["007"]
    assert frame[["price", "launched_at"]].isna().all(axis=None)


def test_when_feedback_is_ingested_then_personal_data_is_redacted_before_storing(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    text = (
        "feedback_id,timestamp,language,text\n"
        'F1,2024-01-01,en,"Late again, call me at 555-123-4567 or mail jo@example.com"\n'
        "F2,2024-01-02,zh,快递太慢了，我的手机号13812345678\n"
        "F3,2024-01-03,en,Box arrived damaged\n"
    )
    result = ingest_file(warehouse, "feedback", write(tmp_path, "f.csv", text))
    assert result.redacted == 2
    stored = warehouse.read("feedback").set_index("feedback_id")["text"]
    assert stored["F1"] == "Late again, call me at [PHONE] or mail [EMAIL]"
    assert stored["F2"] == "快递太慢了，我的手机号[PHONE]"
    assert stored["F3"] == "Box arrived damaged"
    assert not stored.str.contains("555-123|example.com|138123", regex=True).any()
