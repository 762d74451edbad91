"""Wall time of ``supplymind forecast`` (fine-tune + forecast) next to statsforecast's AutoETS
on the same data: 1,000 series x 200 daily points, horizon 28, on this machine's cores.

The series are synthetic and seeded (weekly cycles, trends, promotions, a share of
intermittent items: the mix a retailer's SKU table holds). ``supplymind forecast`` runs as a
subprocess, as a user would call it (the default ``--finetune auto``: zero-shot, fine-tuned
and statistical candidates backtested, the best adopted per segment), so its time includes
start-up, reading and writing. AutoETS (season 7) is fit and forecast in this process with
statsforecast on ``--n-jobs`` processes, its 80% interval asked for so both produce quantiles.

Run (from the repository root)::

    .venv/bin/python benchmarks/forecast_timing.py [--series 1000] [--length 200]
        [--horizon 28] [--n-jobs 2] [--out benchmarks/results]

Writes ``forecast_timing.json`` and ``forecast_timing.md`` in ``--out`` atomically.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from supplymind.files import atomic_write_text


def make_history(n_series: int, length: int, seed: int = 0) -> pd.DataFrame:
    """``item_id, timestamp, target``: seeded daily demand, a fifth of it intermittent."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2024-01-01", periods=length, freq="D")
    t = np.arange(length)
    frames = []
    for i in range(n_series):
        level = rng.lognormal(2.0, 1.0)
        weekly = 1 + rng.uniform(0, 0.5) * np.sin(2 * np.pi * t / 7 + rng.uniform(0, 7))
        trend = 1 + rng.normal(0, 0.002) * t
        promo = 1 + (rng.random(length) < 0.05) * rng.uniform(0.5, 1.5)
        mean = np.clip(level * weekly * trend * promo, 0.01, None)
        y = rng.poisson(mean).astype(float)
        if i % 5 == 0:
            y *= rng.random(length) < 0.25
        frames.append(pd.DataFrame({"item_id": f"sku{i:05d}", "timestamp": stamps, "target": y}))
    return pd.concat(frames, ignore_index=True)


def time_cli(history: Path, out: Path, horizon: int, n_jobs: int) -> tuple[float, str]:
    """Seconds of ``supplymind forecast`` and the tail of its output."""
    exe = Path(sys.executable).with_name("supplymind")
    cmd = [
        str(exe),
        "forecast",
        "--history",
        str(history),
        "--horizon",
        str(horizon),
        "--n-jobs",
        str(n_jobs),
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    env = {**os.environ, "COLUMNS": "140"}
    run = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise RuntimeError(f"supplymind forecast failed ({run.returncode}):\n{run.stderr}")
    return seconds, run.stdout[-3000:]


def time_autoets(frame: pd.DataFrame, horizon: int, n_jobs: int) -> float:
    """Seconds of statsforecast AutoETS fit + forecast with an 80% interval."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    data = frame.rename(columns={"item_id": "unique_id", "timestamp": "ds", "target": "y"})
    start = time.perf_counter()
    sf = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=n_jobs)
    sf.forecast(df=data, h=horizon, level=[80])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    history = make_history(args.series, args.length)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.csv"
        history.to_csv(path, index=False)
        cli_s, cli_out = time_cli(path, Path(tmp) / "forecast.csv", args.horizon, args.n_jobs)
        forecast = pd.read_csv(Path(tmp) / "forecast.csv")
    ets_s = time_autoets(history, args.horizon, args.n_jobs)
    result = {
        "run": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "processor": platform.machine(),
            "load_average_1m_at_end": os.getloadavg()[0],
        },
        "series": args.series,
        "length": args.length,
        "horizon": args.horizon,
        "n_jobs": args.n_jobs,
        "supplymind_forecast_seconds": cli_s,
        "supplymind_forecast_rows": len(forecast),
        "autoets_seconds": ets_s,
        "ratio": cli_s / ets_s,
        "supplymind_output_tail": cli_out,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "forecast_timing.json", json.dumps(result, indent=2))
    md = [
        "# `supplymind forecast` wall time next to AutoETS",
        "",
        f"Run {result['run']} on {os.cpu_count()} CPUs ({platform.machine()}), "
        f"load average at the end {result['machine']['load_average_1m_at_end']:.1f}; "
        f"`python benchmarks/forecast_timing.py --series {args.series} --length {args.length} "
        f"--horizon {args.horizon} --n-jobs {args.n_jobs}`.",
        "",
        "| run | wall s |",
        "|---|---:|",
        f"| `supplymind forecast` (default `--finetune auto`: backtest, fine-tune, adopt, "
        f"forecast; start-up and I/O included) | {cli_s:.1f} |",
        f"| statsforecast AutoETS(season 7), fit + forecast, 80% interval | {ets_s:.1f} |",
        "",
        f"{args.series} series x {args.length} daily points, horizon {args.horizon}; "
        f"{len(forecast):,} forecast rows written. Ratio {cli_s / ets_s:.1f}x.",
        "",
        "Output of the command (tail):",
        "",
        "```",
        cli_out.strip(),
        "```",
        "",
    ]
    atomic_write_text(args.out / "forecast_timing.md", "\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
