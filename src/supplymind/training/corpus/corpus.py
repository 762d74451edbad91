"""The pretraining corpus: KernelSynth, supply-chain demand, real series and augmentations.

:func:`build_corpus` assembles, in this order,

1. ``n_kernelsynth`` KernelSynth Gaussian-process series (:mod:`.kernelsynth`);
2. ``n_supply`` supply-chain demand series (:mod:`.supply`);
3. the real pretraining series of ``real_names`` (:mod:`.real`): train parts of the series
   that are not held out for zero-shot evaluation;
4. ``n_augmented`` random crops of base series (sources 1--3), randomly scaled and jittered;
5. ``mixup_count`` TSMixup combinations of 1 to ``mixup_max_components`` base series
   (sources 1--3), randomly scaled.

Synthetic lengths are uniform in ``[min_length, max_length]``; real series keep their own
length. Each source draws from its own child of ``numpy.random.SeedSequence(seed)``, so a
corpus is reproducible from its config, and changing one source's count leaves the series
of the sources before it unchanged (and a smaller count gives a prefix of a larger one).
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from supplymind.data.datasets import list_datasets
from supplymind.exceptions import ConfigurationError, SupplyMindWarning
from supplymind.training.corpus._checks import check_int, check_real
from supplymind.training.corpus.augment import jitter, random_crop, random_scale, tsmixup
from supplymind.training.corpus.kernelsynth import (
    MAX_LENGTH,
    generate_kernelsynth,
    single_blas_thread,
)
from supplymind.training.corpus.real import (
    DEFAULT_HELDOUT_FRACTION,
    PRETRAINING_DATASETS,
    load_pretraining_by_dataset,
)
from supplymind.training.corpus.supply import generate_supply_series

__all__ = ["SOURCES", "CorpusConfig", "CorpusStats", "build_corpus", "build_corpus_with_stats"]

Float32Array = npt.NDArray[np.float32]

SOURCES = ("kernelsynth", "supply", "real", "augmented", "mixup")

_MIN_SYNTHETIC_LENGTH = 8


@dataclass(frozen=True)
class CorpusConfig:
    """What goes into the pretraining corpus.

    Parameters
    ----------
    n_kernelsynth
        Number of KernelSynth series.
    n_supply
        Number of supply-chain demand series.
    include_real
        Whether to add the real pretraining series.
    real_names
        Datasets the real series come from (names of
        :func:`supplymind.data.datasets.list_datasets`, no repeats).
    heldout_fraction
        Share of each dataset's series held out for evaluation, in ``[0, 1]``.
    n_augmented
        Number of cropped, scaled and jittered copies of random base series.
    mixup_count
        Number of TSMixup series.
    mixup_max_components
        Largest number of series in one TSMixup combination.
    mixup_alpha
        Dirichlet concentration of the TSMixup weights, > 0.
    jitter_sigma
        Standard deviation of the log noise factor of the augmented copies, >= 0.
    max_kernels
        Largest number of bank kernels in one KernelSynth kernel.
    min_length, max_length
        Bounds of synthetic and cropped lengths; ``8 <= min_length <= max_length <= 1024``
        (1024 is the KernelSynth grid limit).
    seed
        Seed of all randomness, >= 0.

    Raises
    ------
    ConfigurationError
        A ``ValueError`` naming the field, what was expected and what was found.
    """

    n_kernelsynth: int = 4000
    n_supply: int = 9000
    include_real: bool = True
    real_names: tuple[str, ...] = PRETRAINING_DATASETS
    heldout_fraction: float = DEFAULT_HELDOUT_FRACTION
    n_augmented: int = 1000
    mixup_count: int = 2000
    mixup_max_components: int = 3
    mixup_alpha: float = 1.5
    jitter_sigma: float = 0.05
    max_kernels: int = 5
    min_length: int = 64
    max_length: int = MAX_LENGTH
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("n_kernelsynth", "n_supply", "n_augmented", "mixup_count", "seed"):
            self._check(name, check_int, 0)
        for name in ("mixup_max_components", "max_kernels"):
            self._check(name, check_int, 1)
        self._check("min_length", check_int, _MIN_SYNTHETIC_LENGTH, MAX_LENGTH)
        self._check("max_length", check_int, self.min_length, MAX_LENGTH)
        self._check("heldout_fraction", check_real, 0.0, 1.0)
        self._check("mixup_alpha", check_real, 0.0, None, strict_minimum=True)
        self._check("jitter_sigma", check_real, 0.0)
        if not isinstance(self.include_real, bool):
            raise ConfigurationError(
                f"CorpusConfig.include_real must be a bool, got {self.include_real!r}"
            )
        self._check_real_names()
        if self.n_kernelsynth == 0 and self.n_supply == 0 and not self.include_real:
            raise ConfigurationError(
                "CorpusConfig needs at least one source: n_kernelsynth > 0, n_supply > 0 or "
                "include_real=True; got n_kernelsynth=0, n_supply=0, include_real=False"
            )

    def _check(self, name: str, check: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        try:
            check(f"CorpusConfig.{name}", getattr(self, name), *args, **kwargs)
        except (TypeError, ValueError) as error:
            raise ConfigurationError(str(error)) from None

    def _check_real_names(self) -> None:
        names = self.real_names
        if isinstance(names, str) or not isinstance(names, tuple | list):
            raise ConfigurationError(
                f"CorpusConfig.real_names must be a tuple of dataset names, got {names!r}"
            )
        object.__setattr__(self, "real_names", tuple(names))  # a list from TOML is fine
        known = set(list_datasets())
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ConfigurationError(
                f"CorpusConfig.real_names must name known datasets {sorted(known)}, "
                f"got unknown {unknown}"
            )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ConfigurationError(
                f"CorpusConfig.real_names must not repeat a dataset, got {repeated} twice or more"
            )

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (``real_names`` as a list), for JSON or TOML.

        Returns
        -------
        dict
            Field name to value.
        """
        values = asdict(self)
        values["real_names"] = list(self.real_names)
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> CorpusConfig:
        """Build a config from a mapping of field names; missing fields take their defaults.

        Parameters
        ----------
        values
            Field name to value.

        Returns
        -------
        CorpusConfig
            The validated config.

        Raises
        ------
        ConfigurationError
            If a key is not a field, or a value breaks a rule.
        """
        names = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ConfigurationError(
                f"CorpusConfig has no field(s) {unknown}; expected some of {sorted(names)}"
            )
        return cls(**values)

    @classmethod
    def from_file(cls, path: str | Path) -> CorpusConfig:
        """Read a config from a TOML file whose top-level keys are field names.

        Parameters
        ----------
        path
            The TOML file.

        Returns
        -------
        CorpusConfig
            The validated config.
        """
        with Path(path).open("rb") as handle:
            return cls.from_dict(tomllib.load(handle))


@dataclass(frozen=True)
class CorpusStats:
    """Counts that describe a built corpus, for the model card.

    Parameters
    ----------
    n_series, n_points, n_missing
        Per source (:data:`SOURCES`): series, points (NaN included) and NaN points.
    real_series_per_dataset
        Real pretraining series taken from each dataset found.
    real_datasets_skipped
        Datasets of ``real_names`` whose files were absent.
    length_min, length_median, length_max
        Series lengths over the whole corpus (0 when it is empty).
    config
        The config the corpus was built from, as :meth:`CorpusConfig.to_dict`.
    """

    n_series: dict[str, int]
    n_points: dict[str, int]
    n_missing: dict[str, int]
    real_series_per_dataset: dict[str, int]
    real_datasets_skipped: tuple[str, ...]
    length_min: int
    length_median: float
    length_max: int
    config: dict[str, Any]

    @property
    def total_series(self) -> int:
        """Number of series in the corpus."""
        return sum(self.n_series.values())

    @property
    def total_points(self) -> int:
        """Number of points in the corpus, NaN included."""
        return sum(self.n_points.values())

    def to_dict(self) -> dict[str, Any]:
        """The statistics as plain Python values, totals included.

        Returns
        -------
        dict
            JSON-serialisable statistics.
        """
        values = asdict(self)
        values["real_datasets_skipped"] = list(self.real_datasets_skipped)
        values["total_series"] = self.total_series
        values["total_points"] = self.total_points
        return values


def _lengths(rng: np.random.Generator, config: CorpusConfig) -> int:
    return int(rng.integers(config.min_length, config.max_length + 1))


def _augmented(
    pool: list[Float32Array], rng: np.random.Generator, config: CorpusConfig
) -> list[Float32Array]:
    out = []
    for _ in range(config.n_augmented):
        source = pool[int(rng.integers(len(pool)))]
        crop = random_crop(source, rng, config.min_length, config.max_length)
        out.append(jitter(random_scale(crop, rng), rng, config.jitter_sigma))
    return out


def _mixups(
    pool: list[Float32Array], rng: np.random.Generator, config: CorpusConfig
) -> list[Float32Array]:
    mixed = (
        tsmixup(
            pool,
            rng,
            min_length=config.min_length,
            max_length=config.max_length,
            max_components=config.mixup_max_components,
            alpha=config.mixup_alpha,
        )
        for _ in range(config.mixup_count)
    )
    return [random_scale(series, rng) for series in mixed]


def build_corpus_with_stats(
    config: CorpusConfig | None = None, data_dir: str | Path | None = None
) -> tuple[list[Float32Array], CorpusStats]:
    """Build the corpus and describe it.

    Parameters
    ----------
    config
        What to build; ``CorpusConfig()`` when ``None``.
    data_dir
        Public data folder for the real series; the datasets module's default when ``None``.

    Returns
    -------
    tuple
        The series (float32, 1-D, NaN where missing; in the order of :data:`SOURCES`) and
        their :class:`CorpusStats`.

    Warns
    -----
    SupplyMindWarning
        When real datasets are absent, and when nothing is left to augment or mix.
    """
    config = CorpusConfig() if config is None else config
    if not isinstance(config, CorpusConfig):
        raise TypeError(f"config must be a CorpusConfig, got {type(config).__name__}")
    streams = [
        np.random.default_rng(child) for child in np.random.SeedSequence(config.seed).spawn(4)
    ]
    ks_rng, supply_rng, augment_rng, mixup_rng = streams
    parts: dict[str, list[Float32Array]] = {source: [] for source in SOURCES}
    with single_blas_thread():
        parts["kernelsynth"] = [
            generate_kernelsynth(_lengths(ks_rng, config), ks_rng, max_kernels=config.max_kernels)
            for _ in range(config.n_kernelsynth)
        ]
    parts["supply"] = [
        generate_supply_series(_lengths(supply_rng, config), supply_rng)
        for _ in range(config.n_supply)
    ]
    per_dataset: dict[str, int] = {}
    skipped: tuple[str, ...] = ()
    if config.include_real:
        by_dataset = load_pretraining_by_dataset(
            config.real_names, data_dir, config.heldout_fraction
        )
        parts["real"] = [series for items in by_dataset.values() for series in items.values()]
        per_dataset = {name: len(items) for name, items in by_dataset.items()}
        skipped = tuple(name for name in config.real_names if name not in by_dataset)
    pool = parts["kernelsynth"] + parts["supply"] + parts["real"]
    if pool:
        parts["augmented"] = _augmented(pool, augment_rng, config)
        parts["mixup"] = _mixups(pool, mixup_rng, config)
    elif config.n_augmented or config.mixup_count:
        warnings.warn(
            "no base series to augment or mix (no synthetic series and no real data found); "
            "the corpus is empty",
            SupplyMindWarning,
            stacklevel=2,
        )
    corpus = [series for source in SOURCES for series in parts[source]]
    lengths = np.array([series.size for series in corpus], dtype=np.int64)
    stats = CorpusStats(
        n_series={source: len(parts[source]) for source in SOURCES},
        n_points={source: sum(s.size for s in parts[source]) for source in SOURCES},
        n_missing={
            source: sum(int(np.isnan(s).sum()) for s in parts[source]) for source in SOURCES
        },
        real_series_per_dataset=per_dataset,
        real_datasets_skipped=skipped,
        length_min=int(lengths.min()) if lengths.size else 0,
        length_median=float(np.median(lengths)) if lengths.size else 0.0,
        length_max=int(lengths.max()) if lengths.size else 0,
        config=config.to_dict(),
    )
    return corpus, stats


def build_corpus(
    config: CorpusConfig | None = None, data_dir: str | Path | None = None
) -> list[Float32Array]:
    """Build the pretraining corpus.

    Parameters
    ----------
    config
        What to build; ``CorpusConfig()`` when ``None``.
    data_dir
        Public data folder for the real series; the datasets module's default when ``None``.

    Returns
    -------
    list of numpy.ndarray
        Float32 1-D series, NaN where missing, deterministic for ``config``.
    """
    return build_corpus_with_stats(config, data_dir)[0]
