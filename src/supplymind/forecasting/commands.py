"""``supplymind forecast``: read a history (file or warehouse), fit or reload a Forecaster,
write the quantile forecast. The CLI is a thin shell over :func:`run_forecast`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from supplymind.data.ingest import column_mapping, read_table_file
from supplymind.exceptions import ConfigurationError, ForecastInputError
from supplymind.files import atomic_path, atomic_write_text
from supplymind.forecasting.data import (
    TIME_COL,
    join_series_location,
    split_series_location,
)
from supplymind.forecasting.forecaster import DEFAULT_QUANTILES, Forecaster
from supplymind.forecasting.neural import FINETUNE_DEFAULTS

__all__ = ["ForecastRun", "parse_quantiles", "read_history_table", "run_forecast"]


def parse_quantiles(text: str | None) -> tuple[float, ...]:
    """``"0.1,0.5,0.9"`` to levels (``None``: the deciles)."""
    if text is None or not text.strip():
        return DEFAULT_QUANTILES
    try:
        levels = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ForecastInputError(
            f"--quantiles: expected comma-separated numbers such as 0.1,0.5,0.9, found {text!r}"
        ) from exc
    return levels


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


def read_history_table(
    path: str | Path,
    *,
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """A history file with its columns renamed to ``item_id, timestamp, target``."""
    frame = read_table_file(path, sep=sep, encoding=encoding)
    mapping = column_mapping(id_col=id_col, time_col=time_col, target_col=target_col)
    missing = [old for old in mapping if old not in frame.columns]
    if missing:
        raise ForecastInputError(
            f"history {path}: expected the columns {missing} named by --id-col/--time-col/"
            f"--target-col, found {list(frame.columns)}"
        )
    return frame.rename(columns=mapping)


def _from_db(db: str | None) -> pd.DataFrame:
    from supplymind.data.warehouse import Warehouse

    with Warehouse(db) as wh:
        wh.require("demand")
        frame = wh.read("demand")
    return join_series_location(frame)


@dataclass
class ForecastRun:
    """What :func:`run_forecast` did."""

    forecast: pd.DataFrame
    forecaster: Forecaster
    out: Path
    reloaded: bool
    summary: dict[str, Any] = field(default_factory=dict)


def run_forecast(
    out: str | Path,
    horizon: int,
    *,
    history: str | Path | None = None,
    from_db: bool = False,
    db: str | None = None,
    freq: str | None = None,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    finetune: str = "auto",
    backbone: str = "supplymind-ts-small",
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
    covariates: str | None = None,
    static: str | None = None,
    future: str | Path | None = None,
    model_dir: str | Path | None = None,
    n_windows: int = 2,
    n_jobs: int = 1,
    seed: int = 0,
    progress: bool = False,
    max_steps: int | None = None,
) -> ForecastRun:
    """Fit (or reload from ``model_dir``) a Forecaster on a history and write its forecast.

    ``max_steps`` caps the fine-tuning steps (default: the mode's
    :data:`~supplymind.forecasting.neural.FINETUNE_DEFAULTS`, 120).

    With ``model_dir``: when it holds a saved Forecaster, that one is reloaded (its choices
    and fine-tuned weights) and only predicts; otherwise the fitted Forecaster is saved
    there, with its backtest table and summary.

    Returns
    -------
    ForecastRun
        The forecast table (also written to ``out``) and the Forecaster.
    """
    if max_steps is not None and (
        isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1
    ):
        raise ConfigurationError(f"max_steps: expected a positive integer, found {max_steps!r}")
    if (history is None) == (not from_db):
        raise ConfigurationError(
            "history: expected exactly one of --history FILE or --from-db, found "
            + ("both" if history is not None else "neither")
        )
    if history is not None:
        frame = read_history_table(
            history,
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
            sep=sep,
            encoding=encoding,
        )
    else:
        frame = _from_db(db)
    covs, stats = _names(covariates), _names(static)
    future_frame = None
    if future is not None:
        future_frame = read_history_table(
            future, id_col=id_col, time_col=time_col, sep=sep, encoding=encoding
        )
    saved = model_dir is not None and (Path(model_dir) / "forecaster.json").is_file()
    if saved and model_dir is not None:
        forecaster = Forecaster.load(model_dir, n_jobs=n_jobs)
    else:
        config = None
        if max_steps is not None:
            # "auto" fine-tunes in the Forecaster's default auto_mode, "full".
            mode = "full" if finetune == "auto" else finetune
            if mode in FINETUNE_DEFAULTS:
                config = FINETUNE_DEFAULTS[mode].replace(max_steps=max_steps)
        forecaster = Forecaster(
            backbone,
            finetune_config=config,
            horizon=horizon,
            freq=freq,
            quantiles=quantiles,
            covariates=covs,
            static=stats,
            n_windows=n_windows,
            n_jobs=n_jobs,
            seed=seed,
            progress=progress,
        )
        forecaster.fit(frame, finetune=finetune, horizon=horizon)
        if model_dir is not None:
            forecaster.save(model_dir)
            atomic_write_text(
                Path(model_dir) / "summary.json",
                json.dumps(forecaster.summary(), indent=2, default=float),
            )
    table = forecaster.predict(
        horizon, quantiles, history=frame if saved else None, future_covariates=future_frame
    )
    if from_db:
        table = split_series_location(table)
    destination = Path(out)
    destination.parent.mkdir(parents=True, exist_ok=True)
    times = pd.DatetimeIndex(table[TIME_COL])
    fmt = "%Y-%m-%d" if (times == times.normalize()).all() else "%Y-%m-%d %H:%M:%S"
    with atomic_path(destination) as tmp:
        if destination.suffix.lower() == ".parquet":
            table.to_parquet(tmp, index=False)
        else:
            table.to_csv(tmp, index=False, date_format=fmt, float_format="%.6g")
    return ForecastRun(table, forecaster, destination, saved, forecaster.summary())
