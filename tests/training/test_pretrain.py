"""Pretraining: determinism, resume after an interruption, config rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from supplymind.models.backbone import SupplyMindTSModel
from supplymind.models.config import SupplyMindTSConfig
from supplymind.training.pretrain import (
    PretrainConfig,
    _start_from_parent,
    load_pretrain_config,
    pretrain,
)

MODEL = {
    "context_length": 32,
    "patch_size": 8,
    "max_horizon": 8,
    "d_model": 8,
    "num_layers": 1,
    "num_heads": 2,
    "d_ff": 16,
}
CORPUS = {
    "n_kernelsynth": 8,
    "n_supply": 16,
    "include_real": False,
    "n_augmented": 4,
    "mixup_count": 4,
    "min_length": 64,
    "max_length": 128,
}


def config(**overrides: object) -> PretrainConfig:
    base: dict[str, object] = {
        "model": MODEL,
        "corpus": CORPUS,
        "steps": 12,
        "batch_size": 8,
        "warmup_steps": 2,
        "checkpoint_every": 4,
        "log_every": 2,
        "seed": 3,
    }
    base.update(overrides)
    return PretrainConfig(**base)  # type: ignore[arg-type]


def weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_file(folder / "model" / "model.safetensors")


def assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def test_when_run_twice_with_one_seed_then_weights_are_identical(tmp_path: Path) -> None:
    first = pretrain(config(), tmp_path / "a")
    second = pretrain(config(), tmp_path / "b")
    assert first.final_loss == second.final_loss
    assert_same(weights(tmp_path / "a"), weights(tmp_path / "b"))


def test_when_killed_and_resumed_then_result_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    pretrain(config(), tmp_path / "full")
    pretrain(config(), tmp_path / "cut", stop_after=6)  # checkpoint at step 4, stop at 6
    resumed = pretrain(config(), tmp_path / "cut")
    assert resumed.steps == 12
    assert_same(weights(tmp_path / "full"), weights(tmp_path / "cut"))
    log = (tmp_path / "cut" / "loss.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in log[1:]] == ["2", "4", "6", "8", "10", "12"]


def test_when_objective_is_masked_only_then_training_runs(tmp_path: Path) -> None:
    result = pretrain(config(objective="masked", steps=2), tmp_path)
    assert result.final_loss > 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("objective", "guess", "objective: expected 'forecast', 'masked' or 'both'"),
        ("steps", 0, "steps: expected a positive integer"),
        ("mask_ratio", 1.0, r"mask_ratio: expected \(0, 1\)"),
        ("learning_rate", -1.0, "learning_rate: expected > 0"),
        ("model", {**MODEL, "max_horizon": -1}, "max_horizon: expected > 0"),
        ("model", {**MODEL, "context_length": 4}, "context_length: expected at least one patch"),
        ("train_only", "empirical", "train_only: expected a list of module names"),
        ("train_only", [""], "train_only: expected a list of module names"),
    ],
)
def test_when_config_is_bad_then_the_field_is_named(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        config(**{field: value})


def test_when_toml_has_unknown_keys_then_they_are_named(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("steps = 3\nstepz = 4\n[model]\npatch_size = 8\n")
    with pytest.raises(ValueError, match=r"unknown keys \['stepz'\]"):
        load_pretrain_config(path)


def test_the_shipped_configs_load() -> None:
    root = Path(__file__).resolve().parents[2] / "configs" / "pretrain"
    for path in sorted(root.glob("*.toml")):
        assert load_pretrain_config(path).steps > 0


def test_when_init_from_is_given_then_training_starts_from_those_weights(tmp_path: Path) -> None:
    pretrain(config(), tmp_path / "base")
    start = config(init_from=str(tmp_path / "base" / "model"), steps=1, learning_rate=1e-12)
    pretrain(start, tmp_path / "next")
    a, b = weights(tmp_path / "base"), weights(tmp_path / "next")
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6)


def test_when_init_from_is_shallower_then_the_deeper_model_starts_as_the_parent(
    tmp_path: Path,
) -> None:
    pretrain(config(), tmp_path / "base")
    parent = SupplyMindTSModel.from_pretrained(tmp_path / "base" / "model").eval()
    torch.manual_seed(0)
    deeper = SupplyMindTSModel(SupplyMindTSConfig(**{**MODEL, "num_layers": 3})).eval()
    _start_from_parent(deeper, str(tmp_path / "base" / "model"))
    context = torch.randn(4, 40).cumsum(-1) + 10.0
    with torch.no_grad():
        expected = parent(context=context).quantiles
        grown = deeper(context=context).quantiles
    torch.testing.assert_close(grown, expected, rtol=0, atol=1e-5)
    # The new layers are there to learn: their other weights are not zero.
    assert deeper.encoder.layers[2].linear1.weight.abs().sum() > 0
    # Training from the grown model runs and moves the new layers.
    grown_run = config(init_from=str(tmp_path / "base" / "model"), model={"num_layers": 3}, steps=2)
    pretrain(grown_run, tmp_path / "grown")
    trained = weights(tmp_path / "grown")
    assert trained["encoder.layers.2.linear2.weight"].abs().sum() > 0
    assert "encoder.layers.2.linear2.weight" not in weights(tmp_path / "base")


def test_when_init_from_is_deeper_than_the_model_then_the_error_names_the_field(
    tmp_path: Path,
) -> None:
    pretrain(config(model={**MODEL, "num_layers": 2}, steps=2), tmp_path / "base")
    shallower = config(init_from=str(tmp_path / "base" / "model"), model={"num_layers": 1})
    with pytest.raises(ValueError, match=r"init_from: expected a backbone no larger"):
        pretrain(shallower, tmp_path / "next")


def test_when_masked_share_is_bad_then_the_field_is_named() -> None:
    with pytest.raises(ValueError, match=r"masked_share: expected \[0, 1\]"):
        config(masked_share=1.5)


def test_when_train_only_names_a_module_then_nothing_else_moves(tmp_path: Path) -> None:
    """A path added to a pretrained backbone is trained alone; the rest stays bit-identical."""
    pretrain(config(), tmp_path / "base")
    added = config(
        init_from=str(tmp_path / "base" / "model"),
        model={"empirical_windows": [4, 16]},
        train_only=["empirical"],
        steps=4,
        learning_rate=0.1,
    )
    pretrain(added, tmp_path / "added")
    base, trained = weights(tmp_path / "base"), weights(tmp_path / "added")
    assert set(trained) - set(base) == {
        "empirical.mix.weight",
        "empirical.mix.bias",
        "empirical.step_bias",
    }
    assert_same(base, {key: trained[key] for key in base})
    assert trained["empirical.mix.bias"][0] != pytest.approx(-6.0)
    # Resuming a frozen run from its checkpoint gives the uninterrupted result.
    pretrain(added, tmp_path / "cut", stop_after=2)
    pretrain(added, tmp_path / "cut", resume=True)
    assert_same(trained, weights(tmp_path / "cut"))


def test_when_train_only_names_an_unknown_module_then_the_error_lists_the_modules(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValueError, match=r"train_only: expected modules of the backbone, found"):
        pretrain(config(train_only=["empirical"], steps=1), tmp_path)
