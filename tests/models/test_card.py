from __future__ import annotations

from pathlib import Path

import torch

from supplymind.models.backbone import SupplyMindTSModel
from supplymind.models.card import write_model_card
from supplymind.models.config import SupplyMindTSConfig


def test_when_card_is_written_then_it_states_size_training_corpus_and_results(
    tmp_path: Path,
) -> None:
    torch.manual_seed(0)
    config = SupplyMindTSConfig(
        context_length=32, patch_size=8, max_horizon=8, d_model=8, num_layers=1, num_heads=2,
        d_ff=16,
    )  # fmt: skip
    SupplyMindTSModel(config).save_pretrained(tmp_path)
    loss = tmp_path / "loss.csv"
    loss.write_text("step,loss,lr\n10,1.0,0.001\n20,0.8,0.001\n")
    summary = {
        "parameters": 1234,
        "final_loss": 0.8,
        "corpus_series": 10,
        "corpus_points": 1000,
        "corpus_stats": {"n_series": {"kernelsynth": 4, "supply": 6}},
        "config": {"objective": "both", "steps": 20, "batch_size": 8, "grad_accum": 1},
    }
    card = write_model_card(
        tmp_path, name="tiny", summary=summary, loss_csv=loss,
        results_markdown="| model | WQL |\n|---|---|\n| tiny | 0.5 |", wall_seconds=120,
    )  # fmt: skip
    text = card.read_text()
    for fragment in ("# tiny", "1,234", "both", "series from supply", "| tiny | 0.5 |", "2.0 min"):
        assert fragment in text
    assert (tmp_path / "loss_curve.png").read_bytes()[:4] == b"\x89PNG"
