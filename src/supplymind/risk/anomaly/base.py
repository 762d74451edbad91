"""What every anomaly detector returns, and the batch/streaming split they share.

A detector scores each point of a series from the points before it only (causal), so the
same scores come out whether a series is scored at once or point by point as it arrives.
Each detector makes a per-series :class:`DetectorState` that takes in new points and
scores them; :meth:`SeriesDetector.detect` runs one state per series over a whole table,
and :class:`~supplymind.risk.anomaly.stream.StreamingScorer` keeps the states between
calls.

The result of scoring is the long table of :data:`RESULT_COLUMNS`:

``item_id, timestamp, target``
    The scored observation.
``expected``
    What the detector expected (a median, a mean or a forecast).
``lower, upper``
    The band of normal values at the detector's threshold.
``score``
    How abnormal the point is, >= 0, in the detector's unit (a robust z-score, or the
    excess over the forecast interval in interval widths); comparable across series.
``p_value``
    Probability of a point at least this extreme under normal behaviour: exact conformal
    p-value for the conformal detector, the Gaussian tail of the z-score for the others.
``is_anomaly``
    Flagged at the detector's threshold.
``direction``
    ``"up"`` (above what was expected), ``"down"`` or ``""`` (not scored).

Points scored before a detector has enough history are kept with empty scores and
``is_anomaly`` false.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.exceptions import RiskInputError
from supplymind.risk.frames import ID_COL, TARGET_COL, TIME_COL, check_series, period_days

__all__ = [
    "RESULT_COLUMNS",
    "BufferState",
    "DetectorState",
    "ScoreBlock",
    "SeriesDetector",
    "check_positive_float",
    "check_positive_int",
    "gaussian_p_value",
    "result_frame",
    "robust_scale",
    "sliding_windows",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TimeArray = npt.NDArray[np.datetime64]

RESULT_COLUMNS = (
    ID_COL,
    TIME_COL,
    TARGET_COL,
    "expected",
    "lower",
    "upper",
    "score",
    "p_value",
    "is_anomaly",
    "direction",
)
_MAD_TO_SD = 1.4826  # MAD of a normal distribution times this is its standard deviation
_MEAN_AD_TO_SD = 1.2533  # sqrt(pi / 2): the same for the mean absolute deviation
_BLOCK_CELLS = 2_000_000  # window cells per vectorised block (memory bound)


@dataclass(frozen=True)
class ScoreBlock:
    """Scores of consecutive points of one series (arrays of equal length)."""

    expected: FloatArray
    lower: FloatArray
    upper: FloatArray
    score: FloatArray
    p_value: FloatArray
    is_anomaly: BoolArray

    @classmethod
    def empty(cls, n: int) -> ScoreBlock:
        """``n`` unscored points."""
        nan = np.full(n, np.nan)
        return cls(nan, nan.copy(), nan.copy(), nan.copy(), nan.copy(), np.zeros(n, dtype=bool))

    def __len__(self) -> int:
        return int(self.expected.size)

    def shifted(self, shift: float) -> ScoreBlock:
        """The same scores for values moved by ``shift`` (expected value and band move)."""
        return ScoreBlock(
            self.expected + shift,
            self.lower + shift,
            self.upper + shift,
            self.score,
            self.p_value,
            self.is_anomaly,
        )

    @classmethod
    def concat(cls, blocks: list[ScoreBlock]) -> ScoreBlock:
        """Blocks one after the other."""
        if not blocks:
            return cls.empty(0)
        return cls(
            *(
                np.concatenate([getattr(b, name) for b in blocks])
                for name in ("expected", "lower", "upper", "score", "p_value", "is_anomaly")
            )
        )


class DetectorState(ABC):
    """One series' memory: takes in new points in time order and scores them."""

    @abstractmethod
    def update(self, times: TimeArray, values: FloatArray) -> ScoreBlock:
        """Score ``values`` (observed at ``times``, after every point seen so far) and
        remember them."""


class BufferState(DetectorState):
    """A state whose scores depend on the last ``memory`` points only.

    It keeps those points and scores new ones by running the detector's vectorised
    ``score_array`` over the kept points followed by the new ones, so streaming and batch
    scoring give identical numbers.
    """

    def __init__(self, memory: int) -> None:
        self.memory = memory
        self.values: FloatArray = np.empty(0)
        self.n_seen = 0

    @abstractmethod
    def score_array(self, values: FloatArray, start: int, n_before: int) -> ScoreBlock:
        """Scores of ``values[start:]``; ``values[0]`` is the ``n_before``-th point of the
        series (0-based)."""

    def update(self, times: TimeArray, values: FloatArray) -> ScoreBlock:
        new = np.asarray(values, dtype=np.float64)
        if new.size == 0:
            return ScoreBlock.empty(0)
        arr = np.concatenate([self.values, new])
        block = self.score_array(arr, self.values.size, self.n_seen - self.values.size)
        self.values = arr[-self.memory :].copy()
        self.n_seen += new.size
        return block


class SeriesDetector(ABC):
    """A causal detector: scores each point from the points before it.

    Subclasses set :attr:`name` and implement :meth:`new_state`; those that need a
    warm-up or calibration history override :meth:`min_points`.
    """

    name: str = "detector"

    @abstractmethod
    def new_state(self, period_days: float = 1.0) -> DetectorState:
        """A fresh state for one series whose points are ``period_days`` apart (used by
        defaults that depend on the frequency, such as the seasonal period)."""

    def min_points(self, period_days: float = 1.0) -> int:
        """Fewest points a series needs before the detector can flag its last point.

        A series whose points are ``period_days`` apart and that is shorter than this comes
        out with every point unscored or unflaggable: the detector cannot tell whether it
        holds anomalies (callers fall back to another detector or report it as not
        scored). The base class knows of no warm-up and returns 1.
        """
        return 1

    def detect(self, series: pd.DataFrame) -> pd.DataFrame:
        """Score every point of every series (``item_id, timestamp, target``).

        Returns
        -------
        pandas.DataFrame
            The :data:`RESULT_COLUMNS`, one row per observed point, sorted by series and
            time.
        """
        frame = check_series(series)
        parts = []
        for key, group in frame.groupby(ID_COL, sort=False):
            state = self.new_state(period_days(group[TIME_COL]))
            times = group[TIME_COL].to_numpy()
            values = group[TARGET_COL].to_numpy(np.float64)
            parts.append(result_frame(str(key), times, values, state.update(times, values)))
        return pd.concat(parts, ignore_index=True)


def result_frame(key: str, times: TimeArray, values: FloatArray, block: ScoreBlock) -> pd.DataFrame:
    """The :data:`RESULT_COLUMNS` table of one scored block."""
    direction = np.where(
        np.isnan(block.expected), "", np.where(values >= block.expected, "up", "down")
    )
    return pd.DataFrame(
        {
            ID_COL: key,
            TIME_COL: times,
            TARGET_COL: values,
            "expected": block.expected,
            "lower": block.lower,
            "upper": block.upper,
            "score": block.score,
            "p_value": block.p_value,
            "is_anomaly": block.is_anomaly,
            "direction": direction,
        }
    )


def gaussian_p_value(z: FloatArray) -> FloatArray:
    """Two-sided tail probability of a standard normal beyond ``|z|`` (NaN stays NaN)."""
    erfc = np.vectorize(math.erfc, otypes=[np.float64])
    out = np.full(z.shape, np.nan)
    ok = np.isfinite(z)
    out[ok] = erfc(np.abs(z[ok]) / math.sqrt(2.0))
    out[np.isinf(z)] = 0.0
    return out


def robust_scale(windows: FloatArray, centre: FloatArray) -> FloatArray:
    """Spread of each row of ``windows`` around ``centre`` as a standard deviation.

    1.4826 x MAD; where over half the window equals the centre (MAD 0, as for intermittent
    demand) the mean absolute deviation x 1.2533 takes over, so a single non-zero is not an
    infinite z-score. Zero only for a constant window.
    """
    dev = np.abs(windows - centre[:, None])
    mad = _MAD_TO_SD * np.median(dev, axis=1)
    mean_ad = _MEAN_AD_TO_SD * dev.mean(axis=1)
    return np.where(mad > 0, mad, mean_ad)


def sliding_windows(values: FloatArray, start: int, width: int) -> list[tuple[int, FloatArray]]:
    """Windows of the ``width`` values before each position from ``start`` on.

    Returns ``(first_position, windows)`` blocks, ``windows[j]`` being
    ``values[first_position + j - width : first_position + j]``; memory is bounded by
    blocking. Positions before ``width`` have no full window and are not returned.
    """
    if width < 1:
        raise RiskInputError(f"window: expected at least 1 point, found {width}")
    first = max(start, width)
    if first >= values.size:
        return []
    view = np.lib.stride_tricks.sliding_window_view(values, width)
    # view[k] = values[k : k + width] is the window before position k + width.
    rows = max(1, _BLOCK_CELLS // width)
    out = []
    for pos in range(first, values.size, rows):
        stop = min(values.size, pos + rows)
        out.append((pos, np.asarray(view[pos - width : stop - width], dtype=np.float64)))
    return out


def check_positive_int(owner: str, name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum`` or a :class:`RiskInputError`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise RiskInputError(f"{owner}.{name}: expected an integer >= {minimum}, found {value!r}")
    return int(value)


def check_positive_float(owner: str, name: str, value: object, *, strict: bool = True) -> float:
    """``value`` as a finite float > 0 (>= 0 when not strict) or a :class:`RiskInputError`."""
    ok = not isinstance(value, bool) and isinstance(value, int | float | np.floating)
    number = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not ok or not math.isfinite(number) or number < 0 or (strict and number == 0):
        rule = "> 0" if strict else ">= 0"
        raise RiskInputError(f"{owner}.{name}: expected a finite number {rule}, found {value!r}")
    return number
