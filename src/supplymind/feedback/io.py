"""Saving and loading fine-tuned feedback classifiers.

A model folder holds, next to each other:

``feedback_model.json``
    format version, kind (``encoder`` or ``tfidf``), task, classes, temperature, the
    settings, the adoption table (every candidate's validation scores) and the adopted
    candidate's per-class validation scores; unknown keys are ignored with a warning;
``model.safetensors`` and ``encoder/``
    (``encoder`` kind) the network's weights, adapters merged, and the encoder's
    ``config.json`` and tokenizer files;
``tfidf.json`` and ``tfidf.safetensors``
    (``tfidf`` kind) the baseline's vocabularies, IDF weights and coefficients;
``README.md``
    a model card.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from supplymind.exceptions import FeedbackInputError, FeedbackWarning
from supplymind.feedback.baseline import TfidfClassifier
from supplymind.feedback.classifier import ClassifierParams, TextClassifier
from supplymind.feedback.encoders import quiet_transformers
from supplymind.feedback.network import TextClassifierNet
from supplymind.files import atomic_path, atomic_write_text

__all__ = ["FORMAT", "load_classifier", "save_classifier"]

#: Value of the ``format`` key of ``feedback_model.json``.
FORMAT = "supplymind-feedback-classifier"
_VERSION = 1
_META = "feedback_model.json"
_WEIGHTS = "model.safetensors"
_ENCODER = "encoder"
_KNOWN = {
    "format",
    "version",
    "kind",
    "task",
    "classes",
    "temperature",
    "adopted",
    "backbone",
    "params",
    "adoption",
    "val_per_class",
    "n_train",
    "n_val",
    "created",
}


def save_classifier(clf: TextClassifier, folder: str | Path) -> Path:
    """Write a fitted :class:`~supplymind.feedback.classifier.TextClassifier` to ``folder``."""
    if not hasattr(clf, "classes_"):
        raise FeedbackInputError("clf: expected a fitted classifier, found an unfitted one")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    kind = "tfidf" if clf.net_ is None else "encoder"
    meta: dict[str, Any] = {
        "format": FORMAT,
        "version": _VERSION,
        "kind": kind,
        "task": clf.params.task,
        "classes": list(clf.classes_),
        "temperature": float(clf.temperature_),
        "adopted": clf.adopted_,
        "backbone": getattr(clf, "backbone_name_", "tfidf"),
        "params": clf.params.to_dict(),
        "adoption": [
            {k: v for k, v in row.items() if k != "val_per_class"} for row in clf.adoption_
        ],
        "val_per_class": clf.val_metrics_,
        "n_train": int(clf.n_train_),
        "n_val": int(clf.n_val_),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if clf.net_ is None:
        baseline: TfidfClassifier = clf._adopted_model
        baseline.save(target)
    else:
        state = {k: v.detach().contiguous() for k, v in clf.net_.state_dict().items()}
        with atomic_path(target / _WEIGHTS) as tmp:
            save_file(state, str(tmp))
        encoder_dir = target / _ENCODER
        encoder_dir.mkdir(exist_ok=True)
        encoder: Any = clf.net_.encoder
        with quiet_transformers():
            encoder.config.save_pretrained(encoder_dir)
            clf.tokenizer_.save_pretrained(encoder_dir)
    atomic_write_text(target / _META, json.dumps(meta, indent=1, ensure_ascii=False))
    _write_card(target, meta)
    return target


def load_classifier(folder: str | Path) -> TextClassifier:
    """Read a classifier written by :func:`save_classifier`."""
    source = Path(folder)
    try:
        meta = json.loads((source / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FeedbackInputError(
            f"model folder {source}: expected a {_META} written by `supplymind feedback train`, "
            f"cannot read it ({exc})"
        ) from exc
    if meta.get("format") != FORMAT:
        raise FeedbackInputError(
            f"model folder {source}: expected format {FORMAT!r}, found {meta.get('format')!r}"
        )
    unknown = sorted(set(meta) - _KNOWN)
    if unknown:
        warnings.warn(
            f"{source / _META}: ignoring unknown keys {unknown}", FeedbackWarning, stacklevel=2
        )
    params = ClassifierParams.from_dict(dict(meta["params"]))
    clf = TextClassifier(params)
    clf.classes_ = [str(c) for c in meta["classes"]]
    clf.temperature_ = float(meta["temperature"])
    clf.adopted_ = str(meta["adopted"])
    clf.adoption_ = list(meta.get("adoption", []))
    clf.val_metrics_ = list(meta.get("val_per_class", []))
    clf.n_train_, clf.n_val_ = int(meta.get("n_train", 0)), int(meta.get("n_val", 0))
    clf.backbone_name_ = str(meta.get("backbone", ""))
    clf.baseline_ = None
    if meta["kind"] == "tfidf":
        baseline = TfidfClassifier.load(source)
        baseline.temperature_ = clf.temperature_
        clf.net_ = None
        clf.baseline_ = baseline
        clf._adopted_model = baseline
        return clf
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    encoder_dir = source / _ENCODER
    with quiet_transformers():
        try:
            config = AutoConfig.from_pretrained(encoder_dir)
            tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
            encoder = AutoModel.from_config(  # type: ignore[no-untyped-call]
                config, dtype=torch.float32
            )
        except (OSError, ValueError, KeyError) as exc:
            raise FeedbackInputError(
                f"model folder {source}: cannot read the encoder in {encoder_dir} ({exc})"
            ) from exc
    net = TextClassifierNet(
        encoder, len(clf.classes_), pooling=params.pooling, dropout=params.dropout
    )
    try:
        net.load_state_dict(load_file(str(source / _WEIGHTS)), strict=True)
    except (OSError, RuntimeError) as exc:
        raise FeedbackInputError(
            f"model folder {source}: the weights in {_WEIGHTS} do not fit the encoder ({exc})"
        ) from exc
    net.eval()
    clf.net_ = net
    clf.tokenizer_ = tokenizer
    clf._adopted_model = net
    return clf


def _write_card(folder: Path, meta: dict[str, Any]) -> Path:
    rows = [
        "| candidate | val accuracy | val macro-F1 | val NLL (raw / calibrated) | val ECE "
        "(raw / calibrated) | train s | adopted |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in meta["adoption"]:
        rows.append(
            f"| {row['candidate']} | {row['val_accuracy']:.3f} | {row['val_macro_f1']:.3f} | "
            f"{row['val_nll_raw']:.3f} / {row['val_nll']:.3f} | {row['val_ece_raw']:.3f} / "
            f"{row['val_ece']:.3f} | {row['train_seconds']:.1f} | "
            f"{'yes' if row.get('adopted') else ''} |"
        )
    per_class = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    per_class += [
        f"| {r['label']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
        f"{r['support']} |"
        for r in meta["val_per_class"]
    ]
    params = meta["params"]
    text = f"""# Feedback classifier: {meta["task"]}

Classes: {", ".join(meta["classes"])}. Backbone: `{meta["backbone"]}`; requested fine-tuning
mode `{params["finetune"]}`; adopted: **{meta["adopted"]}** (best validation macro-F1 among
the candidates below; temperature {meta["temperature"]:.3f}). Trained on {meta["n_train"]}
texts, validated on {meta["n_val"]} (personal data redacted: {params["redact_pii"]}).
Created {meta["created"]} by `supplymind.feedback`.

## Candidates on the validation split

{chr(10).join(rows)}

## Adopted model, per class (validation split)

{chr(10).join(per_class)}
"""
    return atomic_write_text(folder / "README.md", text)
