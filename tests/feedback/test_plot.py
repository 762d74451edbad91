"""Complaint shares over time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplymind.exceptions import FeedbackInputError
from supplymind.feedback.plot import complaint_shares, plot_complaint_share


def test_counts_per_month_and_type_keep_empty_months() -> None:
    complaints = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-03-02"]),
            "complaint_type": ["late_delivery", "damaged", "late_delivery"],
        }
    )
    counts = complaint_shares(complaints)
    assert list(counts.index) == list(pd.date_range("2024-01-01", periods=3, freq="MS"))
    assert counts.loc["2024-01-01"].to_dict() == {"damaged": 1, "late_delivery": 1}
    assert counts.loc["2024-02-01"].sum() == 0


def test_figure_is_written_even_without_complaints(tmp_path: Path) -> None:
    empty = complaint_shares(pd.DataFrame({"timestamp": [], "complaint_type": []}))
    assert plot_complaint_share(empty, tmp_path / "a.png").stat().st_size > 0


def test_missing_columns_are_refused() -> None:
    with pytest.raises(FeedbackInputError, match="complaint_type"):
        complaint_shares(pd.DataFrame({"timestamp": []}))


def test_few_complaints_are_counted_per_quarter_when_freq_is_automatic() -> None:
    complaints = pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=12, freq="MS"),
            "complaint_type": ["late_delivery"] * 12,
        }
    )
    counts = complaint_shares(complaints, freq=None)
    assert len(counts) == 4
    assert counts["late_delivery"].tolist() == [3, 3, 3, 3]
    with pytest.raises(FeedbackInputError, match="freq"):
        complaint_shares(complaints, freq="W")
