"""Masked-language-model data: packed blocks of tokens, BERT masking, and the MLM loss.

Pretraining reads texts as blocks of ``block_size`` tokens: ``[CLS]`` then whole texts, each
followed by ``[SEP]``, packed greedily so few positions are padding (a text longer than a
block is cut into pieces). :class:`MLMCollator` masks a batch the BERT way: 15 % of the
non-special tokens are chosen; 80 % of those become ``[MASK]``, 10 % a random token, 10 %
stay. It draws from torch's global generator, which the fine-tuning engine seeds from the
run seed and the step number before every step, so a resumed run masks as an uninterrupted
one. Validation and held-out blocks are masked once, with their own seed
(:func:`premask`), so every evaluation scores the same positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn
from torch.nn import functional
from torch.utils.data import Dataset

from supplymind.exceptions import ConfigurationError

__all__ = [
    "IGNORE_INDEX",
    "BlockDataset",
    "MLMCollator",
    "mlm_loss",
    "pack_blocks",
    "premask",
]

#: Label of positions that are not scored.
IGNORE_INDEX = -100


def pack_blocks(
    token_ids: Sequence[Sequence[int]],
    block_size: int,
    *,
    cls_id: int,
    sep_id: int,
    pad_id: int,
) -> npt.NDArray[np.int64]:
    """Pack tokenised texts (without special tokens) into ``(n_blocks, block_size)`` ids.

    Each block is ``[CLS] t1 [SEP] t2 [SEP] ... [PAD]...``; texts are kept in the given order
    and never split across blocks unless longer than ``block_size - 2``.
    """
    if block_size < 3:
        raise ConfigurationError(f"block_size: expected at least 3, found {block_size}")
    room = block_size - 2
    blocks: list[list[int]] = []
    current = [cls_id]
    for ids in token_ids:
        pieces = [list(ids[i : i + room]) for i in range(0, len(ids), room)]
        for piece in pieces:
            if len(current) + len(piece) + 1 > block_size:
                blocks.append(current)
                current = [cls_id]
            current += [*piece, sep_id]
    if len(current) > 1:
        blocks.append(current)
    out = np.full((len(blocks), block_size), pad_id, dtype=np.int64)
    for i, block in enumerate(blocks):
        out[i, : len(block)] = block
    return out


class BlockDataset(Dataset[dict[str, torch.Tensor]]):
    """Blocks of token ids as dict items (``input_ids``, ``attention_mask`` and, when
    masked in advance, ``labels``)."""

    def __init__(
        self,
        blocks: npt.NDArray[np.int64] | torch.Tensor,
        pad_id: int,
        labels: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
    ) -> None:
        self.input_ids = torch.as_tensor(blocks, dtype=torch.long)
        self.attention_mask = (
            (self.input_ids != pad_id).long() if attention_mask is None else attention_mask
        )
        self.labels = labels
        if labels is not None and labels.shape != self.input_ids.shape:
            raise ConfigurationError(
                f"labels: expected the shape of the blocks {tuple(self.input_ids.shape)}, "
                f"found {tuple(labels.shape)}"
            )

    def __len__(self) -> int:
        return int(self.input_ids.shape[0])

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        item = {"input_ids": self.input_ids[index], "attention_mask": self.attention_mask[index]}
        if self.labels is not None:
            item["labels"] = self.labels[index]
        return item


@dataclass(frozen=True)
class MLMCollator:
    """Stack items and mask the ones that have no ``labels`` yet.

    Parameters
    ----------
    vocab_size
        Size of the vocabulary (random replacements are drawn from the non-special ids).
    mask_id
        Id of ``[MASK]``.
    n_special
        Ids ``0 .. n_special - 1`` are special tokens: never chosen, never drawn.
    mask_prob
        Share of the non-special tokens chosen for prediction.
    """

    vocab_size: int
    mask_id: int
    n_special: int
    mask_prob: float = 0.15

    def __post_init__(self) -> None:
        if not 0.0 < self.mask_prob < 1.0:
            raise ConfigurationError(
                f"mask_prob: expected a probability in (0, 1), found {self.mask_prob}"
            )
        if not 0 <= self.mask_id < self.vocab_size or self.n_special >= self.vocab_size:
            raise ConfigurationError(
                f"mask_id/n_special: expected ids below vocab_size {self.vocab_size}, found "
                f"{self.mask_id}/{self.n_special}"
            )

    def mask(
        self, input_ids: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Masked copy of ``input_ids`` and the labels (``IGNORE_INDEX`` where not chosen)."""
        ids = input_ids.clone()
        shape = ids.shape
        chosen = (torch.rand(shape, generator=generator) < self.mask_prob) & (ids >= self.n_special)
        labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE_INDEX))
        action = torch.rand(shape, generator=generator)
        random_ids = torch.randint(self.n_special, self.vocab_size, shape, generator=generator)
        ids = torch.where(chosen & (action < 0.8), torch.full_like(ids, self.mask_id), ids)
        ids = torch.where(chosen & (action >= 0.8) & (action < 0.9), random_ids, ids)
        return ids, labels

    def __call__(self, items: list[dict[str, torch.Tensor]]) -> dict[str, Any]:
        batch = {key: torch.stack([item[key] for item in items]) for key in items[0]}
        if "labels" not in batch:
            batch["input_ids"], batch["labels"] = self.mask(batch["input_ids"])
        return batch


def premask(data: BlockDataset, collator: MLMCollator, seed: int) -> BlockDataset:
    """A copy of ``data`` masked once with its own seed (for validation and held-out sets)."""
    generator = torch.Generator().manual_seed(seed)
    ids, labels = collator.mask(data.input_ids, generator)
    return BlockDataset(ids, pad_id=0, labels=labels, attention_mask=data.attention_mask.clone())


def mlm_loss(model: nn.Module, batch: dict[str, Any]) -> torch.Tensor:
    """Cross-entropy of the masked positions.

    A BERT-style masked LM (``.bert`` encoder and ``.cls`` head, as ``BertForMaskedLM``)
    scores only the chosen positions, which skips most of the vocabulary projection; any
    other model is called with the labels and its own ``loss`` is returned.
    """
    labels = batch["labels"]
    encoder, head = getattr(model, "bert", None), getattr(model, "cls", None)
    if encoder is None or head is None:
        own: torch.Tensor = model(**batch).loss
        return own
    hidden: torch.Tensor = encoder(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    chosen = labels != IGNORE_INDEX
    if not bool(chosen.any()):
        return hidden.sum() * 0.0
    logits = head(hidden[chosen])
    return functional.cross_entropy(logits.float(), labels[chosen])
