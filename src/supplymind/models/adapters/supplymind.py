"""Our own backbone, :class:`~supplymind.models.backbone.SupplyMindTSModel`, as a registry entry.

The model already speaks the interface (NaN-aware, rolls past ``max_horizon``, interpolates
levels); the adapter adds the common attributes and the float64, sorted output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from supplymind.exceptions import BackboneNotFoundError, ConfigurationError
from supplymind.models.adapters._common import quiet_loading
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.models.interface import check_request, finalize_quantiles

__all__ = ["BUNDLED_DIR", "SupplyMindBackbone", "load_supplymind"]

#: Folder of the pretrained ``supplymind-ts-small`` weights shipped inside the package.
BUNDLED_DIR = Path(__file__).resolve().parents[1] / "weights" / "supplymind-ts-small"

MODEL_TYPE = "supplymind_ts"


class SupplyMindBackbone:
    """A :class:`SupplyMindTSModel` behind the common backbone interface.

    Parameters
    ----------
    model
        The loaded model (put in eval mode).
    name
        Name reported by :attr:`name`.
    source
        Folder it was loaded from, for messages and model cards.
    """

    def __init__(self, model: SupplyMindTSModel, name: str, source: str = "") -> None:
        self.model = model
        self.model.eval()  # type: ignore[no-untyped-call]
        self._name = name
        self.source = source

    @property
    def name(self) -> str:
        """Registry name."""
        return self._name

    @property
    def context_length(self) -> int:
        """Observations read per forecast."""
        return int(self.model.config.context_length)

    @property
    def max_horizon(self) -> int:
        """Steps forecast in one pass."""
        return int(self.model.config.max_horizon)

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Levels of the output head."""
        return tuple(float(q) for q in self.model.config.quantiles)

    def predict_quantiles(
        self,
        context: Sequence[np.ndarray],
        horizon: int,
        quantiles: Sequence[float] | None = None,
        *,
        season_length: int | None = None,
    ) -> np.ndarray:
        """Forecast quantiles; see :class:`~supplymind.models.interface.QuantileBackbone`.

        The model reads missing values through its observed-mask and rolls past
        ``max_horizon`` by feeding its median back. ``season_length`` (optional, this
        backbone only): the series' known season in steps, which its seasonal copy may use
        after one cycle of history instead of two.
        """
        series, horizon, levels = check_request(context, horizon, quantiles, self.quantiles)
        if not series:
            return np.empty((0, horizon, len(levels)))
        native = self.model.predict_quantiles(
            series, horizon, self.quantiles, season_length=season_length
        )
        return finalize_quantiles(native, self.quantiles, levels)

    def __repr__(self) -> str:
        return f"SupplyMindBackbone(name={self.name!r}, source={self.source!r})"


def load_supplymind(
    path: Path | None = None, device: str = "cpu", *, name: str = "supplymind-ts-small"
) -> SupplyMindBackbone:
    """Load a saved :class:`SupplyMindTSModel` folder, by default the bundled weights.

    Parameters
    ----------
    path
        Folder written by ``SupplyMindTSModel.save_pretrained``; ``None`` for
        :data:`BUNDLED_DIR`.
    device
        Torch device to put the model on.
    name
        Name the backbone reports.

    Raises
    ------
    BackboneNotFoundError
        The folder (or its ``config.json``) does not exist.
    ConfigurationError
        The folder holds another kind of model.
    """
    folder = BUNDLED_DIR if path is None else Path(path).expanduser()
    config = folder / "config.json"
    if not config.is_file():
        if path is None:
            raise BackboneNotFoundError(
                f"the bundled '{name}' weights are missing (expected {config}); they ship with "
                "released versions of supplymind. Pass a folder saved by "
                "SupplyMindTSModel.save_pretrained instead: "
                f"load_backbone('{name}', path='path/to/folder')"
            )
        raise BackboneNotFoundError(
            f"path: expected a folder saved by SupplyMindTSModel.save_pretrained, "
            f"found no config.json in {folder}"
        )
    model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    if model_type != MODEL_TYPE:
        raise ConfigurationError(
            f"path: expected a '{MODEL_TYPE}' model in {folder}, found model_type {model_type!r}"
        )
    with quiet_loading():
        model = SupplyMindTSModel.from_pretrained(folder)
    model.to(device)  # type: ignore[arg-type]  # transformers types ``to`` as a plain wrapper
    return SupplyMindBackbone(model, name=name, source=str(folder))
