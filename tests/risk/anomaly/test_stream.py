"""Streaming scores equal batch scores (the fast path equals the reference path)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.anomaly import (
    ConformalForecastDetector,
    RollingMADDetector,
    SeasonalProfileForecaster,
    SeasonalResidualDetector,
    StreamingScorer,
    ZScoreDetector,
)
from supplymind.risk.anomaly.base import SeriesDetector

CASES: list[tuple[SeriesDetector, bool]] = [
    (RollingMADDetector(), True),
    (SeasonalResidualDetector(), True),
    (ZScoreDetector(window=50), True),
    (ZScoreDetector(), False),  # running sums: equal up to rounding
    (ConformalForecastDetector(SeasonalProfileForecaster(), alpha=0.05), True),
]


@pytest.mark.parametrize(("detector", "exact"), CASES, ids=lambda c: getattr(c, "name", ""))
def test_when_points_arrive_in_chunks_then_scores_equal_the_batch_scores(
    detector: SeriesDetector, exact: bool, series_factory
) -> None:
    a, _ = series_factory(n=260, item="a", seed=1)
    b, _ = series_factory(n=260, item="b", seed=2, anomalies=(200,))
    frame = pd.concat([a, b], ignore_index=True)
    batch = detector.detect(frame).set_index(["item_id", "timestamp"])
    scorer = StreamingScorer(detector).fit(frame[frame["timestamp"] < "2023-05-01"])
    rest = frame[frame["timestamp"] >= "2023-05-01"].sort_values("timestamp")
    cuts = [0, *np.unique(np.random.default_rng(0).integers(1, len(rest), 12)), len(rest)]
    chunks = [rest.iloc[a:b] for a, b in itertools.pairwise(cuts)]
    parts = [scorer.update(chunk) for chunk in chunks if len(chunk)]
    streamed = pd.concat(parts).set_index(["item_id", "timestamp"]).sort_index()
    expected = batch.loc[streamed.index]
    for col in ("expected", "lower", "upper", "score", "p_value"):
        if exact:
            np.testing.assert_array_equal(streamed[col].to_numpy(), expected[col].to_numpy())
        else:
            np.testing.assert_allclose(streamed[col], expected[col], rtol=1e-9, equal_nan=True)
    assert (streamed["is_anomaly"] == expected["is_anomaly"]).all()


def test_when_old_points_are_sent_again_then_the_stream_refuses_them(series_factory) -> None:
    frame, _ = series_factory(n=60)
    scorer = StreamingScorer(RollingMADDetector()).fit(frame)
    with pytest.raises(RiskInputError, match="after the last point"):
        scorer.update(frame.tail(1))
    with pytest.raises(RiskInputError, match="SeriesDetector"):
        StreamingScorer("mad")  # type: ignore[arg-type]


def test_when_a_new_series_appears_then_it_gets_a_fresh_state(series_factory) -> None:
    a, _ = series_factory(n=60, item="a")
    b, _ = series_factory(n=60, item="b")
    scorer = StreamingScorer(RollingMADDetector()).fit(a)
    out = scorer.update(b)
    assert scorer.series == ["a", "b"]
    assert len(out) == 60
