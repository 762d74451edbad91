"""The warehouse side of feedback: reading the ``feedback`` table and storing predictions.

Predictions go to their own table, ``feedback_predictions`` (created when first written),
one row per feedback text and task, so the labelled ``feedback`` table is never overwritten
by a model's guesses.
"""

from __future__ import annotations

import pandas as pd

from supplymind.data.schema import TableSchema
from supplymind.data.schema import column as _c
from supplymind.data.warehouse import Warehouse, quote
from supplymind.exceptions import FeedbackInputError

__all__ = ["PREDICTIONS_TABLE", "read_feedback", "read_predictions", "write_predictions"]


PREDICTIONS_TABLE = TableSchema(
    name="feedback_predictions",
    description="Predicted sentiment and complaint type of feedback texts.",
    columns=(
        _c("feedback_id", "string", "Feedback identifier (feedback table)."),
        _c("task", "string", "What was predicted: sentiment, complaint, ..."),
        _c("label", "string", "Predicted label."),
        _c("score", "float", "Calibrated probability of the predicted label."),
        _c("model", "string", "Model that predicted (backbone and adopted candidate)."),
        _c("predicted_at", "timestamp", "When the prediction was made."),
    ),
    key=("feedback_id", "task"),
)
_COLUMNS = tuple(PREDICTIONS_TABLE.column_names)


def _ddl(schema: TableSchema) -> str:
    cols = [
        f"{quote(c.name)} {c.sql_type}" + ("" if c.nullable else " NOT NULL")
        for c in schema.columns
    ]
    key = ", ".join(quote(k) for k in schema.key)
    return (
        f"CREATE TABLE IF NOT EXISTS {quote(schema.name)} (\n  "
        + ",\n  ".join(cols)
        + f",\n  PRIMARY KEY ({key})\n)"
    )


def read_feedback(warehouse: Warehouse, *, language: str | None = None) -> pd.DataFrame:
    """The ``feedback`` table (optionally one language), by ``feedback_id``."""
    warehouse.require("feedback")
    if language is None:
        return warehouse.read("feedback")
    return warehouse.read("feedback", where="language = ?", params=[language])


def write_predictions(warehouse: Warehouse, predictions: pd.DataFrame) -> int:
    """Insert or update predictions (``feedback_id``, ``task``, ``label``, ``score``,
    ``model``, ``predicted_at``); returns the number of rows written."""
    missing = [c for c in _COLUMNS if c not in predictions.columns]
    if missing:
        raise FeedbackInputError(
            f"predictions: expected the columns {missing}, found {list(predictions.columns)}"
        )
    frame = predictions[list(_COLUMNS)].copy()
    frame["score"] = frame["score"].astype("float64")
    frame["predicted_at"] = pd.to_datetime(frame["predicted_at"])
    for col in ("feedback_id", "task", "label", "model"):
        frame[col] = frame[col].astype(str)
    warehouse.backend.execute(_ddl(PREDICTIONS_TABLE))
    with warehouse.transaction():
        warehouse.backend.upsert(
            PREDICTIONS_TABLE,
            frame.reset_index(drop=True),
            ["label", "score", "model", "predicted_at"],
        )
    return len(frame)


def read_predictions(warehouse: Warehouse, task: str | None = None) -> pd.DataFrame:
    """Stored predictions (of one task when given)."""
    warehouse.backend.execute(_ddl(PREDICTIONS_TABLE))
    sql = f"SELECT * FROM {quote(PREDICTIONS_TABLE.name)}"
    params: list[str] = []
    if task is not None:
        sql += " WHERE task = ?"
        params = [task]
    return warehouse.query(sql + " ORDER BY feedback_id, task", params)
