"""Inventory benchmark: base-stock policies from SupplyMind's demand distributions against
the normal-approximation safety stock, simulated on held-out demand.

Run: ``.venv/bin/python benchmarks/inventory.py [--datasets carparts,hyndman_jewelry,
nn5_atm_daily] [--out benchmarks/results] [--n-samples 1000] [--max-series N]``.

For each dataset (the loader's train/test split; the test part is held out), every method
plans a periodic-review base-stock policy on the history and is simulated on the test
periods, re-planning at every review with the demand observed so far (model parameters are
estimated on the history only). Methods, side by side in one run:

- ``supplymind_forecaster``: the SupplyMind Forecaster (pretrained backbone, ``finetune=
  "auto"``: zero-shot, fine-tuned and statistical candidates backtested, the best adopted
  per segment), fitted once on the history with the protection period as horizon; at every
  re-plan it forecasts from the demand seen so far and its quantiles are sampled
  (``DemandModel("backbone")``);
- ``supplymind_zero_shot``: the same with the pretrained backbone alone (``finetune="none"``);
- ``supplymind_stat_paths``: the statistical sample-path model behind ``supplymind plan``'s
  default (``StatsForecastQuantileForecaster``: AutoETS sample paths for smooth series,
  negative-binomial paths for intermittent ones), protection-period demand from the paths;
- ``supplymind_global``: one LightGBM model of the protection-period demand across all
  series and one of its out-of-fold error variance (``DemandModel("global")``,
  :mod:`supplymind.inventory.pooled`), fitted once on the history; negative-binomial paths
  for whole-unit demand;
- ``empirical_bootstrap``: the flat empirical-quantile baseline of PITFALLS, bootstrapped
  over the protection period;
- ``normal_autoets``: normal approximation, AutoETS mean and in-sample residual sd;
- ``normal_hist_sigma``: normal approximation, recent mean and sd of the history.

Rows ``<method>+portfolio`` (for the three SupplyMind methods and, for transparency, for
``normal_hist_sigma``) take the same demand distributions and re-plans as ``<method>`` (no
second fit) but set the levels for a fill rate pooled over all series, with the least total
stock (``frontier(..., scope="portfolio")``, :mod:`supplymind.inventory.portfolio`): the
pooled fill rate is what is measured, so the gap between ``normal_hist_sigma`` and
``normal_hist_sigma+portfolio`` is the gain of the allocation alone. Cost targets have no
scope, so these rows report no cost-target columns ("n/a"). The "vs" columns always compare
with the item-level ``normal_hist_sigma`` and ``normal_autoets``.

Reported: at the nominal 95% fill-rate target the achieved fill rate (units served from
stock / units demanded, all series pooled), cycle service level and average on hand; the
fill-rate sweep (frontier) of each method and, interpolated on it, the average stock each
method needs to achieve the same fill rate; at cost targets (holding 1 per unit-period,
backorder cost p per unit-period, critical ratio p/(p+1)) the total cost.
Writes ``inventory.json``, ``inventory.md`` and one frontier PNG per dataset.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supplymind.data.datasets import load_dataset
from supplymind.files import atomic_write_text
from supplymind.forecasting.forecaster import Forecaster
from supplymind.inventory.backtest import frontier, prepare_backtest, rolling_demands, run_policies
from supplymind.inventory.frames import SERIES_COL, TARGET_COL, check_history, series_keys
from supplymind.inventory.params import CostParams, InventoryParams, LeadTime, ServiceTarget
from supplymind.inventory.plan import DemandModel, series_params, series_table
from supplymind.inventory.plot import plot_frontier

DATASETS: dict[str, dict[str, Any]] = {
    "carparts": {"lead_time": 1, "review_period": 1, "kind": "intermittent, monthly"},
    "hyndman_jewelry": {"lead_time": 2, "review_period": 1, "kind": "weekly"},
    "nn5_atm_daily": {"lead_time": 2, "review_period": 7, "kind": "daily"},
}
METHODS = {
    "supplymind_forecaster": "backbone",
    "supplymind_zero_shot": "backbone",
    "supplymind_stat_paths": "auto",
    "supplymind_global": "global",
    "empirical_bootstrap": "empirical",
    "normal_autoets": "normal_ets",
    "normal_hist_sigma": "normal",
}
TARGET = 0.95
FILL_TARGETS = (
    0.5,
    0.7,
    0.8,
    0.85,
    0.9,
    0.93,
    0.95,
    0.97,
    0.98,
    0.99,
    0.995,
    0.999,
    0.9999,
    0.99999,
    0.999999,
)
#: ``finetune`` of the Forecaster-based methods.
FINETUNE = {"supplymind_forecaster": "auto", "supplymind_zero_shot": "none"}
#: Methods the issue's goal is checked for.
OURS = (
    "supplymind_forecaster",
    "supplymind_zero_shot",
    "supplymind_stat_paths",
    "supplymind_global",
)
#: Methods that also get a portfolio fill-rate row, ``<method>+portfolio``.
PORTFOLIO = (*OURS, "normal_hist_sigma")
PORTFOLIO_SUFFIX = "+portfolio"
#: Rows of the goal checks: ours at item level and with the portfolio target.
GOAL_ROWS = (*OURS, *(f"{label}{PORTFOLIO_SUFFIX}" for label in OURS))
HOLDING_COST = 1.0
SHORTAGE_COSTS = (4.0, 19.0)
REPORT_SHORTAGE_COST = 19.0


def _split(name: str, max_series: int | None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    ds = load_dataset(name)
    assert ds.test is not None
    hist = check_history(ds.train)
    test = check_history(ds.test, role="test")
    notes = []
    observed = set(test.dropna(subset=[TARGET_COL])["item_id"])
    dropped = hist["item_id"].nunique() - len(observed)
    if dropped:
        notes.append(f"{dropped} series without observed test demand left out")
    keep = sorted(observed)
    if max_series is not None and len(keep) > max_series:
        keep = keep[:max_series]
        notes.append(f"first {max_series} series only (--max-series)")
    hist = hist[hist["item_id"].isin(keep)].reset_index(drop=True)
    test = test[test["item_id"].isin(keep)].reset_index(drop=True)
    return hist, test, notes


def _at_fill_rate(curve: pd.DataFrame, level: float, column: str) -> float | None:
    """``column`` interpolated at the achieved fill rate ``level`` along a sweep."""
    fill = np.maximum.accumulate(curve["fill_rate"].to_numpy())
    values = curve[column].to_numpy()
    if level > fill.max() or level < fill.min():
        return None
    return float(np.interp(level, fill, values))


def _method_entry(
    curve: pd.DataFrame,
    used: dict[str, str],
    costs: dict[str, Any] | None,
    seconds: float,
) -> dict[str, Any]:
    """The results of one method (or one ``+portfolio`` row) from its fill-rate sweep."""
    at_target = curve[curve["target"] == TARGET].iloc[0]
    return {
        "demand_models": pd.Series(used).value_counts().to_dict(),
        "at_target_0.95": {
            "fill_rate": float(at_target["fill_rate"]),
            "cycle_service_level": float(at_target["cycle_service_level"]),
            "average_on_hand": float(at_target["average_on_hand"]),
            "total_cost_p19": float(at_target["total_cost"]),
        },
        "average_on_hand_at_achieved_fill_rate": {
            f"{lv:g}": _at_fill_rate(curve, lv, "average_on_hand") for lv in (0.9, 0.95)
        },
        "cost_targets": costs,
        "frontier": curve.to_dict("records"),
        "seconds": seconds,
    }


def run_dataset(
    name: str, n_samples: int, max_series: int | None, out: Path, n_jobs: int
) -> dict[str, Any]:
    config = DATASETS[name]
    hist, test, notes = _split(name, max_series)
    hist = hist.assign(**{SERIES_COL: series_keys(hist)})
    test = test.assign(**{SERIES_COL: series_keys(test)})
    params = InventoryParams(
        lead_time=LeadTime.fixed(config["lead_time"]),
        review_period=config["review_period"],
        costs=CostParams(HOLDING_COST, REPORT_SHORTAGE_COST),
        service=ServiceTarget(TARGET),
    )
    per_series = series_params(series_table(hist), params)
    data = prepare_backtest(hist, test, per_series)
    result: dict[str, Any] = {
        "dataset": name,
        "kind": config["kind"],
        "n_series": len(data.series_ids),
        "test_periods": int(data.demand.shape[1] - data.warmup),
        "lead_time_periods": config["lead_time"],
        "review_period": config["review_period"],
        "holding_cost": HOLDING_COST,
        "shortage": "backorder",
        "notes": notes + data.notes,
        "methods": {},
    }
    curves = {}
    for label, method in METHODS.items():
        start = time.perf_counter()
        forecaster = Forecaster(n_jobs=n_jobs, seed=0) if label in FINETUNE else None
        model = DemandModel(
            method,  # type: ignore[arg-type]
            n_samples=n_samples,
            seed=0,
            forecaster=forecaster,
            finetune=FINETUNE.get(label, "auto"),
        ).fit(hist, per_series)
        first, used = model.protection()
        schedule = rolling_demands(model, hist, test, data, first, config["review_period"])
        curve = frontier(data, schedule, per_series, FILL_TARGETS)
        costs = {}
        for p in SHORTAGE_COSTS:
            by_cost = {
                s: replace(v, costs=CostParams(HOLDING_COST, p), service=None)
                for s, v in per_series.items()
            }
            totals = run_policies(data, schedule, by_cost, service=None).totals
            costs[f"p={p:g}"] = {
                "critical_ratio": p / (p + HOLDING_COST),
                "total_cost": totals["total_cost"],
                "holding_cost": totals["holding_cost"],
                "shortage_cost": totals["shortage_cost"],
                "fill_rate": totals["fill_rate"],
                "average_on_hand": totals["average_on_hand"],
            }
        seconds = time.perf_counter() - start
        curves[label] = curve
        entry = result["methods"][label] = _method_entry(curve, used, costs, seconds)
        if forecaster is not None:
            entry["forecaster"] = {
                "selection": forecaster.selection_,
                "backtest": (
                    [] if forecaster.backtest_ is None else forecaster.backtest_.to_dict("records")
                ),
            }
        fill = entry["at_target_0.95"]["fill_rate"]
        print(f"{name} {label}: {seconds:.1f} s, fill rate at 0.95 = {fill:.4f}")
        if label in PORTFOLIO:
            # Same distributions and re-plans; only the allocation of the levels changes.
            start = time.perf_counter()
            pooled = frontier(data, schedule, per_series, FILL_TARGETS, scope="portfolio")
            seconds = time.perf_counter() - start
            row = f"{label}{PORTFOLIO_SUFFIX}"
            curves[row] = pooled
            entry = result["methods"][row] = _method_entry(pooled, used, None, seconds)
            entry["portfolio_of"] = label
            fill = entry["at_target_0.95"]["fill_rate"]
            print(f"{name} {row}: {seconds:.1f} s, fill rate at 0.95 = {fill:.4f}")
    plot_frontier(
        curves, out / f"inventory_frontier_{name}.png", title=f"{name}: stock vs fill rate"
    )
    return result


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "n/r" if value is None else format(value, spec)


def _relative(own: float | None, ref: float | None) -> str:
    if own is None:
        return "n/r"
    if ref is None:
        return "baseline n/r"
    return f"{100 * (own / ref - 1):+.1f}%"


def _cost(method: dict[str, Any], key: str) -> str:
    """Total cost at a cost target, "n/a" for the ``+portfolio`` rows (no cost target)."""
    costs = method["cost_targets"]
    return "n/a" if costs is None else f"{costs[key]['total_cost']:.1f}"


def _goal(res: dict[str, Any], label: str) -> str:
    """The issue's goal on the intermittent dataset for method ``label``, in words."""
    own = res["methods"][label]
    fill = own["at_target_0.95"]["fill_rate"]
    lines = [
        f"Goal check ({res['dataset']}, {label}): achieved fill rate at the 95% target "
        f"{fill:.4f} ({'within' if abs(fill - TARGET) <= 0.01 else 'NOT within'} 1 point)."
    ]
    for level in ("0.9", "0.95"):
        mine = own["average_on_hand_at_achieved_fill_rate"][level]
        for base in ("normal_hist_sigma", "normal_autoets"):
            ref = res["methods"][base]["average_on_hand_at_achieved_fill_rate"][level]
            if mine is None or ref is None:
                verdict = "not comparable (a frontier does not reach it)"
            else:
                change = 100 * (mine / ref - 1)
                met = "met" if change <= -10 else "NOT met"
                verdict = f"{change:+.1f}% stock ({met}: goal -10%)"
            lines.append(f"At achieved {level}: vs {base} {verdict}.")
    return " ".join(lines)


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "# Inventory benchmark",
        "",
        "Periodic-review base-stock policies planned on the history and simulated on the held-out "
        "test periods, re-planned at every review with the demand observed so far (model "
        "parameters estimated on the history only). Backorders; holding cost 1 per unit on hand "
        "per period; backorder cost p per unit backordered per period. Fill rate = units served "
        "from stock at once / units demanded, pooled over all series. 'Stock at x' = average "
        "units on hand (sum over series) interpolated on each method's fill-rate sweep "
        f"{list(FILL_TARGETS)} at the achieved fill rate x ('n/r': x is outside the range of "
        "fill rates the sweep achieved); "
        "'vs' columns compare it with the two normal-approximation baselines. Total cost at the "
        "cost targets p = 4 and p = 19 (critical ratios 0.8 and 0.95). Rows "
        f"'<method>{PORTFOLIO_SUFFIX}': the same demand distributions and re-plans, levels set "
        "for the fill rate pooled over all series with the least total stock (the fill rate "
        "measured here); cost targets have no scope ('n/a'). The 'vs' columns always compare "
        "with the item-level normal_hist_sigma and normal_autoets.",
        "",
    ]
    for res in results:
        lines += [
            f"## {res['dataset']} ({res['kind']}): {res['n_series']} series, "
            f"{res['test_periods']} test periods, lead time {res['lead_time_periods']}, "
            f"review period {res['review_period']}",
            "",
            "| method | fill rate at target 0.95 | CSL | avg on hand | stock at 0.90 | "
            "vs normal_hist_sigma | vs normal_autoets | stock at 0.95 | vs normal_hist_sigma | "
            "vs normal_autoets | total cost p=4 | total cost p=19 | seconds |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        methods = res["methods"]
        for label, m in methods.items():
            at = m["at_target_0.95"]
            stock = m["average_on_hand_at_achieved_fill_rate"]
            cells = []
            for level in ("0.9", "0.95"):
                cells.append(_fmt(stock[level]))
                for base in ("normal_hist_sigma", "normal_autoets"):
                    ref = methods[base]["average_on_hand_at_achieved_fill_rate"][level]
                    cells.append(_relative(stock[level], ref))
            lines.append(
                f"| {label} | {at['fill_rate']:.4f} | {at['cycle_service_level']:.4f} | "
                f"{at['average_on_hand']:.1f} | {' | '.join(cells)} | "
                f"{_cost(m, 'p=4')} | {_cost(m, 'p=19')} | {m['seconds']:.1f} |"
            )
        lines.append("")
        if res["notes"]:
            lines += ["Notes: " + "; ".join(res["notes"]) + ".", ""]
        if "intermittent" in res["kind"]:
            lines += [_goal(res, label) + "\n" for label in GOAL_ROWS if label in methods]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--max-series", type=int, default=None)
    parser.add_argument(
        "--n-jobs", type=int, default=2, help="Processes for the Forecaster's statistical models."
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results = [
        run_dataset(name, args.n_samples, args.max_series, args.out, args.n_jobs)
        for name in args.datasets.split(",")
    ]
    payload = {
        "benchmark": "inventory",
        "target_fill_rate": TARGET,
        "fill_rate_sweep": list(FILL_TARGETS),
        "shortage_costs": list(SHORTAGE_COSTS),
        "n_samples": args.n_samples,
        "seconds": time.perf_counter() - start,
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "results": results,
    }
    atomic_write_text(args.out / "inventory.json", json.dumps(payload, indent=2, default=float))
    atomic_write_text(args.out / "inventory.md", markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
