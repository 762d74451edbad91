"""The customer-feedback stage of the demo report, on the sample company's tables.

:func:`feedback_section` trains, per language, a sentiment classifier and a complaint-type
classifier on the feedback received before a cutoff (the first 70 % by time), with the
encoder of the language (``supplymind-zh-char-small`` for Chinese, ``all-minilm-l6-v2``
for English) fine-tuned through the shared engine (LoRA, a few steps) and guarded against
its frozen-encoder (head-only) and TF-IDF baselines; scores them on the feedback after the
cutoff; classifies every text; writes the predictions (``feedback_predictions.csv``, and
the warehouse table ``feedback_predictions`` when a warehouse is given); and plots the share
of complaints by type over time. Texts are redacted before they are used.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from supplymind.exceptions import FeedbackInputError, FeedbackWarning
from supplymind.feedback.classifier import ClassifierParams, TextClassifier
from supplymind.feedback.encoders import Encoder, load_encoder
from supplymind.feedback.language import BACKBONE_BY_LANGUAGE
from supplymind.feedback.metrics import classification_metrics
from supplymind.feedback.plot import complaint_shares, plot_complaint_share
from supplymind.feedback.redact import redact
from supplymind.files import atomic_path
from supplymind.reporting import Figure, Section

__all__ = ["feedback_section"]

_TRAIN_SHARE = 0.7
_TASKS = {"sentiment": "sentiment", "complaint": "complaint_type"}
_NEGATIVE = "negative"


def _fit(
    encoder: Encoder | None,
    backbone: str,
    task: str,
    texts: list[str],
    labels: list[str],
    *,
    steps: int,
    finetune: str,
    seed: int,
    num_threads: int | None,
) -> tuple[TextClassifier, list[str]]:
    params = ClassifierParams(
        backbone=backbone,
        finetune=finetune,
        task=task,
        steps=steps,
        head_steps=steps,
        batch_size=16,
        eval_every=max(5, steps // 3),
        patience=3,
        max_length=96,
        seed=seed,
        num_threads=num_threads,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FeedbackWarning)
        clf = TextClassifier(params, encoder=encoder).fit(texts, labels)
    return clf, [str(w.message) for w in caught if issubclass(w.category, FeedbackWarning)]


def _score_row(
    clf: TextClassifier, language: str, task: str, texts: list[str], labels: list[str]
) -> list[dict[str, Any]]:
    rows = []
    adopted = classification_metrics(labels, clf.predict(texts).tolist(), clf.classes_)
    name = "tfidf" if clf.adopted_ == "tfidf" else f"{clf.backbone_name_} ({clf.adopted_})"
    rows.append(
        {
            "language": language,
            "task": task,
            "model": f"adopted: {name}",
            "train texts": clf.n_train_ + clf.n_val_,
            "held-out texts": len(texts),
            "accuracy": adopted.accuracy,
            "macro-F1": adopted.macro_f1,
        }
    )
    if clf.baseline_ is not None and clf.adopted_ != "tfidf":
        base = classification_metrics(labels, clf.baseline_.predict(texts).tolist(), clf.classes_)
        rows.append(
            {
                "language": language,
                "task": task,
                "model": "TF-IDF + logistic regression",
                "train texts": clf.n_train_ + clf.n_val_,
                "held-out texts": len(texts),
                "accuracy": base.accuracy,
                "macro-F1": base.macro_f1,
            }
        )
    return rows


def feedback_section(
    tables: dict[str, pd.DataFrame],
    plot_dir: Path,
    rel: str,
    *,
    seed: int = 0,
    predictions_path: Path | None = None,
    warehouse: Any = None,
    steps: int = 30,
    finetune: str = "lora",
    num_threads: int | None = 1,
) -> tuple[Section, list[Path]]:
    """Classify the sample company's feedback; the report section.

    Parameters
    ----------
    tables
        The sample company's tables (``feedback``).
    plot_dir
        Folder for the PNG figure.
    rel
        Path of ``plot_dir`` relative to the report (for the figure links).
    seed
        Seed of the splits, initialisation and batches.
    predictions_path
        Where to write the predictions; default ``plot_dir.parent /
        "feedback_predictions.csv"``.
    warehouse
        An open :class:`~supplymind.data.warehouse.Warehouse` or its URL/path: the
        predictions are also stored in its ``feedback_predictions`` table. ``None``: not.
    steps
        Fine-tuning steps of each encoder candidate (the demo keeps this small).
    finetune
        Fine-tuning mode of the encoders.
    num_threads
        Torch threads while this section runs (restored afterwards); ``None`` leaves torch's
        setting. One by default: these models are small, and on a busy two-core machine two
        threads made this stage 20 times slower (594 s against 27 s).

    Returns
    -------
    tuple
        The section and the files written (the figure, then the predictions CSV).
    """
    threads = torch.get_num_threads()
    try:
        return _section(
            tables,
            plot_dir,
            rel,
            seed=seed,
            predictions_path=predictions_path,
            warehouse=warehouse,
            steps=steps,
            finetune=finetune,
            num_threads=num_threads,
        )
    finally:
        torch.set_num_threads(threads)


def _section(
    tables: dict[str, pd.DataFrame],
    plot_dir: Path,
    rel: str,
    *,
    seed: int,
    predictions_path: Path | None,
    warehouse: Any,
    steps: int,
    finetune: str,
    num_threads: int | None,
) -> tuple[Section, list[Path]]:
    began = time.perf_counter()
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    if tables["feedback"].empty:
        raise FeedbackInputError(
            "feedback: expected customer texts in the warehouse's feedback table, found none "
            "(ingest a feedback file first: supplymind ingest feedback FILE)"
        )
    feedback = tables["feedback"].sort_values(["timestamp", "feedback_id"], kind="stable")
    feedback = feedback.reset_index(drop=True)
    feedback["text"] = [redact(str(t)) for t in feedback["text"]]
    cutoff = feedback["timestamp"].iloc[int(_TRAIN_SHARE * (len(feedback) - 1))]
    is_train = (feedback["timestamp"] <= cutoff).to_numpy()

    scores: list[dict[str, Any]] = []
    notes: list[str] = []
    predicted = pd.DataFrame(
        {
            "feedback_id": feedback["feedback_id"],
            "timestamp": feedback["timestamp"],
            "language": feedback["language"],
            "sentiment": None,
            "sentiment_score": np.nan,
            "complaint_type": None,
            "complaint_score": np.nan,
        }
    )
    adoption_rows: list[dict[str, Any]] = []
    for language in sorted(feedback["language"].dropna().unique()):
        backbone = BACKBONE_BY_LANGUAGE.get(str(language), BACKBONE_BY_LANGUAGE["en"])
        try:
            encoder: Encoder | None = load_encoder(backbone)
        except (ImportError, FileNotFoundError) as exc:
            notes.append(f"{language}: encoder {backbone} unavailable ({exc}); TF-IDF only.")
            encoder, backbone = None, "tfidf"
        in_language = (feedback["language"] == language).to_numpy()
        texts_all = feedback.loc[in_language, "text"].tolist()
        for task, column in _TASKS.items():
            labelled = in_language & feedback[column].notna().to_numpy()
            train = labelled & is_train
            test = labelled & ~is_train
            if feedback.loc[train, column].nunique() < 2:
                notes.append(f"{language}/{task}: fewer than two classes before the cutoff.")
                continue
            clf, caught = _fit(
                encoder,
                backbone,
                task,
                feedback.loc[train, "text"].tolist(),
                feedback.loc[train, column].astype(str).tolist(),
                steps=steps,
                finetune=finetune,
                seed=seed,
                num_threads=num_threads,
            )
            notes += [f"{language}/{task}: {message}" for message in caught]
            known = feedback[column].isin(clf.classes_).to_numpy()
            if (test & known).any():
                scores += _score_row(
                    clf,
                    str(language),
                    task,
                    feedback.loc[test & known, "text"].tolist(),
                    feedback.loc[test & known, column].astype(str).tolist(),
                )
            for row in clf.adoption_:
                adoption_rows.append(
                    {
                        "language": language,
                        "task": task,
                        "candidate": row["candidate"],
                        "val macro-F1": row["val_macro_f1"],
                        "val ECE raw": row["val_ece_raw"],
                        "val ECE calibrated": row["val_ece"],
                        "train s": row["train_seconds"],
                        "adopted": "yes" if row.get("adopted") else "",
                    }
                )
            proba = clf.predict_proba(texts_all)
            label_col = "sentiment" if task == "sentiment" else "complaint_type"
            score_col = f"{task}_score"
            predicted.loc[in_language, label_col] = np.asarray(clf.classes_, dtype=object)[
                proba.argmax(axis=1)
            ]
            predicted.loc[in_language, score_col] = proba.max(axis=1)

    # A complaint type only means something for a text read as negative.
    not_negative = predicted["sentiment"] != _NEGATIVE
    predicted.loc[not_negative, ["complaint_type", "complaint_score"]] = [None, np.nan]
    out_file = predictions_path or plot_dir.parent / "feedback_predictions.csv"
    with atomic_path(out_file) as tmp:
        predicted.to_csv(tmp, index=False, float_format="%.4f")
    if warehouse is not None:
        _store(warehouse, predicted)

    complaints = predicted[predicted["complaint_type"].notna()]
    counts = complaint_shares(complaints, freq=None)
    figure = plot_complaint_share(
        counts,
        plot_dir / "feedback_complaints.png",
        title="Complaints (texts classified negative) and the share of each predicted type",
    )
    section = Section("Customer feedback")
    n_train = int(is_train.sum())
    by_language = ", ".join(f"{n} {k}" for k, n in feedback["language"].value_counts().items())
    section.paragraphs.append(
        f"{len(feedback)} feedback texts ({by_language}). "
        f"Per language, a sentiment and a complaint-type classifier were trained on the "
        f"{n_train} texts up to {cutoff:%Y-%m-%d} and scored on the {len(feedback) - n_train} "
        "later ones: the language's pretrained encoder (supplymind-zh-char-small for Chinese, "
        f"all-MiniLM-L6-v2 for English) fine-tuned ({finetune}, {steps} steps) through the "
        "shared engine with class-weighted cross-entropy, and adopted only if it beats the "
        "frozen encoder with a trained head and the TF-IDF baseline on a validation split; "
        "probabilities are temperature-scaled on that split. Phone numbers, e-mails, ID and "
        "card numbers and addresses were redacted first."
    )
    section.paragraphs.append(
        f"Every text was then classified; {len(complaints)} were read as complaints. "
        "feedback_predictions.csv holds the predicted sentiment and complaint type with their "
        "calibrated probabilities."
    )
    if scores:
        section.add_table(pd.DataFrame(scores), float_format="{:.3f}")
    if adoption_rows:
        section.add_table(pd.DataFrame(adoption_rows), float_format="{:.3f}")
    section.notes.append(
        "The sample company's texts are generated from templates, so scores here say that the "
        "pipeline works, not how well it reads real customers; benchmarks/results/feedback.md "
        "has the scores on public review data."
    )
    section.notes += notes
    section.notes.append(f"Stage time: {time.perf_counter() - began:.1f} s.")
    section.figures.append(
        Figure(
            f"{rel}/{figure.name}",
            "Number of complaints per month (per quarter when there are few) and the share of "
            "each predicted complaint type.",
        )
    )
    return section, [figure, out_file]


def _store(warehouse: Any, predicted: pd.DataFrame) -> None:
    from supplymind.data.warehouse import Warehouse
    from supplymind.feedback.store import write_predictions

    now = pd.Timestamp.now().floor("s")
    rows = []
    for task, col in (("sentiment", "sentiment"), ("complaint", "complaint_type")):
        part = predicted[predicted[col].notna()]
        rows.append(
            pd.DataFrame(
                {
                    "feedback_id": part["feedback_id"],
                    "task": task,
                    "label": part[col],
                    "score": part[f"{task}_score"],
                    "model": "demo",
                    "predicted_at": now,
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    if isinstance(warehouse, Warehouse):
        write_predictions(warehouse, frame)
        return
    with Warehouse(warehouse) as wh:
        write_predictions(wh, frame)
