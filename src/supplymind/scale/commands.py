"""``supplymind forecast`` on partitions (``--ray`` or a folder ``--history``) and
``supplymind finetune``: thin shells over :func:`run_batch_forecast` and :func:`run_finetune`."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from supplymind.exceptions import ConfigurationError
from supplymind.files import atomic_write_text
from supplymind.forecasting.commands import read_history_table
from supplymind.forecasting.forecaster import DEFAULT_QUANTILES, Forecaster
from supplymind.forecasting.neural import FINETUNE_DEFAULTS
from supplymind.scale.batch import BatchReport, BatchSpec, forecast_partitions
from supplymind.scale.distributed import RayFinetuner
from supplymind.scale.partition import partition_warehouse, write_partitions
from supplymind.training.finetune import MODES, load_finetune_config

__all__ = ["run_batch_forecast", "run_finetune"]

#: Folder of the output where a single file or the warehouse is cut into partitions.
STAGING = "_history"


def run_batch_forecast(
    out: str | Path,
    horizon: int,
    *,
    history: str | Path | None = None,
    from_db: bool = False,
    db: str | None = None,
    ray: str | None = None,
    num_workers: int | None = None,
    model_dir: str | Path | None = None,
    finetune: str = "none",
    backbone: str = "supplymind-ts-small",
    model: str | None = None,
    freq: str | None = None,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    sep: str | None = None,
    series_per_partition: int = 10_000,
) -> BatchReport:
    """Forecast a partitioned history into a folder of Parquet partitions.

    ``history`` is a folder of partitions (each series in one file) or one file, which is
    first cut into partitions of ``series_per_partition`` series under ``out/_history``
    (as is the warehouse's demand table with ``from_db``; its series are forecast as
    ``item@location`` and written back as ``item_id`` and ``location_id`` columns). The
    model is the Forecaster saved in ``model_dir``, or with ``finetune="none"`` the
    zero-shot backbone (or the statistical ``model``): fitting choices per series needs
    the whole history, so it is done once beforehand (``supplymind finetune`` or
    ``supplymind forecast --model-dir``).
    """
    if (history is None) == (not from_db):
        raise ConfigurationError(
            "history: expected exactly one of --history or --from-db, found "
            + ("both" if history is not None else "neither")
        )
    saved = model_dir is not None and (Path(model_dir) / "forecaster.json").is_file()
    if not saved and finetune != "none":
        raise ConfigurationError(
            f"--finetune {finetune}: forecasting partitions needs a fitted model; pass "
            "--model-dir with a saved one (from `supplymind finetune` or `supplymind forecast "
            "--model-dir`) or use --finetune none (zero-shot, or --model NAME)"
        )
    spec = BatchSpec(
        horizon=horizon,
        quantiles=tuple(quantiles),
        model_dir=Path(model_dir) if saved and model_dir is not None else None,
        backbone=backbone,
        model=model,
        freq=freq,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        sep=sep,
        split_location=from_db,
    )
    destination = Path(out)
    staging = destination / STAGING
    source: Path
    if from_db:
        partition_warehouse(staging, db=db, items_per_partition=series_per_partition)
        source = staging
    elif history is not None and Path(history).is_file():
        frame = read_history_table(
            history, id_col=id_col, time_col=time_col, target_col=target_col, sep=sep
        )
        write_partitions(frame, staging, series_per_partition=series_per_partition)
        del frame
        spec = dataclasses.replace(spec, id_col=None, time_col=None, target_col=None)
        source = staging
    else:
        source = Path(str(history))
    try:
        report = forecast_partitions(source, destination, spec, ray=ray, num_workers=num_workers)
    finally:
        if source == staging:
            shutil.rmtree(staging, ignore_errors=True)
    atomic_write_text(
        destination / "_summary.json", json.dumps(report.summary(), indent=2, default=float)
    )
    return report


def run_finetune(
    model_dir: str | Path,
    history: str | Path,
    *,
    mode: str = "full",
    horizon: int | None = None,
    backbone: str = "supplymind-ts-small",
    config: str | Path | None = None,
    max_steps: int | None = None,
    ray: str | None = None,
    num_workers: int = 2,
    freq: str | None = None,
    covariates: Sequence[str] = (),
    static: Sequence[str] = (),
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    sep: str | None = None,
    n_windows: int = 2,
    seed: int = 0,
    progress: bool = False,
) -> Forecaster:
    """Fine-tune a backbone on a history and save the Forecaster in ``model_dir``.

    Checkpoints go to ``model_dir/checkpoints`` (a shared path on a multi-node cluster);
    running the command again resumes from them. With ``ray`` the engine runs on
    ``num_workers`` Ray Train workers (see :class:`~supplymind.scale.distributed.RayFinetuner`).
    """
    if mode not in MODES:
        raise ConfigurationError(f"--mode: expected one of {list(MODES)}, found {mode!r}")
    settings = load_finetune_config(config) if config is not None else FINETUNE_DEFAULTS[mode]
    settings = settings.replace(mode=mode)
    if max_steps is not None:
        settings = settings.replace(max_steps=max_steps)
    folder = Path(model_dir)
    frame = read_history_table(
        history, id_col=id_col, time_col=time_col, target_col=target_col, sep=sep
    )
    forecaster = Forecaster(
        backbone,
        horizon=horizon,
        freq=freq,
        covariates=covariates,
        static=static,
        n_windows=n_windows,
        finetune_config=settings,
        seed=seed,
        progress=progress,
        work_dir=folder / "checkpoints",
        finetuner=None if ray is None else RayFinetuner(num_workers=num_workers, address=ray),
    )
    forecaster.fit(frame, finetune=mode)
    forecaster.save(folder)
    atomic_write_text(
        folder / "summary.json", json.dumps(forecaster.summary(), indent=2, default=float)
    )
    return forecaster
