"""The work behind the background jobs: a pipeline run and a fine-tuning run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from supplymind.pipeline import STAGES, run_pipeline
from supplymind.service.jobs import Progress
from supplymind.service.settings import ServiceSettings

__all__ = ["finetune_job", "pipeline_job"]


def _stamp() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y%m%dT%H%M%S%f")


def pipeline_job(
    settings: ServiceSettings, params: dict[str, Any]
) -> Callable[[Progress], dict[str, Any]]:
    """A job running :func:`~supplymind.pipeline.run_pipeline` on the service's warehouse."""

    def work(progress: Progress) -> dict[str, Any]:
        stages = list(params["stages"])
        out = settings.resolved_runs_dir / f"run-{_stamp()}"
        done = 0

        def on_stage(description: str) -> None:
            nonlocal done
            progress(done / len(stages), description)
            done += 1

        run = run_pipeline(
            settings.warehouse_url,
            out,
            stages=[s for s in STAGES if s in stages],
            seed=params["seed"],
            finetune_steps=params["finetune_steps"],
            route_time_limit=params["route_time_limit"],
            feedback_steps=params["feedback_steps"],
            n_jobs=1,
            on_stage=on_stage,
        )
        return {
            "run_id": run.run_id,
            "status": run.status,
            "out_dir": run.out_dir,
            "stages": {s.name: s.status for s in run.stages},
        }

    return work


def finetune_job(
    settings: ServiceSettings, params: dict[str, Any]
) -> Callable[[Progress], dict[str, Any]]:
    """A job fitting the Forecaster (fine-tuning mode ``params['mode']``) on the warehouse's
    demand, saving the model and writing its forecast."""

    def work(progress: Progress) -> dict[str, Any]:
        from supplymind.forecasting.commands import run_forecast

        folder = settings.resolved_runs_dir / f"finetune-{_stamp()}"
        progress(0.05, "reading the demand and fine-tuning")
        result = run_forecast(
            folder / "forecast.csv",
            params["horizon"],
            from_db=True,
            db=settings.warehouse_url,
            finetune=params["mode"],
            model_dir=folder / "model",
            n_jobs=1,
            seed=params["seed"],
            max_steps=params.get("max_steps"),
        )
        f = result.forecaster
        return {
            "model_dir": str(folder / "model"),
            "forecast": str(folder / "forecast.csv"),
            # A series is an item at a location (the warehouse's demand is per location).
            "series": len(result.forecast.groupby(["item_id", "location_id"]).size()),
            "selection": dict(f.selection_),
            "finetune": {
                k: v
                for k, v in (f.finetune_result_ or {}).items()
                if isinstance(v, int | float | str)
            },
        }

    return work
