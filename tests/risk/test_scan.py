from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import RiskInputError, RiskWarning
from supplymind.risk.alerts import AlertStore
from supplymind.risk.anomaly import SeasonalResidualDetector, make_detector
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


def _weekly(n: int, item: str, spikes: tuple[int, ...] = (), seed: int = 0) -> pd.DataFrame:
    """``n`` weeks of noise around 100 with 5x spikes at ``spikes``."""
    y = 100.0 + np.random.default_rng(seed).normal(0.0, 5.0, n)
    y[list(spikes)] *= 5.0
    times = pd.date_range("2013-01-07", periods=n, freq="W-MON")
    return pd.DataFrame({"item_id": item, "timestamp": times, "target": y})


def test_when_a_series_is_too_short_for_the_detector_then_a_fallback_flags_its_spike() -> None:
    frame = _weekly(150, "W1", spikes=(130,))
    detector = make_detector("conformal")  # the CLI default; 150 weeks cannot calibrate it
    need = detector.min_points(7.0)
    assert need > 150
    with pytest.warns(RiskWarning, match="1 series scored by the rolling_mad detector"):
        result = scan_series(frame, detector)
    assert [pd.Timestamp(a.event_time) for a in result.alerts] == [frame["timestamp"].iloc[130]]
    assert f"fewer than the {need} the conformal detector needs" in result.alerts[0].explanation
    assert result.notes == [
        "1 series scored by the rolling_mad detector instead of conformal, which cannot flag "
        f"a point in a series that short: W1 (150 points, it needs {need})"
    ]
    assert set(result.anomalies["detector"]) == {"rolling_mad"}


def test_when_a_series_is_too_short_for_every_detector_then_it_is_reported_not_scored() -> None:
    frame = pd.concat([_weekly(150, "long", spikes=(140,)), _weekly(5, "tiny", spikes=(4,))])
    with pytest.warns(RiskWarning) as caught:
        result = scan_series(frame, make_detector("conformal"))
    assert {a.entity for a in result.alerts} == {"long"}
    assert any("1 series not scored" in n and "tiny (5 points; needed: " in n for n in result.notes)
    assert len(caught) == len(result.notes) == 2
    tiny = result.anomalies[result.anomalies["item_id"] == "tiny"]
    assert len(tiny) == 5  # kept, unscored: not passed as free of anomalies
    assert tiny["score"].isna().all()
    assert set(tiny["detector"]) == {""}
    # No fallback: the long series is not scored either, and said so.
    with pytest.warns(RiskWarning, match="2 series not scored"):
        bare = scan_series(frame, make_detector("conformal"), fallbacks=())
    assert bare.alerts == []


def test_when_a_series_is_long_enough_then_the_chosen_detector_scores_it_without_notes(
    series_factory,
) -> None:
    frame, injected = series_factory(n=300, anomalies=(200, 260))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RiskWarning)
        result = scan_series(frame, SeasonalResidualDetector())
    assert result.notes == []
    assert set(result.anomalies["detector"]) == {"seasonal_residual"}
    assert [pd.Timestamp(a.event_time) for a in result.alerts] == [
        frame["timestamp"].iloc[i] for i in injected
    ]
