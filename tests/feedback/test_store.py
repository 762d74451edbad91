"""Predictions in the warehouse."""

from __future__ import annotations

import pandas as pd
import pytest

from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import FeedbackInputError
from supplymind.feedback.store import read_predictions, write_predictions


def _rows(label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feedback_id": ["FB1", "FB2"],
            "task": "sentiment",
            "label": [label, "positive"],
            "score": [0.9, 0.8],
            "model": "m",
            "predicted_at": pd.Timestamp("2024-01-01"),
        }
    )


def test_predictions_are_upserted_by_feedback_id_and_task() -> None:
    with Warehouse(":memory:") as wh:
        assert write_predictions(wh, _rows("negative")) == 2
        write_predictions(wh, _rows("neutral"))
        stored = read_predictions(wh, "sentiment")
        assert stored["label"].tolist() == ["neutral", "positive"]
        assert read_predictions(wh, "complaint").empty


def test_missing_columns_are_refused() -> None:
    with Warehouse(":memory:") as wh, pytest.raises(FeedbackInputError, match="score"):
        write_predictions(wh, _rows("x").drop(columns="score"))
