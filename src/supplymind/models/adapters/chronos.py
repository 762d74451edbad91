"""Chronos-2 and Chronos-Bolt (the ``chronos-forecasting`` package) behind the common interface.

Both read NaN through their own observed-mask and roll past their native prediction length
themselves (feeding their quantiles back as extra paths). The adapter asks them for their
native levels and does the level interpolation and sorting the same way as every other
backbone. The sample-based original Chronos (T5 tokens) is not supported.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from supplymind.exceptions import BackboneNotFoundError, ConfigurationError
from supplymind.models.adapters._common import quiet_loading, require
from supplymind.models.interface import check_request, finalize_quantiles

__all__ = ["HUB_IDS", "ChronosBackbone", "is_chronos_config", "load_chronos"]

#: Registry names and the Hugging Face Hub repositories they load when no ``path`` is given.
HUB_IDS: dict[str, str] = {
    "chronos-2": "amazon/chronos-2",
    "chronos-bolt-tiny": "amazon/chronos-bolt-tiny",
    "chronos-bolt-mini": "amazon/chronos-bolt-mini",
    "chronos-bolt-small": "amazon/chronos-bolt-small",
    "chronos-bolt-base": "amazon/chronos-bolt-base",
}

_SUPPORTED_PIPELINES = ("Chronos2Pipeline", "ChronosBoltPipeline")


def is_chronos_config(config: dict[str, Any]) -> bool:
    """Whether a parsed ``config.json`` is a Chronos checkpoint (any generation)."""
    return "chronos_config" in config or "chronos_pipeline_class" in config


class ChronosBackbone:
    """A Chronos-2 or Chronos-Bolt pipeline behind the common backbone interface.

    Parameters
    ----------
    pipeline
        A loaded ``Chronos2Pipeline`` or ``ChronosBoltPipeline``.
    name
        Name reported by :attr:`name`.
    source
        Folder or hub id it was loaded from.
    batch_size
        Series per forward pass.
    """

    def __init__(self, pipeline: Any, name: str, source: str = "", batch_size: int = 256) -> None:
        kind = type(pipeline).__name__
        if kind not in _SUPPORTED_PIPELINES:
            raise ConfigurationError(
                f"pipeline: expected one of {list(_SUPPORTED_PIPELINES)}, found {kind} "
                "(the sample-based original Chronos is not supported; use chronos-bolt-* or "
                "chronos-2)"
            )
        if batch_size <= 0:
            raise ValueError(f"batch_size: expected a positive integer, found {batch_size}")
        self.pipeline = pipeline
        self._name = name
        self.source = source
        self.batch_size = int(batch_size)

    @property
    def name(self) -> str:
        """Registry name."""
        return self._name

    @property
    def context_length(self) -> int:
        """Observations read per forecast."""
        return int(self.pipeline.model_context_length)

    @property
    def max_horizon(self) -> int:
        """Steps forecast in one pass."""
        return int(self.pipeline.model_prediction_length)

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Levels of the model's head."""
        return tuple(float(q) for q in self.pipeline.quantiles)

    def predict_quantiles(
        self,
        context: Sequence[np.ndarray],
        horizon: int,
        quantiles: Sequence[float] | None = None,
    ) -> np.ndarray:
        """Forecast quantiles; see :class:`~supplymind.models.interface.QuantileBackbone`.

        Beyond :attr:`max_horizon` Chronos warns that quality may degrade; the adapter
        silences that warning, as rolling past the native horizon is part of the contract
        (compare ``horizon`` with :attr:`max_horizon` to know when it happens).
        """
        import torch

        series, horizon, levels = check_request(context, horizon, quantiles, self.quantiles)
        # Only the tail is read; an empty series becomes one missing value.
        tails = [s[-self.context_length :] if len(s) else np.array([np.nan]) for s in series]
        out = np.empty((len(tails), horizon, len(levels)))
        for start in range(0, len(tails), self.batch_size):
            chunk = [
                torch.as_tensor(s, dtype=torch.float32)
                for s in tails[start : start + self.batch_size]
            ]
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "We recommend keeping prediction length")
                raw = self.pipeline.predict(chunk, prediction_length=horizon)
            # Chronos-2: one [1, Q, H] tensor per series; Chronos-Bolt: one [B, Q, H] tensor.
            stacked = torch.cat(list(raw)) if isinstance(raw, list) else raw
            native = stacked.float().cpu().numpy().swapaxes(1, 2)
            out[start : start + len(chunk)] = finalize_quantiles(native, self.quantiles, levels)
        return out

    def __repr__(self) -> str:
        return f"ChronosBackbone(name={self.name!r}, source={self.source!r})"


def load_chronos(
    path: Path | None = None,
    device: str = "cpu",
    *,
    name: str = "chronos-2",
    hub_id: str | None = None,
    batch_size: int = 256,
    **kwargs: Any,
) -> ChronosBackbone:
    """Load a Chronos-2 or Chronos-Bolt checkpoint from a folder, or from the Hub when online.

    Parameters
    ----------
    path
        Local checkpoint folder; ``None`` to load ``hub_id`` (or the hub id registered
        for ``name``) from the Hugging Face Hub or its local cache.
    device
        Torch device.
    name
        Name the backbone reports.
    hub_id
        Hub repository, by default ``HUB_IDS[name]``.
    batch_size
        Series per forward pass.
    **kwargs
        Passed to ``chronos.BaseChronosPipeline.from_pretrained`` (e.g. ``revision``).

    Raises
    ------
    MissingDependencyError
        ``chronos-forecasting`` is not installed.
    BackboneNotFoundError
        ``path`` is not a folder, or the hub id is neither cached nor downloadable.
    ConfigurationError
        Neither ``path`` nor a hub id is known for ``name``, or the checkpoint is the
        original (sample-based) Chronos.
    """
    chronos = require("chronos", "chronos-forecasting", f"the '{name}' backbone")
    if path is not None:
        folder = Path(path).expanduser()
        config = folder / "config.json"
        if not config.is_file():
            raise BackboneNotFoundError(
                f"path: expected a Chronos checkpoint folder with a config.json, found {folder}"
            )
        kind = json.loads(config.read_text(encoding="utf-8")).get("chronos_pipeline_class")
        if kind not in _SUPPORTED_PIPELINES:
            raise ConfigurationError(
                f"path: expected a Chronos-2 or Chronos-Bolt checkpoint in {folder}, found "
                f"chronos_pipeline_class {kind!r} (the sample-based original Chronos is not "
                "supported)"
            )
        source = str(folder)
    else:
        repo = hub_id or HUB_IDS.get(name)
        if repo is None:
            raise ConfigurationError(
                f"path: expected a Chronos checkpoint folder for '{name}', found None "
                "(and no hub id is known for that name)"
            )
        source = repo
    try:
        with quiet_loading():
            pipeline = chronos.BaseChronosPipeline.from_pretrained(source, **kwargs)
    except OSError as exc:
        if path is not None:
            raise
        raise BackboneNotFoundError(
            f"could not load '{source}' from the Hugging Face Hub or its local cache "
            f"(offline, or no such repository): {exc}\nDownload the checkpoint once where "
            "the Hub is reachable (e.g. `hf download "
            f"{source} --local-dir models/{name}`) and pass the folder: "
            f"load_backbone('{name}', path='models/{name}')"
        ) from exc
    pipeline.model.to(device)
    return ChronosBackbone(pipeline, name=name, source=source, batch_size=batch_size)
