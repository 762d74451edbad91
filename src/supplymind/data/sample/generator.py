"""The whole sample company from one configuration, and its hidden ground truth."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from supplymind.data.sample.calendar import build_calendar
from supplymind.data.sample.catalog import build_catalog
from supplymind.data.sample.config import SampleCompanyConfig
from supplymind.data.sample.deliveries import delivery_order_table
from supplymind.data.sample.demand import demand_table, expected_demand, promotions, sample_demand
from supplymind.data.sample.feedback import feedback_table
from supplymind.data.sample.network import build_network
from supplymind.data.sample.replenishment import (
    inventory_table,
    purchase_order_table,
    simulate_replenishment,
)

__all__ = ["generate_sample_company", "sample_ground_truth"]


def generate_sample_company(
    config: SampleCompanyConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate the seven tables of the synthetic sample company.

    Parameters
    ----------
    config
        Size and seed of the company; the defaults when ``None``.
    progress
        Called with a short message before each stage.

    Returns
    -------
    dict
        ``items``, ``locations``, ``demand``, ``inventory``, ``purchase_orders``,
        ``delivery_orders`` and ``feedback``, each with the columns of
        :mod:`supplymind.data.schema` in declared order. The same configuration gives
        identical tables.
    """
    config = SampleCompanyConfig() if config is None else config

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    say("locations")
    network = build_network(config)
    say("items")
    catalog = build_catalog(config, network)
    cal = build_calendar(config, config.n_days)
    say("demand")
    promo = promotions(config, catalog)
    mean = expected_demand(catalog, cal, promo)
    units = sample_demand(config, catalog, mean)
    demand = demand_table(network, catalog, cal, promo, units)
    say("inventory and purchase orders")
    snaps, orders = simulate_replenishment(config, network, catalog, mean, units)
    inventory = inventory_table(network, catalog, cal, snaps)
    purchase_orders = purchase_order_table(config, network, catalog, cal, orders)
    say("delivery orders")
    deliveries = delivery_order_table(config, network, units)
    say("feedback")
    feedback = feedback_table(config, catalog, cal, mean, deliveries)
    return {
        "items": catalog.items,
        "locations": network.locations,
        "demand": demand,
        "inventory": inventory,
        "purchase_orders": purchase_orders,
        "delivery_orders": deliveries,
        "feedback": feedback,
    }


def sample_ground_truth(config: SampleCompanyConfig | None = None) -> dict[str, pd.DataFrame]:
    """The hidden parameters behind :func:`generate_sample_company`.

    Parameters
    ----------
    config
        The configuration the company was generated with.

    Returns
    -------
    dict
        ``items``: per SKU its ``intermittent`` flag, mean daily ``level`` per warehouse,
        ``annual_growth``, ``weekend_amplitude``, ``summer_amplitude`` and price
        ``elasticity``. ``suppliers``: per supplier its usual ``mode``,
        ``nominal_lead_days`` and ``unreliable`` flag. ``stores``: the warehouse serving
        each store.
    """
    config = SampleCompanyConfig() if config is None else config
    network = build_network(config)
    catalog = build_catalog(config, network)
    return {
        "items": pd.DataFrame(
            {
                "item_id": catalog.items["item_id"],
                "intermittent": catalog.slow,
                "level": catalog.level,
                "annual_growth": catalog.growth,
                "weekend_amplitude": catalog.weekend,
                "summer_amplitude": catalog.summer,
                "elasticity": catalog.elasticity,
            }
        ),
        "suppliers": pd.DataFrame(
            {
                "supplier_id": network.supplier_ids,
                "mode": network.supplier_mode,
                "nominal_lead_days": network.supplier_lead,
                "unreliable": network.supplier_unreliable,
            }
        ),
        "stores": pd.DataFrame(
            {
                "store_id": network.store_ids,
                "warehouse_id": np.asarray(network.warehouse_ids, dtype=object)[
                    network.store_warehouse
                ],
            }
        ),
    }
