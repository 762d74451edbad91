"""Features of a shipment known when its risk is assessed.

The prediction for a shipment is made at its *as-of* time: when it was ordered, else
``notice_days`` before its promised time (or any given time, such as now, for open
orders). Its features use nothing later:

- its own attributes: supplier, mode, route ends, item and any extra categories;
  quantity, value, weight and value per unit (logged); the promised month and weekday;
  the promised lead time (promised - ordered) and the notice (promised - as-of);
- recent performance, from the shipments delivered before the as-of time: for the
  supplier, the supplier on this route, the mode and the destination, the late rate of the
  last ``window`` deliveries (shrunk towards the overall rate by ``prior_strength``
  pseudo-deliveries), their mean lateness in days, the number of deliveries seen, for the
  supplier also the change of its late rate against the ``window`` before and the days
  since its last late delivery; and the overall late rate of the last 10 x ``window``
  deliveries (all suppliers), which follows shifts of the whole network.

Only shipments still undelivered at their as-of time are training examples (delivered
ones still count in the history), so a shipment's own outcome is never among its
features.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.exceptions import RiskInputError
from supplymind.risk.frames import days_between

__all__ = [
    "HISTORY_KEYS",
    "FeatureSpec",
    "OutcomeHistory",
    "as_of_times",
    "build_features",
    "open_at_assessment",
    "outcome_frame",
]

FloatArray = npt.NDArray[np.float64]
HISTORY_KEYS: dict[str, tuple[str, ...]] = {
    "supplier": ("supplier_id",),
    "route": ("supplier_id", "destination"),
    "mode": ("mode",),
    "destination": ("destination",),
}
_MONTHS = 12


@dataclass(frozen=True)
class FeatureSpec:
    """Which columns become features and how history is summarised.

    Parameters
    ----------
    categorical
        Category columns used as they are (supplier, mode, ...).
    numeric
        Extra numeric columns used as they are (sizes are logged separately).
    window
        Recent deliveries per supplier (route, mode, destination) summarised.
    prior_strength
        Pseudo-deliveries at the overall late rate added to each recent late rate.
    notice_days
        Days before the promised time at which shipments without an order time are
        assessed.
    tolerance_days
        A shipment is late when it arrives more than this many days after the promise.
    """

    categorical: tuple[str, ...] = ("supplier_id", "mode", "origin", "destination", "item_id")
    numeric: tuple[str, ...] = ()
    window: int = 20
    prior_strength: float = 5.0
    notice_days: float = 30.0
    tolerance_days: float = 0.0

    def __post_init__(self) -> None:
        owner = "FeatureSpec"
        if isinstance(self.window, bool) or not isinstance(self.window, int) or self.window < 1:
            raise RiskInputError(f"{owner}.window: expected an integer >= 1, found {self.window!r}")
        for name in ("prior_strength", "notice_days", "tolerance_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise RiskInputError(f"{owner}.{name}: expected a number >= 0, found {value!r}")
        overlap = set(self.categorical) & set(self.numeric)
        if overlap:
            raise RiskInputError(
                f"{owner}: columns {sorted(overlap)} are listed as both categorical and numeric"
            )


def as_of_times(
    shipments: pd.DataFrame, spec: FeatureSpec, now: pd.Timestamp | None = None
) -> pd.Series:
    """When each shipment is assessed (see the module docs)."""
    if now is not None:
        return pd.Series(pd.Timestamp(now), index=shipments.index, dtype="datetime64[ns]")
    notice = shipments["promised_at"] - pd.Timedelta(days=spec.notice_days)
    as_of = shipments["ordered_at"].where(shipments["ordered_at"].notna(), notice)
    return as_of.astype("datetime64[ns]")


def open_at_assessment(shipments: pd.DataFrame, spec: FeatureSpec) -> pd.Series:
    """Whether each shipment was still undelivered at its as-of time (only those are
    assessed: a shipment delivered before it would be assessed teaches nothing, and its own
    outcome would be among its features)."""
    delivered = shipments["delivered_at"]
    return delivered.isna() | (delivered >= as_of_times(shipments, spec))


class OutcomeHistory:
    """Delivered shipments' outcomes, indexed for "the last N before time t" queries.

    Parameters
    ----------
    outcomes
        ``delivered_at``, ``late`` (0/1), ``lateness_days`` (>= 0) and the history key
        columns (``supplier_id``, ``destination``, ``mode``) where known.
    window
        Deliveries summarised per key.
    prior_strength
        Pseudo-deliveries at the overall rate added to each late rate.
    """

    def __init__(
        self, outcomes: pd.DataFrame, *, window: int = 20, prior_strength: float = 5.0
    ) -> None:
        needed = ("delivered_at", "late", "lateness_days", "supplier_id")
        missing = [c for c in needed if c not in outcomes.columns]
        if missing:
            raise RiskInputError(
                f"outcomes: expected the columns {list(needed)}, missing {missing}; "
                f"found {list(outcomes.columns)}"
            )
        frame = outcomes.dropna(subset=["delivered_at"]).sort_values("delivered_at", kind="stable")
        self.outcomes = frame.reset_index(drop=True)
        self.window = window
        self.prior_strength = prior_strength
        self._overall = self._index(self.outcomes)
        self._groups: dict[str, dict[tuple[object, ...], dict[str, np.ndarray]]] = {}
        for name, keys in HISTORY_KEYS.items():
            if not all(k in frame.columns and frame[k].notna().any() for k in keys):
                continue
            groups = {}
            for key, group in self.outcomes.dropna(subset=list(keys)).groupby(
                list(keys), sort=False
            ):
                groups[key if isinstance(key, tuple) else (key,)] = self._index(group)
            self._groups[name] = groups

    @staticmethod
    def _index(frame: pd.DataFrame) -> dict[str, np.ndarray]:
        times = frame["delivered_at"].to_numpy("datetime64[ns]").astype(np.int64)
        late = frame["late"].to_numpy(np.float64)
        lateness = frame["lateness_days"].to_numpy(np.float64)
        last_late = np.where(late > 0, times, np.iinfo(np.int64).min)
        return {
            "t": times,
            "late": np.concatenate([[0.0], np.cumsum(late)]),
            "lateness": np.concatenate([[0.0], np.cumsum(lateness)]),
            "last_late": np.concatenate(
                [[np.iinfo(np.int64).min], np.maximum.accumulate(last_late)]
            )
            if times.size
            else np.array([np.iinfo(np.int64).min]),
        }

    @property
    def keys(self) -> list[str]:
        """History keys with data (``supplier``, ``route``, ``mode``, ``destination``)."""
        return list(self._groups)

    def _window_stats(
        self, idx: dict[str, np.ndarray], t: np.ndarray, n: int
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """Counts, late sums and lateness sums of the last ``n`` and the ``n`` before that,
        and the last late time, for query times ``t`` (int64 ns)."""
        k = np.searchsorted(idx["t"], t, side="left")
        lo = np.maximum(k - n, 0)
        lo2 = np.maximum(lo - n, 0)
        count = (k - lo).astype(np.float64)
        late = idx["late"][k] - idx["late"][lo]
        lateness = idx["lateness"][k] - idx["lateness"][lo]
        prev_count = (lo - lo2).astype(np.float64)
        prev_late = idx["late"][lo] - idx["late"][lo2]
        with np.errstate(invalid="ignore", divide="ignore"):
            prev_rate = np.where(prev_count > 0, prev_late / prev_count, np.nan)
        return count, late, lateness, prev_rate, idx["last_late"][k].astype(np.float64)

    def features(self, shipments: pd.DataFrame, as_of: pd.Series) -> pd.DataFrame:
        """Recent-performance features of each shipment at its as-of time."""
        t = as_of.to_numpy("datetime64[ns]").astype(np.int64)
        out = pd.DataFrame(index=shipments.index)
        big = 10 * self.window
        count, late, _, _, _ = self._window_stats(self._overall, t, big)
        with np.errstate(invalid="ignore", divide="ignore"):
            overall = np.where(count > 0, late / np.maximum(count, 1), np.nan)
        prior = np.where(np.isnan(overall), 0.0, overall)
        out["overall_late_rate"] = overall
        s = self.prior_strength
        for name, groups in self._groups.items():
            keys = HISTORY_KEYS[name]
            cols = {
                "count": np.zeros(len(shipments)),
                "late": np.zeros(len(shipments)),
                "lateness": np.zeros(len(shipments)),
                "prev_rate": np.full(len(shipments), np.nan),
                "last_late": np.full(len(shipments), np.nan),
            }
            key_frame = shipments[list(keys)]
            positions = pd.Series(np.arange(len(shipments)), index=shipments.index)
            for key, rows in positions.groupby(
                [key_frame[k] for k in keys], sort=False, dropna=True
            ):
                idx = groups.get(key if isinstance(key, tuple) else (key,))
                if idx is None:
                    continue
                r = rows.to_numpy()
                c, lt, ln, pr, ll = self._window_stats(idx, t[r], self.window)
                cols["count"][r], cols["late"][r], cols["lateness"][r] = c, lt, ln
                cols["prev_rate"][r], cols["last_late"][r] = pr, ll
            count = cols["count"]
            rate = (
                (cols["late"] + s * prior) / (count + s)
                if s > 0
                else cols["late"] / np.maximum(count, 1)
            )
            out[f"{name}_late_rate"] = np.where(count + s > 0, rate, np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[f"{name}_mean_lateness"] = np.where(count > 0, cols["lateness"] / count, np.nan)
            out[f"{name}_deliveries"] = np.log1p(count)
            if name == "supplier":
                with np.errstate(invalid="ignore", divide="ignore"):
                    raw = np.where(count > 0, cols["late"] / count, np.nan)
                out["supplier_late_trend"] = raw - cols["prev_rate"]
                last = cols["last_late"]
                never = ~np.isfinite(last) | (last <= np.iinfo(np.int64).min / 2)
                days = (t - np.where(never, 0, last)) / 86_400e9
                out["supplier_days_since_late"] = np.where(never, np.nan, days)
        return out


def outcome_frame(shipments: pd.DataFrame, tolerance_days: float) -> pd.DataFrame:
    """Delivered shipments as outcomes: keys, ``delivered_at``, ``late``, ``lateness_days``."""
    done = shipments[shipments["delivered_at"].notna()]
    delay = days_between(done["promised_at"], done["delivered_at"])
    keys = sorted({k for keys in HISTORY_KEYS.values() for k in keys})
    out = done[[k for k in keys if k in done.columns]].copy()
    out["delivered_at"] = done["delivered_at"]
    out["late"] = (delay > tolerance_days).astype(np.float64)
    out["lateness_days"] = delay.clip(lower=0.0)
    return out.reset_index(drop=True)


def _log(values: pd.Series) -> FloatArray:
    return np.asarray(np.log1p(values.to_numpy(np.float64)), dtype=np.float64)


def build_features(
    shipments: pd.DataFrame,
    history: OutcomeHistory,
    spec: FeatureSpec,
    *,
    categories: Mapping[str, Sequence[str]] | None = None,
    now: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The feature table of checked shipments.

    Parameters
    ----------
    shipments
        Checked shipments (:func:`~supplymind.risk.delay.data.check_shipments`).
    history
        Outcomes of earlier deliveries.
    spec
        Feature settings.
    categories
        Known levels of each categorical column (from training); other values become
        missing. ``None``: the levels found here.
    now
        Assess every shipment at this time instead of its own as-of time.

    Returns
    -------
    pandas.DataFrame
        One row per shipment; categorical columns as pandas categoricals.
    """
    as_of = as_of_times(shipments, spec, now)
    out = pd.DataFrame(index=shipments.index)
    for col in spec.categorical:
        values = shipments[col]
        levels = (
            list(categories[col])
            if categories is not None and col in categories
            else sorted(values.dropna().astype(str).unique().tolist())
        )
        out[col] = pd.Categorical(
            values.where(values.isna(), values.astype(str)), categories=levels
        )
    for col in spec.numeric:
        out[col] = shipments[col].to_numpy(np.float64)
    out["log_quantity"] = _log(shipments["quantity"])
    out["log_value"] = _log(shipments["value"])
    out["log_weight"] = _log(shipments["weight"])
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = shipments["value"] / shipments["quantity"].where(shipments["quantity"] > 0)
    out["log_unit_value"] = _log(unit)
    due = shipments["promised_at"]
    out["due_month"] = due.dt.month.astype(np.float64)
    out["due_weekday"] = due.dt.weekday.astype(np.float64)
    out["planned_lead_days"] = days_between(shipments["ordered_at"], due)
    out["notice_days"] = days_between(as_of, due)
    stats = history.features(shipments, as_of)
    return pd.concat([out, stats], axis=1)
