"""Our backbone through the registry: save, load by path, and the common forecast contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import supplymind.models
from supplymind.exceptions import BackboneNotFoundError, ConfigurationError
from supplymind.models.adapters.supplymind import BUNDLED_DIR, SupplyMindBackbone
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.models.config import SupplyMindTSConfig
from supplymind.models.interface import QuantileBackbone
from supplymind.models.registry import load_backbone

TINY = SupplyMindTSConfig(
    context_length=64, patch_size=8, max_horizon=16, d_model=16, num_layers=1, num_heads=2, d_ff=32
)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SupplyMindTSModel]:
    """A tiny random model saved to a folder, and the model itself."""
    torch.manual_seed(0)
    model = SupplyMindTSModel(TINY).eval()
    folder = tmp_path_factory.mktemp("supplymind-ts-tiny")
    model.save_pretrained(folder)
    return folder, model


def history() -> list[np.ndarray]:
    t = np.arange(90, dtype=np.float64)
    gappy = 20 + 5 * np.sin(t / 4)
    gappy[[3, 40, 41, 89]] = np.nan  # missing inside and at the end
    return [gappy, 8 + np.cos(t[:25] / 3), np.full(5, np.nan)]


def test_when_loaded_by_name_and_path_then_it_is_a_backbone_with_the_saved_config(
    saved: tuple[Path, SupplyMindTSModel],
) -> None:
    folder, _ = saved
    backbone = load_backbone("supplymind-ts-small", path=folder)
    assert isinstance(backbone, SupplyMindBackbone)
    assert isinstance(backbone, QuantileBackbone)
    assert backbone.name == "supplymind-ts-small"
    assert (backbone.context_length, backbone.max_horizon) == (64, 16)
    assert backbone.quantiles == tuple(TINY.quantiles)


def test_when_loaded_from_folder_then_forecasts_equal_the_saved_model(
    saved: tuple[Path, SupplyMindTSModel],
) -> None:
    """The registry round trip changes nothing: same numbers as the model it saved."""
    folder, model = saved
    backbone = load_backbone(folder)
    assert backbone.name == "supplymind-ts"
    got = backbone.predict_quantiles(history(), horizon=10)
    want = model.predict_quantiles(history(), horizon=10)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_when_forecasting_then_shape_order_and_finiteness_hold_past_native_horizon(
    saved: tuple[Path, SupplyMindTSModel],
) -> None:
    backbone = load_backbone(saved[0])
    levels = [0.05, 0.25, 0.5, 0.75, 0.975]
    out = backbone.predict_quantiles(history(), horizon=40, quantiles=levels)  # native is 16
    assert out.shape == (3, 40, 5)
    assert out.dtype == np.float64
    assert np.isfinite(out).all()
    assert (np.diff(out, axis=-1) >= 0).all()


def test_when_levels_are_interpolated_then_native_levels_keep_native_values(
    saved: tuple[Path, SupplyMindTSModel],
) -> None:
    backbone = load_backbone(saved[0])
    native = backbone.predict_quantiles(history(), horizon=20)
    mixed = backbone.predict_quantiles(history(), horizon=20, quantiles=[0.1, 0.15, 0.5, 0.9])
    np.testing.assert_array_equal(mixed[..., [0, 2, 3]], native[..., [0, 4, 8]])
    assert (mixed[..., 1] >= native[..., 0]).all()
    assert (mixed[..., 1] <= native[..., 1]).all()


def test_when_context_is_empty_then_result_is_empty(
    saved: tuple[Path, SupplyMindTSModel],
) -> None:
    assert load_backbone(saved[0]).predict_quantiles([], horizon=3).shape == (0, 3, 9)


def test_when_folder_holds_another_model_then_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "t5"}')
    with pytest.raises(ConfigurationError, match="expected a 'supplymind_ts' model"):
        load_backbone("supplymind-ts-small", path=tmp_path)
    with pytest.raises(BackboneNotFoundError, match=r"found no config\.json"):
        load_backbone("supplymind-ts-small", path=tmp_path / "missing")


def test_when_no_path_then_the_bundled_folder_inside_the_package_is_used() -> None:
    models_package = Path(supplymind.models.__file__).resolve().parent
    assert models_package / "weights" / "supplymind-ts-small" == BUNDLED_DIR


def test_the_season_length_reaches_the_bundled_models_seasonal_copy() -> None:
    """The bundled weights: 60 weeks of a yearly curve with a peak in week 12 (one cycle and
    8 weeks). Without the season the lag-52 copy needs two cycles and the peak is missed;
    with ``season_length=52`` the forecast holds it, in week 64 = 12 + 52."""
    backbone = load_backbone("supplymind-ts-small")
    year = 100 + 30 * np.sin(np.arange(52) * 2 * np.pi / 52)
    year[12] = 400.0
    values = year[np.arange(60) % 52]
    blind = backbone.predict_quantiles([values], horizon=13, quantiles=[0.5])[0, :, 0]
    told = backbone.predict_quantiles([values], 13, [0.5], season_length=52)[0, :, 0]
    assert blind.max() < 200.0
    assert int(np.argmax(told)) == 4
    assert told[4] > 250.0
    unknown = backbone.predict_quantiles([values], 13, [0.5], season_length=0)[0, :, 0]
    np.testing.assert_array_equal(unknown, blind)
