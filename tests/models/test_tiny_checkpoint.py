"""The committed tiny checkpoint (tests/models/data) loads and forecasts through the registry."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from supplymind.models.registry import load_backbone

TINY = Path(__file__).parent / "data" / "tiny-supplymind-ts"


def test_the_committed_tiny_checkpoint_is_small_and_forecasts() -> None:
    assert (TINY / "model.safetensors").stat().st_size < 1_000_000
    model = load_backbone(str(TINY))
    history = [np.abs(np.sin(np.arange(80) / 3.0)) * 10, np.zeros(20)]
    q = model.predict_quantiles(history, 24, [0.1, 0.5, 0.9])
    assert q.shape == (2, 24, 3)
    assert np.isfinite(q).all()
    assert (np.diff(q, axis=-1) >= 0).all()
