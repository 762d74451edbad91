"""Lead-time distributions estimated from the ``purchase_orders`` history.

The lead time of a received order line is ``received_at - ordered_at`` in calendar days,
converted to periods of the demand series and rounded up (goods that arrive during a
period count from the next one; for daily data this is exact). Open orders are ignored, and
so are short receipts' missing units (yield is not modelled).

Each item-location gets the empirical distribution of its own orders when it has at least
``min_orders`` of them; otherwise its orders are pooled with those of the same supplier
and location, then of the same supplier, then with every order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.params import LeadTime

__all__ = ["LeadTimeTable", "estimate_lead_times", "lead_time_periods"]

_REQUIRED = ("item_id", "ordered_at", "received_at")


def lead_time_periods(purchase_orders: pd.DataFrame, *, period_days: float = 1.0) -> pd.Series:
    """Lead time of each received order line in whole periods (rounded up).

    Parameters
    ----------
    purchase_orders
        The ``purchase_orders`` table (at least ``ordered_at`` and ``received_at``).
    period_days
        Length of one demand period in days (1 daily, 7 weekly, 30.4375 monthly).

    Returns
    -------
    pandas.Series
        Periods per row; NaN for open orders.
    """
    if not period_days > 0:
        raise InventoryInputError(f"period_days: expected a number > 0, found {period_days!r}")
    missing = [c for c in _REQUIRED if c not in purchase_orders.columns]
    if missing:
        raise InventoryInputError(
            f"purchase_orders: expected the columns {list(_REQUIRED)}, missing {missing}"
        )
    ordered = pd.to_datetime(purchase_orders["ordered_at"]).dt.normalize()
    received = pd.to_datetime(purchase_orders["received_at"]).dt.normalize()
    days = (received - ordered) / pd.Timedelta(days=1)
    if (days < 0).any():
        raise InventoryInputError(
            "purchase_orders: expected received_at on or after ordered_at, found "
            f"{int((days < 0).sum())} order lines received before they were placed"
        )
    return pd.Series(np.ceil(days / period_days - 1e-9), index=purchase_orders.index)


@dataclass(frozen=True)
class LeadTimeTable:
    """Lead-time distributions per item-location, with pooled fallbacks.

    Parameters
    ----------
    by_series
        Distribution per ``(item_id, location_id)`` (location ``""`` when the orders have
        no location).
    overall
        Distribution of every order, for series without orders.
    source
        How each series' distribution was obtained (``"own"``, ``"supplier-location"``,
        ``"supplier"``, ``"all"``).
    """

    by_series: Mapping[tuple[str, str], LeadTime]
    overall: LeadTime
    source: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def get(self, item_id: str, location_id: str = "") -> LeadTime:
        """The distribution for one item-location (the pooled one when it has no orders)."""
        found = self.by_series.get((item_id, location_id))
        if found is None and location_id:
            found = self.by_series.get((item_id, ""))
        return found if found is not None else self.overall


def estimate_lead_times(
    purchase_orders: pd.DataFrame,
    *,
    period_days: float = 1.0,
    min_orders: int = 5,
    received_before: pd.Timestamp | None = None,
) -> LeadTimeTable:
    """Estimate lead-time distributions from purchase-order lines.

    Parameters
    ----------
    purchase_orders
        The ``purchase_orders`` table.
    period_days
        Length of one demand period in days.
    min_orders
        Fewest own orders for an item-location to use its own distribution.
    received_before
        Only orders received before this time count (no look-ahead in a backtest).

    Returns
    -------
    LeadTimeTable
        Distributions per item-location and overall.
    """
    if min_orders < 1:
        raise InventoryInputError(f"min_orders: expected an integer >= 1, found {min_orders!r}")
    po = purchase_orders.copy()
    po["_lead"] = lead_time_periods(po, period_days=period_days)
    po = po[po["_lead"].notna()]
    if received_before is not None:
        po = po[pd.to_datetime(po["received_at"]) < received_before]
    if po.empty:
        raise InventoryInputError(
            "purchase_orders: expected at least one received order line to estimate lead times, "
            "found none"
        )
    po["_loc"] = po["location_id"].astype(str) if "location_id" in po.columns else ""
    po["_sup"] = po["supplier_id"].astype(str) if "supplier_id" in po.columns else ""
    po["_item"] = po["item_id"].astype(str)
    overall = LeadTime.from_samples(po["_lead"].to_numpy())
    pools: dict[str, dict[object, np.ndarray]] = {
        "supplier-location": {k: g["_lead"].to_numpy() for k, g in po.groupby(["_sup", "_loc"])},
        "supplier": {k: g["_lead"].to_numpy() for k, g in po.groupby("_sup")},
    }
    by_series: dict[tuple[str, str], LeadTime] = {}
    source: dict[tuple[str, str], str] = {}
    for (item, loc), group in po.groupby(["_item", "_loc"]):
        own = group["_lead"].to_numpy()
        sup = str(group["_sup"].mode().iloc[0])
        key = (str(item), str(loc))
        if own.size >= min_orders:
            by_series[key], source[key] = LeadTime.from_samples(own), "own"
            continue
        for name, lookup in (("supplier-location", (sup, str(loc))), ("supplier", sup)):
            pooled = pools[name].get(lookup)
            if pooled is not None and pooled.size >= min_orders:
                by_series[key], source[key] = LeadTime.from_samples(pooled), name
                break
        else:
            by_series[key], source[key] = overall, "all"
    return LeadTimeTable(by_series, overall, source)
