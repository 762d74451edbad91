"""The file and warehouse jobs behind ``supplymind feedback`` (the CLI is a thin shell).

- :func:`run_train`: a labelled CSV/Parquet file (or the warehouse ``feedback`` table) to a
  saved classifier;
- :func:`run_classify`: a saved classifier and texts to predictions (``label``, ``score``),
  written to a file and optionally to the warehouse; with a label column, also the scores;
- :func:`run_redact`: a file with its text column redacted.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supplymind.data.ingest import read_table_file
from supplymind.exceptions import ConfigurationError, FeedbackInputError, FeedbackWarning
from supplymind.feedback.classifier import ClassifierParams, TextClassifier
from supplymind.feedback.inputs import format_rows, has_text, require_columns
from supplymind.feedback.language import pick_backbone
from supplymind.feedback.metrics import ClassificationMetrics, classification_metrics
from supplymind.feedback.redact import find_pii, redact
from supplymind.files import atomic_path

__all__ = [
    "ClassifyRun",
    "RedactRun",
    "TrainRun",
    "read_texts",
    "run_classify",
    "run_redact",
    "run_train",
]

#: Label column of the warehouse ``feedback`` table per task.
TASK_COLUMNS: dict[str, str] = {"sentiment": "sentiment", "complaint": "complaint_type"}


def read_texts(
    path: str | Path,
    *,
    text_col: str = "text",
    label_col: str | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read a CSV/Parquet file and check that it has the text (and label) column.

    ``encoding`` is the text encoding of a CSV file (any Python codec name; with UTF-8 a
    byte-order mark is skipped). A file that does not decode is a
    :class:`~supplymind.exceptions.FeedbackInputError` naming the file and the encoding.
    """
    source = Path(path)
    try:
        frame = read_table_file(source, sep=sep, encoding=encoding)
    except FileNotFoundError as exc:
        raise FeedbackInputError(f"--data: expected an existing file, found {source}") from exc
    except ConfigurationError as exc:
        raise FeedbackInputError(f"--data {exc}") from exc
    columns = [text_col] + ([label_col] if label_col else [])
    require_columns(frame, columns, f"file {source} (--text-col/--label-col)")
    return frame


def _from_db(db: str | None, task: str | None, language: str | None) -> pd.DataFrame:
    from supplymind.data.warehouse import Warehouse
    from supplymind.feedback.store import read_feedback

    with Warehouse(db) as wh:
        frame = read_feedback(wh, language=language)
    if task is not None and task not in TASK_COLUMNS:
        raise FeedbackInputError(
            f"--task: expected one of {sorted(TASK_COLUMNS)} with --from-db, found {task!r}"
        )
    return frame


@dataclass
class TrainRun:
    """What :func:`run_train` did."""

    classifier: TextClassifier
    out: Path
    n_texts: int
    n_unlabelled_dropped: int
    summary: dict[str, Any] = field(default_factory=dict)
    n_empty_dropped: int = 0


def run_train(
    out: str | Path,
    *,
    data: str | Path | None = None,
    from_db: bool = False,
    db: str | None = None,
    language: str | None = None,
    text_col: str = "text",
    label_col: str | None = None,
    params: ClassifierParams | None = None,
    progress: bool = False,
    encoding: str = "utf-8",
) -> TrainRun:
    """Fit a classifier on labelled texts and save it to ``out``.

    Parameters
    ----------
    out
        Model folder to write.
    data
        CSV/Parquet file with a text column and a label column.
    from_db, db, language
        Train on the warehouse ``feedback`` table instead (the label column follows
        ``params.task``: ``sentiment`` or ``complaint_type``), optionally one language.
    text_col, label_col
        Column names (``label_col`` default: ``label`` for files, the task's column for the
        warehouse).
    params
        Classifier settings; ``backbone="auto"`` picks the encoder from the texts' language.
    progress
        Show progress bars.
    encoding
        Text encoding of a CSV ``data`` file.

    Rows without a label and labelled rows with an empty or blank text are left out
    (counted in ``n_unlabelled_dropped`` and ``n_empty_dropped``, with a
    :class:`~supplymind.exceptions.FeedbackWarning`); no row left is an error.
    """
    params = params or ClassifierParams()
    if from_db == (data is not None):
        raise FeedbackInputError("expected exactly one of a data file or --from-db")
    if from_db:
        frame = _from_db(db, params.task, language)
        label_col = label_col or TASK_COLUMNS[params.task]
        source = "warehouse table 'feedback'"
    else:
        assert data is not None  # checked above
        label_col = label_col or "label"
        frame = read_texts(data, text_col=text_col, label_col=label_col, encoding=encoding)
        source = str(data)
    require_columns(frame, [text_col, label_col], source)
    has_label = (
        frame[label_col].notna() & (frame[label_col].astype(str).str.strip() != "")
    ).to_numpy()
    text_ok = np.asarray(has_text(frame[text_col]), dtype=bool)
    dropped = int((~has_label).sum())
    empty = np.flatnonzero(has_label & ~text_ok)
    keep = has_label & text_ok
    if not keep.any():
        raise FeedbackInputError(
            f"{source}: expected rows with a label in column {label_col!r} and a non-empty text "
            f"in column {text_col!r}, found none ({len(frame)} rows: {dropped} without a "
            f"label, {empty.size} labelled with an empty text)"
        )
    if empty.size or dropped:
        parts = []
        if empty.size:
            parts.append(
                f"{empty.size} with an empty text in column {text_col!r} (rows "
                f"{format_rows(empty.tolist())})"
            )
        if dropped:
            parts.append(f"{dropped} without a label in column {label_col!r}")
        warnings.warn(
            f"{source}: training leaves out {empty.size + dropped} of {len(frame)} rows: "
            + " and ".join(parts),
            FeedbackWarning,
            stacklevel=2,
        )
    labelled = frame[keep]
    texts = labelled[text_col].tolist()
    labels = labelled[label_col].astype(str).str.strip().tolist()
    backbone = pick_backbone(texts, params.backbone)
    params = params.replace(backbone=backbone)
    clf = TextClassifier(params).fit(texts, labels, progress=progress)
    clf.save(out)
    summary = {
        "source": source,
        "texts": len(texts),
        "unlabelled_dropped": dropped,
        "empty_dropped": int(empty.size),
        "backbone": backbone,
        "adopted": clf.adopted_,
        "classes": clf.classes_,
        "adoption": [
            {k: v for k, v in row.items() if k != "val_per_class"} for row in clf.adoption_
        ],
    }
    return TrainRun(clf, Path(out), len(texts), dropped, summary, int(empty.size))


@dataclass
class ClassifyRun:
    """What :func:`run_classify` did."""

    predictions: pd.DataFrame
    out: Path | None
    metrics: ClassificationMetrics | None = None
    written_to_db: int = 0
    n_empty: int = 0


def _predict_frame(
    clf: TextClassifier, frame: pd.DataFrame, text_col: str, probs: bool, source: str
) -> tuple[pd.DataFrame, int]:
    """The frame with the predictions, and how many rows had no text to classify.

    A row with an empty, blank or missing text keeps its place with empty ``label`` and
    ``score`` (and ``prob_*``) cells: the models refuse empty texts rather than guess.
    """
    values = frame[text_col].tolist()
    ok = np.asarray(has_text(values), dtype=bool)
    proba = np.full((len(values), len(clf.classes_)), np.nan)
    if ok.any():
        proba[ok] = clf.predict_proba([v for v, keep in zip(values, ok, strict=True) if keep])
    empty = np.flatnonzero(~ok)
    if empty.size:
        warnings.warn(
            f"{source}: {empty.size} of {len(values)} rows have an empty text in column "
            f"{text_col!r} (rows {format_rows(empty.tolist())}); their label and score are "
            "left empty",
            FeedbackWarning,
            stacklevel=3,
        )
    out = frame.copy()
    if clf.params.redact_pii:
        out[text_col] = [redact(v) if keep else v for v, keep in zip(values, ok, strict=True)]
    for col in ("label", "score"):
        if col in out.columns:
            out = out.rename(columns={col: f"{col}_input"})
    best = np.where(ok, np.nan_to_num(proba, nan=0.0).argmax(axis=1), -1)
    out["label"] = [clf.classes_[i] if i >= 0 else None for i in best]
    out["score"] = np.where(ok, np.nan_to_num(proba, nan=0.0).max(axis=1), np.nan)
    if probs:
        for j, label in enumerate(clf.classes_):
            out[f"prob_{label}"] = proba[:, j]
    return out, int(empty.size)


def run_classify(
    model: str | Path,
    *,
    out: str | Path | None = None,
    data: str | Path | None = None,
    from_db: bool = False,
    db: str | None = None,
    write_db: bool = False,
    language: str | None = None,
    text_col: str = "text",
    label_col: str | None = None,
    probs: bool = False,
    encoding: str = "utf-8",
) -> ClassifyRun:
    """Classify texts with a saved model.

    Parameters
    ----------
    model
        Folder written by :func:`run_train`.
    out
        CSV/Parquet to write: the input columns (text redacted) plus ``label`` (predicted)
        and ``score`` (its calibrated probability); input columns named ``label`` or
        ``score`` are kept as ``label_input`` / ``score_input``.
    data
        CSV/Parquet with the text column.
    from_db, db, language
        Classify the warehouse ``feedback`` table instead (optionally one language).
    write_db
        Store the predictions in the warehouse table ``feedback_predictions``.
    text_col, label_col
        Column names; with ``label_col`` the predictions are scored against it (a label the
        model does not know is an error).
    probs
        Add one ``prob_<label>`` column per class.
    encoding
        Text encoding of a CSV ``data`` file.

    Every input row gives one output row, in order; rows with an empty or blank text get
    empty ``label`` and ``score`` cells (counted in ``n_empty``, with a
    :class:`~supplymind.exceptions.FeedbackWarning`), are not scored against the labels
    and are not stored in the warehouse.
    """
    if from_db == (data is not None):
        raise FeedbackInputError("expected exactly one of a data file or --from-db")
    clf = TextClassifier.load(model)
    if from_db:
        frame = _from_db(db, None, language)
        source = "warehouse table 'feedback'"
    else:
        assert data is not None  # checked above
        frame = read_texts(data, text_col=text_col, label_col=label_col, encoding=encoding)
        source = str(data)
    require_columns(frame, [text_col] + ([label_col] if label_col else []), source)
    metrics = None
    if label_col:
        labelled = frame[label_col].notna() & (frame[label_col].astype(str).str.strip() != "")
        truth = frame.loc[labelled, label_col].astype(str).str.strip()
        unknown = sorted(set(truth) - set(clf.classes_))
        if unknown:
            raise FeedbackInputError(
                f"column {label_col!r}: labels {unknown} are not classes of the model "
                f"{model} (it knows {clf.classes_})"
            )
    predictions, n_empty = _predict_frame(clf, frame, text_col, probs, source)
    predicted = predictions["label"].notna()
    if label_col:
        keep = (
            frame[label_col].notna() & (frame[label_col].astype(str).str.strip() != "")
        ) & predicted
        truth_col = f"{label_col}_input" if label_col in ("label", "score") else label_col
        metrics = classification_metrics(
            predictions.loc[keep, truth_col].astype(str).str.strip().tolist(),
            predictions.loc[keep, "label"].tolist(),
            clf.classes_,
        )
    if out is not None:
        target = Path(out)
        with atomic_path(target) as tmp:
            if target.suffix.lower() in (".parquet", ".pq"):
                predictions.to_parquet(tmp, index=False)
            else:
                predictions.to_csv(tmp, index=False)
    written = 0
    if write_db:
        if "feedback_id" not in predictions.columns:
            raise FeedbackInputError(
                "--write-db: expected a feedback_id column to key the predictions, found "
                f"{list(frame.columns)}"
            )
        from supplymind.data.warehouse import Warehouse
        from supplymind.feedback.store import write_predictions

        stored = predictions[predicted]
        rows = pd.DataFrame(
            {
                "feedback_id": stored["feedback_id"].astype(str),
                "task": clf.params.task,
                "label": stored["label"],
                "score": stored["score"],
                "model": f"{getattr(clf, 'backbone_name_', 'tfidf')}:{clf.adopted_}",
                "predicted_at": pd.Timestamp(dt.datetime.now()).floor("s"),
            }
        )
        with Warehouse(db) as wh:
            written = write_predictions(wh, rows)
    return ClassifyRun(predictions, None if out is None else Path(out), metrics, written, n_empty)


@dataclass
class RedactRun:
    """What :func:`run_redact` did."""

    out: Path
    n_texts: int
    n_changed: int
    found: dict[str, int]


def run_redact(
    data: str | Path,
    out: str | Path,
    *,
    text_col: str = "text",
    sep: str | None = None,
    encoding: str = "utf-8",
) -> RedactRun:
    """Write ``data`` to ``out`` with personal data in ``text_col`` replaced by tags
    (``encoding``: that of a CSV ``data`` file; ``out`` is written as UTF-8)."""
    frame = read_texts(data, text_col=text_col, sep=sep, encoding=encoding)
    found: Counter[str] = Counter()
    redacted = []
    changed = 0
    for value in frame[text_col].tolist():
        if not isinstance(value, str):
            redacted.append(value)  # missing text stays missing
            continue
        found.update(m.kind for m in find_pii(value))
        redacted.append(redact(value))
        changed += redacted[-1] != value
    frame[text_col] = redacted
    target = Path(out)
    with atomic_path(target) as tmp:
        if target.suffix.lower() in (".parquet", ".pq"):
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
    return RedactRun(target, len(frame), changed, dict(found))
