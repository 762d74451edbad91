"""The lifecycle run (drift check + re-fine-tuning on the warehouse's demand) and the hook
that schedules it from ``supplymind serve``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from supplymind.data.warehouse import Warehouse
from supplymind.lifecycle.drift import DriftConfig
from supplymind.lifecycle.registry import ModelRegistry
from supplymind.lifecycle.retrain import (
    DriftCheck,
    RetrainConfig,
    RetrainResult,
    check_drift,
    retrain,
)
from supplymind.lifecycle.schedule import CronSchedule, LifecycleSettings, Scheduler

__all__ = [
    "LifecycleRun",
    "read_demand",
    "run_lifecycle",
    "start_lifecycle_scheduler",
]

log = logging.getLogger(__name__)
_SEP = "@"


def read_demand(warehouse: Warehouse) -> pd.DataFrame:
    """The ``demand`` table as one series per item and location (``item@location``)."""
    warehouse.require("demand")
    frame = warehouse.read("demand")
    frame["item_id"] = frame["item_id"].astype(str) + _SEP + frame["location_id"].astype(str)
    return frame.drop(columns=["location_id"])


@dataclass(frozen=True)
class LifecycleRun:
    """What one :func:`run_lifecycle` did."""

    drift: DriftCheck | None
    retrain: RetrainResult


def run_lifecycle(
    warehouse: Warehouse,
    config: RetrainConfig,
    *,
    models_root: str | Path | None = None,
    drift_config: DriftConfig | None = None,
    history: pd.DataFrame | None = None,
) -> LifecycleRun:
    """Check the champion for drift (alerts go to the ``alerts`` table), then re-fine-tune.

    ``history`` defaults to the warehouse's ``demand`` table.
    """
    registry = ModelRegistry(warehouse, models_root)
    frame = read_demand(warehouse) if history is None else history
    drift = None
    if registry.champion(config.task) is not None:
        covariates = [
            c
            for c in frame.columns
            if c not in ("item_id", "timestamp", "target")
            and pd.api.types.is_numeric_dtype(frame[c])
            and frame[c].notna().any()
        ]
        drift = check_drift(
            registry, frame, task=config.task, covariates=covariates, config=drift_config
        )
    result = retrain(registry, frame, config)
    log.info(
        "retrain %s: %s (challenger %s, WQL %.4f)",
        config.task,
        "promoted" if result.promoted else "champion kept",
        result.challenger.model_id,
        result.challenger_wql,
    )
    return LifecycleRun(drift, result)


def _config_from(settings: LifecycleSettings) -> RetrainConfig:
    return RetrainConfig(
        backbone=settings.retrain_backbone,
        horizon=settings.retrain_horizon,
        margin=settings.retrain_margin,
        finetune=settings.retrain_finetune,
    )


def start_lifecycle_scheduler(
    settings: LifecycleSettings | None = None,
    *,
    database_url: str | None = None,
    models_root: str | Path | None = None,
) -> Scheduler | None:
    """Start scheduled re-fine-tuning in a background thread; the service's hook.

    Returns ``None`` (and starts nothing) when ``SUPPLYMIND_RETRAIN_CRON`` is unset. Each
    run opens its own warehouse connection; call ``.stop()`` on shutdown.
    """
    cfg = settings or LifecycleSettings()
    if not cfg.retrain_cron:
        return None
    schedule = CronSchedule(cfg.retrain_cron)
    retrain_config = _config_from(cfg)

    def job() -> None:
        with Warehouse(database_url) as wh:
            run_lifecycle(wh, retrain_config, models_root=models_root)

    scheduler = Scheduler(schedule, job).start()
    log.info("scheduled retrain '%s'; next run %s", schedule.expression, scheduler.next_run)
    return scheduler
