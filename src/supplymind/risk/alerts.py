"""Alerts: what is going wrong, how sure we are and what to do, without flooding anyone.

Every detector of :mod:`supplymind.risk` turns its findings into :class:`Alert` s. The
:class:`AlertStore` keeps them in the warehouse table ``alerts`` and applies the
:class:`AlertPolicy`:

- **deduplication**: alerts of the same kind about the same entity whose events are less
  than ``dedup_days`` apart are one alert (its ``occurrences`` count, its severity, score
  and probability are the worst seen, its ``event_time`` the latest); scanning the same
  data again changes nothing, because an alert's id is derived from its entity, kind and
  first event;
- **rate limiting**: at most ``max_per_entity`` new alerts per entity in ``rate_hours``
  and ``max_new`` new alerts per call, the most severe first; the others are kept with the
  status ``suppressed`` (out of the planner's list, still counted and still deduplicated
  against).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from supplymind.data.schema import TableSchema
from supplymind.data.schema import column as _c
from supplymind.data.warehouse import Warehouse, quote
from supplymind.exceptions import RiskInputError

__all__ = [
    "ACTIONS",
    "ALERTS_TABLE",
    "ALERT_COLUMNS",
    "ALERT_KINDS",
    "SEVERITIES",
    "Alert",
    "AlertOutcome",
    "AlertPolicy",
    "AlertStore",
    "alerts_frame",
    "severity_rank",
]

ALERT_KINDS = (
    "demand_anomaly",
    "kpi_anomaly",
    "lead_time_anomaly",
    "late_delivery_risk",
    "supplier_performance",
    "stockout_risk",
)
SEVERITIES = ("low", "medium", "high", "critical")
ACTIONS = {
    "expedite": "Expedite: ask the supplier or carrier for a faster shipment, or split the order.",
    "raise_safety_stock": "Raise safety stock (or the reorder point) until the situation settles.",
    "switch_supplier": "Move volume to another supplier; review this supplier's performance.",
    "notify_customer": "Tell the customers affected and agree a new delivery time.",
    "investigate": "Check the data and the cause before acting.",
}
STATUSES = ("open", "suppressed", "resolved")


ALERTS_TABLE = TableSchema(
    name="alerts",
    description="Risk alerts for planners, deduplicated and rate-limited.",
    columns=(
        _c("alert_id", "string", "Alert id (from kind, entity and first event)."),
        _c("created_at", "timestamp", "When the alert was raised."),
        _c("updated_at", "timestamp", "When it was last merged with a repeat."),
        _c("first_event_time", "timestamp", "Time of the first event of the alert."),
        _c("event_time", "timestamp", "Time of the latest event of the alert."),
        _c("entity_type", "string", "What the entity is (item, supplier, order, ...)."),
        _c("entity", "string", "The entity the alert is about."),
        _c("kind", "string", "Kind of risk.", choices=ALERT_KINDS),
        _c("severity", "string", "low, medium, high or critical.", choices=SEVERITIES),
        _c("probability", "float", "Probability of the risk (late arrival...).", nullable=True),
        _c("score", "float", "Anomaly score (robust z or interval widths).", nullable=True),
        _c("p_value", "float", "Tail probability under normal behaviour.", nullable=True),
        _c("explanation", "string", "What happened, in plain words."),
        _c("action", "string", "Suggested action.", choices=tuple(ACTIONS)),
        _c("dedup_key", "string", "kind|entity_type|entity."),
        _c("occurrences", "int", "Events merged into the alert.", minimum=1),
        _c("status", "string", "open, suppressed or resolved.", choices=STATUSES),
    ),
    key=("alert_id",),
)
ALERT_COLUMNS = tuple(ALERTS_TABLE.column_names)


def severity_rank(severity: str) -> int:
    """0 for ``low`` up to 3 for ``critical``."""
    return SEVERITIES.index(severity)


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class Alert:
    """One finding to tell a planner about.

    Parameters
    ----------
    kind
        One of :data:`ALERT_KINDS`.
    entity
        What it is about (an item-location, a supplier, an order...).
    entity_type
        What kind of entity that is.
    severity
        One of :data:`SEVERITIES`.
    event_time
        When the event happened (the anomalous point, the order's due date...).
    explanation
        What happened and why it matters, in plain words.
    action
        One of :data:`ACTIONS`.
    probability, score, p_value
        How sure: a probability of the risk, an anomaly score, a tail probability.
    """

    kind: str
    entity: str
    entity_type: str
    severity: str
    event_time: pd.Timestamp
    explanation: str
    action: str
    probability: float | None = None
    score: float | None = None
    p_value: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ALERT_KINDS:
            raise RiskInputError(
                f"Alert.kind: expected one of {list(ALERT_KINDS)}, found {self.kind!r}"
            )
        if self.severity not in SEVERITIES:
            raise RiskInputError(
                f"Alert.severity: expected one of {list(SEVERITIES)}, found {self.severity!r}"
            )
        if self.action not in ACTIONS:
            raise RiskInputError(
                f"Alert.action: expected one of {list(ACTIONS)}, found {self.action!r}"
            )
        for name in ("entity", "entity_type", "explanation"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise RiskInputError(f"Alert.{name}: expected a non-empty text, found {value!r}")
        if pd.isna(pd.Timestamp(self.event_time)):
            raise RiskInputError(f"Alert.event_time: expected a time, found {self.event_time!r}")
        if self.probability is not None and not 0.0 <= float(self.probability) <= 1.0:
            raise RiskInputError(
                f"Alert.probability: expected a number in [0, 1], found {self.probability!r}"
            )

    @property
    def dedup_key(self) -> str:
        """Alerts with the same key can be merged."""
        return f"{self.kind}|{self.entity_type}|{self.entity}"


def alerts_frame(alerts: Sequence[Alert]) -> pd.DataFrame:
    """Alerts as a table (the fields of :class:`Alert` plus ``dedup_key``)."""
    columns = [*(f for f in Alert.__dataclass_fields__), "dedup_key"]
    if not alerts:
        return pd.DataFrame(columns=columns)
    rows = []
    for a in alerts:
        row = asdict(a)
        row["event_time"] = pd.Timestamp(a.event_time)
        for name in ("probability", "score", "p_value"):
            row[name] = _nan(row[name])
        row["dedup_key"] = a.dedup_key
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class AlertPolicy:
    """How alerts are merged and limited.

    Parameters
    ----------
    dedup_days
        Events of the same kind about the same entity less than this many days apart make
        one alert.
    rate_hours
        Window of the per-entity limit.
    max_per_entity
        New alerts per entity within ``rate_hours``.
    max_new
        New open alerts per call (the most severe first).
    min_severity
        Alerts below this severity are dropped.
    keep_suppressed
        Store rate-limited alerts with status ``suppressed`` (else drop them).
    """

    dedup_days: float = 7.0
    rate_hours: float = 24.0
    max_per_entity: int = 3
    max_new: int = 50
    min_severity: str = "low"
    keep_suppressed: bool = True

    def __post_init__(self) -> None:
        owner = "AlertPolicy"
        for name in ("dedup_days", "rate_hours"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise RiskInputError(f"{owner}.{name}: expected a number >= 0, found {value!r}")
        for name in ("max_per_entity", "max_new"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise RiskInputError(f"{owner}.{name}: expected an integer >= 1, found {value!r}")
        if self.min_severity not in SEVERITIES:
            raise RiskInputError(
                f"{owner}.min_severity: expected one of {list(SEVERITIES)}, found "
                f"{self.min_severity!r}"
            )


@dataclass(frozen=True)
class AlertOutcome:
    """What one :meth:`AlertStore.raise_alerts` call did.

    ``new`` and ``suppressed`` hold the rows written with those statuses; ``merged`` counts
    candidates folded into existing alerts and ``unchanged`` those already known.
    """

    new: pd.DataFrame
    suppressed: pd.DataFrame
    merged: int
    unchanged: int
    dropped_below_severity: int = 0
    candidates: int = 0
    touched: list[str] = field(default_factory=list)


def _alert_id(dedup_key: str, first: pd.Timestamp) -> str:
    return hashlib.sha1(f"{dedup_key}|{first.isoformat()}".encode()).hexdigest()[:16]


def _ddl(schema: TableSchema) -> str:
    cols = [
        f"{quote(c.name)} {c.sql_type}" + ("" if c.nullable else " NOT NULL")
        for c in schema.columns
    ]
    key = ", ".join(quote(k) for k in schema.key)
    return (
        f"CREATE TABLE IF NOT EXISTS {quote(schema.name)} (\n  "
        + ",\n  ".join(cols)
        + f",\n  PRIMARY KEY ({key})\n)"
    )


class AlertStore:
    """The ``alerts`` table of a warehouse, with deduplication and rate limiting.

    Parameters
    ----------
    warehouse
        The warehouse (its ``alerts`` table is created if missing).
    policy
        Deduplication and rate limits.
    """

    def __init__(self, warehouse: Warehouse, policy: AlertPolicy | None = None) -> None:
        self.warehouse = warehouse
        self.policy = policy or AlertPolicy()
        warehouse.backend.execute(_ddl(ALERTS_TABLE))

    def read(self, *, status: str | Sequence[str] | None = "open") -> pd.DataFrame:
        """Stored alerts (with ``status`` only, unless ``None``), most severe and recent
        first."""
        sql = f"SELECT * FROM {quote(ALERTS_TABLE.name)}"
        params: list[Any] = []
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            bad = [s for s in wanted if s not in STATUSES]
            if bad:
                raise RiskInputError(f"status: expected values of {list(STATUSES)}, found {bad}")
            sql += f" WHERE status IN ({', '.join('?' for _ in wanted)})"
            params = wanted
        frame = self.warehouse.query(sql, params)
        frame = frame.reindex(columns=list(ALERT_COLUMNS))
        if frame.empty:
            return frame
        for col in ("created_at", "updated_at", "first_event_time", "event_time"):
            frame[col] = pd.to_datetime(frame[col])
        frame["_rank"] = frame["severity"].map(severity_rank)
        frame = frame.sort_values(
            ["_rank", "event_time", "alert_id"], ascending=[False, False, True]
        )
        return frame.drop(columns="_rank").reset_index(drop=True)

    def resolve(self, alert_ids: Sequence[str]) -> int:
        """Mark alerts as resolved; returns how many were found."""
        if not alert_ids:
            return 0
        stored = self.read(status=None)
        hit = stored[stored["alert_id"].isin(list(alert_ids))].copy()
        if hit.empty:
            return 0
        hit["status"] = "resolved"
        self._write(hit, ["status"])
        return len(hit)

    def _write(self, frame: pd.DataFrame, update: list[str]) -> None:
        out = frame[list(ALERT_COLUMNS)].copy()
        out["occurrences"] = out["occurrences"].astype("int64")
        for col in ("probability", "score", "p_value"):
            out[col] = out[col].astype("float64")
        with self.warehouse.transaction():
            self.warehouse.backend.upsert(ALERTS_TABLE, out.reset_index(drop=True), update)

    def raise_alerts(
        self, alerts: Sequence[Alert] | pd.DataFrame, *, now: pd.Timestamp | None = None
    ) -> AlertOutcome:
        """Deduplicate, rate-limit and store candidate alerts.

        Parameters
        ----------
        alerts
            Candidates (:class:`Alert` objects or :func:`alerts_frame`).
        now
            The time of raising (``created_at``, and the end of the rate window); default
            the wall clock.
        """
        policy = self.policy
        clock = pd.Timestamp.now().floor("s") if now is None else pd.Timestamp(now)
        cand = alerts if isinstance(alerts, pd.DataFrame) else alerts_frame(list(alerts))
        n_candidates = len(cand)
        empty = pd.DataFrame(columns=list(ALERT_COLUMNS))
        if cand.empty:
            return AlertOutcome(empty, empty.copy(), 0, 0, 0, 0)
        cand = cand.copy()
        cand["event_time"] = pd.to_datetime(cand["event_time"])
        rank = cand["severity"].map(severity_rank)
        keep = rank >= severity_rank(policy.min_severity)
        dropped = int((~keep).sum())
        cand = cand[keep].sort_values(["dedup_key", "event_time"], kind="stable")
        gap = pd.Timedelta(days=policy.dedup_days)
        stored = self.read(status=None)
        by_key = {str(k): g for k, g in stored.groupby("dedup_key")} if not stored.empty else {}
        clusters = self._clusters(cand, gap)
        merged_rows = []
        new_rows = []
        merged = unchanged = 0
        for rows in clusters:
            key = str(rows["dedup_key"].iloc[0])
            first = pd.Timestamp(rows["event_time"].iloc[0])
            last = pd.Timestamp(rows["event_time"].iloc[-1])
            worst = (
                rows.assign(_r=rows["severity"].map(severity_rank))
                .sort_values(["_r", "event_time"], kind="stable")
                .iloc[-1]
            )
            old = self._overlapping(by_key.get(key), first, last, gap)
            if old is not None:
                old_first = pd.Timestamp(old["first_event_time"])
                old_last = pd.Timestamp(old["event_time"])
                # Events inside the stored alert's span are already known (a re-scan).
                fresh = rows[(rows["event_time"] > old_last) | (rows["event_time"] < old_first)]
                if fresh.empty:
                    unchanged += len(rows)
                    continue
                row = old.copy()
                row["first_event_time"] = min(old_first, first)
                row["event_time"] = max(old_last, last)
                row["updated_at"] = clock
                row["occurrences"] = int(old["occurrences"]) + len(fresh)
                if severity_rank(str(worst["severity"])) >= severity_rank(str(old["severity"])):
                    row["severity"] = worst["severity"]
                    row["explanation"] = worst["explanation"]
                    row["action"] = worst["action"]
                row["probability"] = _combine(old["probability"], rows["probability"], max)
                row["score"] = _combine(old["score"], rows["score"], max)
                row["p_value"] = _combine(old["p_value"], rows["p_value"], min)
                merged_rows.append(row)
                merged += len(fresh)
                unchanged += len(rows) - len(fresh)
                continue
            record = {
                "alert_id": _alert_id(key, first),
                "created_at": clock,
                "updated_at": clock,
                "first_event_time": first,
                "event_time": last,
                "entity_type": worst["entity_type"],
                "entity": worst["entity"],
                "kind": worst["kind"],
                "severity": worst["severity"],
                "probability": _max_or_nan(rows["probability"]),
                "score": _max_or_nan(rows["score"]),
                "p_value": _min_or_nan(rows["p_value"]),
                "explanation": worst["explanation"],
                "action": worst["action"],
                "dedup_key": key,
                "occurrences": len(rows),
                "status": "open",
            }
            new_rows.append(record)
        new = pd.DataFrame(new_rows, columns=list(ALERT_COLUMNS))
        opened, suppressed = self._limit(new, stored, clock)
        writes = [opened]
        if policy.keep_suppressed:
            writes.append(suppressed)
        if merged_rows:
            writes.append(pd.DataFrame(merged_rows)[list(ALERT_COLUMNS)])
        frame = (
            pd.concat([w for w in writes if not w.empty], ignore_index=True)
            if any(not w.empty for w in writes)
            else empty
        )
        if not frame.empty:
            self._write(frame, [c for c in ALERT_COLUMNS if c not in ("alert_id", "created_at")])
        return AlertOutcome(
            new=opened.reset_index(drop=True),
            suppressed=suppressed.reset_index(drop=True),
            merged=merged,
            unchanged=unchanged,
            dropped_below_severity=dropped,
            candidates=n_candidates,
            touched=frame["alert_id"].tolist() if not frame.empty else [],
        )

    @staticmethod
    def _overlapping(
        stored: pd.DataFrame | None, first: pd.Timestamp, last: pd.Timestamp, gap: pd.Timedelta
    ) -> pd.Series | None:
        """The latest stored alert whose span, widened by ``gap``, meets ``[first, last]``."""
        if stored is None or stored.empty:
            return None
        meets = (stored["first_event_time"] - gap <= last) & (stored["event_time"] + gap >= first)
        hits = stored[meets]
        if hits.empty:
            return None
        return hits.sort_values("event_time").iloc[-1]

    @staticmethod
    def _clusters(cand: pd.DataFrame, gap: pd.Timedelta) -> list[pd.DataFrame]:
        """Chains of candidates of one key whose consecutive events are within ``gap``."""
        out: list[pd.DataFrame] = []
        for _, rows in cand.groupby("dedup_key", sort=True):
            times = rows["event_time"]
            breaks = (times.diff() > gap).cumsum()
            out.extend(group for _, group in rows.groupby(breaks.to_numpy(), sort=True))
        return out

    def _limit(
        self, new: pd.DataFrame, stored: pd.DataFrame, clock: pd.Timestamp
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Split new alerts into opened and suppressed by the rate limits."""
        policy = self.policy
        if new.empty:
            return new, new.copy()
        since = clock - pd.Timedelta(hours=policy.rate_hours)
        recent: dict[str, int] = {}
        if not stored.empty:
            window = stored[(stored["created_at"] > since) & (stored["status"] == "open")]
            recent = {str(k): int(v) for k, v in window.groupby("entity").size().items()}
        order = new.assign(
            _r=new["severity"].map(severity_rank),
            _p=new["probability"].fillna(0.0),
            _s=new["score"].fillna(0.0),
        ).sort_values(
            ["_r", "_p", "_s", "event_time"], ascending=[False, False, False, False], kind="stable"
        )
        status = []
        opened = 0
        for entity in order["entity"]:
            count = recent.get(entity, 0)
            if count < policy.max_per_entity and opened < policy.max_new:
                recent[entity] = count + 1
                opened += 1
                status.append("open")
            else:
                status.append("suppressed")
        order = order.drop(columns=["_r", "_p", "_s"])
        order["status"] = status
        return order[order["status"] == "open"], order[order["status"] == "suppressed"]


def _combine(old: object, new: pd.Series, pick: Any) -> float:
    values = [v for v in [_nan(old), *new.astype(float)] if not math.isnan(v)]  # type: ignore[arg-type]
    return float(pick(values)) if values else math.nan


def _max_or_nan(values: pd.Series) -> float:
    v = values.astype(float)
    return float(v.max()) if v.notna().any() else math.nan


def _min_or_nan(values: pd.Series) -> float:
    v = values.astype(float)
    return float(v.min()) if v.notna().any() else math.nan
