"""Data-parallel fine-tuning on Ray Train: the shared engine under a ``TorchTrainer``.

:class:`RayFinetuner` has the signature of
:func:`~supplymind.forecasting.neural.finetune_backbone`, so a
:class:`~supplymind.forecasting.forecaster.Forecaster` built with ``finetuner=RayFinetuner(...)``
fine-tunes on the cluster and does everything else in this process. Each Ray Train worker
runs the same engine (:func:`~supplymind.training.finetune.finetune`) as one DDP process:
the global batch of a step is the single-process one, split across workers, and the
gradients are averaged, so a run on N workers follows the single-process run (up to float
rounding and dropout draws). Worker 0 writes the engine's checkpoints to ``out_dir``, which
on a multi-node cluster must be a shared path; a restarted run (or a failed worker,
restarted by Ray Train) resumes from there.
"""

from __future__ import annotations

import functools
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from supplymind.exceptions import ConfigurationError
from supplymind.forecasting.neural import Window, finetune_backbone, task_modules
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.scale.cluster import connect, import_ray
from supplymind.training.finetune import (
    DataParallel,
    FinetuneConfig,
    FinetuneResult,
    restore_trained,
    trainable_parameters,
    trainable_state,
)

__all__ = ["RayFinetuner"]

_STATE = "trainable.safetensors"
_RESULT = "result.json"


def _train_loop(cfg: dict[str, Any]) -> None:
    """One Ray Train worker: the engine as one DDP process."""
    train = import_ray("ray.train")
    ray_torch = import_ray("ray.train.torch")
    torch.set_num_threads(int(cfg["threads"]))
    context = train.get_context()
    rank, world = context.get_world_rank(), context.get_world_size()
    device = ray_torch.get_device()
    wrap = functools.partial(
        ray_torch.prepare_model,
        # Modules that a batch does not reach (a covariate embedding without covariates)
        # would otherwise stall the gradient all-reduce.
        parallel_strategy_kwargs={"find_unused_parameters": True},
    )
    parallel = DataParallel(rank, world, wrap=wrap, device=device)
    result = finetune_backbone(
        cfg["model"],
        cfg["values"],
        cfg["train_ends"],
        cfg["val_windows"],
        cfg["horizon"],
        cfg["config"],
        covariates=cfg["covariates"],
        static=cfg["static"],
        out_dir=cfg["out_dir"],
        parallel=parallel,
    )
    metrics = {"best_val_loss": result.best_val_loss, "steps": result.steps}
    if rank != 0:
        train.report(metrics, checkpoint=None)
        return
    with tempfile.TemporaryDirectory() as tmp:
        state = {k: v.cpu() for k, v in trainable_state(result.model).items()}
        save_file(state, str(Path(tmp) / _STATE))
        summary = {
            "initial_val_loss": result.initial_val_loss,
            "best_val_loss": result.best_val_loss,
            "best_step": result.best_step,
            "steps": result.steps,
            "stopped_early": result.stopped_early,
            "history": result.history,
            "world_size": world,
        }
        (Path(tmp) / _RESULT).write_text(json.dumps(summary, default=float))
        train.report(metrics, checkpoint=train.Checkpoint.from_directory(tmp))


@dataclass(frozen=True)
class RayFinetuner:
    """Runs :func:`~supplymind.forecasting.neural.finetune_backbone` data-parallel on Ray.

    Parameters
    ----------
    num_workers
        Ray Train workers (DDP processes).
    address
        ``"local"``, ``"auto"`` or a cluster address (see
        :func:`~supplymind.scale.cluster.connect`).
    use_gpu
        One GPU per worker; ``None``: when the cluster has at least ``num_workers`` GPUs.
    threads_per_worker
        CPUs (and torch threads) per worker.
    storage_path
        Ray Train's run folder (results and the returned checkpoint); shared on a
        multi-node cluster. ``None``: Ray's default (``~/ray_results``).
    max_failures
        Worker failures Ray Train recovers from (the engine resumes from ``out_dir``).
    name
        Name of the Ray Train run.
    """

    num_workers: int = 2
    address: str = "local"
    use_gpu: bool | None = None
    threads_per_worker: int = 1
    storage_path: Path | None = None
    max_failures: int = 0
    name: str = "supplymind-finetune"

    def __post_init__(self) -> None:
        for name in ("num_workers", "threads_per_worker"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"RayFinetuner.{name}: expected a positive integer, found {value!r}"
                )
        if isinstance(self.max_failures, bool) or self.max_failures < 0:
            raise ConfigurationError(
                f"RayFinetuner.max_failures: expected an integer >= 0, found {self.max_failures!r}"
            )

    def __call__(
        self,
        model: SupplyMindTSModel,
        values: Sequence[np.ndarray],
        train_ends: Sequence[int],
        val_windows: Sequence[Window],
        horizon: int,
        config: FinetuneConfig,
        *,
        covariates: Sequence[np.ndarray] = (),
        static: np.ndarray | None = None,
        out_dir: str | Path | None = None,
        progress: bool = False,
    ) -> FinetuneResult:
        """Fine-tune a copy of ``model`` on the cluster (arguments as
        :func:`~supplymind.forecasting.neural.finetune_backbone`; ``progress`` is ignored)."""
        began = time.perf_counter()
        ray = connect(self.address, num_cpus=None)
        train = import_ray("ray.train")
        ray_torch = import_ray("ray.train.torch")
        use_gpu = self.use_gpu
        if use_gpu is None:
            use_gpu = ray.cluster_resources().get("GPU", 0) >= self.num_workers
        loop_config = {
            "model": model,
            "values": [np.asarray(v) for v in values],
            "train_ends": list(train_ends),
            "val_windows": list(val_windows),
            "horizon": horizon,
            "config": config,
            "covariates": list(covariates),
            "static": static,
            "out_dir": None if out_dir is None else str(Path(out_dir).resolve()),
            "threads": self.threads_per_worker,
        }
        trainer = ray_torch.TorchTrainer(
            _train_loop,
            train_loop_config=loop_config,
            scaling_config=train.ScalingConfig(
                num_workers=self.num_workers,
                use_gpu=bool(use_gpu),
                resources_per_worker={"CPU": self.threads_per_worker},
            ),
            run_config=train.RunConfig(
                name=self.name,
                storage_path=None if self.storage_path is None else str(self.storage_path),
                failure_config=train.FailureConfig(max_failures=self.max_failures),
            ),
        )
        outcome = trainer.fit()
        if outcome.checkpoint is None:
            raise ConfigurationError(
                f"RayFinetuner: the Ray Train run {self.name!r} reported no checkpoint"
            )
        with outcome.checkpoint.as_directory() as folder:
            state = load_file(str(Path(folder) / _STATE))
            summary = json.loads((Path(folder) / _RESULT).read_text())
        tuned = restore_trained(model, config, task_modules(model), state)
        trainable, total = trainable_parameters(tuned)
        return FinetuneResult(
            model=tuned,
            config=config,
            initial_val_loss=float(summary["initial_val_loss"]),
            best_val_loss=float(summary["best_val_loss"]),
            best_step=int(summary["best_step"]),
            steps=int(summary["steps"]),
            stopped_early=bool(summary["stopped_early"]),
            history=list(summary["history"]),
            trainable_parameters=trainable,
            total_parameters=total,
            wall_seconds=time.perf_counter() - began,
        )
