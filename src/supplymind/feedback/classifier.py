"""The feedback text classifier: a pretrained encoder fine-tuned on labelled examples, with
guarded adoption, class weighting and calibrated probabilities.

:class:`TextClassifier` follows the estimator interface of the project (``fit`` returns
``self``; ``predict``, ``predict_proba``; fitted state in attributes ending in ``_``):

1. texts are checked (no empty ones) and personal data is redacted;
2. a validation split is set aside (stratified; or the one given);
3. candidates are trained through the shared engine
   (:func:`supplymind.training.finetune.finetune`): the requested mode (``full``, ``head``,
   ``lora`` or ``ia3``) and, when ``guard`` is on, the frozen encoder with a trained head
   (``head``) and the TF-IDF + logistic-regression baseline; each with cross-entropy
   weighted by inverse class frequency, early stopping on the validation loss;
4. each candidate's logits are temperature-scaled on the validation split;
5. the candidate with the best validation macro-F1 is adopted; the comparison is kept in
   ``adoption_`` and saved with the model.

With fewer than ``min_labels`` labelled texts no encoder is fine-tuned: the TF-IDF baseline
is fitted instead (with a :class:`~supplymind.exceptions.FeedbackWarning`).
"""

from __future__ import annotations

import copy
import dataclasses
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from supplymind.exceptions import ConfigurationError, FeedbackInputError, FeedbackWarning
from supplymind.feedback.baseline import TfidfClassifier
from supplymind.feedback.calibration import (
    expected_calibration_error,
    fit_temperature,
    log_loss,
    softmax,
)
from supplymind.feedback.encoders import Encoder, load_encoder, quiet_transformers
from supplymind.feedback.inputs import check_labels, check_texts
from supplymind.feedback.metrics import classification_metrics
from supplymind.feedback.network import (
    POOLINGS,
    TRUNCATIONS,
    PadCollator,
    TextClassifierNet,
    TokenizedTexts,
    task_modules,
    weighted_loss,
)
from supplymind.feedback.redact import redact
from supplymind.feedback.split import stratified_split
from supplymind.training.finetune import (
    MODES,
    FinetuneConfig,
    finetune,
    merge_adapters,
    no_fastpath,
)

__all__ = [
    "CLASS_WEIGHTINGS",
    "DEFAULT_LEARNING_RATES",
    "ClassifierParams",
    "TextClassifier",
    "class_weights",
]

#: Peak learning rate of each mode when ``ClassifierParams.learning_rate`` is ``None``
#: (``full``, ``head`` and ``lora`` as tuned for all-MiniLM-L6-v2 in benchmarks/feedback.py).
DEFAULT_LEARNING_RATES: dict[str, float] = {
    "full": 1e-4,
    "head": 1e-2,
    "lora": 1e-3,
    "ia3": 3e-3,
}
#: How classes are weighted in the loss.
CLASS_WEIGHTINGS: tuple[str, ...] = ("balanced", "sqrt", "none")
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ClassifierParams:
    """Settings of a :class:`TextClassifier`.

    Parameters
    ----------
    backbone
        Encoder name (:func:`~supplymind.feedback.encoders.list_encoders`) or local folder;
        ``"tfidf"`` fits the TF-IDF baseline only.
    finetune
        Mode of the engine: ``full``, ``head``, ``lora`` or ``ia3``.
    guard
        Also fit the head-only model and the TF-IDF baseline and adopt the best on the
        validation split.
    task
        What the labels are (``"sentiment"``, ``"complaint"``, ...): recorded only.
    max_length
        Tokens per text at most.
    truncation
        Which tokens of a longer text are kept: ``head_tail`` (the first quarter of the
        budget and the rest from the end, where reviews often give their verdict) or
        ``head``; see :data:`~supplymind.feedback.network.TRUNCATIONS`.
    steps, batch_size, eval_every, patience
        The engine's run (steps of the requested mode; ``head_steps`` for the head-only
        candidate, default the same).
    learning_rate
        Peak learning rate; ``None``: :data:`DEFAULT_LEARNING_RATES` of the mode.
    class_weight
        ``balanced`` (inverse frequency), ``sqrt`` (its square root) or ``none``.
    calibrate
        Temperature-scale the probabilities on the validation split.
    val_share
        Share of the labelled texts set aside for validation when ``fit`` is given none.
    min_labels
        Fewer labelled texts than this: TF-IDF only.
    pooling, dropout
        Of the network (:class:`~supplymind.feedback.network.TextClassifierNet`).
    lora_r, lora_alpha
        LoRA rank and scaling.
    seed
        Seed of the split, head initialisation, batches and dropout.
    num_threads
        Torch threads while training (``None``: leave as is).
    redact_pii
        Redact personal data before training and prediction.
    """

    backbone: str = "all-minilm-l6-v2"
    finetune: str = "lora"
    guard: bool = True
    task: str = "sentiment"
    max_length: int = 128
    truncation: str = "head_tail"
    steps: int = 200
    head_steps: int | None = None
    batch_size: int = 32
    eval_every: int = 25
    patience: int = 4
    learning_rate: float | None = None
    class_weight: str = "balanced"
    calibrate: bool = True
    val_share: float = 0.15
    min_labels: int = 40
    pooling: str = "mean"
    dropout: float = 0.1
    lora_r: int = 8
    lora_alpha: int = 16
    seed: int = 0
    num_threads: int | None = None
    redact_pii: bool = True

    def __post_init__(self) -> None:
        def bad(name: str, expected: str) -> ConfigurationError:
            return ConfigurationError(
                f"ClassifierParams.{name}: expected {expected}, found {getattr(self, name)!r}"
            )

        if not isinstance(self.backbone, str) or not self.backbone.strip():
            raise bad("backbone", "an encoder name or folder, or 'tfidf'")
        if self.finetune not in MODES:
            raise bad("finetune", f"one of {list(MODES)}")
        if self.class_weight not in CLASS_WEIGHTINGS:
            raise bad("class_weight", f"one of {list(CLASS_WEIGHTINGS)}")
        if self.pooling not in POOLINGS:
            raise bad("pooling", f"one of {list(POOLINGS)}")
        if self.truncation not in TRUNCATIONS:
            raise bad("truncation", f"one of {list(TRUNCATIONS)}")
        if not 0.0 < self.val_share < 0.5:
            raise bad("val_share", "a share in (0, 0.5)")
        if not 0.0 <= self.dropout < 1.0:
            raise bad("dropout", "a probability in [0, 1)")
        if self.learning_rate is not None and not self.learning_rate > 0:
            raise bad("learning_rate", "None or a positive number")
        if self.head_steps is not None and self.head_steps < 1:
            raise bad("head_steps", "None or a positive integer")
        for name in ("max_length", "steps", "batch_size", "eval_every", "patience", "min_labels"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise bad(name, "a positive integer")
        if self.min_labels < 4:
            raise bad("min_labels", "at least 4 (two per split and class)")

    def engine_config(self, mode: str) -> FinetuneConfig:
        """The engine's settings for one candidate."""
        steps = self.head_steps if (mode == "head" and self.head_steps) else self.steps
        lr = self.learning_rate if (self.learning_rate and mode == self.finetune) else None
        return FinetuneConfig(
            mode=mode,
            learning_rate=lr or DEFAULT_LEARNING_RATES[mode],
            max_steps=steps,
            batch_size=self.batch_size,
            eval_every=min(self.eval_every, steps),
            patience=self.patience,
            warmup_ratio=0.1,
            seed=self.seed,
            lora_r=self.lora_r,
            lora_alpha=self.lora_alpha,
            eval_batch_size=64,
            num_threads=self.num_threads,
        )

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON types."""
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> ClassifierParams:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassifierParams:
        """Settings from a dict; unknown keys are ignored with a warning."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            warnings.warn(
                f"ClassifierParams: ignoring unknown settings {unknown}",
                FeedbackWarning,
                stacklevel=2,
            )
        values = {k: v for k, v in data.items() if k in known}
        # Models saved before head+tail truncation existed were trained on heads.
        values.setdefault("truncation", "head")
        return cls(**values)


def class_weights(labels: Sequence[int], n_classes: int, how: str) -> torch.Tensor | None:
    """Per-class loss weights with mean 1 over the training texts (``None`` for ``none``)."""
    if how == "none":
        return None
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=n_classes).astype(float)
    weights = np.where(counts > 0, len(labels) / (n_classes * np.maximum(counts, 1.0)), 0.0)
    if how == "sqrt":
        weights = np.sqrt(weights)
    # Scale so that the weighted loss keeps the magnitude of the plain one.
    weights = weights / max(1e-12, float((weights[labels]).mean()))
    return torch.tensor(weights, dtype=torch.float32)


@dataclass
class _Candidate:
    name: str
    model: Any  # TextClassifierNet or TfidfClassifier
    temperature: float
    row: dict[str, Any]


class TextClassifier:
    """Sentiment or complaint-type classifier on a pretrained encoder.

    Parameters
    ----------
    params
        Settings (default :class:`ClassifierParams`).
    encoder
        An already loaded encoder to fine-tune (it is not modified); default: load
        ``params.backbone``.

    Attributes
    ----------
    classes_
        Labels, in the order of the probability columns.
    adopted_
        Name of the adopted candidate (``"lora"``, ``"head"``, ``"tfidf"``, ...).
    temperature_
        Temperature of the adopted candidate's logits.
    adoption_
        One row per candidate: validation accuracy, macro-F1, NLL and ECE (before and after
        temperature scaling), training seconds and steps, whether adopted.
    val_metrics_
        Per-class validation scores of the adopted candidate.
    net_
        The adopted network (``None`` when TF-IDF was adopted).
    baseline_
        The fitted TF-IDF classifier, when one was fitted.
    """

    def __init__(self, params: ClassifierParams | None = None, *, encoder: Encoder | None = None):
        self.params = params or ClassifierParams()
        self.encoder = encoder

    # ------------------------------------------------------------------ fitting

    def _prepare(self, texts: Sequence[str], name: str = "texts") -> list[str]:
        values = check_texts(texts, name)
        return [redact(t) for t in values] if self.params.redact_pii else values

    def _split(
        self,
        texts: list[str],
        labels: list[str],
        val_texts: Sequence[str] | None,
        val_labels: Sequence[str] | None,
    ) -> tuple[list[str], list[str], list[str], list[str]]:
        if (val_texts is None) != (val_labels is None):
            raise FeedbackInputError("val_texts/val_labels: expected both or neither")
        if val_texts is not None and val_labels is not None:
            v_texts = self._prepare(val_texts, "val_texts")
            v_labels = list(val_labels)
            if len(v_labels) != len(v_texts):
                raise FeedbackInputError(
                    f"val_labels: expected one per text ({len(v_texts)}), found {len(v_labels)}"
                )
            missing = [i + 1 for i, v in enumerate(v_labels) if v is None or not str(v).strip()]
            if missing:
                raise FeedbackInputError(
                    f"val_labels: expected a label for every text, found {len(missing)} missing "
                    f"(rows {missing[:5]})"
                )
            return texts, labels, v_texts, [str(v).strip() for v in v_labels]
        train_idx, val_idx = stratified_split(labels, self.params.val_share, self.params.seed)
        return (
            [texts[i] for i in train_idx],
            [labels[i] for i in train_idx],
            [texts[i] for i in val_idx],
            [labels[i] for i in val_idx],
        )

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        val_texts: Sequence[str] | None = None,
        val_labels: Sequence[str] | None = None,
        out_dir: str | Path | None = None,
        progress: bool = False,
    ) -> TextClassifier:
        """Fit on labelled texts.

        Parameters
        ----------
        texts, labels
            Training texts and their labels (strings).
        val_texts, val_labels
            Validation split for early stopping, calibration and adoption; default: a
            stratified ``params.val_share`` of the training texts.
        out_dir
            Folder for the engine's logs and checkpoints (one subfolder per candidate);
            ``None`` keeps them in memory.
        progress
            Show progress bars.
        """
        p = self.params
        x = self._prepare(texts)
        y = check_labels(labels, len(x))
        train_x, train_y, val_x, val_y = self._split(x, y, val_texts, val_labels)
        self.classes_ = sorted(set(train_y))
        if len(self.classes_) < 2:
            raise FeedbackInputError(
                f"labels: expected at least two classes in the training part, found {self.classes_}"
            )
        unknown = sorted(set(val_y) - set(self.classes_))
        if unknown:
            raise FeedbackInputError(
                f"val_labels: expected classes seen in training {self.classes_}, found {unknown}"
            )
        self.n_train_, self.n_val_ = len(train_x), len(val_x)
        candidates: list[_Candidate] = []
        fallback = p.backbone == "tfidf" or len(x) < p.min_labels
        if fallback and p.backbone != "tfidf":
            warnings.warn(
                f"only {len(x)} labelled texts (fewer than min_labels={p.min_labels}): fitting "
                "the TF-IDF baseline instead of fine-tuning an encoder",
                FeedbackWarning,
                stacklevel=2,
            )
        if not fallback:
            modes = [p.finetune] + (["head"] if p.guard and p.finetune != "head" else [])
            encoder = self.encoder or load_encoder(p.backbone)
            self.backbone_name_ = encoder.name
            self.tokenizer_ = encoder.tokenizer
            limit = _max_length(encoder)
            if p.max_length > limit:
                self.params = p = p.replace(max_length=limit)
            for mode in modes:
                candidates.append(
                    self._fit_encoder(
                        encoder, mode, train_x, train_y, val_x, val_y, out_dir, progress
                    )
                )
        if fallback or p.guard:
            candidates.append(self._fit_tfidf(train_x, train_y, val_x, val_y))
        best = max(
            range(len(candidates)),
            key=lambda i: (candidates[i].row["val_macro_f1"], -i),
        )
        chosen = candidates[best]
        for i, c in enumerate(candidates):
            c.row["adopted"] = i == best
        self.adoption_ = [c.row for c in candidates]
        self.adopted_ = chosen.name
        self.temperature_ = chosen.temperature
        self.net_ = chosen.model if isinstance(chosen.model, nn.Module) else None
        self.baseline_ = next(
            (c.model for c in candidates if isinstance(c.model, TfidfClassifier)), None
        )
        self._adopted_model = chosen.model
        self.val_metrics_ = chosen.row["val_per_class"]
        if p.guard and not fallback and chosen.name != p.finetune:
            warnings.warn(
                f"fine-tuning ({p.finetune}) did not beat {chosen.name} on the validation split "
                f"(macro-F1 {candidates[0].row['val_macro_f1']:.3f} vs "
                f"{chosen.row['val_macro_f1']:.3f}); adopted {chosen.name}",
                FeedbackWarning,
                stacklevel=2,
            )
        return self

    def _fit_encoder(
        self,
        encoder: Encoder,
        mode: str,
        train_x: list[str],
        train_y: list[str],
        val_x: list[str],
        val_y: list[str],
        out_dir: str | Path | None,
        progress: bool,
    ) -> _Candidate:
        p = self.params
        index = {c: i for i, c in enumerate(self.classes_)}
        y_train = [index[c] for c in train_y]
        y_val = [index[c] for c in val_y]
        train_ds, val_ds = (
            TokenizedTexts(
                encoder.tokenizer, x, y, max_length=p.max_length, truncation=p.truncation
            )
            for x, y in ((train_x, y_train), (val_x, y_val))
        )
        net = TextClassifierNet(
            copy.deepcopy(encoder.model),
            len(self.classes_),
            pooling=p.pooling,
            dropout=p.dropout,
            seed=p.seed,
        )
        config = p.engine_config(mode)
        with quiet_transformers():
            result = finetune(
                net,
                train_ds,
                val_ds,
                config,
                task_modules(net),
                loss_fn=weighted_loss(class_weights(y_train, len(self.classes_), p.class_weight)),
                collate=PadCollator(train_ds.pad_id),
                out_dir=None if out_dir is None else Path(out_dir) / mode,
                progress=progress,
                description=f"fine-tuning ({mode})",
            )
        model = merge_adapters(result.model)
        model.eval()
        logits = _logits(model, val_ds, p.batch_size * 2)
        row = _score(mode, logits, y_val, self.classes_, p.calibrate)
        row.update(
            {
                "train_seconds": result.wall_seconds,
                "steps": result.steps,
                "best_step": result.best_step,
                "trainable_parameters": result.trainable_parameters,
            }
        )
        return _Candidate(mode, model, row.pop("temperature"), row)

    def _fit_tfidf(
        self, train_x: list[str], train_y: list[str], val_x: list[str], val_y: list[str]
    ) -> _Candidate:
        began = time.perf_counter()
        # Texts are already redacted; the baseline's own temperature is not used here, the
        # candidate is scored and calibrated like the encoders.
        model = TfidfClassifier(calibrate=False, redact_pii=False).fit(
            train_x, train_y, val_texts=val_x, val_labels=val_y
        )
        if model.classes_ != self.classes_:
            raise FeedbackInputError(
                f"labels: TF-IDF classes {model.classes_} differ from {self.classes_}"
            )
        index = {c: i for i, c in enumerate(self.classes_)}
        logits = model.decision_function(val_x)
        row = _score(
            "tfidf", logits, [index[c] for c in val_y], self.classes_, self.params.calibrate
        )
        model.temperature_ = row["temperature"]
        row.update(
            {
                "train_seconds": time.perf_counter() - began,
                "steps": 0,
                "best_step": 0,
                "trainable_parameters": int(model.model_.coef_.size + model.model_.intercept_.size),
            }
        )
        return _Candidate("tfidf", model, row.pop("temperature"), row)

    # ------------------------------------------------------------------ predicting

    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise ConfigurationError("TextClassifier: call fit() or load() first")

    def decision_function(self, texts: Sequence[str]) -> FloatArray:
        """Uncalibrated logits of the adopted model, ``(n, n_classes)``."""
        self._check_fitted()
        x = self._prepare(texts)
        if self.net_ is None:
            baseline: TfidfClassifier = self._adopted_model
            return baseline.decision_function(x)
        data = TokenizedTexts(
            self.tokenizer_,
            x,
            max_length=self.params.max_length,
            truncation=self.params.truncation,
        )
        return _logits(self.net_, data, 64)

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated class probabilities, ``(n, n_classes)`` in the order of ``classes_``."""
        return softmax(self.decision_function(texts), self.temperature_)

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.object_]:
        """The most probable label of each text."""
        probs = self.predict_proba(texts)
        labels: npt.NDArray[np.object_] = np.asarray(self.classes_, dtype=object)
        picked: npt.NDArray[np.object_] = labels[probs.argmax(axis=1)]
        return picked

    # ------------------------------------------------------------------ saving

    def save(self, folder: str | Path) -> Path:
        """Write the adopted model to ``folder`` (see :mod:`supplymind.feedback.io`)."""
        from supplymind.feedback.io import save_classifier

        return save_classifier(self, folder)

    @classmethod
    def load(cls, folder: str | Path) -> TextClassifier:
        """Read a classifier written by :meth:`save`."""
        from supplymind.feedback.io import load_classifier

        return load_classifier(folder)


def _max_length(encoder: Encoder) -> int:
    """Most tokens the encoder takes: its position embeddings and the tokenizer's limit."""
    config: Any = encoder.model.config
    limits = [int(getattr(config, "max_position_embeddings", 512))]
    tokenizer_limit = getattr(encoder.tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and tokenizer_limit < 100_000:
        limits.append(tokenizer_limit)
    return min(limits)


@torch.no_grad()
def _logits(model: nn.Module, data: TokenizedTexts, batch_size: int) -> FloatArray:
    """Logits of every text, batched by length (less padding), in the input order."""
    model.eval()
    lengths = np.array([int(ids.numel()) for ids in data.ids])
    order = np.argsort(-lengths, kind="stable")
    collate = PadCollator(data.pad_id)
    out = np.zeros((len(data), 0), dtype=np.float64)
    chunks: list[FloatArray] = []
    with no_fastpath():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            batch = collate([{"input_ids": data.ids[i]} for i in idx])
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
            chunks.append(logits["logits"].float().numpy().astype(np.float64))
    if not chunks:
        return out
    stacked = np.concatenate(chunks)
    result = np.empty_like(stacked)
    result[order] = stacked
    return result


def _score(
    name: str, logits: FloatArray, labels: Sequence[int], classes: list[str], calibrate: bool
) -> dict[str, Any]:
    y = np.asarray(labels, dtype=np.int64)
    temperature = fit_temperature(logits, y) if calibrate and len(y) else 1.0
    raw = softmax(logits, 1.0)
    cal = softmax(logits, temperature)
    pred = [classes[i] for i in cal.argmax(axis=1)]
    metrics = classification_metrics([classes[i] for i in y], pred, classes)
    return {
        "candidate": name,
        "val_accuracy": metrics.accuracy,
        "val_macro_f1": metrics.macro_f1,
        "val_nll_raw": log_loss(raw, y) if len(y) else float("nan"),
        "val_nll": log_loss(cal, y) if len(y) else float("nan"),
        "val_ece_raw": expected_calibration_error(raw, y),
        "val_ece": expected_calibration_error(cal, y),
        "temperature": temperature,
        "val_per_class": metrics.per_class.to_dict("records"),
    }
