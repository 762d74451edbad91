from __future__ import annotations

import pandas as pd
import pytest

from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import RiskInputError
from supplymind.risk.alerts import AlertStore
from supplymind.risk.anomaly import SeasonalResidualDetector
from supplymind.risk.scan import ScanParams, anomaly_alerts, scan_series, scan_warehouse


def test_when_a_kpi_series_is_scanned_then_its_spikes_become_plain_alerts(series_factory) -> None:
    frame, injected = series_factory(n=300, anomalies=(200, 260))
    result = scan_series(frame, SeasonalResidualDetector(), series_kind="demand")
    assert sorted(pd.Timestamp(a.event_time) for a in result.alerts) == [
        frame["timestamp"].iloc[i] for i in injected
    ]
    up, down = result.alerts
    assert up.kind == "demand_anomaly"
    assert up.action == "raise_safety_stock"
    assert down.action == "investigate"
    assert "Demand of A on 2023-07-21 was" in up.explanation
    assert "expected" in up.explanation
    assert up.severity == "high"  # 20 noise sds: far beyond twice the threshold
    since = anomaly_alerts(
        result.anomalies, series_kind="demand", since=frame["timestamp"].iloc[250]
    )
    assert len(since) == 1
    with pytest.raises(RiskInputError, match="series_kind"):
        anomaly_alerts(result.anomalies, series_kind="weather")


def test_when_the_warehouse_is_scanned_then_every_source_is_looked_at(
    company_warehouse: Warehouse,
) -> None:
    params = ScanParams(aggregate_detector="conformal_profile")
    result = scan_warehouse(company_warehouse, params, num_threads=1)
    kinds = {a.kind for a in result.alerts}
    assert {"demand_anomaly", "supplier_performance", "late_delivery_risk"} <= kinds
    assert set(result.anomalies["series_kind"]) == {
        "demand",
        "location_demand",
        "lead_time",
        "delivery",
    }
    # only the last 28 days are alerted
    assert min(pd.Timestamp(a.event_time) for a in result.alerts if a.kind == "demand_anomaly") >= (
        result.now - pd.Timedelta(days=28)
    )
    # the two unreliable suppliers of the sample company are the ones flagged
    flagged = {a.entity for a in result.alerts if a.kind == "supplier_performance"}
    worst = set(result.scorecards.nsmallest(2, "on_time_rate")["supplier_id"])
    assert worst <= flagged
    assert not result.late_risk.empty
    assert result.delay_model is not None
    store = AlertStore(company_warehouse)
    first = store.raise_alerts(result.alerts, now=result.now)
    again = store.raise_alerts(result.alerts, now=result.now)
    assert len(first.new) > 0
    assert again.new.empty
    assert again.merged == 0


def test_bad_scan_parameters() -> None:
    with pytest.raises(RiskInputError, match="late_threshold"):
        ScanParams(late_threshold=1.5)
    with pytest.raises(RiskInputError, match="detector"):
        ScanParams(item_detector="crystal_ball")
    with pytest.raises(RiskInputError, match="empty tables"):
        scan_warehouse(Warehouse(":memory:"))
