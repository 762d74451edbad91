"""Tests of the corpus config and builder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from supplymind.exceptions import SupplyMindWarning
from supplymind.training.corpus.corpus import (
    SOURCES,
    CorpusConfig,
    build_corpus,
    build_corpus_with_stats,
)

SMALL = CorpusConfig(
    n_kernelsynth=12,
    n_supply=12,
    include_real=False,
    n_augmented=4,
    mixup_count=4,
    min_length=16,
    max_length=160,
    seed=3,
)


def _equal(first: list[np.ndarray], second: list[np.ndarray]) -> bool:
    return len(first) == len(second) and all(
        np.array_equal(a, b, equal_nan=True) for a, b in zip(first, second, strict=True)
    )


def test_when_same_seed_then_identical_corpus() -> None:
    assert _equal(build_corpus(SMALL), build_corpus(SMALL))


def test_when_different_seed_then_different_corpus() -> None:
    assert not _equal(build_corpus(SMALL), build_corpus(replace(SMALL, seed=4)))


def test_when_built_then_float32_1d_series_with_stats_that_add_up() -> None:
    corpus, stats = build_corpus_with_stats(SMALL)
    assert all(series.dtype == np.float32 and series.ndim == 1 for series in corpus)
    assert all(SMALL.min_length <= series.size <= SMALL.max_length for series in corpus[:24])
    assert stats.n_series == {
        "kernelsynth": 12,
        "supply": 12,
        "real": 0,
        "augmented": 4,
        "mixup": 4,
    }
    assert stats.total_series == len(corpus)
    assert stats.total_points == sum(series.size for series in corpus)
    assert sum(stats.n_missing.values()) == sum(int(np.isnan(s).sum()) for s in corpus)
    assert stats.length_min == min(series.size for series in corpus)
    assert stats.config == SMALL.to_dict()
    card = stats.to_dict()
    assert card["total_series"] == len(corpus)
    assert set(card["n_series"]) == set(SOURCES)


def test_when_a_later_source_count_changes_then_earlier_sources_are_unchanged() -> None:
    """Each source has its own random stream; a smaller count gives a prefix."""
    base = build_corpus(SMALL)
    more_supply = build_corpus(replace(SMALL, n_supply=20))
    assert _equal(base[:12], more_supply[:12])  # the KernelSynth part
    assert _equal(base[12:24], more_supply[12:24])  # the first 12 supply series
    fewer = build_corpus(replace(SMALL, n_kernelsynth=5, n_augmented=0, mixup_count=0))
    assert _equal(fewer[:5], base[:5])


def test_when_real_data_absent_then_warning_and_synthetic_corpus(tmp_path: Path) -> None:
    config = replace(SMALL, include_real=True, real_names=("carparts",))
    with pytest.warns(SupplyMindWarning, match="carparts"):
        corpus, stats = build_corpus_with_stats(config, data_dir=tmp_path)
    assert stats.real_datasets_skipped == ("carparts",)
    assert stats.n_series["real"] == 0
    assert _equal(corpus, build_corpus(SMALL))


def test_when_nothing_to_augment_then_warning_and_empty_corpus(tmp_path: Path) -> None:
    config = replace(
        SMALL, n_kernelsynth=0, n_supply=0, include_real=True, real_names=("carparts",)
    )
    with (
        pytest.warns(SupplyMindWarning, match="carparts"),
        pytest.warns(SupplyMindWarning, match="no base series"),
    ):
        corpus = build_corpus(config, data_dir=tmp_path)
    assert corpus == []


@pytest.mark.shared_data
def test_when_real_data_present_then_real_series_join_the_corpus(shared_data_dir: Path) -> None:
    config = replace(SMALL, include_real=True, real_names=("hyndman_jewelry", "m3_yearly"))
    corpus, stats = build_corpus_with_stats(config, data_dir=shared_data_dir)
    per_dataset = stats.real_series_per_dataset
    assert list(per_dataset) == ["hyndman_jewelry", "m3_yearly"]
    assert stats.n_series["real"] == sum(per_dataset.values()) > 0
    assert stats.real_datasets_skipped == ()
    assert len(corpus) == stats.total_series


BAD: list[tuple[dict[str, Any], str]] = [
    ({"n_kernelsynth": -1}, "n_kernelsynth"),
    ({"n_supply": -1}, "n_supply"),
    ({"n_supply": 1.5}, "n_supply"),
    ({"n_augmented": -1}, "n_augmented"),
    ({"mixup_count": -1}, "mixup_count"),
    ({"seed": -1}, "seed"),
    ({"mixup_max_components": 0}, "mixup_max_components"),
    ({"max_kernels": 0}, "max_kernels"),
    ({"min_length": 4}, "min_length"),
    ({"max_length": 2048}, "max_length"),
    ({"min_length": 100, "max_length": 50}, "max_length"),
    ({"heldout_fraction": 1.5}, "heldout_fraction"),
    ({"mixup_alpha": 0.0}, "mixup_alpha"),
    ({"jitter_sigma": -0.1}, "jitter_sigma"),
    ({"include_real": "yes"}, "include_real"),
    ({"real_names": "carparts"}, "real_names"),
    ({"real_names": ("carparts", "no_such_data")}, "real_names"),
    ({"real_names": ("carparts", "carparts")}, "real_names"),
    ({"n_kernelsynth": 0, "n_supply": 0, "include_real": False}, "n_kernelsynth"),
]


@pytest.mark.parametrize(("values", "field"), BAD)
def test_when_config_value_is_bad_then_value_error_names_the_field(
    values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        CorpusConfig(**values)


def test_when_config_round_trips_through_toml_then_equal(tmp_path: Path) -> None:
    path = tmp_path / "corpus.toml"
    path.write_text(
        "n_kernelsynth = 12\nn_supply = 12\ninclude_real = false\nn_augmented = 4\n"
        "mixup_count = 4\nmin_length = 16\nmax_length = 160\nseed = 3\n"
        'real_names = ["carparts", "m4_weekly"]\n'
    )
    config = CorpusConfig.from_file(path)
    assert config == replace(SMALL, real_names=("carparts", "m4_weekly"))
    assert CorpusConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="n_kernelsynths"):
        CorpusConfig.from_dict({"n_kernelsynths": 3})
