"""Stratified splits."""

from __future__ import annotations

import numpy as np
import pytest

from supplymind.exceptions import ConfigurationError
from supplymind.feedback.split import stratified_split


def test_each_class_is_split_in_proportion_and_the_split_is_reproducible() -> None:
    labels = ["a"] * 80 + ["b"] * 20 + ["c"] * 5 + ["d"]
    kept, held = stratified_split(labels, 0.2, seed=3)
    y = np.array(labels)
    assert sorted(np.concatenate([kept, held]).tolist()) == list(range(len(labels)))
    counts = {c: int((y[held] == c).sum()) for c in "abcd"}
    assert counts == {"a": 16, "b": 4, "c": 1, "d": 0}  # a singleton stays in training
    again_kept, again_held = stratified_split(labels, 0.2, seed=3)
    assert np.array_equal(held, again_held)
    assert np.array_equal(kept, again_kept)
    assert not np.array_equal(held, stratified_split(labels, 0.2, seed=4)[1])


@pytest.mark.parametrize("share", [0.0, 1.0, -0.1])
def test_share_must_be_a_proper_share(share: float) -> None:
    with pytest.raises(ConfigurationError, match="share"):
        stratified_split(["a", "b"], share)
