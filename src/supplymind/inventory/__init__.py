"""Inventory and replenishment from probabilistic forecasts, judged by simulated cost and
fill rate.

- :mod:`~supplymind.inventory.params`: costs, targets, lead time, review period, MOQ, pack
  size and capacity as validated frozen dataclasses;
- :mod:`~supplymind.inventory.leadtime`: lead-time distributions from purchase orders;
- :mod:`~supplymind.inventory.demand`: protection-period demand from sample paths or
  quantiles, and the normal approximation;
- :mod:`~supplymind.inventory.policies`: base stock, (s, S), (r, Q) with EOQ, newsvendor;
- :mod:`~supplymind.inventory.simulate`: the period-by-period simulator;
- :mod:`~supplymind.inventory.forecast`: the quantile-forecast interface and forecasters;
- :mod:`~supplymind.inventory.pooled`: the global demand model (one LightGBM model of the
  protection-period demand and of its error variance across all items);
- :mod:`~supplymind.inventory.plan` and :mod:`~supplymind.inventory.backtest`: plans per
  item-location and their backtest on held-out demand;
- :mod:`~supplymind.inventory.plot` and :mod:`~supplymind.inventory.report`: figures and
  the demo's report section.
"""

from __future__ import annotations

from supplymind.inventory.backtest import BacktestResult, backtest
from supplymind.inventory.params import (
    CostParams,
    InventoryParams,
    LeadTime,
    OrderConstraints,
    ServiceTarget,
)
from supplymind.inventory.plan import Plan, plan_replenishment
from supplymind.inventory.policies import Policy, compute_policy
from supplymind.inventory.pooled import GlobalDemandForecaster
from supplymind.inventory.simulate import SimulationResult, simulate

__all__ = [
    "BacktestResult",
    "CostParams",
    "GlobalDemandForecaster",
    "InventoryParams",
    "LeadTime",
    "OrderConstraints",
    "Plan",
    "Policy",
    "ServiceTarget",
    "SimulationResult",
    "backtest",
    "compute_policy",
    "plan_replenishment",
    "simulate",
]
