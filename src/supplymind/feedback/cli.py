"""``supplymind feedback``: train, classify, redact, list encoders, pretrain the Chinese
encoder (a thin shell over :mod:`supplymind.feedback.commands` and
:mod:`supplymind.feedback.pretrain`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["feedback_app"]

feedback_app = typer.Typer(
    help="Customer feedback: sentiment and complaint-type classifiers, redaction.",
    no_args_is_help=True,
)
console = Console()

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Warehouse URL or DuckDB file; default from SUPPLYMIND_HOME / "
        "SUPPLYMIND_DATABASE_URL.",
    ),
]
TextColOpt = Annotated[str, typer.Option("--text-col", help="Column holding the texts.")]
EncodingOpt = Annotated[
    str,
    typer.Option(
        "--encoding",
        help="Text encoding of a CSV --data file (a UTF-8 byte-order mark is skipped); "
        "gb18030 for Chinese GBK/GB2312 files, cp1252 for Western European Excel exports.",
    ),
]
LanguageOpt = Annotated[
    str | None,
    typer.Option("--language", help="With --from-db: only texts of this language (zh, en)."),
]


def _scores_table(rows: list[dict[str, object]], title: str) -> Table:
    table = Table(
        "candidate",
        "val accuracy",
        "val macro-F1",
        "val ECE raw",
        "val ECE",
        "train s",
        "adopted",
        title=title,
    )
    for row in rows:
        table.add_row(
            str(row["candidate"]),
            f"{float(row['val_accuracy']):.3f}",  # type: ignore[arg-type]
            f"{float(row['val_macro_f1']):.3f}",  # type: ignore[arg-type]
            f"{float(row['val_ece_raw']):.3f}",  # type: ignore[arg-type]
            f"{float(row['val_ece']):.3f}",  # type: ignore[arg-type]
            f"{float(row['train_seconds']):.1f}",  # type: ignore[arg-type]
            "yes" if row.get("adopted") else "",
        )
    return table


@feedback_app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="Labelled CSV/Parquet (text and label).")
    ] = None,
    from_db: Annotated[
        bool, typer.Option("--from-db", help="Train on the warehouse feedback table.")
    ] = False,
    db: DbOpt = None,
    language: LanguageOpt = None,
    text_col: TextColOpt = "text",
    label_col: Annotated[
        str | None,
        typer.Option(
            "--label-col",
            help="Column holding the labels (default: label; from the warehouse, the task's "
            "column).",
        ),
    ] = None,
    task: Annotated[
        str,
        typer.Option(
            "--task", help="sentiment or complaint (recorded; picks the column with --from-db)."
        ),
    ] = "sentiment",
    backbone: Annotated[
        str,
        typer.Option(
            "--backbone",
            help="Encoder: a registered name (see `feedback encoders`), a local transformers "
            "folder, 'auto' (by the texts' language) or 'tfidf'.",
        ),
    ] = "auto",
    finetune: Annotated[
        str, typer.Option("--finetune", help="Fine-tuning mode: full, head, lora or ia3.")
    ] = "lora",
    steps: Annotated[int, typer.Option(help="Most fine-tuning steps.")] = 200,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Texts per step.")] = 32,
    learning_rate: Annotated[
        float | None, typer.Option("--learning-rate", help="Peak learning rate (default by mode).")
    ] = None,
    max_length: Annotated[int, typer.Option("--max-length", help="Tokens per text.")] = 128,
    truncation: Annotated[
        str,
        typer.Option(
            "--truncation",
            help="Longer texts keep: head_tail (first quarter and the end) or head.",
        ),
    ] = "head_tail",
    class_weight: Annotated[
        str, typer.Option("--class-weight", help="balanced, sqrt or none.")
    ] = "balanced",
    no_guard: Annotated[
        bool,
        typer.Option(
            "--no-guard",
            help="Do not compare with the head-only and TF-IDF models (adopt the fine-tune).",
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the split, initialisation and batches.")] = 0,
    threads: Annotated[
        int | None, typer.Option("--threads", help="Torch threads while training.")
    ] = None,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Fine-tune a text classifier on labelled feedback and save it (guarded adoption)."""
    from supplymind.feedback.classifier import ClassifierParams
    from supplymind.feedback.commands import run_train

    if from_db == (data is not None):
        raise typer.BadParameter(
            "expected exactly one of --data or --from-db", param_hint="--data/--from-db"
        )
    params = ClassifierParams(
        backbone=backbone,
        finetune=finetune,
        guard=not no_guard,
        task=task,
        steps=steps,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_length=max_length,
        truncation=truncation,
        class_weight=class_weight,
        seed=seed,
        num_threads=threads,
    )
    run = run_train(
        out,
        data=data,
        from_db=from_db,
        db=db,
        language=language,
        text_col=text_col,
        label_col=label_col,
        params=params,
        progress=True,
        encoding=encoding,
    )
    console.print(_scores_table(run.summary["adoption"], "validation split"))
    console.print(
        f"{run.n_texts} labelled texts (left out: {run.n_unlabelled_dropped} unlabelled rows, "
        f"{run.n_empty_dropped} with an empty text); "
        f"backbone {run.summary['backbone']}; adopted {run.classifier.adopted_}",
        highlight=False,
    )
    console.print(f"written: {run.out}")


@feedback_app.command("classify")
def classify(
    model: Annotated[Path, typer.Option("--model", "-m", help="Model folder from train.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="CSV/Parquet of the predictions.")
    ] = None,
    data: Annotated[Path | None, typer.Option("--data", help="CSV/Parquet with the texts.")] = None,
    from_db: Annotated[
        bool, typer.Option("--from-db", help="Classify the warehouse feedback table.")
    ] = False,
    write_db: Annotated[
        bool,
        typer.Option("--write-db", help="Store predictions in the feedback_predictions table."),
    ] = False,
    db: DbOpt = None,
    language: LanguageOpt = None,
    text_col: TextColOpt = "text",
    label_col: Annotated[
        str | None,
        typer.Option("--label-col", help="True labels: score the predictions against them."),
    ] = None,
    probs: Annotated[
        bool, typer.Option("--probs", help="Add a prob_<label> column per class.")
    ] = False,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Classify texts with a trained model: adds ``label`` and ``score`` columns."""
    from supplymind.feedback.commands import run_classify

    if from_db == (data is not None):
        raise typer.BadParameter(
            "expected exactly one of --data or --from-db", param_hint="--data/--from-db"
        )
    if out is None and not write_db:
        raise typer.BadParameter("expected --out, --write-db or both", param_hint="--out")
    run = run_classify(
        model,
        out=out,
        data=data,
        from_db=from_db,
        db=db,
        write_db=write_db,
        language=language,
        text_col=text_col,
        label_col=label_col,
        probs=probs,
        encoding=encoding,
    )
    counts = run.predictions["label"].value_counts()
    title = f"{len(run.predictions)} texts"
    if run.n_empty:
        title += f" ({run.n_empty} empty: label and score left empty)"
    table = Table("label", "texts", "mean score", title=title)
    for label, n in counts.items():
        mean = run.predictions.loc[run.predictions["label"] == label, "score"].mean()
        table.add_row(str(label), str(int(n)), f"{mean:.3f}")
    console.print(table)
    if run.metrics is not None:
        console.print(
            f"against {label_col}: accuracy {run.metrics.accuracy:.3f}, macro-F1 "
            f"{run.metrics.macro_f1:.3f} ({run.metrics.n} labelled texts)",
            highlight=False,
        )
    if run.out is not None:
        console.print(f"written: {run.out}")
    if write_db:
        console.print(f"stored {run.written_to_db} predictions in feedback_predictions")


# The brief's name for the same command.
feedback_app.command("predict", help="Same as classify.", hidden=True)(classify)


@feedback_app.command("redact")
def redact_file(
    data: Annotated[Path, typer.Option("--data", help="CSV/Parquet with the texts.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Redacted CSV/Parquet to write.")],
    text_col: TextColOpt = "text",
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Replace phone numbers, e-mails, ID and card numbers and addresses by tags."""
    from supplymind.feedback.commands import run_redact

    run = run_redact(data, out, text_col=text_col, encoding=encoding)
    found = ", ".join(f"{k} {v}" for k, v in sorted(run.found.items())) or "nothing"
    console.print(
        f"{run.n_changed} of {run.n_texts} texts changed; found: {found}", highlight=False
    )
    console.print(f"written: {run.out}")


@feedback_app.command("encoders")
def encoders() -> None:
    """List the registered text encoders."""
    from supplymind.feedback.encoders import list_encoders

    table = Table("name", "description", title="text encoders")
    for name, description in list_encoders().items():
        table.add_row(name, description)
    console.print(table)


@feedback_app.command("pretrain-encoder")
def pretrain_encoder_command(
    config: Annotated[
        Path,
        typer.Option("--config", help="TOML settings (configs/pretrain-text/zh-char-small.toml)."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder (resumable).")],
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Public data folder.")] = None,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Also copy the exported model folder here."),
    ] = None,
) -> None:
    """Pretrain the character-level Chinese encoder by masked-language modelling."""
    import shutil

    from supplymind.feedback.pretrain import EncoderPretrainConfig, pretrain_encoder

    settings = EncoderPretrainConfig.from_file(config)
    result = pretrain_encoder(
        settings,
        out,
        data_dir=data_dir,
        progress=True,
        reproduce=f"supplymind feedback pretrain-encoder --config {config} --out {out}",
    )
    summary = result.summary
    console.print(
        f"{summary['steps']} steps; train loss {summary['train_loss_first']:.3f} -> "
        f"{summary['train_loss_last']:.3f}; held-out MLM loss "
        f"{summary['heldout_mlm']['loss']:.3f} (at the start "
        f"{summary['heldout_mlm_random_init']['loss']:.3f})",
        highlight=False,
    )
    model_dir = out / "model"
    if export is not None:
        shutil.copytree(model_dir, export, dirs_exist_ok=True)
        model_dir = export
    console.print(f"model: {model_dir}")
