"""Feature attributions in plain words.

The gradient-boosting model splits each prediction's log-odds into one contribution per
feature plus a base value (TreeSHAP, LightGBM's ``pred_contrib``); here the largest ones
are described the way a planner would say them ("supplier's recent late rate 42%").
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["describe_factor", "explanation_text", "top_factors"]

_CATEGORY_LABELS = {
    "supplier_id": "supplier",
    "mode": "shipment mode",
    "origin": "origin",
    "destination": "destination",
    "item_id": "item",
}
_KEY_LABELS = {
    "supplier": "the supplier's",
    "route": "this supplier-destination route's",
    "mode": "this mode's",
    "destination": "this destination's",
}
_MIN_CONTRIBUTION = 0.05  # log-odds; smaller effects are not worth a planner's attention


def _money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}"


def describe_factor(name: str, value: object) -> str:
    """A feature and its value in words."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if name in _CATEGORY_LABELS or not isinstance(value, int | float | np.floating):
        label = _CATEGORY_LABELS.get(name, name.replace("_", " "))
        return f"{label} unknown" if missing else f"{label} {value}"
    v = float(value)
    for key, label in _KEY_LABELS.items():
        if name == f"{key}_late_rate":
            return (
                f"{label} recent late rate {v:.0%}"
                if not missing
                else f"no history for {label[:-2]}"
            )
        if name == f"{key}_mean_lateness":
            return (
                f"{label} recent mean delay {v:.1f} days"
                if not missing
                else f"no delays on record for {label[:-2]}"
            )
        if name == f"{key}_deliveries":
            return f"{math.expm1(v):.0f} earlier deliveries for {label[:-2]}"
    if missing:
        return f"{name.replace('_', ' ')} unknown"
    if name == "overall_late_rate":
        return f"network-wide recent late rate {v:.0%}"
    if name == "supplier_late_trend":
        return f"the supplier's late rate changed {v:+.0%} against the window before"
    if name == "supplier_days_since_late":
        return f"{v:.0f} days since the supplier's last late delivery"
    if name == "log_quantity":
        return f"quantity {_money(math.expm1(v))}"
    if name == "log_value":
        return f"order value {_money(math.expm1(v))}"
    if name == "log_weight":
        return f"weight {_money(math.expm1(v))} kg"
    if name == "log_unit_value":
        return f"value per unit {math.expm1(v):.2f}"
    if name == "due_month" and 1 <= v <= 12:
        return f"due in {calendar.month_name[int(v)]}"
    if name == "due_weekday" and 0 <= v <= 6:
        return f"due on a {calendar.day_name[int(v)]}"
    if name == "planned_lead_days":
        return f"promised lead time {v:.0f} days"
    if name == "notice_days":
        return f"{v:.0f} days before the promised date"
    return f"{name.replace('_', ' ')} {v:g}"


def top_factors(
    contributions: pd.DataFrame, features: pd.DataFrame, top: int = 3
) -> list[list[tuple[str, str, float]]]:
    """For each row, the ``top`` features that raised the risk most, then the ``top`` that
    lowered it most: ``(feature, words, log-odds contribution)``."""
    rows: list[list[tuple[str, str, float]]] = []
    names = [c for c in contributions.columns if c != "bias"]
    values = contributions[names].to_numpy(np.float64)
    for i in range(values.shape[0]):
        order = np.argsort(-values[i])
        up = [j for j in order[:top] if values[i, j] >= _MIN_CONTRIBUTION]
        down = [j for j in order[::-1][:top] if values[i, j] <= -_MIN_CONTRIBUTION]
        rows.append(
            [
                (
                    names[j],
                    describe_factor(names[j], features.iloc[i][names[j]]),
                    float(values[i, j]),
                )
                for j in [*up, *down]
            ]
        )
    return rows


def explanation_text(p: float, base_rate: float, factors: Sequence[tuple[str, str, float]]) -> str:
    """One sentence: the probability against the usual rate, and why."""
    up = [words for _, words, c in factors if c > 0]
    down = [words for _, words, c in factors if c < 0]
    text = f"{p:.0%} chance of arriving late (usual rate {base_rate:.0%})"
    if up:
        text += "; raised by " + ", ".join(up)
    if down:
        text += "; lowered by " + ", ".join(down)
    return text + "."
