"""Fixtures of the feedback tests: the tiny committed encoder, labelled sample texts and the
public data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import torch

from supplymind.data.datasets import DATA_DIR_ENV_VAR, default_data_dir
from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.feedback.encoders import Encoder, load_encoder

TINY_ENCODER = Path(__file__).resolve().parent / "data" / "tiny-zh-char"


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """Tiny models on a shared machine: one thread is much faster than several spinning."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_encoder_dir() -> Path:
    """The tiny pretrained character-level BERT committed for tests (see its README)."""
    return TINY_ENCODER


@pytest.fixture(scope="session")
def tiny_encoder() -> Encoder:
    return load_encoder(TINY_ENCODER)


@pytest.fixture(scope="session")
def sample_feedback() -> pd.DataFrame:
    """Labelled feedback texts of the small sample company, seeds 0-2 (Chinese and English)."""
    frames = [
        generate_sample_company(SampleCompanyConfig.small(seed))["feedback"] for seed in range(3)
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def feedback_data_dir() -> Path:
    """The public data folder ($SUPPLYMIND_DATA_DIR, default ../shared/data); skip if absent."""
    folder = default_data_dir()
    if not folder.is_dir():
        pytest.skip(f"public data folder not found at {folder.resolve()}; set {DATA_DIR_ENV_VAR}")
    return folder
