"""Tests of the training-window sampler."""

from __future__ import annotations

import numpy as np
import pytest

from supplymind.training.corpus.windows import WindowSampler, sample_windows

CONTEXT, HORIZON = 16, 6


def _corpus() -> list[np.ndarray]:
    """Series whose values encode (series, position): series i holds i * 1000 + t."""
    lengths = [5, 9, 40, 200]
    corpus = [(i * 1000 + np.arange(n)).astype(np.float32) for i, n in enumerate(lengths)]
    gapped = (4000 + np.arange(60)).astype(np.float32)
    gapped[10:30] = np.nan
    return [*corpus, gapped]


def _observed_run(context: np.ndarray, future: np.ndarray) -> np.ndarray:
    both = np.concatenate([context, future])
    return both[~np.isnan(both)]


def test_when_sampled_then_shapes_dtype_and_observed_counts_hold() -> None:
    context, future = sample_windows(_corpus(), 500, CONTEXT, HORIZON, np.random.default_rng(0))
    assert context.shape == (500, CONTEXT)
    assert future.shape == (500, HORIZON)
    assert context.dtype == np.float32
    assert future.dtype == np.float32
    assert np.all((~np.isnan(context)).sum(axis=1) >= 3)
    assert np.all((~np.isnan(future)).sum(axis=1) >= 3)


def test_when_sampled_then_context_and_future_are_one_contiguous_stretch_of_a_series() -> None:
    corpus = _corpus()
    context, future = sample_windows(corpus, 500, CONTEXT, HORIZON, np.random.default_rng(1))
    for row in range(500):
        series_id = int(_observed_run(context[row], future[row])[0] // 1000)
        source = corpus[series_id]
        cut = int(np.nanmin(future[row]) - series_id * 1000)
        expected_past = source[max(0, cut - CONTEXT) : cut]
        expected_ahead = source[cut : cut + HORIZON]
        np.testing.assert_array_equal(context[row, CONTEXT - expected_past.size :], expected_past)
        np.testing.assert_array_equal(future[row, : expected_ahead.size], expected_ahead)


def test_when_series_is_short_then_context_is_nan_padded_on_the_left_and_future_on_the_right() -> (
    None
):
    series = [np.arange(7, dtype=np.float32)]
    context, future = sample_windows(series, 50, CONTEXT, HORIZON, np.random.default_rng(2))
    for row in range(50):
        observed = ~np.isnan(context[row])
        assert observed[-1]
        assert not observed[0]
        assert np.all(np.diff(observed.astype(int)) >= 0)  # NaN first, then values
        ahead = ~np.isnan(future[row])
        assert ahead[0]
        assert not ahead[-1]
        assert np.all(np.diff(ahead.astype(int)) <= 0)  # values first, then NaN


def test_when_same_seed_then_same_windows_and_other_seed_differs() -> None:
    sampler = WindowSampler(_corpus(), CONTEXT, HORIZON)
    first = sampler.sample(64, np.random.default_rng(3))
    again = sampler.sample(64, np.random.default_rng(3))
    other = sampler.sample(64, np.random.default_rng(4))
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0], equal_nan=True)
    via_function = sample_windows(_corpus(), 64, CONTEXT, HORIZON, np.random.default_rng(3))
    np.testing.assert_array_equal(via_function[0], first[0])


def test_when_series_differ_in_length_then_picked_in_proportion_to_valid_cuts() -> None:
    corpus = [np.zeros(10, dtype=np.float32), np.ones(100, dtype=np.float32)]
    sampler = WindowSampler(corpus, CONTEXT, HORIZON)
    assert sampler.n_cuts == (10 - 3 - 3 + 1) + (100 - 3 - 3 + 1)
    _, future = sampler.sample(20_000, np.random.default_rng(5))
    share_short = np.mean(future[:, 0] == 0)
    assert share_short == pytest.approx(5 / 100, abs=0.01)


def test_when_gaps_then_cuts_keep_enough_observed_values_on_both_sides() -> None:
    series = np.full(50, np.nan, dtype=np.float32)
    series[[0, 1, 2, 40, 41, 42, 43]] = 1.0
    sampler = WindowSampler([series], 64, 8, min_context_observed=3, min_future_observed=2)
    context, future = sampler.sample(200, np.random.default_rng(6))
    assert np.all((~np.isnan(context)).sum(axis=1) >= 3)
    assert np.all((~np.isnan(future)).sum(axis=1) >= 2)


def test_when_no_series_has_a_valid_cut_then_value_error() -> None:
    with pytest.raises(ValueError, match="no series"):
        WindowSampler([np.ones(4, dtype=np.float32)], CONTEXT, HORIZON)
    with pytest.raises(ValueError, match="no series"):
        WindowSampler([], CONTEXT, HORIZON)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"context_length": 0}, "context_length"),
        ({"horizon": 0}, "horizon"),
        ({"min_context_observed": 0}, "min_context_observed"),
        ({"min_future_observed": HORIZON + 1}, "min_future_observed"),
    ],
)
def test_when_arguments_are_bad_then_value_error_names_them(
    kwargs: dict[str, int], name: str
) -> None:
    arguments = {"context_length": CONTEXT, "horizon": HORIZON, **kwargs}
    with pytest.raises(ValueError, match=name):
        WindowSampler(_corpus(), **arguments)


def test_when_series_is_not_one_dimensional_then_value_error_names_its_index() -> None:
    with pytest.raises(ValueError, match=r"corpus\[1\]"):
        WindowSampler([np.ones(50), np.ones((5, 5))], CONTEXT, HORIZON)
