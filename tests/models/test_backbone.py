"""The patch-transformer backbone: config rules, save/load, invariants of its forecasts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from supplymind.models.backbone import SupplyMindTSModel, pinball_loss
from supplymind.models.config import SupplyMindTSConfig

TINY = {
    "context_length": 64,
    "patch_size": 8,
    "max_horizon": 16,
    "d_model": 16,
    "num_layers": 1,
    "num_heads": 2,
    "d_ff": 32,
}


def tiny(**overrides: object) -> SupplyMindTSModel:
    torch.manual_seed(0)
    model = SupplyMindTSModel(SupplyMindTSConfig(**{**TINY, **overrides}))
    return model.eval()


def series(n: int = 3, length: int = 50) -> list[np.ndarray]:
    t = np.arange(length, dtype=np.float32)
    return [10 + i + np.sin(t / (2 + i)) * 3 for i in range(n)]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_horizon", -4, "max_horizon: expected > 0, found -4"),
        ("context_length", 4, "context_length: expected at least one patch"),
        ("num_heads", 3, "num_heads: expected a divisor of d_model=16"),
        ("quantiles", [0.9, 0.1, 0.5], "quantiles: expected strictly increasing"),
        ("quantiles", [0.1, 0.9], "expected 0.5 among them"),
        ("dropout", 1.5, "dropout: expected"),
        ("num_covariates", -1, "num_covariates: expected >= 0"),
        ("max_lag", 64, "max_lag: expected at least 1 and less than context_length=64"),
        ("copy_trim", 0.5, r"copy_trim: expected a share in \[0, 0.5\), found 0.5"),
        ("empirical_windows", [0], r"empirical_windows: expected distinct window lengths"),
        ("empirical_windows", [8, 65], r"in \[1, context_length=64\], found \[8, 65\]"),
        ("empirical_windows", [8, 8], r"empirical_windows: expected distinct"),
    ],
)
def test_when_config_is_bad_then_value_error_names_the_field(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SupplyMindTSConfig(**{**TINY, "seasonal_copy": field == "max_lag", field: value})


def test_when_saved_and_loaded_then_config_and_forecasts_are_identical(tmp_path: Path) -> None:
    model = tiny()
    model.save_pretrained(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= {"config.json", "model.safetensors"}
    loaded = SupplyMindTSModel.from_pretrained(tmp_path)
    assert loaded.config.to_dict()["quantiles"] == model.config.quantiles
    np.testing.assert_array_equal(
        model.predict_quantiles(series(), 20), loaded.predict_quantiles(series(), 20)
    )


def test_the_tiny_config_is_well_under_one_megabyte(tmp_path: Path) -> None:
    tiny().save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").stat().st_size < 100_000


def test_forecasts_scale_with_the_series() -> None:
    """Mean scaling: forecasting 1000·y gives 1000 times the forecast of y."""
    model = tiny()
    base = model.predict_quantiles(series(), 16)
    scaled = model.predict_quantiles([s * 1000 for s in series()], 16)
    np.testing.assert_allclose(scaled, base * 1000, rtol=1e-4)


def test_when_context_has_gaps_zeros_or_is_empty_then_forecasts_are_finite() -> None:
    model = tiny()
    gappy = series()[0].copy()
    gappy[5:20] = np.nan
    contexts = [gappy, np.zeros(30), np.full(12, np.nan), np.array([3.0])]
    out = model.predict_quantiles(contexts, 16)
    assert np.isfinite(out).all()
    assert (np.diff(out, axis=-1) >= 0).all()


def test_when_horizon_exceeds_native_then_rolling_keeps_the_native_prefix() -> None:
    model = tiny()
    short = model.predict_quantiles(series(), 16)
    long = model.predict_quantiles(series(), 40)
    assert long.shape == (3, 40, 9)
    np.testing.assert_array_equal(long[:, :16], short)


def test_when_levels_are_native_then_interpolation_returns_them_unchanged() -> None:
    model = tiny()
    native = model.predict_quantiles(series(), 8)
    picked = model.predict_quantiles(series(), 8, quantiles=[0.1, 0.5, 0.9])
    np.testing.assert_allclose(picked, native[..., [0, 4, 8]], rtol=1e-6)
    between = model.predict_quantiles(series(), 8, quantiles=[0.25])
    np.testing.assert_allclose(between[..., 0], (native[..., 1] + native[..., 2]) / 2, rtol=1e-5)


def test_when_horizon_or_levels_are_bad_then_clear_errors() -> None:
    model = tiny()
    with pytest.raises(ValueError, match="horizon: expected a positive"):
        model.predict_quantiles(series(), 0)
    with pytest.raises(ValueError, match=r"quantiles: expected levels in \(0, 1\)"):
        model.predict_quantiles(series(), 4, quantiles=[0.5, 1.0])


def test_a_covariate_model_starts_as_its_univariate_parent() -> None:
    """The covariate projection is zero-initialised: same weights, same forecasts."""
    parent = tiny()
    child = tiny(num_covariates=2)
    missing, unexpected = child.load_state_dict(parent.state_dict(), strict=False)
    assert set(missing) == {"covariate_embed.weight", "covariate_embed.bias"}
    assert not unexpected
    covs = [np.random.default_rng(i).normal(size=(50 + 16, 2)) for i in range(3)]
    np.testing.assert_allclose(
        child.eval().predict_quantiles(series(), 16, covariates=covs),
        parent.predict_quantiles(series(), 16),
        rtol=1e-5,
    )
    with pytest.raises(ValueError, match="covariates"):
        child.predict_quantiles(series(), 16)


def test_masked_patches_are_hidden_from_the_model() -> None:
    """Changing the values of a masked patch does not change the forecast."""
    model = tiny()
    ctx = torch.tensor(np.stack(series(1, 64)), dtype=torch.float32)
    mask = torch.zeros(1, 8, dtype=torch.bool)
    mask[0, 2] = True
    changed = ctx.clone()
    changed[0, 16:24] = 99.0
    a = model(context=ctx, context_patch_mask=mask).quantiles
    b = model(context=changed, context_patch_mask=mask).quantiles
    assert a is not None
    assert b is not None
    torch.testing.assert_close(a, b)


def test_pinball_loss_matches_its_definition_and_ignores_missing_targets() -> None:
    levels = torch.tensor([0.1, 0.5, 0.9])
    pred = torch.tensor([[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]])
    target = torch.tensor([[2.5, float("nan")]])
    mask = ~torch.isnan(target)
    expected = np.mean([0.1 * 1.5, 0.5 * 0.5, (1 - 0.9) * 0.5])
    assert pinball_loss(pred, target, levels, mask).item() == pytest.approx(expected)


def test_a_model_with_the_linear_path_starts_as_its_parent() -> None:
    """The linear context-to-horizon path is zero-initialised."""
    parent = tiny()
    child = tiny(linear_skip=True)
    missing, unexpected = child.load_state_dict(parent.state_dict(), strict=False)
    assert set(missing) == {"linear_path.weight", "linear_path.bias"}
    assert not unexpected
    np.testing.assert_allclose(
        child.eval().predict_quantiles(series(), 16), parent.predict_quantiles(series(), 16)
    )


def test_a_model_with_the_seasonal_copy_starts_close_to_its_parent_and_round_trips(
    tmp_path: Path,
) -> None:
    """The copy's gate starts nearly closed (sigmoid(-3)); its parameters are saved."""
    parent = tiny()
    child = tiny(seasonal_copy=True, max_lag=24)
    missing, unexpected = child.load_state_dict(parent.state_dict(), strict=False)
    assert set(missing) == {
        "seasonal_copy.lag_bias",
        "seasonal_copy.sharpness",
        "seasonal_copy.spread",
        "seasonal_copy.gate.weight",
        "seasonal_copy.gate.bias",
    }
    assert not unexpected
    ours = child.eval().predict_quantiles(series(), 16)
    theirs = parent.predict_quantiles(series(), 16)
    # (1 - g) * parent + g * copy with g = sigmoid(-3) < 0.05; copies stay within the series.
    bound = 0.05 * (np.abs(theirs).max() + max(np.abs(s).max() for s in series()) * 1.5)
    assert 0 < np.abs(ours - theirs).max() < bound
    child.save_pretrained(tmp_path)
    loaded = SupplyMindTSModel.from_pretrained(tmp_path)
    assert loaded.config.seasonal_copy
    assert loaded.config.max_lag == 24
    np.testing.assert_array_equal(loaded.predict_quantiles(series(), 16), ours)


def test_the_seasonal_copy_repeats_the_lag_that_fits_the_recent_context() -> None:
    """A period-12 series: the copy is the last cycle repeated; its gate opens fully."""
    model = tiny(seasonal_copy=True, max_lag=24)
    copy = model.seasonal_copy
    assert copy is not None
    with torch.no_grad():
        copy.gate.bias.fill_(20.0)
    t = np.arange(60)
    pattern = 10 + np.array([0, 3, 5, 2, -1, -4, 1, 6, 2, 0, -2, -3], dtype=np.float64)
    values = pattern[t % 12]
    quantiles = model.predict_quantiles([values], 16, [0.1, 0.5, 0.9])[0]
    expected = pattern[np.arange(60, 76) % 12]
    np.testing.assert_allclose(quantiles[:, 1], expected, rtol=1e-4)
    # A noiseless repeat: the best lag's error is 0, so the copy is certain.
    np.testing.assert_allclose(quantiles[:, 0], quantiles[:, 2], rtol=1e-4)


def test_a_trimmed_copy_still_finds_the_season_behind_a_one_off_spike() -> None:
    """One huge spike inflates every lag's mean error alike, so the lags blur together;
    the trimmed mean leaves it out and copies the last cycle."""
    t = np.arange(96)
    pattern = 10 + np.array([0, 3, 5, 2, -1, -4, 1, 6, 2, 0, -2, -3], dtype=np.float32)
    values = pattern[t % 12].copy()
    values[70] += 1000.0
    x = torch.from_numpy(values)[None, :]
    expected = pattern[np.arange(96, 104) % 12]
    medians = {}
    for trim in (0.0, 0.1):
        model = tiny(seasonal_copy=True, max_lag=24, copy_trim=trim)
        assert model.seasonal_copy is not None
        quantiles, _ = model.seasonal_copy(x, torch.ones_like(x), torch.zeros(1, 16), 8)
        medians[trim] = quantiles[0, :, 4].detach().numpy()  # level 0.5: the copy itself
    np.testing.assert_allclose(medians[0.1], expected, rtol=1e-4)
    assert np.abs(medians[0.0] - expected).max() > 1.0


@pytest.mark.parametrize(("drift", "ratio"), [(False, False), (True, False), (True, True)])
def test_a_trimmed_copy_trains_with_finite_gradients_on_short_and_gappy_contexts(
    drift: bool, ratio: bool
) -> None:
    """Lags longer than the observed history have no pairs; they must not make NaN, nor
    may the logarithms of the grown candidates on a context with zeros."""
    model = tiny(
        seasonal_copy=True, max_lag=24, copy_trim=0.1, copy_drift=drift, copy_ratio=ratio
    ).train()
    context = torch.full((3, 40), float("nan"))
    context[0, -30:] = torch.arange(30, dtype=torch.float32) % 7 + 1
    context[1, -12:] = 3.0
    context[2, -36:] = torch.arange(36, dtype=torch.float32) % 4
    future = torch.ones(3, 8)
    loss = model(context=context, future=future).loss
    assert loss is not None
    loss.backward()
    for name, parameter in model.named_parameters():
        if parameter.grad is not None:
            assert torch.isfinite(parameter.grad).all(), name


def copy_median(x: torch.Tensor, horizon: int, offsets: str, **overrides: object) -> np.ndarray:
    """The seasonal copy's median of ``x`` (``[1, time]``) for a tiny model with
    ``overrides``, checking that its ``offsets`` parameter exists exactly when switched on."""
    model = tiny(seasonal_copy=True, max_lag=24, **overrides)
    assert model.seasonal_copy is not None
    switched_on = bool(overrides.get("copy_" + offsets.split("_")[0]))
    assert (getattr(model.seasonal_copy, offsets) is not None) == switched_on
    quantiles, _ = model.seasonal_copy(x, torch.ones_like(x), torch.zeros(1, 16), horizon)
    return quantiles[0, :, 4].detach().numpy()


@pytest.mark.parametrize("trim", [0.0, 0.1])
def test_a_drifted_copy_carries_a_season_forward_with_its_trend(trim: float) -> None:
    """A period-12 pattern on a linear trend: every plain lag's error holds the trend, so
    the plain copy blurs the lags; the drifted lag 12 fits exactly and is the forecast,
    the trend added once per cycle copied."""
    t = np.arange(96)
    pattern = np.array([0, 3, 5, 2, -1, -4, 1, 6, 2, 0, -2, -3], dtype=np.float32)
    values = (10 + pattern[t % 12] + 0.5 * t).astype(np.float32)
    x = torch.from_numpy(values)[None, :]
    future = np.arange(96, 112)
    expected = 10 + pattern[future % 12] + 0.5 * future
    medians = {
        drift: copy_median(x, 16, "drift_bias", copy_trim=trim, copy_drift=drift)
        for drift in (False, True)
    }
    np.testing.assert_allclose(medians[True], expected, rtol=1e-4)
    assert np.abs(medians[False] - expected).max() > 2.0


def test_weights_saved_without_drift_load_into_a_drifted_copy(tmp_path: Path) -> None:
    """Only the drift offsets are new; they start at zero, and the drifted model saves and
    loads them like any other weight."""
    parent = tiny(seasonal_copy=True, max_lag=24, copy_trim=0.1)
    parent.save_pretrained(tmp_path / "parent")
    child = tiny(seasonal_copy=True, max_lag=24, copy_trim=0.1, copy_drift=True)
    missing, unexpected = child.load_state_dict(parent.state_dict(), strict=False)
    assert missing == ["seasonal_copy.drift_bias"]
    assert not unexpected
    config = SupplyMindTSConfig.from_pretrained(tmp_path / "parent")
    config.copy_drift = True
    loaded = SupplyMindTSModel.from_pretrained(tmp_path / "parent", config=config).eval()
    assert loaded.seasonal_copy is not None
    assert loaded.seasonal_copy.drift_bias is not None
    assert parent.seasonal_copy is not None
    torch.testing.assert_close(loaded.seasonal_copy.drift_bias, torch.zeros(24))
    torch.testing.assert_close(loaded.seasonal_copy.lag_bias, parent.seasonal_copy.lag_bias)
    ours = loaded.predict_quantiles(series(length=60), 16)
    assert np.isfinite(ours).all()
    with torch.no_grad():
        loaded.seasonal_copy.drift_bias.fill_(0.25)
    loaded.save_pretrained(tmp_path / "child")
    again = SupplyMindTSModel.from_pretrained(tmp_path / "child").eval()
    assert again.config.copy_drift
    np.testing.assert_array_equal(
        again.predict_quantiles(series(length=60), 16),
        loaded.predict_quantiles(series(length=60), 16),
    )


def test_the_seasonal_copy_ignores_lags_it_cannot_check() -> None:
    """Too short a context for any lag, or missing values to copy: the gate stays shut."""
    model = tiny(seasonal_copy=True, max_lag=24)
    copy = model.seasonal_copy
    assert copy is not None
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    quantiles, gate = copy(x, torch.ones_like(x), torch.zeros(1, 16), 8)
    assert quantiles.shape == (1, 8, 9)
    assert gate.item() == 0.0
    values = torch.arange(40, dtype=torch.float32)[None, :] % 5
    seen = torch.ones_like(values)
    seen[0, -3:] = 0.0  # the last values are missing: no lag up to 3 can be copied
    _, gate = copy(values * seen, seen, torch.zeros(1, 16), 8)
    assert gate.item() > 0.0
    seen[0, :] = 0.0
    _, gate = copy(values * seen, seen, torch.zeros(1, 16), 8)
    assert gate.item() == 0.0


def test_a_grown_copy_carries_a_multiplicative_season_forward_in_proportion() -> None:
    """A positive period-12 pattern growing 10% a cycle: the season's change per cycle is in
    proportion to its value, so neither the plain nor the drifted lag fits; the grown lag 12
    (ratio 1.1 at every pair) fits exactly and carries the peaks up and the troughs less."""
    t = np.arange(120)
    pattern = np.array([4, 6, 9, 5, 3, 2, 7, 12, 8, 5, 3, 2], dtype=np.float64)
    values = (pattern[t % 12] * 1.1 ** (t // 12)).astype(np.float32)
    x = torch.from_numpy(values)[None, :]
    future = np.arange(120, 132)
    expected = pattern[future % 12] * 1.1 ** (future // 12)
    medians = {
        ratio: copy_median(x, 12, "ratio_bias", copy_trim=0.1, copy_drift=True, copy_ratio=ratio)
        for ratio in (False, True)
    }
    np.testing.assert_allclose(medians[True], expected, rtol=1e-4)
    assert np.abs(medians[False] - expected).max() > 0.3


def test_grown_candidates_are_left_out_on_a_context_that_is_not_positive() -> None:
    """A zero (or negative) value makes the ratios meaningless: the copy is then the one
    without grown candidates, for the same weights."""
    grown = tiny(seasonal_copy=True, max_lag=24, copy_trim=0.1, copy_drift=True, copy_ratio=True)
    plain = tiny(seasonal_copy=True, max_lag=24, copy_trim=0.1, copy_drift=True)
    missing, unexpected = plain.load_state_dict(grown.state_dict(), strict=False)
    assert not missing
    assert unexpected == ["seasonal_copy.ratio_bias"]
    assert grown.seasonal_copy is not None
    assert plain.seasonal_copy is not None
    t = np.arange(60)
    growing = (5.0 + 3.0 * np.sin(2 * np.pi * t / 12)) * 1.1 ** (t // 12)
    with_zero = growing.astype(np.float32)
    with_zero[30] = 0.0
    x = torch.from_numpy(with_zero)[None, :]
    seen, summary = torch.ones_like(x), torch.zeros(1, 16)
    torch.testing.assert_close(
        grown.seasonal_copy(x, seen, summary, 8), plain.seasonal_copy(x, seen, summary, 8)
    )
    positive = torch.from_numpy(growing.astype(np.float32))[None, :]
    assert not torch.allclose(
        grown.seasonal_copy(positive, seen, summary, 8)[0],
        plain.seasonal_copy(positive, seen, summary, 8)[0],
    )


def test_weights_saved_without_ratio_load_with_zero_ratio_offsets(tmp_path: Path) -> None:
    """Shipped weights predate the grown candidates: their offsets start at zero and then
    save and load like any other weight."""
    parent = tiny(seasonal_copy=True, max_lag=24, copy_trim=0.1, copy_drift=True)
    parent.save_pretrained(tmp_path / "parent")
    config = SupplyMindTSConfig.from_pretrained(tmp_path / "parent")
    config.copy_ratio = True
    loaded = SupplyMindTSModel.from_pretrained(tmp_path / "parent", config=config).eval()
    assert loaded.seasonal_copy is not None
    assert loaded.seasonal_copy.ratio_bias is not None
    torch.testing.assert_close(loaded.seasonal_copy.ratio_bias, torch.zeros(24))
    with torch.no_grad():
        loaded.seasonal_copy.ratio_bias.fill_(-0.5)
    loaded.save_pretrained(tmp_path / "child")
    again = SupplyMindTSModel.from_pretrained(tmp_path / "child").eval()
    assert again.config.copy_ratio
    context = series(length=60)  # positive: the grown candidates take part
    np.testing.assert_array_equal(
        again.predict_quantiles(context, 16), loaded.predict_quantiles(context, 16)
    )


def spiky(length: int, period: int = 20) -> np.ndarray:
    """Flat at 10 with a spike of 30 once per ``period``, at phase 5."""
    values = np.full(length, 10.0, dtype=np.float32)
    values[5::period] = 30.0
    return values


def test_a_known_season_is_copied_after_one_cycle() -> None:
    """32 points of a period-20 season: lag 20 has 12 scoring pairs, fewer than a whole
    cycle, so the copy leaves it out and misses the next spike; told the season, it uses it."""
    model = tiny(seasonal_copy=True, max_lag=24)
    copy = model.seasonal_copy
    assert copy is not None
    x = torch.from_numpy(spiky(32))[None, :]
    args = (x, torch.ones_like(x), torch.zeros(1, 16), 16)
    blind, _ = copy(*args)
    told, _ = copy(*args, torch.tensor([20]))
    expected = spiky(48)[32:]
    np.testing.assert_allclose(told[0, :, 4].detach().numpy(), expected, rtol=1e-4)
    assert np.abs(blind[0, :, 4].detach().numpy() - expected).max() > 5.0
    # Unknown (0) or another season changes nothing.
    for other in (0, 12):
        again, _ = copy(*args, torch.tensor([other]))
        torch.testing.assert_close(again, blind)


def test_a_known_season_changes_nothing_once_two_cycles_exist() -> None:
    model = tiny(seasonal_copy=True, max_lag=24)
    history = [spiky(64), spiky(45)]
    np.testing.assert_array_equal(
        model.predict_quantiles(history, 16, season_length=20),
        model.predict_quantiles(history, 16),
    )


def test_season_length_is_one_for_all_or_one_per_series() -> None:
    model = tiny(seasonal_copy=True, max_lag=24)
    history = [spiky(32), spiky(32)]
    with torch.no_grad():
        assert model.seasonal_copy is not None
        model.seasonal_copy.gate.bias.fill_(20.0)
    both = model.predict_quantiles(history, 16, season_length=20)
    np.testing.assert_array_equal(
        both, model.predict_quantiles(history, 16, season_length=[20, 20])
    )
    mixed = model.predict_quantiles(history, 16, season_length=[20, 0])
    np.testing.assert_array_equal(mixed[0], both[0])
    np.testing.assert_array_equal(mixed[1], model.predict_quantiles(history[1:], 16)[0])
    assert not np.array_equal(mixed[0], mixed[1])


@pytest.mark.parametrize("bad", [-1, 2.5, [20], "weekly", True])
def test_when_season_length_is_bad_then_value_error_names_it(bad: object) -> None:
    model = tiny(seasonal_copy=True, max_lag=24)
    with pytest.raises(ValueError, match="season_length: expected a non-negative whole number"):
        model.predict_quantiles([spiky(32), spiky(32)], 8, season_length=bad)  # type: ignore[arg-type]


def open_empirical(model: SupplyMindTSModel, logits: list[float]) -> SupplyMindTSModel:
    """Open the empirical path's gate fully and fix its window logits."""
    assert model.empirical is not None
    with torch.no_grad():
        model.empirical.mix.weight.zero_()
        model.empirical.step_bias.zero_()
        model.empirical.mix.bias.copy_(torch.tensor([30.0, *logits]))
    return model


def test_a_model_with_the_empirical_path_starts_as_its_parent_and_round_trips(
    tmp_path: Path,
) -> None:
    """The path's gate starts at sigmoid(-6); its mixing layer is the only new parameter."""
    parent = tiny()
    child = tiny(empirical_windows=[4, 16])
    missing, unexpected = child.load_state_dict(parent.state_dict(), strict=False)
    assert set(missing) == {"empirical.mix.weight", "empirical.mix.bias", "empirical.step_bias"}
    assert not unexpected
    ours = child.eval().predict_quantiles(series(), 16)
    theirs = parent.predict_quantiles(series(), 16)
    bound = 0.003 * (np.abs(theirs).max() + max(np.abs(s).max() for s in series()))
    assert 0 < np.abs(ours - theirs).max() < bound
    child.save_pretrained(tmp_path)
    loaded = SupplyMindTSModel.from_pretrained(tmp_path)
    assert loaded.config.empirical_windows == [4, 16]
    np.testing.assert_array_equal(loaded.predict_quantiles(series(), 16), ours)


def test_the_open_empirical_path_forecasts_the_recent_quantiles_flat() -> None:
    """Gate open, one window chosen: numpy's linear quantiles of the last observations,
    missing values left out, the same at every step; an even mix averages the windows."""
    rng = np.random.default_rng(1)
    x = rng.poisson(0.7, 60).astype(np.float64)
    x[-3] = np.nan
    levels = [0.1, 0.5, 0.9]
    model = open_empirical(tiny(empirical_windows=[8, 24]), [0.0, -50.0])
    out = model.predict_quantiles([x], 5, levels)[0]
    expected = np.nanquantile(x[-8:], levels)
    np.testing.assert_allclose(out, np.tile(expected, (5, 1)), atol=1e-5)
    model = open_empirical(tiny(empirical_windows=[8, 24]), [0.0, 0.0])
    out = model.predict_quantiles([x], 5, levels)[0]
    even = (np.nanquantile(x[-8:], levels) + np.nanquantile(x[-24:], levels)) / 2
    np.testing.assert_allclose(out[0], even, atol=1e-5)
    # Step offsets: the first steps follow the short window, the later ones the long one.
    assert model.empirical is not None
    with torch.no_grad():
        model.empirical.step_bias[:2, 1] = 50.0
        model.empirical.step_bias[2:, 2] = 50.0
    out = model.predict_quantiles([x], 5, levels)[0]
    np.testing.assert_allclose(out[:2], np.tile(expected, (2, 1)), atol=1e-5)
    np.testing.assert_allclose(out[2:], np.tile(np.nanquantile(x[-24:], levels), (3, 1)), atol=1e-5)


def test_the_empirical_path_drops_windows_without_observations() -> None:
    """The last 4 values missing: the 4-window drops out and the 16-window takes all the
    weight; a context with no observation at all keeps the gate shut (finite forecast)."""
    x = np.arange(40, dtype=np.float64)
    x[-4:] = np.nan
    model = open_empirical(tiny(empirical_windows=[4, 16]), [10.0, 0.0])
    out = model.predict_quantiles([x], 3, [0.5])[0, :, 0]
    np.testing.assert_allclose(out, np.nanquantile(x[-16:], 0.5), atol=1e-4)
    empty = model.predict_quantiles([np.full(20, np.nan)], 3)
    assert np.isfinite(empty).all()


def test_the_empirical_path_learns_with_finite_gradients() -> None:
    """Gradients reach the mixing layer and the step offsets (the quantiles are fixed)."""
    model = tiny(empirical_windows=[4, 16], seasonal_copy=True, max_lag=24).train()
    context = torch.tensor(np.stack([np.r_[np.zeros(30), np.ones(34)], np.arange(64.0)]))
    context[0, :5] = float("nan")
    future = torch.ones(2, 16)
    model(context=context, future=future).loss.backward()
    assert model.empirical is not None
    grad = model.empirical.mix.weight.grad
    assert grad is not None
    assert torch.isfinite(grad).all()
    assert grad.abs().sum() > 0
    step = model.empirical.step_bias.grad
    assert step is not None
    assert step.abs().sum() > 0
