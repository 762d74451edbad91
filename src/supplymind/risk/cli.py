"""``supplymind risk``: scans for anomalies and late deliveries, the late-delivery model,
supplier scorecards and what-if disruptions (a thin shell over
:mod:`supplymind.risk.commands`)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

__all__ = ["risk_app"]

risk_app = typer.Typer(
    help="Risk early warning: anomalies, late-delivery risk, alerts, scorecards, what-if.",
    no_args_is_help=True,
)
console = Console()

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Warehouse URL or DuckDB file; default from SUPPLYMIND_HOME / "
        "SUPPLYMIND_DATABASE_URL.",
    ),
]
NowOpt = Annotated[
    str | None,
    typer.Option("--now", help="Time of the scan or scenario (default: the latest data)."),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format", help="Input layout: shipments, purchase_orders or scms (raw SCMS CSV)."
    ),
]


def _time(value: str | None, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    stamp = pd.to_datetime(value, errors="coerce")
    if pd.isna(stamp):
        raise typer.BadParameter(
            f"expected a date such as 2024-03-01, found {value!r}", param_hint=name
        )
    return pd.Timestamp(stamp)


@risk_app.command("scan")
def scan(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="CSV of the open and suppressed alerts.")
    ],
    from_db: Annotated[
        bool, typer.Option("--from-db", help="Scan the warehouse (demand, orders, deliveries).")
    ] = False,
    series: Annotated[
        Path | None,
        typer.Option("--series", help="Series CSV/Parquet to scan: item_id, timestamp, target."),
    ] = None,
    db: DbOpt = None,
    detector: Annotated[
        str,
        typer.Option(
            help="Detector for --series: conformal, conformal_profile, seasonal, mad or zscore."
        ),
    ] = "conformal",
    alpha: Annotated[
        float, typer.Option(help="False-alarm rate per point of the conformal detector.")
    ] = 0.01,
    recent_days: Annotated[
        float | None,
        typer.Option(
            "--recent-days",
            help="Alert only on the last N days (default: 28 from the warehouse, all for "
            "--series).",
        ),
    ] = None,
    delay_model: Annotated[
        Path | None,
        typer.Option(
            "--delay-model", help="Model folder from train-delay (default: train on the warehouse)."
        ),
    ] = None,
    now: NowOpt = None,
    id_col: Annotated[str | None, typer.Option("--id-col", help="Column holding item_id.")] = None,
    time_col: Annotated[
        str | None, typer.Option("--time-col", help="Column holding timestamp.")
    ] = None,
    target_col: Annotated[
        str | None, typer.Option("--target-col", help="Column holding target.")
    ] = None,
    max_per_entity: Annotated[int, typer.Option(help="New alerts per entity a day.")] = 3,
    max_new: Annotated[int, typer.Option(help="New open alerts per scan.")] = 50,
    threads: Annotated[int, typer.Option(help="LightGBM threads (0: all cores).")] = 0,
) -> None:
    """Find anomalies and late-delivery risks; store deduplicated, rate-limited alerts."""
    from supplymind.risk.alerts import AlertPolicy
    from supplymind.risk.commands import run_scan

    if from_db == (series is not None):
        raise typer.BadParameter(
            "expected exactly one of --from-db or --series", param_hint="--from-db/--series"
        )
    result = run_scan(
        out,
        db=db,
        from_db=from_db,
        series=series,
        detector=detector,
        alpha=alpha,
        recent_days=recent_days,
        delay_model=delay_model,
        now=_time(now, "--now"),
        policy=AlertPolicy(max_per_entity=max_per_entity, max_new=max_new),
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        num_threads=threads,
    )
    stored = result.stored
    console.print(
        f"{stored.candidates} findings: {len(stored.new)} new alerts, {stored.merged} merged into "
        f"existing ones, {stored.unchanged} already known, {len(stored.suppressed)} suppressed by "
        "the rate limit",
        highlight=False,
    )
    table = Table("severity", "kind", "entity", "when", "action", title="open alerts")
    for rec in result.alerts[result.alerts["status"] == "open"].head(15).to_dict("records"):
        row = SimpleNamespace(**{str(k): v for k, v in rec.items()})
        table.add_row(
            str(row.severity),
            str(row.kind),
            str(row.entity),
            f"{row.event_time:%Y-%m-%d}",
            str(row.action),
        )
    console.print(table)
    console.print(f"written: {out}")


@risk_app.command("train-delay")
def train_delay(
    data: Annotated[Path, typer.Option("--data", help="Shipments CSV/Parquet with delivered_at.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")],
    fmt: FormatOpt = "shipments",
    calibration: Annotated[
        str, typer.Option(help="sigmoid (Platt), isotonic or none.")
    ] = "sigmoid",
    tolerance_days: Annotated[
        float, typer.Option(help="Days after the promise still on time.")
    ] = 0.0,
    notice_days: Annotated[
        float,
        typer.Option(
            help="Assess shipments without an order time this many days before the promise."
        ),
    ] = 30.0,
    categorical: Annotated[
        list[str] | None, typer.Option("--categorical", help="Extra category column (repeatable).")
    ] = None,
    numeric: Annotated[
        list[str] | None, typer.Option("--numeric", help="Extra numeric column (repeatable).")
    ] = None,
    threads: Annotated[int, typer.Option(help="LightGBM threads (0: all cores).")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the sampling.")] = 0,
) -> None:
    """Train the late-delivery model (LightGBM, calibrated) and save it without pickle."""
    from supplymind.risk.commands import run_train_delay

    model = run_train_delay(
        data,
        out,
        fmt=fmt,
        tolerance_days=tolerance_days,
        notice_days=notice_days,
        calibration=calibration,
        categorical=tuple(categorical or ()),
        numeric=tuple(numeric or ()),
        num_threads=threads,
        seed=seed,
    )
    t, v = model.training_, model.validation_
    console.print(
        f"trained on {t['shipments']:,} shipments ({t['late_rate']:.1%} late), {t['rounds']} "
        "rounds; "
        f"latest {int(v['rows']):,} shipments: ROC-AUC {v['roc_auc']:.3f}, PR-AUC "
        f"{v['pr_auc']:.3f}",
        highlight=False,
    )
    console.print(f"written: {out}")


@risk_app.command("predict-delay")
def predict_delay(
    model: Annotated[Path, typer.Option("--model", help="Model folder from train-delay.")],
    data: Annotated[Path, typer.Option("--data", help="Shipments to assess.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="CSV of probabilities, delays and reasons.")
    ],
    fmt: FormatOpt = "shipments",
    now: NowOpt = None,
    top: Annotated[int, typer.Option(help="Factors listed per direction.")] = 3,
) -> None:
    """Probability of arriving late, expected delay and the reasons, per shipment."""
    from supplymind.risk.commands import run_predict_delay

    table = run_predict_delay(model, data, out, fmt=fmt, now=_time(now, "--now"), top=top)
    console.print(
        f"{len(table):,} shipments, mean probability of arriving late {table['p_late'].mean():.1%}"
    )
    console.print(f"written: {out}")


@risk_app.command("whatif")
def whatif(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV: one row per item-location.")],
    from_db: Annotated[
        bool,
        typer.Option("--from-db", help="Read demand, inventory and orders from the warehouse."),
    ] = False,
    db: DbOpt = None,
    demand: Annotated[Path | None, typer.Option("--demand", help="Daily demand file.")] = None,
    inventory: Annotated[
        Path | None, typer.Option("--inventory", help="Stock snapshots file.")
    ] = None,
    purchase_orders: Annotated[
        Path | None, typer.Option("--purchase-orders", help="Purchase orders file.")
    ] = None,
    close_supplier: Annotated[
        list[str] | None,
        typer.Option("--close-supplier", help="Supplier that stops shipping (repeatable)."),
    ] = None,
    close_location: Annotated[
        list[str] | None,
        typer.Option("--close-location", help="Warehouse or depot closed (repeatable)."),
    ] = None,
    lead_time_increase: Annotated[
        float, typer.Option("--lead-time-increase", help="Lead times longer by this many percent.")
    ] = 0.0,
    horizon: Annotated[int, typer.Option(help="Days projected.")] = 60,
    service_level: Annotated[
        float, typer.Option(help="Cycle-service target of the reorder points.")
    ] = 0.95,
    now: NowOpt = None,
) -> None:
    """Which items fall below their reorder point, and when, under a disruption."""
    from supplymind.risk.commands import run_whatif_job
    from supplymind.risk.whatif import Disruption

    scenario = Disruption(
        closed_suppliers=tuple(close_supplier or ()),
        closed_locations=tuple(close_location or ()),
        lead_time_increase=lead_time_increase / 100.0,
    )
    result = run_whatif_job(
        out,
        scenario,
        db=db,
        from_db=from_db,
        demand=demand,
        inventory=inventory,
        purchase_orders=purchase_orders,
        horizon_days=horizon,
        service_level=service_level,
        now=_time(now, "--now"),
    )
    s = result.summary
    console.print(
        f"scenario: {scenario.describe()} (from {result.now:%Y-%m-%d}, {horizon} days)",
        highlight=False,
    )
    console.print(
        f"{s['item_locations']} item-locations: below the reorder point "
        f"{s['below_reorder_usual']} usually, "
        f"{s['below_reorder_disrupted']} disrupted; stock-outs {s['stockout_usual']} usually, "
        f"{s['stockout_disrupted']} disrupted; newly at risk {s['newly_at_risk']}; "
        f"without an open supplier {s['cannot_reorder']}",
        highlight=False,
    )
    table = Table(
        "item", "location", "below reorder point", "stock-out", "action", title="newly at risk"
    )
    risky = result.table[result.table["newly_at_risk"]].head(15)
    for rec in risky.to_dict("records"):
        row = SimpleNamespace(**{str(k): v for k, v in rec.items()})
        below = (
            ""
            if pd.isna(row.below_reorder_disrupted)
            else f"{row.below_reorder_disrupted:%Y-%m-%d}"
        )
        stock_out = "" if pd.isna(row.stockout_disrupted) else f"{row.stockout_disrupted:%Y-%m-%d}"
        table.add_row(str(row.item_id), str(row.location_id), below, stock_out, str(row.action))
    console.print(table)
    console.print(f"written: {out}")


@risk_app.command("scorecards")
def scorecards(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV: one row per supplier.")],
    from_db: Annotated[
        bool, typer.Option("--from-db", help="Use the warehouse's purchase orders.")
    ] = False,
    db: DbOpt = None,
    data: Annotated[Path | None, typer.Option("--data", help="Shipments file.")] = None,
    fmt: FormatOpt = "shipments",
    now: NowOpt = None,
    recent_days: Annotated[float, typer.Option(help="Window of the trend, in days.")] = 90.0,
) -> None:
    """Supplier scorecards: on-time rate, delays, lead times and their trend."""
    from supplymind.risk.commands import run_scorecards

    if from_db == (data is not None):
        raise typer.BadParameter(
            "expected exactly one of --from-db or --data", param_hint="--from-db/--data"
        )
    table = run_scorecards(
        out,
        db=db,
        from_db=from_db,
        data=data,
        fmt=fmt,
        now=_time(now, "--now"),
        recent_days=recent_days,
    )
    view = Table("supplier", "grade", "deliveries", "on time", "trend", title="supplier scorecards")
    for rec in table.to_dict("records"):
        row = SimpleNamespace(**{str(k): v for k, v in rec.items()})
        view.add_row(
            str(row.supplier_id),
            str(row.grade),
            str(row.deliveries),
            f"{row.on_time_rate:.0%}",
            str(row.trend_label),
        )
    console.print(view)
    console.print(f"written: {out}")
