"""Reads for the API and the dashboard: warehouse tables and the latest run's outputs.

The decisions (forecast, plan, routes, scorecards) are files of a pipeline run; the service
serves those of the newest run recorded in the warehouse's ``pipeline_runs`` table that has
the file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from supplymind.data.warehouse import Warehouse, quote
from supplymind.pipeline import list_runs

__all__ = [
    "finetuned_models",
    "latest_output",
    "read_output_csv",
    "read_output_json",
    "read_table",
    "table_exists",
]

#: The fields of a saved model's ``summary.json`` that the model list shows.
_SUMMARY_FIELDS = ("backbone", "finetune", "horizon", "selection", "finetune_result")


def table_exists(wh: Warehouse, name: str) -> bool:
    """Whether the warehouse has a table ``name``."""
    frame = wh.query(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?", [name]
    )
    return bool(frame["n"].iloc[0])


def read_table(wh: Warehouse, name: str, filters: dict[str, Any] | None = None) -> pd.DataFrame:
    """Rows of a table whose columns equal the given (non-``None``) filter values."""
    if not table_exists(wh, name):
        return pd.DataFrame()
    where, params = [], []
    for column, value in (filters or {}).items():
        if value is not None:
            where.append(f"{quote(column)} = ?")
            params.append(value)
    sql = f"SELECT * FROM {quote(name)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return wh.query(sql, params)


def latest_output(wh: Warehouse, filename: str) -> tuple[Path, dict[str, Any]] | None:
    """The newest run's file ``filename`` and that run's record, or ``None``."""
    for run in list_runs(wh, limit=20):
        path = Path(run["out_dir"]) / filename
        if run["status"] in ("ok", "partial") and path.exists():
            return path, run
    return None


def read_output_csv(wh: Warehouse, filename: str) -> pd.DataFrame | None:
    """The newest run's CSV ``filename`` as a frame, or ``None``."""
    found = latest_output(wh, filename)
    return None if found is None else pd.read_csv(found[0])


def read_output_json(wh: Warehouse, filename: str) -> dict[str, Any] | None:
    """The newest run's JSON ``filename``, or ``None``."""
    found = latest_output(wh, filename)
    return None if found is None else dict(json.loads(found[0].read_text(encoding="utf-8")))


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None`` (JSON responses refuse them)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def finetuned_models(runs_dir: Path) -> list[dict[str, Any]]:
    """The models saved by fine-tuning jobs under ``runs_dir`` (``finetune-*/model``), newest
    first, each with its folder and the main fields of its summary."""
    found = []
    for summary in sorted(runs_dir.glob("finetune-*/model/summary.json"), reverse=True):
        try:
            data = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # a job still writing, or a damaged file: not listed
            continue
        found.append(
            {
                "name": summary.parent.parent.name,
                "model_dir": str(summary.parent),
                **{k: _finite(data.get(k)) for k in _SUMMARY_FIELDS},
            }
        )
    return found
