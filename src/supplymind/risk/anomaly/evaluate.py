"""Scoring detections against labelled anomaly windows, NAB style.

The Numenta Anomaly Benchmark (Lavin and Ahmad, 2015) labels each anomaly with a window
around it and rewards the earliest detection inside the window. Here, per series:

- the first ``probation`` points are for learning: detections there are ignored, and so
  are windows that start there (NAB: 15% of the series, at most 750 points);
- flagged points become *detection events*: a flag starts an event unless another event
  started less than ``refractory`` points before (so one long excursion is one alert);
- a window is *detected* when an event starts inside it; events outside every window are
  false alarms;
- precision = detected windows / (detected windows + false alarms), recall = detected
  windows / windows, F1 their harmonic mean;
- earliness of a detected window = (window end - first event) / (window end - window
  start): 1 at the window's start, 0 at its end; the lead over the labelled anomaly
  time is reported too;
- the NAB standard-profile score, from the scaled sigmoid of each event's position
  relative to its window (true positives up to +1 each, false alarms up to -0.11 each,
  missed windows -1 each), normalised over a set of series so that detecting nothing
  scores 0 and detecting every window at its start scores 100.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.exceptions import RiskInputError

__all__ = [
    "NAB_STANDARD",
    "WindowScore",
    "detection_events",
    "nab_normalised",
    "probation_length",
    "score_windows",
    "summarise",
]

NAB_STANDARD = {"tp": 1.0, "fp": 0.11, "fn": 1.0}


@dataclass(frozen=True)
class WindowScore:
    """Detections of one series against its labelled windows."""

    n_points: int
    n_windows: int
    detected: int
    events: int
    false_alarms: int
    earliness: tuple[float, ...]
    lead_hours: tuple[float, ...]
    nab_raw: float

    @property
    def precision(self) -> float:
        """Detected windows / (detected windows + false alarms); NaN without events."""
        total = self.detected + self.false_alarms
        return self.detected / total if total else math.nan

    @property
    def recall(self) -> float:
        """Detected windows / windows; NaN without windows."""
        return self.detected / self.n_windows if self.n_windows else math.nan

    @property
    def nab_null(self) -> float:
        """The NAB score of detecting nothing."""
        return -NAB_STANDARD["fn"] * self.n_windows

    @property
    def nab_perfect(self) -> float:
        """The NAB score of detecting every window at its first point."""
        return NAB_STANDARD["tp"] * self.n_windows


def probation_length(n_points: int, share: float = 0.15) -> int:
    """NAB's probationary period: 15% of the series, at most 750 points."""
    return int(min(math.floor(share * n_points), share * 5000))


def detection_events(flags: npt.ArrayLike, refractory: int = 0) -> npt.NDArray[np.int64]:
    """Positions where a detection event starts: a flag with no event started in the
    ``refractory`` points before it."""
    positions = np.flatnonzero(np.asarray(flags, dtype=bool))
    if refractory < 0:
        raise RiskInputError(f"refractory: expected points >= 0, found {refractory}")
    events: list[int] = []
    for p in positions.tolist():
        if not events or p - events[-1] > refractory:
            events.append(p)
    return np.asarray(events, dtype=np.int64)


def _scaled_sigmoid(position: float) -> float:
    # -1 at a window's start, 0 at its end, towards -1 for false alarms far after it.
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def score_windows(
    timestamps: pd.Series | pd.DatetimeIndex,
    flags: npt.ArrayLike,
    windows: Sequence[tuple[object, object]],
    *,
    labels: Sequence[object] = (),
    probation: int | None = None,
    refractory: int = 0,
) -> WindowScore:
    """Score one series' flags against its labelled windows.

    Parameters
    ----------
    timestamps
        The series' timestamps in order.
    flags
        Whether each point was flagged.
    windows
        ``(start, end)`` of each labelled window (inclusive, any date-like values).
    labels
        The labelled anomaly times (for the lead over the anomaly), one per window.
    probation
        Points at the start that are not scored; default :func:`probation_length`.
    refractory
        See :func:`detection_events`.
    """
    stamps = pd.DatetimeIndex(pd.to_datetime(pd.Series(timestamps)))
    flag_arr = np.asarray(flags, dtype=bool)
    if flag_arr.size != stamps.size:
        raise RiskInputError(
            f"flags: expected one per timestamp ({stamps.size}), found {flag_arr.size}"
        )
    n = stamps.size
    skip = probation_length(n) if probation is None else int(probation)
    bounds = []
    for start, end in windows:
        a = int(stamps.searchsorted(pd.Timestamp(str(start)), "left"))
        b = int(stamps.searchsorted(pd.Timestamp(str(end)), "right")) - 1
        if b < a:
            raise RiskInputError(f"windows: window ({start}, {end}) holds no timestamp")
        bounds.append((a, b))
    bounds.sort()
    label_times = [pd.Timestamp(str(x)) for x in labels]
    scored = [(a, b) for a, b in bounds if a >= skip]
    events = detection_events(flag_arr, refractory)
    events = events[events >= skip]
    tp = tp_score = 0.0
    earliness: list[float] = []
    leads: list[float] = []
    in_window = np.zeros(events.size, dtype=bool)
    for a, b in scored:
        inside = events[(events >= a) & (events <= b)]
        in_window |= (events >= a) & (events <= b)
        if inside.size == 0:
            continue
        first = int(inside[0])
        tp += 1
        width = b - a + 1
        tp_score += _scaled_sigmoid(-(b - first + 1) / width) / _scaled_sigmoid(-1.0)
        earliness.append((b - first) / max(b - a, 1))
        label = next((t for t in label_times if stamps[a] <= t <= stamps[b]), None)
        if label is not None:
            leads.append((label - stamps[first]) / pd.Timedelta(hours=1))
    fp_score = 0.0
    false_events = events[~in_window]
    # Windows in the probation period still position false alarms after them, as in NAB.
    for e in false_events.tolist():
        before = [(a, b) for a, b in bounds if b < e]
        if before:
            a, b = before[-1]
            position = abs(e - b) / max(b - a, 1)
        else:
            position = 3.0
        fp_score += _scaled_sigmoid(position)
    missed = len(scored) - tp
    raw = (
        NAB_STANDARD["tp"] * tp_score + NAB_STANDARD["fp"] * fp_score - NAB_STANDARD["fn"] * missed
    )
    return WindowScore(
        n_points=n,
        n_windows=len(scored),
        detected=int(tp),
        events=int(events.size),
        false_alarms=int(false_events.size),
        earliness=tuple(earliness),
        lead_hours=tuple(leads),
        nab_raw=float(raw),
    )


def nab_normalised(scores: Sequence[WindowScore]) -> float:
    """NAB's normalised score over several series: 0 = detect nothing, 100 = perfect."""
    raw = sum(s.nab_raw for s in scores)
    null = sum(s.nab_null for s in scores)
    perfect = sum(s.nab_perfect for s in scores)
    if perfect == null:
        return math.nan
    return 100.0 * (raw - null) / (perfect - null)


def summarise(scores: Sequence[WindowScore]) -> dict[str, float]:
    """Pooled precision, recall, F1, mean earliness, median lead and NAB score."""
    detected = sum(s.detected for s in scores)
    windows = sum(s.n_windows for s in scores)
    false_alarms = sum(s.false_alarms for s in scores)
    precision = detected / (detected + false_alarms) if detected + false_alarms else math.nan
    recall = detected / windows if windows else math.nan
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision == precision and recall == recall and precision + recall > 0
        else 0.0
    )
    earliness = [e for s in scores for e in s.earliness]
    leads = [x for s in scores for x in s.lead_hours]
    return {
        "windows": float(windows),
        "detected": float(detected),
        "false_alarms": float(false_alarms),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "earliness": float(np.mean(earliness)) if earliness else math.nan,
        "median_lead_hours": float(np.median(leads)) if leads else math.nan,
        "nab_standard": nab_normalised(scores),
    }
