"""The public review corpora used to pretrain and evaluate the text models, and the
held-out rule.

Three corpora from the shared data folder (``$SUPPLYMIND_DATA_DIR``, default
``../shared/data``, see :func:`supplymind.data.datasets.default_data_dir`):

``chnsenticorp_htl``
    7,766 Chinese hotel reviews, binary sentiment (``label`` 1 positive, 0 negative).
``online_shopping_10_cats``
    62,774 Chinese e-commerce reviews in 10 product categories, binary sentiment; read from
    its zip with :mod:`zipfile` (nothing is extracted).
``twitter_airline_sentiment``
    14,640 English tweets to US airlines, 3-class sentiment and, on the negative ones, the
    complaint type (``negativereason``).

Every loader returns a frame with a ``text`` column, the label column(s) as strings, and a
``bucket`` column: ``int(sha1(text)) % 100``. The held-out rule is a function of the text
alone, so a review that occurs in two corpora (the hotel reviews of
``online_shopping_10_cats`` overlap ``chnsenticorp_htl``) or twice in one is on the same
side everywhere: texts with ``bucket < HELDOUT_BUCKETS`` (10 %) are never used for
pretraining and hold the downstream test sets.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

from supplymind.data.datasets import DATA_DIR_ENV_VAR, default_data_dir
from supplymind.exceptions import DatasetNotFoundError

__all__ = [
    "CORPORA",
    "HELDOUT_BUCKETS",
    "PRETRAIN_VAL_BUCKETS",
    "is_heldout",
    "load_corpus",
    "text_bucket",
]

#: Buckets ``0 .. HELDOUT_BUCKETS - 1`` (of 100) are held out from pretraining.
HELDOUT_BUCKETS = 10
#: Buckets ``HELDOUT_BUCKETS .. PRETRAIN_VAL_BUCKETS - 1`` hold the pretraining validation
#: texts (early stopping of pretraining); they may be used downstream for training.
PRETRAIN_VAL_BUCKETS = 12

#: Corpus name to (folder, file, language).
CORPORA: dict[str, tuple[str, str, str]] = {
    "chnsenticorp_htl": ("chnsenticorp_htl", "ChnSentiCorp_htl_all.csv", "zh"),
    "online_shopping_10_cats": (
        "online_shopping_10_cats",
        "online_shopping_10_cats.zip",
        "zh",
    ),
    "twitter_airline_sentiment": ("twitter_airline_sentiment", "Tweets.csv", "en"),
}


def text_bucket(text: str) -> int:
    """The text's bucket in ``0 .. 99``: SHA-1 of its NFC-normalised, stripped UTF-8 bytes."""
    key = unicodedata.normalize("NFC", text).strip().encode("utf-8")
    return int.from_bytes(hashlib.sha1(key).digest()[:8], "big") % 100


def is_heldout(text: str) -> bool:
    """Whether ``text`` is in the held-out part (never used for pretraining)."""
    return text_bucket(text) < HELDOUT_BUCKETS


def _path(name: str, data_dir: str | Path | None) -> Path:
    if name not in CORPORA:
        raise ValueError(f"name: expected one of {sorted(CORPORA)}, found {name!r}")
    folder, file, _ = CORPORA[name]
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    path = root / folder / file
    if not path.is_file():
        raise DatasetNotFoundError(
            f"corpus {name!r} needs {path.resolve()}, which does not exist. Point "
            f"{DATA_DIR_ENV_VAR} (or data_dir) at the public data folder."
        )
    return path


def load_corpus(name: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load one review corpus.

    Parameters
    ----------
    name
        One of :data:`CORPORA`.
    data_dir
        The public data folder; default :func:`~supplymind.data.datasets.default_data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``text``, ``bucket`` and the labels: ``sentiment`` (``"positive"``/``"negative"``,
        plus ``"neutral"`` for the tweets), ``category`` (online shopping) and
        ``complaint_type`` (tweets; empty for non-negative tweets). Rows with an empty text
        are dropped; duplicates are kept (the bucket keeps them on one side).
    """
    path = _path(name, data_dir)
    if name == "online_shopping_10_cats":
        with zipfile.ZipFile(path) as archive:
            inner = next(n for n in archive.namelist() if n.endswith(".csv"))
            with archive.open(inner) as handle:
                raw = pd.read_csv(handle, dtype=str, keep_default_na=False)
    else:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if name == "twitter_airline_sentiment":
        frame = pd.DataFrame(
            {
                "text": raw["text"],
                "sentiment": raw["airline_sentiment"],
                "complaint_type": raw["negativereason"],
            }
        )
    else:
        frame = pd.DataFrame(
            {
                "text": raw["review"],
                "sentiment": raw["label"].map({"1": "positive", "0": "negative"}),
            }
        )
        if "cat" in raw.columns:
            frame["category"] = raw["cat"]
    frame["text"] = frame["text"].astype(str).str.strip()
    frame = frame[frame["text"] != ""].reset_index(drop=True)
    frame.insert(1, "bucket", [text_bucket(t) for t in frame["text"]])
    return frame
