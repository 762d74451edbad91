"""The Forecaster on the tiny backbone: modes, guarded adoption, contract, persistence."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from supplymind.exceptions import ConfigurationError, ForecastInputError, ForecastWarning
from supplymind.forecasting.forecaster import Forecaster
from supplymind.forecasting.metrics import wql
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.training.finetune import FinetuneConfig

from .conftest import TINY, demand

QUICK = FinetuneConfig(max_steps=8, batch_size=16, eval_every=4, learning_rate=3e-3)
FAST_STATS = ("zero_shot", "finetuned", "EmpiricalQuantiles", "SeasonalNaive", "CrostonSBA")


def _forecaster(**kwargs: object) -> Forecaster:
    options: dict[str, object] = {
        "horizon": 4,
        "finetune_config": QUICK,
        "candidates": FAST_STATS,
        "min_segment_series": 2,
    }
    options.update(kwargs)
    return Forecaster(str(TINY), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["none", "full", "head", "lora"])
def test_predict_returns_the_contract_table(mode: str) -> None:
    history = demand()
    f = _forecaster().fit(history, finetune=mode)
    out = f.predict(5, quantiles=[0.1, 0.5, 0.9])
    assert list(out.columns) == ["item_id", "timestamp", "mean", "0.1", "0.5", "0.9"]
    assert len(out) == 6 * 5
    last = history.groupby("item_id")["timestamp"].max()
    first_future = out.groupby("item_id")["timestamp"].min()
    assert (first_future == last + pd.Timedelta(weeks=1)).all()
    q = out[["0.1", "0.5", "0.9"]].to_numpy()
    assert (q >= 0).all()
    assert (np.diff(q, axis=1) >= 0).all()
    # Count history: whole-number quantiles.
    assert np.array_equal(q, np.round(q))
    if mode == "none":
        assert f.selection_ == {"all": "zero_shot"}
        assert f.model_ is None
    else:
        assert f.selection_ == {"all": "finetuned"}
        assert f.finetune_result_ is not None
        assert f.finetune_result_["mode"] == mode


def test_fitting_leaves_the_pretrained_weights_untouched() -> None:
    before = SupplyMindTSModel.from_pretrained(TINY).state_dict()
    f = _forecaster().fit(demand(), finetune="full")
    assert f.finetune_result_ is not None
    assert f.finetune_result_["steps"] > 0
    after = f.pretrained_.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    tuned = f.model_.state_dict()
    assert any(not torch.equal(before[k], tuned[k]) for k in before)


def test_auto_adopts_the_candidate_with_the_lowest_backtest_wql() -> None:
    f = _forecaster(ensemble_size=0).fit(demand(n_items=8, intermittent=3), finetune="auto")
    table = f.backtest_
    assert table is not None
    for segment, choice in f.selection_.items():
        rows = table[table["segment"] == segment]
        allowed = rows if segment != "smooth" else rows[~rows["model"].isin(["CrostonSBA", "TSB"])]
        assert choice == allowed.sort_values("wql")["model"].iloc[0]
    assert {"zero_shot", "finetuned", "EmpiricalQuantiles"} <= set(table["model"])
    assert {"all", "intermittent", "smooth"} == set(table["segment"])


def test_auto_never_adopts_a_model_worse_than_an_alternative_on_validation() -> None:
    # A fine-tuning that can only hurt (huge learning rate) is not adopted.
    bad = FinetuneConfig(
        max_steps=6,
        batch_size=16,
        eval_every=2,
        learning_rate=20.0,
        max_grad_norm=100.0,
        patience=1,
    )
    f = _forecaster(finetune_config=bad, ensemble_size=0).fit(demand(), finetune="auto")
    table = f.backtest_
    assert table is not None
    rows = table[table["segment"] == "all"].set_index("model")["wql"]
    chosen = f.selection_["all"]
    assert rows[chosen] == rows.min()
    # Early stopping kept the pretrained weights: fine-tuned = zero-shot exactly.
    assert f.finetune_result_ is not None
    assert f.finetune_result_["best_step"] == 0
    assert rows["finetuned"] == pytest.approx(rows["zero_shot"])


def test_ensemble_averages_the_best_candidates_when_that_is_better() -> None:
    f = _forecaster(ensemble_size=2).fit(demand(n_items=8), finetune="auto")
    table = f.backtest_
    assert table is not None
    blends = table[table["model"].str.startswith("ensemble(")]
    assert len(blends) >= 1
    chosen = f.selection_["all"]
    rows = table[table["segment"] == "all"].set_index("model")["wql"]
    assert rows[chosen] == rows.min()


def test_same_seed_same_forecast() -> None:
    a = _forecaster().fit(demand(), finetune="full").predict(3)
    b = _forecaster().fit(demand(), finetune="full").predict(3)
    pd.testing.assert_frame_equal(a, b)


def test_save_and_load_give_the_same_forecast(tmp_path: Path) -> None:
    history = demand()
    f = _forecaster().fit(history, finetune="lora")
    expected = f.predict(4)
    f.save(tmp_path / "m")
    assert (tmp_path / "m" / "adapter" / "adapter_config.json").exists()
    assert (tmp_path / "m" / "finetuned" / "model.safetensors").exists()
    again = Forecaster.load(tmp_path / "m").predict(4, history=history)
    pd.testing.assert_frame_equal(expected, again)
    with pytest.raises(ConfigurationError, match="pass history="):
        Forecaster.load(tmp_path / "m").predict(4)


def test_covariates_and_static_enter_the_fine_tuned_model() -> None:
    history = demand(n_periods=40, covariates=True)
    f = _forecaster(covariates=["promo"], static=["category"]).fit(history, finetune="full")
    assert f.model_.covariate_embed is not None
    assert len(f.model_.static_embed) == 1
    series = f.series_
    assert series is not None
    future = pd.concat(
        pd.DataFrame(
            {"item_id": item, "timestamp": series.future_index(i, 3), "promo": [1.0, 0.0, 1.0]}
        )
        for i, item in enumerate(series.item_ids)
    )
    out = f.predict(3, future_covariates=future)
    assert len(out) == 6 * 3
    with pytest.raises(ForecastInputError, match="known-future covariates"):
        f.predict(3)
    # The promotion flag moves the forecast once the model has learned from it.
    hi = f.predict(1, future_covariates=future.assign(promo=1.0))
    lo = f.predict(1, future_covariates=future.assign(promo=0.0))
    assert not np.allclose(hi["mean"], lo["mean"])


def test_short_series_fall_back_with_a_warning() -> None:
    history = demand(n_items=3, n_periods=30)
    tiny_series = pd.DataFrame(
        {
            "item_id": "new",
            "timestamp": history["timestamp"].iloc[-2:].to_list(),
            "target": [3.0, 5.0],
        }
    )
    f = _forecaster().fit(pd.concat([history, tiny_series]), finetune="none")
    with pytest.warns(ForecastWarning, match="fewer than 3 observed values"):
        out = f.predict(2)
    new = out[out["item_id"] == "new"]
    assert new["0.1"].between(3, 5).all()
    assert new["0.9"].between(3, 5).all()


def test_fine_tuning_a_backbone_that_cannot_be_fine_tuned_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="finetune: expected one of"):
        _forecaster().fit(demand(), finetune="partial")


@pytest.mark.parametrize(
    "bad",
    [
        {"n_windows": 0},
        {"auto_mode": "x"},
        {"candidates": ["Magic"]},
        {"quantiles": [0.5, 0.1]},
        {"horizon": 0},
    ],
)
def test_bad_settings_are_clear_errors(bad: dict[str, object]) -> None:
    with pytest.raises((ConfigurationError, ForecastInputError)):
        _forecaster(**bad)


def test_backtest_scores_agree_with_the_metric() -> None:
    f = _forecaster().fit(demand(), finetune="none")
    table = f.backtest_
    assert table is not None
    row = table[(table["segment"] == "all") & (table["model"] == "zero_shot")].iloc[0]
    assert 0 < row["wql"] < 1
    assert row["n_series"] == 6
    assert row["n_windows"] == 12
    assert np.isfinite(wql(np.ones((1, 1)), np.ones((1, 1, 1)), [0.5]))


def test_no_warnings_on_a_clean_fit() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ForecastWarning)
        _forecaster().fit(demand(), finetune="auto").predict(2)


def test_the_backbone_is_told_the_season_the_statistical_models_get(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Weekly data: the zero-shot and fine-tuned backbones forecast with season_length 52."""
    import supplymind.forecasting.forecaster as module

    seen: list[object] = []
    real = module.forecast_model

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        seen.append(kwargs.get("season_length"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "forecast_model", spy)
    f = _forecaster(candidates=("zero_shot", "finetuned")).fit(demand(), finetune="auto")
    f.predict(3)
    assert seen
    assert set(seen) == {52}
