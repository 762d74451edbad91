"""Fixed, stratified splits of labelled texts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from supplymind.exceptions import ConfigurationError

__all__ = ["stratified_split"]

IntArray = npt.NDArray[np.int64]


def stratified_split(
    labels: Sequence[str], share: float, seed: int = 0
) -> tuple[IntArray, IntArray]:
    """Indices ``(kept, held)`` with about ``share`` of each class held (at least one of
    every class that has two or more members; classes with one member stay in ``kept``).

    The split depends only on the labels, ``share`` and ``seed``.
    """
    if not 0.0 < share < 1.0:
        raise ConfigurationError(f"share: expected a share in (0, 1), found {share}")
    y = np.asarray([str(v) for v in labels], dtype=object)
    rng = np.random.default_rng(seed)
    held: list[int] = []
    for label in sorted(set(y)):
        members = np.flatnonzero(y == label)
        if members.size < 2:
            continue
        n_held = min(members.size - 1, max(1, round(share * members.size)))
        held += rng.permutation(members)[:n_held].tolist()
    held_idx = np.sort(np.asarray(held, dtype=np.int64))
    kept_idx = np.setdiff1d(np.arange(y.size, dtype=np.int64), held_idx)
    return kept_idx, held_idx
