"""Plots of the warehouse's tables for reports (matplotlib, headless, no pyplot state)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from supplymind.files import atomic_path

__all__ = [
    "plot_deliveries",
    "plot_demand_by_category",
    "plot_example_series",
    "plot_feedback",
    "plot_inventory",
    "plot_lead_times",
    "plot_location_map",
    "save_figure",
]

_KIND_STYLE = {
    "supplier": ("#d64545", "^", 70),
    "warehouse": ("#102a43", "s", 90),
    "depot": ("#2680c2", "D", 60),
    "store": ("#3ebd93", "o", 25),
    "customer": ("#f0b429", "o", 18),
}


def save_figure(fig: MplFigure, path: str | Path) -> Path:
    """Save ``fig`` as PNG atomically and return the path."""
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    return Path(path)


def plot_demand_by_category(demand: pd.DataFrame, items: pd.DataFrame, path: str | Path) -> Path:
    """Weekly total demand per product category."""
    frame = demand[["item_id", "timestamp", "target"]].merge(
        items[["item_id", "category"]], on="item_id", how="left"
    )
    frame["category"] = frame["category"].fillna("(none)")
    grouped = frame.set_index("timestamp").groupby("category")["target"]
    weekly = grouped.resample("W-SUN").sum().unstack(0).fillna(0.0)
    # Only complete weeks: a partial first or last week would look like a collapse.
    days = pd.Series(1, index=frame["timestamp"].drop_duplicates()).resample("W-SUN").sum()
    weekly = weekly[weekly.index.isin(days.index[days == 7])] if (days == 7).any() else weekly
    fig = MplFigure(figsize=(11, 4.8))
    ax = fig.add_subplot()
    for column in weekly.columns:
        ax.plot(weekly.index, weekly[column], label=str(column), linewidth=1.4)
    ax.set_title("Weekly demand by category (units)")
    ax.set_ylabel("units per week")
    ax.grid(alpha=0.3)
    ax.legend(ncol=4, fontsize=8, loc="upper left")
    return save_figure(fig, path)


def plot_example_series(demand: pd.DataFrame, items: pd.DataFrame, path: str | Path) -> Path:
    """Four kinds of demand side by side: a fast mover, a slow (intermittent) mover, a
    launch and an end-of-life item."""
    totals = demand.groupby(["item_id", "timestamp"])["target"].sum().reset_index()
    # Judge intermittency only over an item's selling life (from its first sale to its last).
    selling = totals[totals["target"] > 0].groupby("item_id")["timestamp"].agg(["min", "max"])
    life = totals.merge(selling, left_on="item_id", right_index=True)
    life = life[(life["timestamp"] >= life["min"]) & (life["timestamp"] <= life["max"])]
    stats = life.groupby("item_id")["target"].agg(
        mean="mean", zeros=lambda s: float((s == 0).mean())
    )
    picks: list[tuple[str, str]] = []
    if len(stats):
        picks.append(("fast mover", str(stats["mean"].idxmax())))
        slow = stats[stats["zeros"] > 0.5].sort_values("mean")
        if len(slow):
            picks.append(("intermittent", str(slow.index[len(slow) // 2])))
    start = demand["timestamp"].min()
    if "launched_at" in items:
        launched = items[items["launched_at"] > start + pd.Timedelta(days=60)]
        if len(launched):
            picks.append(("launch", str(launched["item_id"].iloc[0])))
    if "discontinued_at" in items:
        ended = items[items["discontinued_at"].notna()]
        if len(ended):
            picks.append(("end of life", str(ended["item_id"].iloc[0])))
    fig = MplFigure(figsize=(11, 6))
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (label, item) in zip(axes, picks, strict=False):
        series = demand[demand["item_id"] == item].groupby("timestamp")["target"].sum()
        ax.plot(series.index, series.to_numpy(), linewidth=0.8, color="#486581")
        weekly = series.rolling(7, min_periods=1).mean()
        ax.plot(weekly.index, weekly.to_numpy(), linewidth=1.6, color="#d64545", label="7-day mean")
        ax.set_title(f"{label}: {item}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in axes[len(picks) :]:
        ax.set_visible(False)
    fig.suptitle("Example demand series (units per day, all locations)")
    return save_figure(fig, path)


def plot_location_map(locations: pd.DataFrame, path: str | Path) -> Path:
    """The network: every location (left) and the delivery area (right)."""
    fig = MplFigure(figsize=(12, 5.5))
    wide, local = fig.subplots(1, 2)
    near = locations[locations["kind"] != "supplier"]
    for ax, frame, title in (
        (wide, locations, "Network incl. suppliers"),
        (local, near, "Delivery area"),
    ):
        for kind, group in frame.groupby("kind"):
            color, marker, size = _KIND_STYLE.get(str(kind), ("#829ab1", "o", 20))
            ax.scatter(
                group["lon"],
                group["lat"],
                c=color,
                marker=marker,
                s=size,
                label=f"{kind} ({len(group)})",
                edgecolors="white",
                linewidths=0.5,
            )
        ax.set_title(title)
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        mid = np.cos(np.radians(frame["lat"].mean())) if len(frame) else 1.0
        ax.set_aspect(1.0 / max(mid, 0.1), adjustable="datalim")
    for _, row in locations[locations["kind"].isin(["warehouse", "depot"])].iterrows():
        local.annotate(
            str(row.get("name") or row["location_id"]),
            (row["lon"], row["lat"]),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    return save_figure(fig, path)


def plot_lead_times(
    purchase_orders: pd.DataFrame, locations: pd.DataFrame, path: str | Path
) -> Path:
    """Actual lead time (ordered to received, days) per supplier against the promise."""
    po = purchase_orders.dropna(subset=["received_at"]).copy()
    po["lead_days"] = (po["received_at"] - po["ordered_at"]).dt.total_seconds() / 86400
    po["promised_days"] = (po["promised_at"] - po["ordered_at"]).dt.total_seconds() / 86400
    names = (
        locations.set_index("location_id")["name"].fillna("")
        if "name" in locations
        else pd.Series(dtype=str)
    )
    suppliers = sorted(po["supplier_id"].unique())
    fig = MplFigure(figsize=(11, 4.8))
    ax, late_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1.3]})
    data = [po.loc[po["supplier_id"] == s, "lead_days"].to_numpy() for s in suppliers]
    labels = [f"{s}\n{names.get(s, '')}"[:28] for s in suppliers]
    if data:
        ax.boxplot(data, tick_labels=labels, showfliers=True, flierprops={"markersize": 2})
        promised = [po.loc[po["supplier_id"] == s, "promised_days"].median() for s in suppliers]
        ax.scatter(
            np.arange(1, len(suppliers) + 1),
            promised,
            marker="_",
            s=400,
            color="#d64545",
            label="promised (median)",
            zorder=3,
        )
        ax.legend(fontsize=8)
    ax.set_title("Purchase-order lead time by supplier (days)")
    ax.tick_params(axis="x", labelsize=7, rotation=45)
    ax.grid(alpha=0.3, axis="y")
    late = (po["received_at"] > po["promised_at"]).groupby(po["supplier_id"]).mean()
    late_ax.barh([str(s) for s in late.index], late.to_numpy() * 100, color="#d64545")
    late_ax.set_title("Orders late (%)")
    late_ax.grid(alpha=0.3, axis="x")
    return save_figure(fig, path)


def plot_inventory(inventory: pd.DataFrame, path: str | Path, *, n_items: int = 4) -> Path:
    """On-hand and on-order stock of the items with the most stock-outs."""
    frame = inventory.sort_values(["item_id", "location_id", "timestamp"]).copy()
    # A stock-out is a snapshot with backorders, or with nothing on hand once stock had arrived.
    stocked = (frame["on_hand"] > 0).groupby([frame["item_id"], frame["location_id"]]).cummax()
    frame["out"] = (frame["backorders"] > 0) | ((frame["on_hand"] <= 0) & stocked)
    outs = frame[stocked].groupby("item_id")["out"].mean()
    chosen = list(outs.sort_values(ascending=False, kind="stable").index[:n_items])
    fig = MplFigure(figsize=(11, 4.8))
    ax = fig.add_subplot()
    for item in chosen:
        rows = frame[(frame["item_id"] == item) & stocked]
        series = rows.groupby("timestamp")[["on_hand", "backorders"]].sum()
        (line,) = ax.step(series.index, series["on_hand"], where="post", label=f"{item} on hand")
        ax.fill_between(
            series.index, -series["backorders"], 0, step="post", alpha=0.35, color=line.get_color()
        )
    ax.axhline(0, color="#1f2933", linewidth=0.8)
    ax.set_title("Stock on hand (backorders shaded below zero), items with the most stock-outs")
    ax.set_ylabel("units, all locations")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def plot_deliveries(delivery_orders: pd.DataFrame, path: str | Path) -> Path:
    """Arrival relative to the time window (minutes) and lateness by hour of the window."""
    done = delivery_orders.dropna(subset=["delivered_at"]).copy()
    fig = MplFigure(figsize=(11, 4.5))
    hist_ax, hour_ax = fig.subplots(1, 2)
    if len(done):
        minutes = (done["delivered_at"] - done["window_end"]).dt.total_seconds() / 60
        hist_ax.hist(minutes.clip(-300, 300), bins=60, color="#486581")
        hist_ax.axvline(0, color="#d64545", linewidth=1.5, label="window end")
        hist_ax.legend(fontsize=8)
        done["late"] = done["delivered_at"] > done["window_end"]
        by_hour = done.groupby(done["window_start"].dt.hour)["late"].mean() * 100
        hour_ax.bar(by_hour.index, by_hour.to_numpy(), color="#d64545")
    hist_ax.set_title("Arrival minus window end (minutes; > 0 is late)")
    hour_ax.set_title("Late deliveries by window start hour (%)")
    hour_ax.set_xlabel("hour of day")
    for ax in (hist_ax, hour_ax):
        ax.grid(alpha=0.3)
    return save_figure(fig, path)


def plot_feedback(feedback: pd.DataFrame, path: str | Path) -> Path:
    """Feedback by language and sentiment, and complaint types."""
    fig = MplFigure(figsize=(11, 4.2))
    sent_ax, type_ax = fig.subplots(1, 2)
    table = pd.crosstab(feedback["language"], feedback["sentiment"].fillna("unlabelled"))
    bottom = np.zeros(len(table))
    colors = {"negative": "#d64545", "neutral": "#9fb3c8", "positive": "#3ebd93"}
    for column in table.columns:
        sent_ax.bar(
            table.index.astype(str),
            table[column],
            bottom=bottom,
            label=str(column),
            color=colors.get(str(column), "#f0b429"),
        )
        bottom += table[column].to_numpy()
    sent_ax.set_title("Feedback by language and sentiment")
    sent_ax.legend(fontsize=8)
    types = feedback["complaint_type"].dropna().value_counts()
    type_ax.barh(types.index.astype(str), types.to_numpy(), color="#486581")
    type_ax.set_title("Complaint types")
    for ax in (sent_ax, type_ax):
        ax.grid(alpha=0.3)
    return save_figure(fig, path)
