"""Checkpoint selection for a pretraining run, on the validation split (not the held-out one).

Run: ``.venv/bin/python benchmarks/select_checkpoint.py RUN_DIR/snaps/step-* [--baseline DIR]
[--datasets ...] [--limit-series N] [--out FILE.json]``.

Scores each saved SupplyMindTSModel folder zero-shot on the validation split of the
zero-shot benchmark's datasets (``load_validation``: the series whose *train* parts are in
the pretraining corpus, scored on their *test* parts, which pretraining never read), with
the same WQL/MASE/coverage as ``benchmarks/zero_shot.py``, plus SeasonalNaive as a
reference. The held-out evaluation series stay untouched, so choosing the checkpoint with
the lowest mean WQL here does not bias the held-out zero-shot results.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from supplymind.files import atomic_write_text
from zero_shot import (
    DEFAULT_DATASETS,
    OURS,
    Backbones,
    load_task,
    run_one,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("checkpoints", nargs="+", type=Path, help="saved model folders")
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT_DATASETS))
    parser.add_argument("--limit-series", type=int, default=300, help="series per dataset")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", type=Path, default=None, help="JSON file of the scores")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tasks = {
        name: load_task(name, args.data_dir, args.limit_series, "validation")
        for name in args.datasets
    }
    rows: list[dict[str, Any]] = []
    reference = Backbones(None)
    naive = {name: run_one("SeasonalNaive", task, reference, 1) for name, task in tasks.items()}
    print("SeasonalNaive " + " ".join(f"{n}={r['wql']:.4f}" for n, r in naive.items()))
    for folder in args.checkpoints:
        backbones = Backbones(str(folder))
        scores = {name: run_one(OURS, task, backbones, 1) for name, task in tasks.items()}
        wql = {name: float(r.get("wql", np.nan)) for name, r in scores.items()}
        relative = {name: wql[name] / float(naive[name]["wql"]) for name in tasks}
        row = {
            "checkpoint": str(folder),
            "wql": wql,
            "mean_wql": float(np.mean(list(wql.values()))),
            "geomean_relative_to_seasonal_naive": float(
                np.exp(np.mean(np.log(list(relative.values()))))
            ),
        }
        rows.append(row)
        print(
            f"{folder}: mean WQL {row['mean_wql']:.4f}, rel SN "
            f"{row['geomean_relative_to_seasonal_naive']:.3f} | "
            + " ".join(f"{n}={v:.4f}" for n, v in wql.items()),
            flush=True,
        )
    best = min(rows, key=lambda r: r["mean_wql"])
    print(f"best: {best['checkpoint']} (mean WQL {best['mean_wql']:.4f})")
    if args.out is not None:
        report = {
            "split": "validation",
            "limit_series": args.limit_series,
            "seasonal_naive": {n: r["wql"] for n, r in naive.items()},
            "checkpoints": rows,
            "best": best["checkpoint"],
        }
        atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
