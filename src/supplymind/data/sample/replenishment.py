"""An (s, S) replenishment simulated day by day on the generated demand, and the
``inventory`` and ``purchase_orders`` tables it produces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymind.data.sample._common import (
    BoolArray,
    FloatArray,
    IntArray,
    at_minutes,
    random_stream,
    to_ns,
)
from supplymind.data.sample.calendar import Calendar
from supplymind.data.sample.catalog import Catalog
from supplymind.data.sample.config import SampleCompanyConfig
from supplymind.data.sample.network import Network

__all__ = ["OrderLines", "inventory_table", "purchase_order_table", "simulate_replenishment"]

_COVER_DAYS = {"truck": 7, "rail": 14, "sea": 28}  # order cycle by mode


@dataclass(frozen=True)
class OrderLines:
    """The order lines of the simulation; ``pair`` is ``item * n_warehouses + warehouse``."""

    day: IntArray
    pair: IntArray
    group: IntArray
    quantity: FloatArray
    received: FloatArray
    nominal: IntArray
    actual: IntArray
    air: BoolArray


def _window_sum(cs: FloatArray, tail: FloatArray, a: IntArray, b: IntArray) -> FloatArray:
    """Planned demand over days ``[a, b)``; beyond the horizon the recent rate goes on."""
    T = cs.shape[1] - 1
    rows = np.arange(cs.shape[0])
    inside = cs[rows, np.minimum(b, T)] - cs[rows, np.minimum(a, T)]
    beyond = (np.maximum(b - T, 0) - np.maximum(a - T, 0)) * tail
    return np.asarray(inside + beyond, dtype=np.float64)


def _lead_delays(rng: np.random.Generator, nominal: IntArray, unreliable: BoolArray) -> IntArray:
    """Days late (negative: early) for each shipment."""
    n = nominal.size
    # Suppliers pad their promise a little, so most shipments arrive on or before the day.
    jitter = rng.normal(-(0.05 * nominal + 0.6), 0.08 * nominal + 0.5, n)
    late = unreliable & (rng.random(n) < 0.5)
    tail = rng.gamma(1.3, 0.35 * nominal + 2.0, n)
    reliable_tail = (~unreliable) & (rng.random(n) < 0.05)
    delay = jitter + np.where(late, tail, 0.0) + np.where(reliable_tail, rng.exponential(2.0, n), 0)
    return np.asarray(np.round(delay), dtype=np.int64)


def simulate_replenishment(
    config: SampleCompanyConfig,
    network: Network,
    catalog: Catalog,
    mean: FloatArray,
    units: FloatArray,
) -> tuple[FloatArray, OrderLines]:
    """Simulate a daily (s, S) policy per item and warehouse.

    Returns the weekly snapshots ``(n_snapshots, 3, P)`` of on hand, on order and
    backorders, and the order lines.
    """
    rng = random_stream(config, 5)
    n, W, T = units.shape
    P = n * W
    item_of = np.repeat(np.arange(n), W)
    wh_of = np.tile(np.arange(W), n)
    sup = catalog.supplier[item_of]
    lead = network.supplier_lead[sup]
    modes = np.array(network.supplier_mode, dtype=object)[sup]
    cover = np.array([_COVER_DAYS[m] for m in modes], dtype=np.int64)
    unreliable = network.supplier_unreliable[sup]
    pack = catalog.items["pack_size"].to_numpy(dtype=np.float64)[item_of]
    moq = catalog.items["moq"].to_numpy(dtype=np.float64)[item_of]
    end_day = catalog.end_day[item_of]
    slow = catalog.slow[item_of]
    var_factor = np.where(slow, 2.0 * catalog.slow_size[item_of] - 1.0, 1.0)
    k = catalog.dispersion[item_of]

    plan = mean.reshape(P, T) * catalog.forecast_bias[item_of][:, None]
    cs = np.concatenate([np.zeros((P, 1)), np.cumsum(plan, axis=1)], axis=1)
    recent = min(T, 28)
    tail = (cs[:, T] - cs[:, T - recent]) / recent
    demand = units.reshape(P, T)
    # Planners cover a few more days of lead time for the suppliers they know to be late.
    safety_days = np.where(unreliable, 0.25, 0.1) * lead + 1

    def levels(t: int) -> tuple[FloatArray, FloatArray]:
        start = np.full(P, t + 1, dtype=np.int64)
        ltd = _window_sum(cs, tail, start, start + lead + safety_days.astype(np.int64))
        cycle = _window_sum(cs, tail, start + lead, start + lead + cover)
        sd = np.sqrt(ltd * var_factor + ltd**2 / (k * np.maximum(lead, 1)))
        s = ltd + 1.65 * sd
        return s, s + cycle

    s0, big_s0 = levels(-1)
    on_hand = np.where(
        catalog.launch_day[item_of] < 0, np.round(s0 + rng.random(P) * (big_s0 - s0)), 0.0
    )
    on_order = np.zeros(P)
    backorders = np.zeros(P)
    due_ordered = np.zeros((P, T))
    due_received = np.zeros((P, T))
    snaps: list[FloatArray] = []
    lines: list[tuple[IntArray, ...]] = []
    qty_parts: list[FloatArray] = []
    next_group = 0
    for t in range(T):
        if t % 7 == 0:
            snaps.append(np.stack([on_hand, on_order, backorders]))
        on_hand = on_hand + due_received[:, t]
        on_order = on_order - due_ordered[:, t]
        need = backorders + demand[:, t]
        shipped = np.minimum(on_hand, need)
        on_hand = on_hand - shipped
        backorders = np.where(t >= end_day, 0.0, need - shipped)
        s, big_s = levels(t)
        position = on_hand + on_order - backorders
        ordering = np.nonzero((position < s) & (t < end_day) & (big_s > 0))[0]
        if ordering.size == 0:
            continue
        qty = np.ceil((big_s - position)[ordering] / pack[ordering]) * pack[ordering]
        qty = np.maximum(qty, moq[ordering])
        keys = sup[ordering] * W + wh_of[ordering]
        groups, inverse = np.unique(keys, return_inverse=True)
        group_sup = groups // W
        # Sea freight for backordered goods is expedited by air.
        urgent = np.bincount(inverse, weights=backorders[ordering], minlength=groups.size) > 0
        air = urgent & (np.array(network.supplier_mode, dtype=object)[group_sup] == "sea")
        nominal = np.where(air, 3, network.supplier_lead[group_sup])
        g_unrel = network.supplier_unreliable[group_sup]
        actual = np.maximum(1, nominal + _lead_delays(rng, nominal, g_unrel & ~air))
        short = rng.random(ordering.size) < np.where(unreliable[ordering], 0.08, 0.02)
        received = np.where(short, np.floor(qty * rng.uniform(0.7, 0.98, ordering.size)), qty)
        arrival = t + actual[inverse]
        inside = arrival < T
        np.add.at(due_ordered, (ordering[inside], arrival[inside]), qty[inside])
        np.add.at(due_received, (ordering[inside], arrival[inside]), received[inside])
        on_order = on_order.copy()
        on_order[ordering] += qty
        lines.append(
            (
                np.full(ordering.size, t, dtype=np.int64),
                ordering.astype(np.int64),
                (next_group + inverse).astype(np.int64),
                nominal[inverse].astype(np.int64),
                actual[inverse].astype(np.int64),
                air[inverse].astype(np.int64),
            )
        )
        qty_parts.append(np.stack([qty, received]))
        next_group += groups.size

    def cat(j: int) -> IntArray:
        return np.concatenate([part[j] for part in lines]) if lines else np.zeros(0, np.int64)

    amounts = np.concatenate(qty_parts, axis=1) if qty_parts else np.zeros((2, 0))
    orders = OrderLines(
        day=cat(0),
        pair=cat(1),
        group=cat(2),
        quantity=amounts[0],
        received=amounts[1],
        nominal=cat(3),
        actual=cat(4),
        air=cat(5).astype(np.bool_),
    )
    return np.asarray(np.stack(snaps), dtype=np.float64), orders


def inventory_table(
    network: Network, catalog: Catalog, cal: Calendar, snaps: FloatArray
) -> pd.DataFrame:
    """The ``inventory`` table: weekly snapshots up to each item's last selling day."""
    S, _, P = snaps.shape
    W = len(network.warehouse_ids)
    snap_day = np.arange(S) * 7
    item_of = np.repeat(np.arange(P // W), W)
    keep = snap_day[None, :] <= catalog.end_day[item_of][:, None]  # (P, S)
    pair_idx, snap_idx = np.nonzero(keep)
    item_ids = catalog.items["item_id"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "item_id": item_ids[item_of[pair_idx]],
            "location_id": np.asarray(network.warehouse_ids, dtype=object)[pair_idx % W],
            "timestamp": to_ns(cal.days[snap_day])[snap_idx],
            "on_hand": snaps[snap_idx, 0, pair_idx],
            "on_order": snaps[snap_idx, 1, pair_idx],
            "backorders": snaps[snap_idx, 2, pair_idx],
        }
    )


def purchase_order_table(
    config: SampleCompanyConfig,
    network: Network,
    catalog: Catalog,
    cal: Calendar,
    orders: OrderLines,
) -> pd.DataFrame:
    """The ``purchase_orders`` table: order lines with times, receipts and costs."""
    rng = random_stream(config, 6)
    W, T = len(network.warehouse_ids), config.n_days
    n_groups = int(orders.group.max()) + 1 if orders.group.size else 0
    order_minute = rng.integers(9 * 60, 17 * 60, n_groups)[orders.group]
    receive_minute = rng.integers(7 * 60, 17 * 60, n_groups)[orders.group]
    item = orders.pair // W
    sup = catalog.supplier[item]
    ordered_at = at_minutes(cal.days[orders.day], order_minute)
    # Suppliers promise a delivery day; goods that arrive by the end of that working day
    # (18:00) are on time.
    promised_day = cal.days[orders.day] + orders.nominal.astype("timedelta64[D]")
    promised_at = at_minutes(promised_day, np.full(item.size, 18 * 60))
    arrival = orders.day + orders.actual
    open_ = arrival >= T
    arrival_day = config.start_day + np.minimum(arrival, T - 1).astype("timedelta64[D]")
    received_at = np.where(
        open_, np.datetime64("NaT", "ns"), at_minutes(arrival_day, receive_minute)
    )
    inflation = 1.0 + 0.02 * (orders.day - T) / 365.0
    cost = catalog.items["unit_cost"].to_numpy()[item] * inflation
    cost = np.round(cost * np.exp(rng.normal(0.0, 0.02, item.size)), 2)
    modes = np.array(network.supplier_mode, dtype=object)[sup]
    table = pd.DataFrame(
        {
            "po_id": np.array([f"PO{g + 1:06d}" for g in orders.group], dtype=object),
            "item_id": catalog.items["item_id"].to_numpy(dtype=object)[item],
            "supplier_id": np.asarray(network.supplier_ids, dtype=object)[sup],
            "location_id": np.asarray(network.warehouse_ids, dtype=object)[orders.pair % W],
            "ordered_at": ordered_at,
            "promised_at": promised_at,
            "received_at": received_at.astype("datetime64[ns]"),
            "quantity": orders.quantity.astype(np.float64),
            "received_quantity": np.where(open_, np.nan, orders.received).astype(np.float64),
            "unit_cost": cost.astype(np.float64),
            "mode": np.where(orders.air, "air", modes).astype(object),
        }
    )
    return table.sort_values(["po_id", "item_id"], kind="stable", ignore_index=True)
