"""Figures of the feedback stage: complaints by type over time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from supplymind.exceptions import FeedbackInputError
from supplymind.reporting.plots import save_figure

__all__ = ["complaint_shares", "plot_complaint_share"]

_PALETTE = (
    "#d64545", "#f0b429", "#486581", "#3ebd93", "#9446ed", "#2bb0ed", "#e8684a", "#829ab1",
    "#27ab83", "#a368fc", "#f7d070",
)  # fmt: skip


def complaint_shares(
    complaints: pd.DataFrame,
    *,
    time_col: str = "timestamp",
    type_col: str = "complaint_type",
    freq: str | None = "MS",
) -> pd.DataFrame:
    """Complaints per period (rows) and type (columns), as counts; periods start at ``freq``
    boundaries (``"MS"`` months, ``"QS"`` quarters; ``None``: months when there are at least
    20 complaints a month on average, else quarters) and empty periods are kept (zeros)."""
    missing = [c for c in (time_col, type_col) if c not in complaints.columns]
    if missing:
        raise FeedbackInputError(
            f"complaints: expected the columns {missing}, found {list(complaints.columns)}"
        )
    frame = complaints[[time_col, type_col]].dropna()
    if frame.empty:
        return pd.DataFrame()
    stamps = pd.to_datetime(frame[time_col])
    if freq is None:
        months = max(1.0, (stamps.max() - stamps.min()).days / 30.4)
        freq = "MS" if len(frame) / months >= 20 else "QS"
    if freq not in ("MS", "QS"):
        raise FeedbackInputError(f"freq: expected 'MS', 'QS' or None, found {freq!r}")
    period = stamps.dt.to_period(freq[0])
    counts = pd.crosstab(period.dt.start_time, frame[type_col].astype(str))
    full = pd.date_range(counts.index.min(), counts.index.max(), freq=freq)
    return counts.reindex(full, fill_value=0)


def plot_complaint_share(
    counts: pd.DataFrame, path: str | Path, *, title: str = "Complaints by type"
) -> Path:
    """Complaints per period (bars) and the share of each type (stacked bars)."""
    fig = MplFigure(figsize=(11, 5.6))
    count_ax, share_ax = fig.subplots(2, 1, sharex=True, height_ratios=(1, 2))
    if counts.empty:
        count_ax.text(0.5, 0.5, "no complaints", ha="center", va="center")
        return save_figure(fig, path)
    x = counts.index
    step = (x[1] - x[0]).days if len(x) > 1 else 30
    width = 0.8 * step
    totals = counts.sum(axis=1).to_numpy(dtype=float)
    count_ax.bar(x, totals, width=width, color="#486581", align="edge")
    count_ax.set_ylabel("complaints")
    count_ax.set_title(title)
    shares = counts.div(np.where(totals > 0, totals, 1.0), axis=0)
    order = counts.sum().sort_values(ascending=False).index
    bottom = np.zeros(len(x))
    for i, column in enumerate(order):
        values = shares[column].to_numpy(dtype=float)
        share_ax.bar(
            x,
            values,
            width=width,
            bottom=bottom,
            align="edge",
            label=str(column),
            color=_PALETTE[i % len(_PALETTE)],
        )
        bottom += values
    share_ax.set_ylim(0, 1)
    share_ax.set_ylabel("share of complaints")
    share_ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    for ax in (count_ax, share_ax):
        ax.grid(alpha=0.3)
    return save_figure(fig, path)
