"""Self-supervised pretraining of a small character-level Chinese encoder (masked LM).

No Chinese encoder can be installed here, so SupplyMind pretrains its own: a BERT-style
encoder (``transformers.BertForMaskedLM``) over a character-level vocabulary
(:mod:`~supplymind.feedback.tokenizer`), trained by masked-language modelling on the
review texts of the public corpora (labels unused), through the project's one training
engine (:func:`supplymind.training.finetune.finetune`, mode ``full``), which makes the run
deterministic and resumable from its checkpoint.

Texts are split by :func:`~supplymind.feedback.datasets.text_bucket`: buckets 0-9 (10 %)
are held out (never seen by pretraining, not even by the vocabulary; they hold the
downstream test sets and the held-out MLM loss), buckets 10-11 are the validation set of
the run (early stopping), the rest is trained on. The run writes under ``out_dir``:
``run/`` (the engine's log, TensorBoard events and checkpoint), ``model/`` (the exported
encoder: ``config.json``, ``model.safetensors``, ``tokenizer.json``, ``README.md``) and
``summary.json``.

``supplymind feedback pretrain-encoder --config configs/pretrain-text/zh-char-small.toml
--out runs/zh-char-small`` runs it; the bundled ``supplymind-zh-char-small`` weights were
made this way.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import platform
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from supplymind.exceptions import ConfigurationError
from supplymind.feedback.datasets import HELDOUT_BUCKETS, PRETRAIN_VAL_BUCKETS, load_corpus
from supplymind.feedback.mlm import (
    IGNORE_INDEX,
    BlockDataset,
    MLMCollator,
    mlm_loss,
    pack_blocks,
    premask,
)
from supplymind.feedback.tokenizer import SPECIAL_TOKENS, build_char_tokenizer
from supplymind.files import atomic_path, atomic_write_text
from supplymind.training.finetune import FinetuneConfig, TaskModules, finetune

__all__ = [
    "EncoderPretrainConfig",
    "EncoderPretrainResult",
    "PretrainCorpus",
    "build_pretrain_corpus",
    "corpus_from_texts",
    "evaluate_mlm",
    "export_encoder",
    "pretrain_encoder",
]

_DATA_NOTES: dict[tuple[str, ...], str] = {
    ("chnsenticorp_htl", "online_shopping_10_cats"): (
        "Texts of `chnsenticorp_htl` and `online_shopping_10_cats` (SophonPlus/ChineseNlpCorpus; "
        "the repository states no licence), duplicates removed, labels unused. The held-out "
        "texts (10 %, chosen by a hash of the text so that a review shared by both corpora is "
        "held out in both) were never seen, not even by the vocabulary; downstream test sets "
        "are drawn from them."
    )
}
_HELDOUT_MASK_SEED = 20_240_601
_VAL_MASK_SEED = 20_240_602


@dataclass(frozen=True)
class EncoderPretrainConfig:
    """Settings of a pretraining run (``configs/pretrain-text/zh-char-small.toml``).

    Parameters
    ----------
    name
        Name of the exported model.
    corpora
        Corpora of :data:`~supplymind.feedback.datasets.CORPORA` whose texts are used.
    vocab_size, min_char_count
        Tokenizer: most tokens (special ones included), least count of a kept character.
    max_length
        Block length in tokens (and the encoder's position embeddings).
    hidden_size, num_layers, num_heads, intermediate_size, dropout
        The BERT encoder.
    mask_prob
        Share of tokens chosen for prediction.
    steps, batch_size, learning_rate, warmup_ratio, weight_decay, eval_every, patience
        The engine's run (AdamW, warmup then cosine, early stopping on validation loss).
    val_blocks, heldout_blocks
        Blocks in the validation set and in the held-out evaluation set (at most).
    seed
        Seed of the initialisation, the text order, batch draws and masking.
    num_threads
        Torch threads.
    fp16
        Store the exported weights in float16 (they load as float32).
    init_from
        Continue pretraining this encoder (a registered name or a transformers folder with
        its tokenizer) instead of a new one: domain-adaptive pretraining on your own texts.
        Its tokenizer and architecture are used (``vocab_size``, ``min_char_count``, the
        encoder sizes and ``dropout`` are then ignored); its MLM head is loaded where the
        folder has one, else initialised from ``seed``.
    """

    name: str = "supplymind-zh-char-small"
    corpora: tuple[str, ...] = ("chnsenticorp_htl", "online_shopping_10_cats")
    vocab_size: int = 3000
    min_char_count: int = 2
    max_length: int = 128
    hidden_size: int = 192
    num_layers: int = 4
    num_heads: int = 3
    intermediate_size: int = 512
    dropout: float = 0.1
    mask_prob: float = 0.15
    steps: int = 1000
    batch_size: int = 32
    learning_rate: float = 1e-3
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    eval_every: int = 100
    patience: int = 1000
    val_blocks: int = 256
    heldout_blocks: int = 1024
    seed: int = 0
    num_threads: int = 1
    fp16: bool = True
    init_from: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "corpora", tuple(self.corpora))
        if not self.corpora:
            raise ConfigurationError("corpora: expected at least one corpus name, found none")
        if self.hidden_size % self.num_heads:
            raise ConfigurationError(
                f"hidden_size: expected a multiple of num_heads ({self.num_heads}), found "
                f"{self.hidden_size}"
            )
        for name in (
            "vocab_size",
            "min_char_count",
            "max_length",
            "hidden_size",
            "num_layers",
            "num_heads",
            "intermediate_size",
            "val_blocks",
            "heldout_blocks",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{name}: expected a positive integer, found {value!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigurationError(f"dropout: expected a probability, found {self.dropout}")
        self.finetune_config()  # the engine validates the rest

    def finetune_config(self) -> FinetuneConfig:
        """The engine's settings for this run."""
        return FinetuneConfig(
            mode="full",
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            max_steps=self.steps,
            warmup_ratio=self.warmup_ratio,
            batch_size=self.batch_size,
            eval_every=self.eval_every,
            patience=self.patience,
            min_delta=0.0,
            seed=self.seed,
            eval_batch_size=64,
            num_threads=self.num_threads,
        )

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON types."""
        data = dataclasses.asdict(self)
        data["corpora"] = list(self.corpora)
        return data

    @classmethod
    def from_file(cls, path: str | Path) -> EncoderPretrainConfig:
        """Read the settings from a TOML file (keys as the field names)."""
        source = Path(path)
        try:
            data = tomllib.loads(source.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(
                f"pretraining config {source}: cannot read it ({exc})"
            ) from exc
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigurationError(
                f"pretraining config {source}: unknown keys {unknown}; expected some of "
                f"{sorted(known)}"
            )
        return cls(**data)


@dataclass
class PretrainCorpus:
    """The texts of a pretraining run, split by the held-out rule, and their blocks."""

    tokenizer: Any
    train: BlockDataset
    val: BlockDataset
    heldout: BlockDataset
    stats: dict[str, Any] = field(default_factory=dict)


def _texts(config: EncoderPretrainConfig, data_dir: str | Path | None) -> pd.DataFrame:
    frames = [load_corpus(name, data_dir)[["text", "bucket"]] for name in config.corpora]
    texts = pd.concat(frames, ignore_index=True).drop_duplicates("text", ignore_index=True)
    return texts


def _blocks(tokenizer: Any, texts: Sequence[str], block_size: int) -> np.ndarray[Any, Any]:
    ids = tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"]
    return pack_blocks(
        ids,
        block_size,
        cls_id=tokenizer.cls_token_id,
        sep_id=tokenizer.sep_token_id,
        pad_id=tokenizer.pad_token_id,
    )


def build_pretrain_corpus(
    config: EncoderPretrainConfig, data_dir: str | Path | None = None
) -> PretrainCorpus:
    """Load the corpora, split them by bucket, build the tokenizer on the training texts and
    pack the three parts into blocks (validation and held-out blocks masked once)."""
    texts = _texts(config, data_dir)
    bucket = texts["bucket"].to_numpy()
    rule = (
        f"bucket = int(sha1(NFC(text).strip()))[:8 bytes] % 100; held out: bucket < "
        f"{HELDOUT_BUCKETS}; pretraining validation: {HELDOUT_BUCKETS} <= bucket < "
        f"{PRETRAIN_VAL_BUCKETS}; pretraining: the rest (duplicates removed)"
    )
    return corpus_from_texts(
        config,
        train=texts.loc[bucket >= PRETRAIN_VAL_BUCKETS, "text"].tolist(),
        val=texts.loc[
            (bucket >= HELDOUT_BUCKETS) & (bucket < PRETRAIN_VAL_BUCKETS), "text"
        ].tolist(),
        heldout=texts.loc[bucket < HELDOUT_BUCKETS, "text"].tolist(),
        heldout_rule=rule,
        sources=list(config.corpora),
    )


def corpus_from_texts(
    config: EncoderPretrainConfig,
    *,
    train: Sequence[str],
    val: Sequence[str],
    heldout: Sequence[str],
    heldout_rule: str = "given by the caller",
    sources: Sequence[str] = (),
) -> PretrainCorpus:
    """Build the tokenizer on ``train`` and pack the three parts into blocks (the training
    texts in a seeded random order; validation and held-out blocks masked once)."""
    if not train or not val or not heldout:
        raise ConfigurationError(
            f"train/val/heldout: expected texts in each part, found {len(train)}/{len(val)}/"
            f"{len(heldout)}"
        )
    parts = {"train": list(train), "val": list(val), "heldout": list(heldout)}
    if config.init_from is not None:
        tokenizer = _parent_tokenizer(config)
    else:
        tokenizer = build_char_tokenizer(
            parts["train"],
            vocab_size=config.vocab_size,
            min_count=config.min_char_count,
            max_length=config.max_length,
        )
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(parts["train"]))
    train_blocks = _blocks(tokenizer, [parts["train"][i] for i in order], config.max_length)
    collator = _collator(config, tokenizer)
    pad = int(tokenizer.pad_token_id)
    sets = {}
    for name, limit, seed in (
        ("val", config.val_blocks, _VAL_MASK_SEED),
        ("heldout", config.heldout_blocks, _HELDOUT_MASK_SEED),
    ):
        blocks = _blocks(tokenizer, parts[name], config.max_length)
        keep = np.sort(np.random.default_rng(seed).permutation(len(blocks))[:limit])
        sets[name] = premask(BlockDataset(blocks[keep], pad), collator, seed)
    train_set = BlockDataset(train_blocks, pad)
    n_chars = {k: int(sum(len(t) for t in v)) for k, v in parts.items()}
    unk = int(tokenizer.unk_token_id)
    tokens = train_set.input_ids[train_set.attention_mask.bool()]
    stats = {
        "corpora": list(sources),
        "texts": {k: len(v) for k, v in parts.items()},
        "characters": n_chars,
        "train_blocks": len(train_set),
        "train_tokens": int(tokens.numel()),
        "train_unk_share": float((tokens == unk).float().mean()),
        "val_blocks": len(sets["val"]),
        "heldout_blocks": len(sets["heldout"]),
        "vocab_size": len(tokenizer),
        "tokenizer": "built on the training texts"
        if config.init_from is None
        else f"the tokenizer of {config.init_from}",
        "heldout_rule": heldout_rule,
    }
    return PretrainCorpus(tokenizer, train_set, sets["val"], sets["heldout"], stats)


def _collator(config: EncoderPretrainConfig, tokenizer: Any) -> MLMCollator:
    if tokenizer.mask_token_id is None:
        raise ConfigurationError(
            f"tokenizer of {config.init_from}: expected a mask token for masked-language "
            "modelling, found none"
        )
    # SupplyMind's tokenizers put the special tokens first; a BERT vocabulary has them (and
    # its unused slots) below its highest special id.
    n_special = max(len(SPECIAL_TOKENS), max(tokenizer.all_special_ids) + 1)
    if config.init_from is None:
        n_special = len(SPECIAL_TOKENS)
    return MLMCollator(
        vocab_size=len(tokenizer),
        mask_id=int(tokenizer.mask_token_id),
        n_special=n_special,
        mask_prob=config.mask_prob,
    )


def _parent_path(config: EncoderPretrainConfig) -> Path:
    from supplymind.feedback.encoders import resolve_encoder

    assert config.init_from is not None  # callers check
    return resolve_encoder(config.init_from)[1]


def _parent_summary(config: EncoderPretrainConfig) -> dict[str, Any] | None:
    """What the ``init_from`` encoder's own pretraining summary says, if it has one."""
    if config.init_from is None:
        return None
    found = _parent_path(config) / "pretrain_summary.json"
    earlier = json.loads(found.read_text()) if found.is_file() else {}
    return {
        "name": config.init_from,
        "steps": earlier.get("steps"),
        "wall_seconds_training_total": earlier.get("wall_seconds_training_total"),
        "hardware": earlier.get("hardware"),
        "heldout_mlm": earlier.get("heldout_mlm"),
        "heldout_mlm_random_init": earlier.get("heldout_mlm_random_init"),
        "config": earlier.get("config"),
    }


def _parent_tokenizer(config: EncoderPretrainConfig) -> Any:
    from transformers import AutoTokenizer

    from supplymind.feedback.encoders import quiet_transformers

    path = _parent_path(config)
    with quiet_transformers():
        try:
            return AutoTokenizer.from_pretrained(path)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigurationError(
                f"init_from {config.init_from!r} at {path}: cannot load its tokenizer ({exc})"
            ) from exc


def _parent_model(config: EncoderPretrainConfig, vocab_size: int) -> nn.Module:
    """The encoder of ``init_from`` with a masked-LM head (loaded, or seeded if absent)."""
    from transformers import AutoModelForMaskedLM

    from supplymind.feedback.encoders import quiet_transformers

    path = _parent_path(config)
    with torch.random.fork_rng(devices=[]), quiet_transformers():
        torch.manual_seed(config.seed)
        try:
            model: nn.Module = AutoModelForMaskedLM.from_pretrained(path, dtype=torch.float32)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigurationError(
                f"init_from {config.init_from!r} at {path}: transformers cannot load it as a "
                f"masked LM ({exc})"
            ) from exc
    head_file = path / MLM_HEAD_FILE
    if head_file.is_file():
        head = {k: v.float() for k, v in load_file(str(head_file)).items()}
        expected = set(mlm_head_state(model))
        if set(head) != expected:
            raise ConfigurationError(
                f"init_from {config.init_from!r}: {head_file.name} expected the keys "
                f"{sorted(expected)}, found {sorted(head)}"
            )
        model.load_state_dict(head, strict=False)
    parent: Any = model.config
    if int(parent.vocab_size) < vocab_size:
        raise ConfigurationError(
            f"init_from {config.init_from!r}: expected a vocabulary of at least the tokenizer's "
            f"{vocab_size} tokens, found {parent.vocab_size}"
        )
    limit = getattr(parent, "max_position_embeddings", None)
    if limit is not None and config.max_length > int(limit):
        raise ConfigurationError(
            f"max_length: expected at most the max_position_embeddings of {config.init_from!r} "
            f"({limit}), found {config.max_length}"
        )
    return model


def _new_model(config: EncoderPretrainConfig, vocab_size: int) -> nn.Module:
    from transformers import BertConfig, BertForMaskedLM

    bert_config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=config.hidden_size,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        intermediate_size=config.intermediate_size,
        max_position_embeddings=config.max_length,
        hidden_dropout_prob=config.dropout,
        attention_probs_dropout_prob=config.dropout,
        pad_token_id=0,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model: nn.Module = BertForMaskedLM(bert_config)
    return model


@torch.no_grad()
def evaluate_mlm(model: nn.Module, data: BlockDataset, batch_size: int = 64) -> dict[str, float]:
    """Mean cross-entropy (nats per masked token), its perplexity and the top-1 accuracy of a
    masked LM on pre-masked blocks."""
    was_training = model.training
    model.eval()
    total, correct, count = 0.0, 0, 0
    for start in range(0, len(data), batch_size):
        stop = min(len(data), start + batch_size)
        ids, mask = data.input_ids[start:stop], data.attention_mask[start:stop]
        assert data.labels is not None  # premasked sets only
        labels = data.labels[start:stop]
        logits = model(input_ids=ids, attention_mask=mask).logits
        chosen = labels != IGNORE_INDEX
        picked = logits[chosen].float()
        target = labels[chosen]
        total += float(torch.nn.functional.cross_entropy(picked, target, reduction="sum"))
        correct += int((picked.argmax(-1) == target).sum())
        count += int(chosen.sum())
    model.train(was_training)
    loss = total / max(1, count)
    return {"loss": loss, "perplexity": math.exp(loss), "accuracy": correct / max(1, count)}


@dataclass
class EncoderPretrainResult:
    """What :func:`pretrain_encoder` returns."""

    model: nn.Module
    tokenizer: Any
    config: EncoderPretrainConfig
    summary: dict[str, Any]
    out_dir: Path


def pretrain_encoder(
    config: EncoderPretrainConfig,
    out_dir: str | Path,
    *,
    data_dir: str | Path | None = None,
    corpus: PretrainCorpus | None = None,
    progress: bool = False,
    stop_after: int | None = None,
    reproduce: str | None = None,
    data_note: str | None = None,
) -> EncoderPretrainResult:
    """Pretrain the encoder by masked-language modelling and export it to ``out_dir/model``.

    Parameters
    ----------
    config
        The run's settings.
    out_dir
        Run folder; a second call with the same folder and settings resumes from the
        engine's checkpoint and ends as an uninterrupted run would.
    data_dir
        The public data folder (default: ``$SUPPLYMIND_DATA_DIR`` or ``../shared/data``).
    corpus
        Texts to pretrain on instead of ``config.corpora`` (:func:`corpus_from_texts`).
    progress
        Show a progress bar.
    stop_after
        Stop after this step (the checkpoint is kept; call again to resume).
    reproduce, data_note
        The command that reproduces the run, and a paragraph on the data and its licence,
        for the model card.

    Returns
    -------
    EncoderPretrainResult
        The masked LM, the tokenizer and the run's summary (also in ``summary.json``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    if corpus is None:
        corpus = build_pretrain_corpus(config, data_dir)
    prepared = time.perf_counter() - began
    collator = _collator(config, corpus.tokenizer)
    model = (
        _new_model(config, len(corpus.tokenizer))
        if config.init_from is None
        else _parent_model(config, len(corpus.tokenizer))
    )
    result = finetune(
        model,
        corpus.train,
        corpus.val,
        config.finetune_config(),
        TaskModules(head=("cls",), adapter_targets=("query", "value")),
        loss_fn=mlm_loss,
        collate=collator,
        out_dir=out / "run",
        progress=progress,
        description="MLM pretraining",
        stop_after=stop_after,
    )
    history = pd.DataFrame(result.history)
    train_loss = history.loc[history["split"] == "train", "loss"].to_numpy()
    val_rows = history[history["split"] == "val"]
    heldout_before = evaluate_mlm(model, corpus.heldout)  # the model the run started from
    heldout_after = evaluate_mlm(result.model, corpus.heldout)
    n_params = sum(p.numel() for p in result.model.parameters())
    window = min(50, len(train_loss))
    summary = {
        "name": config.name,
        "config": config.to_dict(),
        "corpus": corpus.stats,
        "parameters_mlm": int(n_params),
        "steps": result.steps,
        "best_step": result.best_step,
        "stopped_early": result.stopped_early,
        "tokens_seen": int(result.steps * config.batch_size * config.max_length),
        "train_loss_first": float(train_loss[:window].mean()) if window else math.nan,
        "train_loss_last": float(train_loss[-window:].mean()) if window else math.nan,
        "val_loss_initial": result.initial_val_loss,
        "val_loss_best": result.best_val_loss,
        "val_curve": [
            [int(s), float(v)] for s, v in zip(val_rows["step"], val_rows["loss"], strict=True)
        ],
        "heldout_mlm_random_init": heldout_before,
        "parent": _parent_summary(config),
        "heldout_mlm": heldout_after,
        "wall_seconds_this_call": time.perf_counter() - began,
        "wall_seconds_corpus": prepared,
        "wall_seconds_training_this_call": result.wall_seconds,
        "hardware": f"{platform.machine()} CPU, torch threads {config.num_threads}",
        "torch": torch.__version__,
        "reproduce": reproduce or "pretrain_encoder(config, out_dir)",
        "data_note": data_note or _DATA_NOTES.get(tuple(config.corpora), ""),
    }
    # A resumed run's training time adds up over the calls that made progress.
    previous = out / "summary.json"
    earlier = json.loads(previous.read_text()) if previous.exists() else {}
    total = float(earlier.get("wall_seconds_training_total", 0.0))
    if int(earlier.get("steps", 0)) < result.steps:
        total += result.wall_seconds
    summary["wall_seconds_training_total"] = total
    atomic_write_text(previous, json.dumps(summary, indent=1, ensure_ascii=False))
    export_encoder(
        result.model,
        corpus.tokenizer,
        out / "model",
        config=config,
        summary=summary,
        loss_csv=out / "run" / "log.csv",
    )
    return EncoderPretrainResult(result.model, corpus.tokenizer, config, summary, out)


#: The masked-LM head of an exported encoder (the transform and the output bias; the decoder
#: is tied to the word embeddings and that bias), so that pretraining can be continued.
MLM_HEAD_FILE = "mlm_head.safetensors"


def mlm_head_state(mlm: nn.Module) -> dict[str, torch.Tensor]:
    """The head weights of a BERT masked LM that the encoder folder does not hold."""
    return {
        k: v.detach().float().clone()
        for k, v in mlm.state_dict().items()
        if k.startswith("cls.") and ".decoder." not in k  # the decoder is tied
    }


def export_encoder(
    mlm: nn.Module,
    tokenizer: Any,
    folder: str | Path,
    *,
    config: EncoderPretrainConfig,
    summary: dict[str, Any],
    loss_csv: str | Path | None = None,
) -> Path:
    """Write the encoder of a masked LM as a plain ``BertModel`` folder with its tokenizer
    and a model card (``README.md``, ``loss_curve.png``).

    The MLM head goes to its own file, :data:`MLM_HEAD_FILE` (for continued pretraining,
    ``init_from``); the pooler (unused by SupplyMind, which mean-pools) keeps its seeded
    initialisation so that ``AutoModel.from_pretrained`` loads without new weights.
    """
    from transformers import BertModel

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    bert = getattr(mlm, "bert", None)
    if bert is None:
        raise ConfigurationError(
            f"mlm: expected a BERT masked LM with a .bert encoder, found {type(mlm).__name__}"
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        encoder = BertModel(bert.config, add_pooling_layer=True)
    missing = encoder.load_state_dict(bert.state_dict(), strict=False)
    if missing.unexpected_keys or any(not k.startswith("pooler.") for k in missing.missing_keys):
        raise ConfigurationError(f"encoder export: weights do not match ({missing})")
    encoder.config.architectures = ["BertModel"]
    if config.fp16:
        encoder = encoder.half()  # type: ignore[no-untyped-call]
    from supplymind.feedback.encoders import quiet_transformers

    with quiet_transformers():
        encoder.save_pretrained(target)
        tokenizer.save_pretrained(target)
    head = mlm_head_state(mlm)
    if config.fp16:
        head = {k: v.half() for k, v in head.items()}
    with atomic_path(target / MLM_HEAD_FILE) as tmp:
        save_file(head, str(tmp))
    for written in target.iterdir():
        if written.is_file():
            written.chmod(0o644)  # transformers writes weights private (0600)
    summary = {**summary, "parameters_encoder": int(sum(p.numel() for p in encoder.parameters()))}
    write_encoder_card(
        target,
        config=config,
        summary=summary,
        loss_csv=None if loss_csv is None else Path(loss_csv),
    )
    return target


def _plot_losses(loss_csv: Path, path: Path) -> Path | None:
    from matplotlib.figure import Figure

    with loss_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    train = [(int(r["step"]), float(r["loss"])) for r in rows if r["split"] == "train"]
    val = [(int(r["step"]), float(r["loss"])) for r in rows if r["split"] == "val"]
    if not train:
        return None
    fig = Figure(figsize=(7.5, 3.4))
    ax = fig.add_subplot()
    steps, losses = zip(*train, strict=True)
    ax.plot(steps, losses, linewidth=0.6, color="#9fb3c8", label="train (batch)")
    if val:
        vs, vl = zip(*val, strict=True)
        ax.plot(vs, vl, marker="o", markersize=3, color="#102a43", label="validation")
    ax.set_xlabel("step")
    ax.set_ylabel("MLM cross-entropy (nats / masked char)")
    ax.set_title("Masked-LM pretraining")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return path


def write_encoder_card(
    folder: Path,
    *,
    config: EncoderPretrainConfig,
    summary: dict[str, Any],
    loss_csv: Path | None = None,
) -> Path:
    """Write ``folder/README.md`` (and ``loss_curve.png`` from the run's ``log.csv``)."""
    curve = None
    if loss_csv is not None and loss_csv.is_file():
        curve = _plot_losses(loss_csv, folder / "loss_curve.png")
    corpus = summary.get("corpus", {})
    heldout = summary.get("heldout_mlm", {})
    before = summary.get("heldout_mlm_random_init", {})
    minutes = summary.get("wall_seconds_training_total", math.nan) / 60.0
    parent = summary.get("parent") or {}
    start = "random init" if config.init_from is None else f"start ({config.init_from})"
    size_mb = (folder / "model.safetensors").stat().st_size / 1e6
    rows = {
        "architecture": (
            f"BERT encoder, {config.num_layers} layers, hidden {config.hidden_size}, "
            f"{config.num_heads} heads, feed-forward {config.intermediate_size}, max length "
            f"{config.max_length}"
        ),
        "vocabulary": (
            f"{corpus.get('vocab_size', config.vocab_size)} tokens: 5 special + the most "
            f"frequent characters (seen >= {config.min_char_count} times) of the training "
            "texts; NFKC + lower case, one token per character"
            if config.init_from is None
            else f"{corpus.get('vocab_size')} tokens: the tokenizer of {config.init_from}"
        ),
        "parameters": f"{summary.get('parameters_encoder', 0):,} (encoder with pooler)",
        "weights": f"model.safetensors, {'float16' if config.fp16 else 'float32'}, "
        f"{size_mb:.2f} MB (load as float32)",
        "corpora": ", ".join(corpus.get("corpora", config.corpora)) + " (labels unused)",
        "texts (train / validation / held out)": " / ".join(
            f"{corpus.get('texts', {}).get(k, 0):,}" for k in ("train", "val", "heldout")
        ),
        "training tokens": f"{corpus.get('train_tokens', 0):,} in "
        f"{corpus.get('train_blocks', 0):,} packed blocks",
        "held-out rule": corpus.get("heldout_rule", ""),
        "objective": f"masked LM, {config.mask_prob:.0%} of characters (80/10/10)",
        "optimiser": (
            f"AdamW lr {config.learning_rate:g}, warmup {config.warmup_ratio:.0%} then cosine, "
            f"weight decay {config.weight_decay:g}, batch {config.batch_size} x "
            f"{config.max_length}, seed {config.seed}"
        ),
        "steps": f"{summary.get('steps', 0):,} (best validation at step "
        f"{summary.get('best_step', 0):,}); {summary.get('tokens_seen', 0):,} token slots",
        "training time": f"{minutes:.1f} min on {summary.get('hardware', 'CPU')}"
        + (
            f", after the {parent['wall_seconds_training_total'] / 60.0:.1f} min and "
            f"{parent.get('steps') or 0:,} steps of {parent['name']}"
            if parent.get("wall_seconds_training_total")
            else ""
        ),
        "train loss (first / last 50 steps)": f"{summary.get('train_loss_first', math.nan):.3f} "
        f"/ {summary.get('train_loss_last', math.nan):.3f}",
        "validation loss (start / best)": f"{summary.get('val_loss_initial', math.nan):.3f} / "
        f"{summary.get('val_loss_best', math.nan):.3f}",
        f"held-out MLM loss ({start} / pretrained)": f"{before.get('loss', math.nan):.3f} / "
        f"{heldout.get('loss', math.nan):.3f} nats per masked character",
        f"held-out masked-character accuracy ({start} / pretrained)": (
            f"{before.get('accuracy', math.nan):.1%} / {heldout.get('accuracy', math.nan):.1%}"
        ),
    }
    if config.init_from is not None:
        rows = {
            "initialised from": f"{config.init_from} as it was before this run (its weights, "
            "MLM head and tokenizer"
            + (
                f"; {parent['steps']:,} steps, held-out MLM loss "
                f"{parent['heldout_mlm']['loss']:.3f}"
                if parent.get("steps") and parent.get("heldout_mlm")
                else ""
            )
            + "); this run continued its masked-language-model pretraining",
            **rows,
        }
    table = "\n".join(["| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows.items()]])
    data_note = summary.get("data_note") or (
        "Texts of the corpora above, duplicates removed, labels unused. The held-out texts were "
        "never seen, not even by the vocabulary."
    )
    how = (
        "from scratch"
        if config.init_from is None
        else "in two runs (a first run, then this one continued from its encoder)"
    )
    text = f"""# {config.name}

A small character-level Chinese text encoder, pretrained by SupplyMind {how} by
masked-language modelling, for fine-tuning on customer-feedback classification (sentiment,
complaint type) with `supplymind.feedback`. It is not a general Chinese language model: it
has seen {corpus.get("characters", {}).get("train", 0):,} characters of text
({", ".join(corpus.get("corpora", []))}).

{table}

{"![loss curve](loss_curve.png)" if curve else ""}

## Use

```python
from supplymind.feedback import load_encoder

encoder = load_encoder("{config.name}")  # or a folder; .model (BertModel), .tokenizer
```

or with transformers directly: `AutoModel.from_pretrained(folder, dtype=torch.float32)` and
`AutoTokenizer.from_pretrained(folder)`. The pooler is untrained (SupplyMind mean-pools the
last hidden states). Reproduce with `{summary.get("reproduce", "pretrain_encoder(...)")}`; the
run is deterministic and resumes from its checkpoint.

## Data

{data_note}
"""
    return atomic_write_text(folder / "README.md", text)
