"""Character-level tokenizers for Chinese (and mixed) text, built with ``tokenizers``.

A text is normalised (NFKC, so full-width letters, digits and punctuation become their
ASCII forms; lower case), split on white space, then into single characters; each character
is a token. The vocabulary is the special tokens followed by the most frequent characters
of a corpus (ties broken by code point, so the same corpus always gives the same ids);
every other character is ``[UNK]``. Encodings are ``[CLS] text [SEP]`` (pairs
``[CLS] a [SEP] b [SEP]``), as BERT expects.

The result is a ``transformers.PreTrainedTokenizerFast``: ``save_pretrained`` writes
``tokenizer.json`` and ``tokenizer_config.json``, and ``AutoTokenizer.from_pretrained``
reads them back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from supplymind.exceptions import ConfigurationError

__all__ = ["SPECIAL_TOKENS", "build_char_tokenizer", "char_counts"]

#: Special tokens, at ids 0..4 in this order.
SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def _backend(vocab: dict[str, int]) -> Any:
    from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel

    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex("."), "isolated")]
    )
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return tok


def char_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each character occurs after normalisation (white space not counted)."""
    normalizer = _backend({t: i for i, t in enumerate(SPECIAL_TOKENS)}).normalizer
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(ch for ch in normalizer.normalize_str(text) if not ch.isspace())
    return counts


def build_char_tokenizer(
    texts: Iterable[str], *, vocab_size: int = 3000, min_count: int = 2, max_length: int = 128
) -> Any:
    """Build a character-level tokenizer from a corpus.

    Parameters
    ----------
    texts
        The corpus.
    vocab_size
        Most tokens, special tokens included.
    min_count
        Characters seen fewer times are left out (they become ``[UNK]``).
    max_length
        The tokenizer's ``model_max_length`` (the encoder's position embeddings).

    Returns
    -------
    transformers.PreTrainedTokenizerFast
        The tokenizer.
    """
    if vocab_size <= len(SPECIAL_TOKENS):
        raise ConfigurationError(
            f"vocab_size: expected more than {len(SPECIAL_TOKENS)} (the special tokens), "
            f"found {vocab_size}"
        )
    if min_count < 1:
        raise ConfigurationError(f"min_count: expected a positive integer, found {min_count}")
    counts = char_counts(texts)
    kept = sorted(
        (ch for ch, n in counts.items() if n >= min_count and ch not in SPECIAL_TOKENS),
        key=lambda ch: (-counts[ch], ord(ch[0]), ch),
    )[: vocab_size - len(SPECIAL_TOKENS)]
    if not kept:
        raise ConfigurationError(
            f"texts: expected characters seen at least {min_count} times, found none"
        )
    vocab = {token: i for i, token in enumerate([*SPECIAL_TOKENS, *kept])}
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=_backend(vocab),
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=max_length,
    )
