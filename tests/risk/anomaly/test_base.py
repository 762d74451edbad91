from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.anomaly import (
    ConformalForecastDetector,
    RollingMADDetector,
    SeasonalProfileForecaster,
    SeasonalResidualDetector,
    SeriesDetector,
    ZScoreDetector,
)
from supplymind.risk.anomaly.base import gaussian_p_value, robust_scale, sliding_windows


def test_when_windows_are_blocked_then_they_equal_the_plain_slices() -> None:
    values = np.arange(50, dtype=np.float64)
    blocks = sliding_windows(values, start=3, width=7)
    got = np.vstack([w for _, w in blocks])
    assert blocks[0][0] == 7  # positions without a full window are skipped
    expected = np.vstack([values[p - 7 : p] for p in range(7, 50)])
    np.testing.assert_array_equal(got, expected)
    with pytest.raises(RiskInputError, match="window"):
        sliding_windows(values, 0, 0)


def test_when_half_a_window_is_constant_then_the_scale_falls_back_to_mean_deviation() -> None:
    window = np.array([[0.0, 0.0, 0.0, 0.0, 5.0]])
    scale = robust_scale(window, np.array([0.0]))
    assert scale[0] == pytest.approx(1.2533 * 1.0)
    normal = np.random.default_rng(0).normal(0, 2.0, (1, 20_000))
    assert robust_scale(normal, np.median(normal, axis=1))[0] == pytest.approx(2.0, rel=0.03)


def test_gaussian_tail() -> None:
    p = gaussian_p_value(np.array([0.0, 1.959964, np.nan, np.inf]))
    assert p[0] == pytest.approx(1.0)
    assert p[1] == pytest.approx(0.05, rel=1e-4)
    assert np.isnan(p[2])
    assert p[3] == 0.0


def _spike_at_the_end(n: int, days: float) -> pd.DataFrame:
    """``n`` points of noise around 100, ``days`` apart, the last one 100 sds up."""
    y = 100.0 + np.random.default_rng(0).normal(0.0, 2.0, n)
    y[-1] += 200.0
    times = pd.date_range("2000-01-03", periods=n, freq=pd.Timedelta(days=days))
    return pd.DataFrame({"item_id": "A", "timestamp": times, "target": y})


@pytest.mark.parametrize(
    "detector",
    [
        RollingMADDetector(),
        ZScoreDetector(),
        ZScoreDetector(window=10),
        SeasonalResidualDetector(),
        ConformalForecastDetector(SeasonalProfileForecaster(), alpha=0.05),
    ],
    ids=lambda d: f"{d.name}-{getattr(d, 'window', '')}",
)
@pytest.mark.parametrize("days", [1.0, 7.0, 30.0])
def test_when_a_series_has_min_points_then_its_last_point_can_be_flagged_and_not_before(
    detector: SeriesDetector, days: float
) -> None:
    need = detector.min_points(days)
    assert need > 1
    assert detector.detect(_spike_at_the_end(need, days))["is_anomaly"].iloc[-1]
    assert not detector.detect(_spike_at_the_end(need - 1, days))["is_anomaly"].any()
