"""Checks of the texts and labels given to the feedback models."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from supplymind.exceptions import FeedbackInputError

__all__ = ["check_labels", "check_texts", "require_columns"]

_SHOWN = 5


def _rows(positions: Sequence[int]) -> str:
    shown = ", ".join(str(p + 1) for p in positions[:_SHOWN])
    more = f" and {len(positions) - _SHOWN} more" if len(positions) > _SHOWN else ""
    return f"{shown}{more}"


def check_texts(texts: Iterable[Any], name: str = "texts") -> list[str]:
    """The texts as a list of strings; empty, blank or missing texts are refused.

    Raises
    ------
    FeedbackInputError
        Naming the (1-based) rows that are empty or not text.
    """
    if isinstance(texts, str):
        raise FeedbackInputError(f"{name}: expected a sequence of texts, found one string")
    values = list(texts)
    bad = [
        i
        for i, t in enumerate(values)
        if not isinstance(t, str) or not t.strip() or (isinstance(t, float) and pd.isna(t))
    ]
    if bad:
        raise FeedbackInputError(
            f"{name}: expected non-empty texts, found {len(bad)} empty or missing (rows "
            f"{_rows(bad)})"
        )
    if not values:
        raise FeedbackInputError(f"{name}: expected at least one text, found none")
    return values


def check_labels(labels: Iterable[Any], n: int, name: str = "labels") -> list[str]:
    """The labels as strings, one per text, none missing, at least two classes."""
    values = list(labels)
    if len(values) != n:
        raise FeedbackInputError(f"{name}: expected one label per text ({n}), found {len(values)}")
    bad = [i for i, v in enumerate(values) if v is None or pd.isna(v) or not str(v).strip()]
    if bad:
        raise FeedbackInputError(
            f"{name}: expected a label for every text, found {len(bad)} missing (rows "
            f"{_rows(bad)}); drop unlabelled rows first"
        )
    out = [str(v).strip() for v in values]
    if len(set(out)) < 2:
        raise FeedbackInputError(f"{name}: expected at least two classes, found {sorted(set(out))}")
    return out


def require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Raise when ``frame`` lacks any of ``columns``, listing what it has."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FeedbackInputError(
            f"{source}: expected the columns {missing}, found {list(frame.columns)}"
        )
