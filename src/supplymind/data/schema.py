"""The unified supply-chain data model: one typed, documented schema per table.

Every capability of SupplyMind reads these tables, so a company's demand, stock, orders,
shipments and feedback, kept in separate systems today, meet in one model. Column names
are the same in CSV, DataFrames, SQL and JSON.

The forecasting contract is the long table ``item_id, timestamp, target`` (plus covariate
columns); the ``demand`` table is that contract with a ``location_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ID_COL",
    "TABLES",
    "TARGET_COL",
    "TIME_COL",
    "ColumnSpec",
    "ForeignKey",
    "TableSchema",
    "column",
    "get_table",
    "table_names",
]

ID_COL = "item_id"
TIME_COL = "timestamp"
TARGET_COL = "target"

Kind = Literal["string", "float", "int", "bool", "timestamp"]

_SQL_TYPES: Mapping[str, str] = {
    "string": "VARCHAR",
    "float": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table.

    Parameters
    ----------
    name
        Column name, identical in files, DataFrames and SQL.
    kind
        Logical type: ``string``, ``float``, ``int``, ``bool`` or ``timestamp``.
    description
        What the column means, with its unit.
    required
        The column must be present in every file loaded into the table.
    nullable
        Empty cells are allowed.
    minimum, maximum
        Inclusive bounds for numeric columns.
    choices
        Allowed values for a string column.
    default
        Value used when an optional column is absent from the input.
    personal
        Free text that may hold personal data (phone numbers, e-mail addresses, ID and
        bank-card numbers, addresses): redacted at ingest, before it is stored.
    """

    name: str
    kind: Kind
    description: str
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    default: float | int | str | bool | None = None
    personal: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _SQL_TYPES:
            raise ValueError(
                f"ColumnSpec.kind: expected one of {sorted(_SQL_TYPES)}, found {self.kind!r}"
            )
        if self.choices is not None and self.kind != "string":
            raise ValueError(
                f"ColumnSpec.choices: only string columns take choices, found kind {self.kind!r}"
            )
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(
                f"ColumnSpec {self.name!r}: minimum {self.minimum} is above maximum {self.maximum}"
            )

    @property
    def sql_type(self) -> str:
        """The SQL type used in the warehouse."""
        return _SQL_TYPES[self.kind]

    def describe_expected(self) -> str:
        """The rule in words, for error messages."""
        words = {
            "string": "a text",
            "float": "a number",
            "int": "an integer",
            "bool": "true/false (or 1/0)",
            "timestamp": "a date/time such as 2024-03-01 or 2024-03-01T08:30",
        }[self.kind]
        if self.choices:
            words = f"one of {list(self.choices)}"
        return words


@dataclass(frozen=True)
class ForeignKey:
    """Values of ``column`` must exist in ``table.ref_column`` (optionally of a kind)."""

    column: str
    table: str
    ref_column: str
    ref_kinds: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TableSchema:
    """A table of the data model.

    Parameters
    ----------
    name
        Table name in the warehouse.
    description
        What one row is.
    columns
        Column specifications in storage order.
    key
        Columns that identify a row; re-ingesting a row with the same key updates it.
    foreign_keys
        References to other tables, checked at ingest.
    ordered
        Pairs ``(earlier, later)`` of timestamp columns where ``later`` may not precede
        ``earlier`` within a row (an order cannot arrive before it was placed).
    allow_extra_numeric
        Extra numeric columns are kept as covariates (the ``demand`` table).
    """

    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    ordered: tuple[tuple[str, str], ...] = ()
    allow_extra_numeric: bool = False
    _by_name: dict[str, ColumnSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {c.name: c for c in self.columns}
        if len(by_name) != len(self.columns):
            raise ValueError(f"TableSchema {self.name!r}: duplicate column names")
        for name in (*self.key, *(fk.column for fk in self.foreign_keys)):
            if name not in by_name:
                raise ValueError(f"TableSchema {self.name!r}: unknown column {name!r}")
        for earlier, later in self.ordered:
            for name in (earlier, later):
                if name not in by_name or by_name[name].kind != "timestamp":
                    raise ValueError(
                        f"TableSchema {self.name!r}: ordered column {name!r} must be a timestamp"
                    )
        object.__setattr__(self, "_by_name", by_name)

    def column(self, name: str) -> ColumnSpec:
        """The spec of column ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(
                f"table {self.name!r} has no column {name!r}; columns: {self.column_names}"
            ) from None

    @property
    def column_names(self) -> list[str]:
        """Names of the declared columns in storage order."""
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        """Columns every input must carry."""
        return [c.name for c in self.columns if c.required]

    def has_column(self, name: str) -> bool:
        """Whether ``name`` is a declared column."""
        return name in self._by_name


def column(name: str, kind: Kind, description: str, **kwargs: object) -> ColumnSpec:
    """A :class:`ColumnSpec` (short form for table declarations, here and in the modules
    that keep their own tables)."""
    return ColumnSpec(name, kind, description, **kwargs)  # type: ignore[arg-type]


_c = column


LOCATION_KINDS = ("supplier", "warehouse", "store", "customer", "depot")
DELIVERY_STATUSES = ("planned", "scheduled", "in_transit", "delivered", "failed", "cancelled")
FEEDBACK_SENTIMENTS = ("negative", "neutral", "positive")

ITEMS = TableSchema(
    name="items",
    description="One row per stock-keeping unit (SKU).",
    columns=(
        _c("item_id", "string", "SKU identifier."),
        _c("name", "string", "Product name.", required=False, nullable=True),
        _c("category", "string", "Product category.", required=False, nullable=True),
        _c("unit_cost", "float", "Purchase cost per unit (currency).", minimum=0.0),
        _c("price", "float", "Regular selling price per unit (currency).", minimum=0.0),
        _c(
            "pack_size",
            "int",
            "Units per pack; orders are multiples.",
            required=False,
            minimum=1,
            default=1,
        ),
        _c("moq", "int", "Minimum order quantity in units.", required=False, minimum=0, default=0),
        _c(
            "launched_at",
            "timestamp",
            "First day the item was sold.",
            required=False,
            nullable=True,
        ),
        _c(
            "discontinued_at",
            "timestamp",
            "Last day the item was sold (end of life).",
            required=False,
            nullable=True,
        ),
    ),
    key=("item_id",),
    ordered=(("launched_at", "discontinued_at"),),
)

LOCATIONS = TableSchema(
    name="locations",
    description="Suppliers, warehouses, stores, customers and depots, with coordinates.",
    columns=(
        _c("location_id", "string", "Location identifier."),
        _c("kind", "string", "Role of the location.", choices=LOCATION_KINDS),
        _c("lat", "float", "Latitude in decimal degrees (WGS84).", minimum=-90.0, maximum=90.0),
        _c("lon", "float", "Longitude in decimal degrees (WGS84).", minimum=-180.0, maximum=180.0),
        _c("name", "string", "Human-readable name.", required=False, nullable=True),
        _c("country", "string", "Country (ISO code or name).", required=False, nullable=True),
    ),
    key=("location_id",),
)

DEMAND = TableSchema(
    name="demand",
    description=(
        "Demand (units sold or requested) per item, location and period: the forecasting "
        "contract. Extra numeric columns are kept as covariates."
    ),
    columns=(
        _c("item_id", "string", "SKU identifier (items.item_id)."),
        _c("location_id", "string", "Where the demand happened (locations.location_id)."),
        _c("timestamp", "timestamp", "Start of the period (day, week or month)."),
        _c(
            "target",
            "float",
            "Demand in units for the period; empty when unknown.",
            nullable=True,
            minimum=0.0,
        ),
        _c(
            "price",
            "float",
            "Selling price in the period (covariate).",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        _c(
            "promotion",
            "float",
            "Promotion intensity: 0 none, else discount depth in 0..1.",
            required=False,
            nullable=True,
            minimum=0.0,
            maximum=1.0,
        ),
        _c(
            "holiday",
            "int",
            "1 if the period contains a public holiday (covariate).",
            required=False,
            nullable=True,
            minimum=0,
            maximum=1,
        ),
    ),
    key=("item_id", "location_id", "timestamp"),
    foreign_keys=(
        ForeignKey("item_id", "items", "item_id"),
        ForeignKey("location_id", "locations", "location_id"),
    ),
    allow_extra_numeric=True,
)

INVENTORY = TableSchema(
    name="inventory",
    description="Stock position snapshot per item, location and time.",
    columns=(
        _c("item_id", "string", "SKU identifier (items.item_id)."),
        _c("location_id", "string", "Stocking location (locations.location_id)."),
        _c("timestamp", "timestamp", "Time of the snapshot."),
        _c("on_hand", "float", "Units physically in stock.", minimum=0.0),
        _c(
            "on_order",
            "float",
            "Units ordered and not yet received.",
            required=False,
            minimum=0.0,
            default=0.0,
        ),
        _c(
            "backorders",
            "float",
            "Units of unmet demand waiting for stock.",
            required=False,
            minimum=0.0,
            default=0.0,
        ),
    ),
    key=("item_id", "location_id", "timestamp"),
    foreign_keys=(
        ForeignKey("item_id", "items", "item_id"),
        ForeignKey("location_id", "locations", "location_id"),
    ),
)

PURCHASE_ORDERS = TableSchema(
    name="purchase_orders",
    description="Purchase-order lines from suppliers; the lead-time history.",
    columns=(
        _c("po_id", "string", "Purchase-order identifier."),
        _c("item_id", "string", "SKU ordered (items.item_id)."),
        _c("supplier_id", "string", "Supplier (locations.location_id of kind supplier)."),
        _c("location_id", "string", "Receiving location (locations.location_id)."),
        _c("ordered_at", "timestamp", "When the order was placed."),
        _c("promised_at", "timestamp", "Delivery date the supplier promised.", nullable=True),
        _c("received_at", "timestamp", "When the goods arrived; empty while open.", nullable=True),
        _c("quantity", "float", "Units ordered.", minimum=0.0),
        _c(
            "received_quantity",
            "float",
            "Units received.",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        _c(
            "unit_cost",
            "float",
            "Cost per unit on this order.",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        _c(
            "mode",
            "string",
            "Transport mode (truck, sea, air, rail...).",
            required=False,
            nullable=True,
        ),
    ),
    key=("po_id", "item_id"),
    foreign_keys=(
        ForeignKey("item_id", "items", "item_id"),
        ForeignKey("supplier_id", "locations", "location_id", ref_kinds=("supplier",)),
        ForeignKey("location_id", "locations", "location_id"),
    ),
    ordered=(("ordered_at", "promised_at"), ("ordered_at", "received_at")),
)

DELIVERY_ORDERS = TableSchema(
    name="delivery_orders",
    description="Outbound deliveries (shipments) to customers or stores, with time windows.",
    columns=(
        _c("order_id", "string", "Delivery order identifier."),
        _c("location_id", "string", "Customer or store delivered to (locations.location_id)."),
        _c(
            "depot_id",
            "string",
            "Depot or warehouse it leaves from (locations.location_id).",
            required=False,
            nullable=True,
        ),
        _c(
            "demand",
            "float",
            "Size of the delivery in capacity units (e.g. kg or pallets).",
            minimum=0.0,
        ),
        _c("window_start", "timestamp", "Earliest allowed arrival (time window start)."),
        _c("window_end", "timestamp", "Latest allowed arrival (time window end)."),
        _c(
            "service_minutes",
            "float",
            "Time spent at the stop, in minutes.",
            required=False,
            minimum=0.0,
            default=0.0,
        ),
        _c("scheduled_at", "timestamp", "Planned arrival.", required=False, nullable=True),
        _c(
            "delivered_at",
            "timestamp",
            "Actual arrival; empty until delivered.",
            required=False,
            nullable=True,
        ),
        _c(
            "status",
            "string",
            "Delivery status.",
            required=False,
            choices=DELIVERY_STATUSES,
            default="planned",
        ),
    ),
    key=("order_id",),
    foreign_keys=(
        ForeignKey("location_id", "locations", "location_id"),
        ForeignKey("depot_id", "locations", "location_id"),
    ),
    ordered=(("window_start", "window_end"),),
)

FEEDBACK = TableSchema(
    name="feedback",
    description="Customer feedback texts (reviews, tickets, messages), Chinese and English.",
    columns=(
        _c("feedback_id", "string", "Feedback identifier."),
        _c("timestamp", "timestamp", "When the feedback was given."),
        _c(
            "channel",
            "string",
            "Where it came from (review, email, chat, social, survey...).",
            required=False,
            nullable=True,
        ),
        _c("language", "string", "ISO 639-1 language code such as 'en' or 'zh'."),
        _c(
            "text",
            "string",
            "The feedback text (personal data is redacted at ingest).",
            personal=True,
        ),
        _c(
            "sentiment",
            "string",
            "Label, when known.",
            required=False,
            nullable=True,
            choices=FEEDBACK_SENTIMENTS,
        ),
        _c(
            "complaint_type",
            "string",
            "Complaint category label, when known (late_delivery, damaged, wrong_item, ...).",
            required=False,
            nullable=True,
        ),
        _c("item_id", "string", "Item concerned, when known.", required=False, nullable=True),
        _c(
            "order_id",
            "string",
            "Delivery order concerned, when known.",
            required=False,
            nullable=True,
        ),
    ),
    key=("feedback_id",),
)

TABLES: Mapping[str, TableSchema] = {
    t.name: t
    for t in (ITEMS, LOCATIONS, DEMAND, INVENTORY, PURCHASE_ORDERS, DELIVERY_ORDERS, FEEDBACK)
}


def table_names() -> list[str]:
    """Names of the tables of the data model, in dependency order."""
    return list(TABLES)


def get_table(name: str) -> TableSchema:
    """The schema of table ``name``; a ``ValueError`` lists the known tables otherwise."""
    try:
        return TABLES[name]
    except KeyError:
        raise ValueError(f"table: expected one of {table_names()}, found {name!r}") from None
