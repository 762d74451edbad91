from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.ingest import ingest_frame
from supplymind.data.schema import table_names
from supplymind.data.warehouse import Warehouse, quote


def demand_rows(target: list[str], **extra: list[str]) -> pd.DataFrame:
    n = len(target)
    return pd.DataFrame(
        {
            "item_id": ["A"] * n,
            "location_id": ["DC1"] * n,
            "timestamp": [f"2024-01-{d + 1:02d}" for d in range(n)],
            "target": target,
            **extra,
        }
    )


def test_when_opened_twice_then_schema_creation_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    with Warehouse(path) as wh:
        ingest_frame(
            wh, "items", pd.DataFrame({"item_id": ["A"], "unit_cost": [1.0], "price": [2.0]})
        )
    with Warehouse(f"duckdb:///{path}") as wh:
        assert wh.count("items") == 1
        assert [i.name for i in wh.info()] == table_names()


def test_when_rows_are_upserted_then_new_are_inserted_and_known_updated(
    warehouse: Warehouse,
) -> None:
    first = ingest_frame(warehouse, "demand", demand_rows(["1", "2"]))
    assert (first.inserted, first.updated) == (2, 0)
    second = ingest_frame(warehouse, "demand", demand_rows(["5", "6", "7"]))
    assert (second.inserted, second.updated) == (1, 2)
    assert warehouse.read("demand")["target"].tolist() == [5.0, 6.0, 7.0]


def test_when_optional_column_is_absent_on_update_then_stored_value_is_kept(
    warehouse: Warehouse,
) -> None:
    ingest_frame(warehouse, "demand", demand_rows(["1"], price=["9.5"]))
    ingest_frame(warehouse, "demand", demand_rows(["4"]))
    row = warehouse.read("demand").iloc[0]
    assert (row["target"], row["price"]) == (4.0, 9.5)


def test_when_covariates_arrive_then_a_column_is_added(warehouse: Warehouse) -> None:
    ingest_frame(warehouse, "demand", demand_rows(["1"], temperature=["21.5"]))
    assert "temperature" in warehouse.columns("demand")
    assert warehouse.read("demand")["temperature"].tolist() == [21.5]


def test_when_the_write_fails_midway_then_nothing_is_kept(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_frame(warehouse, "demand", demand_rows(["1"]))
    before = warehouse.read("demand")

    def boom(*args: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(warehouse.backend, "upsert", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_frame(warehouse, "demand", demand_rows(["7", "8"], promo_depth=["0.1", "0"]))
    monkeypatch.undo()
    pd.testing.assert_frame_equal(warehouse.read("demand"), before)
    assert "promo_depth" not in warehouse.columns("demand")


def test_keys_are_filtered_by_kind(warehouse: Warehouse) -> None:
    assert warehouse.keys("locations", "location_id") == {"DC1", "S1", "SUP1"}
    assert warehouse.keys("locations", "location_id", ("supplier",)) == {"SUP1"}


def test_info_reports_rows_and_date_range(warehouse: Warehouse) -> None:
    ingest_frame(warehouse, "demand", demand_rows(["1", "2", "3"]))
    info = {i.name: i for i in warehouse.info()}
    assert info["demand"].rows == 3
    assert info["demand"].first == pd.Timestamp("2024-01-01")
    assert info["demand"].last == pd.Timestamp("2024-01-03")
    assert info["inventory"].rows == 0


def test_when_table_is_empty_then_require_names_the_ingest_command(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError, match="supplymind ingest inventory FILE"):
        warehouse.require("inventory")


def test_when_identifier_is_not_plain_then_quote_refuses_it() -> None:
    with pytest.raises(ValueError, match="identifier"):
        quote('x"; DROP TABLE items; --')


def test_sqlalchemy_backend_gives_the_same_upsert_semantics(tmp_path: Path) -> None:
    """The SQLAlchemy seam: a non-DuckDB URL (SQLite here) behaves like the DuckDB default."""
    results = {}
    for url in (f"sqlite:///{tmp_path / 'wh.sqlite'}", str(tmp_path / "wh.duckdb")):
        with Warehouse(url) as wh:
            ingest_frame(
                wh, "items", pd.DataFrame({"item_id": ["A"], "unit_cost": [1.0], "price": [2.0]})
            )
            ingest_frame(
                wh,
                "locations",
                pd.DataFrame(
                    {"location_id": ["DC1"], "kind": ["warehouse"], "lat": [1], "lon": [2]}
                ),
            )
            ingest_frame(wh, "demand", demand_rows(["1", "2"], price=["3", "3"]))
            second = ingest_frame(wh, "demand", demand_rows(["5", "6", "7"], temp=["1", "2", "3"]))
            frame = wh.read("demand")
            frame["timestamp"] = pd.to_datetime(frame["timestamp"])
            results[url] = (second.inserted, second.updated, frame)
    (a_ins, a_upd, a), (b_ins, b_upd, b) = results.values()
    assert (a_ins, a_upd) == (b_ins, b_upd) == (1, 2)
    cols = ["item_id", "timestamp", "target", "price", "temp"]
    pd.testing.assert_frame_equal(
        a[cols].astype({"item_id": str}), b[cols].astype({"item_id": str}), check_dtype=False
    )
