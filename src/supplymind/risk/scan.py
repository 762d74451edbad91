"""Scans: run the detectors and models over series or the warehouse, and turn what they
find into alerts.

:func:`scan_series` scores any table of series (a KPI file) with one detector.
:func:`scan_warehouse` looks at everything the warehouse knows, as of ``now``:

- demand per item and location (seasonal-residual detector; intermittent items and short
  series are skipped) and total demand per location (conformal forecast intervals);
- lead times: the mean delay against the promise of the orders each supplier delivered
  each day (rolling median/MAD);
- delivery punctuality: the mean lateness of each depot's deliveries each day;
- open purchase orders: the probability of arriving late (a given model, else one trained
  on the delivered orders), with the reasons; orders already overdue are reported as such;
- supplier scorecards: suppliers graded D or getting significantly worse.

Only anomalies of the last ``recent_days`` become alerts; older ones are in the result for
plots and audits.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import RiskInputError, RiskWarning
from supplymind.risk.alerts import Alert
from supplymind.risk.anomaly import RollingMADDetector, make_detector
from supplymind.risk.anomaly.base import ScoreBlock, SeriesDetector, result_frame
from supplymind.risk.delay.base import DelayRiskModel
from supplymind.risk.delay.data import shipments_from_purchase_orders
from supplymind.risk.frames import (
    ID_COL,
    TARGET_COL,
    TIME_COL,
    check_series,
    days_between,
    period_days,
)
from supplymind.risk.scorecards import supplier_scorecards

__all__ = [
    "ScanParams",
    "ScanResult",
    "anomaly_alerts",
    "late_risk_alerts",
    "scan_series",
    "scan_warehouse",
    "supplier_alerts",
]


@dataclass(frozen=True)
class ScanParams:
    """What a warehouse scan looks at and how sensitive it is.

    Parameters
    ----------
    recent_days
        Anomalies of the last this many days before ``now`` become alerts.
    alpha
        False-alarm rate per point of the conformal detector.
    item_detector, aggregate_detector, kpi_detector
        Detectors (names of :func:`~supplymind.risk.anomaly.make_detector`) for demand per
        item-location, total demand per location, and lead-time and delivery KPIs.
    late_threshold
        Open orders at least this likely to arrive late are alerted.
    min_points
        Fewest observed days for an item-location's demand to be scanned.
    recent_supplier_days
        Window of the supplier scorecards' trend.
    """

    recent_days: float = 28.0
    alpha: float = 0.01
    item_detector: str = "seasonal"
    aggregate_detector: str = "conformal"
    kpi_detector: str = "mad"
    late_threshold: float = 0.5
    min_points: int = 56
    recent_supplier_days: float = 90.0

    def __post_init__(self) -> None:
        owner = "ScanParams"
        for name in ("recent_days", "recent_supplier_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise RiskInputError(f"{owner}.{name}: expected a number > 0, found {value!r}")
        if not 0.0 < self.alpha < 1.0:
            raise RiskInputError(
                f"{owner}.alpha: expected a number in (0, 1), found {self.alpha!r}"
            )
        if not 0.0 < self.late_threshold < 1.0:
            raise RiskInputError(
                f"{owner}.late_threshold: expected a probability in (0, 1), found "
                f"{self.late_threshold!r}"
            )
        if (
            isinstance(self.min_points, bool)
            or not isinstance(self.min_points, int)
            or self.min_points < 2
        ):
            raise RiskInputError(
                f"{owner}.min_points: expected an integer >= 2, found {self.min_points!r}"
            )
        for name in ("item_detector", "aggregate_detector", "kpi_detector"):
            make_detector(getattr(self, name))  # raises on an unknown name


@dataclass(frozen=True, eq=False)
class ScanResult:
    """Everything a scan found.

    ``anomalies`` holds every scored point (the detector columns plus ``series_kind`` and
    ``detector``, the name of the detector that scored the point's series, empty for a
    series too short for every detector), ``late_risk`` the open orders' predictions with
    explanations, ``scorecards`` the supplier scorecards, ``alerts`` the candidate alerts
    (before deduplication), ``notes`` what was scanned, left out or scored otherwise.
    """

    now: pd.Timestamp
    alerts: list[Alert]
    anomalies: pd.DataFrame
    late_risk: pd.DataFrame = field(default_factory=pd.DataFrame)
    scorecards: pd.DataFrame = field(default_factory=pd.DataFrame)
    delay_model: DelayRiskModel | None = None
    notes: list[str] = field(default_factory=list)


_TEXT = {
    "demand": ("Demand of {entity}", "units", "{:,.0f}"),
    "location_demand": ("Total demand at {entity}", "units", "{:,.0f}"),
    "lead_time": (
        "The mean delay against the promise of orders delivered by {entity}",
        "days",
        "{:,.1f}",
    ),
    "delivery": ("The mean lateness of deliveries from depot {entity}", "minutes", "{:,.0f}"),
    "kpi": ("{entity}", "", "{:,.4g}"),
}
_ADVICE = {
    ("demand", "up"): (
        "raise_safety_stock",
        "If it continues stock will run short: raise safety stock or expedite open orders.",
    ),
    ("demand", "down"): (
        "investigate",
        "A drop this large can mean a stock-out, a data error or lost customers.",
    ),
    ("location_demand", "up"): (
        "raise_safety_stock",
        "Network-wide demand is up: check stock cover of the fast movers.",
    ),
    ("location_demand", "down"): (
        "investigate",
        "Check for missing sales data or a disruption at the site.",
    ),
    ("lead_time", "up"): (
        "raise_safety_stock",
        "Lead times are stretching: raise safety stock of its items or expedite open orders.",
    ),
    ("lead_time", "down"): (
        "investigate",
        "Deliveries arrived unusually early: check the receiving records.",
    ),
    ("delivery", "up"): (
        "notify_customer",
        "Tell the customers affected and review the routes of the day.",
    ),
    ("delivery", "down"): (
        "investigate",
        "Unusually punctual: nothing to do unless the data look wrong.",
    ),
    ("kpi", "up"): ("investigate", "Unusually high: check the cause."),
    ("kpi", "down"): ("investigate", "Unusually low: check the cause."),
}
_KINDS = {
    "demand": ("demand_anomaly", "item"),
    "location_demand": ("demand_anomaly", "location"),
    "lead_time": ("lead_time_anomaly", "supplier"),
    "delivery": ("kpi_anomaly", "depot"),
    "kpi": ("kpi_anomaly", "series"),
}


def _row(record: dict[Any, Any]) -> SimpleNamespace:
    """A table row read by attribute."""
    return SimpleNamespace(**{str(k): v for k, v in record.items()})


def anomaly_alerts(
    results: pd.DataFrame,
    *,
    series_kind: str = "kpi",
    since: pd.Timestamp | None = None,
    high_score: float = 7.0,
) -> list[Alert]:
    """Alerts for the flagged points of detector results.

    Parameters
    ----------
    results
        Detector output (:data:`~supplymind.risk.anomaly.base.RESULT_COLUMNS`).
    series_kind
        ``demand`` (item-location), ``location_demand``, ``lead_time`` (supplier),
        ``delivery`` (depot) or ``kpi`` (anything else): sets the words, the alert kind and
        the suggested action.
    since
        Only points at or after this time.
    high_score
        Scores at or above this are ``high`` severity, others ``medium``.
    """
    if series_kind not in _TEXT:
        raise RiskInputError(f"series_kind: expected one of {sorted(_TEXT)}, found {series_kind!r}")
    flagged = results[results["is_anomaly"].astype(bool)]
    if since is not None:
        flagged = flagged[flagged[TIME_COL] >= since]
    subject, unit, fmt = _TEXT[series_kind]
    kind, entity_type = _KINDS[series_kind]
    alerts = []
    for rec in flagged.to_dict("records"):
        row = _row(rec)
        entity = str(rec[ID_COL])
        y, e = float(rec[TARGET_COL]), float(row.expected)
        direction = "up" if row.direction == "up" else "down"
        action, advice = _ADVICE[(series_kind, direction)]
        when = pd.Timestamp(rec[TIME_COL])
        day = f"{when:%Y-%m-%d}" if when == when.normalize() else f"{when:%Y-%m-%d %H:%M}"
        u = f" {unit}" if unit else ""
        text = (
            f"{subject.format(entity=entity)} on {day} was {fmt.format(y)}{u}, "
            f"against {fmt.format(e)}{u} expected"
        )
        if np.isfinite(row.lower) and np.isfinite(row.upper):
            # Quantities that cannot be negative do not get a negative normal range.
            nonneg = series_kind in ("demand", "location_demand", "delivery")
            low = max(float(row.lower), 0.0) if nonneg else float(row.lower)
            text += f" (normal range {fmt.format(low)} to {fmt.format(row.upper)})"
        if np.isfinite(row.p_value):
            text += f"; p = {row.p_value:.2g}"
        score = float(row.score)
        alerts.append(
            Alert(
                kind=kind,
                entity=entity,
                entity_type=entity_type,
                severity="high" if score >= high_score else "medium",
                event_time=when,
                explanation=f"{text}. {advice}",
                action=action,
                score=score,
                p_value=float(row.p_value) if np.isfinite(row.p_value) else None,
            )
        )
    return alerts


def _high_score(detector: SeriesDetector) -> float:
    # Twice the flagging threshold for z-like scores; a full interval width beyond the
    # forecast interval for the conformal detector.
    threshold = getattr(detector, "threshold", None)
    return 2.0 * float(threshold) if threshold is not None else 1.0


def scan_series(
    series: pd.DataFrame,
    detector: SeriesDetector,
    *,
    series_kind: str = "kpi",
    since: pd.Timestamp | None = None,
    fallbacks: Sequence[SeriesDetector] | None = None,
) -> ScanResult:
    """Score series with ``detector`` and make alerts of the flagged points (all points,
    or those at or after ``since``).

    Parameters
    ----------
    series
        ``item_id, timestamp, target``.
    detector
        The detector of every series long enough for it to flag a point
        (:meth:`~supplymind.risk.anomaly.base.SeriesDetector.min_points`).
    series_kind
        See :func:`anomaly_alerts`.
    since
        Only points at or after this time become alerts.
    fallbacks
        Detectors tried in order for a series too short for ``detector``: the first that
        can flag a point in it scores it. Default the rolling median/MAD detector; ``()``
        for none. A series too short for every detector is kept unscored (empty scores,
        empty ``detector``), never passed as free of anomalies.

    The result's ``notes`` (also issued as :class:`~supplymind.exceptions.RiskWarning`)
    name the series scored by a fallback and those not scored, with their lengths and the
    lengths needed; alerts of a fallback series say which detector scored it and why.
    """
    frame = check_series(series)
    chain = [detector, *(fallbacks if fallbacks is not None else (RollingMADDetector(),))]
    for d in chain:
        if not isinstance(d, SeriesDetector):
            raise RiskInputError(f"detector: expected a SeriesDetector, found {type(d).__name__}")
    picked: list[list[str]] = [[] for _ in chain]
    why: dict[str, str] = {}
    fell_back: list[list[str]] = [[] for _ in chain]
    unscored: list[str] = []
    unscored_parts: list[pd.DataFrame] = []
    for key, group in frame.groupby(ID_COL, sort=False):
        name, n = str(key), len(group)
        days = period_days(group[TIME_COL])
        needs = [d.min_points(days) for d in chain]
        choice = next((i for i, need in enumerate(needs) if n >= need), None)
        if choice is None:
            pairs = dict.fromkeys(f"{d.name} {need}" for d, need in zip(chain, needs, strict=True))
            needed = ", ".join(pairs)
            unscored.append(f"{name} ({_points(n)}; needed: {needed})")
            times = group[TIME_COL].to_numpy()
            values = group[TARGET_COL].to_numpy(np.float64)
            unscored_parts.append(
                result_frame(name, times, values, ScoreBlock.empty(n)).assign(detector="")
            )
            continue
        picked[choice].append(name)
        if choice > 0:
            fell_back[choice].append(f"{name} ({_points(n)}, it needs {needs[0]})")
            why[name] = (
                f"Scored by the {chain[choice].name} detector: the series has "
                f"{_points(n)}, fewer than the {needs[0]} the {detector.name} detector needs "
                "to flag one."
            )
    parts = list(unscored_parts)
    alerts: list[Alert] = []
    for d, keys in zip(chain, picked, strict=True):
        if not keys:
            continue
        part = d.detect(frame[frame[ID_COL].isin(keys)]).assign(detector=d.name)
        parts.append(part)
        found = anomaly_alerts(
            part, series_kind=series_kind, since=since, high_score=_high_score(d)
        )
        alerts.extend(
            dataclasses.replace(a, explanation=f"{a.explanation} {why[a.entity]}")
            if a.entity in why
            else a
            for a in found
        )
    results = (
        pd.concat(parts, ignore_index=True)
        .sort_values([ID_COL, TIME_COL], kind="mergesort")
        .reset_index(drop=True)
        .assign(series_kind=series_kind)
    )
    alerts.sort(key=lambda a: (a.entity, pd.Timestamp(a.event_time)))
    notes = []
    for d, names in zip(chain, fell_back, strict=True):
        if names:
            notes.append(
                f"{len(names)} series scored by the {d.name} detector instead of "
                f"{detector.name}, which cannot flag a point in a series that short: "
                f"{_listed(names)}"
            )
    if unscored:
        notes.append(
            f"{len(unscored)} series not scored, too short for every detector (not a sign of "
            f"no anomaly): {_listed(unscored)}"
        )
    for note in notes:
        warnings.warn(note, RiskWarning, stacklevel=2)
    now = pd.Timestamp(frame[TIME_COL].max())
    return ScanResult(now=now, alerts=alerts, anomalies=results, notes=notes)


def _points(n: int) -> str:
    return f"{n} point" + ("" if n == 1 else "s")


def _listed(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def late_risk_alerts(
    explained: pd.DataFrame, *, now: pd.Timestamp, threshold: float = 0.5
) -> list[Alert]:
    """Alerts for open orders likely to arrive late, and for those already overdue.

    ``explained`` is the output of a model's ``explain`` with ``now`` as the as-of time.
    """
    alerts = []
    for rec in explained.to_dict("records"):
        row = _row(rec)
        due = pd.Timestamp(row.promised_at)
        if due < now:
            days = (now - due) / pd.Timedelta(days=1)
            alerts.append(
                Alert(
                    kind="late_delivery_risk",
                    entity=str(row.order_id),
                    entity_type="order",
                    severity="critical" if days >= 7 else "high",
                    event_time=due,
                    explanation=(
                        f"Order {row.order_id} from {row.supplier_id} was due {due:%Y-%m-%d} and "
                        "is "
                        f"{days:.1f} days overdue. Chase the supplier for a firm delivery date."
                    ),
                    action="expedite",
                    probability=1.0,
                )
            )
            continue
        p = float(row.p_late)
        if p < threshold:
            continue
        severity = "high" if p >= 0.8 else ("medium" if p >= 0.65 else "low")
        alerts.append(
            Alert(
                kind="late_delivery_risk",
                entity=str(row.order_id),
                entity_type="order",
                severity=severity,
                event_time=due,
                explanation=(
                    f"Order {row.order_id} from {row.supplier_id}, due {due:%Y-%m-%d}: "
                    f"{row.explanation} Expected delay if late {row.delay_if_late_days:.1f} days."
                ),
                action="expedite",
                probability=p,
            )
        )
    return alerts


def supplier_alerts(
    scorecards: pd.DataFrame, *, now: pd.Timestamp, recent_days: float = 90.0
) -> list[Alert]:
    """Alerts for suppliers graded D or whose on-time rate is significantly worsening."""
    alerts = []
    for rec in scorecards.to_dict("records"):
        row = _row(rec)
        worse = row.trend_label == "worsening"
        if row.grade != "D" and not worse:
            continue
        severity = "high" if row.grade == "D" and worse else "medium"
        text = (
            f"Supplier {row.supplier_id} delivered {row.on_time_rate:.0%} of {row.deliveries} "
            "orders on "
            f"time (grade {row.grade}); late ones were {row.mean_delay_days:.1f} days late on "
            "average"
        )
        if not math.isnan(row.recent_on_time_rate) and not math.isnan(row.previous_on_time_rate):
            text += (
                f"; last {recent_days:.0f} days {row.recent_on_time_rate:.0%} on time against "
                f"{row.previous_on_time_rate:.0%} before ({row.trend_label}, p = "
                f"{row.trend_p_value:.2g})"
            )
        if row.overdue_orders:
            plural = "s" if row.overdue_orders > 1 else ""
            text += f"; {row.overdue_orders} open order{plural} overdue"
        alerts.append(
            Alert(
                kind="supplier_performance",
                entity=str(row.supplier_id),
                entity_type="supplier",
                severity=severity,
                event_time=now,
                explanation=text
                + ". Move volume to a more reliable supplier or agree an improvement plan.",
                action="switch_supplier",
                probability=1.0 - float(row.on_time_rate)
                if not math.isnan(row.on_time_rate)
                else None,
            )
        )
    return alerts


def _read(wh: Warehouse, table: str) -> pd.DataFrame:
    frame = wh.read(table)
    for col in frame.columns:
        if col.endswith("_at") or col in ("timestamp", "window_start", "window_end"):
            frame[col] = pd.to_datetime(frame[col])
    return frame


def _demand_series(
    demand: pd.DataFrame, params: ScanParams, start: pd.Timestamp, now: pd.Timestamp
) -> pd.DataFrame:
    from supplymind.inventory.forecast import is_intermittent

    d = demand[(demand["timestamp"] >= start) & (demand["timestamp"] <= now)].dropna(
        subset=["target"]
    )
    d = d.assign(**{ID_COL: d["item_id"].astype(str) + "@" + d["location_id"].astype(str)})
    keep = []
    for key, group in d.groupby(ID_COL, sort=False):
        y = group.sort_values("timestamp")["target"].to_numpy(np.float64)
        if y.size >= params.min_points and not is_intermittent(y[-90:]):
            keep.append(key)
    return d[d[ID_COL].isin(keep)][[ID_COL, "timestamp", "target"]]


def scan_warehouse(
    warehouse: Warehouse,
    params: ScanParams | None = None,
    *,
    delay_model: DelayRiskModel | None = None,
    now: pd.Timestamp | None = None,
    num_threads: int = 0,
) -> ScanResult:
    """Scan the warehouse (see the module docs).

    Parameters
    ----------
    warehouse
        The warehouse.
    params
        What to scan and how.
    delay_model
        Late-delivery model for open orders; default one trained on the delivered orders
        (when there are enough: 100 delivered, 10 late).
    now
        The scan's time; default the latest demand, order or delivery time in the
        warehouse. Later data are ignored.
    num_threads
        LightGBM threads of a model trained here (0: all cores).
    """
    from supplymind.risk.delay.model import DelayModelParams, GradientBoostingDelayModel

    params = params or ScanParams()
    demand = _read(warehouse, "demand")
    po = _read(warehouse, "purchase_orders")
    deliveries = _read(warehouse, "delivery_orders")
    stamps = [demand["timestamp"].max(), po["ordered_at"].max(), deliveries["delivered_at"].max()]
    stamps = [s for s in stamps if pd.notna(s)]
    if not stamps and now is None:
        raise RiskInputError(
            "warehouse: expected demand, purchase orders or deliveries to scan, found empty "
            "tables; "
            "load them with `supplymind ingest`"
        )
    ref = pd.Timestamp(now) if now is not None else max(stamps)
    since = ref - pd.Timedelta(days=params.recent_days)
    alerts: list[Alert] = []
    parts: list[pd.DataFrame] = []
    notes: list[str] = []

    def run(
        series: pd.DataFrame,
        name: str,
        kind: str,
        explained: frozenset[tuple[str, pd.Timestamp]] = frozenset(),
    ) -> None:
        if series.empty:
            return
        detector = make_detector(name, alpha=params.alpha)
        result = scan_series(series, detector, series_kind=kind, since=since)
        parts.append(result.anomalies)
        notes.extend(f"{kind.replace('_', ' ')}: {note}" for note in result.notes)
        found = [
            a for a in result.alerts if (a.entity, pd.Timestamp(a.event_time)) not in explained
        ]
        if len(found) < len(result.alerts):
            notes.append(
                f"{len(result.alerts) - len(found)} {kind.replace('_', ' ')} anomalies on "
                "promotion "
                "or holiday days not alerted (explained by the calendar)"
            )
        alerts.extend(found)

    if not demand.empty:
        # Enough history for every detector's warm-up, no more: detectors are causal with
        # finite memory, so scores of recent points do not depend on older data.
        start = ref - pd.Timedelta(days=params.recent_days + 400)
        items = _demand_series(demand, params, start, ref)
        notes.append(f"{items[ID_COL].nunique()} item-locations scanned for demand anomalies")
        d = demand[(demand["timestamp"] >= start) & (demand["timestamp"] <= ref)]
        promo = d["promotion"].fillna(0) > 0 if "promotion" in d else False
        holiday = d["holiday"].fillna(0) > 0 if "holiday" in d else False
        special = d[promo | holiday]
        explained = frozenset(
            (f"{i}@{loc}", pd.Timestamp(t))
            for i, loc, t in zip(
                special["item_id"], special["location_id"], special["timestamp"], strict=True
            )
        )
        run(items, params.item_detector, "demand", explained)
        totals = d.groupby(["location_id", "timestamp"])["target"].sum().reset_index()
        totals = totals.rename(columns={"location_id": ID_COL})
        days_off = d[holiday] if "holiday" in d else d.iloc[:0]
        explained_days = frozenset(
            (str(loc), pd.Timestamp(t))
            for loc, t in zip(days_off["location_id"], days_off["timestamp"], strict=True)
        )
        run(totals, params.aggregate_detector, "location_demand", explained_days)
    shipments = pd.DataFrame()
    if not po.empty:
        shipments = shipments_from_purchase_orders(po[po["ordered_at"] <= ref])
        done = shipments[shipments["delivered_at"].notna() & (shipments["delivered_at"] <= ref)]
        lead = (
            done.assign(
                **{
                    ID_COL: done["supplier_id"],
                    TIME_COL: done["delivered_at"].dt.normalize(),
                    TARGET_COL: days_between(done["promised_at"], done["delivered_at"]),
                }
            )
            .groupby([ID_COL, TIME_COL])[TARGET_COL]
            .mean()
            .reset_index()
        )
        run(lead, params.kpi_detector, "lead_time")
    if not deliveries.empty and deliveries["delivered_at"].notna().any():
        dl = deliveries[deliveries["delivered_at"].notna() & (deliveries["delivered_at"] <= ref)]
        if "depot_id" in dl and dl["depot_id"].notna().any():
            dl = dl[dl["depot_id"].notna()]
            late = (days_between(dl["window_end"], dl["delivered_at"]) * 1440.0).clip(lower=0.0)
            kpi = (
                pd.DataFrame(
                    {
                        ID_COL: dl["depot_id"].astype(str),
                        TIME_COL: dl["delivered_at"].dt.normalize(),
                        TARGET_COL: late,
                    }
                )
                .groupby([ID_COL, TIME_COL])[TARGET_COL]
                .mean()
                .reset_index()
            )
            run(kpi, params.kpi_detector, "delivery")
    late_risk = pd.DataFrame()
    scorecards = pd.DataFrame()
    model = delay_model
    if not shipments.empty:
        scorecards = supplier_scorecards(
            shipments, now=ref, recent_days=params.recent_supplier_days
        )
        alerts.extend(supplier_alerts(scorecards, now=ref, recent_days=params.recent_supplier_days))
        done = shipments[shipments["delivered_at"].notna() & (shipments["delivered_at"] <= ref)]
        open_ = shipments[shipments["delivered_at"].isna() | (shipments["delivered_at"] > ref)]
        open_ = open_.copy()
        open_["delivered_at"] = pd.NaT
        n_late = int((done["delivered_at"] > done["promised_at"]).sum())
        if model is None and len(done) >= 100 and n_late >= 10:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = GradientBoostingDelayModel(
                    params=DelayModelParams(num_threads=num_threads)
                ).fit(done)
            notes.append(
                f"late-delivery model trained on {len(done)} delivered order lines ({n_late} late)"
            )
        elif model is None:
            notes.append(
                f"no late-delivery model: {len(done)} delivered order lines ({n_late} late); "
                "need 100 and 10"
            )
        if model is not None and not open_.empty:
            late_risk = model.explain(open_, now=ref, history=done)
            alerts.extend(late_risk_alerts(late_risk, now=ref, threshold=params.late_threshold))
    anomalies = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return ScanResult(
        now=ref,
        alerts=alerts,
        anomalies=anomalies,
        late_risk=late_risk,
        scorecards=scorecards,
        delay_model=model,
        notes=notes,
    )
