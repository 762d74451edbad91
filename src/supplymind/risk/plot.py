"""Figures of risk: a series with its normal band and anomalies, supplier scorecards, a
reliability curve (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from supplymind.reporting.plots import save_figure
from supplymind.risk.frames import ID_COL, TARGET_COL, TIME_COL

__all__ = ["plot_anomalies", "plot_reliability", "plot_scorecards"]


def plot_anomalies(
    results: pd.DataFrame, path: str | Path, *, title: str = "", max_series: int = 3
) -> Path:
    """Each series (up to ``max_series``, those with the most anomalies), its expected
    value, normal band and flagged points."""
    counts = results.groupby(ID_COL)["is_anomaly"].sum().sort_values(ascending=False)
    keys = list(counts.index[:max_series])
    fig = MplFigure(figsize=(11, 2.8 * max(1, len(keys))))
    for i, key in enumerate(keys):
        ax = fig.add_subplot(len(keys), 1, i + 1)
        r = results[results[ID_COL] == key].sort_values(TIME_COL)
        ax.plot(r[TIME_COL], r[TARGET_COL], color="#486581", linewidth=0.9, label="observed")
        ax.plot(r[TIME_COL], r["expected"], color="#f0b429", linewidth=0.9, label="expected")
        band = np.isfinite(r["lower"]) & np.isfinite(r["upper"])
        ax.fill_between(
            r[TIME_COL],
            r["lower"].where(band),
            r["upper"].where(band),
            color="#f0b429",
            alpha=0.18,
            label="normal band",
        )
        hit = r[r["is_anomaly"].astype(bool)]
        ax.scatter(hit[TIME_COL], hit[TARGET_COL], color="#d64545", s=22, zorder=3, label="anomaly")
        ax.set_title(str(key), fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend(fontsize=8, ncol=4, loc="lower left")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def plot_scorecards(scorecards: pd.DataFrame, path: str | Path) -> Path:
    """On-time rate per supplier: overall, the previous and the recent window."""
    s = scorecards.sort_values("on_time_rate")
    fig = MplFigure(figsize=(10, 0.45 * len(s) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(s))
    ax.barh(y, s["on_time_rate"], color="#9fb3c8", label="all deliveries")
    ax.scatter(
        s["previous_on_time_rate"], y, color="#829ab1", marker="|", s=220, label="previous window"
    )
    ax.scatter(
        s["recent_on_time_rate"],
        y,
        color="#d64545",
        marker="D",
        s=30,
        zorder=3,
        label="recent window",
    )
    ax.set_yticks(y, [f"{sid} ({g})" for sid, g in zip(s["supplier_id"], s["grade"], strict=True)])
    ax.set_xlim(0, 1.05)
    ax.axvline(0.95, color="#3ebd93", linestyle="--", linewidth=1)
    ax.set_xlabel("share of deliveries on time (grade A from 95%)")
    ax.set_title("Supplier scorecards: on-time delivery")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return save_figure(fig, path)


def plot_reliability(curves: dict[str, pd.DataFrame], path: str | Path, *, title: str = "") -> Path:
    """Observed late rate against predicted probability (one line per model)."""
    fig = MplFigure(figsize=(5.6, 5.2))
    ax = fig.add_subplot()
    top = 0.05
    for name, curve in curves.items():
        ax.plot(curve["mean_predicted"], curve["observed_rate"], marker="o", label=name)
        top = max(top, float(curve["mean_predicted"].max()), float(curve["observed_rate"].max()))
    top = min(1.0, top * 1.1)
    ax.plot([0, top], [0, top], color="#829ab1", linestyle="--", linewidth=1, label="perfect")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted probability of arriving late")
    ax.set_ylabel("observed late rate")
    ax.set_title(title or "Reliability")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)
