"""One reading of timestamps for every table reader: local wall time, day-first dates."""

from __future__ import annotations

import pandas as pd
import pytest

from supplymind.timestamps import day_first_of, parse_timestamps


def days(values: list[str], **kwargs: object) -> list[str]:
    stamps = parse_timestamps(pd.Series(values), **kwargs)  # type: ignore[arg-type]
    return [s.strftime("%Y-%m-%d %H:%M") if pd.notna(s) else "NaT" for s in stamps]


def test_offsets_are_dropped_and_the_local_wall_time_kept() -> None:
    # Daylight-saving time: the offset changes within the file, the clock reads on.
    assert days(["2024-03-09T23:00:00-05:00", "2024-03-10T03:00:00-04:00"]) == [
        "2024-03-09 23:00",
        "2024-03-10 03:00",
    ]
    assert days(["1996-03-18T00:00+08:00", "1996-03-19 00:00 +0800", "1996-03-20T00:00Z"]) == [
        "1996-03-18 00:00",
        "1996-03-19 00:00",
        "1996-03-20 00:00",
    ]
    aware = pd.Series(pd.to_datetime(["2024-03-01T00:00+08:00"]))
    assert parse_timestamps(aware).tolist() == [pd.Timestamp("2024-03-01")]


def test_a_date_is_not_mistaken_for_an_offset() -> None:
    assert days(["2024-03-01", "2024-03-02", ""]) == ["2024-03-01 00:00", "2024-03-02 00:00", "NaT"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # A first field above 12: day first (Walmart's dd-mm-yyyy).
        (["05-02-2010", "12-02-2010", "26-10-2012"], ["2010-02-05", "2010-02-12", "2012-10-26"]),
        # A second field above 12: month first.
        (["10/26/2012", "11/02/2012"], ["2012-10-26", "2012-11-02"]),
        # Both fit, the first field never changes: it is the day (monthly data on the 1st).
        (["01-02-2024", "01-03-2024", "01-04-2024"], ["2024-02-01", "2024-03-01", "2024-04-01"]),
        # Both fit, the second field never changes: it is the day.
        (["02/01/2024", "03/01/2024", "04/01/2024"], ["2024-02-01", "2024-03-01", "2024-04-01"]),
    ],
)
def test_year_last_dates_are_read_the_way_the_file_shows(
    values: list[str], expected: list[str]
) -> None:
    assert [d[:10] for d in days(values)] == expected


def test_a_format_is_used_as_given_and_unreadable_values_are_nat() -> None:
    assert days(["01/02/2024", "x"], time_format="%d/%m/%Y") == ["2024-02-01 00:00", "NaT"]
    assert days(["2024-03-01 08:00+05:00"], time_format="%Y-%m-%d %H:%M%z") == ["2024-03-01 08:00"]
    assert days(["01-03-2024"], time_format="ISO8601") == ["NaT"]


def test_one_table_reads_all_its_date_columns_alike() -> None:
    ordered = pd.Series(["01-02-2024", "03-04-2024"])  # either reading fits
    delivered = pd.Series(["15-02-2024", "20-04-2024"])  # day first
    flag = day_first_of([ordered, delivered])
    assert flag is True
    assert [d[:10] for d in days(list(ordered), day_first=flag)] == ["2024-02-01", "2024-04-03"]
