"""The file-to-file jobs behind ``supplymind plan`` and ``supplymind inventory backtest``.

They read the CSV/Parquet inputs (column names mapped as in ``supplymind ingest``), build
the parameters, run the library and write every output atomically; the CLI only parses
options and prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from supplymind.data.ingest import read_table_file
from supplymind.exceptions import InventoryInputError
from supplymind.files import atomic_path, atomic_write_text
from supplymind.inventory.backtest import BacktestResult, backtest, method_frontier, records
from supplymind.inventory.frames import infer_frequency, read_forecast, read_history
from supplymind.inventory.leadtime import LeadTimeTable, estimate_lead_times
from supplymind.inventory.params import InventoryParams
from supplymind.inventory.plan import (
    DEMAND_METHODS,
    DemandMethod,
    Plan,
    Progress,
    plan_replenishment,
)
from supplymind.inventory.plot import plot_frontier, plot_trajectories

__all__ = ["FRONTIER_TARGETS", "PlanOptions", "run_backtest", "run_plan"]

FRONTIER_TARGETS = (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999)


@dataclass(frozen=True)
class PlanOptions:
    """Inputs shared by the plan and the backtest commands.

    Parameters
    ----------
    params
        Default parameters of every series.
    purchase_orders
        A ``purchase_orders`` file to estimate lead-time distributions per item-location
        (series without orders keep ``params.lead_time``).
    method
        Demand model (default: ``"forecast"`` with a forecast file, else ``"auto"``).
    id_col, time_col, target_col, sep
        Column mapping and delimiter of the demand files.
    n_samples, seed, rho, window
        Sample paths, seed, copula correlation of forecast quantiles, recent window.
    """

    params: InventoryParams
    purchase_orders: Path | None = None
    method: DemandMethod | None = None
    id_col: str | None = None
    time_col: str | None = None
    target_col: str | None = None
    sep: str | None = None
    n_samples: int = 2000
    seed: int = 0
    rho: float = 0.0
    window: int | None = None

    @classmethod
    def from_options(
        cls,
        *,
        lead_time: str = "1",
        purchase_orders: Path | None = None,
        review_period: int = 1,
        service_level: float | None = None,
        service_type: str = "fill_rate",
        service_scope: str = "item",
        holding_cost: float | None = None,
        shortage_cost: float | None = None,
        order_cost: float = 0.0,
        shortage: str = "backorder",
        moq: float = 0.0,
        pack_size: float = 1.0,
        capacity: float | None = None,
        policy: str = "auto",
        method: str | None = None,
        id_col: str | None = None,
        time_col: str | None = None,
        target_col: str | None = None,
        sep: str | None = None,
        samples: int = 2000,
        seed: int = 0,
        rho: float = 0.0,
    ) -> PlanOptions:
        """Build from the command-line options (see ``InventoryParams.from_options``)."""
        if method is not None and method not in DEMAND_METHODS:
            raise InventoryInputError(
                f"method: expected one of {list(DEMAND_METHODS)}, found {method!r}"
            )
        params = InventoryParams.from_options(
            lead_time=lead_time,
            review_period=review_period,
            service_level=service_level,
            service_kind=service_type,
            service_scope=service_scope,
            holding_cost=holding_cost,
            shortage_cost=shortage_cost,
            order_cost=order_cost,
            shortage=shortage,
            moq=moq,
            pack_size=pack_size,
            capacity=capacity,
            policy=policy,
        )
        return cls(
            params=params,
            purchase_orders=purchase_orders,
            method=method,  # type: ignore[arg-type]
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
            sep=sep,
            n_samples=samples,
            seed=seed,
            rho=rho,
        )

    def read_demand(self, path: Path, role: str) -> pd.DataFrame:
        """A demand file, checked."""
        return read_history(
            path,
            id_col=self.id_col,
            time_col=self.time_col,
            target_col=self.target_col,
            sep=self.sep,
            role=role,
        )

    def lead_times(self, history: pd.DataFrame) -> LeadTimeTable | None:
        """Lead-time distributions from the purchase orders, in periods of the history."""
        if self.purchase_orders is None:
            return None
        orders = read_table_file(self.purchase_orders, sep=self.sep)
        for col in ("ordered_at", "received_at"):
            if col not in orders.columns:
                raise InventoryInputError(
                    f"purchase orders {self.purchase_orders}: expected a '{col}' column, found "
                    f"{list(orders.columns)}"
                )
            orders[col] = pd.to_datetime(orders[col], errors="coerce", format="mixed")
        _, period_days = infer_frequency(history["timestamp"])
        return estimate_lead_times(
            orders,
            period_days=period_days,
            received_before=history["timestamp"].max() + pd.Timedelta(days=period_days),
        )


def run_plan(
    history_path: Path,
    out: Path,
    options: PlanOptions,
    *,
    forecast_path: Path | None = None,
    inventory_path: Path | None = None,
    on_progress: Progress | None = None,
) -> Plan:
    """Plan every item-location of a history file and write the recommendations CSV.

    Parameters
    ----------
    history_path
        Demand history (``item_id, timestamp, target``, optional ``location_id``).
    out
        CSV to write (one row per item-location, see
        :func:`~supplymind.inventory.plan.plan_replenishment`).
    options
        Parameters and reading options.
    forecast_path
        Quantile forecast in the Forecaster's format.
    inventory_path
        Current stock (``item_id``, ``on_hand``, optional ``on_order``, ``backorders``,
        ``location_id``, ``timestamp``) for the ``order_now`` column.
    on_progress
        Called with ``(done, total)`` while a forecaster fits.
    """
    history = options.read_demand(history_path, "history")
    forecast = (
        read_forecast(
            forecast_path, id_col=options.id_col, time_col=options.time_col, sep=options.sep
        )
        if forecast_path is not None
        else None
    )
    inventory = None
    if inventory_path is not None:
        inventory = read_table_file(inventory_path, sep=options.sep)
        if options.id_col and options.id_col in inventory.columns:
            inventory = inventory.rename(columns={options.id_col: "item_id"})
        for col in ("on_hand", "on_order", "backorders"):
            if col in inventory.columns:
                inventory[col] = pd.to_numeric(inventory[col], errors="coerce").fillna(0.0)
    plan = plan_replenishment(
        history,
        options.params,
        method=options.method,
        forecast=forecast,
        lead_times=options.lead_times(history),
        inventory=inventory,
        n_samples=options.n_samples,
        seed=options.seed,
        rho=options.rho,
        window=options.window,
        on_progress=on_progress,
    )
    with atomic_path(out) as tmp:
        plan.table.to_csv(tmp, index=False, float_format="%.6g")
    return plan


def run_backtest(
    history_path: Path,
    test_path: Path,
    out: Path,
    options: PlanOptions,
    *,
    forecast_path: Path | None = None,
    plot_dir: Path | None = None,
    replan_every: int | None = None,
    warmup: int | None = None,
    on_progress: Progress | None = None,
) -> tuple[BacktestResult, list[Path]]:
    """Backtest a plan on a held-out demand file and write the JSON report (and plots).

    With ``plot_dir``: ``trajectory.png`` (stock and orders of a few items) and
    ``frontier.png`` (stock and cost against the achieved fill rate for a sweep of
    fill-rate targets, this method next to the normal approximation with the history's
    mean and standard deviation); the sweeps are added to the report.

    Returns
    -------
    tuple
        The backtest and the figures written.
    """
    history = options.read_demand(history_path, "history")
    test = options.read_demand(test_path, "test")
    forecast = (
        read_forecast(
            forecast_path, id_col=options.id_col, time_col=options.time_col, sep=options.sep
        )
        if forecast_path is not None
        else None
    )
    sweep = FRONTIER_TARGETS if plot_dir is not None else None
    result = backtest(
        history,
        test,
        options.params,
        method=options.method,
        forecast=forecast,
        lead_times=options.lead_times(history),
        n_samples=options.n_samples,
        seed=options.seed,
        rho=options.rho,
        window=options.window,
        warmup=warmup,
        replan_every=replan_every,
        frontier_targets=sweep,
        on_progress=on_progress,
    )
    report = result.to_dict()
    figures: list[Path] = []
    if plot_dir is not None:
        stamps = result.data.timestamps
        figures.append(
            plot_trajectories(result.simulation, plot_dir / "trajectory.png", timestamps=stamps)
        )
        assert result.frontier is not None  # asked for with plot_dir
        curves = {f"{result.method} (this plan)": result.frontier}
        if result.method != "normal":
            baseline = method_frontier(
                result,
                history,
                test,
                "normal",
                FRONTIER_TARGETS,
                window=options.window,
                seed=options.seed,
            )
            curves["normal (history mean and sd)"] = baseline
            report["frontier_normal_baseline"] = records(baseline)
        figures.append(plot_frontier(curves, plot_dir / "frontier.png"))
    atomic_write_text(out, json.dumps(report, indent=2, default=str, allow_nan=False))
    return result, figures
