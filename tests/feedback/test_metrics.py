"""Per-class and macro scores, against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from supplymind.feedback.metrics import classification_metrics


def test_scores_match_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    labels = ["late", "damaged", "price", "service"]
    y_true = rng.choice(labels, 300).tolist()
    y_pred = [t if rng.random() < 0.6 else str(rng.choice(labels)) for t in y_true]
    m = classification_metrics(y_true, y_pred, labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    np.testing.assert_allclose(m.per_class["precision"], p)
    np.testing.assert_allclose(m.per_class["recall"], r)
    np.testing.assert_allclose(m.per_class["f1"], f)
    assert m.per_class["support"].tolist() == s.tolist()
    assert m.macro_f1 == pytest.approx(f1_score(y_true, y_pred, labels=labels, average="macro"))
    assert m.accuracy == pytest.approx(accuracy_score(y_true, y_pred))


def test_a_class_never_predicted_scores_zero_and_counts_in_the_macro_mean() -> None:
    m = classification_metrics(["a", "a", "b"], ["a", "a", "a"], ["a", "b"])
    row = m.per_class.set_index("label").loc["b"]
    assert row["precision"] == 0.0
    assert row["recall"] == 0.0
    assert m.macro_f1 == pytest.approx((0.8 + 0.0) / 2)
    assert m.to_dict()["n"] == 3


def test_length_mismatch_is_refused() -> None:
    with pytest.raises(ValueError, match="y_pred"):
        classification_metrics(["a"], ["a", "b"])
