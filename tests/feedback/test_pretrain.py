"""Masked-LM pretraining of the character-level encoder, on a tiny corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from supplymind.exceptions import ConfigurationError
from supplymind.feedback.encoders import load_encoder
from supplymind.feedback.pretrain import (
    MLM_HEAD_FILE,
    EncoderPretrainConfig,
    PretrainCorpus,
    corpus_from_texts,
    pretrain_encoder,
)

REPO = Path(__file__).resolve().parents[2]

TINY = EncoderPretrainConfig(
    name="test-char",
    corpora=("sample",),
    vocab_size=300,
    min_char_count=1,
    max_length=32,
    hidden_size=16,
    num_layers=1,
    num_heads=2,
    intermediate_size=32,
    steps=12,
    batch_size=8,
    learning_rate=3e-3,
    eval_every=4,
    val_blocks=8,
    heldout_blocks=8,
    fp16=False,
)


@pytest.fixture(scope="module")
def corpus(sample_feedback: pd.DataFrame) -> PretrainCorpus:
    texts = sample_feedback["text"].tolist()
    return corpus_from_texts(TINY, train=texts[40:], val=texts[20:40], heldout=texts[:20])


def test_corpus_parts_are_disjoint_and_premasked(corpus: PretrainCorpus) -> None:
    assert corpus.stats["texts"] == {"train": corpus.stats["texts"]["train"], "val": 20,
                                     "heldout": 20}  # fmt: skip
    assert corpus.train.labels is None
    assert corpus.val.labels is not None
    assert corpus.heldout.labels is not None
    assert (corpus.val.labels != -100).any()
    assert corpus.train.input_ids.shape[1] == TINY.max_length


def test_interrupted_run_resumes_to_the_same_model_as_an_uninterrupted_one(
    corpus: PretrainCorpus, tmp_path: Path
) -> None:
    """Same seed, same result; a run stopped after 5 steps and resumed ends identical."""
    whole = pretrain_encoder(TINY, tmp_path / "whole", corpus=corpus)
    pretrain_encoder(TINY, tmp_path / "parts", corpus=corpus, stop_after=5)
    resumed = pretrain_encoder(TINY, tmp_path / "parts", corpus=corpus)
    for (name, a), (_, b) in zip(
        whole.model.state_dict().items(), resumed.model.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name
    assert whole.summary["heldout_mlm"] == resumed.summary["heldout_mlm"]
    # Pretraining helps on the held-out texts, and the summary says so.
    summary = json.loads((tmp_path / "whole" / "summary.json").read_text())
    assert summary["heldout_mlm"]["loss"] < summary["heldout_mlm_random_init"]["loss"]
    assert summary["steps"] == TINY.steps


def test_exported_encoder_loads_as_a_plain_transformers_folder(
    corpus: PretrainCorpus, tmp_path: Path
) -> None:
    result = pretrain_encoder(
        TINY.__class__(**{**TINY.to_dict(), "steps": 2, "fp16": True}), tmp_path, corpus=corpus
    )
    folder = tmp_path / "model"
    assert {"config.json", "model.safetensors", "tokenizer.json", "README.md"} <= {
        p.name for p in folder.iterdir()
    }
    encoder = load_encoder(folder)
    assert next(encoder.model.parameters()).dtype == torch.float32
    mlm_bert = result.model.bert.state_dict()
    for name, value in encoder.model.state_dict().items():
        if not name.startswith("pooler."):
            torch.testing.assert_close(value, mlm_bert[name].half().float())
    assert "held-out MLM loss" in (folder / "README.md").read_text()


def test_the_shipped_config_file_loads() -> None:
    config = EncoderPretrainConfig.from_file(REPO / "configs/pretrain-text/zh-char-small.toml")
    assert config.name == "supplymind-zh-char-small"
    assert config.num_threads == 1
    assert config.finetune_config().mode == "full"


def test_unknown_keys_in_a_config_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('name = "x"\nlayers = 3\n')
    with pytest.raises(ConfigurationError, match="unknown keys \\['layers'\\]"):
        EncoderPretrainConfig.from_file(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hidden_size": 30, "num_heads": 4}, "hidden_size"),
        ({"vocab_size": 0}, "vocab_size"),
        ({"max_length": True}, "max_length"),
        ({"dropout": 1.0}, "dropout"),
        ({"corpora": ()}, "corpora"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"steps": 0}, "max_steps"),
    ],
)
def test_bad_settings_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        EncoderPretrainConfig(**change)  # type: ignore[arg-type]


def test_empty_parts_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="train/val/heldout"):
        corpus_from_texts(TINY, train=["好"], val=[], heldout=["好"])


def test_continued_pretraining_starts_from_the_parent_encoder(
    corpus: PretrainCorpus, sample_feedback: pd.DataFrame, tmp_path: Path
) -> None:
    """``init_from``: the parent's tokenizer and weights, a seeded MLM head, a lower start."""
    first = pretrain_encoder(TINY, tmp_path / "parent", corpus=corpus)
    parent = tmp_path / "parent" / "model"
    assert (parent / MLM_HEAD_FILE).is_file()
    child_config = EncoderPretrainConfig(
        **{**TINY.to_dict(), "init_from": str(parent), "steps": 4, "vocab_size": 7}
    )
    texts = sample_feedback["text"].tolist()
    child_corpus = corpus_from_texts(
        child_config, train=texts[40:], val=texts[20:40], heldout=texts[:20]
    )
    assert child_corpus.tokenizer.get_vocab() == corpus.tokenizer.get_vocab()
    result = pretrain_encoder(child_config, tmp_path / "child", corpus=child_corpus)
    # the run began where the parent ended (encoder and MLM head), not from scratch
    start = result.summary["heldout_mlm_random_init"]["loss"]
    assert start == pytest.approx(first.summary["heldout_mlm"]["loss"], rel=1e-4)
    assert start < first.summary["heldout_mlm_random_init"]["loss"]
    assert result.summary["parent"]["name"] == str(parent)
    card = (tmp_path / "child" / "model" / "README.md").read_text()
    assert f"initialised from | {parent}" in card
    too_long = EncoderPretrainConfig(**{**child_config.to_dict(), "max_length": 64})
    with pytest.raises(ConfigurationError, match="max_position_embeddings"):
        pretrain_encoder(too_long, tmp_path / "bad", corpus=child_corpus)
    missing = EncoderPretrainConfig(**{**TINY.to_dict(), "init_from": str(tmp_path / "none")})
    with pytest.raises(Exception, match="not a registered name"):
        corpus_from_texts(missing, train=texts[40:], val=texts[20:40], heldout=texts[:20])
