from __future__ import annotations

import numpy as np
import pytest

from supplymind.exceptions import RiskInputError
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
