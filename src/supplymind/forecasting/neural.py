"""The pretrained backbone as a forecaster: windows for fine-tuning, fine-tuning through the
shared engine, and quantile forecasts with covariates.

Fine-tuning windows are cut from each series' history before the first validation origin:
every origin ``t`` whose context (the values before ``t``) and future (the ``horizon``
values from ``t``, NaN-padded at the end) each hold at least one observation. The
validation windows are the backtest windows of the Forecaster (last part of each series).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from supplymind.exceptions import ConfigurationError
from supplymind.models.adapters._common import quiet_loading
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.training.finetune import (
    DataParallel,
    FinetuneConfig,
    FinetuneResult,
    TaskModules,
    finetune,
)

__all__ = [
    "FINETUNE_DEFAULTS",
    "Window",
    "WindowDataset",
    "finetune_backbone",
    "forecast_model",
    "load_for_finetuning",
    "quiet",
    "task_modules",
]

#: Default settings per mode: 120 steps at most (about a minute on 2 CPU cores for the small
#: backbone), early stopping after 3 evaluations without improvement.
FINETUNE_DEFAULTS: dict[str, FinetuneConfig] = {
    mode: FinetuneConfig(
        mode=mode, learning_rate=lr, max_steps=120, batch_size=64, eval_every=20, patience=3
    )
    for mode, lr in (("full", 1e-4), ("head", 1e-3), ("lora", 1e-3), ("ia3", 3e-3))
}


def task_modules(model: SupplyMindTSModel) -> TaskModules:
    """Head and adapter targets of the time-series backbone.

    The head is the quantile head, the linear context-to-horizon path, the seasonal copy,
    the empirical-quantile path, and the covariate and static embeddings (new modules are
    trained in every mode).
    Adapters go on the encoder's feed-forward layers and the patch embedding.
    """
    head = ["head"]
    if model.linear_path is not None:
        head.append("linear_path")
    if model.seasonal_copy is not None:
        head.append("seasonal_copy")
    if model.empirical is not None:
        head.append("empirical")
    if model.covariate_embed is not None:
        head.append("covariate_embed")
    if len(model.static_embed):
        head.append("static_embed")
    return TaskModules(
        head=tuple(head),
        adapter_targets=("linear1", "linear2", "hidden", "out"),
        feedforward=("linear2",),
    )


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No transformers progress bars or load reports (a model with new covariate modules is
    expected to lack them in the checkpoint)."""
    tf_logging: Any = importlib.import_module("transformers.utils.logging")
    level = tf_logging.get_verbosity()
    tf_logging.set_verbosity_error()
    try:
        with quiet_loading():
            yield
    finally:
        tf_logging.set_verbosity(level)


def load_for_finetuning(
    path: str | Path, *, num_covariates: int = 0, static_cardinalities: Sequence[int] = ()
) -> SupplyMindTSModel:
    """Load a saved backbone, adding zero-initialised covariate and static embeddings.

    A model with new covariate modules forecasts exactly like the pretrained one until it is
    fine-tuned.
    """
    with quiet():
        model = SupplyMindTSModel.from_pretrained(
            path,
            num_covariates=num_covariates,
            static_cardinalities=list(static_cardinalities),
        )
    with torch.no_grad():
        if model.covariate_embed is not None:
            nn.init.zeros_(model.covariate_embed.weight)
            nn.init.zeros_(model.covariate_embed.bias)
        for embedding in model.static_embed:
            nn.init.zeros_(embedding.weight)  # type: ignore[arg-type]
    model.eval()  # type: ignore[no-untyped-call]
    return model


@dataclass(frozen=True)
class Window:
    """One example: series ``series``, origin ``origin`` (first forecast period)."""

    series: int
    origin: int


class WindowDataset(Dataset[dict[str, torch.Tensor]]):
    """Fixed-shape examples ``context``, ``future`` (+ ``covariates``, ``static``).

    Parameters
    ----------
    values
        The series (NaN where missing).
    windows
        Examples to serve.
    context_length
        Values of context (left-padded with NaN).
    horizon
        Values of future (right-padded with NaN).
    covariates
        Per series ``[len(values) (+ more), k]`` known covariates, or empty.
    static
        ``[n_series, n_static]`` category codes, or ``None``.
    """

    def __init__(
        self,
        values: Sequence[np.ndarray],
        windows: Sequence[Window],
        context_length: int,
        horizon: int,
        covariates: Sequence[np.ndarray] = (),
        static: np.ndarray | None = None,
    ) -> None:
        self.values = [np.asarray(v, dtype=np.float32) for v in values]
        self.windows = list(windows)
        self.context_length = context_length
        self.horizon = horizon
        self.covariates = [np.asarray(c, dtype=np.float32) for c in covariates]
        self.static = static

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        w = self.windows[index]
        v = self.values[w.series]
        ctx = np.full(self.context_length, np.nan, dtype=np.float32)
        past = v[max(0, w.origin - self.context_length) : w.origin]
        ctx[self.context_length - len(past) :] = past
        fut = np.full(self.horizon, np.nan, dtype=np.float32)
        ahead = v[w.origin : w.origin + self.horizon]
        fut[: len(ahead)] = ahead
        item = {"context": torch.from_numpy(ctx), "future": torch.from_numpy(fut)}
        if self.covariates:
            cov = self.covariates[w.series]
            k = cov.shape[1]
            block = np.full((self.context_length + self.horizon, k), np.nan, dtype=np.float32)
            lo = w.origin - self.context_length
            seg = cov[max(0, lo) : w.origin + self.horizon]
            start = max(0, -lo)
            block[start : start + len(seg)] = seg
            if start + len(seg) < len(block) and len(seg):
                block[start + len(seg) :] = seg[-1]
            item["covariates"] = torch.from_numpy(block)
        if self.static is not None:
            item["static"] = torch.as_tensor(self.static[w.series], dtype=torch.long)
        return item


def training_windows(values: Sequence[np.ndarray], ends: Sequence[int]) -> list[Window]:
    """Every origin before ``ends[i]`` with an observed value on each side (future cut at
    ``ends[i]`` is not allowed to reach beyond it)."""
    out = []
    for i, (v, end) in enumerate(zip(values, ends, strict=True)):
        seen = np.isfinite(np.asarray(v[:end], dtype=np.float64))
        if seen.sum() < 2:
            continue
        before = np.cumsum(seen)  # observed values in v[:t+1]
        for t in range(1, end):
            if before[t - 1] > 0 and before[end - 1] - before[t - 1] > 0:
                out.append(Window(i, t))
    return out


class _Clipped(Dataset[dict[str, torch.Tensor]]):
    """Training examples whose future stops at the series' training end."""

    def __init__(self, inner: WindowDataset, ends: Sequence[int]) -> None:
        self.inner = inner
        self.ends = list(ends)

    def __len__(self) -> int:
        return len(self.inner)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        item = self.inner[index]
        w = self.inner.windows[index]
        visible = self.ends[w.series] - w.origin
        if visible < self.inner.horizon:
            fut = item["future"].clone()
            fut[visible:] = float("nan")
            item["future"] = fut
        return item


def finetune_backbone(
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
    parallel: DataParallel | None = None,
    stop_after: int | None = None,
) -> FinetuneResult:
    """Fine-tune a copy of the backbone on the series' training parts.

    Parameters
    ----------
    model
        The pretrained backbone (left untouched).
    values
        All series (the validation windows read past ``train_ends``).
    train_ends
        Per series, periods usable for training windows.
    val_windows
        Examples for early stopping.
    horizon
        Forecast periods per example.
    config
        Engine settings.
    parallel
        This process's place in a data-parallel run (see
        :class:`~supplymind.training.finetune.DataParallel`).
    stop_after
        Stop after this step, checkpoint included (simulates an interruption).

    Raises
    ------
    ConfigurationError
        No training window (series too short).
    """
    windows = training_windows(values, train_ends)
    if not windows:
        raise ConfigurationError(
            "fine-tuning: expected at least one series with two observed values before the "
            "validation windows, found none (series too short to fine-tune)"
        )
    # Contexts only as long as the longest series: padding patches cost time, change nothing.
    p = int(model.config.patch_size)
    longest = max(len(v) for v in values)
    width = min(int(model.config.context_patches) * p, -(-longest // p) * p)
    train = _Clipped(WindowDataset(values, windows, width, horizon, covariates, static), train_ends)
    val = WindowDataset(values, val_windows, width, horizon, covariates, static)
    return finetune(
        model,
        train,
        val if len(val_windows) else None,
        config,
        task_modules(model),
        out_dir=out_dir,
        progress=progress,
        description=f"fine-tuning ({config.mode})",
        parallel=parallel,
        stop_after=stop_after,
    )


def forecast_model(
    model: nn.Module,
    histories: Sequence[np.ndarray],
    horizon: int,
    levels: Sequence[float],
    *,
    covariates: Sequence[np.ndarray] | None = None,
    static: np.ndarray | None = None,
    season_length: int | None = None,
) -> np.ndarray:
    """Quantiles ``[n, horizon, len(levels)]`` of a (possibly fine-tuned) backbone.

    Parameters
    ----------
    covariates
        Per series ``[len(history) + horizon, k]`` known covariates (models with covariates).
    static
        ``[n, n_static]`` category codes (models with static covariates).
    season_length
        Known season length of the series (``None``: unknown), for the seasonal copy.
    """
    base: Any = model
    if not isinstance(base, SupplyMindTSModel):
        base = base.get_base_model() if hasattr(base, "get_base_model") else base
    if not isinstance(base, SupplyMindTSModel):
        raise ConfigurationError(
            f"model: expected a SupplyMindTSModel (or a peft model around one), found "
            f"{type(model).__name__}"
        )
    with torch.no_grad():
        out = base.predict_quantiles(
            list(histories),
            horizon,
            list(levels),
            covariates=covariates,
            static=static,
            season_length=season_length,
        )
    q = np.sort(np.asarray(out, dtype=np.float64), axis=-1)
    for i, h in enumerate(histories):
        observed = np.asarray(h, dtype=np.float64)
        observed = observed[np.isfinite(observed)]
        if observed.size and observed.min() >= 0:
            q[i] = np.maximum(q[i], 0.0)
    return q
