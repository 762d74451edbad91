"""The LightGBM late-delivery model: calibration on a known-probability case, attributions,
saving without pickle, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError, RiskWarning
from supplymind.risk.delay import (
    DelayModelParams,
    FeatureSpec,
    GradientBoostingDelayModel,
    expected_calibration_error,
    load_delay_model,
    registered_delay_models,
)
from supplymind.risk.delay.base import register_delay_model
from supplymind.risk.delay.calibration import brier_score

FAST = DelayModelParams(num_threads=1, learning_rate=0.05, n_estimators=400)
SPEC = FeatureSpec(categorical=("supplier_id", "mode", "destination"))


@pytest.fixture(scope="module")
def fitted() -> tuple[GradientBoostingDelayModel, pd.DataFrame, pd.DataFrame]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from conftest import make_shipments

    data = make_shipments(n=6000, seed=0)
    cut = data["promised_at"].quantile(0.7)
    train = data[data["delivered_at"] < cut]
    test = data[data["promised_at"] >= cut]
    return GradientBoostingDelayModel(SPEC, FAST).fit(train), train, test


def test_when_the_late_probability_is_known_then_predictions_are_calibrated(fitted) -> None:
    from conftest import true_late_probability

    model, _, test = fitted
    truth = true_late_probability(test)
    y = (test["delivered_at"] > test["promised_at"]).to_numpy(float)
    p = model.predict(test)["p_late"].to_numpy()
    # Against the truth: in every decile of predictions the mean prediction is within
    # 0.08 of the mean true probability, and the Brier score is near the oracle's.
    deciles = np.array_split(np.argsort(p), 10)
    assert max(abs(p[d].mean() - truth[d].mean()) for d in deciles) < 0.08
    assert np.corrcoef(p, truth)[0, 1] > 0.93
    assert brier_score(y, p) < brier_score(y, truth) + 0.006
    assert brier_score(y, p) < brier_score(y, np.full(y.size, y.mean())) - 0.02
    # Against the outcomes (1,800 shipments: sampling noise alone is about 0.02).
    assert expected_calibration_error(y, p) < 0.05


def test_when_a_prediction_is_explained_then_contributions_sum_to_its_log_odds(fitted) -> None:
    model, _, test = fitted
    rows = test.head(20)
    contrib = model.contributions(rows)
    raw = model.booster_.predict(model._features(rows, None, None)[1], raw_score=True)
    np.testing.assert_allclose(contrib.sum(axis=1), raw, rtol=1e-6, atol=1e-6)
    explained = model.explain(rows, top=2)
    worst = explained.sort_values("p_late").iloc[-1]
    factors = json.loads(worst["factors"])
    assert factors
    assert factors[0][2] > 0
    assert "chance of arriving late" in worst["explanation"]
    risky_supplier = rows.loc[rows["order_id"] == worst["order_id"], "supplier_id"].iloc[0]
    assert risky_supplier in ("S3", "S4")  # the suppliers the generator made late


def test_when_the_expected_delay_is_predicted_then_it_is_probability_times_delay(fitted) -> None:
    model, _, test = fitted
    pred = model.predict(test.head(50))
    np.testing.assert_allclose(
        pred["expected_delay_days"], pred["p_late"] * pred["delay_if_late_days"]
    )
    assert (pred["delay_if_late_days"] > 0).all()
    assert pred["delay_if_late_days"].between(1, 11).all()  # the generator's 1..10 days


def test_when_saved_then_it_loads_to_the_same_predictions_without_pickle(
    fitted, tmp_path: Path
) -> None:
    model, _, test = fitted
    folder = model.save(tmp_path / "model")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "README.md",
        "classifier.txt",
        "config.json",
        "delay_regressor.txt",
        "history.csv",
    ]
    assert not any(p.suffix in (".pkl", ".pickle", ".joblib") for p in folder.iterdir())
    again = load_delay_model(folder)
    pd.testing.assert_frame_equal(model.predict(test.head(200)), again.predict(test.head(200)))
    model.save(folder)  # overwriting an existing folder works
    assert "lightgbm" in registered_delay_models()


def test_when_a_config_has_unknown_keys_then_loading_warns(fitted, tmp_path: Path) -> None:
    model, _, _ = fitted
    folder = model.save(tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    config["params"]["future_option"] = 1
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.warns(RiskWarning, match="future_option"):
        load_delay_model(folder)
    config["kind"] = "transformer"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(RiskInputError, match="kind"):
        load_delay_model(folder)
    with pytest.raises(FileNotFoundError, match=r"config\.json"):
        load_delay_model(tmp_path / "nowhere")


def test_when_training_data_cannot_teach_then_errors_are_clear(shipment_factory) -> None:
    data = shipment_factory(n=300)
    model = GradientBoostingDelayModel(SPEC, FAST)
    on_time = data.assign(delivered_at=data["promised_at"])
    with pytest.raises(RiskInputError, match="at least 5 late"):
        model.fit(on_time)
    with pytest.raises(RiskInputError, match="open orders"):
        model.fit(data.assign(delivered_at=pd.NaT))
    with pytest.raises(RiskInputError, match="fitted model"):
        model.predict(data)
    with pytest.raises(RiskInputError, match="calibration"):
        DelayModelParams(calibration="platt")
    with pytest.raises(RiskInputError, match="learning_rate"):
        DelayModelParams(learning_rate=0)
    with pytest.raises(RiskInputError, match="kind"):
        register_delay_model("", lambda p: GradientBoostingDelayModel.load(p))
