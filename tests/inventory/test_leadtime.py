from __future__ import annotations

import pandas as pd
import pytest

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.leadtime import estimate_lead_times, lead_time_periods


def _orders() -> pd.DataFrame:
    ordered = pd.Timestamp("2024-01-01 10:00")
    rows = []
    for i, days in enumerate([3, 3, 4, 5, 3, 4]):  # item A at DC1: six orders
        rows.append(("A", "S1", "DC1", ordered + pd.Timedelta(days=7 * i), days))
    for i, days in enumerate([10, 12]):  # item B at DC1: two orders, same supplier
        rows.append(("B", "S1", "DC1", ordered + pd.Timedelta(days=7 * i), days))
    frame = pd.DataFrame(rows, columns=["item_id", "supplier_id", "location_id", "ordered_at", "d"])
    frame["received_at"] = frame["ordered_at"] + pd.to_timedelta(frame.pop("d"), unit="D")
    return frame


def test_when_an_item_has_enough_orders_then_it_gets_its_own_distribution() -> None:
    table = estimate_lead_times(_orders(), min_orders=5)
    own = table.get("A", "DC1")
    assert own.values == (3, 4, 5)
    assert own.probabilities == pytest.approx((0.5, 1 / 3, 1 / 6))
    assert table.source[("A", "DC1")] == "own"


def test_when_an_item_has_few_orders_then_it_pools_with_its_supplier() -> None:
    table = estimate_lead_times(_orders(), min_orders=5)
    assert table.source[("B", "DC1")] == "supplier-location"
    assert table.get("B", "DC1").max == 12
    assert table.get("unknown", "DC9") is table.overall


def test_when_periods_are_weeks_then_lead_times_round_up_to_whole_weeks() -> None:
    assert lead_time_periods(_orders(), period_days=7).tolist() == [1, 1, 1, 1, 1, 1, 2, 2]


def test_when_only_later_receipts_exist_then_the_cutoff_leaves_nothing_and_says_so() -> None:
    with pytest.raises(InventoryInputError, match="at least one received order"):
        estimate_lead_times(_orders(), received_before=pd.Timestamp("2023-01-01"))


def test_when_goods_arrive_before_the_order_then_the_error_says_so() -> None:
    bad = _orders()
    bad.loc[0, "received_at"] = bad.loc[0, "ordered_at"] - pd.Timedelta(days=2)
    with pytest.raises(InventoryInputError, match="received before they were placed"):
        lead_time_periods(bad)
