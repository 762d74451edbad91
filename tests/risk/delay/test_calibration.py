from __future__ import annotations

import numpy as np
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.delay.calibration import (
    IsotonicCalibrator,
    PlattCalibrator,
    brier_score,
    calibrator_from_dict,
    expected_calibration_error,
    make_calibrator,
    reliability_curve,
)


def _known(n: int = 40_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds whose true probability is sigmoid(2 * logit - 1)."""
    rng = np.random.default_rng(seed)
    logit = rng.normal(0, 1.5, n)
    p = 1 / (1 + np.exp(-(2 * logit - 1)))
    return logit, (rng.random(n) < p).astype(float)


def test_when_probabilities_are_known_then_platt_recovers_the_curve() -> None:
    logit, y = _known()
    cal = PlattCalibrator().fit(logit, y)
    assert cal.a == pytest.approx(2.0, abs=0.08)
    assert cal.b == pytest.approx(-1.0, abs=0.08)
    p = cal.transform(logit)
    assert expected_calibration_error(y, p) < 0.01
    # the uncalibrated sigmoid of the same scores is off
    raw = make_calibrator("none").transform(logit)
    assert expected_calibration_error(y, raw) > 0.05


def test_when_isotonic_is_fitted_then_it_is_monotone_and_calibrated() -> None:
    logit, y = _known(seed=1)
    cal = IsotonicCalibrator().fit(logit, y)
    grid = cal.transform(np.linspace(-5, 5, 200))
    assert np.all(np.diff(grid) >= 0)
    assert expected_calibration_error(y, cal.transform(logit)) < 0.01


@pytest.mark.parametrize("kind", ["sigmoid", "isotonic", "none"])
def test_when_a_calibrator_is_saved_then_it_is_rebuilt_identically(kind: str) -> None:
    logit, y = _known(n=3000)
    cal = make_calibrator(kind).fit(logit, y)
    again = calibrator_from_dict(cal.to_dict())
    np.testing.assert_array_equal(cal.transform(logit), again.transform(logit))


def test_reliability_curve_and_brier() -> None:
    y = np.array([0, 0, 1, 1, 0, 1, 1, 1])
    p = np.array([0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9])
    curve = reliability_curve(y, p, n_bins=2, strategy="uniform")
    assert curve["observed_rate"].tolist() == [0.5, 0.75]
    assert curve["count"].tolist() == [4, 4]
    assert brier_score([1, 0], [1.0, 0.0]) == 0.0
    assert brier_score([1, 0], [0.5, 0.5]) == 0.25


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: brier_score([0, 2], [0.1, 0.2]), "labels 0 or 1"),
        (lambda: brier_score([0, 1], [0.1]), "as many labels as scores"),
        (lambda: PlattCalibrator().fit([np.nan, 1.0], [0, 1]), "finite"),
        (lambda: make_calibrator("beta"), "calibration"),
        (lambda: calibrator_from_dict({"kind": "beta"}), "kind"),
        (lambda: reliability_curve([0, 1], [0.1, 0.2], strategy="kmeans"), "strategy"),
    ],
)
def test_when_inputs_are_bad_then_errors_are_clear(call, words: str) -> None:
    with pytest.raises(RiskInputError, match=words):
        call()
