"""Replay a demand history period by period under a policy, for many items at once.

Each period ``t``, for every item:

1. orders due at ``t`` arrive;
2. at a review (``t`` a multiple of the review period; every period for (r, Q)) the
   inventory position (on hand + on order - backorders) is compared with the policy and
   an order is placed, rounded to MOQ, pack size and capacity; its lead time is drawn from
   the item's lead-time distribution (orders may cross) and a lead time of 0 arrives at once;
3. with backorders, the backlog is served first; then the period's demand is served from
   stock and what is missing is backordered or lost;
4. costs are charged on the end-of-period state: ``h`` per unit on hand, ``p`` per unit
   backordered (backorders) or lost (lost sales), ``K`` per order placed.

Metrics: fill rate (units served from stock at once / units demanded), cycle service level
(share of review cycles, ``R`` periods each, without a shortage), average on hand
(end of period), inventory turns (units shipped / average on hand over the measured
periods), orders and costs. The run starts with the order-up-to level on hand and nothing
on order; the first ``warmup`` periods are simulated but not measured, and so are the
periods after an item's own measured ones when items are measured over windows of
different lengths (``periods``). The same seed gives the same result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.params import InventoryParams
from supplymind.inventory.policies import Policy

__all__ = ["METRICS", "SimulationResult", "simulate"]

FloatArray = npt.NDArray[np.float64]

METRICS = (
    "holding_cost",
    "shortage_cost",
    "ordering_cost",
    "total_cost",
    "fill_rate",
    "cycle_service_level",
    "average_on_hand",
    "inventory_turns",
    "n_orders",
    "demand",
    "served_from_stock",
    "short_units",
)

_KIND_CODE = {"base_stock": 0, "newsvendor": 0, "s_S": 1, "r_Q": 2}


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Per-item metrics, totals and the period-by-period trajectories.

    Parameters
    ----------
    per_item
        One row per item with the columns of :data:`METRICS` (``item`` is the index).
    totals
        The same metrics over all items (costs, units and orders summed; fill rate and
        cycle service pooled; average on hand summed over items; inventory turns over the
        longest measured window, each item's shipments scaled to it), plus ``n_items`` and
        ``n_periods`` (the longest measured window).
    on_hand, backorders, orders, arrivals, position
        Arrays ``(n_items, n_periods)``: end-of-period stock, end-of-period backlog,
        quantity ordered, quantity received and the position after ordering.
    warmup
        Periods at the start that were simulated but not measured.
    """

    per_item: pd.DataFrame
    totals: dict[str, float]
    on_hand: FloatArray
    backorders: FloatArray
    orders: FloatArray
    arrivals: FloatArray
    position: FloatArray
    warmup: int
    extra: dict[str, Any] = field(default_factory=dict)


def _as_list(params: InventoryParams | Sequence[InventoryParams], n: int) -> list[InventoryParams]:
    if isinstance(params, InventoryParams):
        return [params] * n
    out = list(params)
    if len(out) != n:
        raise InventoryInputError(
            f"params: expected one InventoryParams per item ({n}), found {len(out)}"
        )
    return out


def _lead_draws(
    params: list[InventoryParams], n_periods: int, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """Lead time of an order placed by item ``i`` in period ``t``, drawn up front so that
    the draws do not depend on when orders happen (common random numbers)."""
    u = rng.random((len(params), n_periods))
    out = np.empty((len(params), n_periods), dtype=np.int64)
    for i, p in enumerate(params):
        lt = p.lead_time
        if lt.is_fixed:
            out[i] = lt.values[0]
        else:
            cdf = np.cumsum(lt.probabilities)
            idx = np.minimum(np.searchsorted(cdf, u[i], side="right"), len(lt.values) - 1)
            out[i] = np.asarray(lt.values)[idx]
    return out


def simulate(
    demand: npt.ArrayLike,
    policies: Sequence[Policy],
    params: InventoryParams | Sequence[InventoryParams],
    *,
    seed: int = 0,
    warmup: int = 0,
    item_ids: Sequence[str] | None = None,
    updates: Mapping[int, Sequence[Policy]] | None = None,
    periods: Sequence[int] | None = None,
) -> SimulationResult:
    """Simulate ``policies`` on a demand matrix.

    Parameters
    ----------
    demand
        Demand per item and period, shape ``(n_items, n_periods)``, finite and >= 0.
    policies
        One policy per item.
    params
        Lead time, review period, costs and order constraints: one for all items or one
        per item.
    seed
        Seed of the lead-time draws.
    warmup
        Leading periods left out of the metrics (they settle the pipeline).
    item_ids
        Names of the items (the index of ``per_item``); default ``0..n-1``.
    updates
        Re-planned levels: from period ``t`` on, the policies ``updates[t]`` (one per item,
        same kinds) replace the current ones (a rolling plan).
    periods
        Measured periods of each item after the warmup (default: all of them). An item
        whose window is shorter than the matrix is measured over its first ``periods[i]``
        periods only; the later ones are simulated (its row is padded) but not measured.

    Returns
    -------
    SimulationResult
        Metrics and trajectories.
    """
    D = np.asarray(demand, dtype=np.float64)
    if D.ndim == 1:
        D = D[None, :]
    if D.ndim != 2 or D.shape[1] == 0:
        raise InventoryInputError(f"demand: expected shape (n_items, n_periods), found {D.shape}")
    if not np.all(np.isfinite(D)) or np.any(D < 0):
        raise InventoryInputError("demand: expected finite values >= 0, found NaN, inf or < 0")
    n, T = D.shape
    if len(policies) != n:
        raise InventoryInputError(f"policies: expected one per item ({n}), found {len(policies)}")
    if not 0 <= warmup < T:
        raise InventoryInputError(f"warmup: expected 0 <= warmup < {T} periods, found {warmup}")
    plist = _as_list(params, n)
    ids = [str(i) for i in (item_ids if item_ids is not None else range(n))]
    if len(ids) != n:
        raise InventoryInputError(f"item_ids: expected {n} names, found {len(ids)}")
    measured = _measured_periods(periods, n, T - warmup)

    kind = np.array([_KIND_CODE[p.kind] for p in policies])
    s, big_s, q_fixed = _levels(policies)
    schedule = dict(updates or {})
    for t, later in schedule.items():
        if len(later) != n or [_KIND_CODE[p.kind] for p in later] != kind.tolist():
            raise InventoryInputError(
                f"updates[{t}]: expected {n} policies of the same kinds as the first ones"
            )
    review = np.array(
        [1 if p.kind == "r_Q" else q.review_period for p, q in zip(policies, plist, strict=True)]
    )
    moq = np.array([q.constraints.moq for q in plist], dtype=np.float64)
    pack = np.array([q.constraints.pack_size for q in plist], dtype=np.float64)
    cap = np.array(
        [np.inf if q.constraints.capacity is None else q.constraints.capacity for q in plist]
    )
    cap = np.floor(cap / pack + 1e-9) * pack
    h = np.array([q.costs.holding_cost for q in plist], dtype=np.float64)
    p_cost = np.array([q.costs.shortage_cost for q in plist], dtype=np.float64)
    k_cost = np.array([q.costs.order_cost for q in plist], dtype=np.float64)
    lost = np.array([q.costs.shortage == "lost_sales" for q in plist])
    leads = _lead_draws(plist, T, np.random.default_rng(seed))
    max_lead = int(leads.max()) if leads.size else 0

    on_hand = np.maximum(big_s, 0.0).copy()
    on_order = np.zeros(n)
    backlog = np.zeros(n)
    due = np.zeros((n, T + max_lead + 1))
    rows = np.arange(n)
    traj = {
        name: np.zeros((n, T))
        for name in ("on_hand", "backorders", "orders", "arrivals", "position")
    }
    served = np.zeros((n, T))
    short = np.zeros((n, T))
    cleared = np.zeros((n, T))

    for t in range(T):
        if t in schedule:
            s, big_s, q_fixed = _levels(schedule[t])
        arriving = due[:, t]
        on_hand += arriving
        on_order -= arriving
        traj["arrivals"][:, t] = arriving
        position = on_hand + on_order - backlog
        reviewing = (t % review) == 0
        want = np.where(
            kind == 0,
            np.where(position < big_s, big_s - position, 0.0),
            np.where(
                kind == 1,
                np.where(position <= s, big_s - position, 0.0),
                np.where(position <= s, (np.floor((s - position) / q_fixed) + 1) * q_fixed, 0.0),
            ),
        )
        want = np.where(reviewing, want, 0.0)
        qty = np.where(want > 1e-9, np.maximum(want, moq), 0.0)
        qty = np.ceil(qty / pack - 1e-9) * pack
        qty = np.minimum(qty, cap) + 0.0  # + 0.0 turns -0.0 into 0.0
        lead = leads[:, t]
        now = qty * (lead == 0)
        on_hand += now
        on_order += qty - now
        due[rows, t + lead] += np.where(lead > 0, qty, 0.0)
        traj["orders"][:, t] = qty
        traj["position"][:, t] = position + qty
        # The backlog is served first, from receipts including an order with lead time 0.
        from_backlog = np.minimum(on_hand, backlog)
        on_hand -= from_backlog
        backlog -= from_backlog
        cleared[:, t] = from_backlog
        d = D[:, t]
        fill = np.minimum(on_hand, d)
        on_hand -= fill
        missing = d - fill
        backlog += np.where(lost, 0.0, missing)
        served[:, t] = fill
        short[:, t] = missing
        traj["on_hand"][:, t] = on_hand
        traj["backorders"][:, t] = backlog

    return _summarise(
        D,
        ids,
        traj,
        served,
        short,
        cleared,
        review,
        h,
        p_cost,
        k_cost,
        lost,
        warmup,
        measured,
        policies,
    )


def _measured_periods(periods: Sequence[int] | None, n: int, most: int) -> npt.NDArray[np.int64]:
    if periods is None:
        return np.full(n, most, dtype=np.int64)
    values = list(periods)
    if len(values) != n or any(
        isinstance(v, bool) or not isinstance(v, int | np.integer) or not 1 <= v <= most
        for v in values
    ):
        raise InventoryInputError(
            f"periods: expected one whole number of measured periods in [1, {most}] per item "
            f"({n}), found {values[:10]}"
        )
    return np.asarray(values, dtype=np.int64)


def _levels(policies: Sequence[Policy]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Reorder points, order-up-to levels and order quantities as arrays."""
    return (
        np.array([p.reorder_point for p in policies], dtype=np.float64),
        np.array([p.order_up_to for p in policies], dtype=np.float64),
        np.array([max(p.order_quantity, 1e-9) for p in policies], dtype=np.float64),
    )


def _summarise(
    D: FloatArray,
    ids: list[str],
    traj: dict[str, FloatArray],
    served: FloatArray,
    short: FloatArray,
    cleared: FloatArray,
    review: npt.NDArray[np.int64],
    h: FloatArray,
    p_cost: FloatArray,
    k_cost: FloatArray,
    lost: npt.NDArray[np.bool_],
    warmup: int,
    measured: npt.NDArray[np.int64],
    policies: Sequence[Policy],
) -> SimulationResult:
    n, T = D.shape
    t_idx = np.arange(T)
    ends = warmup + measured  # each item's first unmeasured period after the warmup
    m = (t_idx >= warmup)[None, :] & (t_idx[None, :] < ends[:, None])
    periods = int(measured.max()) if n else T - warmup
    demand = np.where(m, D, 0.0).sum(axis=1)
    from_stock = np.where(m, served, 0.0).sum(axis=1)
    short_units = np.where(m, short, 0.0).sum(axis=1)
    on_hand_sum = np.where(m, traj["on_hand"], 0.0).sum(axis=1)
    holding = h * on_hand_sum
    backlog_sum = np.where(m, traj["backorders"], 0.0).sum(axis=1)
    shortage = p_cost * np.where(lost, short_units, backlog_sum)
    n_orders = (m & (traj["orders"] > 0)).sum(axis=1).astype(np.float64)
    ordering = k_cost * n_orders
    avg_on_hand = on_hand_sum / measured
    shipped = from_stock + np.where(m, cleared, 0.0).sum(axis=1)  # at once + backlog cleared
    # Cycle service: cycles are blocks of R periods aligned on the reviews.
    cycles_ok = np.zeros(n)
    cycles = np.zeros(n)
    for i in range(n):
        r = int(review[i])
        start = warmup + (-warmup) % r
        end = int(ends[i])
        if start >= end:
            continue
        block = (t_idx[start:end] - start) // r
        had_short = np.bincount(block, weights=(short[i, start:end] > 1e-9).astype(float)) > 0
        cycles[i] = had_short.size
        cycles_ok[i] = (~had_short).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        fill_rate = np.where(demand > 0, from_stock / demand, np.nan)
        csl = np.where(cycles > 0, cycles_ok / cycles, np.nan)
        turns = np.where(avg_on_hand > 0, shipped / avg_on_hand, np.nan)
    per_item = pd.DataFrame(
        {
            "holding_cost": holding,
            "shortage_cost": shortage,
            "ordering_cost": ordering,
            "total_cost": holding + shortage + ordering,
            "fill_rate": fill_rate,
            "cycle_service_level": csl,
            "average_on_hand": avg_on_hand,
            "inventory_turns": turns,
            "n_orders": n_orders,
            "demand": demand,
            "served_from_stock": from_stock,
            "short_units": short_units,
        },
        index=pd.Index(ids, name="item"),
    )
    total_on_hand = float(avg_on_hand.sum())
    # Shipments per period of each item's own window, over the longest window (1.0 exactly
    # when all windows are equal), so that turns compare with the average stock.
    shipped_total = float((shipped * (periods / measured)).sum())
    totals = {
        "holding_cost": float(holding.sum()),
        "shortage_cost": float(shortage.sum()),
        "ordering_cost": float(ordering.sum()),
        "total_cost": float((holding + shortage + ordering).sum()),
        "fill_rate": float(from_stock.sum() / demand.sum()) if demand.sum() > 0 else float("nan"),
        "cycle_service_level": float(cycles_ok.sum() / cycles.sum())
        if cycles.sum() > 0
        else float("nan"),
        "average_on_hand": total_on_hand,
        "inventory_turns": shipped_total / total_on_hand if total_on_hand > 0 else float("nan"),
        "n_orders": float(n_orders.sum()),
        "demand": float(demand.sum()),
        "served_from_stock": float(from_stock.sum()),
        "short_units": float(short_units.sum()),
        "n_items": float(n),
        "n_periods": float(periods),
    }
    return SimulationResult(
        per_item=per_item,
        totals=totals,
        on_hand=traj["on_hand"],
        backorders=traj["backorders"],
        orders=traj["orders"],
        arrivals=traj["arrivals"],
        position=traj["position"],
        warmup=warmup,
        extra={"policies": list(policies)},
    )
