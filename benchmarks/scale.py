"""Scale benchmark: batch forecasting of 10k, 100k and 1M synthetic series, in this process
and on a local Ray cluster of 2 workers.

Run: ``.venv/bin/python benchmarks/scale.py [--sizes 10000,100000,1000000]
[--series-per-partition 2500] [--sample-1m 0.1] [--model zero_shot] [--out benchmarks/results]``.

Series are daily Poisson counts with a weekly pattern, 84 days each, forecast 28 days ahead
(the deciles and the mean) by the bundled backbone zero-shot (``--model`` picks a
statistical model instead). Partitions hold ``--series-per-partition`` whole series each;
partition ``k`` is the same in every size (seeded by ``k``), so the 10k set is the first
partitions of the 100k set, and so on. Every run reads its partitions lazily and writes one
Parquet file per partition (:func:`supplymind.scale.forecast_partitions`).

- *In process*: one process, one torch thread, partitions one after the other; run in a
  fresh subprocess so that its peak memory is its own.
- *Ray*: ``ray.init(num_cpus=2)``, 2 Ray Data actors of one CPU and one torch thread each;
  the time includes starting the actors and loading the model in each.

Throughput is series per second of wall time. Peak memory is the peak resident set size
(``getrusage``) of each worker process, read after each partition. Scaling efficiency is
the Ray throughput divided by 2 x the in-process throughput. The 1M set is measured on a
sample of its partitions (``--sample-1m``, every ``1/rate``-th partition): partitions are
independent and of equal size, so time scales with their number; the full-run time is
extrapolated and marked as such. The 32-node figures are extrapolated on paper from the
measured per-worker throughput and 2-worker efficiency, not measured.

Writes ``scale.json`` and ``scale.md``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supplymind.files import atomic_path, atomic_write_text
from supplymind.scale import BatchSpec, forecast_partitions

HORIZON = 28
LENGTH = 84
WORKERS = 2
#: Assumptions of the on-paper extrapolation.
NODES = 32
WORKERS_PER_NODE = 16


def partition(folder: Path, k: int, size: int, seed: int = 0) -> Path:
    """Write (once) synthetic partition ``k``: ``size`` daily series of ``LENGTH`` days."""
    path = folder / f"part-{k:06d}.parquet"
    if path.exists():
        return path
    rng = np.random.default_rng([seed, k])
    stamps = pd.date_range("2025-01-01", periods=LENGTH, freq="D")
    level = rng.gamma(2.0, 3.0, (size, 1))
    week = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(LENGTH) / 7 + rng.random((size, 1))))
    values = rng.poisson(level * week).astype(np.float32)
    ids = np.array([f"s{k * size + i:08d}" for i in range(size)])
    frame = pd.DataFrame(
        {
            "item_id": np.repeat(ids, LENGTH),
            "timestamp": np.tile(stamps.to_numpy(), size),
            "target": values.ravel(),
        }
    )
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return path


def _in_process(files: list[str], out: str, spec: BatchSpec) -> dict[str, Any]:
    import torch

    torch.set_num_threads(1)
    return forecast_partitions([Path(f) for f in files], out, spec).summary()


def run_in_process(files: list[Path], out: Path, spec: BatchSpec) -> dict[str, Any]:
    """One fresh process, so that its peak memory is this run's."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_in_process, [str(f) for f in files], str(out), spec).result()


def run_ray(files: list[Path], out: Path, spec: BatchSpec) -> dict[str, Any]:
    return forecast_partitions(files, out, spec, ray="local", num_workers=WORKERS).summary()


def measure(size: int, args: argparse.Namespace, folder: Path, spec: BatchSpec) -> dict[str, Any]:
    per = args.series_per_partition
    total = -(-size // per)
    rate = args.sample_1m if size >= 1_000_000 else 1.0
    step = max(1, round(1 / rate))
    chosen = list(range(0, total, step))
    began = time.perf_counter()
    files = [partition(folder / "data", k, per) for k in chosen]
    generated = time.perf_counter() - began
    row: dict[str, Any] = {
        "series": size,
        "partitions": total,
        "partitions_run": len(chosen),
        "series_run": len(chosen) * per,
        "sampled": len(chosen) < total,
        "generate_seconds": generated,
    }
    for mode, runner in (("in_process", run_in_process), ("ray", run_ray)):
        out = folder / f"out-{mode}"
        shutil.rmtree(out, ignore_errors=True)
        summary = runner(files, out, spec)
        summary["projected_full_seconds"] = summary["seconds"] * total / len(chosen)
        row[mode] = summary
        print(size, mode, {k: summary[k] for k in ("seconds", "series_per_second")}, flush=True)
    shutil.rmtree(folder / "out-in_process", ignore_errors=True)
    shutil.rmtree(folder / "out-ray", ignore_errors=True)
    row["scaling_efficiency"] = row["ray"]["series_per_second"] / (
        WORKERS * row["in_process"]["series_per_second"]
    )
    row["busy_scaling_efficiency"] = row["ray"]["busy_series_per_second"] / (
        WORKERS * row["in_process"]["busy_series_per_second"]
    )
    return row


def extrapolate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """On paper: 32 nodes of 16 one-thread workers at the measured per-worker throughput
    and 2-worker efficiency of the largest measured size."""
    last = rows[-1]
    per_worker = last["in_process"]["series_per_second"]
    efficiency = min(1.0, last["scaling_efficiency"])
    workers = NODES * WORKERS_PER_NODE
    rate = per_worker * workers * efficiency
    return {
        "extrapolated_not_measured": True,
        "nodes": NODES,
        "workers_per_node": WORKERS_PER_NODE,
        "workers": workers,
        "per_worker_series_per_second": per_worker,
        "assumed_efficiency": efficiency,
        "series_per_second": rate,
        "seconds_for_1m_series": 1_000_000 / rate,
        "peak_rss_mb_per_worker": max(r["ray"]["max_peak_rss_mb"] for r in rows),
        "partitions_needed_for_1m": (
            f">= {workers} partitions (<= {1_000_000 // workers} series each)"
        ),
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Scale: batch forecasting on Ray",
        "",
        f"Model `{report['model']}`, horizon {HORIZON}, {LENGTH} days per series, "
        f"{report['series_per_partition']:,} series per partition; machine: "
        f"{report['cpus']} CPUs ({report['machine']}). {report['note']}",
        "",
        "| series | run | partitions run | series/s | wall s (measured) | wall s (full set) "
        "| peak RSS per worker (MiB) | efficiency | busy series/s | busy efficiency |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["runs"]:
        for mode, label in (("in_process", "in process, 1 worker"), ("ray", "Ray, 2 workers")):
            s = row[mode]
            full = f"{s['projected_full_seconds']:,.0f}" + (
                " (extrapolated)" if row["sampled"] else ""
            )
            eff = f"{row['scaling_efficiency']:.0%}" if mode == "ray" else ""
            busy = f"{row['busy_scaling_efficiency']:.0%}" if mode == "ray" else ""
            lines.append(
                f"| {row['series']:,} | {label} | {row['partitions_run']}/{row['partitions']} "
                f"| {s['series_per_second']:,.0f} | {s['seconds']:,.1f} | {full} "
                f"| {s['max_peak_rss_mb']:,.0f} | {eff} | {s['busy_series_per_second']:,.0f} "
                f"| {busy} |"
            )
    x = report["extrapolation"]
    lines += [
        "",
        "Efficiency: Ray series/s over 2 x in-process series/s, on wall time (actor start-up "
        "and model loading included). Busy: the same on the time workers spend forecasting "
        "partitions. Peak RSS: the largest peak resident set of one worker process "
        "(in process: the whole process).",
        "",
        f"## {x['nodes']}-node cluster (extrapolated on paper, not measured)",
        "",
        f"{x['nodes']} nodes x {x['workers_per_node']} one-thread workers = {x['workers']} "
        f"workers at {x['per_worker_series_per_second']:,.0f} series/s each (measured here, "
        f"in process) and {x['assumed_efficiency']:.0%} efficiency (measured here with 2 "
        f"workers): about {x['series_per_second']:,.0f} series/s, so 1M series in about "
        f"{x['seconds_for_1m_series']:,.0f} s plus actor start-up, with peak memory per worker "
        f"as measured (about {x['peak_rss_mb_per_worker']:,.0f} MiB, set by the partition size, "
        f"not the number of series). It needs {x['partitions_needed_for_1m']} to keep every "
        "worker busy, history and output on storage every node reads (a shared file system "
        "or object store), and assumes the storage keeps up; none of it was measured.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--series-per-partition", type=int, default=2500)
    parser.add_argument("--sample-1m", type=float, default=0.1)
    parser.add_argument("--model", default="zero_shot")
    parser.add_argument("--note", default="", help="Conditions of the run, for the report.")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    import ray

    os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
    spec = BatchSpec(horizon=HORIZON, model=args.model, freq="D", num_threads=1)
    ray.init(num_cpus=WORKERS, include_dashboard=False, log_to_driver=False)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(size, args, Path(tmp), spec))
    ray.shutdown()
    report = {
        "benchmark": "batch forecasting, in process vs local Ray (2 workers)",
        "model": args.model,
        "horizon": HORIZON,
        "series_length": LENGTH,
        "series_per_partition": args.series_per_partition,
        "runs": rows,
        "extrapolation": extrapolate(rows),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "note": args.note,
        "date": time.strftime("%Y-%m-%d"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    clean = json.loads(json.dumps(report, default=float), parse_constant=lambda c: None)
    atomic_write_text(args.out / "scale.json", json.dumps(clean, indent=2) + "\n")
    atomic_write_text(args.out / "scale.md", markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
