"""Items: SKUs with names, prices, packs, main supplier, lifecycle and hidden demand traits."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymind.data.sample._common import BoolArray, FloatArray, IntArray, random_stream, to_ns
from supplymind.data.sample.config import SampleCompanyConfig
from supplymind.data.sample.network import Network
from supplymind.data.sample.places import SUPPLIERS
from supplymind.data.sample.products import CATEGORIES, Category

__all__ = ["Catalog", "build_catalog"]


@dataclass(frozen=True)
class Catalog:
    """The ``items`` table with the hidden demand and supply parameters of each item."""

    items: pd.DataFrame
    category: IntArray
    name_zh: list[str]
    supplier: IntArray
    slow: BoolArray
    level: FloatArray
    slow_size: FloatArray
    dispersion: FloatArray
    growth: FloatArray
    weekend: FloatArray
    summer: FloatArray
    cny: FloatArray
    year_end: FloatArray
    holiday: FloatArray
    elasticity: FloatArray
    promos_per_year: FloatArray
    launch_day: IntArray  # offset from the start; negative before the horizon
    end_day: IntArray  # last selling day; n_days + large when never discontinued
    ramp_days: FloatArray
    region: FloatArray  # (n_items, n_warehouses) regional demand multipliers
    forecast_bias: FloatArray


def _category_counts(n_items: int) -> IntArray:
    shares = np.array([c.share for c in CATEGORIES])
    raw = shares / shares.sum() * n_items
    counts: IntArray = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n_items - int(counts.sum())]] += 1
    return counts


def _item_names(
    rng: np.random.Generator, cat: Category, n: int
) -> tuple[list[str], list[str], FloatArray, FloatArray]:
    combos = [
        (b_en, b_zh, p, v) for b_en, b_zh in cat.brands for p in cat.products for v in p.variants
    ]
    picks = rng.choice(len(combos), size=n, replace=n > len(combos))
    names: list[str] = []
    names_zh: list[str] = []
    costs = np.empty(n)
    season = np.empty(n)
    seen: dict[str, int] = {}
    for j, k in enumerate(picks):
        b_en, b_zh, product, variant = combos[int(k)]
        name = f"{b_en} {product.en} {variant}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
        names_zh.append(f"{b_zh}{product.zh}")
        costs[j] = product.cost
        season[j] = cat.summer if product.season is None else product.season
    return names, names_zh, costs, season


def build_catalog(config: SampleCompanyConfig, network: Network) -> Catalog:
    """SKUs with prices, packs, main supplier, lifecycle and demand parameters."""
    rng = random_stream(config, 2)
    n, T = config.n_items, config.n_days
    counts = _category_counts(n)
    category = np.repeat(np.arange(len(CATEGORIES)), counts).astype(np.int64)
    names: list[str] = []
    names_zh: list[str] = []
    base_cost = np.empty(n)
    summer = np.empty(n)
    offset = 0
    for c, cat in enumerate(CATEGORIES):
        m = int(counts[c])
        en, zh, cost, season = _item_names(rng, cat, m)
        names += en
        names_zh += zh
        base_cost[offset : offset + m] = cost
        summer[offset : offset + m] = season
        offset += m

    def per_item(attr: str) -> FloatArray:
        return np.array([float(getattr(CATEGORIES[c], attr)) for c in category])

    unit_cost = np.round(base_cost * np.exp(rng.normal(0.0, 0.25, n)), 2)
    unit_cost = np.maximum(unit_cost, 0.3)
    lo = np.array([CATEGORIES[c].margin[0] for c in category])
    hi = np.array([CATEGORIES[c].margin[1] for c in category])
    raw_price = unit_cost * rng.uniform(lo, hi)
    price = np.where(raw_price >= 10.0, np.ceil(raw_price) - 0.1, np.round(raw_price, 1))
    price = np.round(np.maximum(price, unit_cost + 0.1), 2)
    pack = np.array([rng.choice(CATEGORIES[c].pack_sizes) for c in category], dtype=np.int64)
    moq = pack * rng.choice(np.array([1, 2, 4, 10]), size=n, p=[0.4, 0.3, 0.2, 0.1])

    # Main supplier: one that carries the category, else any supplier.
    supplier = np.empty(n, dtype=np.int64)
    n_sup = config.n_suppliers
    for i in range(n):
        name = CATEGORIES[int(category[i])].name
        able = [k for k in range(n_sup) if name in SUPPLIERS[k % len(SUPPLIERS)].categories]
        supplier[i] = int(rng.choice(able)) if able else int(rng.integers(n_sup))

    odds = per_item("slow_odds")
    n_slow = round(config.intermittent_share * n)
    slow = np.zeros(n, dtype=np.bool_)
    slow[rng.choice(n, size=n_slow, replace=False, p=odds / odds.sum())] = True

    level = per_item("level") * np.exp(rng.normal(0.0, 0.9, n))
    level = np.where(slow, np.exp(rng.normal(math.log(0.35), 0.5, n)), np.maximum(level, 3.0))
    slow_size = 1.0 + np.exp(rng.normal(math.log(1.2), 0.5, n))

    # Lifecycle: most items predate the horizon, some launch or end during it.
    status = rng.permutation(n)
    n_new = round(config.new_item_share * n)
    n_end = round(config.discontinued_share * n)
    launch_day = -rng.integers(30, 3000, n)
    new = status[:n_new]
    launch_day[new] = rng.integers(int(0.08 * T), int(0.75 * T) + 1, n_new)
    end_day = np.full(n, 10 * T + 10_000, dtype=np.int64)
    ended = status[n_new : n_new + n_end]
    end_day[ended] = rng.integers(int(0.3 * T), T - 7, n_end)

    start = config.start_day
    launched_at = to_ns(start + launch_day.astype("timedelta64[D]"))
    discontinued = np.where(
        end_day < T,
        to_ns(start + np.minimum(end_day, T).astype("timedelta64[D]")),
        np.datetime64("NaT", "ns"),
    )
    items = pd.DataFrame(
        {
            "item_id": [f"SKU{i + 1:05d}" for i in range(n)],
            "name": names,
            "category": [CATEGORIES[c].name for c in category],
            "unit_cost": unit_cost.astype(np.float64),
            "price": price.astype(np.float64),
            "pack_size": pack,
            "moq": moq.astype(np.int64),
            "launched_at": launched_at,
            "discontinued_at": discontinued.astype("datetime64[ns]"),
        }
    )
    el_lo = np.array([CATEGORIES[c].elasticity[0] for c in category])
    el_hi = np.array([CATEGORIES[c].elasticity[1] for c in category])
    return Catalog(
        items=items,
        category=category,
        name_zh=names_zh,
        supplier=supplier,
        slow=slow,
        level=level,
        slow_size=slow_size,
        dispersion=np.exp(rng.normal(math.log(8.0), 0.4, n)),
        growth=rng.normal(0.05, 0.15, n),
        weekend=per_item("weekend") * rng.uniform(0.6, 1.4, n),
        summer=summer * rng.uniform(0.6, 1.4, n),
        cny=per_item("cny") * rng.uniform(0.5, 1.5, n),
        year_end=per_item("year_end") * rng.uniform(0.5, 1.5, n),
        holiday=per_item("holiday"),
        elasticity=rng.uniform(el_lo, el_hi),
        promos_per_year=per_item("promos_per_year") * rng.uniform(0.5, 1.5, n),
        launch_day=launch_day.astype(np.int64),
        end_day=end_day,
        ramp_days=rng.uniform(10.0, 45.0, n),
        region=network.warehouse_share[None, :]
        * np.exp(rng.normal(0.0, 0.2, (n, config.n_warehouses))),
        forecast_bias=np.exp(rng.normal(0.0, 0.15, n)),
    )
