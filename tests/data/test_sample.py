"""Tests of the synthetic sample company generator."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd
import pytest

from supplymind.data.sample import (
    SampleCompanyConfig,
    generate_sample_company,
    sample_ground_truth,
)
from supplymind.data.schema import TABLES, TableSchema

SMALL = SampleCompanyConfig(
    seed=11, n_items=30, n_stores=8, n_suppliers=4, n_days=120, n_feedback=60
)


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return generate_sample_company(SMALL)


@pytest.fixture(scope="module")
def truth() -> dict[str, pd.DataFrame]:
    return sample_ground_truth(SMALL)


def _check_schema(tables: dict[str, pd.DataFrame]) -> None:
    """Assert every rule of the data model on generated tables."""
    assert sorted(tables) == sorted(TABLES)
    for name, schema in TABLES.items():
        df = tables[name]
        assert list(df.columns) == schema.column_names, name
        assert len(df) > 0 or name == "feedback", name
        _check_columns(df, schema)
        assert not df.duplicated(list(schema.key)).any(), f"{name}: duplicate keys"
        for earlier, later in schema.ordered:
            both = df[earlier].notna() & df[later].notna()
            assert (df.loc[both, later] >= df.loc[both, earlier]).all(), (name, earlier, later)
        for fk in schema.foreign_keys:
            ref = tables[fk.table]
            if fk.ref_kinds is not None:
                ref = ref[ref["kind"].isin(fk.ref_kinds)]
            values = df[fk.column].dropna()
            assert values.isin(ref[fk.ref_column]).all(), (name, fk.column)


def _check_columns(df: pd.DataFrame, schema: TableSchema) -> None:
    for spec in schema.columns:
        col = df[spec.name]
        where = f"{schema.name}.{spec.name}"
        if spec.kind == "string":
            assert pd.api.types.is_string_dtype(col.dtype) or col.dtype == object, where
            assert col.dropna().map(type).eq(str).all(), where
        elif spec.kind == "float":
            assert col.dtype == np.float64, where
        elif spec.kind == "int":
            assert col.dtype == np.int64, where
        elif spec.kind == "timestamp":
            assert col.dtype == np.dtype("datetime64[ns]"), where
        if not spec.nullable:
            assert col.notna().all(), where
        if spec.minimum is not None:
            assert (col.dropna() >= spec.minimum).all(), where
        if spec.maximum is not None:
            assert (col.dropna() <= spec.maximum).all(), where
        if spec.choices is not None:
            assert col.dropna().isin(spec.choices).all(), where


def test_when_same_seed_then_identical_tables(company: dict[str, pd.DataFrame]) -> None:
    again = generate_sample_company(SMALL)
    for name, df in company.items():
        pd.testing.assert_frame_equal(df, again[name], check_exact=True)


def test_when_seed_differs_then_demand_differs(company: dict[str, pd.DataFrame]) -> None:
    other = generate_sample_company(
        SampleCompanyConfig(
            seed=12, n_items=30, n_stores=8, n_suppliers=4, n_days=120, n_feedback=60
        )
    )
    assert not company["demand"]["target"].equals(other["demand"]["target"])
    assert not company["locations"]["lat"].equals(other["locations"]["lat"])


def test_when_generated_then_every_schema_rule_holds(company: dict[str, pd.DataFrame]) -> None:
    _check_schema(company)


def test_when_default_config_then_fast_and_valid() -> None:
    """The default company (300 items, two years) builds in seconds and obeys the schema."""
    began = time.perf_counter()
    tables = generate_sample_company()
    assert time.perf_counter() - began < 20.0
    _check_schema(tables)
    kinds = tables["locations"]["kind"].value_counts()
    assert kinds.to_dict() == {"store": 50, "supplier": 8, "warehouse": 2}
    assert len(tables["items"]) == 300
    assert tables["items"]["category"].nunique() == 8
    assert len(tables["feedback"]) == 400
    assert tables["demand"]["timestamp"].nunique() == 730


def test_when_progress_given_then_each_stage_reported() -> None:
    messages: list[str] = []
    generate_sample_company(SMALL, progress=messages.append)
    assert messages[0] == "locations"
    assert "feedback" in messages


def test_when_demand_generated_then_whole_units_daily_per_warehouse(
    company: dict[str, pd.DataFrame],
) -> None:
    demand = company["demand"]
    target = demand["target"]
    assert (target == np.round(target)).all()
    warehouses = company["locations"].query("kind == 'warehouse'")["location_id"]
    assert set(demand["location_id"]) == set(warehouses)
    days = demand["timestamp"].drop_duplicates().sort_values()
    assert (days.diff().dropna() == pd.Timedelta(days=1)).all()
    assert days.iloc[0] == pd.Timestamp(SMALL.start)


def test_when_item_is_intermittent_then_mostly_zeros(
    company: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame]
) -> None:
    demand = company["demand"].merge(company["items"][["item_id", "launched_at"]])
    sold = demand[demand["timestamp"] >= demand["launched_at"]]
    zeros = sold.groupby("item_id")["target"].apply(lambda s: (s == 0).mean())
    slow = truth["items"].set_index("item_id")["intermittent"].reindex(zeros.index)
    assert slow.sum() == round(0.2 * SMALL.n_items)
    assert zeros[slow].mean() > 0.5
    assert zeros[~slow].mean() < 0.15


def test_when_grouped_by_weekday_then_weekend_peak(company: dict[str, pd.DataFrame]) -> None:
    demand = company["demand"]
    by_day = demand.groupby(demand["timestamp"].dt.day_of_week)["target"].mean()
    assert by_day[[4, 5, 6]].mean() > 1.08 * by_day[[0, 1, 2]].mean()


def test_when_promoted_then_demand_lifts(
    company: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame]
) -> None:
    regular = truth["items"].query("not intermittent")["item_id"]
    demand = company["demand"][company["demand"]["item_id"].isin(regular)]
    means = demand.groupby(["item_id", demand["promotion"] > 0])["target"].mean().unstack()
    ratio = (means[True] / means[False]).dropna()
    assert len(ratio) >= 10
    assert ratio.median() > 1.2
    promoted = demand[demand["promotion"] > 0].merge(
        company["items"][["item_id", "price"]], on="item_id", suffixes=("", "_regular")
    )
    assert (promoted["price"] < promoted["price_regular"]).all()


def test_when_holiday_then_flagged(company: dict[str, pd.DataFrame]) -> None:
    flags = company["demand"].groupby("timestamp")["holiday"].first()
    assert flags[pd.Timestamp("2023-01-22")] == 1  # Chinese New Year
    assert flags[pd.Timestamp("2023-05-01")] == 1  # Labour Day
    assert flags[pd.Timestamp("2023-03-15")] == 0


def test_when_item_launches_or_ends_then_demand_follows_lifecycle(
    company: dict[str, pd.DataFrame],
) -> None:
    items = company["items"]
    demand = company["demand"].merge(items[["item_id", "launched_at", "discontinued_at"]])
    assert (demand.loc[demand["timestamp"] < demand["launched_at"], "target"] == 0).all()
    assert not (demand["timestamp"] > demand["discontinued_at"]).any()
    start = pd.Timestamp(SMALL.start)
    assert (items["launched_at"] > start).any()
    assert items["discontinued_at"].notna().any()


def test_when_supplier_unreliable_then_longer_delays(
    company: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame]
) -> None:
    orders = company["purchase_orders"].merge(
        truth["suppliers"], on="supplier_id", suffixes=("", "_usual")
    )
    done = orders[orders["received_at"].notna()]
    delay = (done["received_at"] - done["promised_at"]).dt.total_seconds() / 86_400
    by_flag = delay.groupby(done["unreliable"]).mean()
    assert by_flag[True] > by_flag[False] + 1.0
    assert truth["suppliers"]["unreliable"].sum() == SMALL.n_unreliable_suppliers


def test_when_orders_placed_then_quantities_respect_pack_and_moq(
    company: dict[str, pd.DataFrame],
) -> None:
    orders = company["purchase_orders"].merge(
        company["items"][["item_id", "pack_size", "moq"]], on="item_id"
    )
    assert (orders["quantity"] % orders["pack_size"] == 0).all()
    assert (orders["quantity"] >= orders["moq"]).all()
    still_open = orders["received_at"].isna()
    assert still_open.any()
    assert orders.loc[still_open, "received_quantity"].isna().all()
    assert (orders["received_quantity"].dropna() <= orders["quantity"][~still_open]).all()


def test_when_snapshot_taken_then_on_order_matches_open_purchase_orders(
    company: dict[str, pd.DataFrame],
) -> None:
    """Start-of-day on order = lines ordered before that day and not received before it."""
    inventory = company["inventory"]
    orders = company["purchase_orders"]
    ordered_day = orders["ordered_at"].dt.normalize()
    arrival_day = orders["received_at"].dt.normalize()
    for day in inventory["timestamp"].drop_duplicates().iloc[1::4]:
        pending = (ordered_day < day) & ~(arrival_day < day)
        expected = orders[pending].groupby(["item_id", "location_id"])["quantity"].sum()
        snap = inventory[inventory["timestamp"] == day].set_index(["item_id", "location_id"])
        np.testing.assert_allclose(snap["on_order"], expected.reindex(snap.index, fill_value=0.0))


def test_when_stock_flows_then_on_hand_balances(company: dict[str, pd.DataFrame]) -> None:
    """on_hand(next) = on_hand + received - (backorders + demand - backorders(next))."""
    items = company["items"]
    ongoing = items.loc[items["discontinued_at"].isna(), "item_id"]
    inventory = company["inventory"][company["inventory"]["item_id"].isin(ongoing)]
    demand = company["demand"]
    orders = company["purchase_orders"].dropna(subset=["received_at"])
    days = inventory["timestamp"].drop_duplicates().sort_values().tolist()
    key = ["item_id", "location_id"]
    for first, last in itertools.pairwise(days):
        a = inventory[inventory["timestamp"] == first].set_index(key)
        b = inventory[inventory["timestamp"] == last].set_index(key)
        span = demand[(demand["timestamp"] >= first) & (demand["timestamp"] < last)]
        sold = span.groupby(key)["target"].sum().reindex(a.index, fill_value=0.0)
        arrived = orders[(orders["received_at"] >= first) & (orders["received_at"] < last)]
        got = arrived.groupby(key)["received_quantity"].sum().reindex(a.index, fill_value=0.0)
        shipped = a["backorders"] + sold - b["backorders"]
        np.testing.assert_allclose(b["on_hand"], a["on_hand"] + got - shipped)


def test_when_deliveries_generated_then_windows_and_statuses_are_realistic(
    company: dict[str, pd.DataFrame],
) -> None:
    deliveries = company["delivery_orders"]
    end = pd.Timestamp(SMALL.start) + pd.Timedelta(days=SMALL.n_days)
    planned = deliveries["window_start"] >= end
    assert (deliveries.loc[planned, "status"] == "planned").all()
    assert deliveries.loc[planned, "delivered_at"].isna().all()
    assert set(deliveries.loc[~planned, "status"]) <= {"delivered", "failed", "cancelled"}
    hours = (deliveries["window_end"] - deliveries["window_start"]).dt.total_seconds() / 3600
    assert hours.between(2, 4).all()
    assert (deliveries["window_start"].dt.hour >= 6).all()
    assert (
        deliveries["window_end"].dt.hour * 60 + deliveries["window_end"].dt.minute <= 18 * 60
    ).all()
    assert deliveries["service_minutes"].between(10, 30).all()
    depots = company["locations"].set_index("location_id")["kind"][deliveries["depot_id"]]
    assert (depots == "warehouse").all()
    done = deliveries[deliveries["status"] == "delivered"]
    late = (done["delivered_at"] > done["window_end"]).mean()
    assert 0.03 < late < 0.3
    weeks = deliveries[~planned].groupby("location_id").size() / SMALL.delivery_weeks
    assert weeks.between(2, 3).all()


def test_when_feedback_generated_then_both_languages_and_all_sentiments(
    company: dict[str, pd.DataFrame],
) -> None:
    feedback = company["feedback"]
    assert len(feedback) == SMALL.n_feedback
    assert set(feedback["language"]) == {"zh", "en"}
    assert (feedback["language"] == "zh").mean() > 0.5
    assert set(feedback["sentiment"]) == {"negative", "neutral", "positive"}
    assert feedback["text"].nunique() > 0.9 * len(feedback)
    complaints = feedback["complaint_type"].dropna()
    assert complaints.isin(
        [
            "late_delivery",
            "damaged",
            "wrong_item",
            "missing_item",
            "quality",
            "price",
            "customer_service",
        ]
    ).all()
    assert feedback.loc[feedback["sentiment"] == "positive", "complaint_type"].isna().all()
    zh = feedback.loc[feedback["language"] == "zh", "text"]
    assert zh.str.contains(r"[\u4e00-\u9fff]").all()


def test_when_deliveries_are_late_then_complaints_follow_them() -> None:
    """Late deliveries prompt ``late_delivery`` complaints that name them, soon after."""
    tables = generate_sample_company(
        SampleCompanyConfig(seed=SMALL.seed, n_items=10, n_stores=20, n_days=60, n_feedback=200)
    )
    feedback = tables["feedback"]
    deliveries = tables["delivery_orders"].set_index("order_id")
    linked = feedback[
        (feedback["complaint_type"] == "late_delivery") & feedback["order_id"].notna()
    ]
    assert len(linked) > 0
    target = deliveries.loc[linked["order_id"]]
    assert (target["delivered_at"] > target["window_end"]).all()
    after = linked["timestamp"].to_numpy() - target["delivered_at"].to_numpy()
    assert (after >= np.timedelta64(0)).all()
    assert (after <= np.timedelta64(2, "D")).all()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seed", -1),
        ("seed", True),
        ("n_items", 0),
        ("n_items", 2.5),
        ("n_stores", 0),
        ("n_warehouses", 0),
        ("n_suppliers", 0),
        ("n_days", 10),
        ("n_feedback", -1),
        ("start", "2023-13-45"),
        ("start", "yesterday"),
        ("intermittent_share", 1.5),
        ("chinese_share", -0.1),
        ("n_unreliable_suppliers", 9),
        ("delivery_weeks", 0),
        ("planned_days", -1),
    ],
)
def test_when_config_invalid_then_error_names_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"SampleCompanyConfig.{field}: expected"):
        SampleCompanyConfig(**{field: value})  # type: ignore[arg-type]
