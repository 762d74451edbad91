"""Batch forecasting over a partitioned history, in this process or on Ray Data.

Each partition (a file of whole series, see :mod:`supplymind.scale.partition`) is read,
forecast by :meth:`Forecaster.predict <supplymind.forecasting.forecaster.Forecaster.predict>`
and written as one Parquet file of the output folder (atomically: a crash leaves no half
file). Only one partition per worker is in memory at a time, so memory is bounded by the
partition size, not by the number of series.

Without Ray the partitions run one after the other in this process; with Ray they are the
rows of a Ray Data dataset mapped by :class:`PartitionForecaster` actors (the model is
loaded once per actor). Both paths run the same per-partition code with the same torch
threads, so the forecasts are the same.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from supplymind.exceptions import ConfigurationError
from supplymind.files import atomic_path
from supplymind.forecasting.commands import read_history_table
from supplymind.forecasting.data import check_horizon, split_series_location
from supplymind.forecasting.forecaster import DEFAULT_QUANTILES, Forecaster
from supplymind.scale.cluster import connect
from supplymind.scale.partition import partition_files

__all__ = ["BatchReport", "BatchSpec", "PartitionForecaster", "forecast_partitions", "peak_rss_mb"]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


@dataclass(frozen=True)
class BatchSpec:
    """What to forecast for every partition.

    Parameters
    ----------
    horizon
        Periods ahead.
    quantiles
        Levels of the output columns.
    model_dir
        A Forecaster saved by ``Forecaster.save`` (or ``supplymind forecast --model-dir`` /
        ``supplymind finetune``); ``None`` forecasts every series with ``model``.
    backbone
        Backbone of ``model="zero_shot"`` when there is no ``model_dir``.
    model
        Without ``model_dir``: ``"zero_shot"`` or a statistical model name; with it:
        ``None`` (the saved choices) or a candidate to force.
    freq
        Pandas frequency; inferred per partition when ``None``.
    id_col, time_col, target_col
        Input columns to read as ``item_id``, ``timestamp``, ``target`` (``None``: those).
    sep
        CSV delimiter of CSV partitions.
    num_threads
        Torch threads per worker (the same in both paths, so results match).
    split_location
        Series are ``item@location`` (the warehouse's demand table): write them back as
        ``item_id`` and ``location_id`` columns, as ``supplymind forecast --from-db`` does.
    """

    horizon: int
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES
    model_dir: Path | None = None
    backbone: str = "supplymind-ts-small"
    model: str | None = None
    freq: str | None = None
    id_col: str | None = None
    time_col: str | None = None
    target_col: str | None = None
    sep: str | None = None
    num_threads: int = 1
    split_location: bool = False

    def __post_init__(self) -> None:
        check_horizon(self.horizon)
        if isinstance(self.num_threads, bool) or self.num_threads < 1:
            raise ConfigurationError(
                f"BatchSpec.num_threads: expected a positive integer, found {self.num_threads!r}"
            )
        if self.model_dir is not None and not (Path(self.model_dir) / "forecaster.json").is_file():
            raise ConfigurationError(
                f"BatchSpec.model_dir: expected a saved Forecaster (forecaster.json) in "
                f"{self.model_dir}, found none"
            )

    def load(self) -> Forecaster:
        """The Forecaster every partition uses."""
        if self.model_dir is not None:
            return Forecaster.load(self.model_dir)
        return Forecaster.unfitted(
            self.backbone,
            model=self.model or "zero_shot",
            horizon=self.horizon,
            freq=self.freq,
            quantiles=self.quantiles,
        )


@contextlib.contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def partition_output(out_dir: Path, index: int) -> Path:
    """Output file of partition ``index``."""
    return out_dir / f"part-{index:05d}.parquet"


class PartitionForecaster:
    """Forecasts partitions with one Forecaster, loaded once (a Ray Data actor's state).

    Parameters
    ----------
    spec
        What to forecast.
    out_dir
        Folder of the output partitions.
    """

    def __init__(self, spec: BatchSpec, out_dir: str | Path) -> None:
        self.spec = spec
        self.out_dir = Path(out_dir)
        torch.set_num_threads(spec.num_threads)
        self.forecaster = spec.load()
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def forecast(self, index: int, path: str | Path) -> dict[str, Any]:
        """Forecast partition ``index`` read from ``path``; write it and return its summary
        (``partition``, ``source``, ``output``, ``series``, ``rows``, ``seconds``,
        ``peak_rss_mb``, ``worker``)."""
        began = time.perf_counter()
        spec = self.spec
        frame = read_history_table(
            path,
            id_col=spec.id_col,
            time_col=spec.time_col,
            target_col=spec.target_col,
            sep=spec.sep,
        )
        table = self.forecaster.predict(
            spec.horizon,
            spec.quantiles,
            history=frame,
            model=spec.model if spec.model_dir is not None else None,
        )
        series = int(table[self.forecaster.id_col].nunique())
        if spec.split_location:
            table = split_series_location(table)
        destination = partition_output(self.out_dir, index)
        with atomic_path(destination) as tmp:
            table.to_parquet(tmp, index=False)
        return {
            "partition": index,
            "source": str(path),
            "output": str(destination),
            "series": series,
            "rows": len(table),
            "seconds": time.perf_counter() - began,
            "peak_rss_mb": peak_rss_mb(),
            "worker": self.worker,
        }

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Ray Data entry point: a batch of ``index``, ``path`` rows to their summaries."""
        rows = [
            self.forecast(int(i), str(p))
            for i, p in zip(batch["index"], batch["path"], strict=True)
        ]
        return {key: np.asarray([r[key] for r in rows]) for key in rows[0]}


@dataclass
class BatchReport:
    """What :func:`forecast_partitions` did: one row per partition in ``partitions``."""

    partitions: pd.DataFrame
    out_dir: Path
    seconds: float
    workers: int
    ray: str | None

    @property
    def series(self) -> int:
        """Series forecast."""
        return int(self.partitions["series"].sum())

    @property
    def series_per_second(self) -> float:
        """Throughput over the wall time of the run."""
        return self.series / self.seconds if self.seconds > 0 else float("nan")

    def peak_rss_mb(self) -> dict[str, float]:
        """Peak resident memory per worker process (MiB)."""
        peaks = self.partitions.groupby("worker")["peak_rss_mb"].max()
        return {str(k): float(v) for k, v in peaks.items()}

    def busy_series_per_second(self) -> float:
        """Throughput of the workers while forecasting: per worker, its series over the time
        spent in its partitions, summed (leaves out start-up and scheduling)."""
        busy = self.partitions.groupby("worker")[["series", "seconds"]].sum()
        return float((busy["series"] / busy["seconds"]).sum())

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary."""
        peaks = self.peak_rss_mb()
        return {
            "ray": self.ray,
            "workers": self.workers,
            "partitions": len(self.partitions),
            "series": self.series,
            "seconds": self.seconds,
            "series_per_second": self.series_per_second,
            "busy_series_per_second": self.busy_series_per_second(),
            "peak_rss_mb_per_worker": peaks,
            "max_peak_rss_mb": max(peaks.values()) if peaks else float("nan"),
            "out_dir": str(self.out_dir),
        }


def _clear_stale(out_dir: Path, n: int) -> None:
    """Remove outputs of a previous run with more partitions."""
    for path in out_dir.glob("part-*.parquet"):
        stem = path.stem.removeprefix("part-")
        if stem.isdigit() and int(stem) >= n:
            path.unlink()


def forecast_partitions(
    source: str | Path | Sequence[str | Path],
    out_dir: str | Path,
    spec: BatchSpec,
    *,
    ray: str | None = None,
    num_workers: int | None = None,
) -> BatchReport:
    """Forecast every partition of a history and write one Parquet file per partition.

    Parameters
    ----------
    source
        A file, a folder of Parquet/CSV partitions (see
        :func:`~supplymind.scale.partition.partition_files`) or a list of partition files;
        each series must lie in one partition. On a cluster the paths must be readable by
        every node (a shared file system).
    out_dir
        Output folder: ``part-00000.parquet``, ... with ``item_id, timestamp, mean`` and a
        column per level, partition ``i`` forecasting input partition ``i``.
    spec
        What to forecast.
    ray
        ``None`` runs in this process; ``"local"``, ``"auto"`` or an address run on Ray Data
        (see :func:`~supplymind.scale.cluster.connect`).
    num_workers
        Ray actors (default: the cluster's CPUs divided by ``spec.num_threads``).

    Returns
    -------
    BatchReport
        Per-partition series counts, times and peak memory per worker.
    """
    if isinstance(source, str | Path):
        files = partition_files(source)
    else:
        files = [Path(p) for p in source]
        if not files:
            raise ConfigurationError("source: expected at least one partition file, found none")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clear_stale(out, len(files))
    began = time.perf_counter()
    if ray is None:
        with _torch_threads(spec.num_threads):
            worker = PartitionForecaster(spec, out)
            rows = [worker.forecast(i, p) for i, p in enumerate(files)]
        workers = 1
    else:
        ray_module = connect(ray)
        data = ray_module.data
        if num_workers is None:
            cpus = int(ray_module.cluster_resources().get("CPU", 1))
            num_workers = max(1, cpus // spec.num_threads)
        workers = max(1, min(int(num_workers), len(files)))
        items = [{"index": i, "path": str(p.resolve())} for i, p in enumerate(files)]
        dataset = data.from_items(items, override_num_blocks=len(items)).map_batches(
            PartitionForecaster,
            fn_constructor_kwargs={"spec": spec, "out_dir": str(out.resolve())},
            batch_size=1,
            batch_format="numpy",
            compute=data.ActorPoolStrategy(size=workers),
            num_cpus=spec.num_threads,
        )
        rows = [dict(row) for row in dataset.iter_rows()]
    table = pd.DataFrame(rows).sort_values("partition", ignore_index=True)
    return BatchReport(table, out, time.perf_counter() - began, workers, ray)
