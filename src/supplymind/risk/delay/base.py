"""The late-delivery model interface and the registry of model kinds.

Every model predicts, for each shipment, the probability that it arrives late and its
expected delay, explains each prediction, and saves itself to a folder (weights + a JSON
config naming its ``kind`` + a card). :func:`load_delay_model` reads any registered kind,
so a fine-tuned backbone can take the gradient-boosting model's place by registering a
loader under a new kind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, Self

import pandas as pd

from supplymind.exceptions import RiskInputError

__all__ = [
    "CONFIG_FILE",
    "PREDICTION_COLUMNS",
    "DelayRiskModel",
    "load_delay_model",
    "register_delay_model",
    "registered_delay_models",
]

CONFIG_FILE = "config.json"
PREDICTION_COLUMNS = (
    "order_id",
    "supplier_id",
    "promised_at",
    "as_of",
    "p_late",
    "delay_if_late_days",
    "expected_delay_days",
)


class DelayRiskModel(Protocol):
    """Predicts late arrival and delay per shipment (see
    :mod:`~supplymind.risk.delay.data` for the shipments contract)."""

    def fit(self, shipments: pd.DataFrame) -> Self:
        """Learn from delivered shipments."""
        ...

    def predict(
        self,
        shipments: pd.DataFrame,
        *,
        now: pd.Timestamp | None = None,
        history: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """:data:`PREDICTION_COLUMNS`, one row per shipment; ``history``: more delivered
        shipments to judge recent performance by."""
        ...

    def explain(
        self,
        shipments: pd.DataFrame,
        *,
        top: int = 3,
        now: pd.Timestamp | None = None,
        history: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Predictions with the factors that raised or lowered each one, in words
        (columns ``explanation`` and ``factors`` added)."""
        ...

    def save(self, path: str | Path) -> Path:
        """Write the model to a folder and return it."""
        ...


Loader = Callable[[Path], DelayRiskModel]
_LOADERS: dict[str, Loader] = {}


def register_delay_model(kind: str, loader: Loader) -> None:
    """Register how to load saved models of ``kind`` (the ``kind`` key of their config)."""
    if not isinstance(kind, str) or not kind.strip():
        raise RiskInputError(f"kind: expected a non-empty name, found {kind!r}")
    if not callable(loader):
        raise RiskInputError(f"loader: expected a function of the model folder, found {loader!r}")
    if kind in _LOADERS and _LOADERS[kind] is not loader:
        raise RiskInputError(f"kind: {kind!r} is already registered")
    _LOADERS[kind] = loader


def registered_delay_models() -> list[str]:
    """Kinds that :func:`load_delay_model` can read."""
    _ensure_builtin()
    return sorted(_LOADERS)


def _ensure_builtin() -> None:
    if "lightgbm" not in _LOADERS:
        from supplymind.risk.delay.model import GradientBoostingDelayModel

        register_delay_model("lightgbm", GradientBoostingDelayModel.load)


def load_delay_model(path: str | Path) -> DelayRiskModel:
    """Load a saved late-delivery model of any registered kind."""
    folder = Path(path)
    config = folder / CONFIG_FILE
    if not config.is_file():
        raise FileNotFoundError(
            f"model: expected a folder holding {CONFIG_FILE} (written by "
            f"`supplymind risk train-delay`), found {folder}"
        )
    try:
        kind = json.loads(config.read_text(encoding="utf-8")).get("kind")
    except json.JSONDecodeError as exc:
        raise RiskInputError(
            f"model config {config}: expected JSON, found an error: {exc}"
        ) from exc
    _ensure_builtin()
    if kind not in _LOADERS:
        raise RiskInputError(
            f"model config {config}: expected kind one of {sorted(_LOADERS)}, found {kind!r}"
        )
    return _LOADERS[kind](folder)
