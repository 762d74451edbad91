"""TimesFM 2.5 through the registry, on a tiny random-weight model (skipped without timesfm)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from supplymind.exceptions import BackboneNotFoundError
from supplymind.models.adapters.timesfm import TimesFMBackbone
from supplymind.models.registry import load_backbone

timesfm = pytest.importorskip("timesfm")
if not hasattr(timesfm, "TimesFM_2p5_200M_torch"):
    pytest.skip("timesfm without the TimesFM 2.5 PyTorch model", allow_module_level=True)


@pytest.fixture
def tiny_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The 2.5 architecture shrunk to one 32-wide layer (TimesFM fixes its size in a class
    attribute), saved as the ``model.safetensors`` a checkpoint folder holds."""
    from safetensors.torch import save_file
    from timesfm import configs
    from timesfm.timesfm_2p5 import timesfm_2p5_torch

    module_cls = timesfm_2p5_torch.TimesFM_2p5_200M_torch_module
    full = module_cls.config
    width = 32
    tiny = dataclasses.replace(
        full,
        tokenizer=dataclasses.replace(full.tokenizer, hidden_dims=width, output_dims=width),
        stacked_transformers=configs.StackedTransformersConfig(
            num_layers=1,
            transformer=dataclasses.replace(
                full.stacked_transformers.transformer,
                model_dims=width,
                hidden_dims=width,
                num_heads=2,
            ),
        ),
        output_projection_point=dataclasses.replace(
            full.output_projection_point, input_dims=width, hidden_dims=width
        ),
        output_projection_quantiles=dataclasses.replace(
            full.output_projection_quantiles, input_dims=width, hidden_dims=width
        ),
    )
    monkeypatch.setattr(module_cls, "config", tiny)
    torch.manual_seed(0)
    save_file(module_cls().state_dict(), str(tmp_path / "model.safetensors"))
    return tmp_path


def test_when_loaded_by_path_then_forecasts_follow_the_contract(tiny_checkpoint: Path) -> None:
    backbone = load_backbone("timesfm-2.5", path=tiny_checkpoint, context_length=64)
    assert isinstance(backbone, TimesFMBackbone)
    assert backbone.name == "timesfm-2.5"
    assert (backbone.context_length, backbone.max_horizon) == (64, 128)
    t = np.arange(100, dtype=np.float64)
    gappy = 20 + 5 * np.sin(t / 4)
    gappy[[0, 1, 50, 99]] = np.nan
    context = [gappy, 3 + np.cos(t[:20]), np.array([])]
    out = backbone.predict_quantiles(context, horizon=150, quantiles=[0.05, 0.5, 0.9])
    assert out.shape == (3, 150, 3)
    assert np.isfinite(out).all()
    assert (np.diff(out, axis=-1) >= 0).all()
    again = backbone.predict_quantiles(context, horizon=20)  # reuses the compiled horizon
    assert again.shape == (3, 20, 9)


def test_when_folder_has_no_weights_then_not_found(tmp_path: Path) -> None:
    with pytest.raises(BackboneNotFoundError, match=r"holding model\.safetensors"):
        load_backbone("timesfm-2.5", path=tmp_path)
