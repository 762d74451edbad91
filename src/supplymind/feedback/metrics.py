"""Classification metrics: accuracy, macro-F1 and per-class precision, recall and F1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["ClassificationMetrics", "classification_metrics"]


@dataclass(frozen=True)
class ClassificationMetrics:
    """Scores of predicted labels against true ones.

    Attributes
    ----------
    accuracy
        Share of correct predictions.
    macro_f1
        Unweighted mean of the per-class F1 over the classes given.
    per_class
        One row per class: ``label``, ``precision``, ``recall``, ``f1``, ``support``.
    n
        Number of texts scored.
    """

    accuracy: float
    macro_f1: float
    per_class: pd.DataFrame
    n: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready scores."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class": self.per_class.to_dict("records"),
        }


def classification_metrics(
    y_true: Sequence[str], y_pred: Sequence[str], classes: Sequence[str] | None = None
) -> ClassificationMetrics:
    """Accuracy, macro-F1 and per-class scores.

    Parameters
    ----------
    y_true, y_pred
        True and predicted labels, same length.
    classes
        Classes to report (default: those in either list, sorted). A class never predicted
        has precision 0; one absent from ``y_true`` has recall 0 (F1 0).
    """
    true = np.asarray([str(v) for v in y_true], dtype=object)
    pred = np.asarray([str(v) for v in y_pred], dtype=object)
    if true.shape != pred.shape:
        raise ValueError(
            f"y_pred: expected as many labels as y_true ({true.size}), found {pred.size}"
        )
    labels = sorted(set(true) | set(pred)) if classes is None else [str(c) for c in classes]
    rows = []
    for label in labels:
        tp = float(np.sum((pred == label) & (true == label)))
        predicted = float(np.sum(pred == label))
        actual = float(np.sum(true == label))
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            {
                "label": label,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "support": int(actual),
            }
        )
    per_class = pd.DataFrame(rows, columns=["label", "precision", "recall", "f1", "support"])
    accuracy = float(np.mean(true == pred)) if true.size else float("nan")
    macro = float(per_class["f1"].mean()) if len(per_class) else float("nan")
    return ClassificationMetrics(accuracy, macro, per_class, int(true.size))
