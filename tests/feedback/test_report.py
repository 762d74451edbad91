"""The demo's feedback section on the small sample company."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import torch

from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import FeedbackInputError
from supplymind.feedback import report
from supplymind.feedback.store import read_predictions


def test_section_classifies_every_text_and_plots_complaints(
    tmp_path: Path, tiny_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tiny encoder for both languages keeps the test fast; the demo uses the real ones.
    monkeypatch.setattr(
        report, "BACKBONE_BY_LANGUAGE", {"zh": str(tiny_encoder_dir), "en": str(tiny_encoder_dir)}
    )
    tables = generate_sample_company(SampleCompanyConfig.small(0))
    tables["feedback"].loc[0, "text"] += " 我的电话13812345678"
    plots = tmp_path / "plots"
    plots.mkdir()
    db = tmp_path / "wh.duckdb"
    section, files = report.feedback_section(
        tables, plots, "plots", steps=3, warehouse=str(db), seed=0
    )
    figure, csv = files
    assert figure.is_file()
    assert figure.suffix == ".png"
    assert section.figures[0].path == f"plots/{figure.name}"
    predicted = pd.read_csv(csv)
    assert len(predicted) == len(tables["feedback"])
    assert predicted["sentiment"].notna().all()
    # Complaint types only for texts read as negative.
    assert predicted.loc[predicted["sentiment"] != "negative", "complaint_type"].isna().all()
    assert "text" not in predicted.columns
    assert section.tables  # held-out scores and the adoption table
    with Warehouse(db) as wh:
        stored = read_predictions(wh, "sentiment")
    assert len(stored) == len(tables["feedback"])


def test_section_restores_the_torch_thread_count(
    tmp_path: Path, tiny_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        report, "BACKBONE_BY_LANGUAGE", {"zh": str(tiny_encoder_dir), "en": str(tiny_encoder_dir)}
    )
    tables = generate_sample_company(SampleCompanyConfig.small(1))
    torch.set_num_threads(2)
    try:
        report.feedback_section(tables, tmp_path, "plots", steps=2, num_threads=1)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(1)


def test_an_empty_feedback_table_is_a_clear_error(tmp_path: Path) -> None:
    empty = {"feedback": pd.DataFrame(columns=["feedback_id", "text"])}
    with pytest.raises(FeedbackInputError, match=r"found none .*supplymind ingest feedback"):
        report.feedback_section(empty, tmp_path, "")
