"""Figures: stock trajectories with orders, and the stock (or cost) vs fill-rate frontier.

Headless matplotlib figures saved atomically through
:func:`supplymind.reporting.plots.save_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.simulate import SimulationResult
from supplymind.reporting.plots import save_figure

__all__ = ["pick_items", "plot_frontier", "plot_trajectories"]


def pick_items(result: SimulationResult, n: int = 4) -> list[str]:
    """Items worth a look: the largest demand, then the most units short."""
    table = result.per_item
    picks: list[str] = []
    for column in ("demand", "short_units"):
        for item in table.sort_values(column, ascending=False, kind="stable").index:
            if item not in picks:
                picks.append(str(item))
                break
    for item in table.sort_values("demand", ascending=False, kind="stable").index:
        if len(picks) >= n:
            break
        if item not in picks:
            picks.append(str(item))
    return picks[:n]


def plot_trajectories(
    result: SimulationResult,
    path: str | Path,
    *,
    items: Sequence[str] | None = None,
    timestamps: Sequence[pd.Timestamp] | pd.DatetimeIndex | np.ndarray | None = None,
    title: str = "Simulated stock and orders",
) -> Path:
    """On hand (backorders below zero), order placements and receipts of a few items.

    Parameters
    ----------
    result
        A simulation.
    path
        PNG to write.
    items
        Items to show (default :func:`pick_items`); at most 6.
    timestamps
        Period start times (default: period numbers): one sequence for all items, or an
        array ``(n_items, n_periods)`` with each item's own dates (``NaT`` marks padding,
        not drawn), as in :attr:`~supplymind.inventory.backtest.BacktestData.timestamps`.
    title
        Figure title.
    """
    names = list(items) if items is not None else pick_items(result)
    index = {str(name): i for i, name in enumerate(result.per_item.index)}
    unknown = [name for name in names if name not in index]
    if unknown or not names:
        raise InventoryInputError(f"items: expected simulated items, found {unknown or 'none'}")
    names = names[:6]
    n_items, n_periods = result.on_hand.shape
    own_dates: np.ndarray | None = None  # one row of dates per item
    if isinstance(timestamps, np.ndarray) and timestamps.ndim == 2:
        if timestamps.shape != (n_items, n_periods):
            raise InventoryInputError(
                f"timestamps: expected shape {(n_items, n_periods)} (items, periods), "
                f"found {timestamps.shape}"
            )
        own_dates = timestamps.astype("datetime64[ns]")
    shared: pd.DatetimeIndex | np.ndarray = (
        pd.DatetimeIndex(list(timestamps))
        if timestamps is not None and own_dates is None
        else np.arange(n_periods)
    )
    fig = MplFigure(figsize=(11, 2.4 * len(names) + 0.6))
    axes = np.atleast_1d(fig.subplots(len(names), 1, sharex=own_dates is None))
    for ax, name in zip(axes, names, strict=True):
        i = index[name]
        span = slice(0, n_periods)
        x = shared
        if own_dates is not None:
            keep = np.flatnonzero(~np.isnat(own_dates[i]))
            span = slice(int(keep[0]), int(keep[-1]) + 1)
            x = pd.DatetimeIndex(own_dates[i, span])
        on_hand, backlog = result.on_hand[i, span], result.backorders[i, span]
        ax.step(x, on_hand, where="post", color="#243b53", linewidth=1.3, label="on hand")
        ax.fill_between(x, -backlog, 0, step="post", color="#d64545", alpha=0.4, label="backorders")
        orders = result.orders[i, span] > 0
        if orders.any():
            ax.scatter(
                np.asarray(x)[orders],
                np.zeros(int(orders.sum())),
                marker="^",
                s=30,
                color="#2680c2",
                zorder=3,
                label="order placed",
            )
        arrivals = result.arrivals[i, span] > 0
        if arrivals.any():
            ax.scatter(
                np.asarray(x)[arrivals],
                on_hand[arrivals],
                marker="o",
                s=14,
                color="#3ebd93",
                zorder=3,
                label="receipt",
            )
        warm = result.warmup - span.start  # warm-up periods drawn for this item
        if warm > 0:
            ax.axvspan(x[0], x[warm], color="#bcccdc", alpha=0.35, label="warm-up")
        row = result.per_item.iloc[i]
        ax.set_title(
            f"{name}: fill rate {row['fill_rate']:.1%}, avg on hand {row['average_on_hand']:.1f}, "
            f"{int(row['n_orders'])} orders",
            fontsize=9,
        )
        ax.axhline(0, color="#1f2933", linewidth=0.7)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, ncol=5, loc="upper right")
    fig.suptitle(title)
    return save_figure(fig, path)


def plot_frontier(
    curves: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    title: str = "Stock and cost against the achieved fill rate",
) -> Path:
    """Average stock (left) and holding + ordering cost (right) against the achieved fill
    rate, one line per method, one point per service target.

    Parameters
    ----------
    curves
        Per method, the output of :func:`supplymind.inventory.backtest.frontier`.
    path
        PNG to write.
    title
        Figure title.
    """
    if not curves:
        raise InventoryInputError("curves: expected at least one method, found none")
    fig = MplFigure(figsize=(11, 4.6))
    stock_ax, cost_ax = fig.subplots(1, 2)
    for label, curve in curves.items():
        fill = curve["fill_rate"].to_numpy() * 100
        (line,) = stock_ax.plot(
            fill, curve["average_on_hand"], marker="o", markersize=3, label=label
        )
        cost_ax.plot(
            fill, curve["inventory_cost"], marker="o", markersize=3, color=line.get_color()
        )
        at = curve[np.isclose(curve["target"], 0.95)]
        if len(at):
            stock_ax.scatter(
                at["fill_rate"] * 100,
                at["average_on_hand"],
                s=70,
                facecolors="none",
                edgecolors=line.get_color(),
            )
    stock_ax.set_xlabel("achieved fill rate (%)")
    stock_ax.set_ylabel("average units on hand")
    stock_ax.set_title("Stock vs fill rate (circle: target 95%)", fontsize=10)
    cost_ax.set_xlabel("achieved fill rate (%)")
    cost_ax.set_ylabel("holding + ordering cost")
    cost_ax.set_title("Cost vs fill rate", fontsize=10)
    for ax in (stock_ax, cost_ax):
        ax.grid(alpha=0.3)
    stock_ax.legend(fontsize=8)
    fig.suptitle(title)
    return save_figure(fig, path)
