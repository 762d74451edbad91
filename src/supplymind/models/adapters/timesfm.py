"""TimesFM 2.5 (Google's ``timesfm`` package, PyTorch weights) behind the common interface.

``timesfm`` is optional and imported only when this backbone is loaded. The adapter follows
the package's documented use of ``TimesFM_2p5_200M_torch``: ``from_pretrained``, then
``compile(ForecastConfig(...))`` with the recommended flags (normalised inputs, continuous
quantile head, flip invariance, non-negative output for non-negative inputs, no quantile
crossing), then ``forecast(horizon, inputs)`` whose quantile output is ``[mean, q0.1, ...,
q0.9]`` along the last axis.

TimesFM handles missing values itself (leading NaN dropped, the rest interpolated linearly;
a series with no observation at all is forecast from a single 0, the fallback TimesFM means
to apply but fails on) and decodes past its 128-step output patch autoregressively. The
model is compiled for a horizon and compiled again, larger, when a longer horizon is asked
for; beyond 1024 steps (the reach of the continuous quantile head) the quantiles come from
the point head's quantile outputs instead.

Checked against the source of ``timesfm`` 3.0.2 (whose ``timesfm`` module still serves
2.5) with a tiny random-weight model; the pretrained 200M checkpoint was not run here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from supplymind.exceptions import BackboneNotFoundError, MissingDependencyError
from supplymind.models.adapters._common import quiet_loading, require
from supplymind.models.interface import check_request, finalize_quantiles

__all__ = ["HUB_ID", "TimesFMBackbone", "load_timesfm"]

#: Hugging Face Hub repository of the TimesFM 2.5 PyTorch checkpoint.
HUB_ID = "google/timesfm-2.5-200m-pytorch"

_OUTPUT_PATCH = 128  # steps per decoding pass of TimesFM 2.5
_QUANTILE_HEAD_REACH = 1024  # longest horizon of the continuous quantile head
_CONTEXT_LIMIT = 16384  # context + horizon must fit in this


class TimesFMBackbone:
    """A TimesFM 2.5 model behind the common backbone interface.

    Parameters
    ----------
    model
        A loaded ``timesfm.TimesFM_2p5_200M_torch``.
    forecast_config
        ``timesfm.ForecastConfig``, used to compile the model for each horizon.
    name
        Name reported by :attr:`name`.
    source
        Folder or hub id it was loaded from.
    context_length
        Most recent observations read (rounded up to whole 32-step input patches).
    batch_size
        Series per forward pass.
    """

    def __init__(
        self,
        model: Any,
        forecast_config: Any,
        name: str,
        source: str = "",
        context_length: int = 1024,
        batch_size: int = 32,
    ) -> None:
        if not 0 < context_length < _CONTEXT_LIMIT:
            raise ValueError(
                f"context_length: expected 1 to {_CONTEXT_LIMIT - 1} steps, found {context_length}"
            )
        if batch_size <= 0:
            raise ValueError(f"batch_size: expected a positive integer, found {batch_size}")
        self.model = model
        self._forecast_config = forecast_config
        self._name = name
        self.source = source
        self._context_length = int(context_length)
        self.batch_size = int(batch_size)
        self._compiled: tuple[int, bool] | None = None  # (max_horizon, continuous head)

    @property
    def name(self) -> str:
        """Registry name."""
        return self._name

    @property
    def context_length(self) -> int:
        """Observations read per forecast."""
        return self._context_length

    @property
    def max_horizon(self) -> int:
        """Steps decoded in one pass (one output patch)."""
        return _OUTPUT_PATCH

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Levels of TimesFM's quantile outputs."""
        return (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

    def _compile_for(self, horizon: int) -> None:
        reach = math.ceil(horizon / _OUTPUT_PATCH) * _OUTPUT_PATCH
        if self.context_length + reach > _CONTEXT_LIMIT:
            raise ValueError(
                f"horizon: expected at most {_CONTEXT_LIMIT - self.context_length} steps with "
                f"context_length={self.context_length} (TimesFM's context + horizon limit is "
                f"{_CONTEXT_LIMIT}), found {horizon}"
            )
        continuous = reach <= _QUANTILE_HEAD_REACH
        if self._compiled is not None:
            done_reach, done_continuous = self._compiled
            if done_reach >= horizon and done_continuous == continuous:
                return
        import dataclasses

        config = dataclasses.replace(
            self._forecast_config,
            max_context=self.context_length,
            max_horizon=reach,
            use_continuous_quantile_head=continuous,
            per_core_batch_size=self.batch_size,
        )
        self.model.compile(config)
        self._compiled = (reach, continuous)

    def predict_quantiles(
        self,
        context: Sequence[np.ndarray],
        horizon: int,
        quantiles: Sequence[float] | None = None,
    ) -> np.ndarray:
        """Forecast quantiles; see :class:`~supplymind.models.interface.QuantileBackbone`."""
        series, horizon, levels = check_request(context, horizon, quantiles, self.quantiles)
        if not series:
            return np.empty((0, horizon, len(levels)))
        self._compile_for(horizon)
        # TimesFM extends the list it is given, and fails on a series with no observation
        # (its own fallback, a constant 0, is applied here instead).
        inputs = [s[-self.context_length :] for s in series]
        inputs = [s if (~np.isnan(s)).any() else np.zeros(1) for s in inputs]
        _, raw = self.model.forecast(horizon=horizon, inputs=list(inputs))
        native = np.asarray(raw, dtype=np.float64)[..., 1:]  # drop the mean column
        return finalize_quantiles(native, self.quantiles, levels)

    def __repr__(self) -> str:
        return f"TimesFMBackbone(name={self.name!r}, source={self.source!r})"


def load_timesfm(
    path: Path | None = None,
    device: str = "cpu",
    *,
    name: str = "timesfm-2.5",
    context_length: int = 1024,
    batch_size: int = 32,
    torch_compile: bool = False,
) -> TimesFMBackbone:
    """Load TimesFM 2.5 from a folder holding ``model.safetensors``, or from the Hub.

    Parameters
    ----------
    path
        Checkpoint folder; ``None`` for :data:`HUB_ID` (Hub or local cache).
    device
        Torch device (TimesFM otherwise picks the first GPU when there is one).
    name
        Name the backbone reports.
    context_length
        Most recent observations read.
    batch_size
        Series per forward pass.
    torch_compile
        Whether to ``torch.compile`` the model (slow to start, faster on GPU).

    Raises
    ------
    MissingDependencyError
        ``timesfm`` (2.0 or later, with its PyTorch model) is not installed.
    BackboneNotFoundError
        The folder has no ``model.safetensors``, or the hub id is neither cached nor
        downloadable.
    """
    timesfm = require("timesfm", "timesfm", f"the '{name}' backbone")
    model_cls = getattr(timesfm, "TimesFM_2p5_200M_torch", None)
    if model_cls is None:
        raise MissingDependencyError(
            f"the '{name}' backbone needs timesfm 2.0 or later with its PyTorch model "
            f"(found timesfm without TimesFM_2p5_200M_torch); install it with: "
            "pip install -U timesfm"
        )
    if path is not None and not (Path(path).expanduser() / "model.safetensors").is_file():
        raise BackboneNotFoundError(
            f"path: expected a TimesFM 2.5 folder holding model.safetensors, found {path}"
        )
    source = HUB_ID if path is None else str(Path(path).expanduser())
    try:
        with quiet_loading():
            model = model_cls.from_pretrained(source, torch_compile=torch_compile)
    except OSError as exc:
        if path is not None:
            raise
        raise BackboneNotFoundError(
            f"could not load '{source}' from the Hugging Face Hub or its local cache "
            f"(offline?): {exc}\nDownload it once where the Hub is reachable (e.g. `hf download "
            f"{source} --local-dir models/{name}`) and pass the folder: "
            f"load_backbone('{name}', path='models/{name}')"
        ) from exc
    import torch

    model.model.to(device)
    model.model.device = torch.device(device)
    forecast_config = timesfm.ForecastConfig(
        normalize_inputs=True,
        force_flip_invariance=True,
        infer_is_positive=True,
        fix_quantile_crossing=True,
    )
    return TimesFMBackbone(
        model,
        forecast_config,
        name=name,
        source=source,
        context_length=context_length,
        batch_size=batch_size,
    )
