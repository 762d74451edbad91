"""The calendar of the horizon: Chinese public holidays, lunar festivals and seasonal curves.

Lunar-calendar dates are tabulated for 2015-2030 and approximated outside those years.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from supplymind.data.sample._common import BoolArray, DayArray, FloatArray, IntArray
from supplymind.data.sample.config import SampleCompanyConfig

__all__ = ["Calendar", "build_calendar"]

# Chinese New Year, Dragon Boat and Mid-Autumn festivals (lunar calendar).
_LUNAR_HOLIDAYS: dict[int, tuple[str, str, str]] = {
    2015: ("2015-02-19", "2015-06-20", "2015-09-27"),
    2016: ("2016-02-08", "2016-06-09", "2016-09-15"),
    2017: ("2017-01-28", "2017-05-30", "2017-10-04"),
    2018: ("2018-02-16", "2018-06-18", "2018-09-24"),
    2019: ("2019-02-05", "2019-06-07", "2019-09-13"),
    2020: ("2020-01-25", "2020-06-25", "2020-10-01"),
    2021: ("2021-02-12", "2021-06-14", "2021-09-21"),
    2022: ("2022-02-01", "2022-06-03", "2022-09-10"),
    2023: ("2023-01-22", "2023-06-22", "2023-09-29"),
    2024: ("2024-02-10", "2024-06-10", "2024-09-17"),
    2025: ("2025-01-29", "2025-05-31", "2025-10-06"),
    2026: ("2026-02-17", "2026-06-19", "2026-09-25"),
    2027: ("2027-02-06", "2027-06-09", "2027-09-15"),
    2028: ("2028-01-26", "2028-05-28", "2028-10-03"),
    2029: ("2029-02-13", "2029-06-16", "2029-09-22"),
    2030: ("2030-02-03", "2030-06-05", "2030-09-12"),
}
_QINGMING_APRIL_4 = frozenset({2016, 2017, 2020, 2021, 2024, 2025, 2028, 2029})


@dataclass(frozen=True)
class Calendar:
    """Calendar features of each day of the horizon."""

    days: DayArray
    dow: IntArray
    holiday: BoolArray
    summer: FloatArray
    cny_up: FloatArray
    cny_dip: FloatArray
    year_end: FloatArray
    holiday_eve: BoolArray


def _lunar(year: int) -> tuple[np.datetime64, np.datetime64, np.datetime64]:
    # Outside the table: typical dates (documented approximation).
    cny, dragon, autumn = _LUNAR_HOLIDAYS.get(
        year, (f"{year}-02-05", f"{year}-06-10", f"{year}-09-20")
    )
    return np.datetime64(cny, "D"), np.datetime64(dragon, "D"), np.datetime64(autumn, "D")


def _public_holidays(year: int) -> list[np.datetime64]:
    cny, dragon, autumn = _lunar(year)
    one = np.timedelta64(1, "D")
    qingming = 4 if year in _QINGMING_APRIL_4 else 5
    days = [np.datetime64(f"{year}-01-01", "D"), dragon, autumn]
    days += [cny + k * one for k in range(-1, 6)]
    days.append(np.datetime64(f"{year}-04-{qingming:02d}", "D"))
    days += [np.datetime64(f"{year}-05-{d:02d}", "D") for d in range(1, 6)]
    days += [np.datetime64(f"{year}-10-{d:02d}", "D") for d in range(1, 8)]
    return days


def build_calendar(config: SampleCompanyConfig, n_days: int) -> Calendar:
    """Weekdays, public holidays and their eves, and seasonal curves of ``n_days`` days."""
    days = config.start_day + np.arange(n_days).astype("timedelta64[D]")
    epoch = days.astype(np.int64)
    dow = ((epoch + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday
    years = days.astype("datetime64[Y]")
    doy = (days - years.astype("datetime64[D]")).astype(np.int64)
    first, last = int(years[0].astype(np.int64)) + 1970, int(years[-1].astype(np.int64)) + 1970
    span = range(first - 1, last + 2)
    holidays = np.array([d for y in span for d in _public_holidays(y)], dtype="datetime64[D]")
    holiday = np.isin(days, holidays)
    eve = np.isin(days + np.timedelta64(1, "D"), holidays) & ~holiday

    cny_up = np.zeros(n_days)
    cny_dip = np.ones(n_days)
    for year in span:
        gap = (epoch - _lunar(year)[0].astype(np.int64)).astype(np.int64)
        before = (gap >= -21) & (gap < 0)
        cny_up = np.where(before, (22.0 + gap) / 21.0, cny_up)
        # Shanghai empties over the Spring Festival and refills slowly.
        cny_dip = np.where((gap >= 0) & (gap <= 2), 0.45, cny_dip)
        cny_dip = np.where((gap >= 3) & (gap <= 6), 0.65, cny_dip)
        cny_dip = np.where((gap >= 7) & (gap <= 13), 0.85, cny_dip)

    month_day = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    month = (days.astype("datetime64[M]").astype(np.int64) % 12) + 1
    year_end = np.zeros(n_days)
    year_end = np.where((month == 11) & (month_day <= 11), month_day / 11.0 * 1.5, year_end)
    year_end = np.where((month == 12) & (month_day == 12), 0.8, year_end)
    year_end = np.where((month == 12) & (month_day >= 20), 0.5, year_end)
    return Calendar(
        days=days,
        dow=dow,
        holiday=holiday,
        summer=np.cos(2 * math.pi * (doy - 200) / 365.25),
        cny_up=cny_up,
        cny_dip=cny_dip,
        year_end=year_end,
        holiday_eve=eve,
    )
