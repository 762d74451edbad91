"""Streaming: score the newest points of many series without re-scoring their past.

:class:`StreamingScorer` keeps one detector state per series (a window of recent points,
a fitted forecaster and its calibration scores) between calls; each
:meth:`~StreamingScorer.update` scores only the new points. Detectors are causal, so the
scores equal those of scoring the whole history at once.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd

from supplymind.exceptions import RiskInputError
from supplymind.risk.anomaly.base import (
    RESULT_COLUMNS,
    DetectorState,
    SeriesDetector,
    result_frame,
)
from supplymind.risk.frames import ID_COL, TARGET_COL, TIME_COL, check_series, period_days

__all__ = ["StreamingScorer"]


class StreamingScorer:
    """Score series point by point as they arrive.

    Parameters
    ----------
    detector
        The detector whose states are kept.

    Examples
    --------
    >>> from supplymind.risk.anomaly import RollingMADDetector
    >>> scorer = StreamingScorer(RollingMADDetector()).fit(history)  # doctest: +SKIP
    >>> new_scores = scorer.update(todays_points)  # doctest: +SKIP
    """

    def __init__(self, detector: SeriesDetector) -> None:
        if not isinstance(detector, SeriesDetector):
            raise RiskInputError(
                f"detector: expected a SeriesDetector, found {type(detector).__name__}"
            )
        self.detector = detector
        self.states_: dict[str, DetectorState] = {}
        self.last_: dict[str, pd.Timestamp] = {}

    def fit(self, history: pd.DataFrame) -> Self:
        """Start a state per series and run it over the history (scores discarded)."""
        self.states_ = {}
        self.last_ = {}
        self.update(history)
        return self

    def update(self, points: pd.DataFrame) -> pd.DataFrame:
        """Score new points (``item_id, timestamp, target``) and remember them.

        Each series' points must come after the last point seen of it; a series not seen
        before gets a fresh state.

        Returns
        -------
        pandas.DataFrame
            The :data:`~supplymind.risk.anomaly.base.RESULT_COLUMNS` of the new points.
        """
        frame = check_series(points, role="points")
        stale = []
        for key, group in frame.groupby(ID_COL, sort=False):
            last = self.last_.get(str(key))
            if last is not None and group[TIME_COL].iloc[0] <= last:
                stale.append(f"{key} ({group[TIME_COL].iloc[0]} <= {last})")
        if stale:
            raise RiskInputError(
                "points: expected timestamps after the last point seen of each series, found "
                f"older or repeated ones for {stale[:10]}"
            )
        parts = []
        for key, group in frame.groupby(ID_COL, sort=False):
            sid = str(key)
            if sid not in self.states_:
                self.states_[sid] = self.detector.new_state(period_days(group[TIME_COL]))
            times = group[TIME_COL].to_numpy()
            values = group[TARGET_COL].to_numpy(np.float64)
            block = self.states_[sid].update(times, values)
            parts.append(result_frame(sid, times, values, block))
            self.last_[sid] = pd.Timestamp(group[TIME_COL].iloc[-1])
        if not parts:
            return pd.DataFrame(columns=list(RESULT_COLUMNS))
        return pd.concat(parts, ignore_index=True)

    @property
    def series(self) -> list[str]:
        """Ids of the series being followed."""
        return list(self.states_)
