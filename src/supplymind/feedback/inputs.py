"""Checks of the texts and labels given to the feedback models."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from supplymind.exceptions import FeedbackInputError

__all__ = ["check_labels", "check_texts", "format_rows", "has_text", "require_columns"]

_SHOWN = 5


def format_rows(positions: Sequence[int]) -> str:
    """0-based positions as 1-based row numbers, the first few and how many more."""
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
    bad = [i for i, ok in enumerate(has_text(values)) if not ok]
    if bad:
        raise FeedbackInputError(
            f"{name}: expected non-empty texts, found {len(bad)} empty or missing (rows "
            f"{format_rows(bad)})"
        )
    if not values:
        raise FeedbackInputError(f"{name}: expected at least one text, found none")
    return values


def has_text(values: Iterable[Any]) -> list[bool]:
    """For each value: is it a string with something other than white space? (Missing
    cells, ``None``, numbers and blank strings are not texts.)"""
    return [isinstance(v, str) and bool(v.strip()) for v in values]


def check_labels(labels: Iterable[Any], n: int, name: str = "labels") -> list[str]:
    """The labels as strings, one per text, none missing, at least two classes."""
    values = list(labels)
    if len(values) != n:
        raise FeedbackInputError(f"{name}: expected one label per text ({n}), found {len(values)}")
    bad = [i for i, v in enumerate(values) if v is None or pd.isna(v) or not str(v).strip()]
    if bad:
        raise FeedbackInputError(
            f"{name}: expected a label for every text, found {len(bad)} missing (rows "
            f"{format_rows(bad)}); drop unlabelled rows first"
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
