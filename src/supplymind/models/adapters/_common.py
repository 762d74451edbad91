"""What the adapters share: lazy optional imports and quiet loading."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from supplymind.exceptions import MissingDependencyError

__all__ = ["quiet_loading", "require"]


def require(module: str, package: str, purpose: str) -> ModuleType:
    """Import an optional dependency, or fail with the command that installs it.

    Parameters
    ----------
    module
        Import name (``"chronos"``).
    package
        Distribution to install (``"chronos-forecasting"``).
    purpose
        What needs it, for the message (``"the chronos-2 backbone"``).

    Raises
    ------
    MissingDependencyError
        The module cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs the '{package}' package, which is not installed "
            f"({exc}); install it with: pip install {package}"
        ) from exc


@contextmanager
def quiet_loading() -> Iterator[None]:
    """Hide transformers' and huggingface_hub's progress bars while loading a model.

    The previous settings of both libraries are restored on exit, so a caller who turned
    the bars on or off keeps that choice outside our loaders.
    """
    # Untyped helpers of both libraries; imported here so that importing adapters stays cheap.
    hub_utils: Any = importlib.import_module("huggingface_hub.utils")
    tf_logging: Any = importlib.import_module("transformers.utils.logging")

    transformers_on = tf_logging.is_progress_bar_enabled()
    hub_off = hub_utils.are_progress_bars_disabled()
    tf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if transformers_on:
            tf_logging.enable_progress_bar()
        if hub_off:
            hub_utils.disable_progress_bars()
        else:
            hub_utils.enable_progress_bars()
