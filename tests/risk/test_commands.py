"""The file jobs behind ``supplymind risk``: reading a series file for a scan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.commands import read_series_file, read_shipments, run_scan


def _nab_file(folder: Path) -> Path:
    """A NAB-style file: ``timestamp,value``, no series id."""
    y = 100.0 + np.random.default_rng(0).normal(0.0, 2.0, 60)
    times = pd.date_range("2014-07-01", periods=60, freq="30min")
    path = folder / "nab.csv"
    pd.DataFrame({"timestamp": times, "value": y}).to_csv(path, index=False)
    return path


def test_when_the_target_column_is_named_otherwise_then_the_error_lists_the_files_columns(
    tmp_path: Path,
) -> None:
    path = _nab_file(tmp_path)
    with pytest.raises(RiskInputError) as caught:
        run_scan(tmp_path / "alerts.csv", series=path)
    message = str(caught.value)
    # The file's own columns, not the item_id the reader adds to a one-series file.
    assert f"series {path}: found the columns ['timestamp', 'value'];" in message
    assert (
        "no column 'target' (the values): map one with --target-col, e.g. --target-col value"
        in message
    )
    # The flag the error names is the fix.
    frame = read_series_file(path, target_col="value")
    assert list(frame.columns) == ["item_id", "timestamp", "target"]
    assert len(frame) == 60


def test_when_a_mapped_column_is_missing_then_the_error_names_the_flag_it_came_from(
    tmp_path: Path,
) -> None:
    path = _nab_file(tmp_path)
    with pytest.raises(
        RiskInputError,
        match=r"found the columns \['timestamp', 'value'\]; no column 'when' \(given with "
        r"--time-col\); no column 'value2' \(given with --target-col\)",
    ):
        read_series_file(path, time_col="when", target_col="value2")


def test_when_a_file_is_not_comma_separated_then_the_error_says_so(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("item_id;timestamp;target\na;2024-01-01;1\n")
    with pytest.raises(RiskInputError, match=r"the file looks separated by ';'"):
        read_series_file(path)


def test_when_the_columns_are_there_then_other_errors_are_left_as_they_are(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("item_id,timestamp,target\na,2024-01-01,one\n")
    with pytest.raises(RiskInputError, match="target") as caught:
        read_series_file(path)
    assert "found the columns" not in str(caught.value)


def test_when_a_raw_scms_export_is_read_as_shipments_then_the_error_names_its_format(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scms.csv"
    pd.DataFrame(
        {
            "ID": [1],
            "Vendor": ["V"],
            "Scheduled Delivery Date": ["2-Jun-06"],
            "Delivered to Client Date": ["2-Jun-06"],
        }
    ).to_csv(path, index=False)
    with pytest.raises(
        RiskInputError, match=r"look like the SCMS delivery history: pass --format scms"
    ):
        read_shipments(path)


def test_purchase_orders_with_day_first_dates_read_alike_in_every_column(tmp_path: Path) -> None:
    path = tmp_path / "po.csv"
    pd.DataFrame(
        {
            "po_id": ["P1", "P2"],
            "item_id": ["A", "A"],
            "supplier_id": ["S", "S"],
            "ordered_at": ["01-02-2024", "03-04-2024"],
            "promised_at": ["10-02-2024", "20-04-2024"],
            "received_at": ["12-02-2024", "19-04-2024"],
            "quantity": [1, 1],
            "unit_cost": [1.0, 1.0],
        }
    ).to_csv(path, index=False)
    shipments = read_shipments(path, "purchase_orders")
    assert shipments["ordered_at"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-01", "2024-04-03"]
