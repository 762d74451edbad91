"""The public review corpora and the held-out rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplymind.exceptions import DatasetNotFoundError
from supplymind.feedback.datasets import (
    HELDOUT_BUCKETS,
    is_heldout,
    load_corpus,
    text_bucket,
)


def test_bucket_is_a_stable_function_of_the_text() -> None:
    # Fixed values: changing the rule would silently move texts across the held-out line.
    assert text_bucket("酒店很好") == text_bucket(" 酒店很好 ")  # stripped
    assert [text_bucket(t) for t in ("abc", "酒店很好", "good flight")] == [30, 40, 54]
    assert is_heldout("abc") == (text_bucket("abc") < HELDOUT_BUCKETS)


def test_missing_folder_says_which_variable_to_set(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match="SUPPLYMIND_DATA_DIR"):
        load_corpus("chnsenticorp_htl", tmp_path)
    with pytest.raises(ValueError, match="name"):
        load_corpus("imdb", tmp_path)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "rows", "labels"),
    [
        ("chnsenticorp_htl", 7765, {"positive", "negative"}),
        ("online_shopping_10_cats", 62773, {"positive", "negative"}),
        ("twitter_airline_sentiment", 14640, {"positive", "negative", "neutral"}),
    ],
)
def test_corpora_load_with_about_a_tenth_held_out(
    feedback_data_dir: Path, name: str, rows: int, labels: set[str]
) -> None:
    frame = load_corpus(name, feedback_data_dir)
    assert len(frame) == rows  # the README's counts, less the one empty review
    assert set(frame["sentiment"]) == labels
    share = (frame["bucket"] < HELDOUT_BUCKETS).mean()
    assert 0.09 < share < 0.11
    if name == "twitter_airline_sentiment":
        negative = frame[frame["sentiment"] == "negative"]
        assert (negative["complaint_type"] != "").all()
        assert negative["complaint_type"].nunique() == 10
