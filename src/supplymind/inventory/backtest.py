"""Backtest a plan on held-out demand: plan on the history, simulate on the test periods.

By default the plan is rolled like a planner would: at every review (every
``replan_every`` periods) the demand model takes in the test periods observed so far and
the levels are recomputed (AutoETS keeps the parameters estimated on the history and only
runs its states forward; the empirical and normal models recompute their window). With
``replan_every=0`` the levels set at the end of the history are held over the whole test.
The simulation starts ``warmup`` periods before the test (on the end of
the history, with the order-up-to level on hand) so that the pipeline of orders is settled
when measuring starts; only the test periods are measured.

Every series is simulated over its own test periods, from its first to its last test row,
after the end of its own history: test windows may be staggered, start at different dates
or differ in length, and re-plans happen every ``replan_every`` periods of each series' own
window. Periods a series' test data does not cover are not simulated for it; missing values
inside its window (a row without a value, or a period of the data's frequency it has no row
for) count as no demand (their number is reported). Series whose test part is entirely missing
are left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from supplymind.exceptions import InventoryInputError
from supplymind.inventory.demand import ProtectionDemand
from supplymind.inventory.frames import (
    ID_COL,
    LOCATION_COL,
    SERIES_COL,
    TARGET_COL,
    TIME_COL,
    check_history,
    infer_frequency,
    series_keys,
)
from supplymind.inventory.params import InventoryParams, ServiceKind, ServiceScope, ServiceTarget
from supplymind.inventory.plan import (
    DemandMethod,
    DemandModel,
    LeadTimes,
    Plan,
    Progress,
    plan_replenishment,
    policies_for,
)
from supplymind.inventory.policies import Policy, base_stock_levels, policy_at_level
from supplymind.inventory.portfolio import portfolio_fill_rate_levels
from supplymind.inventory.simulate import SimulationResult, simulate

if TYPE_CHECKING:
    from supplymind.forecasting.forecaster import Forecaster

__all__ = [
    "BacktestData",
    "BacktestResult",
    "backtest",
    "frontier",
    "method_frontier",
    "prepare_backtest",
    "records",
    "rolling_demands",
    "run_policies",
]


@dataclass(frozen=True, eq=False)
class BacktestData:
    """Demand to simulate, one row per series: warmup periods from the end of its history,
    then its own test periods.

    Every series is aligned on its own first test period (column ``warmup``), so series
    whose test windows are staggered, or start at different dates, are each simulated and
    measured over their own periods; a row shorter than the longest is padded after its
    end (simulated, not measured), and one with a shorter history before its warmup.

    Parameters
    ----------
    series_ids
        Series in simulation order.
    demand
        ``(n_series, warmup + n_test)`` demand, where ``n_test`` is the longest test window;
        missing values and padding as 0.
    warmup
        Leading periods taken from the end of each history (not measured).
    timestamps
        ``(n_series, warmup + n_test)`` date of each simulated period of each series
        (``datetime64``), ``NaT`` in the padding.
    test_periods
        Measured (test) periods of each series.
    notes
        What was left out or filled, in words.
    """

    series_ids: list[str]
    demand: np.ndarray
    warmup: int
    timestamps: np.ndarray
    test_periods: np.ndarray
    notes: list[str] = field(default_factory=list)

    def test_dates(self, i: int) -> pd.DatetimeIndex:
        """The test periods of series ``i`` (in :attr:`series_ids` order)."""
        own = self.timestamps[i, self.warmup : self.warmup + int(self.test_periods[i])]
        return pd.DatetimeIndex(own)


def _own_periods(frame: pd.DataFrame, freq: str) -> dict[str, pd.Series]:
    """Each series' values over its own periods, from its first to its last row (NaN where
    it has no value): the periods of ``freq``, or, for a series with timestamps off that
    grid, the timestamps of ``frame`` in its span."""
    stamps = pd.DatetimeIndex(frame[TIME_COL].unique()).sort_values()
    try:
        grid = pd.date_range(stamps[0], stamps[-1], freq=freq)
    except (TypeError, ValueError):  # an alias date_range cannot use
        grid = stamps
    on_grid = frame[TIME_COL].isin(grid).groupby(frame[SERIES_COL]).all()
    out = {}
    for key, group in frame.groupby(SERIES_COL, sort=False):
        periods = grid if on_grid[key] else stamps
        first, last = group[TIME_COL].iloc[0], group[TIME_COL].iloc[-1]
        own = periods[(periods >= first) & (periods <= last)]
        out[str(key)] = group.set_index(TIME_COL)[TARGET_COL].reindex(own)
    return out


def prepare_backtest(
    history: pd.DataFrame,
    test: pd.DataFrame,
    params: Mapping[str, InventoryParams],
    *,
    warmup: int | None = None,
) -> BacktestData:
    """Align the held-out demand of the planned series and prepend a warmup.

    A series' test periods run from its first to its last test row, one per period of
    the data's frequency (inferred from all timestamps; for a series whose timestamps are
    off that grid, the test table's timestamps in its span); those without a value are
    missing values, counted as no demand (their number is in the notes). Periods outside
    a series' own test window are not simulated for it. Its warmup is the end of its own
    history.

    Parameters
    ----------
    history
        Checked history with a ``series_id`` column.
    test
        Checked held-out demand with a ``series_id`` column.
    params
        Parameters per planned series id.
    warmup
        Periods of history simulated before the test; default the longest lead time plus
        the longest review period (at most the longest history).
    """
    notes = []
    unknown = sorted(set(test[SERIES_COL]) - set(params))
    if unknown:
        raise InventoryInputError(
            f"test: expected only items of the history, found {len(unknown)} unknown series: "
            f"{unknown[:10]}"
        )
    bounds = pd.concat(
        [history.groupby(SERIES_COL)[TIME_COL].max(), test.groupby(SERIES_COL)[TIME_COL].min()],
        axis=1,
        keys=["last", "first"],
    ).dropna()
    overlap = bounds.index[bounds["first"] <= bounds["last"]].tolist()
    if overlap:
        raise InventoryInputError(
            "test: expected periods after the end of the history (held-out data), found test "
            f"periods inside the history for {len(overlap)} series: {overlap[:10]}"
        )
    observed = test.dropna(subset=[TARGET_COL])
    seen = set(observed[SERIES_COL])
    ids = [s for s in params if s in seen]
    absent = len(params) - len(ids)
    if absent:
        notes.append(f"{absent} planned series have no observed test demand and were left out")
    if not ids:
        raise InventoryInputError(
            "test: expected observed demand for at least one planned series, found none"
        )
    held = test[test[SERIES_COL].isin(ids)].sort_values([SERIES_COL, TIME_COL], kind="stable")
    past = history[history[SERIES_COL].isin(ids)].sort_values([SERIES_COL, TIME_COL], kind="stable")
    freq, _ = infer_frequency(pd.concat([past[TIME_COL], held[TIME_COL]]))
    tests, pasts = _own_periods(held, freq), _own_periods(past, freq)
    missing = sum(int(tests[s].isna().sum()) for s in ids)
    if missing:
        notes.append(
            f"{missing} missing test values were counted as zero demand (periods inside a "
            "series' own test window without a value)"
        )
    lengths = np.array([len(tests[s]) for s in ids], dtype=np.int64)
    if len(set(lengths.tolist())) > 1 or len({tests[s].index[0] for s in ids}) > 1:
        lo, hi = int(lengths.min()), int(lengths.max())
        notes.append(
            "test windows differ between series: each series is simulated and measured over "
            f"its own test periods ({f'{lo} each' if lo == hi else f'{lo} to {hi}'}), "
            "aligned on its first one"
        )
    if warmup is None:
        warmup = max(params[s].lead_time.max + params[s].review_period for s in ids)
    warmup = int(min(max(warmup, 0), max(len(pasts.get(s, ())) for s in ids)))
    width = warmup + int(lengths.max())
    demand = np.zeros((len(ids), width))
    stamps = np.full((len(ids), width), np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, s in enumerate(ids):
        tail = pasts[s].iloc[max(len(pasts[s]) - warmup, 0) :] if s in pasts and warmup else None
        own = tests[s] if tail is None else pd.concat([tail, tests[s]])
        start = warmup - (0 if tail is None else len(tail))
        demand[i, start : start + len(own)] = own.to_numpy(np.float64)
        stamps[i, start : start + len(own)] = own.index.to_numpy("datetime64[ns]")
    return BacktestData(ids, np.nan_to_num(demand, nan=0.0), warmup, stamps, lengths, notes)


Schedule = list[tuple[int, dict[str, ProtectionDemand]]]


def rolling_demands(
    model: DemandModel,
    history: pd.DataFrame,
    test: pd.DataFrame,
    data: BacktestData,
    first: dict[str, ProtectionDemand],
    replan_every: int,
) -> Schedule:
    """Protection demand at each re-plan: ``(test period, demands)``, the first at 0.

    Parameters
    ----------
    model
        The demand model fitted on ``history``; it takes in the test periods as they pass.
    history, test
        Checked frames with a ``series_id`` column.
    data
        The prepared simulation demand.
    first
        Demands at the end of the history.
    replan_every
        Periods between re-plans (0: never).
    """
    schedule: Schedule = [(0, first)]
    n_test = data.demand.shape[1] - data.warmup
    if replan_every <= 0:
        return schedule
    ends = data.timestamps[:, data.warmup :]
    held = test[test[SERIES_COL].isin(data.series_ids)]
    for k in range(replan_every, n_test, replan_every):
        # Each series has seen its own first k test periods (all of them once it ended).
        cutoff = pd.Series(ends[:, k], index=data.series_ids).fillna(pd.Timestamp.max)
        seen = held[held[TIME_COL] < held[SERIES_COL].map(cutoff)]
        grown = pd.concat([history, seen], ignore_index=True)
        model.update(grown.sort_values([SERIES_COL, TIME_COL], kind="stable", ignore_index=True))
        schedule.append((k, model.protection()[0]))
    return schedule


def _simulate_levels(
    data: BacktestData,
    schedule: Schedule,
    levels: list[list[Policy]],
    params: Mapping[str, InventoryParams],
    seed: int,
) -> SimulationResult:
    updates = {data.warmup + k: lv for (k, _), lv in zip(schedule[1:], levels[1:], strict=True)}
    return simulate(
        data.demand,
        levels[0],
        [params[s] for s in data.series_ids],
        seed=seed,
        warmup=data.warmup,
        item_ids=data.series_ids,
        updates=updates,
        periods=[int(n) for n in data.test_periods],
    )


def run_policies(
    data: BacktestData,
    schedule: Schedule,
    params: Mapping[str, InventoryParams],
    *,
    service: ServiceTarget | Literal["keep"] | None = "keep",
    seed: int = 0,
) -> SimulationResult:
    """Simulate the policies of a demand schedule (levels recomputed at each re-plan)."""
    levels = []
    for _, demands in schedule:
        policies = policies_for({s: demands[s] for s in data.series_ids}, params, service=service)
        levels.append([policies[s] for s in data.series_ids])
    return _simulate_levels(data, schedule, levels, params, seed)


def frontier(
    data: BacktestData,
    schedule: Schedule,
    params: Mapping[str, InventoryParams],
    targets: Sequence[float],
    *,
    kind: ServiceKind = "fill_rate",
    scope: ServiceScope = "item",
    seed: int = 0,
) -> pd.DataFrame:
    """Achieved service, stock and costs for a sweep of service targets.

    Base-stock levels for all targets come from one pass over each distribution (with
    ``scope="portfolio"``, a fill rate pooled over all series: one
    :func:`~supplymind.inventory.portfolio.portfolio_fill_rate_levels` call per re-plan);
    other policies are recomputed per target.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``target``, ``fill_rate``, ``cycle_service_level``,
        ``average_on_hand``, ``holding_cost``, ``ordering_cost``, ``shortage_cost``,
        ``total_cost``, ``inventory_cost`` (holding + ordering) and ``n_orders``.
    """
    ids = data.series_ids
    goals = [float(t) for t in targets]
    for goal in goals:
        ServiceTarget(goal, kind, scope)  # validates each target
    base = all(params[s].policy in ("base_stock", "newsvendor") for s in ids)
    per_target: list[list[list[Policy]]] = [[] for _ in goals]
    for _, demands in schedule:
        if base:
            if scope == "portfolio":
                grid = portfolio_fill_rate_levels({s: demands[s] for s in ids}, goals)
            else:
                grid = {s: base_stock_levels(demands[s], goals, kind) for s in ids}
            for j in range(len(goals)):
                per_target[j].append(
                    [policy_at_level(demands[s], params[s], float(grid[s][j])) for s in ids]
                )
        else:
            for j, goal in enumerate(goals):
                policies = policies_for(
                    {s: demands[s] for s in ids},
                    params,
                    service=ServiceTarget(goal, kind, scope),
                )
                per_target[j].append([policies[s] for s in ids])
    rows = []
    for goal, levels in zip(goals, per_target, strict=True):
        totals = _simulate_levels(data, schedule, levels, params, seed).totals
        row = {"target": goal}
        row.update({k: totals[k] for k in _FRONTIER_METRICS})
        row["inventory_cost"] = totals["holding_cost"] + totals["ordering_cost"]
        rows.append(row)
    return pd.DataFrame(rows)


def method_frontier(
    result: BacktestResult,
    history: pd.DataFrame,
    test: pd.DataFrame,
    method: DemandMethod,
    targets: Sequence[float],
    *,
    window: int | None = None,
    n_samples: int = 1000,
    seed: int = 0,
    ets_model: str = "ZZZ",
) -> pd.DataFrame:
    """The fill-rate sweep of another demand model on the same backtest (same series,
    parameters, periods and re-plans), e.g. the normal approximation as a baseline."""
    hist = check_history(history)
    hist = hist.assign(**{SERIES_COL: series_keys(hist)})
    held = check_history(test, role="test")
    held = held.assign(**{SERIES_COL: series_keys(held)})
    model = DemandModel(method, n_samples=n_samples, seed=seed, window=window, ets_model=ets_model)
    model.fit(hist, result.plan.params)
    first, _ = model.protection()
    schedule = rolling_demands(model, hist, held, result.data, first, result.replan_every)
    service = next(iter(result.plan.params.values())).service
    kind: ServiceKind = service.kind if service is not None else "fill_rate"
    scope: ServiceScope = service.scope if service is not None else "item"
    return frontier(
        result.data, schedule, result.plan.params, targets, kind=kind, scope=scope, seed=seed
    )


_FRONTIER_METRICS = (
    "fill_rate",
    "cycle_service_level",
    "average_on_hand",
    "holding_cost",
    "ordering_cost",
    "shortage_cost",
    "total_cost",
    "n_orders",
    "inventory_turns",
)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-ready dicts (NaN and inf become ``None``)."""
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """A plan, the held-out demand it was simulated on and the outcome.

    Parameters
    ----------
    plan
        The plan made on the history.
    data
        The simulated demand.
    simulation
        Metrics and trajectories.
    method
        The demand model used.
    replan_every
        Periods between re-plans (0: none).
    frontier
        Service sweep (see :func:`frontier`), when asked for.
    """

    plan: Plan
    data: BacktestData
    simulation: SimulationResult
    method: str
    replan_every: int = 0
    frontier: pd.DataFrame | None = None

    def per_item(self) -> pd.DataFrame:
        """Plan levels, simulated metrics and the series' own test window (``test_start``,
        ``test_end``, ``test_periods``), one row per simulated series."""
        metrics = self.simulation.per_item.reset_index().rename(columns={"item": SERIES_COL})
        plan = self.plan.table.assign(**{SERIES_COL: series_keys(self.plan.table)})
        keep = [
            c
            for c in (
                ID_COL,
                LOCATION_COL,
                "policy",
                "demand_model",
                "reorder_point",
                "order_up_to",
                "order_quantity",
                "safety_stock",
                "expected_fill_rate",
            )
            if c in plan.columns
        ]
        merged = metrics.merge(plan[[SERIES_COL, *keep]], on=SERIES_COL, how="left")
        windows = [self.data.test_dates(i) for i in range(len(self.data.series_ids))]
        merged["test_start"] = [w[0] for w in windows]
        merged["test_end"] = [w[-1] for w in windows]
        merged["test_periods"] = [len(w) for w in windows]
        return merged[[*keep, *[c for c in merged.columns if c != SERIES_COL and c not in keep]]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: parameters, periods, totals, per item, frontier, notes.

        ``periods`` gives the earliest test start, the latest test end and the longest
        test window of a series; each series' own window is in its ``per_item`` row.
        """
        first = next(iter(self.plan.params.values()))
        lead_times = {p.lead_time.describe() for p in self.plan.params.values()}
        data = self.data
        starts = [data.test_dates(i)[0] for i in range(len(data.series_ids))]
        ends = [data.test_dates(i)[-1] for i in range(len(data.series_ids))]
        out: dict[str, Any] = {
            "method": self.method,
            "parameters": {
                "policy": first.policy,
                "target": self.plan.table["target"].iloc[0],
                "lead_time_periods": lead_times.pop() if len(lead_times) == 1 else "per item",
                "review_period": first.review_period,
                "holding_cost": first.costs.holding_cost,
                "shortage_cost": first.costs.shortage_cost,
                "order_cost": first.costs.order_cost,
                "shortage": first.costs.shortage,
                "moq": first.constraints.moq,
                "pack_size": first.constraints.pack_size,
                "capacity": first.constraints.capacity,
                "costs_note": "holding per unit on hand per period; shortage per unit "
                "backordered per period (backorder) or per unit lost (lost_sales); order cost "
                "per order; values of the first item when items differ",
            },
            "periods": {
                "test_start": _clean(min(starts)),
                "test_end": _clean(max(ends)),
                "test_periods": int(data.test_periods.max()),
                "warmup_periods": data.warmup,
                "replan_every": self.replan_every,
                "n_series": len(data.series_ids),
            },
            "totals": {k: _clean(v) for k, v in self.simulation.totals.items()},
            "per_item": records(self.per_item()),
            "notes": [
                (
                    f"levels re-planned every {self.replan_every} period(s) with the demand "
                    "observed so far (model parameters estimated on the history only)"
                    if self.replan_every
                    else "policy levels set once at the end of the history and held over the test"
                ),
                "fill rate: units served from stock at once / units demanded; cycle service: "
                "share of review cycles without a shortage; average on hand: end of period",
                *self.data.notes,
            ],
        }
        if self.frontier is not None:
            out["frontier"] = records(self.frontier)
        return out


def backtest(
    history: pd.DataFrame,
    test: pd.DataFrame,
    params: InventoryParams,
    *,
    method: DemandMethod | None = None,
    forecast: pd.DataFrame | None = None,
    lead_times: LeadTimes | None = None,
    item_params: pd.DataFrame | None = None,
    n_samples: int = 2000,
    seed: int = 0,
    rho: float = 0.0,
    window: int | None = None,
    ets_model: str = "ZZZ",
    warmup: int | None = None,
    replan_every: int | None = None,
    frontier_targets: Sequence[float] | None = None,
    on_progress: Progress | None = None,
    forecaster: Forecaster | None = None,
    finetune: str = "auto",
) -> BacktestResult:
    """Plan on ``history`` and simulate the (rolling) plan on ``test``.

    Parameters are those of :func:`~supplymind.inventory.plan.plan_replenishment`, plus:

    Parameters
    ----------
    test
        Held-out demand after the history, same columns.
    warmup
        Periods of history simulated before the test (default: longest lead time plus
        review period).
    replan_every
        Periods between re-plans; default the shortest review period; 0 holds the first
        plan over the whole test.
    frontier_targets
        Fill-rate (or cycle-service, following ``params.service``, its scope included)
        targets to sweep.
    forecaster, finetune
        The Forecaster of ``method="backbone"`` and its fine-tuning mode; it is fitted on
        ``history`` only and re-forecasts from the demand seen so far at every re-plan.
    """
    plan = plan_replenishment(
        history,
        params,
        method=method,
        forecast=forecast,
        lead_times=lead_times,
        item_params=item_params,
        n_samples=n_samples,
        seed=seed,
        rho=rho,
        window=window,
        ets_model=ets_model,
        on_progress=on_progress,
        forecaster=forecaster,
        finetune=finetune,
    )
    hist = check_history(history)
    hist = hist.assign(**{SERIES_COL: series_keys(hist)})
    held = check_history(test, role="test")
    if (LOCATION_COL in held.columns) != (LOCATION_COL in hist.columns):
        raise InventoryInputError(
            f"test: expected a '{LOCATION_COL}' column exactly when the history has one"
        )
    held = held.assign(**{SERIES_COL: series_keys(held)})
    # Series of the history the plan left out (no observed demand) are not simulated.
    unplanned = set(hist[SERIES_COL]) - set(plan.params)
    skipped = sorted(set(held[SERIES_COL]) & unplanned)
    held = held[~held[SERIES_COL].isin(unplanned)]
    data = prepare_backtest(hist, held, plan.params, warmup=warmup)
    notes = [*plan.notes, *data.notes]
    if skipped:
        notes.append(
            f"{len(skipped)} series of the test were not planned (see above) and were left out: "
            f"{skipped[:10]}"
        )
    data = replace(data, notes=notes)
    if replan_every is None:
        replan_every = min(p.review_period for p in plan.params.values())
    if replan_every < 0:
        raise InventoryInputError(f"replan_every: expected periods >= 0, found {replan_every!r}")
    schedule = rolling_demands(plan.model, hist, held, data, plan.demands, replan_every)
    simulation = run_policies(data, schedule, plan.params, seed=seed)
    sweep = None
    if frontier_targets:
        kind = params.service.kind if params.service is not None else "fill_rate"
        scope = params.service.scope if params.service is not None else "item"
        sweep = frontier(
            data, schedule, plan.params, frontier_targets, kind=kind, scope=scope, seed=seed
        )
    used = method or ("forecast" if forecast is not None else "auto")
    return BacktestResult(plan, data, simulation, used, replan_every, sweep)
