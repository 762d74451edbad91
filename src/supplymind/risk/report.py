"""The risk stage of the demo report: alerts and supplier scorecards from a warehouse.

:func:`risk_section` scans the warehouse (:func:`~supplymind.risk.scan.scan_warehouse`),
stores the alerts in its ``alerts`` table (deduplicated and rate-limited), writes
``alerts.csv`` and ``supplier_scorecards.csv``, checks the late-delivery model's
calibration on the latest delivered orders it did not train on, and returns the report
section with its figures.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from supplymind.data.warehouse import Warehouse
from supplymind.files import atomic_path
from supplymind.reporting import Figure, Section
from supplymind.risk.alerts import AlertPolicy, AlertStore
from supplymind.risk.delay.calibration import (
    brier_score,
    expected_calibration_error,
    reliability_curve,
)
from supplymind.risk.delay.data import shipments_from_purchase_orders
from supplymind.risk.delay.features import open_at_assessment
from supplymind.risk.plot import plot_anomalies, plot_reliability, plot_scorecards
from supplymind.risk.scan import ScanParams, scan_warehouse

__all__ = ["HoldoutCheck", "delay_holdout", "risk_section"]

_HOLDOUT_SHARE = 0.25


@dataclass(frozen=True, eq=False)
class HoldoutCheck:
    """The late-delivery model measured on later orders than it was trained on."""

    train: int
    test: int
    cut: pd.Timestamp
    late_rate: float
    roc_auc: float
    brier: float
    brier_base_rate: float
    ece: float
    curve: pd.DataFrame


def delay_holdout(
    purchase_orders: pd.DataFrame, now: pd.Timestamp, *, num_threads: int = 0
) -> HoldoutCheck | None:
    """Train the late-delivery model on the order lines delivered before the last quarter
    of promised dates and measure it on those due after: ROC-AUC, Brier score against the
    base rate, calibration error and the reliability curve. ``None`` with too little
    data."""
    from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

    from supplymind.risk.delay.model import DelayModelParams, GradientBoostingDelayModel

    shipments = shipments_from_purchase_orders(purchase_orders)
    done = shipments[shipments["delivered_at"].notna() & (shipments["delivered_at"] <= now)]
    if len(done) < 140:
        return None
    cut = pd.Timestamp(
        done["promised_at"].sort_values().iloc[int((1 - _HOLDOUT_SHARE) * (len(done) - 1))]
    )
    train = done[done["delivered_at"] < cut]
    test = done[done["promised_at"] >= cut]
    model = GradientBoostingDelayModel(params=DelayModelParams(num_threads=num_threads))
    test = test[open_at_assessment(test, model.spec).to_numpy()]
    y_train = train["delivered_at"] > train["promised_at"]
    y = (test["delivered_at"] > test["promised_at"]).to_numpy(np.float64)
    if len(train) < 100 or y_train.sum() < 10 or len(test) < 30 or y.min() == y.max():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(train)
    p = model.predict(test)["p_late"].to_numpy()
    base = np.full(y.size, float(y_train.mean()))
    return HoldoutCheck(
        train=len(train),
        test=len(test),
        cut=cut,
        late_rate=float(y.mean()),
        roc_auc=float(roc_auc_score(y, p)),
        brier=brier_score(y, p),
        brier_base_rate=brier_score(y, base),
        ece=expected_calibration_error(y, p),
        curve=reliability_curve(y, p, n_bins=8),
    )


def risk_section(
    warehouse: Warehouse | str | Path,
    plot_dir: Path,
    rel: str,
    *,
    out_dir: Path | None = None,
    now: pd.Timestamp | None = None,
    policy: AlertPolicy | None = None,
    num_threads: int = 0,
) -> tuple[Section, list[Path]]:
    """Scan the warehouse, store and write the alerts and scorecards; the report section.

    Parameters
    ----------
    warehouse
        An open warehouse, or its URL/path.
    plot_dir
        Folder for the PNG figures.
    rel
        Path of ``plot_dir`` relative to the report (for the figure links).
    out_dir
        Where ``alerts.csv`` and ``supplier_scorecards.csv`` go; default
        ``plot_dir.parent``.
    now
        The scan's time; default the latest event in the warehouse.
    policy
        Deduplication and rate limits of the alerts.
    num_threads
        LightGBM threads (0: all cores).

    Returns
    -------
    tuple
        The section and the files written (figures, then the CSV files).
    """
    if isinstance(warehouse, Warehouse):
        return _section(warehouse, plot_dir, rel, out_dir, now, policy, num_threads)
    with Warehouse(warehouse) as wh:
        return _section(wh, plot_dir, rel, out_dir, now, policy, num_threads)


def _section(
    wh: Warehouse,
    plot_dir: Path,
    rel: str,
    out_dir: Path | None,
    now: pd.Timestamp | None,
    policy: AlertPolicy | None,
    num_threads: int,
) -> tuple[Section, list[Path]]:
    params = ScanParams()
    result = scan_warehouse(wh, params, now=now, num_threads=num_threads)
    store = AlertStore(wh, policy)
    outcome = store.raise_alerts(result.alerts, now=result.now)
    open_alerts = store.read(status="open")
    out = out_dir or plot_dir.parent
    files: list[Path] = []
    figures: list[tuple[Path, str]] = []
    alerts_file = out / "alerts.csv"
    with atomic_path(alerts_file) as tmp:
        store.read(status=None).to_csv(tmp, index=False)
    cards_file = out / "supplier_scorecards.csv"
    with atomic_path(cards_file) as tmp:
        result.scorecards.to_csv(tmp, index=False, float_format="%.4g")

    section = Section("Risk early warning: alerts and supplier scorecards")
    section.paragraphs.append(
        f"As of {result.now:%Y-%m-%d %H:%M}, SupplyMind scanned demand per item and warehouse "
        "(seasonal-decomposition residuals), total demand per warehouse (conformal forecast "
        "intervals on AutoETS's own rolling forecasts), lead times per supplier and delivery "
        "punctuality per depot (rolling median/MAD), the late-arrival risk of every open "
        "purchase order (LightGBM, calibrated, with the reasons) and the supplier scorecards. "
        + "; ".join(result.notes)
        + "."
    )
    by_kind = (
        pd.Series([a.kind for a in result.alerts]).value_counts().to_dict() if result.alerts else {}
    )
    section.paragraphs.append(
        f"{outcome.candidates} findings of the last {params.recent_days:.0f} days became "
        f"{len(outcome.new)} open alerts: "
        f"{outcome.candidates - len(outcome.new) - len(outcome.suppressed)} "
        f"repeats of the same risk about the same entity within {store.policy.dedup_days:.0f} "
        "days were "
        f"merged, and {len(outcome.suppressed)} were held back by the rate limit "
        f"(at most {store.policy.max_per_entity} new alerts per entity a day, "
        f"{store.policy.max_new} per scan, the most severe first). Findings by kind: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
        + ". All alerts are in the warehouse table 'alerts' and in alerts.csv."
    )
    if not open_alerts.empty:
        shown = open_alerts.head(15).copy()
        shown["when"] = shown["event_time"].dt.strftime("%Y-%m-%d")
        shown["how sure"] = [
            f"p(late) {p:.0%}" if pd.notna(p) else (f"score {s:.1f}" if pd.notna(s) else "")
            for p, s in zip(shown["probability"], shown["score"], strict=True)
        ]
        section.add_table(
            shown[["when", "severity", "kind", "entity", "how sure", "action", "explanation"]]
        )
    if not result.scorecards.empty:
        cards = result.scorecards.copy()
        view = pd.DataFrame(
            {
                "supplier": cards["supplier_id"],
                "grade": cards["grade"],
                "deliveries": cards["deliveries"],
                "on time": cards["on_time_rate"].map("{:.0%}".format),
                "recent": cards["recent_on_time_rate"].map(
                    lambda v: "–" if pd.isna(v) else f"{v:.0%}"
                ),
                "previous": cards["previous_on_time_rate"].map(
                    lambda v: "–" if pd.isna(v) else f"{v:.0%}"
                ),
                "trend": cards["trend_label"],
                "mean delay (late, days)": cards["mean_delay_days"],
                "lead time (days)": cards["mean_lead_time_days"],
                "open / overdue": [
                    f"{a} / {b}"
                    for a, b in zip(cards["open_orders"], cards["overdue_orders"], strict=True)
                ],
            }
        )
        section.add_table(view, float_format="{:,.1f}")
        figures.append(
            (
                plot_scorecards(cards, plot_dir / "supplier_scorecards.png"),
                f"On-time rate per supplier (grade in brackets): all deliveries, the "
                f"{params.recent_supplier_days:.0f} days before and the last "
                f"{params.recent_supplier_days:.0f} days.",
            )
        )
    if not result.anomalies.empty:
        totals = result.anomalies[result.anomalies["series_kind"] == "location_demand"]
        recent = totals[totals["timestamp"] >= result.now - pd.Timedelta(days=180)]
        if not recent.empty:
            figures.append(
                (
                    plot_anomalies(
                        recent,
                        plot_dir / "risk_demand_anomalies.png",
                        title="Total daily demand per warehouse",
                    ),
                    "Total daily demand per warehouse over the last 180 days, the conformal band "
                    "(AutoETS forecast interval widened to a 1% false-alarm rate per day) and the "
                    "days flagged.",
                )
            )
    po = wh.read("purchase_orders")
    for col in ("ordered_at", "promised_at", "received_at"):
        po[col] = pd.to_datetime(po[col])
    check = delay_holdout(po, result.now, num_threads=num_threads) if not po.empty else None
    if check is not None:
        section.paragraphs.append(
            f"Late-delivery model check: trained on the {check.train} order lines delivered "
            "before "
            f"{check.cut:%Y-%m-%d}, tested on the {check.test} due after "
            f"(late rate {check.late_rate:.0%}): ROC-AUC {check.roc_auc:.2f}, Brier score "
            f"{check.brier:.3f} against {check.brier_base_rate:.3f} for the base rate, "
            f"calibration error {check.ece:.3f}."
        )
        curve = check.curve
        figures.append(
            (
                plot_reliability(
                    {"LightGBM, Platt-calibrated": curve},
                    plot_dir / "late_risk_reliability.png",
                    title="Late-delivery probabilities on later orders",
                ),
                "Observed late rate against predicted probability on the held-out orders "
                "(equal-count "
                "bins); on the dashed line the probabilities mean what they say.",
            )
        )
    section.notes.append(
        "The company is synthetic and so are its disruptions (two unreliable suppliers, bad "
        "delivery days). Thresholds: conformal alpha 1% per point; robust z-score 3.5; open "
        f"orders alerted from a {params.late_threshold:.0%} chance of arriving late."
    )
    section.figures.extend(Figure(f"{rel}/{p.name}", caption) for p, caption in figures)
    files = [p for p, _ in figures] + [alerts_file, cards_file]
    return section, files
