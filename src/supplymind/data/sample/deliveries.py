"""Outbound deliveries from the warehouses to the stores: the ``delivery_orders`` table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymind.data.sample._common import FloatArray, at_minutes, random_stream
from supplymind.data.sample.config import SampleCompanyConfig
from supplymind.data.sample.network import Network

__all__ = ["delivery_order_table"]

_PATTERNS: tuple[tuple[int, ...], ...] = ((0, 3), (1, 4), (2, 5), (0, 2, 4), (1, 3, 5))


def delivery_order_table(
    config: SampleCompanyConfig, network: Network, units: FloatArray
) -> pd.DataFrame:
    """The ``delivery_orders`` table: delivered near the end of the horizon, planned after it."""
    rng = random_stream(config, 7)
    T = config.n_days
    first = max(0, T - 7 * config.delivery_weeks)
    days = config.start_day + np.arange(first, T + config.planned_days).astype("timedelta64[D]")
    n_days = days.size
    dow = (days.astype(np.int64) + 3) % 7
    planned = np.arange(first, T + config.planned_days) >= T
    # The season of the loads follows the warehouse's unit demand over the past week.
    volume = units.sum(axis=0)  # (W, T)
    weekly = np.stack([np.convolve(v, np.ones(7) / 7, mode="full")[:T] for v in volume])
    ref = weekly[:, first:T].mean(axis=1, keepdims=True)
    season = np.ones((volume.shape[0], n_days))
    season[:, : T - first] = weekly[:, first:T] / np.maximum(ref, 1e-9)
    disrupted = rng.random(n_days) < 0.1  # rain, traffic incidents

    n_st = config.n_stores
    pattern = rng.integers(0, len(_PATTERNS), n_st)
    start_hour = rng.choice(np.array([6, 7, 8, 9, 10, 13, 14]), size=n_st)
    width = np.minimum(rng.choice(np.array([2, 3, 4]), size=n_st), 18 - start_hour)
    service = np.round(np.clip(10 + 12 * network.store_size + rng.normal(0, 3, n_st), 10, 30))
    store_idx, day_idx = np.nonzero(
        np.array([[d in _PATTERNS[p] for d in dow] for p in pattern], dtype=np.bool_)
    )
    m = store_idx.size
    per_week = np.array([len(_PATTERNS[p]) for p in pattern])[store_idx]
    wh = network.store_warehouse[store_idx]
    kg = (
        network.store_size[store_idx]
        * 420.0
        * 7.0
        / (per_week * 2.5)
        * season[wh, day_idx]
        * np.exp(rng.normal(0.0, 0.12, m))
    )
    w_start = start_hour[store_idx] * 60
    w_end = w_start + width[store_idx] * 60
    scheduled = w_start + np.round(rng.uniform(0.15, 0.6, m) * width[store_idx] * 12) * 5
    # Afternoon windows and rush hours see more late arrivals.
    p_late = (
        0.05
        + 0.05 * (start_hour[store_idx] >= 13)
        + 0.05 * ((start_hour[store_idx] <= 8) | (w_end >= 17 * 60))
        + 0.25 * disrupted[day_idx]
    )
    late = rng.random(m) < p_late
    on_time = np.clip(scheduled + rng.normal(0.0, 12.0, m), w_start, w_end)
    arrived = np.where(late, w_end + 5 + rng.exponential(40.0, m), on_time)
    outcome = rng.random(m)
    failed = outcome < 0.012 + 0.03 * disrupted[day_idx]
    cancelled = (~failed) & (outcome > 0.995)
    status = np.where(failed, "failed", np.where(cancelled, "cancelled", "delivered"))
    status = np.where(planned[day_idx], "planned", status)
    delivered = status == "delivered"
    day_of = days[day_idx]
    frame = pd.DataFrame(
        {
            "location_id": np.asarray(network.store_ids, dtype=object)[store_idx],
            "depot_id": np.asarray(network.warehouse_ids, dtype=object)[wh],
            "demand": np.round(kg, 1).astype(np.float64),
            "window_start": at_minutes(day_of, w_start),
            "window_end": at_minutes(day_of, w_end),
            "service_minutes": service[store_idx].astype(np.float64),
            "scheduled_at": at_minutes(day_of, scheduled),
            "delivered_at": np.where(
                delivered, at_minutes(day_of, np.round(arrived)), np.datetime64("NaT", "ns")
            ).astype("datetime64[ns]"),
            "status": status.astype(object),
        }
    )
    frame = frame.sort_values(["window_start", "location_id"], kind="stable", ignore_index=True)
    frame.insert(0, "order_id", [f"DO{k + 1:06d}" for k in range(len(frame))])
    return frame
