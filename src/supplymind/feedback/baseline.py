"""The TF-IDF + logistic-regression text classifier: the yardstick and the fallback.

Word uni- and bigrams plus character 1-4-grams (within white-space-delimited words; a
Chinese sentence without spaces is one "word", so this covers Chinese character n-grams),
sublinear TF, a multinomial logistic regression with balanced class weights. The inverse
regularisation ``C`` is chosen on the validation split by macro-F1, and the decision scores
are temperature-scaled on it, as for the fine-tuned models. Saved as JSON (vocabularies,
settings) and safetensors (IDF weights and coefficients): no pickle.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file, save_file
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from supplymind.exceptions import FeedbackInputError
from supplymind.feedback.calibration import fit_temperature, softmax
from supplymind.feedback.inputs import check_labels, check_texts
from supplymind.feedback.metrics import classification_metrics
from supplymind.feedback.redact import redact
from supplymind.files import atomic_path, atomic_write_text

__all__ = ["TfidfClassifier"]

FloatArray = npt.NDArray[np.float64]

_VECTORIZERS: dict[str, dict[str, Any]] = {
    "word": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True},
    "char": {
        "analyzer": "char_wb",
        "ngram_range": (1, 4),
        "min_df": 2,
        "sublinear_tf": True,
        "max_features": 300_000,
    },
}
_C_GRID = (0.25, 1.0, 4.0, 16.0)
_FILE_JSON = "tfidf.json"
_FILE_WEIGHTS = "tfidf.safetensors"


class TfidfClassifier:
    """TF-IDF features and logistic regression behind the feedback-model interface.

    Parameters
    ----------
    C
        Inverse regularisation strength; ``None`` picks it from ``(0.25, 1, 4, 16)`` on the
        validation split (``1.0`` without one).
    calibrate
        Temperature-scale the probabilities on the validation split.
    redact_pii
        Redact personal data (:func:`~supplymind.feedback.redact.redact`) before use.
    max_iter
        Iterations of the solver.

    Attributes
    ----------
    classes_
        The labels, in the order of the probability columns.
    temperature_
        The fitted temperature (1.0 when not calibrated).
    C_
        The regularisation used.
    fit_seconds_
        Training time.
    """

    kind = "tfidf"

    def __init__(
        self,
        C: float | None = None,
        *,
        calibrate: bool = True,
        redact_pii: bool = True,
        max_iter: int = 2000,
    ) -> None:
        self.C = C
        self.calibrate = calibrate
        self.redact_pii = redact_pii
        self.max_iter = max_iter

    def _prepare(self, texts: Sequence[str], name: str = "texts") -> list[str]:
        values = check_texts(texts, name)
        return [redact(t) for t in values] if self.redact_pii else values

    def _features(self, texts: list[str]) -> Any:
        return hstack([v.transform(texts) for v in self.vectorizers_.values()]).tocsr()

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        val_texts: Sequence[str] | None = None,
        val_labels: Sequence[str] | None = None,
    ) -> TfidfClassifier:
        """Fit on labelled texts; the validation split (optional) picks ``C`` and the
        temperature."""
        began = time.perf_counter()
        x_texts = self._prepare(texts)
        y = check_labels(labels, len(x_texts))
        self.classes_ = sorted(set(y))
        index = {c: i for i, c in enumerate(self.classes_)}
        y_idx = np.array([index[c] for c in y])
        self.vectorizers_ = {}
        for key, params in _VECTORIZERS.items():
            for min_df in (params["min_df"], 1):  # few texts: keep every n-gram
                try:
                    vectorizer = TfidfVectorizer(**{**params, "min_df": min_df}).fit(x_texts)
                except ValueError:  # no n-gram of this kind at all
                    continue
                self.vectorizers_[key] = vectorizer
                break
        if not self.vectorizers_:
            raise FeedbackInputError("texts: expected words or characters, found none")
        features = self._features(x_texts)
        val = None
        if val_texts is not None and val_labels is not None and len(val_texts):
            v_texts = self._prepare(val_texts, "val_texts")
            v_labels = check_labels(val_labels, len(v_texts), "val_labels")
            unknown = sorted(set(v_labels) - set(self.classes_))
            if unknown:
                raise FeedbackInputError(
                    f"val_labels: expected classes seen in training {self.classes_}, found "
                    f"{unknown}"
                )
            val = (self._features(v_texts), v_labels)
        grid = [self.C] if self.C is not None else (list(_C_GRID) if val else [1.0])
        best: tuple[float, LogisticRegression, float] | None = None
        # One BLAS thread: on a busy machine, threads spinning on a small problem cost 40x.
        with threadpool_limits(limits=1):
            best = self._fit_grid(grid, features, y_idx, val)
        assert best is not None  # the grid is never empty
        _, self.model_, self.C_ = best
        self.temperature_ = 1.0
        if self.calibrate and val is not None:
            logits = self.model_.decision_function(val[0])
            self.temperature_ = fit_temperature(_as_logits(logits), [index[c] for c in val[1]])
        self.fit_seconds_ = time.perf_counter() - began
        return self

    def _fit_grid(
        self, grid: list[float], features: Any, y_idx: Any, val: tuple[Any, list[str]] | None
    ) -> tuple[float, LogisticRegression, float] | None:
        best: tuple[float, LogisticRegression, float] | None = None
        for c in grid:
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=self.max_iter)
            model.fit(features, y_idx)
            score = 0.0
            if val is not None:
                pred = [self.classes_[i] for i in model.predict(val[0])]
                score = classification_metrics(val[1], pred, self.classes_).macro_f1
            if best is None or score > best[0]:
                best = (score, model, c)
        return best

    def decision_function(self, texts: Sequence[str]) -> FloatArray:
        """Uncalibrated scores (logits), ``(n, n_classes)``."""
        return _as_logits(self.model_.decision_function(self._features(self._prepare(texts))))

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated class probabilities, ``(n, n_classes)`` in the order of ``classes_``."""
        return softmax(self.decision_function(texts), self.temperature_)

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.object_]:
        """The most probable label of each text."""
        probs = self.predict_proba(texts)
        labels: npt.NDArray[np.object_] = np.asarray(self.classes_, dtype=object)
        picked: npt.NDArray[np.object_] = labels[probs.argmax(axis=1)]
        return picked

    def save(self, folder: str | Path) -> Path:
        """Write ``tfidf.json`` and ``tfidf.safetensors`` into ``folder``."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        arrays = {f"idf.{k}": v.idf_.astype(np.float64) for k, v in self.vectorizers_.items()}
        arrays["coef"] = np.ascontiguousarray(self.model_.coef_, dtype=np.float64)
        arrays["intercept"] = np.ascontiguousarray(self.model_.intercept_, dtype=np.float64)
        meta = {
            "classes": self.classes_,
            "C": self.C_,
            "temperature": self.temperature_,
            "redact_pii": self.redact_pii,
            "vocabularies": {
                k: {t: int(i) for t, i in v.vocabulary_.items()}
                for k, v in self.vectorizers_.items()
            },
        }
        with atomic_path(target / _FILE_WEIGHTS) as tmp:
            save_file(arrays, str(tmp))
        atomic_write_text(target / _FILE_JSON, json.dumps(meta, ensure_ascii=False))
        return target

    @classmethod
    def load(cls, folder: str | Path) -> TfidfClassifier:
        """Read a classifier written by :meth:`save`."""
        source = Path(folder)
        try:
            meta = json.loads((source / _FILE_JSON).read_text(encoding="utf-8"))
            arrays = load_file(str(source / _FILE_WEIGHTS))
        except (OSError, ValueError) as exc:
            raise FeedbackInputError(
                f"model folder {source}: expected {_FILE_JSON} and {_FILE_WEIGHTS}, cannot "
                f"read them ({exc})"
            ) from exc
        out = cls(C=float(meta["C"]), redact_pii=bool(meta.get("redact_pii", True)))
        out.classes_ = [str(c) for c in meta["classes"]]
        out.C_ = float(meta["C"])
        out.temperature_ = float(meta["temperature"])
        out.vectorizers_ = {}
        for key, vocabulary in meta["vocabularies"].items():
            vectorizer = TfidfVectorizer(**{**_VECTORIZERS[key], "vocabulary": vocabulary})
            vectorizer.idf_ = arrays[f"idf.{key}"]
            out.vectorizers_[key] = vectorizer
        model = LogisticRegression()
        model.coef_ = arrays["coef"]
        model.intercept_ = arrays["intercept"]
        model.classes_ = np.arange(len(out.classes_))
        out.model_ = model
        out.fit_seconds_ = 0.0
        return out


def _as_logits(scores: npt.ArrayLike) -> FloatArray:
    """Binary logistic regression gives one score per text: as two-column logits."""
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim == 1:
        return np.stack([np.zeros_like(s), s], axis=1)
    return s
