"""Alerts: deduplicated, rate-limited, idempotent, stored in the warehouse."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import RiskInputError
from supplymind.risk.alerts import Alert, AlertPolicy, AlertStore, alerts_frame

T0 = pd.Timestamp("2024-03-01")
NOW = pd.Timestamp("2024-04-01 09:00")


def spike(day: int, entity: str = "A@DC1", severity: str = "medium", score: float = 4.0) -> Alert:
    return Alert(
        kind="demand_anomaly",
        entity=entity,
        entity_type="item",
        severity=severity,
        event_time=T0 + pd.Timedelta(days=day),
        explanation=f"demand spike on day {day}",
        action="raise_safety_stock",
        score=score,
        p_value=0.001,
    )


def late(order: str, p: float) -> Alert:
    return Alert(
        kind="late_delivery_risk",
        entity=order,
        entity_type="order",
        severity="high" if p >= 0.8 else "medium",
        event_time=T0,
        explanation="likely late",
        action="expedite",
        probability=p,
    )


@pytest.fixture
def store() -> AlertStore:
    return AlertStore(Warehouse(":memory:"))


def test_when_repeats_arrive_together_then_they_make_one_alert(store: AlertStore) -> None:
    outcome = store.raise_alerts(
        [spike(0), spike(1, score=9.0, severity="high"), spike(3)], now=NOW
    )
    assert len(outcome.new) == 1
    row = store.read().iloc[0]
    assert row["occurrences"] == 3
    assert row["severity"] == "high"
    assert row["score"] == 9.0
    assert row["first_event_time"] == T0
    assert row["event_time"] == T0 + pd.Timedelta(days=3)


def test_when_the_same_findings_are_raised_again_then_nothing_changes(store: AlertStore) -> None:
    batch = [spike(0), spike(1), spike(30), late("PO1", 0.9)]
    store.raise_alerts(batch, now=NOW)
    before = store.read(status=None)
    again = store.raise_alerts(batch, now=NOW + pd.Timedelta(hours=1))
    assert (len(again.new), len(again.suppressed), again.merged, again.unchanged) == (0, 0, 0, 4)
    pd.testing.assert_frame_equal(before, store.read(status=None))


def test_when_a_repeat_comes_within_the_window_then_it_is_merged(store: AlertStore) -> None:
    store.raise_alerts([spike(0)], now=NOW)
    merged = store.raise_alerts([spike(5, severity="high")], now=NOW)
    assert merged.merged == 1
    assert merged.new.empty
    later = store.raise_alerts([spike(20)], now=NOW)  # 15 days after: a new alert
    assert len(later.new) == 1
    stored = store.read()
    assert len(stored) == 2
    assert stored.iloc[0]["severity"] == "high"
    assert stored.iloc[0]["occurrences"] == 2


def test_when_an_entity_floods_then_the_rate_limit_keeps_the_most_severe(store: AlertStore) -> None:
    store.policy = AlertPolicy(max_per_entity=2, max_new=3)
    kinds = ["demand_anomaly", "kpi_anomaly", "lead_time_anomaly", "stockout_risk"]
    flood = [
        Alert(kind, "X", "item", sev, T0, "why", "investigate", score=float(i))
        for i, (kind, sev) in enumerate(
            zip(kinds, ["low", "critical", "medium", "high"], strict=True)
        )
    ]
    outcome = store.raise_alerts([*flood, late("PO7", 0.95), late("PO8", 0.5)], now=NOW)
    assert sorted(outcome.new["severity"]) == ["critical", "high", "high"]
    assert len(outcome.suppressed) == 3
    assert set(store.read(status="suppressed")["entity"]) == {"X", "PO8"}
    # a suppressed alert is still known: raising it again changes nothing
    again = store.raise_alerts([flood[0]], now=NOW + pd.Timedelta(days=1))
    assert again.unchanged == 1
    assert again.new.empty
    # a new finding about the entity the next day may be alerted
    tomorrow = store.raise_alerts([spike(20, entity="X")], now=NOW + pd.Timedelta(days=1))
    assert len(tomorrow.new) == 1


def test_when_alerts_are_below_the_minimum_severity_then_they_are_dropped() -> None:
    store = AlertStore(Warehouse(":memory:"), AlertPolicy(min_severity="high"))
    outcome = store.raise_alerts([spike(0), late("PO1", 0.9)], now=NOW)
    assert outcome.dropped_below_severity == 1
    assert len(outcome.new) == 1


def test_when_alerts_are_resolved_then_they_leave_the_open_list(store: AlertStore) -> None:
    store.raise_alerts([spike(0), late("PO1", 0.9)], now=NOW)
    ids = store.read()["alert_id"].tolist()
    assert store.resolve(ids[:1]) == 1
    assert len(store.read()) == 1
    assert len(store.read(status="resolved")) == 1


def test_when_the_warehouse_is_sqlite_then_alerts_work_the_same(tmp_path: Path) -> None:
    with Warehouse(f"sqlite:///{tmp_path / 'wh.sqlite'}") as wh:
        store = AlertStore(wh)
        store.raise_alerts([spike(0), spike(2), late("PO1", 0.9)], now=NOW)
        store.raise_alerts([spike(4)], now=NOW)
        stored = store.read()
    assert len(stored) == 2
    assert stored.set_index("entity").loc["A@DC1", "occurrences"] == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "fire"}, "kind"),
        ({"severity": "urgent"}, "severity"),
        ({"action": "panic"}, "action"),
        ({"entity": " "}, "entity"),
        ({"probability": 1.5}, "probability"),
        ({"event_time": pd.NaT}, "event_time"),
    ],
)
def test_when_an_alert_is_bad_then_the_error_names_the_field(kwargs: dict, field: str) -> None:
    base = {
        "kind": "demand_anomaly",
        "entity": "A",
        "entity_type": "item",
        "severity": "low",
        "event_time": T0,
        "explanation": "x",
        "action": "investigate",
    }
    with pytest.raises(RiskInputError, match=f"Alert.{field}"):
        Alert(**{**base, **kwargs})


def test_bad_policy_and_status() -> None:
    with pytest.raises(RiskInputError, match="max_per_entity"):
        AlertPolicy(max_per_entity=0)
    with pytest.raises(RiskInputError, match="min_severity"):
        AlertPolicy(min_severity="nuclear")
    with pytest.raises(RiskInputError, match="status"):
        AlertStore(Warehouse(":memory:")).read(status="closed")
    assert alerts_frame([]).empty
