"""The demand Forecaster: pretrained backbone, fine-tuning, and guarded adoption.

``Forecaster(backbone=...).fit(history, finetune=...)`` then ``.predict(horizon)`` returns
the long table ``item_id, timestamp, mean, "0.1", ..., "0.9"``.

``finetune`` modes
------------------
``"none"``
    the pretrained backbone, zero-shot;
``"full"``, ``"head"``, ``"lora"``, ``"ia3"``
    a copy of the backbone fine-tuned in that mode (early stopping on the validation
    windows keeps the pretrained weights when no step improves on them);
``"auto"`` (default): guarded adoption
    the zero-shot backbone, the fine-tuned one (mode ``auto_mode``), ``EmpiricalQuantiles``,
    ``SeasonalNaive``, ``AutoETS``, ``AutoTheta`` and, for intermittent series,
    ``CrostonSBA`` and ``TSB`` are backtested on the validation windows; the quantile
    average of the best ``ensemble_size`` of them is a candidate too. The one with the
    lowest WQL is adopted per segment (``intermittent`` / ``smooth`` series, when a
    segment has at least ``min_segment_series`` series; otherwise one choice for all).

Validation windows are time-based: the last ``n_windows`` blocks of ``horizon`` periods of
each series (rolling origin) score the candidates; the block before them is the
early-stopping split of fine-tuning, which trains on the periods before that. Keeping the
two apart means the choice does not favour a fine-tuned model for having been stopped on
the windows it is judged on (series too short to spare the extra block are scored only).

Non-negative histories get non-negative quantiles; histories of whole numbers (counts) get
whole-number quantiles. Series with fewer than :data:`MIN_OBSERVED` observed values are
forecast by ``EmpiricalQuantiles`` with a :class:`ForecastWarning`.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd

from supplymind.exceptions import ConfigurationError, ForecastInputError, ForecastWarning
from supplymind.files import atomic_write_text
from supplymind.forecasting.data import (
    ID_COL,
    TARGET_COL,
    TIME_COL,
    SeriesSet,
    check_horizon,
    prepare_series,
)
from supplymind.forecasting.data import future_covariates as covariates_over_horizon
from supplymind.forecasting.metrics import coverage, mase, wql
from supplymind.forecasting.neural import (
    FINETUNE_DEFAULTS,
    Window,
    finetune_backbone,
    forecast_model,
    load_for_finetuning,
    quiet,
)
from supplymind.forecasting.statistical import INTERMITTENT_MODELS, STAT_MODELS, stat_quantiles
from supplymind.training.finetune import (
    MODES,
    PEFT_MODES,
    FinetuneConfig,
    FinetuneResult,
    merge_adapters,
)

__all__ = [
    "DEFAULT_QUANTILES",
    "FINETUNE_CHOICES",
    "MIN_OBSERVED",
    "Finetuner",
    "Forecaster",
    "quantile_name",
]

DEFAULT_QUANTILES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: Levels the backtest scores (WQL over the deciles).
SCORING_LEVELS: tuple[float, ...] = DEFAULT_QUANTILES
FINETUNE_CHOICES: tuple[str, ...] = ("auto", "none", *MODES)
#: Observed values below which a series is forecast by EmpiricalQuantiles.
MIN_OBSERVED = 3
ZERO_SHOT = "zero_shot"
FINETUNED = "finetuned"
ENSEMBLE = "ensemble"
_ADI_CUTOFF = 1.32
_STATE = "forecaster.json"


#: Runs fine-tuning with the signature of
#: :func:`~supplymind.forecasting.neural.finetune_backbone` (which is the default; see
#: ``supplymind.scale.distributed.RayFinetuner`` for data-parallel runs on Ray).
Finetuner = Callable[..., FinetuneResult]


def quantile_name(level: float) -> str:
    """Column name of a quantile level: ``0.1 -> "0.1"``, ``0.025 -> "0.025"``."""
    return f"{level:g}"


def _intermittent(values: np.ndarray) -> bool:
    y = values[np.isfinite(values)]
    nonzero = int(np.count_nonzero(y > 0))
    return nonzero == 0 or y.size / nonzero > _ADI_CUTOFF


def _check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    try:
        out = tuple(float(q) for q in levels)
    except (TypeError, ValueError) as exc:
        raise ForecastInputError(f"quantiles: expected numbers, found {levels!r}") from exc
    if (
        not out
        or any(not 0 < q < 1 for q in out)
        or any(a >= b for a, b in itertools.pairwise(out))
    ):
        raise ForecastInputError(
            f"quantiles: expected strictly increasing levels in (0, 1), found {list(out)}"
        )
    return out


def default_horizon(freq: str, season_length: int) -> int:
    """Validation horizon when none is given: one season (at most 64), 8 without season."""
    return min(64, season_length) if season_length > 1 else 8


class Forecaster:
    """Probabilistic demand forecaster on a pretrained backbone.

    Parameters
    ----------
    backbone
        Registered backbone name (see ``supplymind.models.registry.list_backbones``) or a
        folder; fine-tuning needs a SupplyMind backbone.
    horizon
        Periods of the validation windows (and default of :meth:`predict`); default one
        season.
    freq
        Pandas frequency alias; inferred when ``None``.
    quantiles
        Default levels of :meth:`predict`.
    n_windows
        Validation windows per series (fewer for short series).
    auto_mode
        Fine-tuning mode tried by ``finetune="auto"``.
    finetune_config
        Engine settings (default :data:`~supplymind.forecasting.neural.FINETUNE_DEFAULTS`
        of the mode).
    candidates
        Models ``auto`` may adopt (default all).
    covariates
        Known-future covariate columns (used by fine-tuned backbones).
    static
        Static covariate columns (used by fine-tuned backbones).
    id_col, time_col, target_col
        Column names of the history.
    n_jobs
        Processes for the statistical models.
    min_segment_series
        Series a segment needs to get its own choice.
    ensemble_size
        Best candidates averaged into the ``ensemble`` candidate (0 or 1: none).
    seed
        Seed of fine-tuning.
    progress
        Show progress bars.
    work_dir
        Folder for fine-tuning logs and checkpoints (resumable); ``None`` keeps them in memory.
    finetuner
        Runs fine-tuning (default :func:`~supplymind.forecasting.neural.finetune_backbone`
        in this process).
    """

    def __init__(
        self,
        backbone: str = "supplymind-ts-small",
        *,
        horizon: int | None = None,
        freq: str | None = None,
        quantiles: Sequence[float] = DEFAULT_QUANTILES,
        n_windows: int = 2,
        auto_mode: str = "full",
        finetune_config: FinetuneConfig | None = None,
        candidates: Sequence[str] | None = None,
        covariates: Sequence[str] = (),
        static: Sequence[str] = (),
        id_col: str = ID_COL,
        time_col: str = TIME_COL,
        target_col: str = TARGET_COL,
        n_jobs: int = 1,
        min_segment_series: int = 20,
        ensemble_size: int = 3,
        seed: int = 0,
        progress: bool = False,
        work_dir: str | Path | None = None,
        finetuner: Finetuner | None = None,
    ) -> None:
        self.backbone = str(backbone)
        self.horizon = None if horizon is None else check_horizon(horizon)
        self.freq = freq
        self.quantiles = _check_levels(quantiles)
        if isinstance(n_windows, bool) or not isinstance(n_windows, int) or n_windows < 1:
            raise ConfigurationError(f"n_windows: expected a positive integer, found {n_windows!r}")
        self.n_windows = n_windows
        if auto_mode not in MODES:
            raise ConfigurationError(
                f"auto_mode: expected one of {list(MODES)}, found {auto_mode!r}"
            )
        self.auto_mode = auto_mode
        self.finetune_config = finetune_config
        known = (ZERO_SHOT, FINETUNED, *STAT_MODELS)
        chosen = tuple(candidates) if candidates is not None else known
        unknown = [c for c in chosen if c not in known]
        if unknown or not chosen:
            raise ConfigurationError(
                f"candidates: expected a non-empty subset of {list(known)}, found {list(chosen)}"
            )
        self.candidates = chosen
        self.covariates = tuple(covariates)
        self.static = tuple(static)
        self.id_col, self.time_col, self.target_col = id_col, time_col, target_col
        self.n_jobs = max(1, int(n_jobs))
        self.min_segment_series = int(min_segment_series)
        self.ensemble_size = int(ensemble_size)
        self.seed = int(seed)
        self.progress = progress
        self.work_dir = None if work_dir is None else Path(work_dir)
        self.finetuner = finetuner
        # fitted state
        self.series_: SeriesSet | None = None
        self.freq_: str | None = None
        self.horizon_: int | None = None
        self.finetune_: str | None = None
        self.model_: Any = None
        self.adapter_: Any = None
        self.pretrained_: Any = None
        self.static_codes_: list[dict[str, int]] = []
        self.selection_: dict[str, str] = {}
        self.backtest_: pd.DataFrame | None = None
        self.finetune_result_: dict[str, Any] | None = None
        self.timings_: dict[str, float] = {}
        self.windows_: dict[str, int] = {}

    # ------------------------------------------------------------------ loading

    def _load_pretrained(self, *, need_model: bool) -> Any:
        from supplymind.models.adapters.supplymind import SupplyMindBackbone
        from supplymind.models.registry import load_backbone

        backbone = load_backbone(self.backbone)
        if isinstance(backbone, SupplyMindBackbone):
            if self.covariates or self.static_codes_:
                cards = [len(m) + 1 for m in self.static_codes_]  # code 0: unseen
                backbone.model = load_for_finetuning(
                    backbone.source,
                    num_covariates=len(self.covariates),
                    static_cardinalities=cards,
                )
            return backbone
        if need_model:
            raise ConfigurationError(
                f"finetune: fine-tuning needs a SupplyMind backbone; {self.backbone!r} can only "
                "be used zero-shot (finetune='none')"
            )
        return backbone

    # ------------------------------------------------------------------ helpers

    def _prepare(self, frame: pd.DataFrame) -> SeriesSet:
        return prepare_series(
            frame,
            id_col=self.id_col,
            time_col=self.time_col,
            target_col=self.target_col,
            freq=self.freq_ or self.freq,
            covariates=self.covariates,
            static=self.static,
        )

    def _static_codes(self, series: SeriesSet) -> np.ndarray | None:
        if not self.static:
            return None
        codes = np.zeros((len(series), len(self.static)), dtype=np.int64)
        for i, row in enumerate(series.static_values):
            for j, value in enumerate(row):
                # Unseen categories share code 0 (the embedding of "other").
                codes[i, j] = self.static_codes_[j].get(value, 0)
        return codes

    def _neural(
        self,
        name: str,
        histories: list[np.ndarray],
        horizon: int,
        levels: Sequence[float],
        covariates: list[np.ndarray] | None,
        static: np.ndarray | None,
        season_length: int,
    ) -> np.ndarray:
        from supplymind.models.adapters.supplymind import SupplyMindBackbone

        backbone = self.pretrained_
        model = self.model_ if name == FINETUNED and self.model_ is not None else None
        if model is None and isinstance(backbone, SupplyMindBackbone):
            model = backbone.model
        if model is not None:
            # The season the statistical models get: the copy may use it after one cycle.
            return forecast_model(
                model,
                histories,
                horizon,
                levels,
                covariates=covariates,
                static=static,
                season_length=season_length,
            )
        q = backbone.predict_quantiles(histories, horizon, list(levels))
        out = np.sort(np.asarray(q, dtype=np.float64), axis=-1)
        for i, h in enumerate(histories):
            seen = h[np.isfinite(h)]
            if seen.size and seen.min() >= 0:
                out[i] = np.maximum(out[i], 0.0)
        return out

    def _run(
        self,
        name: str,
        series: SeriesSet,
        histories: list[np.ndarray],
        horizon: int,
        levels: Sequence[float],
        covariates: list[np.ndarray] | None,
        static: np.ndarray | None,
    ) -> np.ndarray:
        if name in (ZERO_SHOT, FINETUNED):
            return self._neural(
                name, histories, horizon, levels, covariates, static, series.season_length
            )
        return stat_quantiles(
            name,
            histories,
            horizon,
            levels,
            season_length=series.season_length,
            freq=series.freq,
            n_jobs=self.n_jobs,
        )

    # ------------------------------------------------------------------ fit

    def fit(
        self, history: pd.DataFrame, finetune: str = "auto", *, horizon: int | None = None
    ) -> Self:
        """Fit on a long demand table.

        Parameters
        ----------
        history
            ``item_id, timestamp, target`` (names as set), plus the covariate columns.
        finetune
            One of :data:`FINETUNE_CHOICES`.
        horizon
            Validation horizon (overrides the constructor's).

        Returns
        -------
        Forecaster
            ``self``, with ``selection_``, ``backtest_`` and ``finetune_result_`` set.
        """
        if finetune not in FINETUNE_CHOICES:
            raise ConfigurationError(
                f"finetune: expected one of {list(FINETUNE_CHOICES)}, found {finetune!r}"
            )
        began = time.perf_counter()
        self.series_, self.freq_ = None, None
        series = self._prepare(history)
        self.series_, self.freq_ = series, series.freq
        self.static_codes_ = []
        for j in range(len(self.static)):
            values = sorted({row[j] for row in series.static_values})
            self.static_codes_.append({v: k + 1 for k, v in enumerate(values)})
        h = horizon if horizon is not None else self.horizon
        self.horizon_ = (
            check_horizon(h)
            if h is not None
            else default_horizon(series.freq, series.season_length)
        )
        self.finetune_ = finetune
        needs_model = finetune not in ("none",) and (
            finetune != "auto" or FINETUNED in self.candidates
        )
        self.pretrained_ = self._load_pretrained(need_model=finetune not in ("none", "auto"))
        from supplymind.models.adapters.supplymind import SupplyMindBackbone

        can_finetune = isinstance(self.pretrained_, SupplyMindBackbone)
        windows, stopping = self._validation_windows(series)
        self.windows_ = {"selection": len(windows), "early_stopping": len(stopping)}
        static = self._static_codes(series)
        self.model_, self.adapter_ = None, None
        self.finetune_result_ = None
        # Without any validation window nothing could judge a fine-tuned model: auto keeps
        # the pretrained one and does not fine-tune (the selection below says so).
        unjudged = finetune == "auto" and not (stopping or windows)
        if needs_model and can_finetune and not unjudged:
            mode = self.auto_mode if finetune == "auto" else finetune
            config = self.finetune_config or FINETUNE_DEFAULTS[mode]
            if config.mode != mode:
                config = config.replace(mode=mode)
            config = config.replace(seed=self.seed)
            every = [*stopping, *windows]
            first = {w.series: w.origin for w in sorted(every, key=lambda w: -w.origin)}
            ends = [first.get(i, len(v)) for i, v in enumerate(series.values)]
            run = self.finetuner or finetune_backbone
            try:
                result = run(
                    self.pretrained_.model,
                    series.values,
                    ends,
                    stopping or windows,
                    self.horizon_,
                    config,
                    covariates=series.covariates,
                    static=static,
                    out_dir=None if self.work_dir is None else self.work_dir / f"finetune-{mode}",
                    progress=self.progress,
                )
            except ConfigurationError as exc:
                if finetune != "auto":
                    raise
                warnings.warn(f"auto: fine-tuning skipped ({exc})", ForecastWarning, stacklevel=2)
            else:
                self.adapter_ = result.model if config.mode in PEFT_MODES else None
                self.model_ = merge_adapters(copy.deepcopy(result.model))
                self.finetune_result_ = result.summary()
        self.timings_["finetune"] = time.perf_counter() - began
        names = self._candidate_names(finetune, series)
        self.backtest_, forecasts, truth, segments = self._backtest(series, windows, names)
        self.selection_ = self._select(finetune, names, forecasts, truth, segments, series, windows)
        self.timings_["fit"] = time.perf_counter() - began
        return self

    def _fitted_horizon(self) -> int:
        if self.horizon_ is None:
            raise ConfigurationError("Forecaster: call fit() (or load()) first")
        return self.horizon_

    def _candidate_names(self, finetune: str, series: SeriesSet) -> list[str]:
        if finetune != "auto":
            names = [ZERO_SHOT]
            if self.model_ is not None:
                names.append(FINETUNED)
            return names
        any_intermittent = any(_intermittent(v) for v in series.values)
        names = []
        for name in self.candidates:
            if name == FINETUNED and self.model_ is None:
                continue
            if name in INTERMITTENT_MODELS and not any_intermittent:
                continue
            names.append(name)
        return names

    def _validation_windows(self, series: SeriesSet) -> tuple[list[Window], list[Window]]:
        """Selection windows (the last ``n_windows`` blocks of each series) and early-stopping
        windows (the block before them, for series long enough to spare one).

        Early stopping and model choice use different windows, so the choice does not favour
        the fine-tuned model for having been stopped on the windows it is judged on. When no
        series can spare a block, early stopping falls back to the selection windows.
        """
        h = self._fitted_horizon()
        selection: list[Window] = []
        stopping: list[Window] = []
        for i, v in enumerate(series.values):
            for k in range(self.n_windows + 1, 0, -1):
                origin = len(v) - k * h
                if origin < 1:
                    continue
                past, future = v[:origin], v[origin : origin + h]
                if np.isfinite(past).sum() >= MIN_OBSERVED and np.isfinite(future).any():
                    (stopping if k == self.n_windows + 1 else selection).append(Window(i, origin))
        return selection, stopping

    def _backtest(
        self, series: SeriesSet, windows: list[Window], names: list[str]
    ) -> tuple[pd.DataFrame, dict[str, np.ndarray], np.ndarray, np.ndarray]:
        h = self._fitted_horizon()
        levels = SCORING_LEVELS
        static = self._static_codes(series)
        truth = np.full((len(windows), h), np.nan)
        for r, w in enumerate(windows):
            part = series.values[w.series][w.origin : w.origin + h]
            truth[r, : len(part)] = part
        segments = np.array(
            [
                "intermittent" if _intermittent(series.values[w.series][: w.origin]) else "smooth"
                for w in windows
            ]
        )
        forecasts: dict[str, np.ndarray] = {}
        for name in names:
            started = time.perf_counter()
            out = np.empty((len(windows), h, len(levels)))
            origins = sorted({w.origin - len(series.values[w.series]) for w in windows})
            for offset in origins:  # one batch per window position from the end
                rows = [
                    r
                    for r, w in enumerate(windows)
                    if w.origin - len(series.values[w.series]) == offset
                ]
                hist = [series.values[windows[r].series][: windows[r].origin] for r in rows]
                covs = None
                if series.covariates and name in (ZERO_SHOT, FINETUNED):
                    covs = [
                        series.covariates[windows[r].series][: windows[r].origin + h] for r in rows
                    ]
                    covs = [
                        np.concatenate([c, np.repeat(c[-1:], windows[r].origin + h - len(c), 0)])
                        if len(c) < windows[r].origin + h
                        else c
                        for c, r in zip(covs, rows, strict=True)
                    ]
                codes = None if static is None else static[[windows[r].series for r in rows]]
                out[rows] = self._run(name, series, hist, h, levels, covs, codes)
            forecasts[name] = self._finish(
                out, [series.values[w.series][: w.origin] for w in windows]
            )
            self.timings_[f"backtest:{name}"] = time.perf_counter() - started
        table = self._score_table(series, windows, forecasts, truth, segments)
        return table, forecasts, truth, segments

    @staticmethod
    def _finish(q: np.ndarray, histories: Sequence[np.ndarray]) -> np.ndarray:
        """Non-negative and whole-number quantiles where the history is."""
        q = np.sort(q, axis=-1)
        for i, hist in enumerate(histories):
            seen = hist[np.isfinite(hist)]
            if seen.size and seen.min() >= 0:
                q[i] = np.maximum(q[i], 0.0)
                if np.all(seen == np.round(seen)):
                    q[i] = np.round(q[i])
        return q

    def _score_table(
        self,
        series: SeriesSet,
        windows: list[Window],
        forecasts: dict[str, np.ndarray],
        truth: np.ndarray,
        segments: np.ndarray,
    ) -> pd.DataFrame:
        rows = []
        histories = [series.values[w.series][: w.origin] for w in windows]
        lo, mid, hi = (SCORING_LEVELS.index(x) for x in (0.1, 0.5, 0.9))
        for segment in ["all", *sorted(set(segments.tolist()))]:
            mask = np.ones(len(windows), bool) if segment == "all" else segments == segment
            if not mask.any():
                continue
            for name, q in forecasts.items():
                rows.append(
                    {
                        "segment": segment,
                        "model": name,
                        "wql": wql(truth[mask], q[mask], SCORING_LEVELS),
                        "mase": mase(
                            truth[mask],
                            q[mask][..., mid],
                            [histories[r] for r in np.flatnonzero(mask)],
                            series.season_length,
                        ),
                        "coverage_80": coverage(truth[mask], q[mask][..., lo], q[mask][..., hi]),
                        "n_windows": int(mask.sum()),
                        "n_series": len({windows[r].series for r in np.flatnonzero(mask)}),
                    }
                )
        # No window (every series shorter than a horizon): an empty table, same columns.
        columns = ["segment", "model", "wql", "mase", "coverage_80", "n_windows", "n_series"]
        return pd.DataFrame(rows, columns=columns)

    def _select(
        self,
        finetune: str,
        names: list[str],
        forecasts: dict[str, np.ndarray],
        truth: np.ndarray,
        segments: np.ndarray,
        series: SeriesSet,
        windows: list[Window],
    ) -> dict[str, str]:
        if finetune == "none" or not names:
            return {"all": ZERO_SHOT}
        if finetune != "auto":
            return {"all": FINETUNED if FINETUNED in names else ZERO_SHOT}
        if not windows:
            warnings.warn(
                "auto: no series is long enough for a validation window; using the zero-shot "
                "backbone",
                ForecastWarning,
                stacklevel=3,
            )
            return {"all": ZERO_SHOT}
        choice: dict[str, str] = {}
        extra_rows = []
        for segment in ["all", "intermittent", "smooth"]:
            mask = np.ones(len(windows), bool) if segment == "all" else segments == segment
            n_series = len({windows[r].series for r in np.flatnonzero(mask)})
            if segment != "all" and n_series < self.min_segment_series:
                continue
            allowed = [n for n in names if not (segment == "smooth" and n in INTERMITTENT_MODELS)]
            scores = {n: wql(truth[mask], forecasts[n][mask], SCORING_LEVELS) for n in allowed}
            scores = {n: s for n, s in scores.items() if np.isfinite(s)}
            if not scores:
                continue
            ranked = sorted(scores, key=lambda n: scores[n])
            best = ranked[0]
            if self.ensemble_size > 1 and len(ranked) >= 2:
                members = ranked[: self.ensemble_size]
                blend = np.mean([forecasts[m][mask] for m in members], axis=0)
                score = wql(truth[mask], blend, SCORING_LEVELS)
                lo, hi = SCORING_LEVELS.index(0.1), SCORING_LEVELS.index(0.9)
                extra_rows.append(
                    {
                        "segment": segment,
                        "model": f"{ENSEMBLE}({'+'.join(members)})",
                        "wql": score,
                        "mase": np.nan,
                        "coverage_80": coverage(truth[mask], blend[..., lo], blend[..., hi]),
                        "n_windows": int(mask.sum()),
                        "n_series": n_series,
                    }
                )
                if score < scores[best]:
                    best = f"{ENSEMBLE}({'+'.join(members)})"
            choice[segment] = best
        if extra_rows and self.backtest_ is not None:
            self.backtest_ = pd.concat(
                [self.backtest_, pd.DataFrame(extra_rows)], ignore_index=True
            )
        if "all" not in choice:
            choice["all"] = ZERO_SHOT
        return choice

    # ------------------------------------------------------------------ predict

    def _members(self, choice: str) -> list[str]:
        if choice.startswith(ENSEMBLE + "("):
            return choice[len(ENSEMBLE) + 1 : -1].split("+")
        return [choice]

    def predict(
        self,
        horizon: int | None = None,
        quantiles: Sequence[float] | None = None,
        *,
        history: pd.DataFrame | None = None,
        future_covariates: pd.DataFrame | None = None,
        model: str | None = None,
    ) -> pd.DataFrame:
        """Forecast every series ``horizon`` periods past its end.

        Parameters
        ----------
        horizon
            Periods ahead (default: the validation horizon).
        quantiles
            Levels (default: the constructor's).
        history
            Forecast these series instead of the fitted ones (with the fitted choices).
        future_covariates
            Known-future covariate values over the horizon (models with covariates).
        model
            Forecast every series with this candidate instead of the adopted one (for
            comparisons): ``"zero_shot"``, ``"finetuned"`` (after fine-tuning) or a
            statistical model name.

        Returns
        -------
        pandas.DataFrame
            ``item_id, timestamp, mean`` and one column per level (``"0.1"``...), in the
            history's column names for id and time.
        """
        if self.horizon_ is None or not self.selection_:
            raise ConfigurationError("Forecaster: call fit() (or load()) before predict()")
        known = (ZERO_SHOT, *STAT_MODELS) + ((FINETUNED,) if self.model_ is not None else ())
        if model is not None and model not in known:
            raise ConfigurationError(f"model: expected one of {list(known)}, found {model!r}")
        h = check_horizon(horizon) if horizon is not None else self.horizon_
        levels = _check_levels(self.quantiles if quantiles is None else quantiles)
        if history is not None:
            series = self._prepare(history)
        elif self.series_ is not None:
            series = self.series_
        else:
            raise ConfigurationError(
                "Forecaster.predict: a loaded Forecaster does not keep the history; pass history="
            )
        grid = tuple(sorted(set(levels) | set(SCORING_LEVELS)))
        selection = self.selection_ if model is None else {"all": model}
        uses_model = any(
            m in (ZERO_SHOT, FINETUNED) for c in selection.values() for m in self._members(c)
        )
        covs = None
        if series.covariates and uses_model and self.model_ is not None:
            covs = covariates_over_horizon(
                series, future_covariates, h, id_col=self.id_col, time_col=self.time_col
            )
        static = self._static_codes(series)
        out = np.empty((len(series), h, len(grid)))
        short = [i for i, v in enumerate(series.values) if np.isfinite(v).sum() < MIN_OBSERVED]
        if short:
            names = [series.item_ids[i] for i in short[:5]]
            warnings.warn(
                f"{len(short)} series have fewer than {MIN_OBSERVED} observed values "
                f"({names}...); they are forecast by EmpiricalQuantiles",
                ForecastWarning,
                stacklevel=2,
            )
        assignment: dict[str, list[int]] = {}
        short_set = set(short)
        for i, v in enumerate(series.values):
            if i in short_set:
                choice = "EmpiricalQuantiles"
            else:
                segment = "intermittent" if _intermittent(v) else "smooth"
                choice = selection.get(segment, selection["all"])
            assignment.setdefault(choice, []).append(i)
        for choice, rows in assignment.items():
            parts = []
            for member in self._members(choice):
                hist = [series.values[i] for i in rows]
                member_covs = None if covs is None else [covs[i] for i in rows]
                codes = None if static is None else static[rows]
                parts.append(self._run(member, series, hist, h, grid, member_covs, codes))
            out[rows] = np.mean(parts, axis=0)
        out = self._finish(out, series.values)
        deciles = [grid.index(q) for q in SCORING_LEVELS]
        mean = out[..., deciles].mean(axis=-1)
        wanted = [grid.index(q) for q in levels]
        frames = []
        for i, item in enumerate(series.item_ids):
            block = pd.DataFrame(out[i][:, wanted], columns=[quantile_name(q) for q in levels])
            block.insert(0, "mean", mean[i])
            block.insert(0, self.time_col, series.future_index(i, h))
            block.insert(0, self.id_col, item)
            frames.append(block)
        return pd.concat(frames, ignore_index=True)

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> Path:
        """Save the fitted choices, backtest and fine-tuned weights to a folder.

        Writes ``forecaster.json``, ``backtest.csv`` and, when a fine-tuned model was fit,
        ``finetuned/`` (``config.json`` + ``model.safetensors``; in the peft modes also
        ``adapter/`` with the peft adapter). Loading reads only JSON and safetensors.
        """
        if self.horizon_ is None or not self.selection_:
            raise ConfigurationError("Forecaster: call fit() before save()")
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        if self.model_ is not None:
            with quiet():
                if self.adapter_ is not None:
                    self.adapter_.save_pretrained(str(folder / "adapter"))
                self.model_.save_pretrained(str(folder / "finetuned"))
        if self.backtest_ is not None:
            atomic_write_text(folder / "backtest.csv", self.backtest_.to_csv(index=False))
        state = {
            "format": 1,
            "backbone": self.backbone,
            "horizon": self.horizon_,
            "freq": self.freq_,
            "quantiles": list(self.quantiles),
            "finetune": self.finetune_,
            "selection": self.selection_,
            "covariates": list(self.covariates),
            "static": list(self.static),
            "static_codes": self.static_codes_,
            "columns": {"id": self.id_col, "time": self.time_col, "target": self.target_col},
            "finetune_result": self.finetune_result_,
            "timings": self.timings_,
            "has_finetuned": self.model_ is not None,
        }
        atomic_write_text(folder / _STATE, json.dumps(state, indent=2, default=float))
        return folder

    @classmethod
    def load(cls, path: str | Path, *, n_jobs: int = 1) -> Forecaster:
        """A Forecaster saved by :meth:`save`; call :meth:`predict` with ``history=``."""
        folder = Path(path)
        state_path = folder / _STATE
        if not state_path.is_file():
            raise ConfigurationError(
                f"model dir: expected {state_path} (written by save()), not found"
            )
        state = json.loads(state_path.read_text())
        cols = state["columns"]
        self = cls(
            state["backbone"],
            horizon=state["horizon"],
            freq=state["freq"],
            quantiles=state["quantiles"],
            covariates=state["covariates"],
            static=state["static"],
            id_col=cols["id"],
            time_col=cols["time"],
            target_col=cols["target"],
            n_jobs=n_jobs,
        )
        self.horizon_ = int(state["horizon"])
        self.finetune_ = state["finetune"]
        self.selection_ = dict(state["selection"])
        self.static_codes_ = [dict(m) for m in state["static_codes"]]
        self.finetune_result_ = state["finetune_result"]
        self.timings_ = dict(state.get("timings", {}))
        needs = {m for c in self.selection_.values() for m in self._members(c)}
        if ZERO_SHOT in needs or FINETUNED in needs:
            self.pretrained_ = self._load_pretrained(need_model=False)
        if state["has_finetuned"]:
            from supplymind.models.backbone import SupplyMindTSModel

            with quiet():
                self.model_ = SupplyMindTSModel.from_pretrained(folder / "finetuned")
            self.model_.eval()
        if (folder / "backtest.csv").is_file():
            self.backtest_ = pd.read_csv(folder / "backtest.csv")
        # The fitted series are not stored: predict() needs history=.
        self.freq_ = state["freq"]
        return self

    @classmethod
    def unfitted(
        cls,
        backbone: str = "supplymind-ts-small",
        *,
        model: str = ZERO_SHOT,
        horizon: int,
        freq: str | None = None,
        quantiles: Sequence[float] = DEFAULT_QUANTILES,
        id_col: str = ID_COL,
        time_col: str = TIME_COL,
        target_col: str = TARGET_COL,
    ) -> Forecaster:
        """A Forecaster that forecasts every series with one model and fits nothing: the
        pretrained backbone zero-shot (``model="zero_shot"``) or a statistical model; call
        :meth:`predict` with ``history=`` (as after :meth:`load`)."""
        known = (ZERO_SHOT, *STAT_MODELS)
        if model not in known:
            raise ConfigurationError(f"model: expected one of {list(known)}, found {model!r}")
        self = cls(
            backbone,
            horizon=horizon,
            freq=freq,
            quantiles=quantiles,
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
        )
        self.horizon_ = check_horizon(horizon)
        self.finetune_ = "none"
        self.selection_ = {"all": model}
        self.freq_ = freq
        if model == ZERO_SHOT:
            self.pretrained_ = self._load_pretrained(need_model=False)
        return self

    def summary(self) -> dict[str, Any]:
        """The choices, fine-tuning outcome and backtest as JSON-ready data."""
        return {
            "backbone": self.backbone,
            "finetune": self.finetune_,
            "horizon": self.horizon_,
            "selection": self.selection_,
            "finetune_result": self.finetune_result_,
            "backtest": [] if self.backtest_ is None else self.backtest_.to_dict("records"),
            "timings": self.timings_,
            "windows": self.windows_,
        }
