"""The backbone registry: input checks, listing, name and folder resolution, clear errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from supplymind.exceptions import (
    BackboneNotFoundError,
    ConfigurationError,
    MissingDependencyError,
    UnknownBackboneError,
)
from supplymind.models import registry
from supplymind.models.adapters import supplymind as supplymind_adapter
from supplymind.models.interface import QuantileBackbone
from supplymind.models.registry import list_backbones, load_backbone, register_backbone

BUILTINS = {
    "supplymind-ts-small",
    "fracast",
    "chronos-2",
    "chronos-bolt-tiny",
    "chronos-bolt-mini",
    "chronos-bolt-small",
    "chronos-bolt-base",
    "timesfm-2.5",
}


class Naive:
    """Repeats the last value: the smallest thing that is a backbone."""

    name = "naive"
    context_length = 1
    max_horizon = 1
    quantiles = (0.5,)

    def __init__(self, path: Path | None = None, device: str = "cpu", **options: Any) -> None:
        self.path, self.device, self.options = path, device, options

    def predict_quantiles(
        self, context: Sequence[np.ndarray], horizon: int, quantiles: Sequence[float] | None = None
    ) -> np.ndarray:
        levels = quantiles or self.quantiles
        return np.stack([np.full((horizon, len(levels)), c[-1]) for c in context])


@pytest.fixture(autouse=True)
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees the built-ins and may register more without leaking them."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))


def test_when_imported_then_builtins_are_listed_sorted_with_descriptions() -> None:
    listed = list_backbones()
    assert set(listed) == BUILTINS
    assert list(listed) == sorted(listed)
    assert all(description for description in listed.values())


def test_when_a_loader_is_registered_then_it_is_called_with_path_device_and_options(
    tmp_path: Path,
) -> None:
    register_backbone("naive", Naive, description="last value")
    backbone = load_backbone("naive", path=tmp_path, device="meta", window=3)
    assert isinstance(backbone, Naive)
    assert (backbone.path, backbone.device, backbone.options) == (tmp_path, "meta", {"window": 3})
    assert isinstance(backbone, QuantileBackbone)
    assert list_backbones()["naive"] == "last value"


@pytest.mark.parametrize(
    ("name", "loader", "description", "error", "message"),
    [
        ("", Naive, "x", ConfigurationError, "name: expected a non-empty lower-case name"),
        ("Naive", Naive, "x", ConfigurationError, "found 'Naive'"),
        ("my model", Naive, "x", ConfigurationError, "found 'my model'"),
        ("models/naive", Naive, "x", ConfigurationError, "found 'models/naive'"),
        ("-naive", Naive, "x", ConfigurationError, "starting with a letter or digit"),
        (3, Naive, "x", TypeError, "name: expected a string, found int"),
        ("naive", "not callable", "x", TypeError, "loader: expected a callable, found str"),
        ("naive", Naive, "  ", ConfigurationError, "description: expected one line"),
        ("naive", Naive, None, TypeError, "description: expected a string"),
    ],
)
def test_when_registration_input_is_bad_then_it_is_refused(
    name: object, loader: object, description: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        register_backbone(name, loader, description=description)  # type: ignore[arg-type]
    assert set(list_backbones()) == BUILTINS


def test_when_name_is_taken_then_registration_is_refused_unless_overwrite() -> None:
    with pytest.raises(ConfigurationError, match=r"'fracast' is already registered.*overwrite"):
        register_backbone("fracast", Naive, description="impostor")
    register_backbone("fracast", Naive, description="replacement", overwrite=True)
    assert isinstance(load_backbone("fracast"), Naive)


def test_when_name_is_unknown_then_error_lists_registered_names_and_a_close_match() -> None:
    with pytest.raises(UnknownBackboneError) as info:
        load_backbone("chronos2")
    message = str(info.value)
    assert "unknown backbone 'chronos2'" in message
    assert "did you mean 'chronos-2'?" in message
    assert all(name in message for name in BUILTINS)
    assert isinstance(info.value, ValueError)


def test_when_path_like_does_not_exist_then_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(BackboneNotFoundError, match="found no folder at"):
        load_backbone(tmp_path / "nowhere")
    with pytest.raises(BackboneNotFoundError, match="found no folder at"):
        load_backbone("models/nowhere")


def test_when_name_or_path_is_not_text_then_type_error() -> None:
    with pytest.raises(TypeError, match="name_or_path: expected a backbone name or a folder"):
        load_backbone(42)  # type: ignore[arg-type]


def test_when_loader_returns_no_backbone_then_type_error() -> None:
    register_backbone("broken", lambda **_: object(), description="returns junk")
    with pytest.raises(TypeError, match="the loader of 'broken' returned object"):
        load_backbone("broken")


def test_when_folder_has_no_config_then_error_lists_names(tmp_path: Path) -> None:
    with pytest.raises(UnknownBackboneError, match=r"found none in .*registered backbones: chron"):
        load_backbone(tmp_path)


def test_when_folder_config_is_unrecognised_then_error_says_what_was_found(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(UnknownBackboneError, match="model_type 'bert'"):
        load_backbone(str(tmp_path))


def test_when_folder_config_is_not_json_then_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ConfigurationError, match="expected JSON"):
        load_backbone(tmp_path)


def test_when_folder_is_given_twice_then_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="path: expected None when name_or_path"):
        load_backbone(tmp_path, path=tmp_path)


def test_when_bundled_weights_are_missing_then_error_says_how_to_pass_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supplymind_adapter, "BUNDLED_DIR", tmp_path / "empty")
    with pytest.raises(BackboneNotFoundError) as info:
        load_backbone("supplymind-ts-small")
    message = str(info.value)
    assert "bundled 'supplymind-ts-small' weights are missing" in message
    assert "load_backbone('supplymind-ts-small', path=" in message


def test_when_hub_is_unreachable_then_error_suggests_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network: the Hub failure is simulated the way transformers reports it offline."""
    chronos = pytest.importorskip("chronos")

    def offline(*args: object, **kwargs: object) -> None:
        raise OSError("We couldn't connect to 'https://huggingface.co' to load the files")

    monkeypatch.setattr(chronos.BaseChronosPipeline, "from_pretrained", offline)
    with pytest.raises(BackboneNotFoundError) as info:
        load_backbone("chronos-bolt-small")
    message = str(info.value)
    assert "'amazon/chronos-bolt-small'" in message
    assert "load_backbone('chronos-bolt-small', path=" in message


def test_when_optional_package_is_missing_then_error_gives_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "timesfm", None)  # makes `import timesfm` fail
    with pytest.raises(MissingDependencyError, match="pip install timesfm"):
        load_backbone("timesfm-2.5")


def test_when_loading_then_progress_bar_settings_are_restored(tmp_path: Path) -> None:
    from huggingface_hub import utils as hub_utils
    from transformers.utils import logging as tf_logging

    from supplymind.models.adapters._common import quiet_loading

    before = (tf_logging.is_progress_bar_enabled(), hub_utils.are_progress_bars_disabled())
    with quiet_loading():
        assert not tf_logging.is_progress_bar_enabled()
        assert hub_utils.are_progress_bars_disabled()
    assert (tf_logging.is_progress_bar_enabled(), hub_utils.are_progress_bars_disabled()) == before
