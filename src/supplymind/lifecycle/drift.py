"""Drift detection: has the data moved away from the training window, and has the error grown?

**Data drift** compares, per segment, the distribution of recent values with the training
window: demand is divided by each series' training mean first (so series of different
sizes pool into one distribution), covariates are compared as they are. Two statistics:
the population stability index (PSI, on the training window's quantile bins) and the
two-sample Kolmogorov-Smirnov test. A segment drifts when PSI >= ``psi_threshold`` *and*
the KS p-value < ``ks_alpha`` (both: PSI alone is noisy on small samples, KS alone flags
tiny shifts on large ones).

**Performance drift** compares the champion's rolling forecast error on the recent periods
(WQL of forecasts made from each origin, ``horizon`` periods ahead) with its backtest WQL;
a segment drifts when the ratio is >= ``error_ratio``.

Segments: ``all``, ``intermittent`` and ``smooth`` (as the Forecaster classifies series on
their training window), or the values of a column given as ``segment_col``. Findings go to
the risk module's ``alerts`` table (kinds ``demand_anomaly`` for data drift and
``kpi_anomaly`` for performance drift, entity type ``model_segment``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymind.exceptions import ConfigurationError
from supplymind.risk.alerts import Alert

__all__ = [
    "DriftConfig",
    "DriftReport",
    "data_drift",
    "drift_alerts",
    "ks_test",
    "performance_drift",
    "psi",
]

_EPS = 1e-4
_ADI_CUTOFF = 1.32


@dataclass(frozen=True)
class DriftConfig:
    """Thresholds of drift detection.

    Parameters
    ----------
    psi_threshold
        PSI at or above which a distribution has shifted (0.25: a major shift, by the usual
        rule of thumb).
    ks_alpha
        KS p-value below which the shift is significant.
    error_ratio
        Recent WQL / backtest WQL at or above which performance has drifted.
    bins
        Quantile bins of the PSI.
    min_points
        Recent values a segment needs to be tested.
    """

    psi_threshold: float = 0.25
    ks_alpha: float = 0.01
    error_ratio: float = 1.5
    bins: int = 10
    min_points: int = 20

    def __post_init__(self) -> None:
        owner = "DriftConfig"
        for name in ("psi_threshold", "error_ratio"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ConfigurationError(f"{owner}.{name}: expected a number > 0, found {value!r}")
        if not (isinstance(self.ks_alpha, float) and 0.0 < self.ks_alpha < 1.0):
            raise ConfigurationError(
                f"{owner}.ks_alpha: expected a probability in (0, 1), found {self.ks_alpha!r}"
            )
        for name in ("bins", "min_points"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                raise ConfigurationError(
                    f"{owner}.{name}: expected an integer >= 2, found {value!r}"
                )


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """Population stability index of ``actual`` against ``expected``.

    Bins are the quantiles of ``expected`` (ties merged, so count data works); empty bins
    get a small floor so the index stays finite.
    """
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    e, a = e[np.isfinite(e)], a[np.isfinite(a)]
    if e.size == 0 or a.size == 0:
        return math.nan
    edges = np.unique(np.quantile(e, np.linspace(0, 1, bins + 1)[1:-1]))
    e_share = np.bincount(np.searchsorted(edges, e, side="right"), minlength=edges.size + 1)
    a_share = np.bincount(np.searchsorted(edges, a, side="right"), minlength=edges.size + 1)
    p = np.maximum(e_share / e.size, _EPS)
    q = np.maximum(a_share / a.size, _EPS)
    return float(np.sum((q - p) * np.log(q / p)))


def ks_test(expected: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic and p-value."""
    from scipy.stats import ks_2samp

    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    e, a = e[np.isfinite(e)], a[np.isfinite(a)]
    if e.size == 0 or a.size == 0:
        return math.nan, math.nan
    result = ks_2samp(e, a)
    return float(result.statistic), float(result.pvalue)


def _intermittent(values: np.ndarray) -> bool:
    y = values[np.isfinite(values)]
    nonzero = int(np.count_nonzero(y > 0))
    return nonzero == 0 or y.size / nonzero > _ADI_CUTOFF


def _segments(
    train: pd.DataFrame, id_col: str, target_col: str, segment_col: str | None
) -> dict[str, str]:
    """Segment of every series (from the training window)."""
    out: dict[str, str] = {}
    for item, group in train.groupby(id_col, sort=True):
        if segment_col is not None:
            out[str(item)] = str(group[segment_col].iloc[-1])
        else:
            values = group[target_col].to_numpy(dtype=np.float64)
            out[str(item)] = "intermittent" if _intermittent(values) else "smooth"
    return out


@dataclass(frozen=True)
class DriftReport:
    """Findings of one check: one row per segment and statistic."""

    table: pd.DataFrame
    kind: str

    @property
    def drifted(self) -> pd.DataFrame:
        """The rows that crossed their thresholds."""
        return self.table[self.table["drift"]].reset_index(drop=True)

    @property
    def any(self) -> bool:
        """Whether any segment drifted."""
        return bool(self.table["drift"].any()) if not self.table.empty else False


def data_drift(
    train: pd.DataFrame,
    recent: pd.DataFrame,
    *,
    covariates: Sequence[str] = (),
    config: DriftConfig | None = None,
    segment_col: str | None = None,
    id_col: str = "item_id",
    time_col: str = "timestamp",
    target_col: str = "target",
) -> DriftReport:
    """PSI and KS of recent demand (and covariates) against the training window, per segment.

    Returns
    -------
    DriftReport
        Rows ``segment, variable, psi, ks, p_value, n_train, n_recent, drift``.
    """
    cfg = config or DriftConfig()
    for name, frame in (("train", train), ("recent", recent)):
        missing = [c for c in (id_col, time_col, target_col, *covariates) if c not in frame]
        if missing:
            raise ConfigurationError(f"{name}: expected the columns {missing}, not found")
    segment_of = _segments(train, id_col, target_col, segment_col)
    scale = train.groupby(id_col)[target_col].mean().abs().clip(lower=1e-9)
    rows = []
    for variable in (target_col, *covariates):

        def values(frame: pd.DataFrame, variable: str = variable) -> pd.Series:
            v = frame[variable].astype(float)
            if variable == target_col:
                v = v / frame[id_col].map(scale).astype(float)
            return v

        t_all, r_all = values(train), values(recent)
        t_seg = train[id_col].astype(str).map(segment_of)
        r_seg = recent[id_col].astype(str).map(segment_of).fillna("unseen")
        for segment in ["all", *sorted(set(segment_of.values()))]:
            t = t_all if segment == "all" else t_all[t_seg == segment]
            r = r_all if segment == "all" else r_all[r_seg == segment]
            t_v, r_v = t.dropna().to_numpy(), r.dropna().to_numpy()
            if r_v.size < cfg.min_points or t_v.size < cfg.min_points:
                continue
            index = psi(t_v, r_v, cfg.bins)
            stat, p = ks_test(t_v, r_v)
            rows.append(
                {
                    "segment": segment,
                    "variable": variable,
                    "psi": index,
                    "ks": stat,
                    "p_value": p,
                    "n_train": int(t_v.size),
                    "n_recent": int(r_v.size),
                    "drift": bool(index >= cfg.psi_threshold and p < cfg.ks_alpha),
                }
            )
    columns = ["segment", "variable", "psi", "ks", "p_value", "n_train", "n_recent", "drift"]
    return DriftReport(pd.DataFrame(rows, columns=columns), "data")


def performance_drift(
    recent_wql: dict[str, float],
    backtest_wql: dict[str, float],
    *,
    config: DriftConfig | None = None,
) -> DriftReport:
    """Compare recent WQL with backtest WQL per segment.

    Returns
    -------
    DriftReport
        Rows ``segment, variable ("wql"), recent_wql, backtest_wql, ratio, drift``.
    """
    cfg = config or DriftConfig()
    rows = []
    for segment, recent in sorted(recent_wql.items()):
        base = backtest_wql.get(segment, backtest_wql.get("all", math.nan))
        ratio = recent / base if base and np.isfinite(base) and base > 0 else math.nan
        rows.append(
            {
                "segment": segment,
                "variable": "wql",
                "recent_wql": recent,
                "backtest_wql": base,
                "ratio": ratio,
                "drift": bool(np.isfinite(ratio) and ratio >= cfg.error_ratio),
            }
        )
    columns = ["segment", "variable", "recent_wql", "backtest_wql", "ratio", "drift"]
    return DriftReport(pd.DataFrame(rows, columns=columns), "performance")


def _severity(value: float, threshold: float) -> str:
    if not np.isfinite(value):
        return "low"
    if value >= 4 * threshold:
        return "high"
    if value >= 2 * threshold:
        return "medium"
    return "low"


def drift_alerts(
    report: DriftReport,
    *,
    task: str,
    model_id: str | None,
    event_time: pd.Timestamp,
    config: DriftConfig | None = None,
) -> list[Alert]:
    """Alerts for the drifted rows of a report."""
    cfg = config or DriftConfig()
    out: list[Alert] = []
    for row in report.drifted.to_dict("records"):
        entity = f"{task}:{row['segment']}"
        who = f"model {model_id}" if model_id else "the model"
        if report.kind == "data":
            text = (
                f"Data drift in segment '{row['segment']}' ({row['variable']}): PSI "
                f"{row['psi']:.2f}, KS {row['ks']:.2f} (p={row['p_value']:.1e}) on "
                f"{row['n_recent']} recent values vs the training window of {who}. "
                "Consider re-fine-tuning (supplymind retrain)."
            )
            out.append(
                Alert(
                    kind="demand_anomaly",
                    entity=f"{entity}:{row['variable']}",
                    entity_type="model_segment",
                    severity=_severity(float(row["psi"]), cfg.psi_threshold),
                    event_time=pd.Timestamp(event_time),
                    explanation=text,
                    action="investigate",
                    score=float(row["psi"]),
                    p_value=float(row["p_value"]),
                )
            )
        else:
            text = (
                f"Performance drift in segment '{row['segment']}': recent WQL "
                f"{row['recent_wql']:.3f} is {row['ratio']:.1f}x the backtest WQL "
                f"{row['backtest_wql']:.3f} of {who}. Consider re-fine-tuning "
                "(supplymind retrain) or rolling back."
            )
            out.append(
                Alert(
                    kind="kpi_anomaly",
                    entity=entity,
                    entity_type="model_segment",
                    severity=_severity(float(row["ratio"]), cfg.error_ratio),
                    event_time=pd.Timestamp(event_time),
                    explanation=text,
                    action="investigate",
                    score=float(row["ratio"]),
                )
            )
    return out
