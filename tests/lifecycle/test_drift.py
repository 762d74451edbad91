"""Drift statistics and per-segment reports, and their alerts in the risk alerts table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import ConfigurationError
from supplymind.lifecycle.drift import (
    DriftConfig,
    data_drift,
    drift_alerts,
    ks_test,
    performance_drift,
    psi,
)
from supplymind.risk.alerts import AlertStore

from .conftest import weekly_demand


def test_psi_is_zero_for_the_same_sample_and_grows_with_the_shift() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=2000)
    assert psi(base, base) == pytest.approx(0.0, abs=1e-12)
    small, large = psi(base, base + 0.2), psi(base, base + 1.0)
    assert 0 < small < 0.25 < large


def test_psi_handles_count_data_with_ties_and_stays_finite() -> None:
    train = np.array([0, 0, 0, 1, 1, 2] * 20, dtype=float)
    value = psi(train, np.full(50, 7.0))
    assert np.isfinite(value)
    assert value > 1.0
    assert np.isnan(psi(np.array([]), train))


def test_ks_matches_the_definition_on_a_small_example() -> None:
    stat, p = ks_test(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]))
    assert stat == 1.0
    assert p < 0.2
    same, p_same = ks_test(np.arange(50.0), np.arange(50.0))
    assert same == 0.0
    assert p_same == 1.0


def _mixed(change: float, weeks: int = 60) -> pd.DataFrame:
    """Smooth items sku0..7 and intermittent items sparse0..3; the smooth ones jump by
    ``change`` in the last 8 weeks."""
    smooth = weekly_demand(n_items=8, n_weeks=weeks, change_week=weeks - 8, factor=change)
    rng = np.random.default_rng(3)
    stamps = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    sparse = [
        pd.DataFrame(
            {
                "item_id": f"sparse{i}",
                "timestamp": stamps,
                "target": np.where(rng.random(weeks) < 0.7, 0.0, rng.poisson(4, weeks)),
            }
        )
        for i in range(4)
    ]
    frame = pd.concat([smooth, *sparse], ignore_index=True)
    frame["price"] = 10.0 + rng.normal(0, 0.1, len(frame))
    return frame


def test_data_drift_flags_the_segment_that_moved_and_not_the_others() -> None:
    frame = _mixed(change=2.5)
    cut = frame["timestamp"].sort_values().unique()[-8]
    train, recent = frame[frame["timestamp"] < cut], frame[frame["timestamp"] >= cut]
    report = data_drift(train, recent, covariates=["price"])
    drifted = set(zip(report.drifted["segment"], report.drifted["variable"], strict=True))
    assert drifted == {("all", "target"), ("smooth", "target")}
    assert set(report.table["segment"]) == {"all", "smooth", "intermittent"}
    still = _mixed(change=1.0)
    quiet = data_drift(still[still["timestamp"] < cut], still[still["timestamp"] >= cut])
    assert not quiet.any


def test_data_drift_by_a_segment_column() -> None:
    frame = _mixed(change=2.5)
    frame["group"] = np.where(frame["item_id"].str.startswith("sku"), "fast", "slow")
    cut = frame["timestamp"].sort_values().unique()[-8]
    report = data_drift(
        frame[frame["timestamp"] < cut], frame[frame["timestamp"] >= cut], segment_col="group"
    )
    assert set(report.drifted["segment"]) == {"all", "fast"}


def test_performance_drift_compares_recent_error_with_the_backtest() -> None:
    report = performance_drift(
        {"all": 0.30, "smooth": 0.45, "intermittent": 0.2},
        {"all": 0.25, "smooth": 0.15},
        config=DriftConfig(error_ratio=1.5),
    )
    rows = report.table.set_index("segment")
    assert rows.loc["smooth", "ratio"] == pytest.approx(3.0)
    assert rows.loc["intermittent", "backtest_wql"] == 0.25  # falls back to "all"
    assert list(report.drifted["segment"]) == ["smooth"]


def test_drift_alerts_are_written_once_to_the_alerts_table() -> None:
    report = performance_drift({"all": 0.9}, {"all": 0.2})
    alerts = drift_alerts(
        report, task="forecast", model_id="forecast-v001", event_time=pd.Timestamp("2024-05-06")
    )
    assert len(alerts) == 1
    assert alerts[0].kind == "kpi_anomaly"
    assert alerts[0].severity == "medium"
    assert "4.5x" in alerts[0].explanation
    with Warehouse(":memory:") as wh:
        store = AlertStore(wh)
        store.raise_alerts(alerts, now=pd.Timestamp("2024-05-06"))
        store.raise_alerts(alerts, now=pd.Timestamp("2024-05-06"))
        stored = store.read()
    assert list(stored["entity"]) == ["forecast:all"]


def test_when_columns_are_missing_then_data_drift_names_them() -> None:
    frame = weekly_demand(n_weeks=30, change_week=None)
    with pytest.raises(ConfigurationError, match=r"recent: expected the columns \['promo'\]"):
        data_drift(frame.assign(promo=0.0), frame, covariates=["promo"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("psi_threshold", 0),
        ("error_ratio", True),
        ("ks_alpha", 1.0),
        ("ks_alpha", 0),
        ("bins", 1),
        ("min_points", 2.5),
    ],
)
def test_drift_config_rejects(field: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=f"DriftConfig.{field}"):
        DriftConfig(**{field: value})  # type: ignore[arg-type]
