from __future__ import annotations

import pytest

from supplymind.data.schema import TABLES, ColumnSpec, ForeignKey, TableSchema, get_table


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "decimal"}, "ColumnSpec.kind"),
        ({"kind": "float", "choices": ("a",)}, "only string columns"),
        ({"kind": "float", "minimum": 2.0, "maximum": 1.0}, "minimum 2.0 is above maximum 1.0"),
    ],
)
def test_when_column_spec_is_inconsistent_then_value_error_names_the_rule(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ColumnSpec("x", description="x", **kwargs)  # type: ignore[arg-type]


def test_when_key_names_an_unknown_column_then_value_error() -> None:
    with pytest.raises(ValueError, match="unknown column 'nope'"):
        TableSchema("t", "t", (ColumnSpec("a", "string", "a"),), key=("nope",))


def test_when_ordered_pair_is_not_timestamps_then_value_error() -> None:
    cols = (ColumnSpec("a", "string", "a"), ColumnSpec("b", "timestamp", "b"))
    with pytest.raises(ValueError, match="must be a timestamp"):
        TableSchema("t", "t", cols, key=("a",), ordered=(("a", "b"),))


def test_when_table_is_unknown_then_error_lists_known_tables() -> None:
    with pytest.raises(ValueError, match=r"expected one of .*'items'.*found 'itmes'"):
        get_table("itmes")


def test_every_table_has_a_required_non_nullable_key_and_documented_columns() -> None:
    assert set(TABLES) == {
        "items", "locations", "demand", "inventory", "purchase_orders",
        "delivery_orders", "feedback",
    }  # fmt: skip
    for table in TABLES.values():
        for name in table.key:
            column = table.column(name)
            assert column.required, (table.name, name)
            assert not column.nullable, (table.name, name)
        assert all(c.description for c in table.columns)


def test_foreign_keys_point_at_declared_tables_and_columns() -> None:
    for table in TABLES.values():
        for fk in table.foreign_keys:
            assert isinstance(fk, ForeignKey)
            assert TABLES[fk.table].has_column(fk.ref_column)


def test_forecasting_contract_columns_are_in_the_demand_table() -> None:
    demand = get_table("demand")
    assert demand.column_names[:4] == ["item_id", "location_id", "timestamp", "target"]
    assert demand.allow_extra_numeric
