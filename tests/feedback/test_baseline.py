"""The TF-IDF + logistic-regression baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import FeedbackInputError
from supplymind.feedback.baseline import TfidfClassifier
from supplymind.feedback.split import stratified_split


@pytest.fixture(scope="module")
def split(sample_feedback: pd.DataFrame) -> tuple[list[str], list[str], list[str], list[str]]:
    texts = sample_feedback["text"].tolist()
    labels = sample_feedback["sentiment"].tolist()
    train, test = stratified_split(labels, 0.3, seed=0)
    return (
        [texts[i] for i in train],
        [labels[i] for i in train],
        [texts[i] for i in test],
        [labels[i] for i in test],
    )


def test_it_learns_the_sample_sentiments(split: tuple[list[str], ...]) -> None:
    x, y, vx, vy = split
    clf = TfidfClassifier().fit(x, y, val_texts=vx, val_labels=vy)
    assert clf.classes_ == ["negative", "neutral", "positive"]
    accuracy = float(np.mean(clf.predict(vx) == np.array(vy)))
    assert accuracy > 0.8  # template texts: easy, but three classes
    assert clf.C_ in (0.25, 1.0, 4.0, 16.0)
    probs = clf.predict_proba(vx)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_saved_and_loaded_gives_the_same_probabilities(
    split: tuple[list[str], ...], tmp_path: Path
) -> None:
    x, y, vx, vy = split
    clf = TfidfClassifier().fit(x, y, val_texts=vx, val_labels=vy)
    loaded = TfidfClassifier.load(clf.save(tmp_path))
    np.testing.assert_allclose(loaded.predict_proba(vx), clf.predict_proba(vx), atol=1e-12)
    assert loaded.classes_ == clf.classes_
    assert not any(p.suffix == ".pkl" for p in tmp_path.iterdir())


def test_binary_task_has_two_probability_columns() -> None:
    x = ["好 很好", "很好 不错", "差 很差", "太差 差"] * 3
    y = ["pos", "pos", "neg", "neg"] * 3
    clf = TfidfClassifier(C=1.0).fit(x, y)
    assert clf.predict_proba(["很好"]).shape == (1, 2)
    assert clf.predict(["很差 差"])[0] == "neg"


def test_personal_data_is_redacted_before_the_vocabulary_is_built() -> None:
    x = ["call 13812345678 good", "13812345678 bad", "good good", "bad bad"] * 2
    clf = TfidfClassifier(C=1.0).fit(x, ["g", "b", "g", "b"] * 2)
    vocab = set(clf.vectorizers_["word"].vocabulary_)
    assert not any("138" in token for token in vocab)
    assert "phone" in vocab  # the [PHONE] tag


def test_validation_labels_unknown_to_training_are_refused() -> None:
    with pytest.raises(FeedbackInputError, match="val_labels"):
        TfidfClassifier().fit(["a b", "c d"], ["x", "y"], val_texts=["a"], val_labels=["z"])


def test_loading_a_folder_without_a_model_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FeedbackInputError, match=r"tfidf\.json"):
        TfidfClassifier.load(tmp_path)
