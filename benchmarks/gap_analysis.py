"""Where supplymind-ts-small loses to a baseline on one dataset of the zero-shot benchmark.

Run: ``.venv/bin/python benchmarks/gap_analysis.py [--dataset tourism_monthly]
[--baseline SeasonalNaive] [--split heldout] [--top 10] [--out benchmarks/results]``
(seconds on one CPU thread).

WQL pools the pinball loss over series and divides by the pooled ``sum |y|``, so a few
large series can decide a dataset. This script splits the WQL gap between the bundled
backbone and a baseline by series, and measures the seasonal copy's part in it: the same
forecast with the copy's gate forced shut (the transformer's quantiles alone) and forced
fully open (the copy alone). Writes ``gap_<dataset>.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from supplymind.files import atomic_write_text
from supplymind.models import backbone as backbone_module
from zero_shot import (
    DEFAULT_MODELS,
    OURS,
    QUANTILES,
    SPLITS,
    Backbones,
    Task,
    forecast,
    load_task,
    score_run,
)


def pinball_by_series(y: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """WQL numerator of each series: sum over steps of the mean over levels of
    ``2 * pinball`` (NaN test points skipped)."""
    levels = np.asarray(QUANTILES)
    error = y[:, :, None] - quantiles
    loss = 2.0 * np.maximum(levels * error, (levels - 1.0) * error)
    return np.nansum(loss.mean(-1), axis=1)


class GateOverride:
    """Force the seasonal copy's gate (where the copy is usable) to a value, and record the
    gates the model chose."""

    def __init__(self) -> None:
        self.value: float | None = None
        self.seen: list[np.ndarray] = []
        self._original = backbone_module._SeasonalCopy.forward

    def __enter__(self) -> GateOverride:
        original = self._original
        override = self

        def forward(
            module: Any, x: torch.Tensor, seen: torch.Tensor, summary: torch.Tensor, horizon: int
        ) -> tuple[torch.Tensor, torch.Tensor]:
            quantiles, gate = original(module, x, seen, summary, horizon)
            override.seen.append(gate.detach().cpu().numpy().copy())
            if override.value is not None:
                gate = torch.where(gate > 0, torch.full_like(gate, override.value), gate)
            return quantiles, gate

        backbone_module._SeasonalCopy.forward = forward  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        backbone_module._SeasonalCopy.forward = self._original  # type: ignore[method-assign]


def analyse(task: Task, baseline: str, top: int) -> dict[str, Any]:
    backbones = Backbones(None)
    y = task.y
    total = float(np.nansum(np.abs(y)))
    records: dict[str, dict[str, Any]] = {}
    quantiles: dict[str, np.ndarray] = {}
    gates: dict[str, float] = {}
    with GateOverride() as gate:
        for label, value in (("model", None), ("gate shut", 0.0), ("gate open", 1.0)):
            gate.value, gate.seen = value, []
            result, _ = forecast(OURS, task, backbones, 1)
            quantiles[label] = result.quantiles
            records[label] = score_run(
                {"dataset": task.name, "model": label}, task, lambda r=result: (r, {})
            )
            if gate.seen:
                gates[label] = float(np.concatenate(gate.seen).mean())
    result, _ = forecast(baseline, task, backbones, 1)
    quantiles[baseline] = result.quantiles
    records[baseline] = score_run(
        {"dataset": task.name, "model": baseline}, task, lambda: (result, {})
    )
    ours = pinball_by_series(y, quantiles["model"])
    base = pinball_by_series(y, quantiles[baseline])
    gap = (ours - base) / total
    order = np.argsort(-gap)
    scale = np.array([np.nanmean(np.abs(h)) for h in task.histories])
    worst = [
        {
            "item_id": task.item_ids[i],
            "gap_wql": float(gap[i]),
            "share_of_gap": float(gap[i] / gap.sum()) if gap.sum() else float("nan"),
            "history_length": len(task.histories[i]),
            "mean_abs_history": float(scale[i]),
            "share_of_sum_abs_y": float(np.nansum(np.abs(y[i])) / total),
        }
        for i in order[:top]
    ]
    return {
        "dataset": task.name,
        "baseline": baseline,
        "n_series": len(task.item_ids),
        "gap_wql": float(gap.sum()),
        "series_losing": int((gap > 0).sum()),
        "series_winning": int((gap < 0).sum()),
        "top_share_of_gap": float(gap[order[:top]].sum() / gap.sum()) if gap.sum() else None,
        "scores": {
            k: {m: v[m] for m in ("wql", "mase", "coverage") if m in v} for k, v in records.items()
        },
        "mean_gate": gates.get("model"),
        "worst_series": worst,
    }


def markdown(report: dict[str, Any], top: int) -> str:
    scores = report["scores"]
    lines = [
        f"# Gap analysis: {OURS} vs {report['baseline']} on {report['dataset']}",
        "",
        f"{report['n_series']} series. WQL gap (ours minus baseline, pooled): "
        f"{report['gap_wql']:+.4f}; ours is worse on {report['series_losing']} series and "
        f"better on {report['series_winning']}. The {top} series with the largest gap hold "
        f"{report['top_share_of_gap']:.0%} of it (more than 100%: the other series, together, "
        "favour ours).",
        "",
        "| forecast | WQL | MASE | coverage 80% |",
        "|---|---:|---:|---:|",
    ]
    for name, s in scores.items():
        lines.append(
            f"| {name} | {s.get('wql', float('nan')):.4f} | {s.get('mase', float('nan')):.3f} "
            f"| {s.get('coverage', float('nan')):.3f} |"
        )
    lines += [
        "",
        "`model`: the bundled backbone as shipped (mean gate of the seasonal copy "
        f"{report['mean_gate']:.2f} where usable); `gate shut`: the transformer's quantiles "
        "alone; `gate open`: the seasonal copy alone. The two parts are trained as a mixture, "
        "so neither is meant to forecast alone.",
        "",
        "| series | gap (WQL points) | share of the gap | history length | mean abs history | "
        "share of sum abs y |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in report["worst_series"]:
        lines.append(
            f"| {row['item_id']} | {row['gap_wql']:+.5f} | {row['share_of_gap']:.0%} | "
            f"{row['history_length']} | {row['mean_abs_history']:,.0f} | "
            f"{row['share_of_sum_abs_y']:.1%} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dataset", default="tourism_monthly")
    parser.add_argument(
        "--baseline", default="SeasonalNaive", choices=[m for m in DEFAULT_MODELS if m != OURS]
    )
    parser.add_argument("--split", default="heldout", choices=SPLITS)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error(f"--top: expected a positive integer, found {args.top}")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    task = load_task(args.dataset, args.data_dir, None, args.split)
    report = analyse(task, args.baseline, args.top)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"gap_{args.dataset}" + ("" if args.split == "heldout" else f"_{args.split}")
    atomic_write_text(args.out / f"{stem}.json", json.dumps(report, indent=1, default=float))
    atomic_write_text(args.out / f"{stem}.md", markdown(report, args.top))
    print(markdown(report, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
