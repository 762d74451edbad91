"""Replenishment recommendations per item-location.

For each series of a demand history: its parameters (the defaults, per-item overrides and
its lead-time distribution), its protection-period demand (from a forecast in the
Forecaster's quantile format, or from a forecaster's sample paths, or the normal
approximation as the baseline), the policy levels for the target, and, when the current
stock is known, the order to place now.

Demand models (``method``):

- ``"auto"``: :class:`~supplymind.inventory.forecast.StatsForecastQuantileForecaster`
  sample paths (AutoETS for smooth series, negative binomial for intermittent ones);
- ``"empirical"``: the empirical bootstrap of the recent window for every series;
- ``"ets"``: AutoETS sample paths wherever AutoETS fits;
- ``"forecast"``: a given quantile forecast, sampled with a Gaussian copula (``rho``);
- ``"backbone"``: the :class:`~supplymind.forecasting.forecaster.Forecaster` (pretrained
  backbone, fine-tuned and guarded by ``finetune``), fitted once on the history; at every
  (re-)plan it forecasts the protection period from the demand seen so far, and its
  quantiles are sampled like ``"forecast"``;
- ``"global"``: :class:`~supplymind.inventory.pooled.GlobalDemandForecaster`, one
  LightGBM model of the protection-period demand across all series and one of its error
  variance (negative-binomial or gamma paths), fitted once on the history; at every
  (re-)plan its features come from the demand seen so far;
- ``"normal"``: the normal approximation with the recent mean and standard deviation;
- ``"normal_ets"``: the normal approximation with AutoETS's point forecast and the standard
  deviation of its in-sample residuals.

Short histories. A series with fewer observed periods than its lead time (rounded up) plus
its review period, or fewer than 2, is too short for the models above that learn from the
history; it is planned with the *short-history fallback* instead: the normal approximation
with the mean and standard deviation of its observed periods (the last ``window``), the
standard deviation raised to at least ``sqrt(mean)``, that of Poisson demand, since a few
observations say little of the spread (``demand_model`` reads
:data:`SHORT_HISTORY_FALLBACK`). A series without any observed period cannot be planned and
is left out. Both are reported with an :class:`~supplymind.exceptions.InventoryWarning` and
in :attr:`Plan.notes`; the other series are planned as usual. With a forecast
(``"forecast"``) the history only dates the forecast, so every series is planned from it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd

from supplymind.exceptions import InventoryInputError, InventoryWarning
from supplymind.inventory.demand import (
    ProtectionDemand,
    normal_protection,
    paths_from_quantiles,
    protection_from_paths,
)
from supplymind.inventory.forecast import (
    EmpiricalQuantileForecaster,
    StatsForecastQuantileForecaster,
    default_window,
    quantile_name,
)
from supplymind.inventory.frames import (
    ID_COL,
    LOCATION_COL,
    SERIES_COL,
    TARGET_COL,
    TIME_COL,
    check_forecast,
    check_history,
    infer_frequency,
    quantile_columns,
    series_keys,
)
from supplymind.inventory.leadtime import LeadTimeTable
from supplymind.inventory.params import InventoryParams, LeadTime, ServiceTarget
from supplymind.inventory.policies import (
    Policy,
    compute_policy,
    expected_service,
    policy_at_level,
)
from supplymind.inventory.pooled import GlobalDemandForecaster
from supplymind.inventory.portfolio import portfolio_fill_rate_levels

if TYPE_CHECKING:
    from supplymind.forecasting.forecaster import Forecaster

__all__ = [
    "DEMAND_METHODS",
    "OVERRIDE_COLUMNS",
    "SHORT_HISTORY_FALLBACK",
    "DemandMethod",
    "DemandModel",
    "Plan",
    "min_history",
    "plan_replenishment",
    "policies_for",
    "replan",
    "series_params",
    "series_table",
]

DemandMethod = Literal[
    "auto", "backbone", "empirical", "ets", "forecast", "global", "normal", "normal_ets"
]
DEMAND_METHODS: tuple[str, ...] = get_args(DemandMethod)
OVERRIDE_COLUMNS = (
    "moq",
    "pack_size",
    "capacity",
    "holding_cost",
    "shortage_cost",
    "order_cost",
    "review_period",
)
Progress = Callable[[int, int], None]
#: ``demand_model`` of the series planned by the short-history fallback (see the module docs).
SHORT_HISTORY_FALLBACK = "normal fallback (short history)"
#: Levels the ``"backbone"`` demand model asks the Forecaster for (the backbone's own grid;
#: the tails beyond are extended linearly by the sampler).
BACKBONE_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
LeadTimes = LeadTimeTable | Mapping[str, LeadTime]


@dataclass(frozen=True, eq=False)
class Plan:
    """A replenishment plan.

    Parameters
    ----------
    table
        One row per item-location: the recommendation (see :func:`plan_replenishment`).
    series
        ``series_id, item_id`` (and ``location_id``) of each planned series.
    params
        Parameters per series id.
    demands
        Protection-period demand per series id.
    policies
        Policy levels per series id.
    model
        The fitted demand model (it can take in newer data for a rolling re-plan).
    notes
        Series left out of the plan or planned by the short-history fallback, in words.
    """

    table: pd.DataFrame
    series: pd.DataFrame
    params: dict[str, InventoryParams]
    demands: dict[str, ProtectionDemand]
    policies: dict[str, Policy]
    model: DemandModel
    notes: list[str] = field(default_factory=list)


def series_table(history: pd.DataFrame) -> pd.DataFrame:
    """``series_id, item_id`` (and ``location_id``): one row per series of a history."""
    cols = [ID_COL, LOCATION_COL] if LOCATION_COL in history.columns else [ID_COL]
    table = history[cols].drop_duplicates().reset_index(drop=True)
    table.insert(0, SERIES_COL, series_keys(table))
    return table


def _lead_time_for(
    lead_times: LeadTimes | None, default: LeadTime, item: str, loc: str
) -> LeadTime:
    if lead_times is None:
        return default
    if isinstance(lead_times, LeadTimeTable):
        return lead_times.get(item, loc)
    sid = f"{item}@{loc}" if loc else item
    return lead_times.get(sid) or lead_times.get(item) or default


def series_params(
    series: pd.DataFrame,
    params: InventoryParams,
    *,
    lead_times: LeadTimes | None = None,
    item_params: pd.DataFrame | None = None,
) -> dict[str, InventoryParams]:
    """Parameters of each series: defaults, then its lead time, then per-item overrides.

    Parameters
    ----------
    series
        ``series_id, item_id`` (and ``location_id``), as in :attr:`Plan.series`.
    params
        Defaults for every series.
    lead_times
        A :class:`~supplymind.inventory.leadtime.LeadTimeTable`, or lead times by series id
        or item id; series without one keep ``params.lead_time``.
    item_params
        ``item_id`` (and optionally ``location_id``) with any of :data:`OVERRIDE_COLUMNS`;
        empty cells keep the default.
    """
    overrides: dict[tuple[str, str], dict[str, object]] = {}
    if item_params is not None:
        if ID_COL not in item_params.columns:
            raise InventoryInputError(
                f"item_params: expected an '{ID_COL}' column, found {list(item_params.columns)}"
            )
        cols = [c for c in OVERRIDE_COLUMNS if c in item_params.columns]
        by_loc = LOCATION_COL in item_params.columns
        for record in item_params.to_dict("records"):
            key = (str(record[ID_COL]), str(record[LOCATION_COL]) if by_loc else "")
            overrides[key] = {
                c: int(record[c]) if c == "review_period" else float(record[c])
                for c in cols
                if pd.notna(record[c])
            }
    out = {}
    has_loc = LOCATION_COL in series.columns
    for row in series.itertuples(index=False):
        item = str(getattr(row, ID_COL))
        loc = str(getattr(row, LOCATION_COL)) if has_loc else ""
        own = overrides.get((item, loc), overrides.get((item, ""), {}))
        lead = _lead_time_for(lead_times, params.lead_time, item, loc)
        try:
            out[str(getattr(row, SERIES_COL))] = replace(params, lead_time=lead).with_overrides(
                **own
            )
        except InventoryInputError as exc:
            raise InventoryInputError(
                f"item {item!r}{f' at {loc!r}' if loc else ''}: {exc}"
            ) from None
    return out


def min_history(p: InventoryParams) -> int:
    """Observed periods a series needs to be planned by a model that learns from its
    history: its lead time (rounded up) plus its review period, and at least 2."""
    return max(math.ceil(p.lead_time.mean) + p.review_period, 2)


def _observed_periods(history: pd.DataFrame, ids: Iterable[str]) -> dict[str, int]:
    counts = history.dropna(subset=[TARGET_COL]).groupby(SERIES_COL).size()
    return {sid: int(counts.get(sid, 0)) for sid in ids}


def _listed(ids: list[str]) -> str:
    return f"{ids[:10]}" + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _forecast_paths(
    forecast: pd.DataFrame,
    history: pd.DataFrame,
    params: dict[str, InventoryParams],
    n_samples: int,
    rng: np.random.Generator,
    rho: float,
) -> dict[str, np.ndarray]:
    if LOCATION_COL in history.columns and LOCATION_COL not in forecast.columns:
        raise InventoryInputError(
            f"forecast: expected a '{LOCATION_COL}' column because the history has one, "
            f"found {list(forecast.columns)}"
        )
    forecast = forecast.assign(**{SERIES_COL: series_keys(forecast)})
    missing = sorted(set(params) - set(forecast[SERIES_COL]))
    if missing:
        raise InventoryInputError(
            f"forecast: expected every item of the history, found no rows for {len(missing)} "
            f"series: {missing[:10]}" + (" ..." if len(missing) > 10 else "")
        )
    last = history.groupby(SERIES_COL)[TIME_COL].max()
    levels = quantile_columns(forecast)
    lv = np.array([level for level, _ in levels])
    cols = [c for _, c in levels]
    out = {}
    extended = []
    for key, group in forecast.groupby(SERIES_COL, sort=False):
        sid = str(key)
        if sid not in params:
            continue
        future = group[group[TIME_COL] > last[sid]]
        if future.empty:
            raise InventoryInputError(
                f"forecast: expected rows after the history's last period ({last[sid]:%Y-%m-%d}) "
                f"for series {sid!r}, found none"
            )
        qs = future[cols].to_numpy(np.float64)
        need = params[sid].lead_time.max + params[sid].review_period
        if qs.shape[0] < need:
            extended.append(str(sid))
            qs = np.vstack([qs, np.repeat(qs[-1:], need - qs.shape[0], axis=0)])
        out[str(sid)] = paths_from_quantiles(lv, qs[:need], n_samples, rng=rng, rho=rho)
    if extended:
        warnings.warn(
            f"forecast: horizon shorter than lead time + review period for {len(extended)} "
            f"series (e.g. {extended[:3]}); the last forecast period was repeated",
            InventoryWarning,
            stacklevel=4,
        )
    return out


def _forecaster_frame(frame: pd.DataFrame, forecaster: Forecaster) -> pd.DataFrame:
    """``frame`` (``item_id, timestamp, target``) in the Forecaster's column names."""
    return frame.rename(
        columns={
            ID_COL: forecaster.id_col,
            TIME_COL: forecaster.time_col,
            TARGET_COL: forecaster.target_col,
        }
    )


class DemandModel:
    """A demand model that gives every series' protection-period demand, and can take in
    newer observations (for rolling re-plans).

    Parameters
    ----------
    method
        Demand model, see the module docs.
    forecast
        Quantile forecast (``method="forecast"``); at each call the rows after the last
        observed period are used.
    n_samples
        Sample paths per series.
    seed
        Seed of the paths and lead-time draws.
    rho
        Copula correlation between forecast periods (``method="forecast"``).
    window
        Recent observations for the empirical, negative-binomial and normal models.
    ets_model
        AutoETS model string for the ``auto``, ``ets`` and ``normal_ets`` models.
    on_progress
        Called with ``(done, total)`` while a forecaster fits.
    forecaster
        The :class:`~supplymind.forecasting.forecaster.Forecaster` of ``method="backbone"``
        (default: the bundled backbone with default settings); fitted in :meth:`fit` unless
        it already is.
    finetune
        Fine-tuning mode when :meth:`fit` fits ``forecaster`` (``"auto"``: guarded adoption).
    """

    def __init__(
        self,
        method: DemandMethod = "auto",
        *,
        forecast: pd.DataFrame | None = None,
        n_samples: int = 2000,
        seed: int = 0,
        rho: float = 0.0,
        window: int | None = None,
        ets_model: str = "ZZZ",
        on_progress: Progress | None = None,
        forecaster: Forecaster | None = None,
        finetune: str = "auto",
    ) -> None:
        if method not in DEMAND_METHODS:
            raise InventoryInputError(
                f"method: expected one of {list(DEMAND_METHODS)}, found {method!r}"
            )
        if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 100:
            raise InventoryInputError(
                f"n_samples: expected at least 100 paths, found {n_samples!r}"
            )
        if method == "forecast" and forecast is None:
            raise InventoryInputError(
                "forecast: method 'forecast' needs a forecast table, found None"
            )
        self.method = method
        self.forecast = check_forecast(forecast) if forecast is not None else None
        self.n_samples = n_samples
        self.seed = seed
        self.rho = rho
        self.window = window
        self.ets_model = ets_model
        self.on_progress = on_progress
        self.forecaster = forecaster
        self.finetune = finetune
        self._calls = 0

    def fit(self, history: pd.DataFrame, params: Mapping[str, InventoryParams]) -> DemandModel:
        """Fit on a checked history with a ``series_id`` column, for the series of
        ``params``."""
        self.params_ = dict(params)
        self.history_ = history
        observed = _observed_periods(history, self.params_)
        short: list[str] = []
        if self.method != "forecast":  # with a forecast, the history only dates it
            empty = [sid for sid, n in observed.items() if n == 0]
            if empty:
                raise InventoryInputError(
                    f"history: expected at least one observed period per series for method "
                    f"{self.method!r}, found none for {len(empty)} series: {_listed(empty)}"
                )
            short = [sid for sid, p in self.params_.items() if observed[sid] < min_history(p)]
        # Series planned by the short-history fallback, with their observed periods.
        self.fallback_ = {sid: observed[sid] for sid in short}
        self.main_ = {sid: p for sid, p in self.params_.items() if sid not in self.fallback_}
        _, period_days = infer_frequency(history[TIME_COL])
        self.fallback_window_ = self.window or default_window(period_days)
        every = self._frame(history, self.params_)
        values = every[TARGET_COL].dropna()
        whole = (values == np.round(values)).groupby(every.loc[values.index, ID_COL]).all()
        self.whole_units_ = {str(k): bool(v) for k, v in whole.items()}
        self.model_: (
            EmpiricalQuantileForecaster
            | StatsForecastQuantileForecaster
            | GlobalDemandForecaster
            | None
        ) = None
        frame = self._frame(history)
        if not self.main_:
            return self
        if self.method in ("normal", "empirical"):
            self.model_ = EmpiricalQuantileForecaster(self.window).fit(frame)
        elif self.method in ("auto", "ets", "normal_ets"):
            kind: Literal["auto", "ets"] = "auto" if self.method == "auto" else "ets"
            self.model_ = StatsForecastQuantileForecaster(
                kind, window=self.window, ets_model=self.ets_model, on_progress=self.on_progress
            ).fit(frame)
        elif self.method == "global":
            horizon = max(p.lead_time.max + p.review_period for p in self.main_.values())
            self.model_ = GlobalDemandForecaster(horizon, seed=self.seed).fit(frame)
        elif self.method == "backbone":
            self.forecaster = self._fit_forecaster(frame)
            # rare-demand series (upper decile 0) get their paths from the recent window
            self.model_ = EmpiricalQuantileForecaster(self.window).fit(frame)
        return self

    def _fit_forecaster(self, frame: pd.DataFrame) -> Forecaster:
        from supplymind.forecasting.forecaster import Forecaster

        forecaster = self.forecaster if self.forecaster is not None else Forecaster()
        if not forecaster.selection_:
            horizon = max(p.lead_time.max + p.review_period for p in self.main_.values())
            forecaster.fit(
                _forecaster_frame(frame, forecaster), finetune=self.finetune, horizon=horizon
            )
        return forecaster

    def _backbone_quantiles(self, horizon: int) -> pd.DataFrame:
        forecaster = self.forecaster
        if forecaster is None:
            raise InventoryInputError("forecaster: method 'backbone' is not fitted; call fit()")
        frame = self._frame(self.history_)
        quantiles = forecaster.predict(
            horizon, BACKBONE_LEVELS, history=_forecaster_frame(frame, forecaster)
        )
        return quantiles.rename(
            columns={forecaster.id_col: ID_COL, forecaster.time_col: TIME_COL}
        ).drop(columns="mean")

    def update(self, history: pd.DataFrame) -> DemandModel:
        """Take in a longer history of the same series (models keep their parameters)."""
        self.history_ = history
        if self.model_ is not None:
            self.model_.update(self._frame(history))
        return self

    def _frame(
        self, history: pd.DataFrame, ids: Mapping[str, object] | None = None
    ) -> pd.DataFrame:
        """``history`` in the models' columns, for the series ``ids`` (default: those the
        model plans, not the short-history fallback)."""
        frame = history[[SERIES_COL, TIME_COL, TARGET_COL]].rename(columns={SERIES_COL: ID_COL})
        return frame[frame[ID_COL].isin(self.main_ if ids is None else ids)]

    def protection(self) -> tuple[dict[str, ProtectionDemand], dict[str, str]]:
        """Protection-period demand and the model used, per series id.

        Series whose history is in whole units get whole-unit paths (rounded) and levels.
        """
        demands, used = self._protection()
        return {
            sid: replace(d, whole_units=self.whole_units_.get(sid, False))
            for sid, d in demands.items()
        }, used

    def _paths(self, sid: str, paths: np.ndarray) -> np.ndarray:
        return np.round(paths) if self.whole_units_.get(sid, False) else paths

    def _protection(self) -> tuple[dict[str, ProtectionDemand], dict[str, str]]:
        seed = self.seed + 7919 * self._calls  # fresh, reproducible draws per re-plan
        self._calls += 1
        demands, used = self._model_protection(seed) if self.main_ else ({}, {})
        demands.update(self._fallback_protection())
        used.update(dict.fromkeys(self.fallback_, SHORT_HISTORY_FALLBACK))
        return {sid: demands[sid] for sid in self.params_}, {sid: used[sid] for sid in self.params_}

    def _fallback_protection(self) -> dict[str, ProtectionDemand]:
        """The short-history fallback: normal with the recent observed mean and standard
        deviation, the latter at least ``sqrt(mean)`` (Poisson)."""
        if not self.fallback_:
            return {}
        history = self.history_[self.history_[SERIES_COL].isin(self.fallback_)]
        observed = history.dropna(subset=[TARGET_COL]).groupby(SERIES_COL)[TARGET_COL]
        out = {}
        for key, values in observed:
            sid = str(key)
            recent = values.to_numpy(np.float64)[-self.fallback_window_ :]
            mean = float(recent.mean())
            sd = float(np.std(recent, ddof=1)) if recent.size > 1 else 0.0
            p = self.params_[sid]
            out[sid] = normal_protection(
                mean,
                max(sd, math.sqrt(mean)),
                p.lead_time,
                p.review_period,
                source=SHORT_HISTORY_FALLBACK,
            )
        return out

    def _model_protection(self, seed: int) -> tuple[dict[str, ProtectionDemand], dict[str, str]]:
        params = self.main_
        rng = np.random.default_rng(seed)
        horizon = max(p.lead_time.max + p.review_period for p in params.values())
        demands: dict[str, ProtectionDemand] = {}
        used: dict[str, str] = {}
        if self.method == "forecast":
            assert self.forecast is not None  # checked in __init__
            paths = _forecast_paths(
                self.forecast, self.history_, params, self.n_samples, rng, self.rho
            )
            for sid, p in params.items():
                demands[sid] = protection_from_paths(
                    self._paths(sid, paths[sid]),
                    p.lead_time,
                    p.review_period,
                    rng=rng,
                    source="forecast quantiles",
                )
                used[sid] = "forecast quantiles"
            return demands, used
        if self.method == "backbone":
            quantiles = self._backbone_quantiles(horizon)
            lv = np.asarray(BACKBONE_LEVELS)
            cols = [quantile_name(q) for q in BACKBONE_LEVELS]
            assert self.forecaster is not None  # _backbone_quantiles checked it
            adopted = ", ".join(f"{k}: {v}" for k, v in sorted(self.forecaster.selection_.items()))
            bootstrap: dict[str, np.ndarray] | None = None
            for key, group in quantiles.groupby(ID_COL, sort=False):
                sid = str(key)
                if sid not in params:
                    continue
                p = params[sid]
                need = p.lead_time.max + p.review_period
                qs = group[cols].to_numpy(np.float64)[:need]
                if np.all(qs[:, -1] <= 0):
                    # Demand in fewer than one period in ten: nine deciles of zero say nothing
                    # of its size, so the recent window is bootstrapped instead.
                    if bootstrap is None:
                        assert isinstance(self.model_, EmpiricalQuantileForecaster)
                        bootstrap = self.model_.sample_paths(horizon, self.n_samples, seed=seed)
                    drawn, label = bootstrap[sid], "empirical bootstrap (rare demand)"
                else:
                    drawn = paths_from_quantiles(lv, qs, self.n_samples, rng=rng, rho=self.rho)
                    label = f"SupplyMind Forecaster ({adopted})"
                demands[sid] = protection_from_paths(
                    self._paths(sid, drawn),
                    p.lead_time,
                    p.review_period,
                    rng=rng,
                    source=label,
                )
                used[sid] = label
            return demands, used
        model = self.model_
        if self.method == "normal":
            assert isinstance(model, EmpiricalQuantileForecaster)
            for sid, p in params.items():
                recent = model.recent(sid)
                sd = float(np.std(recent, ddof=1)) if recent.size > 1 else 0.0
                demands[sid] = normal_protection(
                    float(recent.mean()), sd, p.lead_time, p.review_period, source="normal"
                )
                used[sid] = "normal (history mean and sd)"
            return demands, used
        if self.method == "normal_ets":
            assert isinstance(model, StatsForecastQuantileForecaster)
            points = model.point_forecast(horizon)
            for sid, p in params.items():
                steps = max(1, math.ceil(p.lead_time.mean) + p.review_period)
                mean = float(points[sid][:steps].mean())
                demands[sid] = normal_protection(
                    mean, model.residual_sd(sid), p.lead_time, p.review_period, source="normal"
                )
                used[sid] = f"normal ({model.method_[sid]} mean, residual sd)"
            return demands, used
        if self.method == "global":
            assert isinstance(model, GlobalDemandForecaster)
            moments = model.moments()
            for sid, p in params.items():
                demands[sid] = model.protection(
                    sid,
                    p.lead_time,
                    p.review_period,
                    whole_units=self.whole_units_.get(sid, False),
                    moments=moments[sid],
                )
                used[sid] = demands[sid].source
            return demands, used
        assert model is not None
        all_paths = model.sample_paths(horizon, self.n_samples, seed=seed)
        for sid, p in params.items():
            label = (
                model.method_[sid]
                if isinstance(model, StatsForecastQuantileForecaster)
                else "empirical bootstrap"
            )
            demands[sid] = protection_from_paths(
                self._paths(sid, all_paths[sid]),
                p.lead_time,
                p.review_period,
                rng=rng,
                source=label,
            )
            used[sid] = label
        return demands, used


def policies_for(
    demands: Mapping[str, ProtectionDemand],
    params: Mapping[str, InventoryParams],
    *,
    service: ServiceTarget | Literal["keep"] | None = "keep",
) -> dict[str, Policy]:
    """Policy levels of every series, optionally for another target (``None``: by cost).

    Series whose target has ``scope="portfolio"`` are grouped by target level; each group's
    base-stock levels meet the fill rate pooled over the group with the least stock
    (:func:`~supplymind.inventory.portfolio.portfolio_fill_rate_levels`). The others get
    their own item-level policy.

    Raises
    ------
    InventoryInputError
        If a portfolio target is set on a policy other than base stock or newsvendor.
    """
    resolved = {
        sid: params[sid] if service == "keep" else replace(params[sid], service=service)
        for sid in demands
    }
    groups: dict[float, list[str]] = {}
    for sid, p in resolved.items():
        if p.service is None or p.service.scope != "portfolio":
            continue
        if p.policy not in ("base_stock", "newsvendor"):
            raise InventoryInputError(
                f"series {sid!r}: a portfolio service target needs a base_stock or newsvendor "
                f"policy, found policy {p.policy!r}"
            )
        groups.setdefault(float(p.service.level), []).append(sid)
    pooled = {sid for ids in groups.values() for sid in ids}
    out = {
        sid: compute_policy(demand, resolved[sid])
        for sid, demand in demands.items()
        if sid not in pooled
    }
    for level, ids in groups.items():
        levels = portfolio_fill_rate_levels({sid: demands[sid] for sid in ids}, [level])
        for sid in ids:
            out[sid] = policy_at_level(demands[sid], resolved[sid], float(levels[sid][0]))
    return {sid: out[sid] for sid in demands}


def _target_text(p: InventoryParams) -> str:
    if p.service is None:
        return f"cost: critical ratio {p.costs.critical_ratio:.3f}"
    pooled = " over the portfolio" if p.service.scope == "portfolio" else ""
    return f"{p.service.kind} {p.service.level:g}{pooled}"


def _order_now(policy: Policy, p: InventoryParams, position: float) -> float:
    if policy.kind in ("base_stock", "newsvendor"):
        want = policy.order_up_to - position if position < policy.order_up_to else 0.0
    elif policy.kind == "s_S":
        want = policy.order_up_to - position if position <= policy.reorder_point else 0.0
    else:
        q = max(policy.order_quantity, 1e-9)
        want = (
            (math.floor((policy.reorder_point - position) / q) + 1) * q
            if position <= policy.reorder_point
            else 0.0
        )
    return p.constraints.round_order(want)


def _positions(inventory: pd.DataFrame, series: pd.DataFrame) -> dict[str, float]:
    if ID_COL not in inventory.columns or "on_hand" not in inventory.columns:
        raise InventoryInputError(
            f"inventory: expected the columns ['{ID_COL}', 'on_hand'] (optionally on_order, "
            f"backorders, location_id, timestamp), found {list(inventory.columns)}"
        )
    frame = inventory.copy()
    if LOCATION_COL in series.columns and LOCATION_COL not in frame.columns:
        raise InventoryInputError(
            f"inventory: expected a '{LOCATION_COL}' column because the history has one"
        )
    if LOCATION_COL not in series.columns and LOCATION_COL in frame.columns:
        frame = frame.drop(columns=LOCATION_COL)
    if TIME_COL in frame.columns:
        frame = frame.sort_values(TIME_COL, kind="stable")
    frame[SERIES_COL] = series_keys(frame)
    frame = frame.drop_duplicates(SERIES_COL, keep="last")
    out = {}
    for row in frame.to_dict("records"):
        values = [float(row.get(c, 0.0) or 0.0) for c in ("on_hand", "on_order", "backorders")]
        if any(not math.isfinite(v) or v < 0 for v in values):
            raise InventoryInputError(
                "inventory: expected on_hand, on_order and backorders >= 0 "
                f"for {row[SERIES_COL]!r}, found {values}"
            )
        out[str(row[SERIES_COL])] = values[0] + values[1] - values[2]
    return out


def plan_replenishment(
    history: pd.DataFrame,
    params: InventoryParams,
    *,
    method: DemandMethod | None = None,
    forecast: pd.DataFrame | None = None,
    lead_times: LeadTimes | None = None,
    item_params: pd.DataFrame | None = None,
    inventory: pd.DataFrame | None = None,
    n_samples: int = 2000,
    seed: int = 0,
    rho: float = 0.0,
    window: int | None = None,
    ets_model: str = "ZZZ",
    on_progress: Progress | None = None,
    forecaster: Forecaster | None = None,
    finetune: str = "auto",
) -> Plan:
    """Recommend policy levels (and orders, given the stock) per item-location.

    Parameters
    ----------
    history
        Demand: ``item_id, timestamp, target`` (+ ``location_id``).
    params
        Default parameters (lead time, review period, costs, constraints, target, policy).
    method
        Demand model (see the module docs); default ``"forecast"`` when a forecast is
        given, else ``"auto"``.
    forecast
        Quantile forecast in the Forecaster's format; must cover every series.
    lead_times
        Lead-time distributions (e.g. from purchase orders) overriding ``params.lead_time``.
    item_params
        Per-item overrides (:data:`OVERRIDE_COLUMNS`).
    inventory
        Current stock (``item_id``, ``on_hand``, optional ``on_order``, ``backorders``,
        ``location_id``, ``timestamp``: the latest row counts) for ``order_now``.
    n_samples
        Sample paths per series.
    seed
        Seed of every random draw.
    rho
        Copula correlation between forecast periods.
    window
        Recent observations used by the empirical and normal models.
    ets_model
        AutoETS model string (``"ZZZ"`` searches all; ``"ZNZ"`` skips trends, faster).
    on_progress
        Called with ``(done, total)`` while forecasters fit.
    forecaster, finetune
        The Forecaster of ``method="backbone"`` and its fine-tuning mode (see
        :class:`DemandModel`).

    Returns
    -------
    Plan
        ``table`` has one row per planned series: ``item_id``, ``location_id`` (if any),
        ``policy``, ``demand_model``, ``lead_time``, ``lead_time_mean``, ``review_period``,
        ``mean_demand`` (per period), ``protection_mean``, ``protection_sd``,
        ``safety_stock``, ``reorder_point``, ``order_up_to``, ``order_quantity``,
        ``target``, ``expected_fill_rate``, ``expected_cycle_service`` and, with
        ``inventory``, ``inventory_position`` and ``order_now`` (empty for series absent
        from ``inventory``). Series with a short history are planned by the
        short-history fallback and series without any observed demand are left out (see
        the module docs); both are named in ``notes`` and an
        :class:`~supplymind.exceptions.InventoryWarning`.
    """
    history = check_history(history)
    history = history.assign(**{SERIES_COL: series_keys(history)})
    series = series_table(history)
    per_series = series_params(series, params, lead_times=lead_times, item_params=item_params)
    chosen: DemandMethod = method or ("forecast" if forecast is not None else "auto")
    if forecast is not None and chosen != "forecast":
        raise InventoryInputError(
            f"method: a forecast was given, expected method 'forecast', found {chosen!r}"
        )
    notes = []
    observed = _observed_periods(history, per_series)
    empty = [sid for sid, n in observed.items() if n == 0] if chosen != "forecast" else []
    if len(empty) == len(per_series):
        raise InventoryInputError(
            "history: expected observed demand for at least one series, found only empty "
            f"targets for all {len(empty)} series"
        )
    if empty:
        notes.append(
            f"{len(empty)} series without any observed demand were left out of the plan: "
            f"{_listed(empty)}"
        )
        series = series[~series[SERIES_COL].isin(empty)].reset_index(drop=True)
        per_series = {sid: p for sid, p in per_series.items() if sid not in empty}
    model = DemandModel(
        chosen,
        forecast=forecast,
        n_samples=n_samples,
        seed=seed,
        rho=rho,
        window=window,
        ets_model=ets_model,
        on_progress=on_progress,
        forecaster=forecaster,
        finetune=finetune,
    ).fit(history, per_series)
    if model.fallback_:
        short = [
            f"{sid} ({n} observed < {min_history(per_series[sid])})"
            for sid, n in model.fallback_.items()
        ]
        notes.append(
            f"{len(short)} series have fewer observed periods than lead time + review period "
            f"(and 2) and were planned with the {SHORT_HISTORY_FALLBACK!r} (observed mean and "
            f"standard deviation, at least sqrt(mean)): {_listed(short)}"
        )
    for note in notes:
        warnings.warn(f"history: {note}", InventoryWarning, stacklevel=2)
    return replace(_finish(model, series, per_series, inventory), notes=notes)


def _finish(
    model: DemandModel,
    series: pd.DataFrame,
    per_series: dict[str, InventoryParams],
    inventory: pd.DataFrame | None,
) -> Plan:
    """Levels and the recommendation table from the model's current demand."""
    demands, used = model.protection()
    policies = policies_for(demands, per_series)
    positions = _positions(inventory, series) if inventory is not None else None
    rows = []
    for row in series.to_dict("records"):
        sid = str(row[SERIES_COL])
        p, d, pol = per_series[sid], demands[sid], policies[sid]
        fill, cycle = expected_service(d, pol)
        out = {k: row[k] for k in series.columns if k != SERIES_COL}
        out.update(
            policy=pol.kind,
            demand_model=used[sid],
            lead_time=p.lead_time.describe(),
            lead_time_mean=p.lead_time.mean,
            review_period=p.review_period,
            mean_demand=d.period_mean,
            protection_mean=d.protection.mean,
            protection_sd=d.protection.std,
            safety_stock=pol.safety_stock,
            reorder_point=pol.reorder_point,
            order_up_to=pol.order_up_to,
            order_quantity=pol.order_quantity,
            target=_target_text(p),
            expected_fill_rate=fill,
            expected_cycle_service=cycle,
        )
        if positions is not None:
            position = positions.get(sid)
            out.update(
                inventory_position=math.nan if position is None else position,
                order_now=math.nan if position is None else _order_now(pol, p, position),
            )
        rows.append(out)
    return Plan(pd.DataFrame(rows), series, per_series, demands, policies, model)


def replan(plan: Plan, history: pd.DataFrame, *, inventory: pd.DataFrame | None = None) -> Plan:
    """Plan again with a longer history of the same series, keeping the fitted demand
    model (AutoETS keeps its parameters and runs its states forward).

    Parameters
    ----------
    plan
        An earlier plan.
    history
        The demand of the same series up to now.
    inventory
        Current stock for ``order_now`` (see :func:`plan_replenishment`).
    """
    history = check_history(history)
    history = history.assign(**{SERIES_COL: series_keys(history)})
    history = history[history[SERIES_COL].isin(plan.params)]
    plan.model.update(history)
    return replace(_finish(plan.model, plan.series, plan.params, inventory), notes=list(plan.notes))
