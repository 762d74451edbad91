"""The file-to-file jobs behind ``supplymind risk``: read inputs, run the library, write
every output atomically. The CLI only parses options and prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from supplymind.data.ingest import read_table_file
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import RiskInputError
from supplymind.files import atomic_path
from supplymind.risk.alerts import AlertOutcome, AlertPolicy, AlertStore
from supplymind.risk.anomaly import make_detector
from supplymind.risk.delay.base import load_delay_model
from supplymind.risk.delay.data import (
    CATEGORICAL_COLUMNS,
    SCMS_CATEGORICAL,
    SCMS_NUMERIC,
    check_shipments,
    load_scms,
    shipments_from_purchase_orders,
)
from supplymind.risk.delay.features import FeatureSpec
from supplymind.risk.delay.model import DelayModelParams, GradientBoostingDelayModel
from supplymind.risk.frames import ID_COL, TARGET_COL, TIME_COL, read_series
from supplymind.risk.scan import ScanParams, ScanResult, scan_series, scan_warehouse
from supplymind.risk.scorecards import supplier_scorecards
from supplymind.risk.whatif import Disruption, WhatIfResult, run_whatif
from supplymind.timestamps import day_first_of, parse_timestamps

__all__ = [
    "SHIPMENT_FORMATS",
    "ScanOutcome",
    "read_series_file",
    "read_shipments",
    "run_predict_delay",
    "run_scan",
    "run_scorecards",
    "run_train_delay",
    "run_whatif_job",
]

ShipmentFormat = Literal["shipments", "purchase_orders", "scms"]
SHIPMENT_FORMATS = ("shipments", "purchase_orders", "scms")


@dataclass(frozen=True, eq=False)
class ScanOutcome:
    """A scan and what storing its alerts did."""

    scan: ScanResult
    stored: AlertOutcome
    alerts: pd.DataFrame


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.6g")
    return path


def read_shipments(path: Path, fmt: str = "shipments") -> pd.DataFrame:
    """Shipments from a file: the shipments contract, a ``purchase_orders`` export, or the
    raw SCMS delivery history."""
    if fmt not in SHIPMENT_FORMATS:
        raise RiskInputError(f"format: expected one of {list(SHIPMENT_FORMATS)}, found {fmt!r}")
    if fmt == "scms":
        return load_scms(path)
    frame = read_table_file(path)
    if fmt == "purchase_orders":
        dates = [c for c in ("ordered_at", "promised_at", "received_at") if c in frame.columns]
        day_first = day_first_of([frame[c] for c in dates])
        for col in dates:
            frame[col] = parse_timestamps(frame[col], day_first=day_first)
        return shipments_from_purchase_orders(frame)
    other = _known_format(frame)
    try:
        return check_shipments(frame, role=f"shipments {path}")
    except RiskInputError as exc:
        if other is None:
            raise
        raise RiskInputError(f"{exc}. The columns look like {other[1]}: pass {other[0]}") from exc


def _known_format(frame: pd.DataFrame) -> tuple[str, str] | None:
    """The ``--format`` a shipments file that fails the contract looks like, if any."""
    columns = set(frame.columns)
    if {"Scheduled Delivery Date", "Delivered to Client Date", "Vendor"} <= columns:
        return "--format scms", "the SCMS delivery history"
    if {"po_id", "promised_at", "received_at"} <= columns and "order_id" not in columns:
        return "--format purchase_orders", "a purchase_orders export"
    return None


def read_series_file(
    path: Path,
    *,
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
) -> pd.DataFrame:
    """:func:`~supplymind.risk.frames.read_series`, with an error that lists the file's own
    columns and the flag mapping each missing one when a column is not found."""
    try:
        return read_series(path, id_col=id_col, time_col=time_col, target_col=target_col)
    except RiskInputError as exc:
        problem = _missing_series_columns(path, id_col, time_col, target_col)
        if problem is None:
            raise
        raise RiskInputError(problem) from exc


def _missing_series_columns(
    path: Path, id_col: str | None, time_col: str | None, target_col: str | None
) -> str | None:
    """What the file lacks for a series table, or ``None`` when the columns are there."""
    try:
        columns = [str(c) for c in read_table_file(path).columns]
    except (OSError, ValueError):
        return None  # not a column problem: the reader's own error stands
    # (flag, column looked for, what it holds, given with the flag)
    roles = [
        ("--time-col", time_col or TIME_COL, "the times", time_col is not None),
        ("--target-col", target_col or TARGET_COL, "the values", target_col is not None),
    ]
    if id_col is not None:  # without it, a file with no item_id column is one series
        roles.insert(0, ("--id-col", id_col, "the series ids", True))
    missing = [role for role in roles if role[1] not in columns]
    if not missing:
        return None
    found = f"series {path}: found the columns {columns}"
    if len(columns) == 1:
        seps = [sep for sep in (";", "\t", "|") if sep in columns[0]]
        if seps:
            return (
                f"{found}, one column: expected comma-separated columns, the file looks "
                f"separated by {seps[0]!r}; save it with commas"
            )
    hints = [
        f"no column {name!r} (given with {flag})"
        if given
        else f"no column {name!r} ({what}): map one with {flag}"
        for flag, name, what, given in missing
    ]
    used = {role[1] for role in roles} | {ID_COL}
    free = [c for c in columns if c not in used]
    if len(missing) == 1 and len(free) == 1 and not missing[0][3]:
        hints[0] += f", e.g. {missing[0][0]} {free[0]}"
    if id_col is None and ID_COL not in columns:
        hints.append(f"with no {ID_COL!r} column the file is one series unless --id-col names one")
    return f"{found}; " + "; ".join(hints)


def run_scan(
    out: Path,
    *,
    db: str | None = None,
    from_db: bool = False,
    series: Path | None = None,
    detector: str = "conformal",
    alpha: float = 0.01,
    recent_days: float | None = None,
    delay_model: Path | None = None,
    now: pd.Timestamp | None = None,
    policy: AlertPolicy | None = None,
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    num_threads: int = 0,
) -> ScanOutcome:
    """Scan the warehouse (``from_db``) or a series file, store the alerts and write the
    open and suppressed ones to ``out``.

    From the warehouse, alerts go to its ``alerts`` table; from a file, to ``db`` when
    given, else to a throw-away in-memory table (deduplication and rate limits still
    apply within the file).
    """
    if from_db == (series is not None):
        raise RiskInputError(
            "scan: expected exactly one of --from-db or --series, found "
            + ("both" if from_db else "neither")
        )
    if from_db:
        with Warehouse(db) as wh:
            model = load_delay_model(delay_model) if delay_model is not None else None
            params = (
                ScanParams(alpha=alpha)
                if recent_days is None
                else ScanParams(alpha=alpha, recent_days=recent_days)
            )
            result = scan_warehouse(wh, params, delay_model=model, now=now, num_threads=num_threads)
            store = AlertStore(wh, policy)
            stored = store.raise_alerts(result.alerts, now=result.now)
            table = store.read(status=("open", "suppressed"))
    else:
        assert series is not None  # checked above
        frame = read_series_file(series, id_col=id_col, time_col=time_col, target_col=target_col)
        last = frame[TIME_COL].max()
        since = None if recent_days is None else last - pd.Timedelta(days=recent_days)
        result = scan_series(
            frame, make_detector(detector, alpha=alpha), series_kind="kpi", since=since
        )
        with Warehouse(db if db is not None else ":memory:") as wh:
            store = AlertStore(wh, policy)
            stored = store.raise_alerts(result.alerts, now=now or last)
            table = store.read(status=("open", "suppressed"))
    _write_csv(table, out)
    return ScanOutcome(result, stored, table)


def run_train_delay(
    data: Path,
    out: Path,
    *,
    fmt: str = "shipments",
    tolerance_days: float = 0.0,
    notice_days: float = 30.0,
    calibration: str = "sigmoid",
    categorical: tuple[str, ...] = (),
    numeric: tuple[str, ...] = (),
    num_threads: int = 0,
    seed: int = 0,
) -> GradientBoostingDelayModel:
    """Train the late-delivery model on a shipments file and save it to ``out``.

    ``categorical`` and ``numeric`` name extra feature columns of a shipments file (the
    SCMS format adds its own).
    """
    shipments = read_shipments(data, fmt)
    missing = [c for c in (*categorical, *numeric) if c not in shipments.columns]
    if missing:
        raise RiskInputError(
            f"shipments {data}: expected the feature columns {missing}, found "
            f"{list(shipments.columns)}"
        )
    delivered = shipments[shipments["delivered_at"].notna()]
    categorical = (
        CATEGORICAL_COLUMNS + (SCMS_CATEGORICAL if fmt == "scms" else ()) + tuple(categorical)
    )
    numeric = (SCMS_NUMERIC if fmt == "scms" else ()) + tuple(numeric)
    spec = FeatureSpec(
        categorical=categorical,
        numeric=numeric,
        notice_days=notice_days,
        tolerance_days=tolerance_days,
    )
    params = DelayModelParams(calibration=calibration, num_threads=num_threads, seed=seed)
    model = GradientBoostingDelayModel(spec, params).fit(delivered)
    model.save(out)
    return model


def run_predict_delay(
    model_dir: Path,
    data: Path,
    out: Path,
    *,
    fmt: str = "shipments",
    now: pd.Timestamp | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """Predict and explain late arrival for the shipments of a file; write the CSV."""
    model = load_delay_model(model_dir)
    shipments = read_shipments(data, fmt)
    table = model.explain(shipments, top=top, now=now)
    _write_csv(table, out)
    return table


def run_whatif_job(
    out: Path,
    disruption: Disruption,
    *,
    db: str | None = None,
    from_db: bool = False,
    demand: Path | None = None,
    inventory: Path | None = None,
    purchase_orders: Path | None = None,
    horizon_days: int = 60,
    service_level: float = 0.95,
    now: pd.Timestamp | None = None,
) -> WhatIfResult:
    """Run a disruption scenario on the warehouse or on files; write the comparison CSV."""
    files = (demand, inventory, purchase_orders)
    if from_db and any(f is not None for f in files):
        raise RiskInputError(
            "whatif: expected --from-db or the --demand/--inventory/--purchase-orders files, "
            "found both"
        )
    if from_db:
        with Warehouse(db) as wh:
            tables = {name: wh.read(name) for name in ("demand", "inventory", "purchase_orders")}
    else:
        if any(f is None for f in files):
            missing = [
                n
                for n, f in zip(
                    ("--demand", "--inventory", "--purchase-orders"), files, strict=True
                )
                if f is None
            ]
            raise RiskInputError(
                f"whatif: expected --from-db or all three files, missing {missing}"
            )
        tables = {}
        for name, path in zip(("demand", "inventory", "purchase_orders"), files, strict=True):
            assert path is not None  # checked above
            frame = read_table_file(path)
            for col in (
                "target",
                "on_hand",
                "on_order",
                "backorders",
                "quantity",
                "received_quantity",
                "unit_cost",
            ):
                if col in frame.columns:
                    frame[col] = pd.to_numeric(frame[col], errors="coerce")
            tables[name] = frame
    for name, frame in tables.items():
        if frame.empty:
            raise RiskInputError(f"whatif: expected rows in '{name}', found none")
    result = run_whatif(
        tables["demand"],
        tables["inventory"],
        tables["purchase_orders"],
        disruption,
        now=now,
        horizon_days=horizon_days,
        service_level=service_level,
    )
    _write_csv(result.table, out)
    return result


def run_scorecards(
    out: Path,
    *,
    db: str | None = None,
    from_db: bool = False,
    data: Path | None = None,
    fmt: str = "shipments",
    now: pd.Timestamp | None = None,
    recent_days: float = 90.0,
) -> pd.DataFrame:
    """Supplier scorecards of the warehouse's purchase orders or a shipments file."""
    if from_db == (data is not None):
        raise RiskInputError("scorecards: expected exactly one of --from-db or --data")
    if from_db:
        with Warehouse(db) as wh:
            po = wh.read("purchase_orders")
        for col in ("ordered_at", "promised_at", "received_at"):
            po[col] = pd.to_datetime(po[col])
        shipments = shipments_from_purchase_orders(po)
    else:
        assert data is not None  # checked above
        shipments = read_shipments(data, fmt)
    table = supplier_scorecards(shipments, now=now, recent_days=recent_days)
    _write_csv(table, out)
    return table
