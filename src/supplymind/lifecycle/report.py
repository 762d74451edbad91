"""Model cards of registered versions: ``README.md`` next to the model's files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from supplymind.files import atomic_write_text

__all__ = ["write_version_card"]


def _table(rows: Mapping[str, Any]) -> str:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows.items()]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "-" if value is None else str(value)


def write_version_card(
    folder: str | Path,
    *,
    model_id: str,
    task: str,
    backbone: str,
    started_from: str,
    parent_id: str | None,
    hyperparameters: Mapping[str, Any],
    data: Mapping[str, Any],
    metrics: Mapping[str, Any],
) -> Path:
    """Write ``folder/README.md``: lineage, training data, scores and the promotion decision.

    The card is written before registration, so its checksum is recorded with the other
    files; later status changes (promotion, retirement) live in the registry, not here.
    """
    identity = {
        "model id": model_id,
        "task": task,
        "backbone": backbone,
        "fine-tuning started from": started_from,
        "parent (lineage)": parent_id or "-",
        "fine-tune mode": hyperparameters.get("finetune"),
        "adopted per segment": ", ".join(
            f"{k}: {v}" for k, v in (metrics.get("selection") or {}).items()
        ),
    }
    period = {
        "tables": ", ".join(data.get("tables", [])),
        "period": f"{data.get('first')} .. {data.get('last')}",
        "rows / series": f"{data.get('rows')} / {data.get('series')}",
        "sha256": f"`{data.get('sha256')}`",
    }
    lines = [
        "| segment | challenger WQL | champion WQL |",
        "|---|---|---|",
    ]
    chall = metrics.get("challenger_scores") or {}
    champ = metrics.get("champion_scores") or {}
    for segment in chall:
        lines.append(f"| {segment} | {_fmt(chall.get(segment))} | {_fmt(champ.get(segment))} |")
    backtest = metrics.get("backtest") or []
    bt_lines = ["| segment | model | WQL | MASE | 80% coverage |", "|---|---|---|---|---|"]
    for row in backtest:
        bt_lines.append(
            f"| {row.get('segment')} | {row.get('model')} | {_fmt(row.get('wql'))} | "
            f"{_fmt(row.get('mase'))} | {_fmt(row.get('coverage_80'))} |"
        )
    sections = [
        f"# {model_id}",
        "",
        f"A {task} model of SupplyMind, registered by `supplymind retrain`.",
        "",
        "## Identity and lineage",
        _table(identity),
        "",
        "## Training data",
        _table(period),
        "",
        "## Comparison on the newest windows",
        "",
        f"Evaluation origins: {', '.join(metrics.get('eval_origins', []))}; compared with "
        f"{metrics.get('compared_with') or 'no champion'}.",
        "",
        "\n".join(lines),
        "",
        f"**Decision at registration: {metrics.get('decision')}** ({metrics.get('reason')}).",
        "",
        "## Backtest of the candidates (validation windows of the training data)",
        "",
        "\n".join(bt_lines),
        "",
        "## Hyperparameters",
        "",
        "```json",
        json.dumps(hyperparameters, indent=2, sort_keys=True, default=str),
        "```",
        "",
        "## Use",
        "",
        "```python",
        "from supplymind.lifecycle.registry import ModelRegistry",
        "",
        "# checksums are verified before anything is loaded",
        f'forecaster = ModelRegistry(warehouse).load_forecaster("{model_id}")',
        "forecast = forecaster.predict(history=history)",
        "```",
        "",
    ]
    return atomic_write_text(Path(folder) / "README.md", "\n".join(sections))
