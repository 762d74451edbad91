"""Rebuild ``tiny-zh-char/``: a tiny character-level BERT encoder for the feedback tests.

Run from the repository root: ``.venv/bin/python tests/feedback/data/make_tiny_encoder.py``.
It is made by the same code as the bundled encoder (tokenizer, packing, masking, the
engine, export), pretrained for a few seconds on the sample company's feedback texts
(seeds 0-3 of the small company), so tests fine-tune a real, if tiny, pretrained checkpoint.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.feedback.pretrain import EncoderPretrainConfig, corpus_from_texts, pretrain_encoder

HERE = Path(__file__).resolve().parent
CONFIG = EncoderPretrainConfig(
    name="tiny-zh-char",
    corpora=("sample-company-feedback",),
    vocab_size=600,
    min_char_count=1,
    max_length=64,
    hidden_size=32,
    num_layers=2,
    num_heads=2,
    intermediate_size=64,
    steps=120,
    batch_size=16,
    learning_rate=3e-3,
    eval_every=40,
    val_blocks=16,
    heldout_blocks=16,
    seed=0,
    num_threads=1,
    fp16=False,
)


def main() -> None:
    texts: list[str] = []
    for seed in range(4):
        texts += generate_sample_company(SampleCompanyConfig.small(seed))["feedback"][
            "text"
        ].tolist()
    corpus = corpus_from_texts(
        CONFIG,
        train=texts[40:],
        val=texts[20:40],
        heldout=texts[:20],
        heldout_rule="the first 20 texts (seed 0) held out, the next 20 for validation",
        sources=["supplymind sample company feedback, small, seeds 0-3"],
    )
    run = HERE / "_tiny_run"
    result = pretrain_encoder(
        CONFIG,
        run,
        corpus=corpus,
        reproduce=".venv/bin/python tests/feedback/data/make_tiny_encoder.py",
        data_note="Texts of SupplyMind's synthetic sample company (no real data). For tests "
        "only: it knows a few hundred characters and a few hundred template sentences.",
    )
    target = HERE / "tiny-zh-char"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(run / "model", target)
    shutil.rmtree(run)
    print(result.summary["heldout_mlm"], result.summary["heldout_mlm_random_init"])


if __name__ == "__main__":
    main()
