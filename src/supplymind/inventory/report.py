"""The replenishment stage of the demo report, on the sample company's tables.

:func:`inventory_section` plans a periodic-review base-stock policy per item and warehouse
(lead times from the purchase-order history, MOQ and pack size from the item master),
backtests it on the last weeks of demand against the normal approximation, writes
``plan.csv`` (levels for today and the order to place now, given the latest stock
snapshot) and two figures, and returns the report section.

The backtest's demand model is the SupplyMind Forecaster (pretrained backbone, zero-shot,
fitted on the history window only and re-forecasting at each weekly re-plan), compared on
the same simulation with AutoETS / negative-binomial sample paths and the normal
approximation; today's plan is made from the forecast stage's quantile forecast when given.
To stay fast the demand models see the last 26 weeks before the backtest, AutoETS searches
only models without a trend and is fitted once per series (its states are run forward at
each weekly re-plan), and 500 sample paths are drawn per series.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from supplymind.files import atomic_path
from supplymind.inventory.backtest import backtest, method_frontier
from supplymind.inventory.leadtime import estimate_lead_times
from supplymind.inventory.params import CostParams, InventoryParams, LeadTime, ServiceTarget
from supplymind.inventory.plan import plan_replenishment, replan
from supplymind.inventory.plot import plot_frontier, plot_trajectories
from supplymind.reporting import Figure, Section

__all__ = ["inventory_section", "protection_days"]

_TEST_DAYS = 56
_HISTORY_DAYS = 182
_REVIEW_DAYS = 7
_DEFAULT_LEAD_DAYS = 7  # the backtest's lead time; today's plan estimates its own
_TARGET = 0.95
_ORDER_COST = 20.0
_SWEEP = (0.8, 0.9, 0.95, 0.98, 0.99)
_ETS_MODEL = "ZNZ"  # no trend over 26 weeks of daily data: a third of the search


def protection_days(tables: dict[str, pd.DataFrame]) -> int:
    """Days of demand forecast today's plan reads: the longest lead time seen in the
    purchase-order history (per item-warehouse, or overall where an item has too few
    orders) plus the review period. A shorter forecast would have its last day repeated."""
    orders = tables.get("purchase_orders")
    if orders is None or orders.empty:
        return _DEFAULT_LEAD_DAYS + _REVIEW_DAYS
    lead_times = estimate_lead_times(orders, period_days=1.0)
    longest = max([lead_times.overall.max, *(lt.max for lt in lead_times.by_series.values())])
    return int(longest) + _REVIEW_DAYS


def _item_params(items: pd.DataFrame) -> pd.DataFrame:
    """Costs per item: 25% a year of the unit cost to hold; a unit backordered for a day
    costs a seventh of the gross margin (a week late loses the margin)."""
    margin = (items["price"] - items["unit_cost"]).clip(lower=0.01)
    return pd.DataFrame(
        {
            "item_id": items["item_id"].astype(str),
            "holding_cost": 0.25 * items["unit_cost"].clip(lower=0.01) / 365.0,
            "shortage_cost": margin / 7.0,
            "moq": items.get("moq", pd.Series(0, index=items.index)).fillna(0).astype(float),
            "pack_size": items.get("pack_size", pd.Series(1, index=items.index))
            .fillna(1)
            .astype(float),
        }
    )


def _active_demand(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Daily demand of the items still sold at the end, per item and warehouse."""
    demand = tables["demand"][["item_id", "location_id", "timestamp", "target"]].copy()
    items = tables["items"]
    last = demand["timestamp"].max()
    if "discontinued_at" in items.columns:
        ended = items.loc[
            items["discontinued_at"].notna() & (items["discontinued_at"] <= last), "item_id"
        ]
        demand = demand[~demand["item_id"].isin(set(ended))]
    return demand


def _at(curve: pd.DataFrame) -> pd.Series:
    """The sweep's row at the plan's target."""
    return curve[np.isclose(curve["target"], _TARGET)].iloc[0]


def _kpis(totals: dict[str, float] | pd.Series, days: float, label: str) -> dict[str, object]:
    return {
        "demand model": label,
        "fill rate": float(totals["fill_rate"]),
        "cycle service": float(totals["cycle_service_level"]),
        "avg units on hand": float(totals["average_on_hand"]),
        "turns per year": float(totals["inventory_turns"]) * 365.0 / days,
        "orders": float(totals["n_orders"]),
        "holding cost": float(totals["holding_cost"]),
        "shortage cost": float(totals["shortage_cost"]),
        "total cost": float(totals["total_cost"]),
    }


def inventory_section(
    tables: dict[str, pd.DataFrame],
    plot_dir: Path,
    rel: str,
    *,
    seed: int = 0,
    plan_path: Path | None = None,
    forecast: pd.DataFrame | None = None,
    n_jobs: int = 1,
) -> tuple[Section, list[Path]]:
    """Plan and backtest replenishment for the sample company; the report section.

    Parameters
    ----------
    tables
        The warehouse tables (``demand``, ``items``, ``purchase_orders``, ``inventory``).
    plot_dir
        Folder for the PNG figures.
    rel
        Path of ``plot_dir`` relative to the report (for the figure links).
    seed
        Seed of every random draw.
    plan_path
        Where to write the plan; default ``plot_dir.parent / "plan.csv"``.
    forecast
        The forecast stage's quantile forecast (``item_id, location_id, timestamp`` and
        levels): today's plan is made from it. Without it, today's plan re-runs the
        backtested Forecaster on the latest demand.
    n_jobs
        Processes for the Forecaster's statistical models.

    Returns
    -------
    tuple
        The section and the files written (figures, then the plan CSV).
    """
    from supplymind.forecasting.forecaster import Forecaster

    demand = _active_demand(tables)
    end = demand["timestamp"].max()
    cutoff = end - pd.Timedelta(days=_TEST_DAYS - 1)
    window_start = cutoff - pd.Timedelta(days=_HISTORY_DAYS)
    history = demand[(demand["timestamp"] >= window_start) & (demand["timestamp"] < cutoff)]
    observed = history.dropna(subset=["target"]).groupby(["item_id", "location_id"]).size()
    keep = observed[observed >= 4 * _REVIEW_DAYS].index
    if forecast is not None:
        forecast = forecast.astype({"item_id": str, "location_id": str})
        keep = keep.intersection(pd.MultiIndex.from_frame(forecast[["item_id", "location_id"]]))
    key = pd.MultiIndex.from_frame(demand[["item_id", "location_id"]])
    demand = demand[key.isin(keep)]
    history = demand[(demand["timestamp"] >= window_start) & (demand["timestamp"] < cutoff)]
    test = demand[demand["timestamp"] >= cutoff]

    items = tables["items"]
    item_params = _item_params(items)
    params = InventoryParams(
        lead_time=LeadTime.fixed(_DEFAULT_LEAD_DAYS),
        review_period=_REVIEW_DAYS,
        costs=CostParams(holding_cost=1.0, shortage_cost=1.0, order_cost=_ORDER_COST),
        service=ServiceTarget(_TARGET),
        policy="base_stock",
    )
    orders = tables["purchase_orders"]
    lead_times = estimate_lead_times(orders, period_days=1.0, received_before=cutoff)
    # The backtest's Forecaster sees the history window only (no look-ahead): the
    # pretrained backbone zero-shot, re-forecasting at every weekly re-plan.
    forecaster = Forecaster(freq="D", n_jobs=n_jobs, seed=seed)
    result = backtest(
        history,
        test,
        params,
        method="backbone",
        forecaster=forecaster,
        finetune="none",
        lead_times=lead_times,
        item_params=item_params,
        n_samples=500,
        seed=seed,
        frontier_targets=_SWEEP,
    )
    normal_curve = method_frontier(result, history, test, "normal", _SWEEP, seed=seed)
    stat_curve = method_frontier(
        result, history, test, "auto", _SWEEP, seed=seed, n_samples=500, ets_model=_ETS_MODEL
    )

    # Today's plan: from the forecast stage's forecast (or the Forecaster run forward).
    recent = demand[demand["timestamp"] >= window_start]
    if forecast is not None:
        today = plan_replenishment(
            recent,
            params,
            forecast=forecast,
            lead_times=estimate_lead_times(orders, period_days=1.0),
            item_params=item_params,
            inventory=tables.get("inventory"),
            n_samples=500,
            seed=seed,
        )
    else:
        today = replan(result.plan, recent, inventory=tables.get("inventory"))
    plan_file = plan_path or plot_dir.parent / "plan.csv"
    with atomic_path(plan_file) as tmp:
        today.table.to_csv(tmp, index=False, float_format="%.6g")

    days = float(result.simulation.totals["n_periods"])
    kpis = pd.DataFrame(
        [
            _kpis(result.simulation.totals, days, "SupplyMind Forecaster (pretrained backbone)"),
            _kpis(_at(stat_curve), days, "AutoETS / negative-binomial sample paths"),
            _kpis(_at(normal_curve), days, "normal approximation (history mean and sd)"),
        ]
    )
    assert result.frontier is not None  # asked for above
    figures = [
        (
            plot_trajectories(
                result.simulation,
                plot_dir / "inventory_trajectory.png",
                timestamps=result.data.timestamps,
                title="Backtest: stock, backorders and orders of a few item-warehouses",
            ),
            "Simulated stock (backorders shaded below zero), orders placed and receipts over the "
            "held-out weeks; the grey band is the unmeasured warm-up.",
        ),
        (
            plot_frontier(
                {
                    "SupplyMind Forecaster": result.frontier,
                    "AutoETS / NB paths": stat_curve,
                    "normal (history sd)": normal_curve,
                },
                plot_dir / "inventory_frontier.png",
                title="Stock and cost against the achieved fill rate (held-out weeks)",
            ),
            f"Each point is a fill-rate target in {list(_SWEEP)}; lower and further right is "
            "better.",
        ),
    ]
    n_series = len(result.data.series_ids)
    lead_mean = float(np.mean([p.lead_time.mean for p in result.plan.params.values()]))
    section = Section("Replenishment plan")
    section.paragraphs.append(
        f"A periodic-review base-stock policy (weekly review, {_TARGET:.0%} fill-rate target) "
        f"for {n_series} item-warehouses, with lead-time distributions estimated from the "
        f"purchase-order history (mean {lead_mean:.1f} days), MOQ and pack sizes from the item "
        "master, and the demand over lead time + review period sampled from the quantiles of "
        "SupplyMind's Forecaster, not from the normal approximation. Today's plan (plan.csv) "
        "uses the forecast stage's forecast."
        if forecast is not None
        else "master, and the demand over lead time + review period sampled from the quantiles "
        "of SupplyMind's Forecaster, not from the normal approximation."
    )
    section.paragraphs.append(
        f"Backtest: planned on the demand before {cutoff:%Y-%m-%d} and simulated day by day on "
        f"the last {_TEST_DAYS} days, re-planned every week with the demand seen so far (the "
        "backtest's Forecaster is the pretrained backbone zero-shot, fitted on the history "
        "window only; two statistical demand models are compared on the same simulation). "
        "Costs: holding 25% a year of the unit cost; a day's backorder costs a seventh of the "
        f"gross margin; {_ORDER_COST:.0f} per order. plan.csv holds today's levels and the "
        "order to place now given the latest stock snapshot."
    )
    section.notes.append(
        "To keep the demo fast the models see the last 26 weeks, the backtest's Forecaster is "
        "not fine-tuned, AutoETS searches models without a trend and is fitted once (then run "
        "forward at each re-plan), and 500 sample paths are drawn per item-warehouse. "
        "Discontinued items and item-warehouses with under four weeks of history are not "
        "planned."
    )
    section.add_table(kpis)
    section.figures.extend(Figure(f"{rel}/{p.name}", caption) for p, caption in figures)
    return section, [p for p, _ in figures] + [plan_file]
