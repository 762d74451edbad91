"""Write the model card of a shipped backbone from its pretraining run(s) and benchmark.

Usage::

    .venv/bin/python scripts/make_model_card.py \
        --model-dir src/supplymind/models/weights/supplymind-ts-small \
        --run runs/small --run runs/small2 --results benchmarks/results/zero_shot.md \
        --name supplymind-ts-small

Each ``--run`` folder holds ``pretrain_summary.json`` and ``loss.csv`` (phases in order);
the loss curves are concatenated and the wall times added.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from pathlib import Path

from supplymind.models.card import write_model_card


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--run", type=Path, action="append", required=True)
    parser.add_argument("--results", type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument(
        "--hardware", default="2-core x86_64 CPU (1 thread phase 1, 2 threads phase 2), no GPU"
    )
    parser.add_argument("--notes", default="")
    args = parser.parse_args()

    summaries = [json.loads((run / "pretrain_summary.json").read_text()) for run in args.run]
    rows: list[list[str]] = []
    offset = 0
    for run, summary in zip(args.run, summaries, strict=True):
        with (run / "loss.csv").open(newline="") as handle:
            for row in csv.DictReader(handle):
                rows.append([str(int(row["step"]) + offset), row["loss"], row["lr"]])
        offset += int(summary["steps"])
    with tempfile.TemporaryDirectory() as tmp:
        loss = Path(tmp) / "loss.csv"
        with loss.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["step", "loss", "lr"])
            writer.writerows(rows)
        final = dict(summaries[-1])
        final["steps"] = offset
        phases = []
        for i, (run, summary) in enumerate(zip(args.run, summaries, strict=True), start=1):
            cfg = summary["config"]
            phases.append(
                f"- Phase {i} (`{run.name}`): {cfg['steps']} steps, batch {cfg['batch_size']}, "
                f"lr {cfg['learning_rate']}, objective {cfg['objective']} "
                f"(masked share {cfg.get('masked_share', 1.0)}), corpus "
                f"{summary['corpus_series']:,} series / {summary['corpus_points']:,} points, "
                f"{summary['wall_seconds_this_run'] / 60:.1f} min, final loss "
                f"{summary['final_loss']:.4f}."
            )
        notes = "\n".join(["Training phases:", *phases, "", args.notes])
        results = args.results.read_text() if args.results else None
        write_model_card(
            args.model_dir,
            name=args.name,
            summary=final,
            loss_csv=loss,
            results_markdown=results,
            hardware=args.hardware,
            wall_seconds=sum(s["wall_seconds_this_run"] for s in summaries),
            notes=notes,
        )
    print(f"wrote {args.model_dir / 'README.md'}")


if __name__ == "__main__":
    main()
