"""Masked-LM data: packing, masking, and the fast loss against the model's own."""

from __future__ import annotations

import pytest
import torch
from transformers import BertConfig, BertForMaskedLM

from supplymind.exceptions import ConfigurationError
from supplymind.feedback.mlm import (
    IGNORE_INDEX,
    BlockDataset,
    MLMCollator,
    mlm_loss,
    pack_blocks,
    premask,
)

CLS, SEP, PAD = 2, 3, 0


def test_packing_keeps_texts_whole_and_in_order() -> None:
    texts = [[10, 11, 12], [13, 14], [15, 16, 17, 18], [19]]
    blocks = pack_blocks(texts, 8, cls_id=CLS, sep_id=SEP, pad_id=PAD)
    assert blocks.tolist() == [
        [CLS, 10, 11, 12, SEP, 13, 14, SEP],
        [CLS, 15, 16, 17, 18, SEP, 19, SEP],
    ]


def test_a_text_longer_than_a_block_is_cut_and_nothing_is_lost() -> None:
    text = list(range(10, 30))
    blocks = pack_blocks([text], 8, cls_id=CLS, sep_id=SEP, pad_id=PAD)
    assert (blocks[:, 0] == CLS).all()
    content = [t for t in blocks.ravel().tolist() if t >= 10]
    assert content == text
    assert blocks.shape[1] == 8


def test_packing_refuses_tiny_blocks() -> None:
    with pytest.raises(ConfigurationError, match="block_size"):
        pack_blocks([[10]], 2, cls_id=CLS, sep_id=SEP, pad_id=PAD)


def _collator(p: float = 0.15) -> MLMCollator:
    return MLMCollator(vocab_size=100, mask_id=4, n_special=5, mask_prob=p)


def test_masking_chooses_only_ordinary_tokens_at_the_given_rate() -> None:
    ids = torch.randint(5, 100, (64, 128))
    ids[:, 0], ids[:, -1], ids[:, 60:70] = CLS, SEP, PAD
    masked, labels = _collator().mask(ids, torch.Generator().manual_seed(0))
    chosen = labels != IGNORE_INDEX
    assert not chosen[:, 0].any()
    assert not chosen[:, -1].any()
    assert not chosen[:, 60:70].any()
    assert torch.equal(labels[chosen], ids[chosen])
    rate = chosen.float().sum() / (ids >= 5).float().sum()
    assert 0.13 < float(rate) < 0.17
    # About 80 % of the chosen ones become [MASK]; unchosen ones never change.
    assert 0.75 < float((masked[chosen] == 4).float().mean()) < 0.85
    assert torch.equal(masked[~chosen], ids[~chosen])


def test_premasked_sets_are_the_same_each_time_and_the_collator_leaves_them() -> None:
    data = BlockDataset(torch.randint(5, 100, (10, 16)), pad_id=PAD)
    a = premask(data, _collator(), seed=3)
    b = premask(data, _collator(), seed=3)
    assert torch.equal(a.labels, b.labels)
    assert torch.equal(a.input_ids, b.input_ids)
    batch = _collator()([a[i] for i in range(4)])
    assert torch.equal(batch["input_ids"], a.input_ids[:4])


def test_collator_masks_unlabelled_items_from_the_global_generator() -> None:
    data = BlockDataset(torch.randint(5, 100, (8, 32)), pad_id=PAD)
    torch.manual_seed(7)
    first = _collator()([data[i] for i in range(8)])
    torch.manual_seed(7)
    second = _collator()([data[i] for i in range(8)])
    assert torch.equal(first["labels"], second["labels"])
    assert (first["labels"] != IGNORE_INDEX).any()


def test_fast_mlm_loss_equals_the_models_own_loss() -> None:
    """The loss on the chosen positions only is the model's full-vocabulary loss."""
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=100,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
    )
    model = BertForMaskedLM(config).eval()
    data = premask(BlockDataset(torch.randint(5, 100, (6, 32)), pad_id=PAD), _collator(), 1)
    batch = _collator()([data[i] for i in range(6)])
    with torch.no_grad():
        fast = mlm_loss(model, batch)
        reference = model(**batch).loss
    assert torch.allclose(fast, reference, atol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mask_prob": 0.0}, "mask_prob"),
        ({"mask_prob": 1.0}, "mask_prob"),
        ({"mask_id": 100}, "mask_id"),
    ],
)
def test_bad_collator_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    settings = {"vocab_size": 100, "mask_id": 4, "n_special": 5, "mask_prob": 0.15} | kwargs
    with pytest.raises(ConfigurationError, match=message):
        MLMCollator(**settings)  # type: ignore[arg-type]
