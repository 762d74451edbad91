"""Zero-shot accuracy of supplymind-ts-small against Fracast and statistical peers.

Every model forecasts, in one run, the held-out series of each dataset
(:func:`supplymind.training.corpus.real.load_heldout`: series never used in pretraining),
from the end of their training part, ``horizon`` steps ahead (the dataset's horizon), and is
scored on the test part:

``supplymind-ts-small``
    Our backbone, zero-shot: the bundled weights, or ``--supplymind-path`` (any folder saved
    by ``SupplyMindTSModel.save_pretrained``, e.g. a pretraining checkpoint).
``fracast``
    Fracast-0 zero-shot (bundled int8 weights).
``SeasonalNaive``, ``AutoETS``, ``AutoTheta``
    statsforecast, fit per series with the dataset's season length, ``level=[20,40,60,80]``
    mapped to the quantiles 0.1..0.9 (the point forecast is the median).
``CrostonSBA``
    statsforecast, on intermittent datasets only (more than 30% zeros among the observed
    training values of the held-out series), with conformal intervals from
    ``min(5, (n - 1) // horizon)`` calibration windows (at least 2).
``EmpiricalQuantiles``
    The empirical quantiles 0.1..0.9 of the last 24 months / 26 weeks / 56 days of the
    history, held flat over the horizon.

Contexts are the full training histories: the backbones read the raw values, NaN
included, and cut them to their context length; the statistical models get gap-filled
histories (leading NaN dropped, interior NaN interpolated, trailing NaN held). Histories too
short for a model, model errors, non-finite or absurd quantiles (beyond 10 times the largest
absolute value of the history, statistical models only) are replaced by the seasonal naive
fallback of that series; negative quantiles of non-negative series are clipped at zero (all
models). Every repair is counted in the results. Test points that are NaN are not scored;
series with no observed test point are left out for every model.

Metrics (see ``benchmarks/_metrics.py``): WQL (mean weighted quantile loss over the levels
0.1..0.9, pooled over series and steps, GluonTS convention ``2 * sum(pinball) / sum(|y|)``),
MASE of the median, coverage of the 80% interval ``[q0.1, q0.9]``, wall time (fit and
predict; backbone loading is reported apart), per-dataset WQL ranks and the geometric mean
of the WQL relative to SeasonalNaive.

Run (from the repository root)::

    .venv/bin/python benchmarks/zero_shot.py [--datasets m3_monthly ...] [--models ...]
        [--supplymind-path runs/small/checkpoints/step-N] [--limit-series N] [--n-jobs 1]
        [--data-dir ../shared/data] [--out benchmarks/results]

Writes ``zero_shot.json`` and ``zero_shot.md`` in ``--out`` atomically, after each dataset.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from _metrics import QUANTILES, geometric_mean, rank_models, score
from _peers import (
    MAX_CONFORMAL_WINDOWS,
    STATS_MODELS,
    Forecast,
    backbone_quantiles,
    empirical_quantiles,
    empirical_window,
    stats_quantiles,
)
from supplymind.data.datasets import ITEM_ID, TARGET, TIMESTAMP
from supplymind.files import atomic_write_text
from supplymind.models.interface import QuantileBackbone
from supplymind.training.corpus.real import load_heldout, load_validation

OURS = "supplymind-ts-small"
BACKBONES = (OURS, "fracast")
BASELINE = "SeasonalNaive"
DEFAULT_DATASETS = (
    "m3_monthly",
    "tourism_monthly",
    "carparts",
    "nn5_atm_daily",
    "hyndman_jewelry",
)
DEFAULT_MODELS = (*BACKBONES, *STATS_MODELS[:3], "CrostonSBA", "EmpiricalQuantiles")
#: A dataset is intermittent when more than this share of its observed training values is 0.
INTERMITTENT_ZERO_SHARE = 0.30
SEED = 0
SPLITS = ("heldout", "validation")


@dataclass(frozen=True)
class Task:
    """The held-out series of one dataset, ready to forecast.

    Parameters
    ----------
    name
        Dataset name.
    item_ids
        Evaluated series, sorted.
    histories
        Raw training values of each series (NaN where missing).
    y
        ``[n, horizon]`` test values (NaN where missing).
    freq, season_length, horizon
        As in the dataset.
    zero_share
        Share of zeros among the observed training values of all held-out series.
    notes
        Counts for the conventions: held-out series, series left out and why.
    """

    name: str
    item_ids: list[str]
    histories: list[np.ndarray]
    y: np.ndarray
    freq: str
    season_length: int
    horizon: int
    zero_share: float
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def intermittent(self) -> bool:
        """Whether the zeros exceed :data:`INTERMITTENT_ZERO_SHARE`."""
        return self.zero_share > INTERMITTENT_ZERO_SHARE


def load_task(name: str, data_dir: str | None, limit: int | None, split: str = "heldout") -> Task:
    """Load the held-out series of a dataset as histories and test windows.

    Parameters
    ----------
    name
        Dataset name.
    data_dir
        Public data folder (``None`` for the default).
    limit
        Keep only the first ``limit`` evaluable series (by ``item_id``); ``None`` for all.
    split
        ``"heldout"`` (the evaluation series, never seen in pretraining) or ``"validation"``
        (the pretraining series, scored on the test parts pretraining never read; for
        checkpoint selection).

    Returns
    -------
    Task
        The series to forecast.
    """
    if split not in SPLITS:
        raise ValueError(f"split: expected one of {SPLITS}, found {split!r}")
    dataset = (load_heldout if split == "heldout" else load_validation)(name, data_dir)
    if dataset.test is None:
        raise ValueError(f"dataset {name!r} has no test part to score")
    horizon = dataset.horizon
    train = dataset.train.sort_values([ITEM_ID, TIMESTAMP], kind="stable")
    test = dataset.test.sort_values([ITEM_ID, TIMESTAMP], kind="stable")
    observed = train[TARGET].to_numpy(np.float64)
    observed = observed[np.isfinite(observed)]
    zero_share = float(np.mean(observed == 0)) if observed.size else math.nan
    tests = {str(k): g.to_numpy(np.float64) for k, g in test.groupby(ITEM_ID, sort=True)[TARGET]}
    item_ids, histories, rows = [], [], []
    no_test = no_observed_test = 0
    for item, group in train.groupby(ITEM_ID, sort=True)[TARGET]:
        values = tests.get(str(item))
        if values is None:
            no_test += 1
            continue
        if not np.isfinite(values).any():
            no_observed_test += 1
            continue
        row = np.full(horizon, np.nan)
        row[: min(horizon, values.size)] = values[:horizon]
        item_ids.append(str(item))
        histories.append(group.to_numpy(np.float64))
        rows.append(row)
    n_evaluable = len(item_ids)
    if limit is not None:
        item_ids, histories, rows = item_ids[:limit], histories[:limit], rows[:limit]
    notes = {
        "split": split,
        "n_heldout_series": int(dataset.metadata["heldout"]["n_heldout_series"]),
        "n_series_in_dataset": int(dataset.metadata["heldout"]["n_series_in_dataset"]),
        "n_without_test": no_test,
        "n_without_observed_test": no_observed_test,
        "n_evaluable": n_evaluable,
        "n_evaluated": len(item_ids),
        "n_missing_train_values": int(sum(np.isnan(h).sum() for h in histories)),
        "n_missing_test_values": int(sum(np.isnan(r).sum() for r in rows)),
        "history_length": [
            int(min(map(len, histories), default=0)),
            int(max(map(len, histories), default=0)),
        ],
    }
    return Task(
        name=name,
        item_ids=item_ids,
        histories=histories,
        y=np.asarray(rows).reshape(len(rows), horizon),
        freq=dataset.freq,
        season_length=dataset.season_length,
        horizon=horizon,
        zero_share=zero_share,
        notes=notes,
    )


class Backbones:
    """Loads each backbone once, on first use, and remembers a failure to load.

    Parameters
    ----------
    supplymind_path
        Folder of a saved SupplyMindTSModel, or ``None`` for the bundled weights.
    """

    def __init__(self, supplymind_path: str | None) -> None:
        self.supplymind_path = supplymind_path
        self.loaded: dict[str, QuantileBackbone | Exception] = {}
        self.info: dict[str, dict[str, Any]] = {}

    def get(self, name: str) -> QuantileBackbone:
        """The loaded backbone ``name``; raises the loading error again on every call."""
        if name not in self.loaded:
            from supplymind.models.registry import load_backbone

            path = self.supplymind_path if name == OURS else None
            start = time.perf_counter()
            try:
                self.loaded[name] = load_backbone(name, path=path)
            except Exception as exc:
                self.loaded[name] = exc
            self.info[name] = {
                "load_s": round(time.perf_counter() - start, 3),
                **_provenance(name, path),
            }
        backbone = self.loaded[name]
        if isinstance(backbone, Exception):
            raise backbone
        self.info[name].setdefault("context_length", backbone.context_length)
        self.info[name].setdefault("max_horizon", backbone.max_horizon)
        return backbone


def _provenance(name: str, path: str | None) -> dict[str, Any]:
    """Where the weights come from, with a digest of the SupplyMind weights file."""
    if name != OURS:
        return {"weights": "bundled in the fracast package", **_versions(["fracast"])}
    from supplymind.models.adapters.supplymind import BUNDLED_DIR

    folder = Path(path).expanduser() if path else BUNDLED_DIR
    weights = folder / "model.safetensors"
    digest = None
    if weights.is_file():
        sha = hashlib.sha256()
        with weights.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                sha.update(block)
        digest = sha.hexdigest()[:16]
    # Relative to the working directory where possible: results must not name this machine.
    try:
        shown = str(folder.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = folder.name
    return {"weights": shown, "model_safetensors_sha256_16": digest}


def _versions(packages: Sequence[str]) -> dict[str, str]:
    out = {}
    for package in packages:
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


def forecast(
    model: str, task: Task, backbones: Backbones, n_jobs: int
) -> tuple[Forecast, dict[str, Any]]:
    """Quantiles 0.1..0.9 of one model for every series of a task, and model notes."""
    levels = list(QUANTILES)
    if model in BACKBONES:
        backbone = backbones.get(model)
        import torch

        from supplymind.models.adapters.fracast import MIN_OBSERVATIONS

        torch.manual_seed(SEED)
        minimum = MIN_OBSERVATIONS if model == "fracast" else 1
        result = backbone_quantiles(
            backbone, task.histories, task.horizon, levels, task.season_length, minimum
        )
        return result, {"min_observed": minimum}
    if model in STATS_MODELS:
        result = stats_quantiles(
            model, task.histories, task.horizon, task.season_length, levels, n_jobs
        )
        return result, dict(result.info)
    if model == "EmpiricalQuantiles":
        window = empirical_window(task.freq, task.season_length)
        result = empirical_quantiles(
            task.histories, task.horizon, window, levels, task.season_length
        )
        return result, {"window": window}
    raise ValueError(f"model: expected one of {DEFAULT_MODELS}, found {model!r}")


def run_one(model: str, task: Task, backbones: Backbones, n_jobs: int) -> dict[str, Any]:
    """Forecast and score one model on one dataset; an error is recorded, not raised."""
    record: dict[str, Any] = {"dataset": task.name, "model": model}
    if model == "CrostonSBA" and not task.intermittent:
        record.update(
            status="skipped",
            reason=f"not intermittent ({task.zero_share:.1%} zeros <= "
            f"{INTERMITTENT_ZERO_SHARE:.0%})",
        )
        return record
    return score_run(record, task, lambda: forecast(model, task, backbones, n_jobs))


def score_run(
    record: dict[str, Any],
    task: Task,
    produce: Callable[[], tuple[Forecast, dict[str, Any]]],
) -> dict[str, Any]:
    """Time ``produce`` (fit + predict), score its forecast and fill ``record``.

    Parameters
    ----------
    record
        ``{"dataset", "model"}``; gains ``status`` (``"ok"`` or ``"error"``), the scores,
        ``wall_s``, ``repairs`` and ``notes``, or ``error``.
    task
        The dataset's series and test windows.
    produce
        Returns the forecast of every series of the task and model notes.

    Returns
    -------
    dict
        ``record``; an error of ``produce`` or of the scoring is recorded, not raised.
    """
    try:
        start = time.perf_counter()
        result, notes = produce()
        wall = time.perf_counter() - start
        scores = score(task.y, result.quantiles, QUANTILES, task.histories, task.season_length)
    except Exception as exc:
        record.update(status="error", error=f"{type(exc).__name__}: {exc}")
        return record
    record.update(status="ok", wall_s=round(wall, 3), **scores.to_dict())
    record["repairs"] = {k: v for k, v in sorted(result.repairs.items()) if v}
    record["notes"] = notes
    return record


# ------------------------------------------------------------------------------ summary


def _value(records: dict[tuple[str, str], dict[str, Any]], model: str, ds: str, key: str) -> float:
    record = records.get((model, ds), {})
    value = record.get(key) if record.get("status") == "ok" else None
    return math.nan if value is None else float(value)


def summarize(
    results: list[dict[str, Any]],
    models: list[str],
    datasets: list[str],
    requested: Sequence[str] = (),
) -> dict[str, Any]:
    """Ranks, relative WQL, averages and the acceptance goals from the per-run records.

    Parameters
    ----------
    results
        One record per model and dataset (see :func:`run_one`).
    models
        Models in table order.
    datasets
        Datasets that loaded, in table order.
    requested
        Every dataset asked for: one that did not load makes the goals not met.

    Returns
    -------
    dict
        ``ranks`` and ``relative_wql`` (model to dataset to value), ``averages`` (model to
        summary row) and ``goals``.
    """
    records = {(r["model"], r["dataset"]): r for r in results}
    ranks: dict[str, dict[str, float]] = {m: {} for m in models}
    relative: dict[str, dict[str, float]] = {m: {} for m in models}
    for ds in datasets:
        wql = {m: _value(records, m, ds, "wql") for m in models}
        for m, rank in rank_models(wql).items():
            ranks[m][ds] = rank
        base = wql.get(BASELINE, math.nan)
        for m in models:
            relative[m][ds] = wql[m] / base if base and np.isfinite(base) else math.nan
    averages: dict[str, dict[str, Any]] = {}
    for m in models:
        row: dict[str, Any] = {}
        for key in ("wql", "mase", "coverage"):
            values = [_value(records, m, ds, key) for ds in datasets]
            finite = [v for v in values if np.isfinite(v)]
            row[key] = float(np.mean(finite)) if finite else math.nan
            row[f"{key}_n_datasets"] = len(finite)
        walls = [_value(records, m, ds, "wall_s") for ds in datasets]
        row["wall_s"] = float(np.nansum(walls)) if np.isfinite(walls).any() else math.nan
        finite_ranks = [v for v in ranks[m].values() if np.isfinite(v)]
        row["rank"] = float(np.mean(finite_ranks)) if finite_ranks else math.nan
        rel = [v for v in relative[m].values() if np.isfinite(v)]
        row["relative_wql_geomean"] = geometric_mean(rel)
        row["relative_wql_n_datasets"] = len(rel)
        averages[m] = row
    return {
        "ranks": ranks,
        "relative_wql": relative,
        "averages": averages,
        "goals": _goals(records, models, datasets, [d for d in requested if d not in datasets]),
    }


def _goals(
    records: dict[tuple[str, str], dict[str, Any]],
    models: list[str],
    datasets: list[str],
    unloaded: list[str],
) -> list[dict[str, Any]]:
    goals: list[dict[str, Any]] = []
    if OURS not in models:
        return goals

    def wql(m: str, ds: str) -> float:
        return _value(records, m, ds, "wql")

    def f4(value: float) -> str:
        return f"{value:.4f}" if math.isfinite(value) else "no result"

    if BASELINE in models:
        per = {ds: (wql(OURS, ds), wql(BASELINE, ds)) for ds in datasets}
        lost = [ds for ds, (a, b) in per.items() if not a < b]
        detail = "; ".join(f"{ds}: {f4(a)} vs {f4(b)}" for ds, (a, b) in per.items())
        goals.append(
            {
                "goal": f"{OURS} beats {BASELINE} on WQL on every dataset",
                "met": not lost,
                "detail": detail + (f" (not met on {', '.join(lost)})" if lost else ""),
            }
        )
    if "fracast" in models:
        both = [
            ds for ds in datasets if np.isfinite(wql(OURS, ds)) and np.isfinite(wql("fracast", ds))
        ]
        ours = float(np.mean([wql(OURS, ds) for ds in both])) if both else math.nan
        theirs = float(np.mean([wql("fracast", ds) for ds in both])) if both else math.nan
        ratio = geometric_mean([wql(OURS, ds) / wql("fracast", ds) for ds in both])
        wins = [ds for ds in both if wql(OURS, ds) < wql("fracast", ds)]
        goals.append(
            {
                "goal": f"{OURS} beats fracast zero-shot on the average WQL",
                "met": bool(both) and len(both) == len(datasets) and ours < theirs,
                "detail": f"mean WQL over {len(both)} datasets {f4(ours)} vs {f4(theirs)}; "
                f"geometric mean of the WQL ratio {ratio:.3f}; "
                f"{OURS} lower on {len(wins)}/{len(both)} ({', '.join(wins) or 'none'})",
            }
        )
    for peer in ("AutoETS", "AutoTheta"):
        if peer not in models:
            continue
        won = [ds for ds in datasets if wql(peer, ds) < wql(OURS, ds)]
        detail = "; ".join(f"{ds}: {f4(wql(peer, ds))} vs {f4(wql(OURS, ds))}" for ds in won)
        goals.append(
            {
                "goal": f"where {peer} beats {OURS} on WQL",
                "met": None,
                "detail": detail or "nowhere",
            }
        )
    if unloaded:
        for goal in goals:
            if goal["met"] is not None:
                goal["met"] = False
            goal["detail"] += f" (datasets that did not load: {', '.join(unloaded)})"
    return goals


# ------------------------------------------------------------------------------ markdown


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _cell(record: dict[str, Any] | None, key: str, digits: int) -> str:
    if record is None:
        return "—"
    if record["status"] == "error":
        return "error"
    if record["status"] == "skipped":
        return "n/a"
    return _fmt(record.get(key), digits)


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: one table per metric, the goals and the conventions."""
    models: list[str] = report["config"]["models"]
    datasets: list[str] = [d for d in report["config"]["datasets"] if d in report["datasets"]]
    records = {(r["model"], r["dataset"]): r for r in report["results"]}
    summary = report["summary"]
    averages = summary["averages"]
    head = "| model | " + " | ".join(datasets) + " | average |"
    rule = "|---|" + "---:|" * (len(datasets) + 1)
    lines = [
        "# Zero-shot benchmark",
        "",
        f"Run {report['meta']['finished']} on {report['meta']['machine']}; "
        f"`{report['meta']['command']}`.",
        "",
    ]
    if report["config"]["limit_series"] is not None:
        lines += [
            f"**Smoke run: at most {report['config']['limit_series']} series per dataset.**",
            "",
        ]
    tables = [
        ("WQL (lower is better)", "wql", 4, "wql"),
        ("MASE of the median (lower is better)", "mase", 3, "mase"),
        ("Coverage of the 80% interval [q0.1, q0.9] (target 0.80)", "coverage", 3, "coverage"),
        ("Wall time, seconds (fit + predict; average column = total)", "wall_s", 1, "wall_s"),
    ]
    for title, key, digits, avg_key in tables:
        lines += [f"## {title}", "", head, rule]
        for m in models:
            cells = [_cell(records.get((m, ds)), key, digits) for ds in datasets]
            avg = _fmt(averages[m][avg_key], digits)
            n = averages[m].get(f"{avg_key}_n_datasets")
            if n is not None and 0 < n < len(datasets):
                avg += f" ({n}/{len(datasets)})"
            lines.append(f"| {m} | " + " | ".join(cells) + f" | {avg} |")
        lines.append("")
    lines += [
        f"## WQL relative to {BASELINE} (average = geometric mean)",
        "",
        head,
        rule,
    ]
    for m in models:
        cells = [_fmt(summary["relative_wql"][m][ds], 3) for ds in datasets]
        avg = _fmt(averages[m]["relative_wql_geomean"], 3)
        n = averages[m]["relative_wql_n_datasets"]
        if 0 < n < len(datasets):
            avg += f" ({n}/{len(datasets)})"
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {avg} |")
    lines += ["", "## Rank by WQL (1 = best; average = mean rank)", "", head, rule]
    for m in models:
        cells = [_fmt(summary["ranks"][m][ds], 1) for ds in datasets]
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {_fmt(averages[m]['rank'], 2)} |")
    lines += ["", "## Goals", ""]
    for goal in summary["goals"]:
        verdict = {True: "**met**", False: "**not met**", None: "—"}[goal["met"]]
        lines.append(f"- {goal['goal']}: {verdict}. {goal['detail']}.")
    lines += [
        "",
        "## Series, repairs and errors",
        "",
        "Series scored (MASE skipped: zero or undefined scale), then the repairs: series whose "
        "forecast was replaced by the seasonal naive fallback (error / too short / non-finite "
        "/ absurd) and series with negative quantiles clipped at 0.",
        "",
        head.replace(" average |", " total |"),
        rule,
    ]
    for m in models:
        cells = []
        for ds in datasets:
            record = records.get((m, ds))
            if record is None or record["status"] != "ok":
                cells.append(_cell(record, "n_series", 0))
                continue
            text = f"{record['n_series']} (MASE skipped {record['n_mase_skipped']})"
            repairs = record.get("repairs", {})
            fallback = {k: v for k, v in repairs.items() if k != "clipped"}
            if fallback:
                text += "; fallback " + ", ".join(f"{k} {v}" for k, v in fallback.items())
            if repairs.get("clipped"):
                text += f"; clipped {repairs['clipped']}"
            cells.append(text)
        total = sum(
            records[(m, ds)]["n_series"]
            for ds in datasets
            if records.get((m, ds), {}).get("status") == "ok"
        )
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {total} |")
    errors = [r for r in report["results"] if r["status"] == "error"]
    skipped = [r for r in report["results"] if r["status"] == "skipped"]
    if errors or skipped:
        lines.append("")
    lines += [f"- {r['model']} on {r['dataset']}: error `{r['error']}`" for r in errors]
    lines += [f"- {r['model']} on {r['dataset']}: skipped, {r['reason']}" for r in skipped]
    lines += _conventions(report, datasets)
    return "\n".join(lines) + "\n"


def _conventions(report: dict[str, Any], datasets: list[str]) -> list[str]:
    records = {(r["model"], r["dataset"]): r for r in report["results"]}
    lines = [
        "",
        "## Conventions",
        "",
        "| dataset | freq | season | horizon | held-out / all series | evaluated | "
        "history length | zeros | intermittent | EmpiricalQuantiles window | "
        "CrostonSBA conformal windows |",
        "|---|---|---:|---:|---|---:|---|---:|---|---:|---|",
    ]
    for ds in datasets:
        info = report["datasets"][ds]
        notes = info["notes"]
        croston = records.get(("CrostonSBA", ds), {})
        windows = croston.get("notes", {}).get("conformal_windows")
        window_text = ", ".join(f"{k}: {v}" for k, v in windows.items()) if windows else "—"
        lo, hi = notes["history_length"]
        lines.append(
            f"| {ds} | {info['freq']} | {info['season_length']} | {info['horizon']} | "
            f"{notes['n_heldout_series']} / {notes['n_series_in_dataset']} | "
            f"{notes['n_evaluated']} | {lo}..{hi} | {info['zero_share']:.1%} | "
            f"{'yes' if info['intermittent'] else 'no'} | {info['empirical_window']} | "
            f"{window_text} |"
        )
    loads = report["meta"].get("backbones", {})
    lines += [
        "",
        "- Held-out split: `load_heldout` (sha256 of `dataset/item_id` below 0.5; these series "
        "were never used in pretraining). Forecast origin = end of the training part, horizon "
        "= the dataset's horizon, scored on the test part (official test for M3 and tourism, "
        "the last `horizon` points elsewhere). Series without an observed test point are left "
        "out for every model; NaN test points are not scored.",
        *(
            [
                "- **This run scores the validation split** (`--split validation`, "
                "`load_validation`): the other half of each dataset, whose train parts are in "
                "the pretraining corpus and whose test parts are not. The 'held-out / all "
                "series' column counts the held-out half; the evaluated column counts the "
                "validation series."
            ]
            if report["config"].get("split") == "validation"
            else []
        ),
        "- Contexts: the full training history. The backbones read it raw (NaN included) and "
        "cut it to their context length; the statistical models and the fallback get it "
        "gap-filled: leading NaN dropped, interior NaN interpolated linearly, trailing NaN "
        "held at the last observation.",
        "- Statistical models: statsforecast, per series, season length of the dataset "
        "(AutoETS caps seasons at 24, so weekly data gets a non-seasonal ETS), "
        "`level=[20,40,60,80]` mapped to q0.1..q0.9 (lo-80 -> 0.1, ..., median = point "
        "forecast, ..., hi-80 -> 0.9). CrostonSBA only on intermittent datasets "
        f"(> {INTERMITTENT_ZERO_SHARE:.0%} zeros), conformal intervals (conformal_distribution) "
        f"from min({MAX_CONFORMAL_WINDOWS}, (n - 1) // horizon) windows, at least 2; the "
        "table lists windows: series.",
        "- Fallback (counted per model): the seasonal naive quantiles of the series "
        "(SeasonalNaive when the filled history is longer than a season, else Naive, else "
        "the last value, else 0) replace a forecast when the model errs, the history is too "
        "short (SeasonalNaive: not longer than a season; CrostonSBA: fewer than 2 conformal "
        "windows; fracast: fewer than 8 observed values; any model: no observation), the "
        "quantiles are non-finite, or (statistical models only) absurd: beyond 10x the "
        "largest absolute value of the history. Negative quantiles of non-negative series are "
        "clipped at 0 for every model.",
        "- EmpiricalQuantiles: numpy's linear-interpolation quantiles of the observed values "
        "in the last window (24 months, 26 weeks, 56 days), held flat.",
        "- WQL: mean over q in 0.1..0.9 of 2 * sum(pinball_q) / sum(|y|), sums pooled over "
        "series and steps (GluonTS/Chronos convention; halve it for the mean pinball loss "
        "scaled by sum |y|). MASE: mean over series of MAE(median) / in-sample seasonal "
        "naive MAE (lag 1 when the history is not longer than a season); zero-scale series "
        "skipped. Coverage: share of scored points in [q0.1, q0.9]. Averages: arithmetic "
        "mean over datasets (geometric for relative WQL); wall time: total.",
        "- Wall time: fit + predict (gap filling included) on "
        f"{report['config']['n_jobs']} statsforecast process(es)"
        + (
            "; backbone loading apart: "
            + ", ".join(f"{k} {v.get('load_s', '—')} s" for k, v in loads.items())
            if loads
            else ""
        )
        + ".",
    ]
    for name, info in loads.items():
        detail = ", ".join(f"{k} {v}" for k, v in info.items() if k != "load_s")
        lines.append(f"- {name}: {detail}.")
    return lines


# ------------------------------------------------------------------------------ main


def _clean(obj: Any) -> Any:
    """NaN and infinities to ``None`` so that the JSON is strict."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        return _clean(obj.item())
    return obj


def write_report(report: dict[str, Any], out: Path) -> None:
    """Write ``zero_shot.json`` and ``zero_shot.md`` atomically."""
    report["summary"] = summarize(
        report["results"],
        report["config"]["models"],
        [d for d in report["config"]["datasets"] if d in report["datasets"]],
        report["config"]["datasets"],
    )
    report["meta"]["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    clean = _clean(report)
    atomic_write_text(out / "zero_shot.json", json.dumps(clean, indent=2, allow_nan=False) + "\n")
    atomic_write_text(out / "zero_shot.md", render_markdown(clean))


def add_common_arguments(
    parser: argparse.ArgumentParser,
    datasets: Sequence[str],
    models: Sequence[str],
    n_jobs_help: str = "statsforecast processes",
) -> None:
    """The options every forecasting benchmark shares (``--datasets`` ... ``--out``)."""
    parser.add_argument("--datasets", nargs="+", default=list(datasets))
    parser.add_argument("--models", nargs="+", default=list(models), choices=list(models))
    parser.add_argument("--limit-series", type=int, default=None, help="series per dataset")
    parser.add_argument("--n-jobs", type=int, default=1, help=n_jobs_help)
    parser.add_argument("--data-dir", default=None, help="public data folder")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))


def check_common_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Reject a non-positive ``--limit-series`` or ``--n-jobs`` through ``parser.error``."""
    if args.limit_series is not None and args.limit_series < 1:
        parser.error(f"--limit-series: expected a positive number, found {args.limit_series}")
    if args.n_jobs < 1:
        parser.error(f"--n-jobs: expected a positive number, found {args.n_jobs}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_common_arguments(parser, DEFAULT_DATASETS, DEFAULT_MODELS)
    parser.add_argument(
        "--supplymind-path",
        default=None,
        help="folder of a saved SupplyMindTSModel (default: the bundled supplymind-ts-small)",
    )
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="heldout",
        help="series to score: the held-out evaluation series (default) or the validation "
        "series (pretraining series, scored on the test parts pretraining never read)",
    )
    args = parser.parse_args(argv)
    check_common_arguments(parser, args)
    return args


def new_report(packages: Sequence[str], config: dict[str, Any]) -> dict[str, Any]:
    """An empty report: the command, start time, machine, versions of ``packages``, seed."""
    return {
        "meta": {
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {platform.python_version()}",
            "versions": _versions(packages),
            "seed": SEED,
        },
        "config": config,
        "datasets": {},
        "results": [],
    }


def task_info(task: Task) -> dict[str, Any]:
    """What the report records of a dataset."""
    return {
        "freq": task.freq,
        "season_length": task.season_length,
        "horizon": task.horizon,
        "zero_share": task.zero_share,
        "intermittent": task.intermittent,
        "empirical_window": empirical_window(task.freq, task.season_length),
        "notes": task.notes,
    }


def record_text(record: dict[str, Any]) -> str:
    """One progress line for a record: the scores, or the error or skip reason."""
    if record["status"] == "ok":
        return (
            f"WQL {record['wql']:.4f}  MASE {record['mase']:.3f}  "
            f"cov80 {record['coverage']:.3f}  {record['wall_s']:.1f} s"
        )
    return str(record.get("error") or record.get("reason", ""))


TaskT = TypeVar("TaskT", bound=Task)


def run_datasets(
    report: dict[str, Any],
    load: Callable[[str], TaskT],
    run: Callable[[str, TaskT], dict[str, Any]],
    write: Callable[[dict[str, Any]], None],
    describe: Callable[[TaskT], dict[str, Any]] = task_info,
    text: Callable[[dict[str, Any]], str] = record_text,
) -> None:
    """Run every model on every dataset of ``report["config"]``, printing progress.

    Parameters
    ----------
    report
        Gains ``datasets[name]`` (``describe(task)``) and one record per model and dataset
        (a dataset that does not load gets an error record per model).
    load
        Dataset name to task.
    run
        Model name and task to record (see :func:`score_run`).
    write
        Writes the report; called after each dataset that loaded, and at the end.
    describe
        What the report records of a dataset.
    text
        Progress line of a record.
    """
    models = report["config"]["models"]
    total = len(report["config"]["datasets"]) * len(models)
    done = 0
    for name in report["config"]["datasets"]:
        try:
            task = load(name)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            print(f"[{name}] cannot load: {message}", flush=True)
            report["results"] += [
                {"dataset": name, "model": m, "status": "error", "error": message} for m in models
            ]
            done += len(models)
            continue
        report["datasets"][name] = describe(task)
        print(
            f"[{name}] {len(task.item_ids)} series, horizon {task.horizon}, season "
            f"{task.season_length}, zeros {task.zero_share:.1%}",
            flush=True,
        )
        for model in models:
            done += 1
            record = run(model, task)
            report["results"].append(record)
            print(
                f"  [{done}/{total}] {name} x {model}: {record['status']}  {text(record)}",
                flush=True,
            )
        write(report)
    write(report)


def print_outcome(report: dict[str, Any], paths: Sequence[Path]) -> None:
    """Where the results went, and the goals."""
    print(f"wrote {' and '.join(str(p) for p in paths)}", flush=True)
    for goal in report["summary"]["goals"]:
        verdict = {True: "met", False: "NOT met", None: "-"}[goal["met"]]
        print(f"goal: {goal['goal']}: {verdict}. {goal['detail']}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write the results; returns the exit status."""
    args = parse_args(argv)
    models = list(dict.fromkeys(args.models))
    packages = ["supplymind", "statsforecast", "numpy", "pandas", "torch", "fracast"]
    config = {
        "datasets": list(args.datasets),
        "models": models,
        "quantiles": list(QUANTILES),
        "limit_series": args.limit_series,
        "n_jobs": args.n_jobs,
        "supplymind_path": args.supplymind_path,
        "split": args.split,
        "intermittent_zero_share": INTERMITTENT_ZERO_SHARE,
        "max_conformal_windows": MAX_CONFORMAL_WINDOWS,
    }
    report = new_report(packages, config)
    backbones = Backbones(args.supplymind_path)

    def write(report: dict[str, Any]) -> None:
        report["meta"]["backbones"] = backbones.info
        write_report(report, args.out)

    run_datasets(
        report,
        lambda name: load_task(name, args.data_dir, args.limit_series, args.split),
        lambda model, task: run_one(model, task, backbones, args.n_jobs),
        write,
    )
    print_outcome(report, [args.out / "zero_shot.json", args.out / "zero_shot.md"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
