"""Which parts of the time-series backbone each fine-tuning mode trains."""

from __future__ import annotations

from supplymind.forecasting.neural import task_modules
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.models.config import SupplyMindTSConfig

TINY = {
    "context_length": 32,
    "patch_size": 8,
    "max_horizon": 8,
    "d_model": 8,
    "num_layers": 1,
    "num_heads": 2,
    "d_ff": 16,
}


def test_the_head_holds_every_path_the_backbone_has() -> None:
    plain = SupplyMindTSModel(SupplyMindTSConfig(**TINY))
    assert task_modules(plain).head == ("head",)
    full = SupplyMindTSModel(
        SupplyMindTSConfig(
            **{
                **TINY,
                "linear_skip": True,
                "seasonal_copy": True,
                "max_lag": 8,
                "empirical_windows": [4, 8],
            }
        )
    )
    head = task_modules(full).head
    assert head == ("head", "linear_path", "seasonal_copy", "empirical")
    names = {name for name, _ in full.named_modules()}
    assert set(head) <= names
