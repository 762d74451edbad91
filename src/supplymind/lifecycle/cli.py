"""``supplymind retrain`` and ``supplymind models list|show|verify|promote|rollback``: a thin
shell over :mod:`supplymind.lifecycle`.

Register in ``supplymind/cli.py``::

    from supplymind.lifecycle.cli import models_app, retrain_command

    app.add_typer(models_app, name="models")
    app.command("retrain")(retrain_command)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from supplymind.data.warehouse import Warehouse
from supplymind.lifecycle.registry import ModelRegistry

__all__ = ["models_app", "retrain_command"]

models_app = typer.Typer(
    help="Registered models: list, inspect, verify, promote and roll back.",
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
RootOpt = Annotated[
    Path | None,
    typer.Option(
        "--models-dir", help="Folder of the model files (default SUPPLYMIND_HOME/models)."
    ),
]
TaskOpt = Annotated[str, typer.Option("--task", help="forecast, feedback or risk.")]


def retrain_command(
    task: TaskOpt = "forecast",
    backbone: Annotated[
        str | None,
        typer.Option(
            "--backbone", help="Pretrained backbone when there is no champion (name or folder)."
        ),
    ] = None,
    finetune: Annotated[
        str | None, typer.Option("--finetune", help="auto, none, full, head, lora or ia3.")
    ] = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="Periods per evaluation window.")
    ] = None,
    eval_windows: Annotated[
        int, typer.Option("--eval-windows", help="Newest windows to compare on.")
    ] = 2,
    margin: Annotated[
        float | None,
        typer.Option("--margin", help="Relative WQL improvement needed to promote (0.02 = 2%)."),
    ] = None,
    from_backbone: Annotated[
        bool,
        typer.Option(
            "--from-backbone", help="Start from the pretrained backbone, not the champion."
        ),
    ] = False,
    db: DbOpt = None,
    models_dir: RootOpt = None,
) -> None:
    """Check the champion for drift, fine-tune a challenger on the warehouse's demand and
    promote it only if it beats the champion by the margin."""
    from supplymind.lifecycle.commands import run_lifecycle
    from supplymind.lifecycle.retrain import RetrainConfig
    from supplymind.lifecycle.schedule import LifecycleSettings

    settings = LifecycleSettings()
    config = RetrainConfig(
        task=task,
        backbone=backbone or settings.retrain_backbone,
        start="backbone" if from_backbone else "champion",
        finetune=finetune or settings.retrain_finetune,
        horizon=horizon or settings.retrain_horizon,
        eval_windows=eval_windows,
        margin=settings.retrain_margin if margin is None else margin,
    )
    with Warehouse(db) as wh:
        run = run_lifecycle(wh, config, models_root=models_dir)
    if run.drift is not None:
        found = [*run.drift.data.drifted["segment"], *run.drift.performance.drifted["segment"]]
        console.print(
            f"drift of {run.drift.model_id}: "
            + (f"in {sorted(set(found))} ({run.drift.alerts} alerts)" if found else "none")
        )
    r = run.retrain
    champion = "-" if r.champion_wql is None else f"{r.champion_wql:.4f}"
    console.print(
        f"challenger {r.challenger.model_id}: WQL {r.challenger_wql:.4f} vs champion "
        f"{r.champion_id or '-'} {champion}: "
        + ("[green]promoted[/green]" if r.promoted else "champion kept")
    )


def _registry(db: str | None, models_dir: Path | None) -> tuple[Warehouse, ModelRegistry]:
    wh = Warehouse(db)
    return wh, ModelRegistry(wh, models_dir)


@models_app.command("list")
def list_models(
    task: Annotated[str | None, typer.Option("--task", help="Only this task.")] = None,
    db: DbOpt = None,
    models_dir: RootOpt = None,
) -> None:
    """Every registered model, oldest first."""
    wh, registry = _registry(db, models_dir)
    with wh:
        records = registry.models(task)
    table = Table("model", "task", "status", "parent", "mode", "data until", "WQL", "decision")
    for r in records:
        score = r.metrics.get("challenger_wql")
        table.add_row(
            r.model_id,
            r.task,
            r.status,
            r.parent_id or "-",
            r.finetune_mode,
            str(r.data_fingerprint.get("last") or "-")[:10],
            "-" if score is None else f"{float(score):.4f}",
            str(r.metrics.get("decision", "-")),
        )
    console.print(table)


@models_app.command("show")
def show_model(
    model_id: Annotated[str, typer.Argument(help="Model id, e.g. forecast-v003.")],
    db: DbOpt = None,
    models_dir: RootOpt = None,
) -> None:
    """One model's record (JSON) and the path of its card."""
    wh, registry = _registry(db, models_dir)
    with wh:
        r = registry.get(model_id)
    record = {
        "model_id": r.model_id,
        "task": r.task,
        "status": r.status,
        "backbone": r.backbone,
        "started_from": r.started_from,
        "parent_id": r.parent_id,
        "finetune_mode": r.finetune_mode,
        "hyperparameters": r.hyperparameters,
        "data": r.data_fingerprint,
        "scores": {k: r.metrics.get(k) for k in ("challenger_wql", "champion_wql", "decision")},
        "files": r.files,
        "promoted_at": None if r.promoted_at is None else r.promoted_at.isoformat(),
        "card": str(r.folder / "README.md"),
    }
    console.print_json(json.dumps(record, default=str))


@models_app.command("verify")
def verify_model(
    model_id: Annotated[str, typer.Argument(help="Model id.")],
    db: DbOpt = None,
    models_dir: RootOpt = None,
) -> None:
    """Check the SHA-256 of every file of a model."""
    wh, registry = _registry(db, models_dir)
    with wh:
        folder = registry.verify(model_id)
    console.print(f"{model_id}: every file matches its checksum ({folder})")


@models_app.command("promote")
def promote_model(
    model_id: Annotated[str, typer.Argument(help="Model id to make the champion.")],
    db: DbOpt = None,
    models_dir: RootOpt = None,
) -> None:
    """Make a model the champion of its task (its files are verified first)."""
    wh, registry = _registry(db, models_dir)
    with wh:
        record = registry.promote(model_id, note="promoted by hand")
    console.print(f"{record.model_id} is now the {record.task} champion")


@models_app.command("rollback")
def rollback_model(
    model_id: Annotated[
        str | None,
        typer.Argument(help="Model id to roll back to (default: the previous champion)."),
    ] = None,
    task: TaskOpt = "forecast",
    db: DbOpt = None,
    models_dir: RootOpt = None,
) -> None:
    """Make an earlier champion the champion again."""
    wh, registry = _registry(db, models_dir)
    with wh:
        record = registry.rollback(task, model_id)
    console.print(f"{record.model_id} is the {record.task} champion again ({record.note})")
