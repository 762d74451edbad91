"""Frequencies of time series: inferring a pandas offset alias and its seasonal period."""

from __future__ import annotations

import pandas as pd
from pandas.tseries.frequencies import to_offset

__all__ = ["infer_frequency", "season_length"]


def infer_frequency(timestamps: pd.Series | pd.DatetimeIndex) -> tuple[str, float]:
    """The pandas frequency of a set of timestamps and the length of one period in days.

    Uses ``pandas.infer_freq`` on the distinct timestamps, else the most common spacing.

    Returns
    -------
    tuple
        Offset alias (``"D"``, ``"W-MON"``, ``"MS"``...) and days per period.
    """
    stamps = pd.DatetimeIndex(pd.Series(timestamps).drop_duplicates().sort_values())
    if len(stamps) < 2:
        return "D", 1.0
    alias = None
    if len(stamps) >= 3:
        try:
            alias = pd.infer_freq(stamps)
        except (TypeError, ValueError):
            alias = None
    diffs = pd.Series(stamps[1:] - stamps[:-1])
    step = diffs.mode().iloc[0]
    days = step / pd.Timedelta(days=1)
    if alias is None:
        if 27 <= days <= 31:
            alias = "MS" if (stamps.day == 1).mean() > 0.5 else "ME"
        elif 89 <= days <= 92:
            alias = "QS"
        elif 365 <= days <= 366:
            alias = "YS"
        else:
            alias = to_offset(step).freqstr
    if alias.startswith(("M", "BM")):
        days = 30.4375
    elif alias.startswith(("Q", "BQ")):
        days = 91.3125
    elif alias.startswith(("Y", "A", "BY")):
        days = 365.25
    return str(alias), float(days)


def season_length(alias: str) -> int:
    """Periods in one seasonal cycle for a frequency alias (1 when unknown)."""
    base = to_offset(alias).name.split("-")[0]
    table = {
        "D": 7,
        "B": 5,
        "W": 52,
        "MS": 12,
        "ME": 12,
        "M": 12,
        "QS": 4,
        "QE": 4,
        "Q": 4,
        "h": 24,
        "H": 24,
    }
    return table.get(base, 1)
