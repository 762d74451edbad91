"""Supplier scorecards: on-time rate, delays, lead times and their trend.

From shipments (:mod:`~supplymind.risk.delay.data`) up to a reference time ``now``, per
supplier:

- ``deliveries``, ``on_time_rate`` (delivered no later than promised plus the tolerance),
  ``mean_delay_days`` and ``p90_delay_days`` of the late ones, ``mean_lead_time_days``
  and its coefficient of variation (ordered to delivered, where the order time is known);
- the trend: the on-time rate of the last ``recent_days`` against the ``recent_days``
  before, their difference and the p-value of a two-proportion z-test, labelled
  ``worsening`` or ``improving`` when the change is at least 5 points with p < 0.05,
  else ``stable``;
- ``open_orders`` and ``overdue_orders`` (open and past their promise at ``now``);
- a ``grade``: A (on time >= 95%), B (>= 90%), C (>= 80%), D.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from supplymind.exceptions import RiskInputError
from supplymind.risk.delay.data import check_shipments, delay_days
from supplymind.risk.frames import days_between

__all__ = ["SCORECARD_COLUMNS", "supplier_scorecards"]

SCORECARD_COLUMNS = (
    "supplier_id",
    "deliveries",
    "on_time_rate",
    "mean_delay_days",
    "p90_delay_days",
    "mean_lead_time_days",
    "lead_time_cv",
    "recent_on_time_rate",
    "previous_on_time_rate",
    "trend",
    "trend_p_value",
    "trend_label",
    "open_orders",
    "overdue_orders",
    "grade",
)
_GRADES = ((0.95, "A"), (0.90, "B"), (0.80, "C"))


def _two_proportion_p(k1: float, n1: float, k2: float, n2: float) -> float:
    if n1 == 0 or n2 == 0:
        return math.nan
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0 if k1 / n1 == k2 / n2 else 0.0
    z = (k1 / n1 - k2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2.0))


def supplier_scorecards(
    shipments: pd.DataFrame,
    *,
    now: pd.Timestamp | None = None,
    recent_days: float = 90.0,
    tolerance_days: float = 0.0,
) -> pd.DataFrame:
    """One scorecard row per supplier (see the module docs), worst on-time rate first.

    Parameters
    ----------
    shipments
        Shipments; open ones (no ``delivered_at``) count as open or overdue orders.
    now
        Reference time; default the latest delivery or promise in the data. Deliveries
        after it are ignored.
    recent_days
        Length of the recent and the previous window of the trend.
    tolerance_days
        Days after the promise still counted as on time.
    """
    if not recent_days > 0:
        raise RiskInputError(f"recent_days: expected a number > 0, found {recent_days!r}")
    data = check_shipments(shipments)
    ref = (
        pd.Timestamp(now)
        if now is not None
        else max(data["delivered_at"].max(), data["promised_at"].max())
    )
    done = data[data["delivered_at"].notna() & (data["delivered_at"] <= ref)].copy()
    done["delay"] = delay_days(done)
    done["on_time"] = done["delay"] <= tolerance_days
    done["lead"] = days_between(done["ordered_at"], done["delivered_at"])
    open_ = data[data["delivered_at"].isna() | (data["delivered_at"] > ref)]
    recent_start = ref - pd.Timedelta(days=recent_days)
    previous_start = recent_start - pd.Timedelta(days=recent_days)
    rows = []
    for supplier in sorted(set(data["supplier_id"])):
        d = done[done["supplier_id"] == supplier]
        o = open_[open_["supplier_id"] == supplier]
        late = d.loc[~d["on_time"], "delay"]
        recent = d[d["delivered_at"] > recent_start]
        previous = d[(d["delivered_at"] > previous_start) & (d["delivered_at"] <= recent_start)]
        r_rate = recent["on_time"].mean() if len(recent) else math.nan
        p_rate = previous["on_time"].mean() if len(previous) else math.nan
        p_value = _two_proportion_p(
            float(recent["on_time"].sum()),
            len(recent),
            float(previous["on_time"].sum()),
            len(previous),
        )
        trend = r_rate - p_rate
        label = "stable"
        if not math.isnan(trend) and p_value < 0.05 and abs(trend) >= 0.05:
            label = "improving" if trend > 0 else "worsening"
        rate = float(d["on_time"].mean()) if len(d) else math.nan
        lead = d["lead"].dropna()
        grade = "-" if math.isnan(rate) else next((g for cut, g in _GRADES if rate >= cut), "D")
        rows.append(
            {
                "supplier_id": supplier,
                "deliveries": len(d),
                "on_time_rate": rate,
                "mean_delay_days": float(late.mean()) if len(late) else 0.0,
                "p90_delay_days": float(np.quantile(late, 0.9)) if len(late) else 0.0,
                "mean_lead_time_days": float(lead.mean()) if len(lead) else math.nan,
                "lead_time_cv": float(lead.std(ddof=1) / lead.mean())
                if len(lead) > 1 and lead.mean() > 0
                else math.nan,
                "recent_on_time_rate": r_rate,
                "previous_on_time_rate": p_rate,
                "trend": trend,
                "trend_p_value": p_value,
                "trend_label": label,
                "open_orders": len(o),
                "overdue_orders": int((o["promised_at"] < ref).sum()),
                "grade": grade,
            }
        )
    table = pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))
    return table.sort_values(
        ["on_time_rate", "supplier_id"], na_position="last", kind="stable"
    ).reset_index(drop=True)
