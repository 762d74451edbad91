from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.risk.anomaly.evaluate import (
    detection_events,
    nab_normalised,
    probation_length,
    score_windows,
    summarise,
)

STAMPS = pd.date_range("2024-01-01", periods=1000, freq="h")
WINDOWS = [(STAMPS[400], STAMPS[449]), (STAMPS[700], STAMPS[749])]


def _flags(*positions: int) -> np.ndarray:
    flags = np.zeros(1000, dtype=bool)
    flags[list(positions)] = True
    return flags


def test_when_every_window_is_hit_at_its_start_then_the_nab_score_is_100() -> None:
    score = score_windows(STAMPS, _flags(400, 700), WINDOWS)
    assert (score.detected, score.false_alarms) == (2, 0)
    assert score.precision == score.recall == 1.0
    assert score.earliness == (1.0, 1.0)
    assert nab_normalised([score]) == pytest.approx(100.0)


def test_when_nothing_is_detected_then_the_nab_score_is_0() -> None:
    score = score_windows(STAMPS, _flags(), WINDOWS)
    assert nab_normalised([score]) == pytest.approx(0.0)
    assert summarise([score])["f1"] == 0.0


def test_when_detection_is_later_or_false_then_the_score_drops() -> None:
    early = score_windows(STAMPS, _flags(405), WINDOWS[:1])
    late = score_windows(STAMPS, _flags(445), WINDOWS[:1])
    noisy = score_windows(STAMPS, _flags(405, 900), WINDOWS[:1])
    assert early.nab_raw > late.nab_raw > -1.0
    assert noisy.nab_raw == pytest.approx(early.nab_raw - 0.11)  # far from any window
    assert noisy.false_alarms == 1
    assert noisy.precision == 0.5


def test_when_flags_repeat_then_the_refractory_period_makes_one_event() -> None:
    flags = _flags(500, 501, 502, 530, 600)
    np.testing.assert_array_equal(detection_events(flags, 0), [500, 501, 502, 530, 600])
    np.testing.assert_array_equal(detection_events(flags, 50), [500, 600])


def test_when_detections_fall_in_probation_then_they_are_ignored() -> None:
    assert probation_length(1000) == 150
    assert probation_length(100_000) == 750
    score = score_windows(STAMPS, _flags(10, 400), WINDOWS[:1])
    assert score.false_alarms == 0


def test_when_labels_are_given_then_the_lead_is_measured() -> None:
    score = score_windows(STAMPS, _flags(410), WINDOWS[:1], labels=[STAMPS[425]])
    assert score.lead_hours == (15.0,)
