"""Reading timestamps from company files the same way everywhere.

Every table reader (forecast histories, inventory histories, risk series, shipments, the
warehouse ingest) turns its time column into timezone-naive ``datetime64[ns]`` through
:func:`parse_timestamps`, so the same file means the same times on every path:

* **Local wall time.** A UTC offset or ``Z`` written after a time (``2024-03-01T00:00+08:00``)
  is dropped and the wall time kept: a daily demand row stamped at local midnight stays on
  its day, a delivery window of 08:00-20:00 stays 08:00-20:00 whatever the offset, and a
  file whose offset changes with daylight-saving time (``-04:00`` in summer, ``-05:00`` in
  winter) reads as one series instead of failing.
* **Day-first dates.** Numeric dates written day or month first (``26-10-2012``,
  ``10/26/2012``) are read day-first when some first field exceeds 12, month-first when some
  second field does. When every value fits both, a field that never changes is the day
  (``01-02-2024, 01-03-2024, ...`` is monthly data stamped on the 1st, read day-first);
  otherwise the reading whose timestamps fall on a regular grid wins, month-first on a tie.
* **An explicit format** (``--time-format``, :func:`datetime.datetime.strptime` codes) is
  used as given; ``%z``/``%Z`` still only drop the offset.

Values that cannot be read become ``NaT``; the callers report them with their rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["day_first_of", "parse_timestamps"]

# A UTC offset (or Z / UTC / GMT) after a clock time: "...12:30", "...12:30:15.5".
_OFFSET = re.compile(
    r"^(?P<stamp>.*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
    re.IGNORECASE,
)
# A numeric date with the year last: "26-10-2012", "10/26/12", "1.2.2024 08:00".
_YEAR_LAST = re.compile(r"^\s*(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.]\d{2,4}(?:\D|$)")


def _drop_offsets(text: pd.Series) -> pd.Series:
    return text.str.replace(_OFFSET, lambda m: m.group("stamp"), regex=True)


def _naive(stamps: pd.Series) -> pd.Series:
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    return stamps.astype("datetime64[ns]")


def _irregular(stamps: pd.Series) -> bool:
    """Whether the distinct timestamps miss every pandas frequency."""
    distinct = pd.DatetimeIndex(np.unique(stamps.dropna().to_numpy()))
    return len(distinct) > 2 and pd.infer_freq(distinct) is None


def _day_first(text: pd.Series) -> bool | None:
    """Whether year-last numeric dates are day-first; ``None`` when they are not that kind
    or either reading fits."""
    parts = text.str.extract(_YEAR_LAST)
    if parts["a"].isna().any():
        return None
    first, second = parts["a"].astype(int), parts["b"].astype(int)
    if (first > 12).any():
        return True
    if (second > 12).any():
        return False
    if first.nunique() == 1 and second.nunique() > 1:
        return True
    if second.nunique() == 1 and first.nunique() > 1:
        return False
    return None


def _text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return _drop_offsets(text.where(text != ""))


def day_first_of(columns: list[pd.Series]) -> bool | None:
    """Whether the year-last numeric dates of several columns of one table are day-first,
    decided on all of them together (``None``: not that kind, or either reading fits)."""
    texts = [_text(c).dropna() for c in columns if not pd.api.types.is_datetime64_any_dtype(c)]
    texts = [t for t in texts if not t.empty]
    return _day_first(pd.concat(texts, ignore_index=True)) if texts else None


def parse_timestamps(
    values: pd.Series, time_format: str | None = None, *, day_first: bool | None = None
) -> pd.Series:
    """Timezone-naive ``datetime64[ns]`` timestamps of a column (``NaT`` where unreadable or
    empty), in local wall time; see the module notes for the rules. ``day_first`` imposes
    the reading of year-last numeric dates (see :func:`day_first_of` for a whole table)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _naive(values)
    stamped = _text(values)
    if time_format:
        fmt = re.sub(r"\s*%[zZ]", "", time_format)
        return _naive(pd.to_datetime(stamped, format=fmt, errors="coerce"))
    filled = stamped.dropna()
    if filled.empty:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    fast = pd.to_datetime(stamped, format="ISO8601", errors="coerce")
    if fast.notna().sum() == len(filled):
        return _naive(fast)
    if day_first is None:
        day_first = _day_first(filled)
    if day_first is not None:
        return _naive(pd.to_datetime(stamped, format="mixed", dayfirst=day_first, errors="coerce"))
    readings = [
        _naive(pd.to_datetime(stamped, format="mixed", dayfirst=flag, errors="coerce"))
        for flag in (False, True)
    ]
    # Most values read, then a regular grid; month-first on a tie.
    return min(readings, key=lambda r: (int(r.isna().sum()), _irregular(r)))
