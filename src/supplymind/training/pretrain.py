"""Self-supervised pretraining of the time-series backbone.

Objectives (switchable): ``forecast`` (pinball loss on the next horizon), ``masked``
(reconstruct randomly hidden context patches), or ``both``. AdamW with linear warmup and
cosine decay, gradient clipping and accumulation, optional bf16 autocast, a checkpoint every
``checkpoint_every`` steps, resume after interruption, and loss curves in TensorBoard and CSV.

Determinism: the windows and dropout of step ``s`` come from generators seeded with
``(seed, s)``, so a run resumed from a checkpoint reproduces an uninterrupted run exactly
(same thread count, CPU).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from supplymind.files import atomic_path, atomic_write_text
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.models.config import SupplyMindTSConfig
from supplymind.training.corpus import CorpusConfig, WindowSampler, build_corpus_with_stats

__all__ = ["PretrainConfig", "PretrainResult", "load_pretrain_config", "pretrain"]

Objective = Literal["forecast", "masked", "both"]

_CHECKPOINT_DIR = "checkpoints"
_LOG_CSV = "loss.csv"


@dataclass(frozen=True)
class PretrainConfig:
    """Everything a pretraining run needs; loadable from TOML (see :func:`load_pretrain_config`).

    Parameters
    ----------
    model
        Keyword arguments of :class:`~supplymind.models.config.SupplyMindTSConfig`.
    corpus
        Keyword arguments of the corpus configuration.
    objective
        ``forecast``, ``masked`` or ``both``.
    mask_ratio
        Share of observed context patches hidden by the masked objective.
    steps
        Optimiser steps.
    batch_size
        Windows per micro-batch; an optimiser step sees ``batch_size * grad_accum`` windows.
    grad_accum
        Micro-batches per optimiser step.
    learning_rate, weight_decay, warmup_steps, grad_clip
        AdamW and schedule settings (linear warmup, then cosine decay to 10%).
    bf16
        Autocast to bfloat16 (helps on GPUs and recent CPUs; off by default on CPU).
    checkpoint_every, log_every
        Steps between checkpoints and between log lines.
    seed
        Seed of the corpus, the windows and the initial weights.
    num_threads
        torch intra-op threads (0 keeps torch's default).
    init_from
        Folder of a saved backbone to start from (continued pretraining). Its model config
        is the base and ``model`` overrides fields of it; a larger ``num_layers`` grows the
        parent's depth, the new layers starting as identities.
    masked_share
        Share of the windows of a batch that get masked patches (objective ``both``); the
        others are pure forecasting windows, as at inference.
    train_only
        Module names (``"empirical"``, ``"seasonal_copy.gate"``) whose parameters alone are
        trained; every other parameter is frozen and its modules run in evaluation mode (no
        dropout). Empty trains everything. For a path added to a pretrained backbone
        (``init_from``): it learns on the backbone's features as they are at inference.
    """

    model: Mapping[str, Any] = field(default_factory=dict)
    corpus: Mapping[str, Any] = field(default_factory=dict)
    objective: Objective = "both"
    mask_ratio: float = 0.3
    steps: int = 1000
    batch_size: int = 64
    grad_accum: int = 1
    learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_steps: int = 100
    grad_clip: float = 1.0
    bf16: bool = False
    checkpoint_every: int = 200
    log_every: int = 10
    seed: int = 0
    num_threads: int = 0
    init_from: str | None = None
    masked_share: float = 1.0
    train_only: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.objective not in ("forecast", "masked", "both"):
            raise ValueError(
                "PretrainConfig.objective: expected 'forecast', 'masked' or 'both', "
                f"found {self.objective!r}"
            )
        for name in ("steps", "batch_size", "grad_accum", "checkpoint_every", "log_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"PretrainConfig.{name}: expected a positive integer, found {value!r}"
                )
        for name in ("warmup_steps", "seed", "num_threads"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(
                    f"PretrainConfig.{name}: expected an integer >= 0, found {value!r}"
                )
        if not 0.0 <= self.masked_share <= 1.0:
            raise ValueError(
                f"PretrainConfig.masked_share: expected [0, 1], found {self.masked_share}"
            )
        if not 0.0 < self.mask_ratio < 1.0:
            raise ValueError(f"PretrainConfig.mask_ratio: expected (0, 1), found {self.mask_ratio}")
        for name in ("learning_rate", "grad_clip"):
            if getattr(self, name) <= 0:
                raise ValueError(
                    f"PretrainConfig.{name}: expected > 0, found {getattr(self, name)}"
                )
        if self.weight_decay < 0:
            raise ValueError(
                f"PretrainConfig.weight_decay: expected >= 0, found {self.weight_decay}"
            )
        if isinstance(self.train_only, str) or not all(
            isinstance(name, str) and name for name in self.train_only
        ):
            raise ValueError(
                "PretrainConfig.train_only: expected a list of module names, found "
                f"{self.train_only!r}"
            )
        object.__setattr__(self, "train_only", tuple(self.train_only))
        SupplyMindTSConfig(**dict(self.model))  # validates the model fields early
        CorpusConfig(**dict(self.corpus))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (for the checkpoint and the model card)."""
        out = dataclasses.asdict(self)
        out["model"] = dict(self.model)
        out["corpus"] = dict(self.corpus)
        out["train_only"] = list(self.train_only)
        return out


def load_pretrain_config(path: str | Path) -> PretrainConfig:
    """Read a :class:`PretrainConfig` from a TOML file (top-level keys, ``[model]`` and
    ``[corpus]`` tables); unknown keys are an error naming them."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    known = {f.name for f in dataclasses.fields(PretrainConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{path}: unknown keys {unknown}; expected some of {sorted(known)}")
    return PretrainConfig(**data)


@dataclass(frozen=True)
class PretrainResult:
    """Where the run wrote its model and logs, and what it measured."""

    model_dir: Path
    steps: int
    final_loss: float
    wall_seconds: float
    parameters: int
    corpus_series: int
    corpus_points: int


def _lr_factor(step: int, cfg: PretrainConfig) -> float:
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    progress = (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps)
    return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def _start_from_parent(model: SupplyMindTSModel, folder: str) -> None:
    """Load a saved backbone's weights into ``model``, which may be deeper.

    New modules (absent from the parent) keep their neutral initialisation. Encoder layers
    beyond the parent's depth start with their residual branches at zero (attention output
    and feed-forward output projections), so the deeper model computes exactly the parent's
    function at step 0 and training grows it from there (progressive stacking).
    """
    parent = SupplyMindTSModel.from_pretrained(folder)
    result = model.load_state_dict(parent.state_dict(), strict=False)
    if result.unexpected_keys:
        raise ValueError(
            f"PretrainConfig.init_from: expected a backbone no larger than the configured one, "
            f"found weights the model has no place for in {folder}: "
            f"{', '.join(result.unexpected_keys[:5])}"
        )
    with torch.no_grad():
        for layer in list(model.encoder.layers)[parent.config.num_layers :]:
            for projection in (layer.self_attn.out_proj, layer.linear2):
                projection.weight.zero_()
                projection.bias.zero_()


def _under(name: str, modules: Sequence[str]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def _trainable(model: SupplyMindTSModel, train_only: Sequence[str]) -> list[nn.Parameter]:
    """The parameters to train (all when ``train_only`` is empty); freezes the others."""
    if not train_only:
        return list(model.parameters())
    names = {name for name, _ in model.named_modules()}
    missing = [m for m in train_only if m not in names]
    if missing:
        raise ValueError(
            f"PretrainConfig.train_only: expected modules of the backbone, found {missing} "
            f"(the model has e.g. {sorted(n for n in names if n and '.' not in n)})"
        )
    trained = []
    for name, param in model.named_parameters():
        param.requires_grad_(_under(name, train_only))
        if param.requires_grad:
            trained.append(param)
    if not trained:
        raise ValueError(
            f"PretrainConfig.train_only: expected modules with parameters, found {list(train_only)}"
        )
    return trained


def _train_mode(model: SupplyMindTSModel, train_only: Sequence[str]) -> None:
    """Training mode for what is trained; frozen modules stay in evaluation mode."""
    if not train_only:
        model.train()
        return
    model.train(False)
    for name, module in model.named_modules():
        if _under(name, train_only):
            module.train()


def _latest_checkpoint(out: Path) -> Path | None:
    folder = out / _CHECKPOINT_DIR
    if not folder.is_dir():
        return None
    done = [p for p in folder.glob("step-*") if (p / "state.json").exists()]
    return max(done, key=lambda p: int(p.name.split("-")[1]), default=None)


def _save_checkpoint(
    out: Path, step: int, model: SupplyMindTSModel, optimizer: torch.optim.Optimizer
) -> None:
    final = out / _CHECKPOINT_DIR / f"step-{step}"
    tmp = final.with_name(final.name + ".tmp")
    if tmp.exists():
        for child in tmp.iterdir():
            child.unlink()
    tmp.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(tmp)
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    (tmp / "state.json").write_text(json.dumps({"step": step}))
    tmp.replace(final)
    # Keep the two newest checkpoints.
    older = sorted((out / _CHECKPOINT_DIR).glob("step-*"), key=lambda p: int(p.name.split("-")[1]))
    for stale in older[:-2]:
        for child in stale.iterdir():
            child.unlink()
        stale.rmdir()


def _batch(
    sampler: WindowSampler,
    cfg: PretrainConfig,
    model_cfg: SupplyMindTSConfig,
    step: int,
    micro: int,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    rng = np.random.default_rng([cfg.seed, step, micro])
    context, future = sampler.sample(cfg.batch_size, rng)
    mask = None
    if cfg.objective in ("masked", "both"):
        width = model_cfg.context_patches * model_cfg.patch_size
        padded = np.full((len(context), width), np.nan, dtype=np.float32)
        padded[:, width - context.shape[1] :] = context[:, -width:]
        observed = ~np.isnan(padded.reshape(len(context), model_cfg.context_patches, -1)).all(-1)
        mask_np = (rng.random(observed.shape) < cfg.mask_ratio) & observed
        if cfg.objective == "both" and cfg.masked_share < 1.0:
            mask_np &= (rng.random(len(mask_np)) < cfg.masked_share)[:, None]
        # Keep at least one visible observed patch per window.
        last = observed.shape[1] - 1
        mask_np[:, last] = False
        mask = torch.from_numpy(mask_np)
    future_t = torch.from_numpy(future)
    if cfg.objective == "masked":
        future_t = torch.full_like(future_t, float("nan"))
    return torch.from_numpy(context), future_t, mask


def pretrain(
    config: PretrainConfig,
    out_dir: str | Path,
    *,
    data_dir: str | Path | None = None,
    resume: bool = True,
    on_progress: Callable[[int, int, float], None] | None = None,
    stop_after: int | None = None,
) -> PretrainResult:
    """Pretrain a backbone and save it to ``out_dir/model`` (config.json + model.safetensors).

    Parameters
    ----------
    config
        The run's settings.
    out_dir
        Folder for checkpoints, logs (``loss.csv``, ``tensorboard/``) and the final model.
    data_dir
        Public data folder for the real part of the corpus (default from settings).
    resume
        Continue from the newest checkpoint in ``out_dir`` when there is one.
    on_progress
        Called as ``on_progress(step, total_steps, loss)`` after each optimiser step.
    stop_after
        Stop (after checkpointing) once this step is reached: simulates an interruption.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    model_cfg = SupplyMindTSConfig(**dict(config.model))
    if config.init_from is not None:
        # The saved architecture, with any fields the config overrides (e.g. a new path).
        saved = SupplyMindTSConfig.from_pretrained(config.init_from).to_dict()
        model_cfg = SupplyMindTSConfig(**{**saved, **dict(config.model)})
    corpus_cfg = CorpusConfig(**{"seed": config.seed, **dict(config.corpus)})
    corpus, stats = build_corpus_with_stats(corpus_cfg, data_dir=data_dir)
    n_points = int(sum(len(s) for s in corpus))
    sampler = WindowSampler(corpus, model_cfg.context_length, model_cfg.max_horizon)

    torch.manual_seed(config.seed)
    model = SupplyMindTSModel(model_cfg)
    if config.init_from is not None:
        _start_from_parent(model, config.init_from)
    trained = _trainable(model, config.train_only)
    optimizer = torch.optim.AdamW(
        trained, lr=config.learning_rate, weight_decay=config.weight_decay
    )
    start = 0
    checkpoint = _latest_checkpoint(out) if resume else None
    if checkpoint is not None:
        loaded = SupplyMindTSModel.from_pretrained(checkpoint)
        model.load_state_dict(loaded.state_dict())
        optimizer.load_state_dict(torch.load(checkpoint / "optimizer.pt", weights_only=True))
        start = int(json.loads((checkpoint / "state.json").read_text())["step"])

    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(log_dir=str(out / "tensorboard"), purge_step=start)
    csv_path = out / _LOG_CSV
    _restart_log(csv_path, upto=start)
    began = time.perf_counter()
    loss_value = float("nan")
    _train_mode(model, config.train_only)
    for step in range(start, config.steps):
        factor = _lr_factor(step, config)
        for group in optimizer.param_groups:
            group["lr"] = config.learning_rate * factor
        torch.manual_seed(config.seed * 1_000_003 + step)
        total = 0.0
        for micro in range(config.grad_accum):
            context, future, mask = _batch(sampler, config, model_cfg, step, micro)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
                output = model(context=context, future=future, context_patch_mask=mask)
            if output.loss is None:  # pragma: no cover - a target is always given
                raise RuntimeError("pretraining step produced no loss")
            (output.loss / config.grad_accum).backward()
            total += float(output.loss.detach()) / config.grad_accum
        torch.nn.utils.clip_grad_norm_(trained, config.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = total
        done = step + 1
        if done % config.log_every == 0 or done == config.steps:
            lr = config.learning_rate * factor
            writer.add_scalar("loss/train", total, done)
            writer.add_scalar("lr", lr, done)
            with csv_path.open("a", newline="") as handle:
                csv.writer(handle).writerow([done, round(total, 6), lr])
        if on_progress is not None:
            on_progress(done, config.steps, total)
        if done % config.checkpoint_every == 0 or done == config.steps:
            _save_checkpoint(out, done, model, optimizer)
        if stop_after is not None and done >= stop_after:
            break
    writer.close()
    wall = time.perf_counter() - began
    model_dir = out / "model"
    model.save_pretrained(model_dir)
    params = sum(p.numel() for p in model.parameters())
    summary = {
        "steps": config.steps,
        "final_loss": loss_value,
        "wall_seconds_this_run": wall,
        "parameters": params,
        "corpus_series": len(corpus),
        "corpus_points": n_points,
        "corpus_stats": dataclasses.asdict(stats),
        "config": config.to_dict(),
    }
    atomic_write_text(out / "pretrain_summary.json", json.dumps(summary, indent=2))
    return PretrainResult(model_dir, config.steps, loss_value, wall, params, len(corpus), n_points)


def _restart_log(path: Path, upto: int) -> None:
    """Keep the log lines up to step ``upto`` (a resumed run rewrites what came after)."""
    rows: list[list[str]] = []
    if path.exists():
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))[1:]
    rows = [r for r in rows if r and int(r[0]) <= upto]
    with atomic_path(path) as tmp, tmp.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", "loss", "lr"])
        writer.writerows(rows)
