"""Daily demand: promotions, expected demand, sampled units and the ``demand`` table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymind.data.sample._common import FloatArray, random_stream, to_ns
from supplymind.data.sample.calendar import Calendar
from supplymind.data.sample.catalog import Catalog
from supplymind.data.sample.config import SampleCompanyConfig
from supplymind.data.sample.network import Network

__all__ = ["demand_table", "expected_demand", "promotions", "sample_demand"]

# Weekly profile in log space, Monday first: Friday to Sunday peak.
_WEEK_SHAPE = np.array([-0.35, -0.45, -0.3, -0.15, 0.25, 1.0, 0.75])


def promotions(config: SampleCompanyConfig, catalog: Catalog) -> FloatArray:
    """Discount depth per item and day: chain-wide runs of 3-14 days, plus clearance."""
    rng = random_stream(config, 3)
    n, T = config.n_items, config.n_days
    runs = rng.poisson(catalog.promos_per_year * T / 365.0)
    item = np.repeat(np.arange(n), runs)
    first = rng.integers(0, T, item.size)
    length = rng.choice(np.array([3, 4, 5, 7, 7, 10, 14]), size=item.size)
    depth = rng.choice(
        np.array([0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]),
        size=item.size,
        p=[0.15, 0.2, 0.25, 0.15, 0.13, 0.08, 0.04],
    )
    promo = np.zeros((n, T))
    for i, a, b, d in zip(item, first, first + length, depth, strict=True):
        promo[i, a:b] = d
    t = np.arange(T)
    clearance = (t[None, :] > catalog.end_day[:, None] - 14) & (
        t[None, :] <= catalog.end_day[:, None]
    )
    promo = np.where(clearance, np.maximum(promo, 0.4), promo)
    active = (t[None, :] >= catalog.launch_day[:, None]) & (t[None, :] <= catalog.end_day[:, None])
    return np.where(active, promo, 0.0)


def expected_demand(catalog: Catalog, cal: Calendar, promo: FloatArray) -> FloatArray:
    """Mean daily units per item, warehouse and day, shape ``(n_items, n_warehouses, T)``."""
    T = cal.days.size
    t = np.arange(T, dtype=np.float64)
    c = catalog
    log_mean = (
        np.log(c.level)[:, None]
        + c.growth[:, None] * t[None, :] / 365.0
        + c.weekend[:, None] * _WEEK_SHAPE[cal.dow][None, :]
        + c.summer[:, None] * cal.summer[None, :]
        + c.cny[:, None] * cal.cny_up[None, :]
        + c.year_end[:, None] * cal.year_end[None, :]
    )
    mean = np.exp(log_mean) * cal.cny_dip[None, :]
    mean *= np.where(cal.holiday[None, :], c.holiday[:, None], 1.0)
    food = c.holiday[:, None] > 1.0
    mean *= np.where(cal.holiday_eve[None, :] & food, 1.15, 1.0)
    mean *= (1.0 - promo) ** (-c.elasticity[:, None])
    # Customers stocked up during the promotion: a short dip after it.
    ended = (np.roll(promo, 1, axis=1) > 0) | (np.roll(promo, 2, axis=1) > 0)
    ended[:, :2] = False
    mean *= np.where(ended & (promo == 0), 0.85, 1.0)
    age = t[None, :] - c.launch_day[:, None]
    ramp = np.where(age >= 0, 1.0 - np.exp(-(age + 1.0) / c.ramp_days[:, None]), 0.0)
    to_end = c.end_day[:, None] - t[None, :]
    decline = np.clip(0.3 + 0.7 * to_end / 60.0, 0.3, 1.0)
    mean *= ramp * np.where(to_end >= 0, decline, 0.0)
    return np.asarray(mean[:, None, :] * c.region[:, :, None], dtype=np.float64)


def sample_demand(config: SampleCompanyConfig, catalog: Catalog, mean: FloatArray) -> FloatArray:
    """Integer units: negative binomial for regular items, compound Poisson for slow ones."""
    rng = random_stream(config, 4)
    k = catalog.dispersion[:, None, None]
    regular = rng.negative_binomial(np.broadcast_to(k, mean.shape), k / (k + mean))
    size = catalog.slow_size[:, None, None]
    occurs = rng.random(mean.shape) < 1.0 - np.exp(-np.minimum(mean / size, 1.5))
    slow = np.where(occurs, rng.geometric(np.broadcast_to(1.0 / size, mean.shape)), 0)
    units = np.where(catalog.slow[:, None, None], slow, regular)
    return np.asarray(units, dtype=np.float64)


def demand_table(
    network: Network,
    catalog: Catalog,
    cal: Calendar,
    promo: FloatArray,
    units: FloatArray,
) -> pd.DataFrame:
    """The ``demand`` table: one row per item, warehouse and day up to its last selling day."""
    _, W, T = units.shape
    keep = (np.arange(T)[None, None, :] <= catalog.end_day[:, None, None]) & np.ones(
        (1, W, 1), dtype=np.bool_
    )
    item_idx, wh_idx, day_idx = np.nonzero(keep)
    item_ids = catalog.items["item_id"].to_numpy(dtype=object)
    price = np.round(
        catalog.items["price"].to_numpy()[item_idx] * (1.0 - promo[item_idx, day_idx]), 2
    )
    return pd.DataFrame(
        {
            "item_id": item_ids[item_idx],
            "location_id": np.asarray(network.warehouse_ids, dtype=object)[wh_idx],
            "timestamp": to_ns(cal.days)[day_idx],
            "target": units[keep],
            "price": price.astype(np.float64),
            "promotion": promo[item_idx, day_idx].astype(np.float64),
            "holiday": cal.holiday[day_idx].astype(np.int64),
        }
    )
