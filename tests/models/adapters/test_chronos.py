"""Chronos-2 and Chronos-Bolt offline: tiny random checkpoints saved to a folder and loaded
through the registry by path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from supplymind.exceptions import ConfigurationError
from supplymind.models.adapters.chronos import ChronosBackbone
from supplymind.models.registry import load_backbone

chronos = pytest.importorskip("chronos")

LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
TINY_CORE = {"d_model": 16, "d_kv": 8, "d_ff": 32, "num_layers": 1, "num_heads": 2}


def tiny_chronos2(folder: Path) -> Path:
    """Smallest valid Chronos-2: one layer, 16 wide, 8-step patches, 16 native steps."""
    from chronos.chronos2.config import Chronos2CoreConfig

    config = Chronos2CoreConfig(
        **TINY_CORE,
        chronos_config={
            "context_length": 64,
            "input_patch_size": 8,
            "input_patch_stride": 8,
            "output_patch_size": 8,
            "max_output_patches": 2,
            "quantiles": LEVELS,
            "use_reg_token": True,
            "use_arcsinh": True,
        },
        chronos_pipeline_class="Chronos2Pipeline",
        architectures=["Chronos2Model"],
    )
    torch.manual_seed(0)
    chronos.Chronos2Model(config).save_pretrained(folder)
    return folder


def tiny_bolt(folder: Path) -> Path:
    """Smallest valid Chronos-Bolt: a one-layer T5 encoder-decoder, 16 native steps."""
    from chronos.chronos_bolt import ChronosBoltModelForForecasting
    from transformers import T5Config

    config = T5Config(
        **TINY_CORE,
        num_decoder_layers=1,
        vocab_size=2,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        chronos_config={
            "context_length": 64,
            "input_patch_size": 8,
            "input_patch_stride": 8,
            "prediction_length": 16,
            "quantiles": LEVELS,
            "use_reg_token": True,
        },
        chronos_pipeline_class="ChronosBoltPipeline",
        architectures=["ChronosBoltModelForForecasting"],
    )
    torch.manual_seed(0)
    ChronosBoltModelForForecasting(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module", params=["chronos-2", "chronos-bolt"])
def checkpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny checkpoint folder of each family, named after the family."""
    folder = tmp_path_factory.mktemp("checkpoints") / request.param
    return tiny_chronos2(folder) if request.param == "chronos-2" else tiny_bolt(folder)


def history() -> list[np.ndarray]:
    t = np.arange(100, dtype=np.float64)
    gappy = 20 + 5 * np.sin(t / 4)
    gappy[[3, 50, 51, 99]] = np.nan
    return [gappy, 8 + np.cos(t[:20] / 3), np.array([])]


def test_when_folder_is_loaded_then_family_and_native_attributes_come_from_its_config(
    checkpoint: Path,
) -> None:
    backbone = load_backbone(checkpoint)
    assert isinstance(backbone, ChronosBackbone)
    assert backbone.name == checkpoint.name
    assert (backbone.context_length, backbone.max_horizon) == (64, 16)
    assert backbone.quantiles == tuple(LEVELS)


def test_when_loaded_by_registered_name_with_path_then_name_is_the_registered_one(
    checkpoint: Path,
) -> None:
    name = "chronos-2" if checkpoint.name == "chronos-2" else "chronos-bolt-tiny"
    backbone = load_backbone(name, path=checkpoint)
    assert backbone.name == name
    assert isinstance(backbone, ChronosBackbone)
    assert backbone.source == str(checkpoint)


def test_when_forecasting_past_native_horizon_then_shape_order_and_finiteness_hold(
    checkpoint: Path,
) -> None:
    backbone = load_backbone(checkpoint)
    out = backbone.predict_quantiles(history(), horizon=40, quantiles=[0.05, 0.5, 0.75, 0.99])
    assert out.shape == (3, 40, 4)
    assert out.dtype == np.float64
    assert np.isfinite(out).all()
    assert (np.diff(out, axis=-1) >= 0).all()


def test_when_native_levels_are_asked_then_they_equal_the_pipeline_output(
    checkpoint: Path,
) -> None:
    """The adapter is a thin shell over chronos' own predict_quantiles, plus sorting (a random
    model's quantiles cross)."""
    backbone = load_backbone(checkpoint)
    assert isinstance(backbone, ChronosBackbone)
    context = history()[:2]
    got = backbone.predict_quantiles(context, horizon=12, quantiles=[0.1, 0.5, 0.9])
    raw: Any
    raw, _ = backbone.pipeline.predict_quantiles(
        [torch.tensor(c[-64:], dtype=torch.float32) for c in context],
        prediction_length=12,
        quantile_levels=LEVELS,
    )
    want = np.sort(np.stack([np.asarray(r).reshape(12, len(LEVELS)) for r in raw]), axis=-1)
    np.testing.assert_allclose(got, want[..., [0, 4, 8]], rtol=1e-5, atol=1e-5)


def test_when_batch_size_is_small_then_forecasts_are_unchanged(checkpoint: Path) -> None:
    whole = load_backbone(checkpoint).predict_quantiles(history(), horizon=8)
    chunked = load_backbone(checkpoint, batch_size=1).predict_quantiles(history(), horizon=8)
    np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-5)


def test_when_checkpoint_is_original_chronos_then_configuration_error(tmp_path: Path) -> None:
    config = {"architectures": ["T5ForConditionalGeneration"], "chronos_config": {}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigurationError, match="original Chronos is not supported"):
        load_backbone(tmp_path)
