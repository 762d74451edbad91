"""Which parts of the time-series backbone each fine-tuning mode trains."""

from __future__ import annotations

from supplymind.forecasting.neural import task_modules
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.models.config import SupplyMindTSConfig

from .conftest import TINY


def test_the_head_holds_every_path_the_backbone_has() -> None:
    base = SupplyMindTSConfig.from_pretrained(TINY).to_dict()
    plain = {**base, "linear_skip": False, "seasonal_copy": False, "empirical_windows": []}
    assert task_modules(SupplyMindTSModel(SupplyMindTSConfig(**plain))).head == ("head",)
    every = {**plain, "linear_skip": True, "seasonal_copy": True, "max_lag": 8}
    full = SupplyMindTSModel(SupplyMindTSConfig(**{**every, "empirical_windows": [4, 8]}))
    head = task_modules(full).head
    assert head == ("head", "linear_path", "seasonal_copy", "empirical")
    names = {name for name, _ in full.named_modules()}
    assert set(head) <= names
