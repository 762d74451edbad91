"""Re-fine-tuning with champion/challenger: train on new data, compare, promote only if better.

:func:`retrain` holds out the newest ``eval_windows`` blocks of ``horizon`` periods, fits a
challenger Forecaster on the periods before them (starting from the champion's fine-tuned
weights when it has some, else from the pretrained backbone), then forecasts every held-out
block from the history before it with both the challenger and the champion. The challenger
is promoted only when its WQL is below ``(1 - margin)`` times the champion's; otherwise it
is registered as ``retired`` and the champion keeps serving. Both models are judged on the
same windows, which neither was fitted on (when the champion's training data reach into
them, the comparison favours the champion: it errs on the side of keeping it).

:func:`check_drift` compares the data since the champion's training window with that window
and the champion's recent rolling error with its held-out error, and writes alerts.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from supplymind.exceptions import ConfigurationError, ModelRegistryError
from supplymind.forecasting.forecaster import FINETUNE_CHOICES
from supplymind.forecasting.metrics import wql
from supplymind.lifecycle.drift import (
    DriftConfig,
    DriftReport,
    data_drift,
    drift_alerts,
    performance_drift,
)
from supplymind.lifecycle.registry import BASE_DIR, ModelRecord, ModelRegistry, fingerprint
from supplymind.lifecycle.report import write_version_card
from supplymind.training.finetune import FinetuneConfig

__all__ = [
    "DriftCheck",
    "RetrainConfig",
    "RetrainResult",
    "check_drift",
    "retrain",
    "score_windows",
]

_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_ADI_CUTOFF = 1.32
STARTS = ("champion", "backbone")


@dataclass(frozen=True)
class RetrainConfig:
    """Settings of a re-fine-tuning run.

    Parameters
    ----------
    task
        Only ``forecast`` can be re-fine-tuned for now.
    backbone
        Pretrained backbone (name or folder) when there is no champion to start from.
    start
        ``champion``: start from the champion's fine-tuned weights (if it has any);
        ``backbone``: always from the pretrained backbone.
    finetune
        Forecaster fine-tune mode (``auto`` = guarded adoption).
    horizon
        Periods per evaluation window (and the Forecaster's horizon).
    eval_windows
        Newest windows the challenger and the champion are compared on.
    n_windows
        Validation windows of the Forecaster's own model choice.
    margin
        Relative WQL improvement the challenger needs to be promoted (0.02: 2 % better).
    candidates
        Forecaster candidates (default all).
    finetune_config
        Fine-tuning engine settings (default the Forecaster's).
    min_segment_series
        Series a segment needs for its own model choice (the Forecaster's setting).
    seed
        Seed of fine-tuning.
    """

    task: str = "forecast"
    backbone: str = "supplymind-ts-small"
    start: str = "champion"
    finetune: str = "auto"
    horizon: int = 4
    eval_windows: int = 2
    n_windows: int = 2
    margin: float = 0.02
    candidates: tuple[str, ...] | None = None
    finetune_config: FinetuneConfig | None = None
    min_segment_series: int = 20
    seed: int = 0

    def __post_init__(self) -> None:
        owner = "RetrainConfig"
        if self.task != "forecast":
            raise ConfigurationError(
                f"{owner}.task: re-fine-tuning is implemented for 'forecast' only, found "
                f"{self.task!r}"
            )
        if self.finetune not in FINETUNE_CHOICES:
            raise ConfigurationError(
                f"{owner}.finetune: expected one of {list(FINETUNE_CHOICES)}, found "
                f"{self.finetune!r}"
            )
        if self.start not in STARTS:
            raise ConfigurationError(
                f"{owner}.start: expected one of {list(STARTS)}, found {self.start!r}"
            )
        for name in ("horizon", "eval_windows", "n_windows", "min_segment_series"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"{owner}.{name}: expected an integer >= 1, found {value!r}"
                )
        if isinstance(self.margin, bool) or not (
            isinstance(self.margin, int | float) and 0.0 <= self.margin < 1.0
        ):
            raise ConfigurationError(
                f"{owner}.margin: expected a share in [0, 1), found {self.margin!r}"
            )

    def hyperparameters(self) -> dict[str, Any]:
        """JSON-ready settings for the registry."""
        out = asdict(self)
        out["candidates"] = None if self.candidates is None else list(self.candidates)
        out["finetune_config"] = (
            None if self.finetune_config is None else asdict(self.finetune_config)
        )
        return out


@dataclass(frozen=True)
class RetrainResult:
    """What one :func:`retrain` did."""

    challenger: ModelRecord
    champion_id: str | None
    challenger_wql: float
    champion_wql: float | None
    promoted: bool
    reason: str
    scores: dict[str, Any] = field(default_factory=dict)


def _segment_of(history: pd.DataFrame, id_col: str, target_col: str) -> dict[str, str]:
    out = {}
    for item, group in history.groupby(id_col, sort=True):
        y = group[target_col].to_numpy(dtype=np.float64)
        y = y[np.isfinite(y)]
        nonzero = int(np.count_nonzero(y > 0))
        sparse = nonzero == 0 or y.size / nonzero > _ADI_CUTOFF
        out[str(item)] = "intermittent" if sparse else "smooth"
    return out


def _origins(times: Sequence[pd.Timestamp], start: pd.Timestamp, horizon: int) -> list[int]:
    """Indices into ``times`` of the origins of complete ``horizon`` blocks from ``start``."""
    first = int(np.searchsorted(np.asarray(times, dtype="datetime64[ns]"), np.datetime64(start)))
    return list(range(first, len(times) - horizon + 1, horizon))


def score_windows(
    forecaster: Any,
    history: pd.DataFrame,
    origins: Sequence[pd.Timestamp],
    horizon: int,
    *,
    id_col: str = "item_id",
    time_col: str = "timestamp",
    target_col: str = "target",
) -> dict[str, float]:
    """WQL (deciles) of ``forecaster`` forecasting ``horizon`` periods from each origin, given
    the history before it; per segment (``all``, ``intermittent``, ``smooth``, classified on
    the history before the first origin)."""
    if not origins:
        raise ConfigurationError("score_windows: expected at least one origin, found none")
    times = pd.to_datetime(history[time_col])
    segment_of = _segment_of(history[times < min(origins)], id_col, target_col)
    truths, preds, segs = [], [], []
    stamps = np.sort(times.unique())
    for origin in origins:
        past = history[times < origin]
        forecast = forecaster.predict(horizon, quantiles=_LEVELS, history=past)
        block = stamps[(stamps >= np.datetime64(origin))][:horizon]
        actual = history[times.isin(block)][[id_col, time_col, target_col]]
        merged = forecast.merge(actual, on=[id_col, time_col], how="inner")
        for item, group in merged.groupby(id_col, sort=True):
            group = group.sort_values(time_col)
            truths.append(group[target_col].to_numpy(dtype=np.float64))
            preds.append(group[[f"{q:g}" for q in _LEVELS]].to_numpy(dtype=np.float64))
            segs.append(segment_of.get(str(item), "smooth"))
    if not truths:
        raise ConfigurationError("score_windows: no forecast met an actual value")
    y = np.concatenate(truths)
    q = np.concatenate(preds)
    seg = np.concatenate([[s] * len(t) for s, t in zip(segs, truths, strict=True)])
    out = {"all": wql(y, q, _LEVELS)}
    for segment in sorted(set(seg.tolist())):
        mask = seg == segment
        out[segment] = wql(y[mask], q[mask], _LEVELS)
    return out


def _check_history(history: pd.DataFrame, id_col: str, time_col: str, target_col: str) -> None:
    missing = [c for c in (id_col, time_col, target_col) if c not in history.columns]
    if missing:
        raise ConfigurationError(
            f"history: expected the columns {missing}, found {list(history.columns)}"
        )


def retrain(
    registry: ModelRegistry,
    history: pd.DataFrame,
    config: RetrainConfig | None = None,
    *,
    tables: tuple[str, ...] = ("demand",),
    now: pd.Timestamp | None = None,
    id_col: str = "item_id",
    time_col: str = "timestamp",
    target_col: str = "target",
) -> RetrainResult:
    """Fine-tune a challenger, compare it with the champion and promote it if better.

    Parameters
    ----------
    registry
        Where models are registered.
    history
        The long demand table up to now (``item_id, timestamp, target``).
    config
        Settings (default :class:`RetrainConfig`).
    tables
        Source tables, for the data fingerprint.
    now
        Registration time (default the wall clock).

    Returns
    -------
    RetrainResult
        The challenger's record, both scores and the decision.
    """
    from supplymind.forecasting.forecaster import Forecaster

    cfg = config or RetrainConfig()
    _check_history(history, id_col, time_col, target_col)
    frame = history.copy()
    frame[time_col] = pd.to_datetime(frame[time_col])
    times = np.sort(frame[time_col].unique())
    h = cfg.horizon
    held_out = cfg.eval_windows * h
    if len(times) <= held_out + h:
        raise ConfigurationError(
            f"history: expected more than {held_out + h} periods ({cfg.eval_windows} evaluation "
            f"windows of {h} plus one), found {len(times)}"
        )
    origins = [pd.Timestamp(times[len(times) - held_out + k * h]) for k in range(cfg.eval_windows)]
    train_part = frame[frame[time_col] < origins[0]]
    champion = registry.champion(cfg.task)
    model_id, folder = registry.reserve(cfg.task)
    try:
        backbone = cfg.backbone
        started_from = cfg.backbone
        parent_id = None
        if champion is not None:
            parent_id = champion.model_id
            backbone = champion.backbone
            started_from = champion.backbone
            weights = champion.folder / "finetuned"
            if cfg.start == "champion" and (weights / "model.safetensors").is_file():
                registry.verify(champion.model_id)
                # A copy, so that this model never depends on another model's files.
                shutil.copytree(weights, folder / BASE_DIR)
                started_from = f"{champion.model_id}/finetuned"
        source = str(folder / BASE_DIR) if (folder / BASE_DIR).is_dir() else backbone
        challenger = Forecaster(
            source,
            horizon=h,
            n_windows=cfg.n_windows,
            finetune_config=cfg.finetune_config,
            candidates=cfg.candidates,
            min_segment_series=cfg.min_segment_series,
            seed=cfg.seed,
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
        ).fit(train_part, finetune=cfg.finetune)
        challenger.save(folder)
        chall_scores = score_windows(
            challenger, frame, origins, h, id_col=id_col, time_col=time_col, target_col=target_col
        )
        champ_scores: dict[str, float] | None = None
        if champion is not None:
            incumbent = registry.load_forecaster(champion.model_id)
            champ_scores = score_windows(
                incumbent,
                frame,
                origins,
                h,
                id_col=id_col,
                time_col=time_col,
                target_col=target_col,
            )
        c_wql = float(chall_scores["all"])
        p_wql = None if champ_scores is None else float(champ_scores["all"])
        if p_wql is None:
            promote, reason = True, "no champion yet"
        elif not np.isfinite(c_wql):
            promote, reason = False, "challenger WQL is not finite"
        elif not np.isfinite(p_wql):
            promote, reason = True, "champion WQL is not finite"
        elif c_wql < (1.0 - cfg.margin) * p_wql:
            promote = True
            reason = f"challenger WQL {c_wql:.4f} < (1 - {cfg.margin:g}) x champion {p_wql:.4f}"
        else:
            promote = False
            reason = (
                f"challenger WQL {c_wql:.4f} not below (1 - {cfg.margin:g}) x champion "
                f"{p_wql:.4f}; champion kept"
            )
        metrics = {
            "challenger_wql": c_wql,
            "champion_wql": p_wql,
            "challenger_scores": chall_scores,
            "champion_scores": champ_scores,
            "compared_with": parent_id,
            "eval_origins": [o.isoformat() for o in origins],
            "decision": "promoted" if promote else "kept champion",
            "reason": reason,
            "selection": challenger.selection_,
            "finetune_result": challenger.finetune_result_,
            "backtest": []
            if challenger.backtest_ is None
            else challenger.backtest_.to_dict("records"),
        }
        data = fingerprint(train_part, tables=tables, id_col=id_col, time_col=time_col)
        write_version_card(
            folder,
            model_id=model_id,
            task=cfg.task,
            backbone=backbone,
            started_from=started_from,
            parent_id=parent_id,
            hyperparameters=cfg.hyperparameters(),
            data=data.to_dict(),
            metrics=metrics,
        )
        record = registry.register(
            model_id,
            task=cfg.task,
            backbone=backbone,
            started_from=started_from,
            parent_id=parent_id,
            finetune_mode=cfg.finetune,
            hyperparameters=cfg.hyperparameters(),
            data=data,
            metrics=metrics,
            status="challenger" if promote else "retired",
            note=reason,
            now=now,
        )
    except BaseException:
        registry.discard(model_id)
        raise
    if promote:
        record = registry.promote(model_id, note=reason, now=now)
    return RetrainResult(
        challenger=record,
        champion_id=None if champion is None else champion.model_id,
        challenger_wql=c_wql,
        champion_wql=p_wql,
        promoted=promote,
        reason=reason,
        scores={"challenger": chall_scores, "champion": champ_scores},
    )


@dataclass(frozen=True)
class DriftCheck:
    """What one :func:`check_drift` found and wrote."""

    model_id: str
    data: DriftReport
    performance: DriftReport
    alerts: int

    @property
    def drifted(self) -> bool:
        """Whether any segment drifted (data or performance)."""
        return self.data.any or self.performance.any


def check_drift(
    registry: ModelRegistry,
    history: pd.DataFrame,
    *,
    task: str = "forecast",
    since: pd.Timestamp | None = None,
    covariates: Sequence[str] = (),
    config: DriftConfig | None = None,
    write_alerts: bool = True,
    id_col: str = "item_id",
    time_col: str = "timestamp",
    target_col: str = "target",
) -> DriftCheck:
    """Data and performance drift of the champion of ``task`` on the periods since ``since``
    (default: after its training data), with alerts written to the ``alerts`` table."""
    cfg = config or DriftConfig()
    champion = registry.champion(task)
    if champion is None:
        raise ModelRegistryError(f"check_drift: task {task!r} has no champion to check")
    _check_history(history, id_col, time_col, target_col)
    frame = history.copy()
    frame[time_col] = pd.to_datetime(frame[time_col])
    last = champion.data_fingerprint.get("last")
    first = champion.data_fingerprint.get("first")
    if last is None or first is None:
        raise ModelRegistryError(f"model {champion.model_id}: no training period recorded")
    t_last, t_first = pd.Timestamp(last), pd.Timestamp(first)
    start = (
        pd.Timestamp(since)
        if since is not None
        else frame[frame[time_col] > t_last][time_col].min()
    )
    train = frame[(frame[time_col] >= t_first) & (frame[time_col] <= t_last)]
    recent = frame[frame[time_col] >= start] if pd.notna(start) else frame.iloc[0:0]
    data_report = data_drift(
        train,
        recent,
        covariates=covariates,
        config=cfg,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
    )
    horizon = int(champion.hyperparameters.get("horizon", 1))
    times = list(pd.to_datetime(np.sort(frame[time_col].unique())))
    idx = _origins(times, start, horizon) if pd.notna(start) else []
    recent_scores: dict[str, float] = {}
    if idx:
        forecaster = registry.load_forecaster(champion.model_id)
        recent_scores = score_windows(
            forecaster,
            frame,
            [times[i] for i in idx],
            horizon,
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
        )
    baseline = champion.metrics.get("challenger_scores") or {}
    perf_report = performance_drift(
        recent_scores, {k: float(v) for k, v in baseline.items()}, config=cfg
    )
    n_alerts = 0
    if write_alerts and (data_report.any or perf_report.any):
        from supplymind.risk.alerts import AlertStore

        event = frame[time_col].max()
        candidates = [
            a
            for report in (data_report, perf_report)
            for a in drift_alerts(
                report, task=task, model_id=champion.model_id, event_time=event, config=cfg
            )
        ]
        outcome = AlertStore(registry.warehouse).raise_alerts(candidates, now=event)
        n_alerts = len(outcome.new) + len(outcome.suppressed) + outcome.merged
    return DriftCheck(champion.model_id, data_report, perf_report, n_alerts)
