"""The backbone registry: names to loaders of pretrained quantile forecasters.

Every entry loads a :class:`~supplymind.models.interface.QuantileBackbone`, so the task
modules forecast the same way whichever model is behind it::

    from supplymind.models.registry import load_backbone

    backbone = load_backbone("fracast")  # or "chronos-2", a folder, ...
    q = backbone.predict_quantiles([history], horizon=28, quantiles=[0.1, 0.5, 0.9])

Built-in entries (see :func:`list_backbones`): ``supplymind-ts-small`` (our model, bundled
weights), ``fracast`` (Fracast-0, weights bundled in the ``fracast`` package),
``chronos-2`` and ``chronos-bolt-{tiny,mini,small,base}`` (``chronos-forecasting``; a local
folder via ``path=``, or the Hugging Face Hub when online) and ``timesfm-2.5`` (``timesfm``,
optional). More are added with :func:`register_backbone`; registration is explicit, nothing
registers itself on import. Third-party packages are imported only when their backbone is
loaded, and a missing one fails with the command that installs it.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supplymind.exceptions import BackboneNotFoundError, ConfigurationError, UnknownBackboneError
from supplymind.models.interface import QuantileBackbone

__all__ = [
    "BackboneLoader",
    "BackboneSpec",
    "list_backbones",
    "load_backbone",
    "register_backbone",
]

#: A loader is called as ``loader(path=..., device=..., **kwargs)``, where ``path`` is a
#: local checkpoint folder (or ``None`` for the entry's default weights), and returns a
#: :class:`QuantileBackbone`.
BackboneLoader = Callable[..., QuantileBackbone]

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


@dataclass(frozen=True)
class BackboneSpec:
    """One registry entry.

    Parameters
    ----------
    name
        Lower-case name (letters, digits, ``.``, ``_``, ``-``).
    loader
        Callable building the backbone; see :data:`BackboneLoader`.
    description
        One line for listings.
    """

    name: str
    loader: BackboneLoader
    description: str


_REGISTRY: dict[str, BackboneSpec] = {}


def register_backbone(
    name: str, loader: BackboneLoader, *, description: str, overwrite: bool = False
) -> None:
    """Add a backbone to the registry.

    Parameters
    ----------
    name
        Lower-case name: starts with a letter or digit, then letters, digits, ``.``, ``_``
        or ``-`` (so it can never be mistaken for a path).
    loader
        Called as ``loader(path=..., device=..., **kwargs)``; returns a
        :class:`~supplymind.models.interface.QuantileBackbone`.
    description
        One non-empty line for listings.
    overwrite
        Replace an entry of the same name instead of refusing.

    Raises
    ------
    ConfigurationError
        ``name`` is malformed or already registered (and ``overwrite`` is false), or
        ``description`` is empty.
    TypeError
        ``name`` or ``description`` is not a string, or ``loader`` is not callable.
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a string, found {type(name).__name__}")
    if not _NAME.fullmatch(name):
        raise ConfigurationError(
            "name: expected a non-empty lower-case name of letters, digits, '.', '_' or '-' "
            f"starting with a letter or digit, found {name!r}"
        )
    if not callable(loader):
        raise TypeError(f"loader: expected a callable, found {type(loader).__name__}")
    if not isinstance(description, str):
        raise TypeError(f"description: expected a string, found {type(description).__name__}")
    if not description.strip():
        raise ConfigurationError("description: expected one line of text, found an empty string")
    if name in _REGISTRY and not overwrite:
        raise ConfigurationError(
            f"name: backbone '{name}' is already registered "
            f"({_REGISTRY[name].description}); pass overwrite=True to replace it"
        )
    _REGISTRY[name] = BackboneSpec(name=name, loader=loader, description=description.strip())


def list_backbones() -> dict[str, str]:
    """Registered backbones, name to description, sorted by name."""
    return {name: _REGISTRY[name].description for name in sorted(_REGISTRY)}


def load_backbone(
    name_or_path: str | os.PathLike[str],
    *,
    path: str | os.PathLike[str] | None = None,
    device: str = "cpu",
    **kwargs: Any,
) -> QuantileBackbone:
    """Load a backbone by registered name, or from a checkpoint folder.

    Parameters
    ----------
    name_or_path
        A registered name (see :func:`list_backbones`), or a folder holding a
        ``config.json``: a saved ``SupplyMindTSModel`` (``model_type`` ``supplymind_ts``), a
        Chronos-2 or Chronos-Bolt checkpoint, or a Fracast release. Names win over folders
        of the same name.
    path
        With a registered name: load that entry from this folder instead of its default
        weights (bundled, or the Hub).
    device
        Torch device, e.g. ``"cpu"`` or ``"cuda"``.
    **kwargs
        Passed to the entry's loader (e.g. ``batch_size``, or ``weights="fp32"`` for
        Fracast).

    Returns
    -------
    QuantileBackbone
        The loaded backbone.

    Raises
    ------
    UnknownBackboneError
        ``name_or_path`` is neither a registered name nor a folder, or the folder holds no
        model a backbone recognises; the message lists the registered names.
    BackboneNotFoundError
        The weights cannot be found (missing bundled weights, missing folder, Hub not
        reachable for a hub id that is not cached).
    MissingDependencyError
        The entry's optional package is not installed.
    ConfigurationError
        A folder was given both as ``name_or_path`` and as ``path``.
    TypeError
        A loader returned something that is not a backbone.
    """
    if not isinstance(name_or_path, str | os.PathLike):
        raise TypeError(
            "name_or_path: expected a backbone name or a folder path, "
            f"found {type(name_or_path).__name__}"
        )
    folder = None if path is None else Path(path).expanduser()
    if isinstance(name_or_path, str) and name_or_path in _REGISTRY:
        spec = _REGISTRY[name_or_path]
        backbone = spec.loader(path=folder, device=device, **kwargs)
        return _checked(backbone, spec.name)
    candidate = Path(name_or_path).expanduser()
    if candidate.is_dir():
        if folder is not None:
            raise ConfigurationError(
                f"path: expected None when name_or_path is already a folder ({candidate}), "
                f"found {folder}"
            )
        return _checked(_load_folder(candidate, device, **kwargs), str(candidate))
    text = os.fspath(name_or_path)
    if isinstance(name_or_path, os.PathLike) or os.sep in text or "/" in text:
        raise BackboneNotFoundError(
            f"name_or_path: expected a registered name or an existing checkpoint folder, "
            f"found no folder at {candidate}"
        )
    close = difflib.get_close_matches(text, list(_REGISTRY), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise UnknownBackboneError(
        f"name_or_path: unknown backbone {text!r}{hint}; registered backbones: "
        f"{', '.join(sorted(_REGISTRY))} (or pass a checkpoint folder)"
    )


def _checked(backbone: object, origin: str) -> QuantileBackbone:
    if not isinstance(backbone, QuantileBackbone):
        raise TypeError(
            f"the loader of '{origin}' returned {type(backbone).__name__}, expected a backbone "
            "with name, context_length, max_horizon, quantiles and predict_quantiles"
        )
    return backbone


def _load_folder(folder: Path, device: str, **kwargs: Any) -> QuantileBackbone:
    """Recognise the kind of checkpoint in ``folder`` by its ``config.json`` and load it."""
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise UnknownBackboneError(
            f"name_or_path: expected a checkpoint folder with a config.json, found none in "
            f"{folder}; registered backbones: {', '.join(sorted(_REGISTRY))}"
        )
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{config_file}: expected JSON, found invalid JSON ({exc})"
        ) from exc
    if not isinstance(config, dict):
        raise ConfigurationError(
            f"{config_file}: expected a JSON object, found {type(config).__name__}"
        )

    from supplymind.models.adapters.chronos import is_chronos_config

    model = config.get("model")
    if config.get("model_type") == "supplymind_ts":
        from supplymind.models.adapters.supplymind import load_supplymind

        return load_supplymind(folder, device, name="supplymind-ts", **kwargs)
    if is_chronos_config(config):
        from supplymind.models.adapters.chronos import load_chronos

        family = {"Chronos2Pipeline": "chronos-2", "ChronosBoltPipeline": "chronos-bolt"}
        name = family.get(config.get("chronos_pipeline_class", ""), "chronos")
        return load_chronos(folder, device, name=name, **kwargs)
    if isinstance(model, dict) and model.get("family") == "fracast":
        from supplymind.models.adapters.fracast import load_fracast

        return load_fracast(folder, device, **kwargs)
    raise UnknownBackboneError(
        f"name_or_path: {config_file} describes no model a backbone recognises "
        f"(model_type {config.get('model_type')!r}); expected a SupplyMindTSModel, a Chronos-2 "
        "or Chronos-Bolt checkpoint, or a Fracast release. For another registered backbone "
        f"pass its name and path=: {', '.join(sorted(_REGISTRY))}"
    )


# ---------------------------------------------------------------------------- built-ins
# Each loader imports its adapter (and the adapter its third-party package) only when
# called, so importing the registry stays cheap.


def _load_supplymind_small(
    path: Path | None = None, device: str = "cpu", **kwargs: Any
) -> QuantileBackbone:
    from supplymind.models.adapters.supplymind import load_supplymind

    return load_supplymind(path, device, name="supplymind-ts-small", **kwargs)


def _load_fracast(path: Path | None = None, device: str = "cpu", **kwargs: Any) -> QuantileBackbone:
    from supplymind.models.adapters.fracast import load_fracast

    return load_fracast(path, device, name="fracast", **kwargs)


def _chronos_loader(name: str) -> BackboneLoader:
    def load(path: Path | None = None, device: str = "cpu", **kwargs: Any) -> QuantileBackbone:
        from supplymind.models.adapters.chronos import load_chronos

        return load_chronos(path, device, name=name, **kwargs)

    return load


def _load_timesfm(path: Path | None = None, device: str = "cpu", **kwargs: Any) -> QuantileBackbone:
    from supplymind.models.adapters.timesfm import load_timesfm

    return load_timesfm(path, device, name="timesfm-2.5", **kwargs)


def _register_builtins() -> None:
    register_backbone(
        "supplymind-ts-small",
        _load_supplymind_small,
        description="SupplyMind's patch transformer, weights bundled with the package "
        "(path= loads any saved SupplyMindTSModel folder)",
    )
    register_backbone(
        "fracast",
        _load_fracast,
        description="Fracast-0, weights bundled in the fracast package (pip install fracast)",
    )
    register_backbone(
        "chronos-2",
        _chronos_loader("chronos-2"),
        description="Amazon Chronos-2 via chronos-forecasting: path= a local checkpoint, "
        "or amazon/chronos-2 from the Hugging Face Hub when online",
    )
    for size in ("tiny", "mini", "small", "base"):
        name = f"chronos-bolt-{size}"
        register_backbone(
            name,
            _chronos_loader(name),
            description=f"Amazon Chronos-Bolt ({size}) via chronos-forecasting: path= a local "
            f"checkpoint, or amazon/{name} from the Hugging Face Hub when online",
        )
    register_backbone(
        "timesfm-2.5",
        _load_timesfm,
        description="Google TimesFM 2.5 (200M) via the optional timesfm package: path= a "
        "local checkpoint, or google/timesfm-2.5-200m-pytorch from the Hub when online",
    )


_register_builtins()
