"""The file and warehouse jobs behind ``supplymind feedback``."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.ingest import ingest_frame
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import FeedbackInputError, FeedbackWarning
from supplymind.feedback.classifier import ClassifierParams
from supplymind.feedback.commands import read_texts, run_classify, run_redact, run_train
from supplymind.feedback.store import read_predictions


@pytest.fixture(scope="module")
def params(tiny_encoder_dir: Path) -> ClassifierParams:
    return ClassifierParams(
        backbone=str(tiny_encoder_dir),
        finetune="full",
        steps=10,
        eval_every=5,
        batch_size=16,
        learning_rate=3e-3,
        max_length=64,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, sample_feedback: pd.DataFrame) -> Path:
    folder = tmp_path_factory.mktemp("files")
    frame = sample_feedback.rename(columns={"sentiment": "label"})[["feedback_id", "text", "label"]]
    frame.iloc[:250].to_csv(folder / "train.csv", index=False)
    frame.iloc[250:].to_csv(folder / "test.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def model(files: Path, params: ClassifierParams) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeedbackWarning)
        run = run_train(files / "model", data=files / "train.csv", params=params)
    assert run.n_texts == 250
    return run.out


def test_classify_adds_label_and_score_and_scores_against_true_labels(
    model: Path, files: Path
) -> None:
    run = run_classify(model, data=files / "test.csv", out=files / "pred.csv", label_col="label")
    written = pd.read_csv(files / "pred.csv")
    assert {"label", "score", "label_input", "feedback_id"} <= set(written.columns)
    assert written["score"].between(0, 1).all()
    assert set(written["label"]) <= {"negative", "neutral", "positive"}
    assert run.metrics is not None
    assert run.metrics.n == len(written)


def test_classify_with_probabilities_per_class(model: Path, files: Path) -> None:
    run = run_classify(model, data=files / "test.csv", probs=True)
    probs = run.predictions[["prob_negative", "prob_neutral", "prob_positive"]]
    assert probs.sum(axis=1).round(6).eq(1.0).all()
    assert run.out is None


def test_unknown_label_at_classify_time_is_a_clear_error(model: Path, files: Path) -> None:
    frame = pd.read_csv(files / "test.csv")
    frame.loc[0, "label"] = "furious"
    frame.to_csv(files / "bad_labels.csv", index=False)
    with pytest.raises(FeedbackInputError, match=r"labels \['furious'\] are not classes"):
        run_classify(model, data=files / "bad_labels.csv", label_col="label")


@pytest.fixture(scope="module")
def tfidf_model(files: Path) -> Path:
    """A TF-IDF model: trained in about a second, for the tests of the file handling."""
    run = run_train(files / "tfidf", data=files / "train.csv", params=ClassifierParams("tfidf"))
    return run.out


def test_when_texts_are_empty_then_classify_keeps_their_rows_with_empty_predictions(
    tfidf_model: Path, files: Path
) -> None:
    frame = pd.read_csv(files / "test.csv")
    frame.loc[3, "text"] = ""
    frame.loc[5, "text"] = "   "
    frame.loc[7, "text"] = None
    frame.to_csv(files / "empty.csv", index=False)
    with pytest.warns(FeedbackWarning, match=r"3 of \d+ rows have an empty text.*rows 4, 6, 8"):
        run = run_classify(
            tfidf_model,
            data=files / "empty.csv",
            out=files / "empty_pred.csv",
            label_col="label",
            probs=True,
        )
    written = pd.read_csv(files / "empty_pred.csv")
    full = run_classify(tfidf_model, data=files / "test.csv").predictions
    # One row per input row, in order, and the columns of a file without empty texts.
    assert written["feedback_id"].tolist() == frame["feedback_id"].tolist()
    assert list(written.columns[: len(full.columns)]) == list(full.columns)
    assert run.n_empty == 3
    empty = written.index.isin([3, 5, 7])
    assert written.loc[empty, ["label", "score", "prob_positive"]].isna().all().all()
    # The other rows are predicted as they are without the empty ones.
    assert written.loc[~empty, "label"].tolist() == full.loc[~empty, "label"].tolist()
    assert written.loc[~empty, "score"].to_numpy() == pytest.approx(
        full.loc[~empty, "score"].to_numpy(), abs=1e-6
    )
    assert run.metrics is not None
    assert run.metrics.n == len(frame) - 3


def test_when_texts_are_empty_or_unlabelled_then_training_leaves_them_out(files: Path) -> None:
    frame = pd.read_csv(files / "train.csv")
    frame.loc[[0, 4], "text"] = ["", " \t"]
    frame.loc[[1, 2], "label"] = None
    frame.loc[[3], ["text", "label"]] = None  # unlabelled: counted once, as unlabelled
    frame.to_csv(files / "train_empty.csv", index=False)
    with pytest.warns(
        FeedbackWarning,
        match=r"leaves out 5 of 250 rows: 2 with an empty text in column 'text' \(rows 1, 5\) "
        r"and 3 without a label",
    ):
        run = run_train(
            files / "m_empty", data=files / "train_empty.csv", params=ClassifierParams("tfidf")
        )
    assert (run.n_texts, run.n_empty_dropped, run.n_unlabelled_dropped) == (245, 2, 3)
    assert run.summary["empty_dropped"] == 2


def test_when_every_text_is_empty_then_training_is_a_clear_error(files: Path) -> None:
    frame = pd.read_csv(files / "train.csv").assign(text="")
    frame.to_csv(files / "all_empty.csv", index=False)
    with pytest.raises(
        FeedbackInputError,
        match=r"non-empty text in column 'text', found none \(250 rows: 0 without a label, "
        r"250 labelled with an empty text\)",
    ):
        run_train(files / "m_none", data=files / "all_empty.csv", params=ClassifierParams("tfidf"))


def test_when_a_csv_is_not_utf8_then_the_error_names_file_encoding_and_option(
    tmp_path: Path, sample_feedback: pd.DataFrame
) -> None:
    zh = sample_feedback[sample_feedback["language"] == "zh"][["text", "sentiment"]]
    path = tmp_path / "gbk.csv"
    zh.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(
        FeedbackInputError,
        match=rf"--data {path}: expected text in the encoding utf-8.*"
        r"--encoding gb18030",
    ):
        read_texts(path)
    with pytest.raises(FeedbackInputError, match=r"gbk\.csv.*--encoding gb18030"):
        run_train(
            tmp_path / "m", data=path, label_col="sentiment", params=ClassifierParams("tfidf")
        )
    read = read_texts(path, label_col="sentiment", encoding="gb18030")
    pd.testing.assert_frame_equal(read, zh.reset_index(drop=True))


def test_when_a_utf8_csv_starts_with_a_byte_order_mark_then_it_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("text,label\r\n好,positive\r\n".encode("utf-8-sig"))
    for encoding in ("utf-8", "utf-8-sig", "UTF8"):
        read = read_texts(path, label_col="label", encoding=encoding)
        assert read.to_dict("list") == {"text": ["好"], "label": ["positive"]}


def test_when_the_encoding_is_unknown_then_the_error_names_the_option(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text\nok\n", encoding="utf-8")
    with pytest.raises(
        FeedbackInputError, match=r"--encoding: expected a text encoding.*'klingon'"
    ):
        read_texts(path, encoding="klingon")


def test_missing_label_column_is_a_clear_error(files: Path, params: ClassifierParams) -> None:
    with pytest.raises(FeedbackInputError, match=r"expected the columns \['rating'\]"):
        run_train(files / "m2", data=files / "train.csv", label_col="rating", params=params)
    with pytest.raises(FeedbackInputError, match=r"\['body'\]"):
        run_train(files / "m2", data=files / "train.csv", text_col="body", params=params)


def test_missing_file_is_a_clear_error(tmp_path: Path, params: ClassifierParams) -> None:
    with pytest.raises(FeedbackInputError, match="--data"):
        run_train(tmp_path / "m", data=tmp_path / "none.csv", params=params)


def test_unlabelled_rows_are_left_out_of_training(files: Path) -> None:
    frame = pd.read_csv(files / "train.csv")
    frame.loc[:9, "label"] = None
    frame.to_csv(files / "partly.csv", index=False)
    with pytest.warns(FeedbackWarning, match="leaves out 10 of 250 rows: 10 without a label"):
        run = run_train(
            files / "m3", data=files / "partly.csv", params=ClassifierParams(backbone="tfidf")
        )
    assert run.n_texts == 240
    assert run.n_unlabelled_dropped == 10


def test_train_and_classify_from_the_warehouse(
    sample_feedback: pd.DataFrame, params: ClassifierParams, tmp_path: Path
) -> None:
    db = str(tmp_path / "wh.duckdb")
    frame = sample_feedback.drop_duplicates("feedback_id").iloc[:200]
    with Warehouse(db) as wh:
        ingest_frame(wh, "feedback", frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeedbackWarning)
        trained = run_train(
            tmp_path / "m", from_db=True, db=db, params=params.replace(task="complaint")
        )
    # Only texts with a complaint type are labelled for the complaint task.
    assert trained.n_texts == int(frame["complaint_type"].notna().sum())
    run = run_classify(tmp_path / "m", from_db=True, db=db, write_db=True, language="zh")
    assert run.written_to_db == int((frame["language"] == "zh").sum())
    with Warehouse(db) as wh:
        stored = read_predictions(wh, "complaint")
    assert len(stored) == run.written_to_db
    assert stored["score"].between(0, 1).all()


def test_redact_writes_the_file_with_tags(tmp_path: Path) -> None:
    pd.DataFrame({"text": ["call 13812345678", "fine", None]}).to_csv(tmp_path / "in.csv")
    run = run_redact(tmp_path / "in.csv", tmp_path / "out.csv")
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["text"].iloc[0] == "call [PHONE]"
    assert run.n_changed == 1
    assert run.found == {"phone": 1}


def test_exactly_one_source(tmp_path: Path, params: ClassifierParams) -> None:
    with pytest.raises(FeedbackInputError, match="exactly one"):
        run_train(tmp_path / "m", params=params)
