"""Locations: warehouses, stores and suppliers, and the warehouse serving each store."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymind.data.sample._common import BoolArray, FloatArray, IntArray, random_stream
from supplymind.data.sample.config import SampleCompanyConfig
from supplymind.data.sample.places import (
    DISTRICTS,
    KM_PER_DEG_LAT,
    SHANGHAI,
    SUPPLIERS,
    WAREHOUSE_SITES,
)

__all__ = ["Network", "build_network"]


@dataclass(frozen=True)
class Network:
    """The locations of one company and what later stages need to know about them."""

    locations: pd.DataFrame
    warehouse_ids: list[str]
    store_ids: list[str]
    store_warehouse: IntArray
    store_size: FloatArray
    supplier_ids: list[str]
    supplier_mode: list[str]
    supplier_lead: IntArray
    supplier_unreliable: BoolArray
    warehouse_share: FloatArray


def _haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(a)), dtype=np.float64)


def _warehouse_sites(n: int) -> list[tuple[str, float, float]]:
    sites = list(WAREHOUSE_SITES[:n])
    lat0, lon0 = SHANGHAI
    for k in range(len(sites), n):
        angle = 2 * math.pi * k / n + 0.3
        lat = lat0 + 36.0 * math.sin(angle) / KM_PER_DEG_LAT
        lon = lon0 + 36.0 * math.cos(angle) / (111.32 * math.cos(math.radians(lat0)))
        sites.append((f"Outer Ring DC {k + 1}", round(lat, 4), round(lon, 4)))
    return sites


def _store_coordinates(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    urban = rng.random(n) < 0.6
    radius = np.where(urban, np.abs(rng.normal(0.0, 7.0, n)), rng.uniform(8.0, 40.0, n))
    radius = np.minimum(radius, 39.5)
    angle = rng.uniform(0.0, 2 * math.pi, n)
    lat0, lon0 = SHANGHAI
    lat = lat0 + radius * np.sin(angle) / KM_PER_DEG_LAT
    lon = lon0 + radius * np.cos(angle) / (111.32 * math.cos(math.radians(lat0)))
    return np.round(lat, 5), np.round(lon, 5)


def build_network(config: SampleCompanyConfig) -> Network:
    """Warehouses, stores around Shanghai and suppliers of the company."""
    rng = random_stream(config, 1)
    n_wh, n_st, n_sup = config.n_warehouses, config.n_stores, config.n_suppliers
    sites = _warehouse_sites(n_wh)
    wh_ids = [f"WH{k + 1:02d}" for k in range(n_wh)]
    wh_lat = np.array([s[1] for s in sites])
    wh_lon = np.array([s[2] for s in sites])

    st_ids = [f"ST{k + 1:03d}" for k in range(n_st)]
    st_lat, st_lon = _store_coordinates(rng, n_st)
    dist = _haversine_km(st_lat[:, None], st_lon[:, None], wh_lat[None, :], wh_lon[None, :])
    store_wh = np.asarray(dist.argmin(axis=1), dtype=np.int64)
    d_lat = np.array([d[1] for d in DISTRICTS])
    d_lon = np.array([d[2] for d in DISTRICTS])
    district = _haversine_km(st_lat[:, None], st_lon[:, None], d_lat[None, :], d_lon[None, :])
    counts: dict[str, int] = {}
    st_names = []
    for k in district.argmin(axis=1):
        name = DISTRICTS[int(k)][0]
        counts[name] = counts.get(name, 0) + 1
        st_names.append(f"SM Fresh {name} No.{counts[name]}")
    store_size = np.exp(rng.normal(0.0, 0.35, n_st))

    suppliers = [SUPPLIERS[k % len(SUPPLIERS)] for k in range(n_sup)]
    sup_ids = [f"SUP{k + 1:02d}" for k in range(n_sup)]
    sup_names = [
        s.name if k < len(SUPPLIERS) else f"{s.name} {k // len(SUPPLIERS) + 1}"
        for k, s in enumerate(suppliers)
    ]
    jitter = np.array([0.0 if k < len(SUPPLIERS) else 0.05 for k in range(n_sup)])
    sup_lat = np.array([s.lat for s in suppliers]) + jitter
    sup_lon = np.array([s.lon for s in suppliers]) + jitter
    unreliable = np.zeros(n_sup, dtype=np.bool_)
    unreliable[rng.choice(n_sup, size=config.n_unreliable_suppliers, replace=False)] = True

    served = np.bincount(store_wh, minlength=n_wh).astype(np.float64)
    # The +1 is the warehouse's own online and business customers: no region is empty.
    share = (served + 1.0) / (n_st + n_wh) * n_wh

    locations = pd.DataFrame(
        {
            "location_id": [*wh_ids, *st_ids, *sup_ids],
            "kind": ["warehouse"] * n_wh + ["store"] * n_st + ["supplier"] * n_sup,
            "lat": np.concatenate([wh_lat, st_lat, sup_lat]).astype(np.float64),
            "lon": np.concatenate([wh_lon, st_lon, sup_lon]).astype(np.float64),
            "name": [s[0] for s in sites] + st_names + sup_names,
            "country": ["CN"] * (n_wh + n_st) + [s.country for s in suppliers],
        }
    )
    return Network(
        locations=locations,
        warehouse_ids=wh_ids,
        store_ids=st_ids,
        store_warehouse=store_wh,
        store_size=np.asarray(store_size, dtype=np.float64),
        supplier_ids=sup_ids,
        supplier_mode=[s.mode for s in suppliers],
        supplier_lead=np.array([s.lead_days for s in suppliers], dtype=np.int64),
        supplier_unreliable=unreliable,
        warehouse_share=share,
    )
