"""Shipments for the late-delivery model: the contract, and where to get them.

A shipment (a purchase-order line, an inbound or outbound consignment) is one row:

``order_id``
    Identifier (unique).
``supplier_id``
    Who ships it.
``promised_at``
    The promised (scheduled) delivery time.
``delivered_at``
    When it arrived; empty while open. Needed to train, not to predict.
``ordered_at`` (optional)
    When it was ordered; the prediction is made then (else ``notice_days`` before the
    promised time).
``mode``, ``origin``, ``destination``, ``item_id`` (optional)
    Transport mode, route ends (site, country) and item.
``quantity``, ``value``, ``weight`` (optional)
    Size of the shipment.

plus any extra categorical or numeric columns named in the model's parameters. A shipment
is *late* when it arrives more than ``tolerance_days`` after its promised time.

:func:`shipments_from_purchase_orders` turns the warehouse's ``purchase_orders`` table
into shipments; :func:`load_scms` reads the USAID SCMS delivery history of the public data
folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from supplymind.data.datasets import DATA_DIR_ENV_VAR, default_data_dir
from supplymind.exceptions import DatasetNotFoundError, RiskInputError
from supplymind.risk.frames import days_between, listed
from supplymind.timestamps import day_first_of, parse_timestamps

__all__ = [
    "CATEGORICAL_COLUMNS",
    "NUMERIC_COLUMNS",
    "REQUIRED_COLUMNS",
    "SCMS_CATEGORICAL",
    "SCMS_NUMERIC",
    "check_shipments",
    "delay_days",
    "load_scms",
    "shipments_from_purchase_orders",
]

REQUIRED_COLUMNS = ("order_id", "supplier_id", "promised_at")
TIME_COLUMNS = ("ordered_at", "promised_at", "delivered_at")
CATEGORICAL_COLUMNS = ("supplier_id", "mode", "origin", "destination", "item_id")
NUMERIC_COLUMNS = ("quantity", "value", "weight")
SCMS_CATEGORICAL = (
    "managed_by",
    "fulfill_via",
    "inco_term",
    "product_group",
    "sub_classification",
    "dosage_form",
    "first_line",
    "brand",
    "manufacturing_site",
)
SCMS_NUMERIC = ("pack_price", "unit_price", "units_per_pack")


def _rows(mask: pd.Series) -> str:
    return listed([int(i) + 1 for i in np.flatnonzero(mask.to_numpy())])


def check_shipments(
    frame: pd.DataFrame,
    *,
    require_outcome: bool = False,
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    role: str = "shipments",
) -> pd.DataFrame:
    """Check and tidy a shipments table (see the module docs).

    Parameters
    ----------
    frame
        The shipments.
    require_outcome
        Every row must have ``delivered_at`` (training data).
    categorical, numeric
        Extra feature columns that must be present.
    role
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        String ids and categories (missing as NaN), naive timestamps, float sizes; the
        optional standard columns are added empty when absent.
    """
    if not isinstance(frame, pd.DataFrame):
        raise RiskInputError(f"{role}: expected a pandas DataFrame, found {type(frame).__name__}")
    needed = list(REQUIRED_COLUMNS) + (["delivered_at"] if require_outcome else [])
    needed += [c for c in (*categorical, *numeric) if c not in needed]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise RiskInputError(
            f"{role}: expected the columns {needed}, missing {missing}; found {list(frame.columns)}"
        )
    if len(frame) == 0:
        raise RiskInputError(f"{role}: expected at least one shipment, found none")
    out = frame.copy().reset_index(drop=True)
    for col in ("order_id", "supplier_id"):
        empty = out[col].isna() | (out[col].astype(str).str.strip() == "")
        if empty.any():
            raise RiskInputError(
                f"{role}: column '{col}' expected an id in every row, found empty cells in rows "
                f"{_rows(empty)}"
            )
        out[col] = out[col].astype(str)
    dup = out["order_id"].duplicated(keep=False)
    if dup.any():
        raise RiskInputError(
            f"{role}: column 'order_id' expected unique ids, found "
            f"{listed(out.loc[dup, 'order_id'].unique().tolist())} repeated (rows {_rows(dup)})"
        )
    # One reading of day-first dates for all the table's date columns.
    day_first = day_first_of([out[c] for c in TIME_COLUMNS if c in out.columns])
    for col in TIME_COLUMNS:
        if col not in out.columns:
            out[col] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
            continue
        raw = out[col]
        stamps = parse_timestamps(raw, day_first=day_first)
        bad = stamps.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any():
            raise RiskInputError(
                f"{role}: column '{col}' expected dates such as 2024-03-01, found "
                f"{listed(raw[bad].unique().tolist())} in rows {_rows(bad)}"
            )
        out[col] = stamps
    if out["promised_at"].isna().any():
        raise RiskInputError(
            f"{role}: column 'promised_at' expected a date in every row, found empty cells in "
            f"rows {_rows(out['promised_at'].isna())}"
        )
    if require_outcome and out["delivered_at"].isna().any():
        raise RiskInputError(
            f"{role}: column 'delivered_at' expected a delivery date in every training row, "
            f"found empty cells (open orders) in rows {_rows(out['delivered_at'].isna())}"
        )
    early = out["ordered_at"].notna() & (out["promised_at"] < out["ordered_at"])
    if early.any():
        raise RiskInputError(
            f"{role}: column 'promised_at' expected a time not before 'ordered_at', found "
            f"earlier promises in rows {_rows(early)}"
        )
    for col in (*CATEGORICAL_COLUMNS, *categorical):
        if col == "supplier_id":
            continue
        if col not in out.columns:
            out[col] = pd.Series(np.nan, index=out.index, dtype=object)
        else:
            values = out[col]
            out[col] = values.where(values.isna(), values.astype(str)).astype(object)
    for col in (*NUMERIC_COLUMNS, *numeric):
        if col not in out.columns:
            out[col] = np.nan
            continue
        raw = out[col]
        numbers = pd.to_numeric(raw, errors="coerce").astype(np.float64)
        bad = numbers.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any():
            raise RiskInputError(
                f"{role}: column '{col}' expected numbers, found "
                f"{listed(raw[bad].unique().tolist())} in rows {_rows(bad)}"
            )
        if (numbers < 0).any() or np.isinf(numbers).any():
            raise RiskInputError(
                f"{role}: column '{col}' expected finite numbers >= 0, found "
                f"{listed(numbers[(numbers < 0) | np.isinf(numbers)].tolist())} in rows "
                f"{_rows((numbers < 0) | np.isinf(numbers))}"
            )
        out[col] = numbers
    return out


def delay_days(shipments: pd.DataFrame) -> pd.Series:
    """Days between the promised and the actual delivery (negative: early; NaN: open)."""
    return days_between(shipments["promised_at"], shipments["delivered_at"])


def shipments_from_purchase_orders(purchase_orders: pd.DataFrame) -> pd.DataFrame:
    """Purchase-order lines of the warehouse as shipments.

    ``order_id`` is ``po_id:item_id``; the receiving location is the ``destination``;
    ``value`` is quantity x unit cost. Lines without a promised date cannot be judged late
    and are left out.
    """
    needed = ("po_id", "item_id", "supplier_id", "ordered_at", "promised_at", "received_at")
    missing = [c for c in needed if c not in purchase_orders.columns]
    if missing:
        raise RiskInputError(
            f"purchase_orders: expected the columns {list(needed)}, missing {missing}; "
            f"found {list(purchase_orders.columns)}"
        )
    po = purchase_orders[purchase_orders["promised_at"].notna()]
    quantity = pd.to_numeric(po["quantity"], errors="coerce")
    cost = pd.to_numeric(po["unit_cost"], errors="coerce") if "unit_cost" in po else np.nan
    frame = pd.DataFrame(
        {
            "order_id": po["po_id"].astype(str) + ":" + po["item_id"].astype(str),
            "supplier_id": po["supplier_id"].astype(str),
            "item_id": po["item_id"].astype(str),
            "destination": po["location_id"].astype(str) if "location_id" in po else np.nan,
            "mode": po.get("mode", np.nan),
            "ordered_at": pd.to_datetime(po["ordered_at"]),
            "promised_at": pd.to_datetime(po["promised_at"]),
            "delivered_at": pd.to_datetime(po["received_at"]),
            "quantity": quantity,
            "value": quantity * cost,
        }
    )
    return check_shipments(frame.reset_index(drop=True), role="purchase_orders")


_SCMS_FILE = "scms_delivery_history/SCMS_Delivery_History_Dataset.csv"
_SCMS_COLUMNS = {
    "ID": "order_id",
    "Vendor": "supplier_id",
    "Country": "destination",
    "Shipment Mode": "mode",
    "Item Description": "item_id",
    "Managed By": "managed_by",
    "Fulfill Via": "fulfill_via",
    "Vendor INCO Term": "inco_term",
    "Product Group": "product_group",
    "Sub Classification": "sub_classification",
    "Dosage Form": "dosage_form",
    "First Line Designation": "first_line",
    "Brand": "brand",
    "Manufacturing Site": "manufacturing_site",
    "Line Item Quantity": "quantity",
    "Line Item Value": "value",
    "Pack Price": "pack_price",
    "Unit Price": "unit_price",
    "Unit of Measure (Per Pack)": "units_per_pack",
}


def load_scms(path: str | Path | None = None) -> pd.DataFrame:
    """The SCMS delivery history (USAID, 10,324 shipment lines, 2006-2015) as shipments.

    ``promised_at`` is the scheduled delivery date and ``delivered_at`` the date delivered
    to the client. The purchase-order date is left out: it is missing for the 5,404
    shipments from regional distribution centres and, where given, is up to years away
    from the schedule. Weights given as text ("See ASN-93", "Weight Captured Separately")
    are empty; freight cost and insurance are left out (known only after shipping).

    Parameters
    ----------
    path
        The CSV file, or the public data folder holding
        ``scms_delivery_history/SCMS_Delivery_History_Dataset.csv``; default
        ``$SUPPLYMIND_DATA_DIR``.
    """
    given = Path(path) if path is not None else default_data_dir()
    file = given / _SCMS_FILE if given.is_dir() else given
    if not file.is_file():
        raise DatasetNotFoundError(
            f"SCMS: expected the file {file.resolve()}, found none. Point {DATA_DIR_ENV_VAR} "
            "at the public data folder or pass the CSV path."
        )
    raw = pd.read_csv(file, encoding="utf-8-sig", dtype=str)
    missing = [
        c
        for c in (*_SCMS_COLUMNS, "Scheduled Delivery Date", "Delivered to Client Date")
        if c not in raw.columns
    ]
    if missing:
        raise RiskInputError(
            f"SCMS {file}: expected the columns {missing}, found {list(raw.columns)}"
        )
    frame = raw[list(_SCMS_COLUMNS)].rename(columns=_SCMS_COLUMNS)
    frame["promised_at"] = pd.to_datetime(raw["Scheduled Delivery Date"], format="%d-%b-%y")
    frame["delivered_at"] = pd.to_datetime(raw["Delivered to Client Date"], format="%d-%b-%y")
    frame["weight"] = pd.to_numeric(raw["Weight (Kilograms)"], errors="coerce")
    frame["mode"] = frame["mode"].where(frame["mode"].notna() & (frame["mode"] != "N/A"))
    return check_shipments(
        frame,
        require_outcome=True,
        categorical=SCMS_CATEGORICAL,
        numeric=SCMS_NUMERIC,
        role=f"SCMS {file}",
    )
