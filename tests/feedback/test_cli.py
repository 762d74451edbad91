"""``supplymind feedback`` through typer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from supplymind.exceptions import FeedbackWarning
from supplymind.feedback.cli import feedback_app

runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, sample_feedback: pd.DataFrame) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    sample_feedback[["text", "sentiment"]].to_csv(folder / "train.csv", index=False)
    return folder


def test_train_then_classify(data: Path) -> None:
    train = runner.invoke(
        feedback_app,
        ["train", "--data", str(data / "train.csv"), "--label-col", "sentiment",
         "--backbone", "tfidf", "--out", str(data / "model")],
    )  # fmt: skip
    assert train.exit_code == 0, train.output
    assert "adopted tfidf" in train.output
    classify = runner.invoke(
        feedback_app,
        ["classify", "--model", str(data / "model"), "--data", str(data / "train.csv"),
         "--label-col", "sentiment", "--out", str(data / "pred.csv")],
    )  # fmt: skip
    assert classify.exit_code == 0, classify.output
    assert "macro-F1" in classify.output
    assert {"label", "score"} <= set(pd.read_csv(data / "pred.csv").columns)
    predict = runner.invoke(
        feedback_app,
        ["predict", "--model", str(data / "model"), "--data", str(data / "train.csv"),
         "--out", str(data / "pred2.csv")],
    )  # fmt: skip
    assert predict.exit_code == 0, predict.output


def test_fine_tune_through_the_cli(data: Path, tiny_encoder_dir: Path) -> None:
    result = runner.invoke(
        feedback_app,
        ["train", "--data", str(data / "train.csv"), "--label-col", "sentiment",
         "--backbone", str(tiny_encoder_dir), "--finetune", "head", "--steps", "4",
         "--no-guard", "--out", str(data / "head-model")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "adopted head" in result.output


def test_redact_and_encoders(data: Path) -> None:
    pd.DataFrame({"text": ["mail me: a@b.com"]}).to_csv(data / "pii.csv", index=False)
    result = runner.invoke(
        feedback_app, ["redact", "--data", str(data / "pii.csv"), "--out", str(data / "r.csv")]
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(data / "r.csv")["text"].iloc[0] == "mail me: [EMAIL]"
    listed = runner.invoke(feedback_app, ["encoders"])
    assert "all-minilm-l6-v2" in listed.output


def test_missing_label_column_fails_with_the_column_named(data: Path) -> None:
    result = runner.invoke(
        feedback_app,
        ["train", "--data", str(data / "train.csv"), "--backbone", "tfidf",
         "--out", str(data / "x")],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "expected the columns ['label']" in str(result.exception)


def test_when_a_file_is_gbk_then_encoding_reads_it_and_empty_texts_keep_their_rows(
    data: Path, sample_feedback: pd.DataFrame
) -> None:
    zh = sample_feedback[sample_feedback["language"] == "zh"][["text", "sentiment"]]
    zh.to_csv(data / "gbk.csv", index=False, encoding="gbk")
    train = ["train", "--data", str(data / "gbk.csv"), "--label-col", "sentiment",
             "--backbone", "tfidf", "--out", str(data / "gbk-model")]  # fmt: skip
    refused = runner.invoke(feedback_app, train)
    assert refused.exit_code != 0
    assert "--encoding gb18030" in str(refused.exception)
    result = runner.invoke(feedback_app, [*train, "--encoding", "gb18030"])
    assert result.exit_code == 0, result.output
    texts = zh.head(5).assign(text=lambda f: f["text"].where(f.index != f.index[1], ""))
    texts.to_csv(data / "gbk_test.csv", index=False, encoding="gbk")
    with pytest.warns(FeedbackWarning, match="1 of 5 rows have an empty text"):
        result = runner.invoke(
            feedback_app,
            ["classify", "--model", str(data / "gbk-model"), "--data", str(data / "gbk_test.csv"),
             "--encoding", "gb18030", "--out", str(data / "gbk_pred.csv")],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 empty" in result.output
    pred = pd.read_csv(data / "gbk_pred.csv")
    assert list(pred.columns) == ["text", "sentiment", "label", "score"]
    assert pred["label"].isna().tolist() == [False, True, False, False, False]


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--out", "x"],  # neither --data nor --from-db
        ["classify", "--model", "m", "--data", "d.csv"],  # neither --out nor --write-db
    ],
)
def test_bad_option_combinations_are_usage_errors(args: list[str]) -> None:
    result = runner.invoke(feedback_app, args)
    assert result.exit_code == 2


def test_pretrain_encoder_command_on_a_tiny_corpus(
    tmp_path: Path, sample_feedback: pd.DataFrame
) -> None:
    """The command reads the corpora from --data-dir, runs, exports and copies the model."""
    corpus = tmp_path / "data" / "chnsenticorp_htl"
    corpus.mkdir(parents=True)
    zh = sample_feedback[sample_feedback["language"] == "zh"]["text"].drop_duplicates()
    pd.DataFrame({"label": 1, "review": zh}).to_csv(
        corpus / "ChnSentiCorp_htl_all.csv", index=False
    )
    config = tmp_path / "tiny.toml"
    config.write_text(
        'name = "cli-tiny"\ncorpora = ["chnsenticorp_htl"]\nvocab_size = 200\n'
        "min_char_count = 1\nmax_length = 32\nhidden_size = 16\nnum_layers = 1\n"
        "num_heads = 2\nintermediate_size = 32\nsteps = 3\nbatch_size = 4\neval_every = 3\n"
        "val_blocks = 4\nheldout_blocks = 4\nfp16 = false\n"
    )
    result = runner.invoke(
        feedback_app,
        ["pretrain-encoder", "--config", str(config), "--out", str(tmp_path / "run"),
         "--data-dir", str(tmp_path / "data"), "--export", str(tmp_path / "model")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "held-out MLM loss" in result.output
    assert (tmp_path / "model" / "model.safetensors").is_file()
    assert "pretrain-encoder --config" in (tmp_path / "model" / "README.md").read_text()
