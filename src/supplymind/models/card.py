"""Model cards: a README.md next to a model's config.json and model.safetensors.

A card says what the model is, how it was trained (corpus, steps, hardware, wall time, loss
curve) and how it scores, so a saved model can be judged without its training run.
"""

from __future__ import annotations

import csv
import json
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure as MplFigure

from supplymind.files import atomic_path, atomic_write_text

__all__ = ["plot_loss_curve", "write_model_card"]


def plot_loss_curve(loss_csv: str | Path, path: str | Path) -> Path:
    """Plot a ``step,loss,lr`` CSV (as written by pretraining) to a PNG."""
    with Path(loss_csv).open(newline="") as handle:
        rows = [(int(r["step"]), float(r["loss"])) for r in csv.DictReader(handle)]
    fig = MplFigure(figsize=(8, 3.6))
    ax = fig.add_subplot()
    if rows:
        steps, losses = zip(*rows, strict=True)
        ax.plot(steps, losses, linewidth=0.8, color="#9fb3c8", label="train loss")
        window = max(1, len(losses) // 40)
        smooth = [
            sum(losses[max(0, i - window + 1) : i + 1])
            / len(losses[max(0, i - window + 1) : i + 1])
            for i in range(len(losses))
        ]
        ax.plot(steps, smooth, linewidth=1.6, color="#102a43", label=f"moving mean ({window})")
    ax.set_xlabel("step")
    ax.set_ylabel("pinball loss (scaled units)")
    ax.set_title("Pretraining loss")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    return Path(path)


def _table(rows: Mapping[str, Any]) -> str:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows.items()]
    return "\n".join(lines)


def write_model_card(
    folder: str | Path,
    *,
    name: str,
    summary: Mapping[str, Any],
    loss_csv: str | Path | None = None,
    results_markdown: str | None = None,
    hardware: str | None = None,
    wall_seconds: float | None = None,
    notes: str = "",
) -> Path:
    """Write ``folder/README.md`` (and ``loss_curve.png`` when a loss log is given).

    Parameters
    ----------
    folder
        The model folder (config.json + model.safetensors).
    name
        The model's registry name.
    summary
        The pretraining summary (``pretrain_summary.json``): parameters, steps, corpus
        statistics and the run's configuration.
    loss_csv
        The run's ``loss.csv``.
    results_markdown
        Evaluation results (e.g. the zero-shot benchmark tables) to include verbatim.
    hardware
        Where it was trained; defaults to this machine's description.
    wall_seconds
        Total training wall time (all resumed parts together).
    notes
        Extra text (limitations, intended use).
    """
    out = Path(folder)
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    run = summary.get("config", {})
    stats = summary.get("corpus_stats", {})
    arch = {
        "architecture": " + ".join(
            [
                "patch transformer encoder",
                "horizon tokens",
                "residual quantile head",
                *(["linear context-to-horizon path"] if config.get("linear_skip") else []),
                *(
                    [f"gated seasonal copy (lags 1..{config.get('max_lag')})"]
                    if config.get("seasonal_copy")
                    else []
                ),
            ]
        ),
        "parameters": f"{summary.get('parameters', 0):,}",
        "context length": config.get("context_length"),
        "patch size": config.get("patch_size"),
        "native horizon": config.get("max_horizon"),
        "width / layers / heads / ff": (
            f"{config.get('d_model')} / {config.get('num_layers')} / "
            f"{config.get('num_heads')} / {config.get('d_ff')}"
        ),
        "quantiles": ", ".join(str(q) for q in config.get("quantiles", [])),
        "weights file": f"model.safetensors ({(out / 'model.safetensors').stat().st_size:,} bytes)",
    }
    training = {
        "objective": run.get("objective"),
        "steps": run.get("steps"),
        "batch size x accumulation": f"{run.get('batch_size')} x {run.get('grad_accum')}",
        "optimiser": (
            f"AdamW lr {run.get('learning_rate')} (warmup {run.get('warmup_steps')}, cosine), "
            f"weight decay {run.get('weight_decay')}, clip {run.get('grad_clip')}"
        ),
        "seed": run.get("seed"),
        "final loss": f"{summary.get('final_loss', float('nan')):.4f}",
        "hardware": hardware or f"{platform.processor() or platform.machine()}, CPU",
        "wall time": "unknown" if wall_seconds is None else f"{wall_seconds / 60:.1f} min",
    }
    corpus = {
        "series": f"{summary.get('corpus_series', 0):,}",
        "points": f"{summary.get('corpus_points', 0):,}",
    }
    for source, count in stats.get("n_series", {}).items():
        corpus[f"series from {source}"] = f"{count:,}"
    if stats.get("real_series_per_dataset"):
        per = ", ".join(f"{k} {v}" for k, v in stats["real_series_per_dataset"].items())
        corpus["real series per dataset (non-held-out, train part only)"] = per
    sections = [
        f"# {name}",
        "",
        "A time-series backbone of SupplyMind, pretrained self-supervised (masked-patch "
        "reconstruction and next-horizon quantile forecasting, pinball loss) on a corpus of "
        "synthetic (KernelSynth-style Gaussian processes, supply-chain demand generators, "
        "TSMixup) and real series. Real series come only from the non-held-out half of each "
        "dev dataset and only from their training windows; the held-out half is for "
        "evaluation (see `supplymind.training.corpus.real`).",
        "",
        "## Architecture",
        _table(arch),
        "",
        "## Training",
        _table(training),
        "",
        "## Corpus",
        _table(corpus),
        "",
    ]
    if loss_csv is not None:
        plot_loss_curve(loss_csv, out / "loss_curve.png")
        sections += ["## Loss curve", "", "![loss curve](loss_curve.png)", ""]
    if results_markdown:
        sections += ["## Evaluation", "", results_markdown.strip(), ""]
    if notes:
        sections += ["## Notes", "", notes.strip(), ""]
    sections += [
        "## Use",
        "",
        "```python",
        "from supplymind.models.registry import load_backbone",
        "",
        f'model = load_backbone("{name}")',
        "q = model.predict_quantiles([history], horizon=28, quantiles=[0.1, 0.5, 0.9])",
        "# Daily data with a weekly season: the seasonal copy may use lag 7 after one week.",
        "q = model.predict_quantiles([history], 28, [0.1, 0.5, 0.9], season_length=7)",
        "```",
        "",
    ]
    return atomic_write_text(out / "README.md", "\n".join(sections))
