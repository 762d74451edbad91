"""What-if disruption: which items fall below their reorder point, and when.

A :class:`Disruption` closes suppliers (their open orders do not arrive and they take no
new ones), closes locations (their stock and inbound orders are unavailable) and/or
lengthens lead times by a share (open orders arrive that much later, and every reorder
point must cover the longer lead time). :func:`run_whatif` compares each item-location
under the disruption with business as usual:

1. lead-time distributions are estimated from the purchase-order history and reorder
   points planned with the inventory module (a reorder-point policy with a cycle-service
   target, demand from the empirical bootstrap of the recent window), once with the usual
   and once with the lengthened lead times;
2. from the latest stock snapshot and the open orders, the stock and the inventory
   position are projected day by day with the mean daily demand, without new orders;
3. the day the position first falls below the reorder point (when an order must be
   placed) and the day stock runs out are reported for both cases, with whether an open
   supplier can still replenish before the stock-out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from supplymind.exceptions import RiskInputError
from supplymind.inventory.leadtime import estimate_lead_times
from supplymind.inventory.params import CostParams, InventoryParams, LeadTime, ServiceTarget
from supplymind.inventory.plan import plan_replenishment
from supplymind.risk.alerts import Alert

__all__ = ["WHATIF_COLUMNS", "Disruption", "WhatIfResult", "run_whatif", "whatif_alerts"]

WHATIF_COLUMNS = (
    "item_id",
    "location_id",
    "supplier_id",
    "net_stock",
    "on_order_usual",
    "on_order_disrupted",
    "mean_daily_demand",
    "lead_time_usual",
    "lead_time_disrupted",
    "reorder_point_usual",
    "reorder_point_disrupted",
    "below_reorder_usual",
    "below_reorder_disrupted",
    "stockout_usual",
    "stockout_disrupted",
    "days_of_cover_disrupted",
    "can_reorder",
    "replenish_by",
    "newly_at_risk",
    "action",
    "explanation",
)


@dataclass(frozen=True)
class Disruption:
    """A disruption scenario.

    Parameters
    ----------
    closed_suppliers
        Suppliers that stop shipping.
    closed_locations
        Warehouses or depots whose stock and inbound orders are unavailable.
    lead_time_increase
        Extra lead time as a share of the usual (0.5: 50% longer).
    """

    closed_suppliers: tuple[str, ...] = ()
    closed_locations: tuple[str, ...] = ()
    lead_time_increase: float = 0.0

    def __post_init__(self) -> None:
        owner = "Disruption"
        for name in ("closed_suppliers", "closed_locations"):
            values = getattr(self, name)
            if isinstance(values, str) or not all(isinstance(v, str) and v for v in values):
                raise RiskInputError(f"{owner}.{name}: expected a tuple of ids, found {values!r}")
            object.__setattr__(self, name, tuple(values))
        x = self.lead_time_increase
        if isinstance(x, bool) or not isinstance(x, int | float) or not 0.0 <= x <= 10.0:
            raise RiskInputError(
                f"{owner}.lead_time_increase: expected a share in [0, 10] (0.5 = 50% longer), "
                f"found {x!r}"
            )
        if not (self.closed_suppliers or self.closed_locations or x > 0):
            raise RiskInputError(
                f"{owner}: expected at least one closed supplier or location or a lead-time "
                "increase, found none"
            )

    def describe(self) -> str:
        """The scenario in words."""
        parts = []
        if self.closed_suppliers:
            parts.append("suppliers closed: " + ", ".join(self.closed_suppliers))
        if self.closed_locations:
            parts.append("locations closed: " + ", ".join(self.closed_locations))
        if self.lead_time_increase > 0:
            parts.append(f"lead times {self.lead_time_increase:+.0%}")
        return "; ".join(parts)


@dataclass(frozen=True, eq=False)
class WhatIfResult:
    """The comparison per item-location (:data:`WHATIF_COLUMNS`) and its summary."""

    table: pd.DataFrame
    disruption: Disruption
    now: pd.Timestamp
    horizon_days: int
    summary: dict[str, int] = field(default_factory=dict)


def _longer(lead: LeadTime, share: float) -> LeadTime:
    if share <= 0:
        return lead
    values = [math.ceil(v * (1 + share) - 1e-9) for v in lead.values]
    merged: dict[int, float] = {}
    for v, p in zip(values, lead.probabilities, strict=True):
        merged[v] = merged.get(v, 0.0) + p
    keys = sorted(merged)
    return LeadTime(tuple(keys), tuple(merged[k] for k in keys))


def _first_day(
    series: np.ndarray, threshold: float | np.ndarray, now: pd.Timestamp
) -> pd.Timestamp | None:
    below = np.flatnonzero(series < threshold)
    return None if below.size == 0 else now + pd.Timedelta(days=int(below[0]))


def _check(frame: pd.DataFrame, name: str, needed: Sequence[str]) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise RiskInputError(
            f"{name}: expected the columns {list(needed)}, missing {missing}; found "
            f"{list(frame.columns)}"
        )


def run_whatif(
    demand: pd.DataFrame,
    inventory: pd.DataFrame,
    purchase_orders: pd.DataFrame,
    disruption: Disruption,
    *,
    now: pd.Timestamp | None = None,
    horizon_days: int = 60,
    service_level: float = 0.95,
    history_days: int = 182,
    n_samples: int = 500,
    seed: int = 0,
) -> WhatIfResult:
    """Compare every item-location under ``disruption`` with business as usual.

    Parameters
    ----------
    demand
        Daily demand: ``item_id, location_id, timestamp, target``.
    inventory
        Stock snapshots: ``item_id, location_id, timestamp, on_hand`` (+ ``backorders``);
        the latest snapshot of each item-location at or before ``now`` counts.
    purchase_orders
        The ``purchase_orders`` table: lead-time history, open orders (no
        ``received_at``) and which supplier serves each item-location.
    disruption
        The scenario.
    now
        Start of the projection; default the day after the latest demand.
    horizon_days
        Days projected.
    service_level
        Cycle-service target of the reorder points.
    history_days
        Recent days of demand the demand model sees.
    n_samples, seed
        Sample paths of the demand model and their seed.
    """
    if not isinstance(disruption, Disruption):
        raise RiskInputError(f"disruption: expected a Disruption, found {disruption!r}")
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise RiskInputError(f"horizon_days: expected an integer >= 1, found {horizon_days!r}")
    _check(demand, "demand", ("item_id", "location_id", "timestamp", "target"))
    _check(inventory, "inventory", ("item_id", "location_id", "timestamp", "on_hand"))
    _check(
        purchase_orders,
        "purchase_orders",
        (
            "item_id",
            "supplier_id",
            "location_id",
            "ordered_at",
            "promised_at",
            "received_at",
            "quantity",
        ),
    )
    demand = demand.assign(
        item_id=demand["item_id"].astype(str),
        location_id=demand["location_id"].astype(str),
        timestamp=pd.to_datetime(demand["timestamp"]),
    )
    start = (
        pd.Timestamp(now)
        if now is not None
        else demand["timestamp"].max().normalize() + pd.Timedelta(days=1)
    )
    history = demand[
        (demand["timestamp"] < start)
        & (demand["timestamp"] >= start - pd.Timedelta(days=history_days))
    ]
    history = history[["item_id", "location_id", "timestamp", "target"]]
    if history.empty:
        raise RiskInputError(
            f"demand: expected daily demand in the {history_days} days before {start:%Y-%m-%d}, "
            "found none"
        )
    po = purchase_orders.copy()
    for col in ("ordered_at", "promised_at", "received_at"):
        po[col] = pd.to_datetime(po[col])
    po["item_id"], po["location_id"], po["supplier_id"] = (
        po[c].astype(str) for c in ("item_id", "location_id", "supplier_id")
    )
    known = set(po["supplier_id"]) | set(po["location_id"]) | set(history["location_id"])
    unknown = [
        s for s in (*disruption.closed_suppliers, *disruption.closed_locations) if s not in known
    ]
    if unknown:
        raise RiskInputError(
            f"disruption: expected suppliers or locations found in the purchase orders or demand, "
            f"found unknown ids {unknown}; known suppliers {sorted(set(po['supplier_id']))[:20]}"
        )
    done = po[po["received_at"].notna() & (po["received_at"] < start)]
    table = estimate_lead_times(done, period_days=1.0, received_before=start)
    keys = history[["item_id", "location_id"]].drop_duplicates()
    series_ids = keys["item_id"] + "@" + keys["location_id"]
    usual = {
        sid: table.get(i, loc)
        for sid, i, loc in zip(series_ids, keys["item_id"], keys["location_id"], strict=True)
    }
    longer = {sid: _longer(lt, disruption.lead_time_increase) for sid, lt in usual.items()}
    params = InventoryParams(
        lead_time=table.overall,
        review_period=1,
        costs=CostParams(holding_cost=1.0, shortage_cost=1.0),
        service=ServiceTarget(service_level, "cycle"),
        policy="r_Q",
    )
    plans = {
        name: plan_replenishment(
            history, params, method="empirical", lead_times=lts, n_samples=n_samples, seed=seed
        ).table
        for name, lts in (("usual", usual), ("disrupted", longer))
    }
    snap = inventory.assign(
        item_id=inventory["item_id"].astype(str),
        location_id=inventory["location_id"].astype(str),
        timestamp=pd.to_datetime(inventory["timestamp"]),
    )
    snap = (
        snap[snap["timestamp"] <= start]
        .sort_values("timestamp")
        .groupby(["item_id", "location_id"])
        .tail(1)
    )
    snap = snap.set_index(["item_id", "location_id"])
    open_po = po[po["received_at"].isna() | (po["received_at"] >= start)]
    main_supplier = (
        po.sort_values("ordered_at").groupby(["item_id", "location_id"])["supplier_id"].last()
    )
    suppliers_of = po.groupby(["item_id", "location_id"])["supplier_id"].agg(
        lambda s: sorted(set(s))
    )
    closed_sup, closed_loc = set(disruption.closed_suppliers), set(disruption.closed_locations)
    share = disruption.lead_time_increase
    days = np.arange(horizon_days + 1)
    rows = []
    rop_disrupted = {
        (str(r["item_id"]), str(r["location_id"])): float(r["reorder_point"])
        for r in plans["disrupted"].to_dict("records")
    }
    for rec in plans["usual"].to_dict("records"):
        item, loc = str(rec["item_id"]), str(rec["location_id"])
        rate = float(rec["mean_demand"])
        stock = _stock_now(snap, demand, po, item, loc, start)
        orders = open_po[(open_po["item_id"] == item) & (open_po["location_id"] == loc)]
        qty = orders["quantity"].astype(float) - orders.get(
            "received_quantity", pd.Series(0.0, index=orders.index)
        ).fillna(0.0).astype(float).where(orders["received_at"].notna(), 0.0)
        due = orders["promised_at"].fillna(
            orders["ordered_at"] + pd.Timedelta(days=usual[f"{item}@{loc}"].mean)
        )
        late_due = orders["ordered_at"] + (due - orders["ordered_at"]) * (1 + share)
        blocked = orders["supplier_id"].isin(closed_sup) | (loc in closed_loc)
        arrive_u = np.zeros(days.size)
        arrive_d = np.zeros(days.size)
        for q, t_u, t_d, b in zip(qty, due, late_due, blocked, strict=True):
            k_u = max(0, math.ceil((t_u - start).total_seconds() / 86_400.0))
            if k_u <= horizon_days:
                arrive_u[k_u] += q
            k_d = max(0, math.ceil((t_d - start).total_seconds() / 86_400.0))
            if not b and k_d <= horizon_days:
                arrive_d[k_d] += q
        on_order_u = float(qty.sum())
        on_order_d = float(qty[~blocked.to_numpy()].sum())
        stock_d = 0.0 if loc in closed_loc else stock
        used = rate * days
        on_hand_u = stock + np.cumsum(arrive_u) - used
        on_hand_d = stock_d + np.cumsum(arrive_d) - used
        pos_u = stock + on_order_u - used
        pos_d = stock_d + on_order_d - used
        rop_u, rop_d = float(rec["reorder_point"]), rop_disrupted[(item, loc)]
        below_u, below_d = _first_day(pos_u, rop_u, start), _first_day(pos_d, rop_d, start)
        out_u, out_d = _first_day(on_hand_u, 0.0, start), _first_day(on_hand_d, 0.0, start)
        open_suppliers = [x for x in suppliers_of.get((item, loc), []) if x not in closed_sup]
        can_reorder = bool(open_suppliers) and loc not in closed_loc
        lead_d = longer[f"{item}@{loc}"]
        replenish_by = start + pd.Timedelta(days=math.ceil(lead_d.mean)) if can_reorder else None
        earlier = out_d is not None and (out_u is None or out_d < out_u)
        newly = (below_d is not None and below_u is None) or earlier
        supplier = str(main_supplier.get((item, loc), ""))
        if out_d is not None and (replenish_by is None or out_d < replenish_by):
            action = "switch_supplier" if not can_reorder else "expedite"
        elif below_d is not None:
            action = "raise_safety_stock" if rop_d > rop_u else "expedite"
        else:
            action = "investigate"
        cover = float(on_hand_d[0] / rate) if rate > 0 else math.inf
        rows.append(
            {
                "item_id": item,
                "location_id": loc,
                "supplier_id": supplier,
                "net_stock": stock,
                "on_order_usual": on_order_u,
                "on_order_disrupted": on_order_d,
                "mean_daily_demand": rate,
                "lead_time_usual": usual[f"{item}@{loc}"].mean,
                "lead_time_disrupted": lead_d.mean,
                "reorder_point_usual": rop_u,
                "reorder_point_disrupted": rop_d,
                "below_reorder_usual": below_u,
                "below_reorder_disrupted": below_d,
                "stockout_usual": out_u,
                "stockout_disrupted": out_d,
                "days_of_cover_disrupted": cover,
                "can_reorder": can_reorder,
                "replenish_by": replenish_by,
                "newly_at_risk": bool(newly),
                "action": action,
                "explanation": _explain(
                    item, loc, disruption, below_d, out_d, replenish_by, rop_u, rop_d, can_reorder
                ),
            }
        )
    result = pd.DataFrame(rows, columns=list(WHATIF_COLUMNS))
    for col in (
        "below_reorder_usual",
        "below_reorder_disrupted",
        "stockout_usual",
        "stockout_disrupted",
        "replenish_by",
    ):
        result[col] = pd.to_datetime(result[col])
    result = result.sort_values(
        ["stockout_disrupted", "below_reorder_disrupted", "item_id", "location_id"],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)
    summary = {
        "item_locations": len(result),
        "below_reorder_usual": int(result["below_reorder_usual"].notna().sum()),
        "below_reorder_disrupted": int(result["below_reorder_disrupted"].notna().sum()),
        "stockout_usual": int(result["stockout_usual"].notna().sum()),
        "stockout_disrupted": int(result["stockout_disrupted"].notna().sum()),
        "newly_at_risk": int(result["newly_at_risk"].sum()),
        "cannot_reorder": int((~result["can_reorder"]).sum()),
    }
    return WhatIfResult(result, disruption, start, horizon_days, summary)


def _stock_now(
    snap: pd.DataFrame,
    demand: pd.DataFrame,
    po: pd.DataFrame,
    item: str,
    loc: str,
    start: pd.Timestamp,
) -> float:
    """Net stock at ``start``: the latest snapshot, minus the demand and plus the receipts
    recorded since it."""
    if (item, loc) not in snap.index:
        return 0.0
    s = snap.loc[[(item, loc)]].iloc[0]
    taken = pd.Timestamp(s["timestamp"])
    stock = float(s["on_hand"]) - float(s.get("backorders", 0.0) or 0.0)
    mask = (demand["item_id"] == item) & (demand["location_id"] == loc)
    window = demand.loc[
        mask & (demand["timestamp"] >= taken) & (demand["timestamp"] < start), "target"
    ]
    got = po[
        (po["item_id"] == item)
        & (po["location_id"] == loc)
        & (po["received_at"] >= taken)
        & (po["received_at"] < start)
    ]
    qty = got["received_quantity"] if "received_quantity" in got else got["quantity"]
    return stock - float(window.fillna(0.0).sum()) + float(qty.fillna(0.0).astype(float).sum())


def _explain(
    item: str,
    loc: str,
    disruption: Disruption,
    below: pd.Timestamp | None,
    out: pd.Timestamp | None,
    replenish_by: pd.Timestamp | None,
    rop_u: float,
    rop_d: float,
    can_reorder: bool,
) -> str:
    text = f"{item} at {loc} under '{disruption.describe()}': "
    if below is None:
        return text + "stays above its reorder point over the horizon."
    text += (
        f"falls below its reorder point ({rop_d:,.0f}, usually {rop_u:,.0f}) on {below:%Y-%m-%d}"
    )
    if out is not None:
        text += f" and runs out on {out:%Y-%m-%d}"
    if not can_reorder:
        text += "; no open supplier can replenish it"
    elif out is not None and replenish_by is not None and out < replenish_by:
        text += f"; an order placed now would only arrive around {replenish_by:%Y-%m-%d}"
    return text + "."


def whatif_alerts(result: WhatIfResult, *, only_new: bool = True) -> list[Alert]:
    """Stock-out risk alerts for the item-locations the disruption puts at risk."""
    alerts = []
    for rec in result.table.to_dict("records"):
        row = SimpleNamespace(**{str(k): v for k, v in rec.items()})
        if row.below_reorder_disrupted is pd.NaT or pd.isna(row.below_reorder_disrupted):
            continue
        if only_new and not row.newly_at_risk:
            continue
        out = row.stockout_disrupted
        late = pd.notna(out) and (pd.isna(row.replenish_by) or out < row.replenish_by)
        severity = "critical" if late else ("high" if pd.notna(out) else "medium")
        alerts.append(
            Alert(
                kind="stockout_risk",
                entity=f"{row.item_id}@{row.location_id}",
                entity_type="item",
                severity=severity,
                event_time=pd.Timestamp(out if pd.notna(out) else row.below_reorder_disrupted),
                explanation=str(row.explanation),
                action=str(row.action) if row.action != "investigate" else "raise_safety_stock",
            )
        )
    return alerts
