"""The one fine-tuning engine of SupplyMind, shared by every task.

A task (forecasting, text classification, ...) brings a pretrained ``torch.nn.Module`` whose
``forward(**batch)`` returns an object with a ``loss`` (or a ``loss_fn(model, batch)``), a
training and a validation :class:`torch.utils.data.Dataset` of dict items, and a
:class:`TaskModules` saying which modules form the task head and where low-rank adapters go.
:func:`finetune` then trains a *copy* of the model (the pretrained one is never touched) in
one of four modes:

``full``
    every parameter is trained;
``head``
    only the task head (the backbone is frozen);
``lora``
    LoRA adapters on the backbone's linear layers plus the head, through ``peft``;
``ia3``
    IA³ rescaling vectors on the same layers plus the head, through ``peft``.

Training uses AdamW (no decay on biases and norms), linear warmup then cosine decay, gradient
clipping and accumulation, optional bf16 autocast, and early stopping on the validation loss:
the model returned is the best one seen, *including the model before fine-tuning* (step 0),
so fine-tuning can never return something worse on the validation split than what it got.

With an ``out_dir`` the run writes ``log.csv`` and TensorBoard events and checkpoints at
every evaluation; calling again with the same ``out_dir`` and settings resumes from the last
checkpoint and gives the same result as an uninterrupted run (batches and dropout are drawn
from the seed and the step number, not from a stream that a restart would reset).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import json
import math
import shutil
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np
import torch
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from safetensors.torch import load_file, save_file
from torch import nn
from torch.utils.data import Dataset, default_collate

from supplymind.exceptions import ConfigurationError
from supplymind.files import atomic_write_text

__all__ = [
    "MODES",
    "PEFT_MODES",
    "DataParallel",
    "FinetuneConfig",
    "FinetuneResult",
    "TaskModules",
    "finetune",
    "load_finetune_config",
    "merge_adapters",
    "no_fastpath",
    "restore_trained",
    "trainable_parameters",
    "trainable_state",
]

#: The fine-tuning modes.
MODES: tuple[str, ...] = ("full", "head", "lora", "ia3")
#: The modes that train ``peft`` adapters.
PEFT_MODES: tuple[str, ...] = ("lora", "ia3")

Batch = dict[str, Any]
LossFn = Callable[[nn.Module, Batch], torch.Tensor]
_CHECKPOINT = "checkpoint"
_LOG = "log.csv"


@dataclass(frozen=True)
class FinetuneConfig:
    """Settings of one fine-tuning run.

    Parameters
    ----------
    mode
        One of :data:`MODES`.
    learning_rate
        Peak learning rate of AdamW.
    weight_decay
        Decoupled L2 weight decay (not applied to biases and normalisation weights).
    max_steps
        Optimiser steps at most.
    warmup_ratio
        Share of ``max_steps`` over which the learning rate rises linearly from 0; it then
        decays along a cosine to 10 % of the peak.
    batch_size
        Examples per micro-batch.
    grad_accum
        Micro-batches per optimiser step.
    eval_every
        Steps between two evaluations on the validation split (and checkpoints).
    patience
        Evaluations without improvement before stopping early.
    min_delta
        Relative improvement of the validation loss that counts as one.
    dropout
        Overrides the dropout probability of every ``nn.Dropout`` of the model; ``None``
        keeps the model's own.
    max_grad_norm
        Gradient clipping threshold (global L2 norm).
    bf16
        Run forward passes under bfloat16 autocast.
    seed
        Seeds the batch draws, dropout and adapter initialisation.
    lora_r, lora_alpha, lora_dropout
        LoRA rank, scaling numerator and dropout (``lora`` mode).
    eval_batch_size
        Examples per validation batch.
    num_threads
        ``torch.set_num_threads`` for the run (restored afterwards); ``None`` leaves it.
    """

    mode: str = "full"
    learning_rate: float = 1e-4
    weight_decay: float = 0.01
    max_steps: int = 300
    warmup_ratio: float = 0.1
    batch_size: int = 32
    grad_accum: int = 1
    eval_every: int = 25
    patience: int = 4
    min_delta: float = 1e-3
    dropout: float | None = None
    max_grad_norm: float = 1.0
    bf16: bool = False
    seed: int = 0
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    eval_batch_size: int = 256
    num_threads: int | None = None

    def __post_init__(self) -> None:
        def bad(name: str, expected: str) -> ConfigurationError:
            return ConfigurationError(
                f"FinetuneConfig.{name}: expected {expected}, found {getattr(self, name)!r}"
            )

        if self.mode not in MODES:
            raise bad("mode", f"one of {list(MODES)}")
        if not (isinstance(self.learning_rate, int | float) and self.learning_rate > 0):
            raise bad("learning_rate", "a positive number")
        if not self.weight_decay >= 0:
            raise bad("weight_decay", "a number >= 0")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise bad("warmup_ratio", "a share in [0, 1)")
        if self.dropout is not None and not 0.0 <= self.dropout < 1.0:
            raise bad("dropout", "None or a probability in [0, 1)")
        if not 0.0 <= self.lora_dropout < 1.0:
            raise bad("lora_dropout", "a probability in [0, 1)")
        if not self.max_grad_norm > 0:
            raise bad("max_grad_norm", "a positive number")
        if not self.min_delta >= 0:
            raise bad("min_delta", "a number >= 0")
        for name in (
            "max_steps",
            "batch_size",
            "grad_accum",
            "eval_every",
            "patience",
            "lora_r",
            "lora_alpha",
            "eval_batch_size",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise bad(name, "a positive integer")
        if self.num_threads is not None and self.num_threads < 1:
            raise bad("num_threads", "None or a positive integer")

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON types."""
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> FinetuneConfig:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)


def load_finetune_config(path: str | Path) -> FinetuneConfig:
    """Read a :class:`FinetuneConfig` from a TOML file (keys as the field names)."""
    source = Path(path)
    try:
        data = tomllib.loads(source.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"fine-tuning config {source}: cannot read it ({exc})") from exc
    known = {f.name for f in dataclasses.fields(FinetuneConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigurationError(
            f"fine-tuning config {source}: unknown keys {unknown}; expected some of {sorted(known)}"
        )
    return FinetuneConfig(**data)


@dataclass(frozen=True)
class TaskModules:
    """Where a task's head is and where adapters attach, as module names.

    Parameters
    ----------
    head
        Names of the head's modules (top-level attribute names or dotted paths). Trained
        in ``head`` mode and trained fully next to the adapters in the peft modes.
    adapter_targets
        Name suffixes of the ``nn.Linear`` layers that receive LoRA / IA³ adapters.
    feedforward
        Among ``adapter_targets``, the feed-forward layers (IA³ scales their input, not
        their output).
    """

    head: tuple[str, ...]
    adapter_targets: tuple[str, ...]
    feedforward: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.head:
            raise ConfigurationError("TaskModules.head: expected at least one module name")
        if not self.adapter_targets:
            raise ConfigurationError(
                "TaskModules.adapter_targets: expected at least one module name"
            )
        extra = set(self.feedforward) - set(self.adapter_targets)
        if extra:
            raise ConfigurationError(
                f"TaskModules.feedforward: expected names among adapter_targets, found {extra}"
            )


def _same(model: nn.Module) -> nn.Module:
    return model


@dataclass(frozen=True)
class DataParallel:
    """This process's place in a data-parallel run of :func:`finetune`.

    Parameters
    ----------
    rank
        Index of this process, from 0; process 0 writes the logs and checkpoints.
    world_size
        Number of processes.
    wrap
        Wraps the trainable model for the forward and backward passes so that gradients
        are averaged across processes (``torch.nn.parallel.DistributedDataParallel``, or
        ``ray.train.torch.prepare_model``).
    device
        Where the wrapped model lives; batches are moved there (``None``: left as they are).
    """

    rank: int
    world_size: int
    wrap: Callable[[nn.Module], nn.Module] = _same
    device: torch.device | None = None

    def __post_init__(self) -> None:
        if isinstance(self.world_size, bool) or self.world_size < 1:
            raise ConfigurationError(
                f"DataParallel.world_size: expected a positive integer, found {self.world_size!r}"
            )
        if not 0 <= self.rank < self.world_size:
            raise ConfigurationError(
                f"DataParallel.rank: expected 0 <= rank < {self.world_size}, found {self.rank!r}"
            )

    def place(self, batch: Batch) -> Batch:
        """``batch`` with its tensors on :attr:`device`."""
        if self.device is None:
            return batch
        device = self.device
        return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}

    def mean(self, value: float) -> float:
        """Average of ``value`` over the processes (``value`` itself without a process group)."""
        if self.world_size == 1 or not torch.distributed.is_initialized():
            return value
        tensor = torch.tensor([value], dtype=torch.float64)
        torch.distributed.all_reduce(tensor)
        return float(tensor.item()) / self.world_size


@dataclass
class FinetuneResult:
    """What :func:`finetune` returns.

    Attributes
    ----------
    model
        The fine-tuned copy at its best validation loss (a ``peft.PeftModel`` in the peft
        modes; :func:`merge_adapters` folds the adapters into plain weights, which is what
        to use for inference: an unmerged adapter model must run under :func:`no_fastpath`).
    config
        The settings used.
    initial_val_loss
        Validation loss of the pretrained model before any step (``nan`` without a
        validation split).
    best_val_loss
        Best validation loss seen (``initial_val_loss`` when no step improved on it).
    best_step
        Step of the best validation loss (0: the pretrained model was kept).
    steps
        Optimiser steps run.
    stopped_early
        Whether patience ran out before ``max_steps``.
    history
        One row per evaluation and log step: ``step``, ``split``, ``loss``, ``lr``.
    trainable_parameters, total_parameters
        Counts in the fine-tuned model.
    wall_seconds
        Time spent in this call.
    """

    model: nn.Module
    config: FinetuneConfig
    initial_val_loss: float
    best_val_loss: float
    best_step: int
    steps: int
    stopped_early: bool
    history: list[dict[str, Any]] = field(default_factory=list)
    trainable_parameters: int = 0
    total_parameters: int = 0
    wall_seconds: float = 0.0

    @property
    def improved(self) -> bool:
        """Whether fine-tuning beat the pretrained model on the validation split."""
        return self.best_step > 0

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (no model)."""
        return {
            "mode": self.config.mode,
            "initial_val_loss": self.initial_val_loss,
            "best_val_loss": self.best_val_loss,
            "best_step": self.best_step,
            "steps": self.steps,
            "stopped_early": self.stopped_early,
            "trainable_parameters": self.trainable_parameters,
            "total_parameters": self.total_parameters,
            "wall_seconds": self.wall_seconds,
            "config": self.config.to_dict(),
        }


def trainable_parameters(model: nn.Module) -> tuple[int, int]:
    """``(trainable, total)`` parameter counts."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total


def merge_adapters(model: nn.Module) -> nn.Module:
    """Fold peft adapters into the base weights and return the plain model.

    A model without adapters is returned as it is.
    """
    from peft import PeftModel

    if isinstance(model, PeftModel):
        merged: nn.Module = model.merge_and_unload()
        return merged
    return model


# ---------------------------------------------------------------------------- preparation


def _matches(name: str, wanted: Sequence[str]) -> bool:
    return any(name == w or name.startswith(w + ".") for w in wanted)


def _set_dropout(model: nn.Module, p: float) -> None:
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = p
        elif isinstance(module, nn.MultiheadAttention):
            module.dropout = p


def _train_mode(model: nn.Module, config: FinetuneConfig, modules: TaskModules) -> None:
    """Training mode for the trained parts. In ``head`` mode the frozen backbone stays in
    evaluation mode (no dropout): the head learns from the features the backbone gives at
    inference, as in linear probing."""
    model.train()
    if config.mode != "head":
        return
    for name, module in model.named_modules():
        if not _matches(name, modules.head):
            module.training = False


def _prepare(model: nn.Module, config: FinetuneConfig, modules: TaskModules) -> nn.Module:
    """Make the copy trainable as the mode says."""
    names = {n for n, _ in model.named_modules()}
    missing = [h for h in modules.head if h not in names]
    if missing:
        raise ConfigurationError(
            f"TaskModules.head: modules {missing} not found in {type(model).__name__}"
        )
    if config.mode == "full":
        for param in model.parameters():
            param.requires_grad_(True)
        return model
    if config.mode == "head":
        for name, param in model.named_parameters():
            param.requires_grad_(_matches(name, modules.head))
        return model
    try:
        from peft import IA3Config, LoraConfig, get_peft_model
    except ImportError as exc:  # pragma: no cover - peft is a dependency
        from supplymind.exceptions import MissingDependencyError

        raise MissingDependencyError(
            f"fine-tuning mode {config.mode!r} needs peft: pip install peft"
        ) from exc
    targets = sorted(
        {
            n
            for n, m in model.named_modules()
            if isinstance(m, nn.Linear)
            and any(n == t or n.endswith("." + t) for t in modules.adapter_targets)
            and not _matches(n, modules.head)
        }
    )
    if not targets:
        raise ConfigurationError(
            f"TaskModules.adapter_targets: no nn.Linear named like {list(modules.adapter_targets)} "
            f"outside the head in {type(model).__name__}"
        )
    torch.manual_seed(config.seed)
    peft_config: Any
    if config.mode == "lora":
        peft_config = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=targets,
            modules_to_save=list(modules.head),
        )
    else:
        feedforward = [t for t in targets if any(t.endswith(f) for f in modules.feedforward)]
        # No modules_to_save here: peft's IA3 cannot unload a wrapped non-Linear head, so
        # the head is unfrozen by hand below (and saved with the merged model).
        peft_config = IA3Config(target_modules=targets, feedforward_modules=feedforward)
    peft_model: nn.Module = get_peft_model(model, peft_config)
    if config.mode == "ia3":
        prefix = "base_model.model."
        for name, param in peft_model.named_parameters():
            if _matches(name.removeprefix(prefix), modules.head):
                param.requires_grad_(True)
    return peft_model


def _optimizer(model: nn.Module, config: FinetuneConfig) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim < 2 or "norm" in name.lower() or name.endswith(".bias"):
            no_decay.append(param)
        else:
            decay.append(param)
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=config.learning_rate)


def _lr_factor(step: int, config: FinetuneConfig) -> float:
    warmup = int(config.warmup_ratio * config.max_steps)
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, config.max_steps - warmup)
    return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """Copies of the parameters that train (what a checkpoint of the run holds)."""
    return {
        n: p.detach().clone().contiguous() for n, p in model.named_parameters() if p.requires_grad
    }


def _load_trainable(model: nn.Module, state: Mapping[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, value in state.items():
            params[name].copy_(value)


def restore_trained(
    model: nn.Module,
    config: FinetuneConfig,
    modules: TaskModules,
    state: Mapping[str, torch.Tensor],
) -> nn.Module:
    """The model :func:`finetune` returned, rebuilt from the pretrained ``model`` (left
    untouched) and the :func:`trainable_state` of the fine-tuned one (for example sent back
    by another process)."""
    torch.manual_seed(config.seed)
    work = copy.deepcopy(model)
    if config.dropout is not None:
        _set_dropout(work, config.dropout)
    work = _prepare(work, config, modules)
    _load_trainable(work, state)
    work.eval()
    return work


# ---------------------------------------------------------------------------- loop helpers


def _default_loss(model: nn.Module, batch: Batch) -> torch.Tensor:
    output = model(**batch)
    loss = output["loss"] if isinstance(output, Mapping) else output.loss
    if loss is None:
        raise ConfigurationError(
            f"{type(model).__name__}.forward returned no loss; pass the targets in the batch "
            "or give finetune() a loss_fn"
        )
    result: torch.Tensor = loss
    return result


def _collate(items: list[Any]) -> Batch:
    batch = default_collate(items)
    if not isinstance(batch, dict):
        raise ConfigurationError(
            f"dataset items: expected dicts of tensors or arrays, found {type(items[0]).__name__}"
        )
    return batch


def _placed(
    collate: Callable[[list[Any]], Batch], parallel: DataParallel, items: list[Any]
) -> Batch:
    return parallel.place(collate(items))


def _draw(n: int, size: int, seed: int, step: int, micro: int) -> list[int]:
    rng = np.random.default_rng([seed, step, micro])
    return [int(i) for i in rng.choice(n, size=size, replace=n < size)]


@contextlib.contextmanager
def _autocast(enabled: bool) -> Iterator[None]:
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled):
        yield


@contextlib.contextmanager
def no_fastpath() -> Iterator[None]:
    """Turn off PyTorch's fused inference path of ``nn.TransformerEncoderLayer`` and
    ``nn.MultiheadAttention``: it reads the layers' weights directly and would skip peft
    adapters wrapped around them."""
    before = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(before)


@torch.no_grad()
def _evaluate(
    model: nn.Module,
    data: Dataset[Any],
    config: FinetuneConfig,
    loss_fn: LossFn,
    collate: Callable[[list[Any]], Batch],
) -> float:
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    n = len(data)  # type: ignore[arg-type]
    total, weight = 0.0, 0
    for start in range(0, n, config.eval_batch_size):
        items = [data[i] for i in range(start, min(n, start + config.eval_batch_size))]
        with _autocast(config.bf16), no_fastpath():
            loss = loss_fn(model, collate(items))
        total += float(loss.float()) * len(items)
        weight += len(items)
    for module, training in modes:  # back to the caller's modes (a frozen part stays in eval)
        module.training = training
    return total / max(1, weight)


class _Log:
    """CSV + TensorBoard log of a run (both optional: no folder, no files)."""

    def __init__(self, out: Path | None, start: int) -> None:
        self.rows: list[dict[str, Any]] = []
        self.path = None if out is None else out / _LOG
        self.writer: Any = None
        if out is None:
            return
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(out / "tensorboard"), purge_step=start + 1)

    def restore(self, rows: list[dict[str, Any]]) -> None:
        self.rows = list(rows)
        self._flush()

    def add(self, step: int, split: str, loss: float, lr: float) -> None:
        self.rows.append({"step": step, "split": split, "loss": loss, "lr": lr})
        if self.writer is not None:
            self.writer.add_scalar(f"loss/{split}", loss, step)
            if split == "train":
                self.writer.add_scalar("lr", lr, step)
        self._flush()

    def _flush(self) -> None:
        if self.path is None:
            return
        lines = ["step,split,loss,lr"]
        lines += [f"{r['step']},{r['split']},{r['loss']:.6g},{r['lr']:.6g}" for r in self.rows]
        atomic_write_text(self.path, "\n".join(lines) + "\n")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _save_checkpoint(
    out: Path,
    model: nn.Module,
    best_state: Mapping[str, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    state: dict[str, Any],
) -> None:
    final = out / _CHECKPOINT
    tmp = out / (_CHECKPOINT + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    save_file(trainable_state(model), str(tmp / "trainable.safetensors"))
    save_file(dict(best_state), str(tmp / "best.safetensors"))
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    (tmp / "state.json").write_text(json.dumps(state, indent=1))
    old = out / (_CHECKPOINT + ".old")
    if final.exists():
        final.replace(old)
    tmp.replace(final)
    if old.exists():
        shutil.rmtree(old)


def _read_checkpoint(out: Path, config: FinetuneConfig) -> dict[str, Any] | None:
    folder = out / _CHECKPOINT
    if not (folder / "state.json").exists():
        return None
    state: dict[str, Any] = json.loads((folder / "state.json").read_text())
    if state.get("config") != config.to_dict():
        raise ConfigurationError(
            f"{folder}: a checkpoint of a run with other settings is there; resume with the "
            "same FinetuneConfig or use another out_dir"
        )
    return state


# ---------------------------------------------------------------------------- the engine

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _restoring_threads(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Give torch back the thread count it had (``num_threads`` is process-wide)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        before = torch.get_num_threads()
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(before)

    return wrapper


@_restoring_threads
def finetune(
    model: nn.Module,
    train: Dataset[Any],
    val: Dataset[Any] | None,
    config: FinetuneConfig,
    modules: TaskModules,
    *,
    loss_fn: LossFn | None = None,
    collate: Callable[[list[Any]], Batch] | None = None,
    out_dir: str | Path | None = None,
    resume: bool = True,
    progress: bool = False,
    description: str = "fine-tuning",
    on_step: Callable[[int, int, float], None] | None = None,
    stop_after: int | None = None,
    parallel: DataParallel | None = None,
) -> FinetuneResult:
    """Fine-tune a copy of ``model``; ``model`` itself is left untouched.

    Parameters
    ----------
    model
        The pretrained model; ``model(**batch)`` returns an object with ``loss`` unless
        ``loss_fn`` is given.
    train
        Map-style dataset of dict items (tensors or arrays of fixed shapes).
    val
        Validation dataset for early stopping and model choice; ``None`` trains for
        ``max_steps`` and returns the last model.
    config
        Run settings.
    modules
        The task's head and adapter targets.
    loss_fn
        ``loss_fn(model, batch) -> scalar tensor`` when the model's own loss is not the one
        to train (for example class weights).
    collate
        Turns a list of items into a batch (default: ``torch`` default collation).
    out_dir
        Folder for ``log.csv``, TensorBoard events and the checkpoint; ``None`` keeps
        everything in memory.
    resume
        Continue from the checkpoint in ``out_dir`` when one is there.
    progress
        Show a progress bar.
    description
        Label of the progress bar.
    on_step
        Called as ``on_step(step, max_steps, train_loss)`` after each optimiser step.
    stop_after
        Stop after this step, checkpoint included (simulates an interruption).
    parallel
        Run as one process of a data-parallel group (``None``: the single process); each
        process keeps its share of every batch, so ``batch_size`` must be at least the
        number of processes.

    Returns
    -------
    FinetuneResult
        The best model and the run's history.
    """
    n_train = len(train)  # type: ignore[arg-type]
    if n_train == 0:
        raise ConfigurationError("train: expected at least one example, found an empty dataset")
    if val is not None and len(val) == 0:  # type: ignore[arg-type]
        val = None
    began = time.perf_counter()
    if config.num_threads is not None:
        torch.set_num_threads(config.num_threads)
    compute_loss = loss_fn or _default_loss
    collate_fn = collate or _collate
    if parallel is not None and parallel.device is not None:
        collate_fn = functools.partial(_placed, collate_fn, parallel)
    if parallel is not None and config.batch_size < parallel.world_size:
        raise ConfigurationError(
            f"FinetuneConfig.batch_size: expected at least the {parallel.world_size} "
            f"data-parallel processes, found {config.batch_size}"
        )
    out = None if out_dir is None else Path(out_dir)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    # In a data-parallel run every process reads the checkpoint, process 0 alone writes.
    writes = out if parallel is None or parallel.rank == 0 else None

    torch.manual_seed(config.seed)
    work = copy.deepcopy(model)
    if config.dropout is not None:
        _set_dropout(work, config.dropout)
    work = _prepare(work, config, modules)
    _train_mode(work, config, modules)
    optimizer = _optimizer(work, config)
    stepper = work if parallel is None else parallel.wrap(work)

    saved = _read_checkpoint(out, config) if (out is not None and resume) else None
    log = _Log(writes, 0 if saved is None else int(saved["step"]))
    if saved is not None and out is not None:
        _load_trainable(work, load_file(str(out / _CHECKPOINT / "trainable.safetensors")))
        best_state = load_file(str(out / _CHECKPOINT / "best.safetensors"))
        optimizer.load_state_dict(torch.load(out / _CHECKPOINT / "optimizer.pt", weights_only=True))
        start = int(saved["step"])
        initial = float(saved["initial_val_loss"])
        best_loss, best_step = float(saved["best_val_loss"]), int(saved["best_step"])
        bad_evals = int(saved["bad_evals"])
        log.restore(list(saved["history"]))
    else:
        start, bad_evals, best_step = 0, 0, 0
        best_state = trainable_state(work)
        initial = (
            math.nan if val is None else _evaluate(work, val, config, compute_loss, collate_fn)
        )
        best_loss = initial
        if val is not None:
            log.add(0, "val", initial, 0.0)

    stopped_early = False
    step = start
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        disable=not progress,
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=config.max_steps, completed=start, loss="-")
        while step < config.max_steps and bad_evals < config.patience:
            factor = _lr_factor(step, config)
            lr = config.learning_rate * factor
            for group in optimizer.param_groups:
                group["lr"] = lr
            torch.manual_seed(config.seed * 1_000_003 + step)
            total = 0.0
            for micro in range(config.grad_accum):
                idx = _draw(n_train, config.batch_size, config.seed, step, micro)
                if parallel is not None:
                    idx = idx[parallel.rank :: parallel.world_size]
                batch = collate_fn([train[i] for i in idx])
                with _autocast(config.bf16), no_fastpath():
                    loss = compute_loss(stepper, batch)
                (loss / config.grad_accum).backward()  # type: ignore[no-untyped-call]
                total += float(loss.detach().float()) / config.grad_accum
            if parallel is not None:
                total = parallel.mean(total)
            if not math.isfinite(total):
                raise FloatingPointError(
                    f"fine-tuning diverged at step {step + 1} (loss {total}); lower "
                    f"learning_rate (now {config.learning_rate})"
                )
            torch.nn.utils.clip_grad_norm_(
                [p for p in work.parameters() if p.requires_grad], config.max_grad_norm
            )
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            log.add(step, "train", total, lr)
            bar.update(task, completed=step, loss=f"{total:.4f}")
            if on_step is not None:
                on_step(step, config.max_steps, total)
            at_eval = step % config.eval_every == 0 or step == config.max_steps
            if at_eval and val is not None:
                current = _evaluate(work, val, config, compute_loss, collate_fn)
                log.add(step, "val", current, lr)
                if not math.isfinite(best_loss) or current < best_loss * (1 - config.min_delta):
                    best_loss, best_step, bad_evals = current, step, 0
                    best_state = trainable_state(work)
                else:
                    bad_evals += 1
            if at_eval and writes is not None:
                state = {
                    "step": step,
                    "config": config.to_dict(),
                    "initial_val_loss": initial,
                    "best_val_loss": best_loss,
                    "best_step": best_step,
                    "bad_evals": bad_evals,
                    "history": log.rows,
                }
                _save_checkpoint(writes, work, best_state, optimizer, state)
            if stop_after is not None and step >= stop_after:
                break
    stopped_early = bad_evals >= config.patience and step < config.max_steps
    log.close()
    if val is not None:
        _load_trainable(work, best_state)
    else:
        best_step = step
    work.eval()
    trainable, total_params = trainable_parameters(work)
    return FinetuneResult(
        model=work,
        config=config,
        initial_val_loss=initial,
        best_val_loss=best_loss,
        best_step=best_step,
        steps=step,
        stopped_early=stopped_early,
        history=list(log.rows),
        trainable_parameters=trainable,
        total_parameters=total_params,
        wall_seconds=time.perf_counter() - began,
    )
