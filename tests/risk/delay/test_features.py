from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.delay.data import check_shipments
from supplymind.risk.delay.features import (
    FeatureSpec,
    OutcomeHistory,
    as_of_times,
    build_features,
    open_at_assessment,
    outcome_frame,
)


def _history(shipments: pd.DataFrame, spec: FeatureSpec) -> OutcomeHistory:
    return OutcomeHistory(
        outcome_frame(shipments, 0.0), window=spec.window, prior_strength=spec.prior_strength
    )


def test_when_later_outcomes_are_added_then_earlier_features_do_not_change(
    shipment_factory,
) -> None:
    data = check_shipments(shipment_factory(n=800))
    spec = FeatureSpec(categorical=("supplier_id", "mode"))
    early = data.iloc[:400]
    full = build_features(early, _history(data, spec), spec)
    only_past = build_features(early, _history(data.iloc[:400], spec), spec)
    # Outcomes delivered after a shipment's as-of time cannot reach its features, so the
    # first 400 see the same history whether or not the later 400 exist ... as long as
    # those were delivered after every early as-of time.
    late_outcomes = data.iloc[400:]["delivered_at"].min()
    assert late_outcomes > as_of_times(early, spec).max()
    pd.testing.assert_frame_equal(full, only_past)


def test_when_a_supplier_is_often_late_then_its_recent_rate_says_so() -> None:
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    frame = check_shipments(
        pd.DataFrame(
            {
                "order_id": [f"o{i}" for i in range(40)],
                "supplier_id": ["bad", "good"] * 20,
                "ordered_at": days - pd.Timedelta(days=10),
                "promised_at": days,
                "delivered_at": [
                    d + pd.Timedelta(days=3 if i % 2 == 0 else -1) for i, d in enumerate(days)
                ],
            }
        )
    )
    spec = FeatureSpec(categorical=("supplier_id",), window=5, prior_strength=0.0)
    X = build_features(frame, _history(frame, spec), spec)
    last_bad, last_good = X.iloc[-2], X.iloc[-1]
    assert last_bad["supplier_late_rate"] == 1.0
    assert last_good["supplier_late_rate"] == 0.0
    assert last_bad["supplier_mean_lateness"] == pytest.approx(3.0)
    assert last_bad["supplier_days_since_late"] > 0
    assert np.isnan(last_good["supplier_days_since_late"])
    assert X["notice_days"].iloc[0] == 10.0  # ordered 10 days before the promise


def test_when_no_order_time_is_known_then_shipments_are_assessed_before_the_promise() -> None:
    frame = check_shipments(
        pd.DataFrame(
            {
                "order_id": ["x", "y"],
                "supplier_id": ["s", "s"],
                "promised_at": ["2024-03-31", "2024-03-31"],
                "delivered_at": ["2024-03-20", "2024-02-20"],
            }
        )
    )
    spec = FeatureSpec(notice_days=30)
    assert as_of_times(frame, spec).tolist() == [pd.Timestamp("2024-03-01")] * 2
    # delivered before it would have been assessed: not a training example
    assert open_at_assessment(frame, spec).tolist() == [True, False]


def test_bad_feature_settings() -> None:
    with pytest.raises(RiskInputError, match="window"):
        FeatureSpec(window=0)
    with pytest.raises(RiskInputError, match="notice_days"):
        FeatureSpec(notice_days=-1)
    with pytest.raises(RiskInputError, match="both categorical and numeric"):
        FeatureSpec(categorical=("mode",), numeric=("mode",))
    with pytest.raises(RiskInputError, match="outcomes"):
        OutcomeHistory(pd.DataFrame({"late": [1]}))
