"""Saved model folders: format checks and forward compatibility."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supplymind.exceptions import FeedbackInputError, FeedbackWarning
from supplymind.feedback.classifier import ClassifierParams, TextClassifier
from supplymind.feedback.io import FORMAT

TEXTS = ["很好", "非常好", "太差了", "很差", "good", "bad"] * 8
LABELS = ["pos", "pos", "neg", "neg", "pos", "neg"] * 8


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    clf = TextClassifier(ClassifierParams(backbone="tfidf")).fit(TEXTS, LABELS)
    return clf.save(tmp_path / "m")


def test_tfidf_model_round_trips(saved: Path) -> None:
    meta = json.loads((saved / "feedback_model.json").read_text())
    assert meta["format"] == FORMAT
    assert meta["kind"] == "tfidf"
    loaded = TextClassifier.load(saved)
    assert loaded.predict(["很好", "bad"]).tolist() == ["pos", "neg"]
    assert (saved / "README.md").is_file()


def test_unknown_keys_are_ignored_with_a_warning(saved: Path) -> None:
    path = saved / "feedback_model.json"
    meta = json.loads(path.read_text())
    meta["written_by_a_later_version"] = True
    path.write_text(json.dumps(meta))
    with pytest.warns(FeedbackWarning, match="written_by_a_later_version"):
        TextClassifier.load(saved)


def test_a_folder_of_something_else_is_refused(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(FeedbackInputError, match=r"feedback_model\.json"):
        TextClassifier.load(tmp_path / "nothing")
    path = saved / "feedback_model.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "format": "other"}))
    with pytest.raises(FeedbackInputError, match="expected format"):
        TextClassifier.load(saved)


def test_saving_an_unfitted_classifier_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FeedbackInputError, match="fitted"):
        TextClassifier().save(tmp_path)
