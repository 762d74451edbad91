"""The pretraining corpus of SupplyMind's time-series backbone.

Modules by role: :mod:`.kernelsynth` (Gaussian-process synthetic series), :mod:`.supply`
(supply-chain demand generators), :mod:`.real` (real series and the held-out evaluation
split), :mod:`.augment` (TSMixup, scaling, jitter, cropping), :mod:`.corpus` (the config
and the builder) and :mod:`.windows` (training windows).
"""

from supplymind.training.corpus.corpus import (
    SOURCES,
    CorpusConfig,
    CorpusStats,
    build_corpus,
    build_corpus_with_stats,
)
from supplymind.training.corpus.real import (
    PRETRAINING_DATASETS,
    heldout_ids,
    load_heldout,
    load_pretraining_series,
    load_validation,
)
from supplymind.training.corpus.windows import WindowSampler, sample_windows

__all__ = [
    "PRETRAINING_DATASETS",
    "SOURCES",
    "CorpusConfig",
    "CorpusStats",
    "WindowSampler",
    "build_corpus",
    "build_corpus_with_stats",
    "heldout_ids",
    "load_heldout",
    "load_pretraining_series",
    "load_validation",
    "sample_windows",
]
