"""The ``supplymind run`` and ``supplymind serve`` commands (registered in supplymind.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["run_command", "serve_command", "serve_demo"]

console = Console()


def run_command(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Warehouse URL or DuckDB file (default: the settings')."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("run_out"),
    seed: Annotated[int, typer.Option("--seed", help="Seed of every stage.")] = 0,
    finetune_steps: Annotated[
        int, typer.Option("--finetune-steps", help="Most fine-tuning steps of the forecaster.")
    ] = 100,
    route_time_limit: Annotated[
        float, typer.Option("--route-time-limit", help="Seconds of route search.")
    ] = 5.0,
) -> None:
    """Run the pipeline on the warehouse: forecast, plan, routes, alerts, feedback summary."""
    from supplymind.pipeline import run_pipeline

    with console.status("running the pipeline") as status:
        run = run_pipeline(
            db if db is not None else _default_db(),
            out,
            seed=seed,
            finetune_steps=finetune_steps,
            route_time_limit=route_time_limit,
            on_stage=lambda d: status.update(d),
        )
    table = Table("stage", "status", "seconds", "message", title=f"Run {run.run_id}")
    for stage in run.stages:
        table.add_row(stage.name, stage.status, f"{stage.seconds:.1f}", stage.message)
    console.print(table)
    console.print(f"run status: {run.status}")
    console.print(f"outputs:    {run.out_dir}")
    if run.status == "failed":
        raise typer.Exit(1)


def _default_db() -> str:
    from supplymind.settings import get_settings

    return get_settings().resolved_database_url


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    new_key: Annotated[
        str | None,
        typer.Option(
            "--new-key",
            help="Print a new API key of this scope (read or write) and its hashed record "
            "for SUPPLYMIND_API_KEYS, then exit.",
        ),
    ] = None,
) -> None:
    """Serve the REST API (docs at /docs) and the dashboard (at /)."""
    if new_key is not None:
        from supplymind.service.auth import new_api_key

        key, record = new_api_key(f"{new_key}-key", new_key)
        console.print(f"key (shown once): {key}", highlight=False, soft_wrap=True)
        console.print(f"record: {record.model_dump_json()}", highlight=False, soft_wrap=True)
        return
    from supplymind.service.server import serve

    serve(host, port)


def serve_demo(out: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the dashboard on the demo's warehouse (``out/warehouse.duckdb``)."""
    from supplymind.service.server import serve
    from supplymind.service.settings import ServiceSettings

    warehouse = (out / "warehouse.duckdb").resolve()
    settings = ServiceSettings(database_url=f"duckdb:///{warehouse}", runs_dir=out / "runs")
    console.print(f"dashboard: http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    if settings.env == "development" and not settings.api_keys:
        console.print("development mode: sign in with the key dev-read (or dev-write)")
    serve(host, port, settings=settings)
