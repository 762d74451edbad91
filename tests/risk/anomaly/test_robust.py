"""The z-score, rolling MAD and seasonal-residual detectors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.anomaly import (
    RESULT_COLUMNS,
    RollingMADDetector,
    SeasonalResidualDetector,
    ZScoreDetector,
    make_detector,
)
from supplymind.risk.anomaly.base import SeriesDetector

DETECTORS: list[SeriesDetector] = [
    ZScoreDetector(),
    ZScoreDetector(window=60),
    RollingMADDetector(),
    SeasonalResidualDetector(),
]


@pytest.mark.parametrize("detector", DETECTORS, ids=lambda d: f"{d.name}")
def test_when_spikes_are_injected_then_each_is_found(
    detector: SeriesDetector, series_factory
) -> None:
    frame, injected = series_factory(season=3.0)
    result = detector.detect(frame)
    assert list(result.columns) == list(RESULT_COLUMNS)
    flagged = set(np.flatnonzero(result["is_anomaly"].to_numpy()))
    assert set(injected) <= flagged
    assert len(flagged - set(injected)) <= 3  # a handful of false alarms at most
    # up and down are told apart
    assert result.loc[injected[0], "direction"] == "up"
    assert result.loc[injected[1], "direction"] == "down"


def test_when_history_is_short_then_points_are_unscored_not_flagged(series_factory) -> None:
    frame, _ = series_factory(n=20, anomalies=(15,))
    result = RollingMADDetector().detect(frame)  # default window 28, half needed
    assert result["score"].isna().sum() == 14
    assert not result["is_anomaly"].iloc[:14].any()


def test_when_the_pattern_is_weekly_then_the_seasonal_detector_expects_it(series_factory) -> None:
    frame, _ = series_factory(n=200, anomalies=())
    seasonal = SeasonalResidualDetector().detect(frame)
    mad = RollingMADDetector().detect(frame)
    ok = seasonal["expected"].notna() & mad["expected"].notna()
    err_seasonal = (seasonal["target"] - seasonal["expected"])[ok].abs().mean()
    err_mad = (mad["target"] - mad["expected"])[ok].abs().mean()
    assert err_seasonal < 0.5 * err_mad


def test_when_the_window_is_constant_then_only_a_change_is_flagged() -> None:
    frame = pd.DataFrame(
        {
            "item_id": "z",
            "timestamp": pd.date_range("2024-01-01", periods=40, freq="D"),
            "target": [0.0] * 35 + [0.0, 7.0, 0.0, 0.0, 0.0],
        }
    )
    result = RollingMADDetector(window=20).detect(frame)
    assert result["is_anomaly"].tolist().count(True) == 1
    assert bool(result["is_anomaly"].iloc[36])


def test_when_the_zscore_is_expanding_then_it_matches_numpy(series_factory) -> None:
    frame, _ = series_factory(n=120, anomalies=())
    result = ZScoreDetector(min_history=30).detect(frame)
    y = frame["target"].to_numpy()
    for i in (30, 77, 119):
        mean, sd = y[:i].mean(), y[:i].std(ddof=1)
        assert result["expected"].iloc[i] == pytest.approx(mean)
        assert result["score"].iloc[i] == pytest.approx(abs(y[i] - mean) / sd)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: ZScoreDetector(threshold=0), "threshold"),
        (lambda: ZScoreDetector(window=1), "window"),
        (lambda: RollingMADDetector(threshold=-1.0), "threshold"),
        (lambda: RollingMADDetector(window=True), "window"),
        (lambda: SeasonalResidualDetector(season_length=0), "season_length"),
        (lambda: SeasonalResidualDetector(cycles=0), "cycles"),
        (lambda: make_detector("magic"), "detector"),
    ],
)
def test_when_parameters_are_bad_then_the_error_names_them(make, field: str) -> None:
    with pytest.raises(RiskInputError, match=field):
        make()
