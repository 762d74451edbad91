"""Temperature scaling and the expected calibration error."""

from __future__ import annotations

import numpy as np
import pytest

from supplymind.exceptions import ConfigurationError
from supplymind.feedback.calibration import (
    expected_calibration_error,
    fit_temperature,
    log_loss,
    softmax,
)


def _overconfident(n: int, t_true: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from softmax(z); the model reports z * t_true (too sure when t > 1)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, (n, 3))
    p = softmax(z)
    y = np.array([rng.choice(3, p=row) for row in p])
    return z * t_true, y


def test_fitted_temperature_recovers_the_overconfidence() -> None:
    logits, y = _overconfident(4000, 3.0)
    t = fit_temperature(logits, y)
    assert t == pytest.approx(3.0, rel=0.1)
    before = expected_calibration_error(softmax(logits), y)
    after = expected_calibration_error(softmax(logits, t), y)
    assert after < before / 2


def test_temperature_never_makes_the_likelihood_worse() -> None:
    logits, y = _overconfident(300, 1.0, seed=1)
    t = fit_temperature(logits, y)
    assert log_loss(softmax(logits, t), y) <= log_loss(softmax(logits), y) + 1e-12


def test_no_data_gives_temperature_one() -> None:
    assert fit_temperature(np.zeros((0, 2)), np.zeros(0, dtype=int)) == 1.0


def test_ece_is_zero_when_confidence_matches_accuracy() -> None:
    probs = np.array([[0.75, 0.25]] * 4)
    y = np.array([0, 0, 0, 1])
    assert expected_calibration_error(probs, y) == pytest.approx(0.0)
    assert expected_calibration_error(probs, np.array([1, 1, 1, 1])) == pytest.approx(0.75)


def test_softmax_rows_sum_to_one_and_are_stable() -> None:
    p = softmax(np.array([[1000.0, 0.0], [-5.0, 5.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert p[0, 0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("logits", "labels"),
    [(np.zeros((3, 2)), np.array([0, 1])), (np.zeros((2, 2)), np.array([0, 2]))],
)
def test_bad_shapes_or_labels_are_refused(logits: np.ndarray, labels: np.ndarray) -> None:
    with pytest.raises(ConfigurationError):
        fit_temperature(logits, labels)
