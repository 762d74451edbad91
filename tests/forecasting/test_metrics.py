from __future__ import annotations

import numpy as np
import pytest

from supplymind.forecasting.metrics import coverage, mase, mase_scale, wql


def test_wql_of_a_perfect_forecast_is_zero_and_matches_a_hand_computed_case() -> None:
    y = np.array([[10.0, 20.0]])
    perfect = np.repeat(y[..., None], 3, axis=-1)
    assert wql(y, perfect, [0.1, 0.5, 0.9]) == 0.0
    # One level (0.5), forecast 0 everywhere: pinball = 0.5 * 30, WQL = 2 * 15 / 30 = 1.
    assert wql(y, np.zeros((1, 2, 1)), [0.5]) == pytest.approx(1.0)


def test_missing_truth_is_left_out_of_every_metric() -> None:
    y = np.array([[10.0, np.nan]])
    q = np.array([[[10.0], [1e6]]])
    assert wql(y, q, [0.5]) == 0.0
    assert coverage(y, q[..., 0], q[..., 0]) == 1.0


def test_mase_scales_by_the_seasonal_naive_error() -> None:
    history = np.array([1.0, 2.0, 1.0, 2.0, 1.0, 2.0])
    assert mase_scale(history, 2) == 0.0
    assert mase_scale(history, 1) == 1.0
    y = np.array([[3.0]])
    assert mase(y, np.array([[1.0]]), [history], 1) == pytest.approx(2.0)
    # A zero scale is skipped: no series scored.
    assert np.isnan(mase(y, np.array([[1.0]]), [history], 2))
