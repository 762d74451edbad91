"""Helpers shared by the sample-company modules: array types, random streams, timestamps."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from supplymind.data.sample.config import SampleCompanyConfig

__all__ = [
    "NS_PER_MINUTE",
    "BoolArray",
    "DayArray",
    "FloatArray",
    "IntArray",
    "at_minutes",
    "random_stream",
    "to_ns",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DayArray = npt.NDArray[np.datetime64]

NS_PER_MINUTE = 60 * 10**9


def random_stream(config: SampleCompanyConfig, stream: int) -> np.random.Generator:
    """The random generator of one component (``stream``) of the company."""
    # One independent stream per component: changing one table leaves the others intact.
    return np.random.default_rng([config.seed, stream])


def to_ns(days: DayArray) -> npt.NDArray[np.datetime64]:
    """Days as timestamps in nanoseconds, at midnight."""
    return days.astype("datetime64[ns]")


def at_minutes(days: DayArray, minutes: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    """Timestamps ``minutes`` after midnight of ``days``."""
    offset = (np.asarray(minutes, dtype=np.float64) * NS_PER_MINUTE).astype(np.int64)
    stamps: npt.NDArray[np.datetime64] = to_ns(days) + offset.astype("timedelta64[ns]")
    return stamps
