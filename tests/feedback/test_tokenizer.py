"""The character-level tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import AutoTokenizer

from supplymind.exceptions import ConfigurationError
from supplymind.feedback.tokenizer import SPECIAL_TOKENS, build_char_tokenizer, char_counts

CORPUS = ["酒店很好，服务很好", "房间太小了", "很好 很好 good", "ＡＢＣ abc"]


def test_special_tokens_come_first_then_characters_by_frequency() -> None:
    tok = build_char_tokenizer(CORPUS, vocab_size=50, min_count=1)
    vocab = tok.get_vocab()
    assert [vocab[t] for t in SPECIAL_TOKENS] == list(range(len(SPECIAL_TOKENS)))
    # 很 and 好 are the most frequent characters.
    assert {vocab["很"], vocab["好"]} == {5, 6}


def test_when_text_is_encoded_then_each_character_is_one_token_between_cls_and_sep() -> None:
    tok = build_char_tokenizer(CORPUS, vocab_size=50, min_count=1)
    ids = tok("很好 ab")["input_ids"]
    assert tok.convert_ids_to_tokens(ids) == ["[CLS]", "很", "好", "a", "b", "[SEP]"]


def test_full_width_and_upper_case_map_to_the_ascii_lower_case_tokens() -> None:
    tok = build_char_tokenizer(CORPUS, vocab_size=50, min_count=1)
    assert tok("ＡＢＣ")["input_ids"] == tok("abc")["input_ids"]


def test_rare_and_unseen_characters_become_unk() -> None:
    tok = build_char_tokenizer(CORPUS, vocab_size=50, min_count=2)
    tokens = tok.convert_ids_to_tokens(tok("房间", add_special_tokens=False)["input_ids"])
    assert tokens == ["[UNK]", "[UNK]"]  # each seen once only


def test_vocabulary_is_capped_and_deterministic() -> None:
    a = build_char_tokenizer(CORPUS, vocab_size=8, min_count=1)
    b = build_char_tokenizer(list(CORPUS), vocab_size=8, min_count=1)
    assert len(a) == 8
    assert a.get_vocab() == b.get_vocab()


def test_saved_tokenizer_loads_back_with_autotokenizer(tmp_path: Path) -> None:
    tok = build_char_tokenizer(CORPUS, vocab_size=50, min_count=1, max_length=16)
    tok.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    text = "酒店服务很好 abc"
    assert loaded(text)["input_ids"] == tok(text)["input_ids"]
    assert loaded.mask_token_id == SPECIAL_TOKENS.index("[MASK]")
    assert loaded.model_max_length == 16


def test_char_counts_skip_white_space() -> None:
    assert char_counts(["a a\tb"]) == {"a": 2, "b": 1}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vocab_size": 5}, "vocab_size"),
        ({"min_count": 0}, "min_count"),
        ({"min_count": 100}, "texts: expected characters"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        build_char_tokenizer(CORPUS, **kwargs)
