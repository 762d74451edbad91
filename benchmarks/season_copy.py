"""The bundled backbone with and without the season length, side by side, on validation series.

Run: ``.venv/bin/python benchmarks/season_copy.py [--datasets ...] [--out DIR]``.

``season_length`` lets the seasonal copy use the season's lag after one cycle of history
instead of two. Whether that helps is a decision, so it is measured on the validation
series (``zero_shot.load_task(..., "validation")``: the non-held-out series, whose test parts
pretraining never read), never on the held-out ones, at three forecast origins per series:

- ``end``: the validation test window, after the whole training part;
- ``end-1h`` and ``end-2h``: the training part cut one and two horizons earlier and
  forecast over the next horizon (the windows the Forecaster's ``auto`` backtests on), where
  histories are shorter and a yearly season more often has only one cycle behind it.

Both variants are scored with the WQL of ``benchmarks/zero_shot.py`` (mean pinball over
q = 0.1..0.9, scaled by the sum of |y|), with SeasonalNaive as the reference. Writes
``season_copy.json`` and ``season_copy.md`` in ``--out``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from supplymind.files import atomic_write_text
from zero_shot import OURS, Backbones, Task, load_task, new_report, run_one

DATASETS = (
    "m3_monthly",
    "tourism_monthly",
    "carparts",
    "nn5_atm_daily",
    "hyndman_jewelry",
    "m4_weekly",
    "walmart_store_weekly",
    "hyndman_hospital",
    "m1_monthly",
)
ORIGINS = ("end", "end-1h", "end-2h")
VARIANTS = ("without season", "with season", "SeasonalNaive")


class _WithoutSeason:
    """The backbone behind the common interface only, so no season length reaches it."""

    def __init__(self, backbone: Any) -> None:
        self.backbone = backbone
        self.context_length = backbone.context_length
        self.max_horizon = backbone.max_horizon

    def predict_quantiles(
        self, context: Sequence[np.ndarray], horizon: int, quantiles: Sequence[float]
    ) -> np.ndarray:
        return np.asarray(self.backbone.predict_quantiles(context, horizon, quantiles))


def earlier(task: Task, k: int) -> Task:
    """The task's training parts cut ``k`` horizons before their end, the next horizon as
    the test (series left with fewer than 8 values are dropped)."""
    if k == 0:
        return task
    h = task.horizon
    keep = [i for i, x in enumerate(task.histories) if len(x) - k * h >= 8]
    histories = [task.histories[i][: len(task.histories[i]) - k * h] for i in keep]
    y = np.array([task.histories[i][len(task.histories[i]) - k * h :][:h] for i in keep])
    return dataclasses.replace(
        task,
        item_ids=[task.item_ids[i] for i in keep],
        histories=histories,
        y=y.reshape(len(keep), h),
        notes={**task.notes, "origin": f"end-{k}h", "n_evaluated": len(keep)},
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    return parser.parse_args(argv)


def render(report: dict[str, Any]) -> str:
    names = list(report["datasets"])
    lines = [
        "# Seasonal copy with and without the season length (validation series)",
        "",
        f"Run {report['meta']['started']}; `{report['meta']['command']}`.",
        "",
        "WQL (lower is better); `end-1h`/`end-2h`: origins one and two horizons before the end "
        "of the training part. Mean: unweighted over datasets.",
        "",
    ]
    for origin in ORIGINS:
        lines += [
            f"## Origin {origin}",
            "",
            "| model | " + " | ".join(names) + " | mean |",
            "|---|" + "---:|" * (len(names) + 1),
        ]
        for variant in VARIANTS:
            row = report["wql"][origin][variant]
            cells = [f"{row[n]:.4f}" for n in names]
            lines.append(
                f"| {variant} | " + " | ".join(cells) + f" | {np.mean(list(row.values())):.4f} |"
            )
        lines.append("")
    lines += [
        "Series per dataset (end / end-1h / end-2h): "
        + "; ".join(
            f"{n} {'/'.join(str(report['datasets'][n][o]) for o in ORIGINS)}" for n in names
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = new_report(["supplymind", "torch"], {"datasets": list(args.datasets)})
    report["wql"] = {o: {v: {} for v in VARIANTS} for o in ORIGINS}
    with_season = Backbones(None)
    without = Backbones(None)
    without.loaded[OURS] = _WithoutSeason(with_season.get(OURS))
    without.info[OURS] = dict(with_season.info[OURS])
    for name in args.datasets:
        base = load_task(name, args.data_dir, None, "validation")
        report["datasets"][name] = {}
        for k, origin in enumerate(ORIGINS):
            task = earlier(base, k)
            report["datasets"][name][origin] = len(task.item_ids)
            started = time.perf_counter()
            runs = {
                "without season": run_one(OURS, task, without, 1),
                "with season": run_one(OURS, task, with_season, 1),
                "SeasonalNaive": run_one("SeasonalNaive", task, with_season, 1),
            }
            for variant, record in runs.items():
                if record.get("status") != "ok":
                    raise RuntimeError(f"{variant} on {name} ({origin}): {record}")
                report["wql"][origin][variant][name] = float(record["wql"])
            print(
                f"{name} {origin}: "
                + " ".join(f"{v}={r['wql']:.4f}" for v, r in runs.items())
                + f" ({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
    report["meta"]["backbones"] = with_season.info
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "season_copy.json", json.dumps(report, indent=2) + "\n")
    atomic_write_text(args.out / "season_copy.md", render(report))
    print(f"wrote {args.out / 'season_copy.json'} and {args.out / 'season_copy.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
