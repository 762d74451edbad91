"""The feedback classifier: fine-tuning through the engine, guarded adoption, calibration,
fallback and input checks (on the tiny committed encoder)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from supplymind.exceptions import ConfigurationError, FeedbackInputError, FeedbackWarning
from supplymind.feedback.classifier import ClassifierParams, TextClassifier, class_weights
from supplymind.feedback.encoders import Encoder

FULL = ClassifierParams(
    backbone="tiny",
    finetune="full",
    steps=60,
    eval_every=20,
    batch_size=16,
    learning_rate=3e-3,
    max_length=64,
)


@pytest.fixture(scope="module")
def fitted(tiny_encoder: Encoder, sample_feedback: pd.DataFrame) -> TextClassifier:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeedbackWarning)
        return TextClassifier(FULL, encoder=tiny_encoder).fit(
            sample_feedback["text"].tolist(), sample_feedback["sentiment"].tolist()
        )


def test_fine_tuning_learns_and_every_candidate_is_recorded(fitted: TextClassifier) -> None:
    rows = {r["candidate"]: r for r in fitted.adoption_}
    assert list(rows) == ["full", "head", "tfidf"]
    assert sum(bool(r["adopted"]) for r in rows.values()) == 1
    assert rows["full"]["best_step"] > 0  # it beat the untrained head on validation loss
    assert rows["full"]["val_macro_f1"] > 0.5  # chance is about 0.33
    assert fitted.adopted_ == max(rows, key=lambda k: rows[k]["val_macro_f1"])
    assert {"val_ece_raw", "val_ece", "train_seconds", "trainable_parameters"} <= set(rows["full"])


def test_fine_tuning_leaves_the_pretrained_encoder_untouched(
    tiny_encoder: Encoder, sample_feedback: pd.DataFrame
) -> None:
    before = {k: v.clone() for k, v in tiny_encoder.model.state_dict().items()}
    TextClassifier(FULL.replace(steps=5, guard=False), encoder=tiny_encoder).fit(
        sample_feedback["text"].tolist()[:80], sample_feedback["sentiment"].tolist()[:80]
    )
    after = tiny_encoder.model.state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert tiny_encoder.model.pooler is not None


def test_probabilities_are_calibrated_rows_in_class_order(
    fitted: TextClassifier, sample_feedback: pd.DataFrame
) -> None:
    texts = sample_feedback["text"].tolist()[:50]
    probs = fitted.predict_proba(texts)
    assert probs.shape == (50, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert fitted.classes_ == ["negative", "neutral", "positive"]
    pred = fitted.predict(texts)
    assert pred.tolist() == [fitted.classes_[i] for i in probs.argmax(axis=1)]
    assert fitted.temperature_ > 0


def test_when_the_encoder_is_adopted_it_predicts_with_the_network(
    tiny_encoder: Encoder, sample_feedback: pd.DataFrame, tmp_path: Path
) -> None:
    """Unguarded: the fine-tuned network is adopted, saved and loaded back exactly."""
    clf = TextClassifier(FULL.replace(guard=False, steps=20), encoder=tiny_encoder).fit(
        sample_feedback["text"].tolist(), sample_feedback["sentiment"].tolist()
    )
    assert clf.adopted_ == "full"
    assert clf.net_ is not None
    assert clf.baseline_ is None
    texts = sample_feedback["text"].tolist()[:40]
    loaded = TextClassifier.load(clf.save(tmp_path / "model"))
    np.testing.assert_allclose(loaded.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)
    assert loaded.adopted_ == "full"
    assert loaded.classes_ == clf.classes_
    assert (tmp_path / "model" / "README.md").read_text().count("| full |") == 1


def test_same_seed_same_model(tiny_encoder: Encoder, sample_feedback: pd.DataFrame) -> None:
    params = FULL.replace(guard=False, steps=8, eval_every=4)
    texts, labels = sample_feedback["text"].tolist(), sample_feedback["sentiment"].tolist()
    a = TextClassifier(params, encoder=tiny_encoder).fit(texts, labels)
    b = TextClassifier(params, encoder=tiny_encoder).fit(texts, labels)
    np.testing.assert_array_equal(a.predict_proba(texts[:30]), b.predict_proba(texts[:30]))


def test_lora_adapters_are_merged_into_a_plain_network(
    tiny_encoder: Encoder, sample_feedback: pd.DataFrame
) -> None:
    clf = TextClassifier(
        FULL.replace(finetune="lora", guard=False, steps=6, learning_rate=1e-2),
        encoder=tiny_encoder,
    ).fit(sample_feedback["text"].tolist(), sample_feedback["sentiment"].tolist())
    assert clf.net_ is not None
    names = [n for n, _ in clf.net_.named_parameters()]
    assert not any("lora" in n for n in names)
    assert clf.adoption_[0]["trainable_parameters"] < sum(
        p.numel() for p in tiny_encoder.model.parameters()
    )


def test_too_few_labels_fall_back_to_tfidf_with_a_warning(tiny_encoder: Encoder) -> None:
    texts = ["很好", "非常好", "太差了", "很差", "good", "bad"] * 3
    labels = ["pos", "pos", "neg", "neg", "pos", "neg"] * 3
    with pytest.warns(FeedbackWarning, match="TF-IDF baseline instead"):
        clf = TextClassifier(FULL, encoder=tiny_encoder).fit(texts, labels)
    assert clf.adopted_ == "tfidf"
    assert clf.net_ is None
    assert [r["candidate"] for r in clf.adoption_] == ["tfidf"]
    assert clf.predict(["很好"])[0] in {"pos", "neg"}


def test_personal_data_is_redacted_before_training(
    tiny_encoder: Encoder, sample_feedback: pd.DataFrame
) -> None:
    texts = [t + " 电话13812345678" for t in sample_feedback["text"].tolist()]
    clf = TextClassifier(FULL.replace(backbone="tfidf"), encoder=tiny_encoder).fit(
        texts, sample_feedback["sentiment"].tolist()
    )
    assert clf.baseline_ is not None
    vocab = clf.baseline_.vectorizers_["char"].vocabulary_
    assert not any("138" in gram for gram in vocab)


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        (["好", " ", "差"] * 20, ["a", "b", "a"] * 20, r"texts: expected non-empty texts.*rows 2"),
        (["好", "差"] * 20, ["a", None] * 20, r"labels: expected a label for every text"),
        (["好", "差"] * 20, ["a"] * 40, r"at least two classes"),
        (["好", "差"], ["a"], r"one label per text"),
        ("好", ["a"], r"a sequence of texts"),
    ],
)
def test_bad_input_gives_a_clear_error(
    tiny_encoder: Encoder, texts: object, labels: list[object], message: str
) -> None:
    with pytest.raises(FeedbackInputError, match=message):
        TextClassifier(FULL, encoder=tiny_encoder).fit(texts, labels)  # type: ignore[arg-type]


def test_unfitted_classifier_refuses_to_predict() -> None:
    with pytest.raises(ConfigurationError, match="fit"):
        TextClassifier().predict(["好"])


def test_class_weights_balance_the_classes() -> None:
    labels = [0] * 90 + [1] * 10
    w = class_weights(labels, 2, "balanced")
    assert w is not None
    assert float(w[1] / w[0]) == pytest.approx(9.0)
    assert float(w[labels].mean()) == pytest.approx(1.0)
    sqrt = class_weights(labels, 2, "sqrt")
    assert sqrt is not None
    assert float(sqrt[1] / sqrt[0]) == pytest.approx(3.0)
    assert class_weights(labels, 2, "none") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"finetune": "prompt"}, "finetune"),
        ({"class_weight": "inverse"}, "class_weight"),
        ({"pooling": "max"}, "pooling"),
        ({"truncation": "tail"}, "truncation"),
        ({"val_share": 0.6}, "val_share"),
        ({"dropout": 1.0}, "dropout"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"steps": 0}, "steps"),
        ({"batch_size": True}, "batch_size"),
        ({"min_labels": 2}, "min_labels"),
        ({"head_steps": 0}, "head_steps"),
        ({"backbone": " "}, "backbone"),
    ],
)
def test_bad_params_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"ClassifierParams.{message}"):
        ClassifierParams(**change)  # type: ignore[arg-type]


def test_unknown_saved_settings_are_ignored_with_a_warning() -> None:
    with pytest.warns(FeedbackWarning, match="unknown settings"):
        params = ClassifierParams.from_dict({"steps": 3, "future_option": 1})
    assert params.steps == 3


def test_models_saved_before_head_tail_truncation_keep_cutting_heads() -> None:
    """A saved model without the setting was trained on heads; new ones default to both."""
    assert ClassifierParams.from_dict({"steps": 3}).truncation == "head"
    assert ClassifierParams().truncation == "head_tail"
    assert ClassifierParams.from_dict({"truncation": "head_tail"}).truncation == "head_tail"


def test_validation_texts_must_be_labelled_and_known(tiny_encoder: Encoder) -> None:
    texts, labels = ["很好", "太差了"] * 30, ["pos", "neg"] * 30
    clf = TextClassifier(FULL.replace(backbone="tfidf"), encoder=tiny_encoder)
    with pytest.raises(FeedbackInputError, match="val_labels: expected a label"):
        clf.fit(texts, labels, val_texts=["好", "差"], val_labels=["pos", None])  # type: ignore[list-item]
    with pytest.raises(FeedbackInputError, match=r"val_labels: expected classes .*\['meh'\]"):
        clf.fit(texts, labels, val_texts=["好", "差"], val_labels=["pos", "meh"])
    with pytest.raises(FeedbackInputError, match="both or neither"):
        clf.fit(texts, labels, val_texts=["好"])
