"""The classification network: a pretrained encoder, mean pooling and a linear head.

:class:`TextClassifierNet` is what the fine-tuning engine trains. Its head is the module
``head``; :func:`task_modules` names it and the encoder's linear layers (where LoRA / IA³
adapters go), whatever the encoder architecture. :class:`TokenizedTexts` and
:class:`PadCollator` turn texts into the engine's dataset items and padded batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional
from torch.utils.data import Dataset

from supplymind.exceptions import ConfigurationError
from supplymind.training.finetune import TaskModules

__all__ = [
    "POOLINGS",
    "TRUNCATIONS",
    "PadCollator",
    "TextClassifierNet",
    "TokenizedTexts",
    "head_tail",
    "task_modules",
    "weighted_loss",
]

#: How token vectors become one text vector.
POOLINGS: tuple[str, ...] = ("mean", "cls")
#: How a text longer than ``max_length`` tokens is cut: keep its beginning (``head``), or
#: its first quarter and last three quarters of the budget (``head_tail``; reviews often end
#: with the verdict; Sun et al. 2019, "How to Fine-Tune BERT for Text Classification").
TRUNCATIONS: tuple[str, ...] = ("head", "head_tail")
# IA³ scales the input of these feed-forward output layers (names used by common encoders).
_FEEDFORWARD = ("lin2", "fc2", "wo", "dense_4h_to_h")


class TextClassifierNet(nn.Module):
    """Encoder, pooling, dropout and a linear head.

    Parameters
    ----------
    encoder
        A ``transformers`` encoder (``BertModel``, ...) whose output has
        ``last_hidden_state``. Its pooler, if any, is removed (unused).
    n_classes
        Number of classes.
    pooling
        ``"mean"`` (average of the non-padding token vectors, as sentence-transformers
        models are trained) or ``"cls"`` (the first token's vector).
    dropout
        Dropout before the head.
    seed
        Seed of the head's initialisation.
    """

    def __init__(
        self,
        encoder: nn.Module,
        n_classes: int,
        *,
        pooling: str = "mean",
        dropout: float = 0.1,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ConfigurationError(f"pooling: expected one of {POOLINGS}, found {pooling!r}")
        if n_classes < 2:
            raise ConfigurationError(f"n_classes: expected at least 2, found {n_classes}")
        if getattr(encoder, "pooler", None) is not None:
            encoder.pooler = None  # type: ignore[assignment]
        self.encoder = encoder
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        config: Any = encoder.config
        hidden = int(config.hidden_size)
        self.head = nn.Linear(hidden, n_classes)
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            self.head.weight.copy_(torch.randn(self.head.weight.shape, generator=generator) * 0.02)
            self.head.bias.zero_()

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Pooled text vectors, ``(batch, hidden)``."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if self.pooling == "cls":
            return hidden[:, 0]  # type: ignore[no-any-return]
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)  # type: ignore[no-any-return]

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """``logits`` and, with ``labels``, the (unweighted) cross-entropy ``loss``."""
        logits = self.head(self.dropout(self.embed(input_ids, attention_mask)))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = functional.cross_entropy(logits.float(), labels)
        return out


def task_modules(net: nn.Module) -> TaskModules:
    """The head and the adapter targets of a :class:`TextClassifierNet`: every distinct name
    of the encoder's linear layers (BERT: ``query``, ``key``, ``value``, ``dense``)."""
    encoder = getattr(net, "encoder", None)
    if encoder is None:
        raise ConfigurationError(
            f"net: expected a TextClassifierNet with an .encoder, found {type(net).__name__}"
        )
    names = sorted(
        {name.rsplit(".", 1)[-1] for name, m in encoder.named_modules() if isinstance(m, nn.Linear)}
    )
    if not names:
        raise ConfigurationError(f"encoder {type(encoder).__name__}: no linear layers found")
    return TaskModules(
        head=("head",),
        adapter_targets=tuple(names),
        feedforward=tuple(n for n in names if n in _FEEDFORWARD),
    )


class TokenizedTexts(Dataset[dict[str, torch.Tensor]]):
    """Texts tokenised once (cut to ``max_length`` tokens), with optional integer labels.

    ``truncation`` (one of :data:`TRUNCATIONS`) says which tokens of a longer text are
    kept; the first and last token (``[CLS]`` and ``[SEP]`` of a BERT tokenizer) always are.
    """

    def __init__(
        self,
        tokenizer: Any,
        texts: Sequence[str],
        labels: Sequence[int] | None = None,
        *,
        max_length: int = 128,
        truncation: str = "head",
    ) -> None:
        if labels is not None and len(labels) != len(texts):
            raise ConfigurationError(
                f"labels: expected one per text ({len(texts)}), found {len(labels)}"
            )
        if truncation not in TRUNCATIONS:
            raise ConfigurationError(
                f"truncation: expected one of {TRUNCATIONS}, found {truncation!r}"
            )
        if truncation == "head" or max_length < 4:
            encoded = tokenizer(
                list(texts), truncation=True, max_length=max_length, add_special_tokens=True
            )
            rows = encoded["input_ids"]
        else:
            full = tokenizer(list(texts), truncation=False, add_special_tokens=True, verbose=False)
            rows = [head_tail(ids, max_length) for ids in full["input_ids"]]
        self.ids = [torch.tensor(ids, dtype=torch.long) for ids in rows]
        self.pad_id = int(tokenizer.pad_token_id or 0)
        self.labels = None if labels is None else torch.tensor(list(labels), dtype=torch.long)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        item = {"input_ids": self.ids[index]}
        if self.labels is not None:
            item["labels"] = self.labels[index]
        return item


def head_tail(ids: Sequence[int], max_length: int) -> list[int]:
    """Cut token ids to ``max_length``: the first ``1 + (max_length - 2) // 4`` and the rest
    from the end (so the first and last token, ``[CLS]`` and ``[SEP]``, stay)."""
    if len(ids) <= max_length:
        return list(ids)
    head = 1 + (max_length - 2) // 4
    return list(ids[:head]) + list(ids[len(ids) - (max_length - head) :])


@dataclass(frozen=True)
class PadCollator:
    """Pad a list of :class:`TokenizedTexts` items to the longest one; add the mask."""

    pad_id: int

    def __call__(self, items: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        longest = max(int(item["input_ids"].numel()) for item in items)
        ids = torch.full((len(items), longest), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(items), longest), dtype=torch.long)
        for row, item in enumerate(items):
            n = int(item["input_ids"].numel())
            ids[row, :n] = item["input_ids"]
            mask[row, :n] = 1
        batch = {"input_ids": ids, "attention_mask": mask}
        if "labels" in items[0]:
            batch["labels"] = torch.stack([item["labels"] for item in items])
        return batch


def weighted_loss(
    class_weights: torch.Tensor | None,
) -> Callable[[nn.Module, dict[str, torch.Tensor]], torch.Tensor]:
    """``loss_fn(model, batch)`` for the engine: cross-entropy with per-class weights."""

    def loss_fn(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])[
            "logits"
        ]
        return functional.cross_entropy(logits.float(), batch["labels"], weight=class_weights)

    return loss_fn
