"""The embedded sample company: a seeded generator of a **fully synthetic** supply chain.

Nothing generated here describes a real business. "SM Fresh" is an invented grocery and
convenience chain in Shanghai; its brands, products, stores, suppliers, orders and customer
texts are made up. Place names, coordinates, holidays and the Chinese New Year calendar are
real so that maps and seasonal plots look plausible.

The company has stores scattered within ~40 km of central Shanghai, warehouses in the
logistics parks on the outskirts, and suppliers elsewhere in China and abroad. The seven
tables of :mod:`supplymind.data.schema` are generated from one seed, fully vectorised:

``locations``
    Warehouses (kind ``warehouse``), stores (``store``) and suppliers (``supplier``). The
    warehouses double as the delivery depots: ``delivery_orders.depot_id`` is a warehouse
    id and there are no separate ``depot`` rows.
``items``
    SKUs in eight categories with cost and regular price in CNY (margin by category), pack
    size, minimum order quantity (a multiple of the pack), launch date and, for some, a
    discontinuation date.
``demand``
    Daily units ordered by the stores of each warehouse's region, per item and warehouse
    (``location_id`` is the warehouse). Regular items have negative-binomial noise around a
    mean with trend, weekly and yearly seasonality, Chinese New Year, public holidays and
    promotions with a price elasticity; ~20% are intermittent slow movers (compound
    Poisson). Targets are whole units stored as floats. Items launched during the horizon
    have zero-demand rows before their launch (as in the M5 data) and ramp up after it;
    discontinued items decline, get a clearance markdown, and have no rows after their
    ``discontinued_at`` day. ``holiday`` flags Chinese public holidays; lunar-calendar
    dates are tabulated for 2015-2030 and approximated outside those years.
``inventory``
    Weekly start-of-day snapshots (00:00, before that day's receipts and shipments) of an
    (s, S) replenishment simulated day by day on the generated demand. Unmet demand is
    backordered; backorders of a discontinued item are cancelled at its end of life.
``purchase_orders``
    The orders of that simulation, one line per item, grouped into one purchase order per
    supplier, warehouse and day. Two suppliers (by default) are unreliable, with late
    deliveries and heavier tails; orders due after the horizon are still open.
``delivery_orders``
    Outbound deliveries from warehouses to stores over the last weeks of the horizon (2-3 a
    week per store) and ``planned`` ones for the days after it. ``demand`` is the load in
    kilograms; windows are 2-4 hours between 06:00 and 18:00.
``feedback``
    Customer texts in Chinese and English composed from hand-written fragments, with
    sentiment and complaint labels; late deliveries cause ``late_delivery`` complaints.

:func:`sample_ground_truth` returns the hidden parameters (which items are slow movers,
which suppliers are unreliable, ...) for tests and benchmarks.
"""

from __future__ import annotations

from supplymind.data.sample.config import SampleCompanyConfig
from supplymind.data.sample.generator import generate_sample_company, sample_ground_truth

__all__ = ["SampleCompanyConfig", "generate_sample_company", "sample_ground_truth"]
