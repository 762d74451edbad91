"""Forecast-interval exceedance with conformal calibration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.inventory.forecast import StatsForecastQuantileForecaster
from supplymind.risk.anomaly import ConformalForecastDetector, SeasonalProfileForecaster
from supplymind.risk.anomaly.conformal import conformal_p_values, default_horizon


class LastValueForecaster:
    """The naive forecast with a far too narrow interval (+-1% of the last value): a real,
    badly calibrated forecaster following the Forecaster's contract."""

    def fit(self, history: pd.DataFrame) -> Self:
        self.last_ = history.sort_values("timestamp").groupby("item_id").tail(1)
        return self

    def predict(self, horizon: int, quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
        rows = []
        for rec in self.last_.to_dict("records"):
            for k in range(1, horizon + 1):
                row = {
                    "item_id": rec["item_id"],
                    "timestamp": rec["timestamp"] + pd.Timedelta(days=k),
                }
                y = float(rec["target"])
                row["mean"] = y
                for q in quantiles:
                    row[f"{q:g}"] = y * (1 + 0.02 * (q - 0.5))
                rows.append(row)
        return pd.DataFrame(rows)


def test_when_the_forecaster_is_overconfident_then_conformal_keeps_the_false_alarm_rate() -> None:
    rng = np.random.default_rng(1)
    n = 1500
    frame = pd.DataFrame(
        {
            "item_id": "noise",
            "timestamp": pd.date_range("2020-01-01", periods=n, freq="D"),
            "target": 100 + np.cumsum(rng.normal(0, 1, n)) * 0.2 + rng.normal(0, 3, n),
        }
    )
    detector = ConformalForecastDetector(
        LastValueForecaster(), alpha=0.05, horizon=1, min_history=30, calibration_size=500
    )
    result = detector.detect(frame)
    scored = result[result["p_value"].notna()]
    raw_misses = ((scored["target"] - scored["expected"]).abs() > 0.008 * scored["expected"]).mean()
    assert raw_misses > 0.5  # the forecaster's own 80% interval covers less than half
    rate = scored["is_anomaly"].iloc[200:].mean()
    assert 0.02 < rate < 0.08  # ... yet the conformal flags stay near alpha = 5%


def test_when_spikes_are_injected_then_the_conformal_detector_finds_them(series_factory) -> None:
    frame, injected = series_factory(n=500, anomalies=(320, 380, 450))
    detector = ConformalForecastDetector(SeasonalProfileForecaster(), alpha=0.01)
    result = detector.detect(frame)
    flagged = set(np.flatnonzero(result["is_anomaly"].to_numpy()))
    assert set(injected) <= flagged
    assert len(flagged - set(injected)) <= 5
    spike = result.iloc[injected[0]]
    assert spike["target"] > spike["upper"]
    assert spike["p_value"] <= 0.01


def test_when_no_forecaster_is_given_then_autoets_forecasts_are_used(series_factory) -> None:
    frame, injected = series_factory(n=260, anomalies=(230,), size=15.0)
    result = ConformalForecastDetector(alpha=0.02).detect(frame)
    assert bool(result["is_anomaly"].iloc[injected[0]])
    assert result["expected"].notna().sum() > 200


def test_when_a_forecaster_instance_is_given_then_each_series_gets_its_own_copy(
    series_factory,
) -> None:
    a, _ = series_factory(n=120, anomalies=(), item="a")
    b, _ = series_factory(n=120, anomalies=(), item="b", level=500.0)
    prototype = SeasonalProfileForecaster()
    result = ConformalForecastDetector(prototype, alpha=0.05).detect(pd.concat([a, b]))
    assert not hasattr(prototype, "values_")  # the prototype itself stays unfitted
    mean_b = result.loc[result["item_id"] == "b", "expected"].mean()
    assert mean_b == pytest.approx(500, rel=0.05)


def test_when_values_are_negative_then_the_default_forecaster_is_refused() -> None:
    frame = pd.DataFrame(
        {
            "item_id": "delay",
            "timestamp": pd.date_range("2024-01-01", periods=60, freq="D"),
            "target": np.linspace(-5, 5, 60),
        }
    )
    with pytest.raises(RiskInputError, match="negative values"):
        ConformalForecastDetector().detect(frame)
    ok = ConformalForecastDetector(SeasonalProfileForecaster()).detect(frame)
    assert ok["expected"].notna().any()


def test_when_the_default_forecaster_fits_then_it_is_statsforecast() -> None:
    made = ConformalForecastDetector().make_forecaster()
    assert isinstance(made, StatsForecastQuantileForecaster)
    made = ConformalForecastDetector(lambda: SeasonalProfileForecaster(7)).make_forecaster()
    assert isinstance(made, SeasonalProfileForecaster)


def test_conformal_p_values_count_the_scores_at_least_as_large() -> None:
    cal = np.array([0.1, 0.2, 0.3, 0.4])
    p = conformal_p_values(cal, np.array([0.05, 0.3, 0.9]))
    np.testing.assert_allclose(p, [5 / 5, 3 / 5, 1 / 5])


def test_default_horizon_by_frequency() -> None:
    assert default_horizon(1 / 288) == 24
    assert default_horizon(1 / 24) == 24
    assert default_horizon(1.0) == 7
    assert default_horizon(7.0) == 4
    assert default_horizon(30.0) == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"interval": (0.6, 0.9)}, "interval"),
        ({"horizon": 0}, "horizon"),
        ({"calibration_size": 1}, "calibration_size"),
        ({"forecaster": 42}, "forecaster"),
    ],
)
def test_when_parameters_are_bad_then_the_error_names_them(kwargs: dict, field: str) -> None:
    with pytest.raises(RiskInputError, match=field):
        ConformalForecastDetector(**kwargs)
