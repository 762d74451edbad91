"""Training windows: a context and the future that follows it, cut from corpus series.

A window is a series and a cut point ``t``: the context is the ``context_length`` values
before ``t`` (NaN-padded on the left when the series starts later) and the future is the
``horizon`` values from ``t`` on (NaN-padded on the right when the series ends sooner). A
cut is valid when the context holds at least ``min_context_observed`` and the future at least
``min_future_observed`` observed (non-NaN) values. Windows are drawn uniformly over all
valid (series, cut) pairs, so a series is picked in proportion to its number of valid cuts,
about its length.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from supplymind.training.corpus._checks import check_generator, check_int

__all__ = ["WindowSampler", "sample_windows"]

Float32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


class WindowSampler:
    """Draws training windows from a corpus; the valid cuts are indexed once, here.

    Parameters
    ----------
    corpus
        1-D series (NaN where missing).
    context_length
        Number of context values per window, at least 1.
    horizon
        Number of future values per window, at least 1.
    min_context_observed, min_future_observed
        Fewest observed values a valid cut leaves in the context and in the future; at
        least 1 and at most ``context_length`` (respectively ``horizon``).

    Raises
    ------
    ValueError
        If an argument is out of range, a series is not 1-D, or no series has a valid cut.
    """

    def __init__(
        self,
        corpus: Sequence[npt.ArrayLike],
        context_length: int,
        horizon: int,
        *,
        min_context_observed: int = 3,
        min_future_observed: int = 3,
    ) -> None:
        self.context_length = check_int("context_length", context_length, 1)
        self.horizon = check_int("horizon", horizon, 1)
        self.min_context_observed = check_int(
            "min_context_observed", min_context_observed, 1, context_length
        )
        self.min_future_observed = check_int("min_future_observed", min_future_observed, 1, horizon)
        self._series: list[Float32Array] = []
        # For a series without NaN the valid cuts are one range, stored as its first cut;
        # a series with gaps keeps the array of its valid cuts.
        self._first_cut: list[int] = []
        self._gapped_cuts: dict[int, IntArray] = {}
        counts = np.zeros(len(corpus), dtype=np.int64)
        for index, values in enumerate(corpus):
            series = np.asarray(values, dtype=np.float32)
            if series.ndim != 1:
                raise ValueError(f"corpus[{index}] must be 1-D, got shape {series.shape}")
            self._series.append(series)
            self._first_cut.append(self.min_context_observed)
            missing = np.isnan(series)
            if missing.any():
                cuts = self._valid_cuts(~missing)
                self._gapped_cuts[index] = cuts
                counts[index] = cuts.size
            else:
                last = series.size - self.min_future_observed
                counts[index] = max(0, last - self.min_context_observed + 1)
        self._cumulative = np.cumsum(counts)
        if self.n_cuts == 0:
            raise ValueError(
                f"no series of the corpus ({len(corpus)} series) has a cut with at least "
                f"{self.min_context_observed} observed context values and "
                f"{self.min_future_observed} observed future values"
            )

    def _valid_cuts(self, observed: npt.NDArray[np.bool_]) -> IntArray:
        size = observed.size
        seen = np.concatenate([[0], np.cumsum(observed)])
        cut = np.arange(size + 1)
        in_context = seen - seen[np.maximum(cut - self.context_length, 0)]
        in_future = seen[np.minimum(cut + self.horizon, size)] - seen
        valid = (in_context >= self.min_context_observed) & (in_future >= self.min_future_observed)
        return np.flatnonzero(valid).astype(np.int64)

    @property
    def n_cuts(self) -> int:
        """Number of valid (series, cut) pairs windows are drawn from."""
        return int(self._cumulative[-1]) if self._cumulative.size else 0

    def sample(self, n: int, rng: np.random.Generator) -> tuple[Float32Array, Float32Array]:
        """Draw ``n`` windows uniformly over the valid (series, cut) pairs, with replacement.

        Parameters
        ----------
        n
            Number of windows, at least 0.
        rng
            Source of randomness.

        Returns
        -------
        tuple of numpy.ndarray
            ``context`` of shape ``(n, context_length)`` and ``future`` of shape
            ``(n, horizon)``, float32, NaN where padded or missing.
        """
        check_int("n", n, 0)
        check_generator("rng", rng)
        context = np.full((n, self.context_length), np.nan, dtype=np.float32)
        future = np.full((n, self.horizon), np.nan, dtype=np.float32)
        picks = rng.integers(0, self.n_cuts, size=n)
        which = np.searchsorted(self._cumulative, picks, side="right")
        offsets = picks - np.concatenate([[0], self._cumulative])[which]
        for row, (index, offset) in enumerate(zip(which.tolist(), offsets.tolist(), strict=True)):
            gapped = self._gapped_cuts.get(index)
            cut = int(gapped[offset]) if gapped is not None else self._first_cut[index] + offset
            series = self._series[index]
            past = series[max(0, cut - self.context_length) : cut]
            ahead = series[cut : cut + self.horizon]
            context[row, self.context_length - past.size :] = past
            future[row, : ahead.size] = ahead
        return context, future


def sample_windows(
    corpus: Sequence[npt.ArrayLike],
    n: int,
    context_length: int,
    horizon: int,
    rng: np.random.Generator,
    *,
    min_context_observed: int = 3,
    min_future_observed: int = 3,
) -> tuple[Float32Array, Float32Array]:
    """Draw ``n`` training windows from a corpus (see :class:`WindowSampler`).

    Builds the index of valid cuts on every call; draw many batches from one
    :class:`WindowSampler` instead.

    Parameters
    ----------
    corpus
        1-D series (NaN where missing).
    n
        Number of windows.
    context_length, horizon
        Window sizes.
    rng
        Source of randomness.
    min_context_observed, min_future_observed
        Fewest observed values in the context and in the future of a window.

    Returns
    -------
    tuple of numpy.ndarray
        ``context`` ``(n, context_length)`` and ``future`` ``(n, horizon)``, float32, NaN
        where padded or missing.
    """
    sampler = WindowSampler(
        corpus,
        context_length,
        horizon,
        min_context_observed=min_context_observed,
        min_future_observed=min_future_observed,
    )
    return sampler.sample(n, rng)
