from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplymind.exceptions import DatasetNotFoundError, RiskInputError
from supplymind.risk.delay.data import (
    check_shipments,
    delay_days,
    load_scms,
    shipments_from_purchase_orders,
)


def _frame(**over: object) -> pd.DataFrame:
    base = {
        "order_id": ["a", "b"],
        "supplier_id": ["S1", "S2"],
        "promised_at": ["2024-01-10", "2024-01-12"],
        "delivered_at": ["2024-01-11", ""],
        "quantity": ["10", "20"],
    }
    base.update(over)
    return pd.DataFrame(base)


def test_when_shipments_are_checked_then_optional_columns_are_added() -> None:
    out = check_shipments(_frame())
    assert out["quantity"].tolist() == [10.0, 20.0]
    assert out["delivered_at"].isna().tolist() == [False, True]
    for col in ("mode", "origin", "destination", "item_id", "value", "weight", "ordered_at"):
        assert col in out.columns
    assert delay_days(out).tolist()[0] == 1.0


@pytest.mark.parametrize(
    ("frame", "kwargs", "words"),
    [
        (_frame().drop(columns="supplier_id"), {}, "missing ['supplier_id']"),
        (_frame(order_id=["a", "a"]), {}, "unique ids"),
        (_frame(promised_at=["2024-01-10", "soon"]), {}, "'promised_at'"),
        (_frame(quantity=["10", "many"]), {}, "'quantity' expected numbers"),
        (_frame(quantity=["10", "-1"]), {}, ">= 0"),
        (_frame(), {"require_outcome": True}, "open orders"),
        (_frame(ordered_at=["2024-01-20", "2024-01-01"]), {}, "not before 'ordered_at'"),
        (_frame(), {"categorical": ("incoterm",)}, "missing ['incoterm']"),
        (_frame(supplier_id=["S1", " "]), {}, "'supplier_id' expected an id"),
    ],
)
def test_when_shipments_are_bad_then_the_error_names_the_field(
    frame: pd.DataFrame, kwargs: dict, words: str
) -> None:
    with pytest.raises(RiskInputError, match="shipments") as info:
        check_shipments(frame, **kwargs)
    assert words in str(info.value)


def test_when_purchase_orders_are_converted_then_lines_become_shipments(
    small_company: dict[str, pd.DataFrame],
) -> None:
    po = small_company["purchase_orders"]
    out = shipments_from_purchase_orders(po)
    assert len(out) == len(po)
    assert out["order_id"].is_unique
    assert out["destination"].isin(["WH01", "WH02"]).all()
    assert out["delivered_at"].isna().sum() == po["received_at"].isna().sum()
    with pytest.raises(RiskInputError, match="purchase_orders"):
        shipments_from_purchase_orders(po.drop(columns="promised_at"))


@pytest.mark.shared_data
def test_when_scms_is_loaded_then_the_late_share_matches_the_readme(shared_data_dir: Path) -> None:
    scms = load_scms(shared_data_dir)
    assert len(scms) == 10_324
    late = (delay_days(scms) > 0).mean()
    assert late == pytest.approx(0.115, abs=0.001)  # "11.5% of rows" in the data README
    assert scms["weight"].notna().mean() > 0.5


def test_when_scms_is_missing_then_the_error_says_where_to_look(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match="SUPPLYMIND_DATA_DIR"):
        load_scms(tmp_path)
