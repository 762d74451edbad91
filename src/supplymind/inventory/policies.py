"""Replenishment policies and the levels that meet a service or cost target.

- **base stock** (periodic-review order-up-to ``S``): every ``R`` periods order up to ``S``.
  Cycle service: ``S = F^-1(alpha)`` of the protection-period demand ``D(L+R)``. Fill rate:
  the smallest ``S`` with ``1 - (E[(D(L+R) - S)+] - E[(D(L) - S)+]) / E[D(R)] >= beta``.
  Cost: the critical ratio ``S = F^-1(p / (p + h))`` (optimal for backorders, as in
  ``stockpyl.newsvendor``; the usual approximation for lost sales).
- **(r, Q)**: when the position is at or below ``r``, order enough multiples of ``Q`` to
  rise above it. ``Q`` is the EOQ for a service target; for a cost target ``r`` and ``Q``
  minimise ``(K lambda + sum_{y=r+1}^{r+Q} G(y)) / Q`` exactly (Federgruen and Zheng's
  argument: ``G`` is convex, so the best ``Q`` points are consecutive).
- **(s, S)**: at a review with the position at or below ``s``, order up to ``S``; levels
  from the (r, Q) solution, ``s = r`` and ``S = r + Q`` (ignores the undershoot).
- **newsvendor**: a single period's order-up-to quantity (the base-stock level of one
  protection period).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.demand import DemandDistribution, ProtectionDemand
from supplymind.inventory.params import InventoryParams, PolicyKind, ServiceKind, ServiceTarget

__all__ = [
    "Policy",
    "base_stock_level",
    "base_stock_levels",
    "compute_policy",
    "eoq",
    "expected_service",
    "fill_rate_level",
    "fill_rate_levels",
    "newsvendor_quantity",
    "optimize_rq",
    "policy_at_level",
]


@dataclass(frozen=True)
class Policy:
    """Levels of one item-location's policy.

    Parameters
    ----------
    kind
        ``"base_stock"``, ``"s_S"``, ``"r_Q"`` or ``"newsvendor"``.
    reorder_point
        Position at or below which an order is placed (``s`` or ``r``); for base stock and
        newsvendor the order-up-to level (an order whenever the position is below it).
    order_up_to
        Order-up-to level ``S`` (``r + Q`` for (r, Q)).
    order_quantity
        ``Q`` for (r, Q); for the others the typical order: ``S - s`` for (s, S), the
        expected demand of one review cycle for base stock, the level for the newsvendor.
    safety_stock
        Reorder point (or order-up-to level) minus the expected protection-period demand.
    """

    kind: PolicyKind
    reorder_point: float
    order_up_to: float
    order_quantity: float
    safety_stock: float

    def __post_init__(self) -> None:
        values = (self.reorder_point, self.order_up_to, self.order_quantity)
        if not all(math.isfinite(v) for v in values):
            raise InventoryInputError(f"Policy: expected finite levels, found {values}")
        if self.order_quantity < 0 or self.order_up_to < self.reorder_point:
            raise InventoryInputError(
                "Policy: expected order_quantity >= 0 and order_up_to >= reorder_point, found "
                f"{self.order_quantity:g} and {self.order_up_to:g} < {self.reorder_point:g}"
            )


def eoq(order_cost: float, holding_cost: float, demand_rate: float) -> float:
    """Economic order quantity ``sqrt(2 K lambda / h)`` (0 when ``K`` or ``lambda`` is 0).

    Parameters
    ----------
    order_cost
        Fixed cost per order ``K``.
    holding_cost
        Holding cost per unit per period ``h`` (> 0).
    demand_rate
        Demand per period ``lambda``.
    """
    if holding_cost <= 0:
        raise InventoryInputError(
            f"holding_cost: expected a number > 0 for the EOQ, found {holding_cost!r}"
        )
    if order_cost < 0 or demand_rate < 0:
        raise InventoryInputError(
            "EOQ: expected order_cost >= 0 and demand_rate >= 0, "
            f"found {order_cost!r}, {demand_rate!r}"
        )
    return math.sqrt(2.0 * order_cost * demand_rate / holding_cost)


def newsvendor_quantity(
    demand: DemandDistribution, holding_cost: float, shortage_cost: float
) -> float:
    """The critical-fractile quantity ``F^-1(p / (p + h))``.

    Parameters
    ----------
    demand
        Demand over the period the quantity must cover.
    holding_cost
        Overage cost per unit left over ``h`` (> 0).
    shortage_cost
        Underage cost per unit short ``p`` (> 0).
    """
    if holding_cost <= 0 or shortage_cost <= 0:
        raise InventoryInputError(
            "newsvendor: expected holding_cost > 0 and shortage_cost > 0, found "
            f"{holding_cost!r} and {shortage_cost!r}"
        )
    return demand.quantile(shortage_cost / (shortage_cost + holding_cost))


def _first_below(values: np.ndarray, grid: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Smallest ``x`` on the piecewise-linear, non-increasing curve ``(grid, values)`` with
    value ``<= threshold``, for each threshold."""
    ok = values[None, :] <= thresholds[:, None] + 1e-12
    found = ok.any(axis=1)
    i = np.where(found, ok.argmax(axis=1), grid.size - 1)
    prev = np.maximum(i - 1, 0)
    x0, x1, y0, y1 = grid[prev], grid[i], values[prev], values[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = x0 + (y0 - thresholds) * (x1 - x0) / (y0 - y1)
    out = np.where((i == 0) | (y0 == y1), x1, inside)
    return np.asarray(np.where(found, out, grid[-1]), dtype=np.float64)


def fill_rate_levels(demand: ProtectionDemand, targets: Sequence[float]) -> np.ndarray:
    """Smallest order-up-to levels whose expected fill rates reach ``targets``.

    The expected shortage per review cycle is ``E[(D(L+R) - S)+] - E[(D(L) - S)+]``;
    the fill rate is one minus that over the expected cycle demand ``R mu``.

    Parameters
    ----------
    demand
        Protection-period and lead-time demand.
    targets
        Fill rates in (0, 1).
    """
    goal = np.asarray(targets, dtype=np.float64)
    if demand.cycle_mean <= 0:
        return np.zeros(goal.size)
    grid = np.unique(np.concatenate([demand.protection.grid(), demand.lead.grid(), [0.0]]))
    grid = grid[grid >= 0]
    shortage = demand.protection.loss(grid) - demand.lead.loss(grid)
    levels = _first_below(shortage, grid, (1.0 - goal) * demand.cycle_mean)
    return np.array([_whole(float(v), demand) for v in levels])


def fill_rate_level(demand: ProtectionDemand, target: float) -> float:
    """Smallest order-up-to level whose expected fill rate reaches ``target`` (see
    :func:`fill_rate_levels`)."""
    return float(fill_rate_levels(demand, [target])[0])


def _whole(level: float, demand: ProtectionDemand) -> float:
    """Round a level up to whole units when demand comes in whole units."""
    if demand.whole_units or (demand.protection.is_integer and demand.lead.is_integer):
        return float(math.ceil(level - 1e-9))
    return level


def base_stock_level(demand: ProtectionDemand, params: InventoryParams) -> float:
    """Order-up-to level for the service or cost target of ``params`` (never below 0)."""
    target = params.service
    if target is None:
        level = demand.protection.quantile(params.costs.critical_ratio)
    elif target.kind == "cycle":
        level = demand.protection.quantile(target.level)
    else:
        level = fill_rate_level(demand, target.level)
    return max(level, 0.0)


def base_stock_levels(
    demand: ProtectionDemand, targets: Sequence[float], kind: ServiceKind = "fill_rate"
) -> np.ndarray:
    """Order-up-to levels for several service targets at once (never below 0)."""
    if kind == "cycle":
        levels = np.array([demand.protection.quantile(float(t)) for t in targets])
    else:
        levels = fill_rate_levels(demand, targets)
    return np.asarray(np.maximum(levels, 0.0), dtype=np.float64)


def _newsvendor_cost(dist: DemandDistribution, y: np.ndarray, h: float, p: float) -> np.ndarray:
    loss = dist.loss(y)
    return np.asarray(h * (y - dist.mean + loss) + p * loss)


def optimize_rq(
    demand: DemandDistribution,
    holding_cost: float,
    shortage_cost: float,
    order_cost: float,
    demand_rate: float,
    *,
    step: float | None = None,
) -> tuple[float, float, float]:
    """Cost-optimal ``(r, Q)`` for backorders: minimise
    ``g(r, Q) = (K lambda + sum_{y=r+1}^{r+Q} G(y)) / Q`` with ``G`` the newsvendor cost
    of the lead-time demand, as ``stockpyl.rq.r_q_poisson_exact``.

    Parameters
    ----------
    demand
        Lead-time (protection) demand.
    holding_cost, shortage_cost
        ``h`` and ``p`` per unit per period (> 0).
    order_cost
        ``K`` per order (>= 0).
    demand_rate
        Demand per period ``lambda``.
    step
        Units between candidate levels; default 1 for whole-unit demand, else a fine grid.

    Returns
    -------
    tuple of float
        ``r``, ``Q`` and the expected cost per period.
    """
    if holding_cost <= 0 or shortage_cost <= 0:
        raise InventoryInputError(
            "(r, Q) cost target: expected holding_cost > 0 and shortage_cost > 0, found "
            f"{holding_cost!r} and {shortage_cost!r}"
        )
    q_eoq = eoq(order_cost, holding_cost, demand_rate)
    lo = min(demand.quantile(1e-4), 0.0) - 2.0 * q_eoq - 1.0
    hi = demand.quantile(1.0 - 1e-7) + 2.0 * q_eoq + 1.0
    if step is None:
        step = (
            max(1.0, math.ceil((hi - lo) / 20000.0)) if demand.is_integer else (hi - lo) / 20000.0
        )
    grid = np.floor(lo) + step * np.arange(math.ceil((hi - math.floor(lo)) / step) + 1)
    cost = _newsvendor_cost(demand, grid, holding_cost, shortage_cost)
    fixed = order_cost * demand_rate / step
    a = b = int(np.argmin(cost))
    total = float(cost[a])
    count = 1
    best = (fixed + total) / count
    while True:
        left = cost[a - 1] if a > 0 else np.inf
        right = cost[b + 1] if b + 1 < grid.size else np.inf
        nxt = min(left, right)
        if not np.isfinite(nxt) or nxt >= best:
            break
        if left <= right:
            a -= 1
        else:
            b += 1
        total += float(nxt)
        count += 1
        best = (fixed + total) / count
    r = float(grid[a] - step)
    return r, float(count * step), float(best)


def _cycle_quantity(demand: ProtectionDemand, params: InventoryParams) -> float:
    """EOQ (or one review cycle's demand when there is no order cost), as an order."""
    costs = params.costs
    q = (
        eoq(costs.order_cost, costs.holding_cost, demand.period_mean)
        if costs.order_cost > 0
        else 0.0
    )
    q = max(q, demand.cycle_mean, 1e-9)
    return params.constraints.round_order(q)


def _rq_reorder_point(demand: ProtectionDemand, quantity: float, target: ServiceTarget) -> float:
    dist = demand.protection
    if target.kind == "cycle":
        return dist.quantile(target.level)
    grid = np.unique(np.concatenate([dist.grid(), dist.grid() - quantity]))
    shortage = (dist.loss(grid) - dist.loss(grid + quantity)) / quantity
    level = _first_below(shortage, grid, np.array([1.0 - target.level]))[0]
    return _whole(float(level), demand)


def policy_at_level(demand: ProtectionDemand, params: InventoryParams, level: float) -> Policy:
    """The base-stock or newsvendor policy of ``params.policy`` with order-up-to ``level``.

    Parameters
    ----------
    demand
        Protection-period demand of the item-location.
    params
        Its parameters (policy ``"base_stock"`` or ``"newsvendor"``, order constraints).
    level
        Order-up-to level (e.g. from :func:`base_stock_levels` or a portfolio target).

    Raises
    ------
    InventoryInputError
        If ``params.policy`` is not an order-up-to policy.
    """
    if params.policy not in ("base_stock", "newsvendor"):
        raise InventoryInputError(
            "policy: an order-up-to level sets a base_stock or newsvendor policy, found "
            f"{params.policy!r}"
        )
    typical = (
        level
        if params.policy == "newsvendor"
        else params.constraints.round_order(demand.cycle_mean)
    )
    return Policy(params.policy, level, level, typical, level - demand.protection.mean)


def compute_policy(demand: ProtectionDemand, params: InventoryParams) -> Policy:
    """Levels of ``params.policy`` for ``demand`` and the target of ``params``.

    Parameters
    ----------
    demand
        Protection-period demand of the item-location.
    params
        Lead time, review period, costs, constraints, target and policy kind.
    """
    mean = demand.protection.mean
    kind = params.policy
    if kind in ("base_stock", "newsvendor"):
        return policy_at_level(demand, params, base_stock_level(demand, params))
    costs = params.costs
    if params.service is None and costs.order_cost > 0:
        r, q, _ = optimize_rq(
            demand.protection,
            costs.holding_cost,
            costs.shortage_cost,
            costs.order_cost,
            demand.period_mean,
        )
        q = params.constraints.round_order(max(q, 1e-9))
    else:
        q = _cycle_quantity(demand, params)
        if params.service is None:
            r = demand.protection.quantile(costs.critical_ratio)
        else:
            r = _rq_reorder_point(demand, q, params.service)
    return Policy(kind, r, r + q, q, r - mean)


def expected_service(demand: ProtectionDemand, policy: Policy) -> tuple[float, float]:
    """Fill rate and cycle service level the model expects from ``policy``.

    Base stock and newsvendor use the formulas of :func:`fill_rate_level`; (s, S) and
    (r, Q) the classic ``1 - (n(r) - n(r + Q)) / Q`` and ``F(r)``.

    Returns
    -------
    tuple of float
        Expected fill rate and cycle service level.
    """
    dist = demand.protection
    if policy.kind in ("base_stock", "newsvendor"):
        level = np.array([policy.order_up_to])
        if demand.cycle_mean <= 0:
            return 1.0, 1.0
        short = float((dist.loss(level) - demand.lead.loss(level))[0])
        return max(0.0, 1.0 - short / demand.cycle_mean), float(dist.cdf(level)[0])
    r, q = policy.reorder_point, max(policy.order_quantity, 1e-9)
    short = float((dist.loss(np.array([r])) - dist.loss(np.array([r + q])))[0])
    return max(0.0, 1.0 - short / q), float(dist.cdf(np.array([r]))[0])
