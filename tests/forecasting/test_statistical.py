from __future__ import annotations

import numpy as np
import pytest

from supplymind.exceptions import ConfigurationError
from supplymind.forecasting.statistical import (
    STAT_MODELS,
    empirical_window,
    fill_gaps,
    stat_quantiles,
)

LEVELS = [0.05, 0.1, 0.5, 0.9, 0.95]


def _histories() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    smooth = rng.poisson(20, 60).astype(float)
    sparse = np.where(rng.random(60) < 0.7, 0.0, rng.poisson(4, 60)).astype(float)
    gappy = smooth.copy()
    gappy[[3, 10, 11, 59]] = np.nan
    return [smooth, sparse, gappy, np.array([4.0, 6.0])]


@pytest.mark.parametrize("name", STAT_MODELS)
def test_every_model_gives_sorted_non_negative_finite_quantiles(name: str) -> None:
    q = stat_quantiles(name, _histories(), 6, LEVELS, season_length=12, freq="MS")
    assert q.shape == (4, 6, len(LEVELS))
    assert np.isfinite(q).all()
    assert (q >= 0).all()
    assert (np.diff(q, axis=-1) >= 0).all()


def test_the_median_is_the_point_forecast_and_intervals_widen_outwards() -> None:
    q = stat_quantiles("AutoETS", _histories()[:1], 4, LEVELS, season_length=1, freq="MS")
    assert q[0, 0, 0] < q[0, 0, 1] < q[0, 0, 2] < q[0, 0, 3] < q[0, 0, 4]
    assert abs(q[0, 0, 2] - 20) < 5


def test_empirical_quantiles_hold_the_recent_window_flat() -> None:
    history = np.arange(100, dtype=float)
    q = stat_quantiles("EmpiricalQuantiles", [history], 3, [0.5], season_length=12, freq="MS")
    window = empirical_window("MS", 12)
    assert window == 24
    assert np.allclose(q[0, :, 0], np.median(history[-24:]))


def test_processes_do_not_change_the_result() -> None:
    many = _histories() * 20
    one = stat_quantiles("AutoTheta", many, 4, LEVELS, season_length=12, freq="MS")
    two = stat_quantiles("AutoTheta", many, 4, LEVELS, season_length=12, freq="MS", n_jobs=2)
    assert np.array_equal(one, two)


def test_fill_gaps_drops_leading_interpolates_inside_and_holds_the_end() -> None:
    filled = fill_gaps(np.array([np.nan, 1.0, np.nan, 3.0, np.nan]))
    assert filled.tolist() == [1.0, 2.0, 3.0, 3.0]


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="model: expected one of"):
        stat_quantiles("Prophet", _histories(), 2, LEVELS, season_length=1, freq="D")
