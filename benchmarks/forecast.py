"""The SupplyMind Forecaster (zero-shot, fine-tuned, auto) against its peers, side by side.

Every model forecasts, in one run, the held-out series of each dataset (the series that
``benchmarks/zero_shot.py`` scores: :func:`zero_shot.load_task`, series never used in
pretraining) from the end of their training part, ``horizon`` steps ahead, and is scored on
the test part with the same metrics:

``supplymind-zero-shot``, ``supplymind-full``, ``-head``, ``-lora``, ``-ia3``, ``-auto``
    :class:`supplymind.forecasting.forecaster.Forecaster` fit on the training parts with
    ``finetune="none"``, ``"full"``, ``"head"``, ``"lora"``, ``"ia3"`` and ``"auto"``
    (guarded adoption), then ``predict(horizon)``; its choice (``selection_``), backtest
    table and fine-tuning outcome are stored with the results.
``supplymind-full+covariates``, ``supplymind-full+covariates+static``
    Datasets with covariate columns only (walmart_store_weekly): ``finetune="full"`` with the
    known-future covariates, then also one static covariate (``size_band``: tercile of the
    store's mean weekly sales over the training part). The future values come from the test
    part: ``holiday`` is known in advance; ``temperature``, ``fuel_price``, ``cpi`` and
    ``unemployment`` are the realised values (an oracle, an upper bound on what forecasts of
    them would give).
``fracast``, statsforecast models, ``EmpiricalQuantiles``
    As in ``benchmarks/zero_shot.py`` (``benchmarks/_peers.py``): ``SeasonalNaive``,
    ``AutoETS``, ``AutoTheta``, and ``CrostonSBA`` and ``TSB`` on intermittent datasets only.
``LightGBM``
    mlforecast, one global LightGBM on lags, a rolling mean and calendar features,
    recursive, conformal intervals (:func:`_peers.lightgbm_quantiles`). Conformal intervals
    rather than one quantile objective per level: recursive quantile models feed their own
    quantile forecasts back as lags (the 0.1 model drifts down step after step), and
    mlforecast's direct mode misaligns calendar features (the shared PITFALLS notes).

Metrics, repairs and conventions are those of ``zero_shot.py`` (``_metrics.score``: WQL,
MASE of the median, coverage of [q0.1, q0.9]; wall time = fit + predict). The report adds
the issue's goal check (``supplymind-auto`` best WQL on at least 4 datasets, never more
than 2% worse than the best statistical model, fine-tuned better than zero-shot on
average), what ``auto`` selected per dataset and the covariate comparison.

Run (from the repository root)::

    .venv/bin/python benchmarks/forecast.py [--datasets m3_monthly ...] [--models ...]
        [--limit-series N] [--n-jobs 2] [--threads 2] [--backbone supplymind-ts-small]
        [--data-dir ../shared/data] [--out benchmarks/results]

Writes ``forecast.json`` and ``forecast.md`` in ``--out`` atomically, after each dataset.
"""

from __future__ import annotations

import argparse
import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from _metrics import QUANTILES, geometric_mean
from _peers import (
    CONFORMAL_MODELS,
    STATS_MODELS,
    Forecast,
    guard,
    lightgbm_quantiles,
    seasonal_naive_quantiles,
)
from supplymind.data.datasets import ITEM_ID, TARGET, TIMESTAMP
from supplymind.files import atomic_write_text
from supplymind.models.adapters.fracast import fill_gaps
from supplymind.training.corpus.real import load_heldout, load_validation
from zero_shot import (
    INTERMITTENT_ZERO_SHARE,
    OURS,
    SEED,
    SPLITS,
    Backbones,
    Task,
    _clean,
    _fmt,
    _value,
    add_common_arguments,
    check_common_arguments,
    load_task,
    new_report,
    print_outcome,
    record_text,
    render_markdown,
    run_datasets,
    score_run,
    summarize,
    task_info,
)
from zero_shot import forecast as peer_forecast

#: Forecaster models and their ``finetune`` mode.
SUPPLYMIND = {
    "supplymind-zero-shot": "none",
    "supplymind-full": "full",
    "supplymind-head": "head",
    "supplymind-lora": "lora",
    "supplymind-ia3": "ia3",
    "supplymind-auto": "auto",
}
AUTO = "supplymind-auto"
ZERO_SHOT = "supplymind-zero-shot"
FINETUNED = ("supplymind-full", "supplymind-head", "supplymind-lora", "supplymind-ia3")
#: Fine-tuned with covariates (datasets with covariate columns): model -> with static.
WITH_COVARIATES = {
    "supplymind-full+covariates": False,
    "supplymind-full+covariates+static": True,
}
STATIC = "size_band"
STATISTICAL = STATS_MODELS
PEERS = ("fracast", *STATISTICAL, "LightGBM", "EmpiricalQuantiles")
DEFAULT_MODELS = (*SUPPLYMIND, *WITH_COVARIATES, *PEERS)
DEFAULT_DATASETS = (
    "m3_monthly",
    "tourism_monthly",
    "carparts",
    "hyndman_jewelry",
    "nn5_atm_daily",
    "walmart_store_weekly",
)
#: Goal of the issue: auto has the best WQL on this many datasets (all of them if fewer).
GOAL_BEST_DATASETS = 4
#: Goal of the issue: auto's WQL at most this much above the best statistical model's.
GOAL_MAX_GAP = 0.02


@dataclass(frozen=True)
class ForecastTask(Task):
    """A :class:`zero_shot.Task` with the long tables the Forecaster reads.

    Parameters
    ----------
    train
        ``item_id, timestamp, target`` and the covariate columns of the evaluated series'
        training parts (``item_id`` as text).
    test
        The same columns over their test parts.
    ends
        Last training timestamp of each series, in ``task.item_ids`` order.
    covariates
        Numeric covariate columns of the dataset (empty for most).
    """

    train: pd.DataFrame = field(default_factory=pd.DataFrame)
    test: pd.DataFrame = field(default_factory=pd.DataFrame)
    ends: list[pd.Timestamp] = field(default_factory=list)
    covariates: tuple[str, ...] = ()


def load_forecast_task(
    name: str, data_dir: str | None, limit: int | None, split: str = "heldout"
) -> ForecastTask:
    """Load the held-out series of a dataset (``split="validation"``: the validation
    series, for decisions that must not look at the held-out ones), as arrays and as long
    tables.

    The tables are cut to the series of :func:`zero_shot.load_task` (same series, same
    order), so that every model is scored on the same windows. ``task.notes`` gains
    ``n_irregular_train`` (series whose training rows are not one regular grid, which the
    Forecaster would read differently) and ``n_test_not_contiguous`` (series whose test part
    does not start one period after the training part).
    """
    task = load_task(name, data_dir, limit, split)
    dataset = (load_heldout if split == "heldout" else load_validation)(name, data_dir)
    if dataset.test is None:
        raise ValueError(f"dataset {name!r} has no test part to score")
    keep = set(task.item_ids)
    frames = []
    for part in (dataset.train, dataset.test):
        frame = part.assign(**{ITEM_ID: part[ITEM_ID].astype(str)})
        frames.append(frame.loc[frame[ITEM_ID].isin(keep)].reset_index(drop=True))
    train, test = frames
    fixed = {ITEM_ID, TIMESTAMP, TARGET}
    covariates = tuple(
        c for c in train.columns if c not in fixed and pd.api.types.is_numeric_dtype(train[c])
    )
    stamps = train.groupby(ITEM_ID)[TIMESTAMP]
    first, last, count = stamps.min(), stamps.max(), stamps.size()
    starts = test.groupby(ITEM_ID)[TIMESTAMP].min()
    ends, irregular, apart = [], 0, 0
    for item in task.item_ids:
        grid = pd.date_range(first[item], last[item], freq=task.freq)
        irregular += int(len(grid) != count[item] or grid[-1] != last[item])
        after = pd.date_range(last[item], periods=2, freq=task.freq)[1]
        apart += int(starts.get(item) != after)
        ends.append(pd.Timestamp(last[item]))
    task.notes.update(n_irregular_train=irregular, n_test_not_contiguous=apart)
    return ForecastTask(**vars(task), train=train, test=test, ends=ends, covariates=covariates)


# ------------------------------------------------------------------------------ models


def _size_bands(train: pd.DataFrame) -> pd.Series:
    """Static covariate: tercile (``low``/``mid``/``high``) of each series' mean target."""
    means = train.groupby(ITEM_ID)[TARGET].mean()
    if len(means) < 3:
        return pd.Series("all", index=means.index)
    ranks = means.rank(method="first")
    return pd.qcut(ranks, 3, labels=["low", "mid", "high"]).astype(str)


def supplymind_forecast(
    model: str, task: ForecastTask, backbone: str, n_jobs: int
) -> tuple[Forecast, dict[str, Any]]:
    """Fit the Forecaster in the model's mode and forecast the task's horizon.

    Series without an observed training value (the Forecaster rejects them) and series the
    forecast lacks get the seasonal naive fallback (``"too_short"``); non-finite outputs fall
    back; negative quantiles of non-negative series are clipped (none are expected: the
    Forecaster clips them itself).
    """
    import torch

    from supplymind.forecasting.forecaster import Forecaster, quantile_name

    horizon = task.horizon
    mode = SUPPLYMIND.get(model, "full")
    covariates: tuple[str, ...] = ()
    static: tuple[str, ...] = ()
    columns = [ITEM_ID, TIMESTAMP, TARGET]
    frame = task.train
    if model in WITH_COVARIATES:
        covariates = task.covariates
        columns += list(covariates)
        if WITH_COVARIATES[model]:
            static = (STATIC,)
            bands = _size_bands(frame)
            frame = frame.assign(**{STATIC: frame[ITEM_ID].map(bands)})
            columns.append(STATIC)
    observed = frame.groupby(ITEM_ID)[TARGET].count()
    frame = frame.loc[frame[ITEM_ID].map(observed) > 0, columns]
    future = task.test[[ITEM_ID, TIMESTAMP, *covariates]] if covariates else None
    torch.manual_seed(SEED)
    forecaster = Forecaster(
        backbone,
        horizon=horizon,
        freq=task.freq,
        quantiles=QUANTILES,
        covariates=covariates,
        static=static,
        n_jobs=n_jobs,
        seed=SEED,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecaster.fit(frame, finetune=mode)
        table = forecaster.predict(horizon, future_covariates=future)
    names = [quantile_name(q) for q in QUANTILES]
    by_item = {str(k): g for k, g in table.groupby(ITEM_ID, sort=False)}
    truth_start = task.test.groupby(ITEM_ID)[TIMESTAMP].min()
    out = np.empty((len(task.item_ids), horizon, len(QUANTILES)))
    repairs: dict[str, int] = {}
    misaligned = clipped = 0
    for i, item in enumerate(task.item_ids):
        filled = fill_gaps(task.histories[i])

        def fallback(filled: np.ndarray = filled) -> np.ndarray:
            return seasonal_naive_quantiles(filled, horizon, task.season_length)[0]

        rows = by_item.get(item)
        if rows is None or len(rows) != horizon:
            q = fallback()
            repairs["too_short"] = repairs.get("too_short", 0) + 1
        else:
            q = rows[names].to_numpy(np.float64)
            misaligned += int(pd.Timestamp(rows[TIMESTAMP].iloc[0]) != truth_start.get(item))
        out[i], reason, was_clipped = guard(q, task.histories[i], fallback, absurd=False)
        if reason is not None:
            repairs[reason] = repairs.get(reason, 0) + 1
        clipped += int(was_clipped)
    repairs["clipped"] = clipped
    messages = list(dict.fromkeys(str(w.message) for w in caught))
    notes = {
        "finetune": mode,
        "covariates": list(covariates),
        "static": list(static),
        "n_misaligned_forecasts": misaligned,
        "warnings": messages[:5] + ([f"... {len(messages) - 5} more"] if len(messages) > 5 else []),
        "forecaster": forecaster.summary(),
    }
    return Forecast(out, repairs), notes


def forecast(
    model: str, task: ForecastTask, backbones: Backbones, args: argparse.Namespace
) -> tuple[Forecast, dict[str, Any]]:
    """Quantiles 0.1..0.9 of one model for every series of a task, and model notes."""
    if model in SUPPLYMIND or model in WITH_COVARIATES:
        return supplymind_forecast(model, task, args.backbone, args.n_jobs)
    if model == "LightGBM":
        result = lightgbm_quantiles(
            task.histories,
            task.ends,
            task.horizon,
            task.freq,
            task.season_length,
            QUANTILES,
            args.n_jobs,
            SEED,
        )
        return result, dict(result.info)
    return peer_forecast(model, task, backbones, args.n_jobs)


def skip_reason(model: str, task: ForecastTask) -> str | None:
    """Why a model does not run on a dataset, or ``None`` when it does."""
    if model in CONFORMAL_MODELS and not task.intermittent:
        return f"not intermittent ({task.zero_share:.1%} zeros <= {INTERMITTENT_ZERO_SHARE:.0%})"
    if model in WITH_COVARIATES and not task.covariates:
        return "the dataset has no covariate columns"
    return None


def run_one(
    model: str, task: ForecastTask, backbones: Backbones, args: argparse.Namespace
) -> dict[str, Any]:
    """Forecast and score one model on one dataset; an error is recorded, not raised."""
    record: dict[str, Any] = {"dataset": task.name, "model": model}
    reason = skip_reason(model, task)
    if reason is not None:
        record.update(status="skipped", reason=reason)
        return record
    return score_run(record, task, lambda: forecast(model, task, backbones, args))


# ------------------------------------------------------------------------------ summary


def _wql(records: dict[tuple[str, str], dict[str, Any]], model: str, ds: str) -> float:
    return _value(records, model, ds, "wql")


def goal_table(
    results: list[dict[str, Any]], models: list[str], datasets: list[str]
) -> list[dict[str, Any]]:
    """Per dataset: the best model, auto's WQL, the best statistical model and the gap.

    Returns
    -------
    list of dict
        ``dataset``, ``best_model``, ``best_wql``, ``auto_wql``, ``auto_is_best``,
        ``best_statistical``, ``best_statistical_wql``, ``gap`` (auto / best statistical
        - 1) and ``selection`` (what auto chose per segment).
    """
    records = {(r["model"], r["dataset"]): r for r in results}
    rows = []
    for ds in datasets:
        wql = {m: _wql(records, m, ds) for m in models}
        finite = {m: v for m, v in wql.items() if math.isfinite(v)}
        best = min(finite, key=finite.__getitem__) if finite else None
        stats = {m: v for m, v in finite.items() if m in STATISTICAL}
        best_stat = min(stats, key=stats.__getitem__) if stats else None
        auto = wql.get(AUTO, math.nan)
        stat_wql = stats[best_stat] if best_stat else math.nan
        auto_record = records.get((AUTO, ds), {})
        selection = auto_record.get("notes", {}).get("forecaster", {}).get("selection")
        rows.append(
            {
                "dataset": ds,
                "best_model": best,
                "best_wql": finite[best] if best else math.nan,
                "auto_wql": auto,
                "auto_is_best": bool(best and math.isfinite(auto) and auto <= finite[best]),
                "best_statistical": best_stat,
                "best_statistical_wql": stat_wql,
                "gap": auto / stat_wql - 1.0 if stat_wql > 0 else math.nan,
                "selection": selection,
            }
        )
    return rows


def forecast_goals(
    results: list[dict[str, Any]],
    models: list[str],
    datasets: list[str],
    table: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The issue's goals, each ``{"goal", "met", "detail"}`` (``met`` ``None``: information)."""
    records = {(r["model"], r["dataset"]): r for r in results}
    goals: list[dict[str, Any]] = []
    if AUTO in models and datasets:
        wins = [row["dataset"] for row in table if row["auto_is_best"]]
        needed = min(GOAL_BEST_DATASETS, len(datasets))
        goals.append(
            {
                "goal": f"{AUTO} has the best WQL of all models on at least {needed} of "
                f"{len(datasets)} datasets",
                "met": len(wins) >= needed,
                "detail": "; ".join(
                    [f"best on {len(wins)} ({', '.join(wins) or 'none'})"]
                    + [
                        f"{row['dataset']}: best {row['best_model']} {_fmt(row['best_wql'], 4)}"
                        for row in table
                        if not row["auto_is_best"]
                    ]
                ),
            }
        )
        gaps = {row["dataset"]: row["gap"] for row in table}
        over = [ds for ds, g in gaps.items() if not g <= GOAL_MAX_GAP]
        goals.append(
            {
                "goal": f"{AUTO} is never worse than the best statistical model "
                f"({', '.join(STATISTICAL)}) by more than {GOAL_MAX_GAP:.0%} WQL",
                "met": not over,
                "detail": "; ".join(f"{ds}: {_pct(g)}" for ds, g in gaps.items())
                + (f" (over on {', '.join(over)})" if over else ""),
            }
        )
    tuned = [m for m in FINETUNED if m in models]
    if ZERO_SHOT in models and tuned:
        parts, means = [], []
        base_all = [_wql(records, ZERO_SHOT, ds) for ds in datasets]
        for m in tuned:
            both = [
                ds
                for ds, b in zip(datasets, base_all, strict=True)
                if math.isfinite(b) and math.isfinite(_wql(records, m, ds))
            ]
            if not both:
                parts.append(f"{m} no result")
                continue
            mean = float(np.mean([_wql(records, m, ds) for ds in both]))
            base = float(np.mean([_wql(records, ZERO_SHOT, ds) for ds in both]))
            ratio = geometric_mean(
                [_wql(records, m, ds) / _wql(records, ZERO_SHOT, ds) for ds in both]
            )
            means.append((mean, base, len(both)))
            parts.append(
                f"{m} {mean:.4f} vs {base:.4f} over {len(both)} (geometric mean of the WQL "
                f"ratio {_fmt(ratio, 3)})"
            )
        tuned_mean = float(np.mean([m for m, _, _ in means])) if means else math.nan
        base_mean = float(np.mean([b for _, b, _ in means])) if means else math.nan
        complete = bool(means) and all(n == len(datasets) for _, _, n in means)
        goals.append(
            {
                "goal": "the fine-tuned models beat zero-shot on the average WQL",
                "met": complete and tuned_mean < base_mean,
                "detail": f"mean over modes {_fmt(tuned_mean, 4)} vs zero-shot "
                f"{_fmt(base_mean, 4)}; " + "; ".join(parts),
            }
        )
    return goals


def _pct(value: float | None) -> str:
    return f"{value:+.1%}" if value is not None and math.isfinite(value) else "no result"


def covariate_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """WQL, MASE and coverage of ``supplymind-full`` and its covariate variants per dataset."""
    records = {(r["model"], r["dataset"]): r for r in results}
    rows = []
    for ds in dict.fromkeys(r["dataset"] for r in results):
        ran = [m for m in WITH_COVARIATES if records.get((m, ds), {}).get("status") == "ok"]
        if not ran:
            continue
        base = _wql(records, "supplymind-full", ds)
        for m in ("supplymind-full", *WITH_COVARIATES):
            record = records.get((m, ds), {})
            wql = _wql(records, m, ds)
            rows.append(
                {
                    "dataset": ds,
                    "model": m,
                    "status": record.get("status", "not run"),
                    "wql": wql,
                    "mase": _value(records, m, ds, "mase"),
                    "coverage": _value(records, m, ds, "coverage"),
                    "wql_change": wql / base - 1.0 if base > 0 else math.nan,
                }
            )
    return rows


def summarize_forecast(report: dict[str, Any]) -> dict[str, Any]:
    """:func:`zero_shot.summarize` plus the goal table, the goals and the covariate rows."""
    models = report["config"]["models"]
    datasets = [d for d in report["config"]["datasets"] if d in report["datasets"]]
    summary = summarize(report["results"], models, datasets, report["config"]["datasets"])
    table = goal_table(report["results"], models, datasets)
    summary["goal_table"] = table
    summary["goals"] = forecast_goals(report["results"], models, datasets, table)
    unloaded = [d for d in report["config"]["datasets"] if d not in report["datasets"]]
    for goal in summary["goals"]:
        if unloaded and goal["met"] is not None:
            goal["met"] = False
            goal["detail"] += f" (datasets that did not load: {', '.join(unloaded)})"
    summary["covariates"] = covariate_rows(report["results"])
    return summary


# ------------------------------------------------------------------------------ markdown


def _selection_text(selection: dict[str, str] | None) -> str:
    if not selection:
        return "—"
    return "; ".join(f"{segment}: {choice}" for segment, choice in selection.items())


def _table(
    title: str, columns: Sequence[str], align: str, rows: list[list[str]], intro: str = ""
) -> list[str]:
    """A Markdown section with one table; ``align`` has ``l`` or ``r`` per column."""
    lines = [title, ""] + ([intro, ""] if intro else [])
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "".join("---:|" if a == "r" else "---|" for a in align))
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return [*lines, ""]


def goal_section(report: dict[str, Any]) -> list[str]:
    """The goal table per dataset, with what auto selected, as Markdown lines."""
    rows = [
        [
            row["dataset"],
            f"{row['best_model'] or '—'} ({_fmt(row['best_wql'], 4)})",
            _fmt(row["auto_wql"], 4),
            "yes" if row["auto_is_best"] else "no",
            f"{row['best_statistical'] or '—'} ({_fmt(row['best_statistical_wql'], 4)})",
            _pct(row["gap"]),
            _selection_text(row["selection"]),
        ]
        for row in report["summary"]["goal_table"]
    ]
    columns = ["dataset", "best model (WQL)", f"{AUTO} WQL", "best?"]
    columns += ["best statistical (WQL)", "gap", "auto selected"]
    intro = (
        f"Gap = WQL of {AUTO} / WQL of the best statistical model - 1 (goal: at most "
        f"{GOAL_MAX_GAP:+.0%})."
    )
    return _table("### Goal check per dataset", columns, "llrllrl", rows, intro)


def extra_sections(report: dict[str, Any]) -> list[str]:
    """The covariate comparison and the fine-tuning outcomes, as Markdown lines."""
    lines = [""]
    covariates = report["summary"]["covariates"]
    if covariates:
        rows = [
            [
                row["dataset"],
                row["model"],
                _fmt(row["wql"], 4),
                _pct(row["wql_change"]),
                _fmt(row["mase"], 3),
                _fmt(row["coverage"], 3),
            ]
            for row in covariates
        ]
        columns = ["dataset", "model", "WQL", "change vs supplymind-full", "MASE", "coverage 80%"]
        title = "## Covariates (known-future and static) with the fully fine-tuned model"
        lines += _table(title, columns, "llrrrr", rows)
    rows = []
    for r in report["results"]:
        info = r.get("notes", {}).get("forecaster", {})
        result = info.get("finetune_result")
        if r.get("status") == "ok" and result:
            rows.append(
                [
                    r["dataset"],
                    r["model"],
                    _fmt(result.get("initial_val_loss"), 4),
                    _fmt(result.get("best_val_loss"), 4),
                    f"{result.get('best_step')} / {result.get('steps')}",
                    str(result.get("stopped_early")),
                    _fmt(info.get("timings", {}).get("fit"), 1),
                ]
            )
    columns = ["dataset", "model", "initial", "best", "best step / steps", "stopped early"]
    title = "## Fine-tuning (validation loss before -> best, steps)"
    return lines + _table(title, [*columns, "fit s"], "llrrllr", rows)


def conventions(report: dict[str, Any]) -> list[str]:
    """Conventions of the models this benchmark adds to those of ``zero_shot.py``."""
    config = report["config"]
    lgbm = next(
        (r["notes"] for r in report["results"] if r["model"] == "LightGBM" and "notes" in r),
        None,
    )
    lines = [
        f"- SupplyMind: `Forecaster({config['backbone']!r}, horizon=<dataset horizon>, "
        f"freq=<dataset freq>, quantiles=0.1..0.9, n_jobs={config['n_jobs']}, seed={SEED})"
        ".fit(train, finetune=<mode>).predict(horizon)` on the long table of the same "
        "held-out series (training parts, NaN kept); defaults otherwise (2 validation "
        "windows of one horizon at the end of each series; `auto` fine-tunes in `full` mode "
        "and backtests the zero-shot and fine-tuned models, EmpiricalQuantiles, "
        "SeasonalNaive, AutoETS, AutoTheta, CrostonSBA/TSB and an ensemble of the best 3, "
        "per segment). Wall time = fit (loading, fine-tuning, backtest) + predict. Series "
        "without an observed training value or missing from the forecast get the seasonal "
        "naive fallback (counted as too short).",
        "- Covariates (datasets with covariate columns): known-future "
        f"{', '.join(f'`{c}`' for c in config.get('covariates_seen', [])) or 'columns'}; "
        "their values over the horizon are the test part's (the holiday flag is known in "
        "advance, the others are realised values, an oracle). Static: "
        f"`{STATIC}`, tercile of the series' mean training target.",
        "- TSB: statsforecast `TSB(alpha_d=0.1, alpha_p=0.1)`, intermittent datasets only, "
        "conformal intervals as CrostonSBA.",
    ]
    if lgbm:
        lines.append(
            "- LightGBM: mlforecast `MLForecast` with one global `LGBMRegressor` "
            f"({', '.join(f'{k}={v}' for k, v in lgbm['params'].items())}), recursive; "
            "features: lags 1..min(season, 13) and the season, the rolling mean of lag 1 "
            "over min(season, 13) periods, calendar "
            "(week of year / month / day of week and month) as exogenous columns; each "
            "gap-filled history divided by its mean |y|, series aligned on their last "
            "period; `conformal_distribution` intervals at levels 20..80 mapped to "
            "q0.1..q0.9, from the largest number of windows (5..2) that keeps 90% of the "
            "series (the others fall back to the seasonal naive). Conformal rather than "
            "quantile objectives: a recursive quantile model feeds its own quantiles back "
            "as lags, and the direct mode of mlforecast 1.1.0 misaligns calendar features."
        )
    return lines


def render_forecast_markdown(report: dict[str, Any]) -> str:
    """:func:`zero_shot.render_markdown` under this benchmark's title, plus its sections."""
    text = render_markdown(report)
    title = "# Forecasting benchmark: SupplyMind Forecaster against its peers"
    text = text.replace("# Zero-shot benchmark", title, 1)
    head, marker, tail = text.partition("\n## Series, repairs and errors\n")
    text = head + "\n" + "\n".join(goal_section(report)) + marker + tail
    head, marker, tail = text.partition("\n## Conventions\n")
    extra = "\n".join(extra_sections(report))
    return head + "\n" + extra + marker + tail + "\n".join(conventions(report)) + "\n"


# ------------------------------------------------------------------------------ main


def write_report(report: dict[str, Any], out: Path) -> None:
    """Write ``forecast.json`` and ``forecast.md`` atomically."""
    report["summary"] = summarize_forecast(report)
    report["meta"]["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    clean = _clean(report)
    atomic_write_text(out / "forecast.json", json.dumps(clean, indent=2, allow_nan=False) + "\n")
    atomic_write_text(out / "forecast.md", render_forecast_markdown(clean))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_common_arguments(
        parser,
        DEFAULT_DATASETS,
        DEFAULT_MODELS,
        n_jobs_help="statsforecast processes (also in the Forecaster), LightGBM threads",
    )
    parser.add_argument(
        "--backbone", default=OURS, help="backbone of the Forecaster (registered name)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's own)"
    )
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="heldout",
        help="held-out series (default) or the validation series (for decisions)",
    )
    args = parser.parse_args(argv)
    check_common_arguments(parser, args)
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads: expected a positive number, found {args.threads}")
    return args


def _quiet_transformers() -> None:
    """No weight-loading bars and reports from transformers in the benchmark's output."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        return
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def describe(task: ForecastTask, report: dict[str, Any]) -> dict[str, Any]:
    """What the report records of a dataset (and the covariate columns seen so far)."""
    seen = report["config"]["covariates_seen"]
    seen += [c for c in task.covariates if c not in seen]
    return {**task_info(task), "covariates": list(task.covariates)}


def progress_text(record: dict[str, Any]) -> str:
    """:func:`zero_shot.record_text`, with what auto selected."""
    text = record_text(record)
    selection = record.get("notes", {}).get("forecaster", {}).get("selection")
    if record["model"] == AUTO and selection:
        text += f"  selected {_selection_text(selection)}"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write the results; returns the exit status."""
    args = parse_args(argv)
    _quiet_transformers()
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    packages = [
        "supplymind",
        "statsforecast",
        "mlforecast",
        "lightgbm",
        "numpy",
        "pandas",
        "torch",
        "peft",
        "fracast",
    ]
    config = {
        "datasets": list(args.datasets),
        "models": list(dict.fromkeys(args.models)),
        "quantiles": list(QUANTILES),
        "limit_series": args.limit_series,
        "n_jobs": args.n_jobs,
        "threads": args.threads,
        "backbone": args.backbone,
        "split": args.split,
        "intermittent_zero_share": INTERMITTENT_ZERO_SHARE,
        "covariates_seen": [],
    }
    report = new_report(packages, config)
    backbones = Backbones(None)
    if args.backbone == OURS:
        try:  # provenance (weights digest) of the Forecaster's backbone
            backbones.get(OURS)
        except Exception as exc:
            print(f"cannot load {OURS}: {type(exc).__name__}: {exc}", flush=True)

    def write(report: dict[str, Any]) -> None:
        report["meta"]["backbones"] = backbones.info
        write_report(report, args.out)

    run_datasets(
        report,
        lambda name: load_forecast_task(name, args.data_dir, args.limit_series, args.split),
        lambda model, task: run_one(model, task, backbones, args),
        write,
        describe=lambda task: describe(task, report),
        text=progress_text,
    )
    print_outcome(report, [args.out / "forecast.json", args.out / "forecast.md"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
