"""Real series for pretraining, kept apart from the series used for zero-shot evaluation.

The split
---------
Each dataset's series are divided once and for all into *held-out* series (evaluation only)
and *pretraining* series by a stable hash: series ``item_id`` of dataset ``name`` is held
out when ``u < heldout_fraction``, where ``u`` is the first 8 bytes of
``sha256(f"{name}/{item_id}")`` read as a big-endian unsigned integer and divided by
``2**64``. The rule depends on nothing but the two strings, so it gives the same answer on
every machine, Python version and run, and for every subset of ids. Raising the fraction
only adds held-out series (the split is nested), so a series held out at 0.3 is held out
at 0.5 too.

Pretraining uses the pretraining series' ``train`` part only, never an official or
derived test window, and never a held-out series. :func:`load_heldout` gives the held-out
series with both parts for zero-shot benchmarks.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from supplymind.data.datasets import (
    ITEM_ID,
    TARGET,
    TimeSeriesDataset,
    list_datasets,
    load_dataset,
)
from supplymind.exceptions import DatasetNotFoundError, SupplyMindWarning
from supplymind.training.corpus._checks import check_real

__all__ = [
    "DEFAULT_HELDOUT_FRACTION",
    "LATER_DATASETS",
    "MIN_OBSERVED",
    "PRETRAINING_DATASETS",
    "heldout_ids",
    "load_heldout",
    "load_pretraining_by_dataset",
    "load_pretraining_series",
    "load_validation",
    "pretraining_series",
]

DEFAULT_HELDOUT_FRACTION = 0.5

# Every forecasting dataset of supplymind.data.datasets except uci_daily_demand_orders, a
# single series of 60 days. Listed explicitly so that a dataset added to the registry does
# not silently change the corpus.
PRETRAINING_DATASETS: tuple[str, ...] = (
    "carparts",
    "hyndman_hospital",
    "hyndman_jewelry",
    "m1_monthly",
    "m1_quarterly",
    "m1_yearly",
    "m3_monthly",
    "m3_other",
    "m3_quarterly",
    "m3_yearly",
    "m4_weekly",
    "nn5_atm_daily",
    "tourism_monthly",
    "tourism_quarterly",
    "tourism_yearly",
    "walmart_store_weekly",
)

# Registered after supplymind-ts-small's first four phases: left out of the default above so
# those phases' configs still build the same corpus; a config names them in ``real_names``.
LATER_DATASETS: tuple[str, ...] = ("aus_retail", "pbs")

# A training part with fewer observed values than this is of no use to a window sampler.
MIN_OBSERVED = 5

_HASH_SPACE = float(2**64)


def _unit_hash(dataset_name: str, item_id: str) -> float:
    digest = hashlib.sha256(f"{dataset_name}/{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _HASH_SPACE


def heldout_ids(
    dataset_name: str,
    item_ids: Iterable[str],
    heldout_fraction: float = DEFAULT_HELDOUT_FRACTION,
) -> set[str]:
    """The ids among ``item_ids`` that are held out of pretraining for evaluation.

    Parameters
    ----------
    dataset_name
        Registry name of the dataset (part of the hash, so each dataset splits on its own).
    item_ids
        Series ids of the dataset (all of them or any subset; the answer for an id does not
        depend on the others).
    heldout_fraction
        Expected share of series held out, in ``[0, 1]``.

    Returns
    -------
    set of str
        The held-out ids, about ``heldout_fraction`` of the distinct ids.
    """
    check_real("heldout_fraction", heldout_fraction, 0.0, 1.0)
    return {
        str(item) for item in item_ids if _unit_hash(dataset_name, str(item)) < heldout_fraction
    }


def pretraining_series(
    dataset: TimeSeriesDataset,
    heldout_fraction: float = DEFAULT_HELDOUT_FRACTION,
) -> dict[str, npt.NDArray[np.float32]]:
    """The pretraining series of a loaded dataset: train parts of the non-held-out series.

    Parameters
    ----------
    dataset
        A dataset from :func:`supplymind.data.datasets.load_dataset`.
    heldout_fraction
        Share of series held out, as in :func:`heldout_ids`.

    Returns
    -------
    dict
        ``item_id`` to the series' ``train`` targets in time order (float32), with leading
        and trailing NaN removed (gaps inside stay NaN). Series with fewer than
        :data:`MIN_OBSERVED` observed values are left out. Ordered by ``item_id``.
    """
    train = dataset.train
    held = heldout_ids(dataset.name, train[ITEM_ID].unique(), heldout_fraction)
    kept = train.loc[~train[ITEM_ID].isin(held), [ITEM_ID, TARGET]]
    out: dict[str, npt.NDArray[np.float32]] = {}
    # The dataset contract sorts by item_id then timestamp, so groups are in time order.
    for item_id, group in kept.groupby(ITEM_ID, sort=True):
        values = group[TARGET].to_numpy(np.float64)
        observed = np.flatnonzero(~np.isnan(values))
        if observed.size < MIN_OBSERVED:
            continue
        out[str(item_id)] = values[observed[0] : observed[-1] + 1].astype(np.float32)
    return out


def _check_names(names: Sequence[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of dataset names, got the string {names!r}")
    known = set(list_datasets())
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"names has unknown datasets {unknown}; known: {sorted(known)}")
    return tuple(names)


def _load(
    names: Sequence[str], data_dir: str | Path | None, heldout_fraction: float
) -> dict[str, dict[str, npt.NDArray[np.float32]]]:
    """Load each dataset's pretraining series; warn once about absent datasets."""
    check_real("heldout_fraction", heldout_fraction, 0.0, 1.0)
    out: dict[str, dict[str, npt.NDArray[np.float32]]] = {}
    missing: list[str] = []
    for name in _check_names(names):
        try:
            dataset = load_dataset(name, data_dir)
        except DatasetNotFoundError:
            missing.append(name)
            continue
        out[name] = pretraining_series(dataset, heldout_fraction)
    if missing:
        warnings.warn(
            f"skipped {len(missing)} dataset(s) whose files are absent: {missing} "
            "(set SUPPLYMIND_DATA_DIR or pass data_dir to include them)",
            SupplyMindWarning,
            stacklevel=3,
        )
    return out


def load_pretraining_by_dataset(
    names: Sequence[str] = PRETRAINING_DATASETS,
    data_dir: str | Path | None = None,
    heldout_fraction: float = DEFAULT_HELDOUT_FRACTION,
) -> dict[str, dict[str, npt.NDArray[np.float32]]]:
    """Pretraining series of several datasets, by dataset; absent datasets are skipped.

    Parameters
    ----------
    names
        Dataset names from :func:`supplymind.data.datasets.list_datasets`.
    data_dir
        Public data folder; the datasets module's default when ``None``.
    heldout_fraction
        Share of series held out, as in :func:`heldout_ids`.

    Returns
    -------
    dict
        Dataset name to the output of :func:`pretraining_series`, for the datasets whose
        files were found, in the order of ``names``.

    Warns
    -----
    SupplyMindWarning
        Once, listing the datasets whose files are absent.
    """
    return _load(names, data_dir, heldout_fraction)


def load_pretraining_series(
    names: Sequence[str] = PRETRAINING_DATASETS,
    data_dir: str | Path | None = None,
    heldout_fraction: float = DEFAULT_HELDOUT_FRACTION,
) -> list[npt.NDArray[np.float32]]:
    """Pretraining series of several datasets as one list.

    Parameters
    ----------
    names
        Dataset names from :func:`supplymind.data.datasets.list_datasets`.
    data_dir
        Public data folder; the datasets module's default when ``None``.
    heldout_fraction
        Share of series held out, as in :func:`heldout_ids`.

    Returns
    -------
    list of numpy.ndarray
        Float32 series, dataset by dataset in the order of ``names``, by ``item_id`` within
        a dataset (see :func:`pretraining_series`).

    Warns
    -----
    SupplyMindWarning
        Once, listing the datasets whose files are absent.
    """
    by_dataset = _load(names, data_dir, heldout_fraction)
    return [series for per_item in by_dataset.values() for series in per_item.values()]


def _is_id(value: object, every: set[str]) -> bool:
    return isinstance(value, str) and value in every


def _restrict_metadata(metadata: dict[str, Any], keep: set[str], every: set[str]) -> dict[str, Any]:
    """Filter id lists and id-keyed dicts in the metadata down to the kept ids."""
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if isinstance(value, list) and value and all(_is_id(v, every) for v in value):
            value = [v for v in value if v in keep]
        elif isinstance(value, dict) and value and all(_is_id(k, every) for k in value):
            value = {k: v for k, v in value.items() if k in keep}
        out[key] = value
    return out


def load_heldout(
    name: str,
    data_dir: str | Path | None = None,
    heldout_fraction: float = DEFAULT_HELDOUT_FRACTION,
) -> TimeSeriesDataset:
    """The held-out (evaluation) series of a dataset, train and test parts both.

    Parameters
    ----------
    name
        Dataset name from :func:`supplymind.data.datasets.list_datasets`.
    data_dir
        Public data folder; the datasets module's default when ``None``.
    heldout_fraction
        Share of series held out, as in :func:`heldout_ids`.

    Returns
    -------
    TimeSeriesDataset
        The dataset restricted to the held-out series. Counts in ``metadata`` are those of
        the restriction, id lists in it are filtered, and ``metadata["heldout"]`` records the
        rule, the fraction and the series counts.

    Raises
    ------
    DatasetNotFoundError
        If the dataset's files are absent.
    """
    return _load_part(name, data_dir, heldout_fraction, heldout=True)


def load_validation(
    name: str,
    data_dir: str | Path | None = None,
    heldout_fraction: float = DEFAULT_HELDOUT_FRACTION,
) -> TimeSeriesDataset:
    """The validation series of a dataset: the pretraining series with their test parts.

    Pretraining reads only the ``train`` part of the non-held-out series, so their ``test``
    part is unseen by the backbone: forecasting it from the end of ``train`` selects among
    checkpoints without touching the held-out evaluation series.

    Parameters
    ----------
    name, data_dir, heldout_fraction
        As in :func:`load_heldout`.

    Returns
    -------
    TimeSeriesDataset
        The dataset restricted to the non-held-out series; ``metadata["heldout"]`` as in
        :func:`load_heldout` (counts of the held-out part) plus ``"part": "validation"``.
        Raises :class:`DatasetNotFoundError` as :func:`load_heldout` does.
    """
    return _load_part(name, data_dir, heldout_fraction, heldout=False)


def _load_part(
    name: str, data_dir: str | Path | None, heldout_fraction: float, *, heldout: bool
) -> TimeSeriesDataset:
    """The held-out series of a dataset (``heldout``), or the others."""
    check_real("heldout_fraction", heldout_fraction, 0.0, 1.0)
    dataset = load_dataset(_check_names([name])[0], data_dir)
    every = set(dataset.full[ITEM_ID].unique().astype(str))
    held = heldout_ids(name, every, heldout_fraction)
    keep = held if heldout else every - held
    train = dataset.train.loc[dataset.train[ITEM_ID].isin(keep)].reset_index(drop=True)
    test = None
    if dataset.test is not None:
        test = dataset.test.loc[dataset.test[ITEM_ID].isin(keep)].reset_index(drop=True)
    counts = {
        "n_series": len(keep),
        "n_train_observations": len(train),
        "n_test_observations": 0 if test is None else len(test),
        "n_missing_train": int(train[TARGET].isna().sum()),
        "n_missing_test": 0 if test is None else int(test[TARGET].isna().sum()),
    }
    metadata = _restrict_metadata(dataset.metadata, keep, every)
    metadata.update(counts)
    metadata["heldout"] = {
        "rule": "sha256(f'{name}/{item_id}')[:8] / 2**64 < heldout_fraction",
        "heldout_fraction": heldout_fraction,
        "n_heldout_series": len(held),
        "n_series_in_dataset": len(every),
        "part": "heldout" if heldout else "validation",
    }
    return TimeSeriesDataset(
        name=dataset.name,
        train=train,
        test=test,
        freq=dataset.freq,
        season_length=dataset.season_length,
        horizon=dataset.horizon,
        metadata=metadata,
    )
