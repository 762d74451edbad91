"""The classification network and its data plumbing."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional

from supplymind.exceptions import ConfigurationError
from supplymind.feedback.encoders import Encoder
from supplymind.feedback.network import (
    PadCollator,
    TextClassifierNet,
    TokenizedTexts,
    head_tail,
    task_modules,
    weighted_loss,
)


def _net(encoder: Encoder, pooling: str = "mean") -> TextClassifierNet:
    import copy

    return TextClassifierNet(copy.deepcopy(encoder.model), 3, pooling=pooling).eval()


def test_mean_pooling_ignores_padding(tiny_encoder: Encoder) -> None:
    """A text scores the same alone and padded in a batch with a longer one."""
    net = _net(tiny_encoder)
    data = TokenizedTexts(tiny_encoder.tokenizer, ["很好", "房间太小了，服务也很差"])
    collate = PadCollator(data.pad_id)
    with torch.no_grad():
        both = net(**collate([data[0], data[1]]))["logits"]
        alone = net(**collate([data[0]]))["logits"]
    torch.testing.assert_close(both[0], alone[0], atol=1e-5, rtol=1e-5)


def test_pooler_is_dropped_and_head_is_seeded(tiny_encoder: Encoder) -> None:
    a, b = _net(tiny_encoder), _net(tiny_encoder)
    assert a.encoder.pooler is None
    assert torch.equal(a.head.weight, b.head.weight)
    assert tiny_encoder.model.pooler is not None  # the loaded encoder is untouched


def test_task_modules_name_the_head_and_the_encoder_linears(tiny_encoder: Encoder) -> None:
    modules = task_modules(_net(tiny_encoder))
    assert modules.head == ("head",)
    assert set(modules.adapter_targets) == {"query", "key", "value", "dense"}


def test_collator_pads_and_masks() -> None:
    items = [
        {"input_ids": torch.tensor([2, 7, 3]), "labels": torch.tensor(1)},
        {"input_ids": torch.tensor([2, 3]), "labels": torch.tensor(0)},
    ]
    batch = PadCollator(0)(items)
    assert batch["input_ids"].tolist() == [[2, 7, 3], [2, 3, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert batch["labels"].tolist() == [1, 0]


def test_weighted_loss_is_weighted_cross_entropy(tiny_encoder: Encoder) -> None:
    net = _net(tiny_encoder)
    data = TokenizedTexts(tiny_encoder.tokenizer, ["好", "差", "一般"], [0, 1, 2])
    batch = PadCollator(data.pad_id)([data[i] for i in range(3)])
    weights = torch.tensor([0.5, 1.0, 2.0])
    with torch.no_grad():
        logits = net(batch["input_ids"], batch["attention_mask"])["logits"]
        expected = functional.cross_entropy(logits, batch["labels"], weight=weights)
        got = weighted_loss(weights)(net, batch)
    torch.testing.assert_close(got, expected)


def test_texts_are_truncated_to_max_length(tiny_encoder: Encoder) -> None:
    data = TokenizedTexts(tiny_encoder.tokenizer, ["好" * 100], max_length=16)
    assert data[0]["input_ids"].numel() == 16


def test_head_tail_keeps_the_start_and_the_end() -> None:
    ids = list(range(100))  # 0 and 99 stand for [CLS] and [SEP]
    cut = head_tail(ids, 18)
    assert len(cut) == 18
    assert cut[:5] == [0, 1, 2, 3, 4]  # [CLS] + a quarter of the 16 content tokens
    assert cut[5:] == list(range(87, 100))  # the rest from the end, [SEP] last
    assert head_tail(ids[:10], 18) == ids[:10]


def test_head_tail_truncation_keeps_the_verdict_at_the_end(tiny_encoder: Encoder) -> None:
    text = "好" * 100 + "差"
    tokenizer = tiny_encoder.tokenizer
    head = TokenizedTexts(tokenizer, [text], max_length=16)[0]["input_ids"].tolist()
    both = TokenizedTexts(tokenizer, [text], max_length=16, truncation="head_tail")[0]
    ids = both["input_ids"].tolist()
    last_char = tokenizer.convert_tokens_to_ids("差")
    assert len(ids) == 16
    assert ids[0] == tokenizer.cls_token_id
    assert ids[-1] == tokenizer.sep_token_id
    assert ids[-2] == last_char
    assert last_char not in head
    short = TokenizedTexts(tokenizer, ["很好"], max_length=16, truncation="head_tail")[0]
    plain = TokenizedTexts(tokenizer, ["很好"])[0]
    assert short["input_ids"].tolist() == plain["input_ids"].tolist()
    with pytest.raises(ConfigurationError, match="truncation: expected one of"):
        TokenizedTexts(tokenizer, [text], truncation="middle")
