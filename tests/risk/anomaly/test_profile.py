from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.anomaly import SeasonalProfileForecaster


def test_when_a_weekly_pattern_repeats_then_the_forecast_follows_it(series_factory) -> None:
    frame, _ = series_factory(n=140, anomalies=(), noise=0.5)
    history, future = frame.iloc[:133], frame.iloc[133:]
    pred = SeasonalProfileForecaster().fit(history).predict(7, quantiles=(0.1, 0.5, 0.9))
    assert list(pred.columns) == ["item_id", "timestamp", "mean", "0.1", "0.5", "0.9"]
    assert pred["timestamp"].tolist() == future["timestamp"].tolist()
    np.testing.assert_allclose(pred["0.5"], future["target"], atol=2.5)
    assert (pred["0.1"] <= pred["0.5"]).all()
    assert (pred["0.5"] <= pred["0.9"]).all()


def test_when_values_are_negative_then_forecasts_may_be_negative() -> None:
    frame = pd.DataFrame(
        {"item_id": "d", "timestamp": pd.date_range("2024-01-01", periods=50), "target": -3.0}
    )
    pred = SeasonalProfileForecaster().fit(frame).predict(3)
    assert (pred["0.5"] == -3.0).all()


def test_bad_arguments() -> None:
    with pytest.raises(RiskInputError, match="cycles"):
        SeasonalProfileForecaster(cycles=0)
    frame = pd.DataFrame(
        {"item_id": "d", "timestamp": pd.date_range("2024-01-01", periods=9), "target": 1.0}
    )
    fitted = SeasonalProfileForecaster().fit(frame)
    with pytest.raises(RiskInputError, match="horizon"):
        fitted.predict(0)
    with pytest.raises(RiskInputError, match="quantiles"):
        fitted.predict(2, quantiles=(0.5, 1.0))
