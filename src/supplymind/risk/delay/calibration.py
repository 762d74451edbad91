"""Probability calibration and its measurement.

A classifier's scores rank shipments; a planner needs probabilities that mean what they
say (of the shipments given 30%, about 30% arrive late). Calibrators are fitted on
predictions for data the model did not train on and are saved as plain JSON:

- :class:`PlattCalibrator`: a logistic curve on the model's log-odds (two numbers; smooth,
  robust with few late shipments);
- :class:`IsotonicCalibrator`: the monotone step function that fits best (more flexible,
  needs more data).

:func:`reliability_curve` and :func:`expected_calibration_error` measure calibration.
"""

from __future__ import annotations

import math
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.exceptions import RiskInputError

__all__ = [
    "CALIBRATIONS",
    "Calibrator",
    "IdentityCalibrator",
    "IsotonicCalibrator",
    "PlattCalibrator",
    "brier_score",
    "calibrator_from_dict",
    "expected_calibration_error",
    "make_calibrator",
    "reliability_curve",
]

FloatArray = npt.NDArray[np.float64]
CalibrationKind = Literal["sigmoid", "isotonic", "none"]
CALIBRATIONS = ("sigmoid", "isotonic", "none")
_EPS = 1e-6


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _check_labels(y: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    yy = np.asarray(y, dtype=np.float64).ravel()
    ss = np.asarray(scores, dtype=np.float64).ravel()
    if yy.size != ss.size or yy.size == 0:
        raise RiskInputError(
            f"calibration: expected as many labels as scores (at least one), found {yy.size} "
            f"labels and {ss.size} scores"
        )
    if not np.isin(yy, (0.0, 1.0)).all():
        raise RiskInputError(
            "calibration: expected labels 0 or 1, found "
            f"{sorted(set(yy.tolist()) - {0.0, 1.0})[:5]}"
        )
    if not np.all(np.isfinite(ss)):
        raise RiskInputError("calibration: expected finite scores, found NaN or inf")
    return yy, ss


class Calibrator(Protocol):
    """Maps raw log-odds to calibrated probabilities."""

    kind: str

    def fit(self, logits: npt.ArrayLike, y: npt.ArrayLike) -> Calibrator: ...

    def transform(self, logits: npt.ArrayLike) -> FloatArray: ...

    def to_dict(self) -> dict[str, Any]: ...


class IdentityCalibrator:
    """The model's own probabilities (the sigmoid of its log-odds)."""

    kind = "none"

    def fit(self, logits: npt.ArrayLike, y: npt.ArrayLike) -> IdentityCalibrator:
        return self

    def transform(self, logits: npt.ArrayLike) -> FloatArray:
        return _sigmoid(np.asarray(logits, dtype=np.float64))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind}


class PlattCalibrator:
    """``p = sigmoid(a * logit + b)``, fitted by maximum likelihood."""

    kind = "sigmoid"

    def __init__(self, a: float = 1.0, b: float = 0.0) -> None:
        self.a = float(a)
        self.b = float(b)

    def fit(self, logits: npt.ArrayLike, y: npt.ArrayLike) -> PlattCalibrator:
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

        yy, x = _check_labels(y, logits)
        if yy.min() == yy.max():
            # One class only: keep the slope, match the base rate.
            rate = float(np.clip(yy.mean(), _EPS, 1 - _EPS))
            self.a, self.b = 1.0, math.log(rate / (1 - rate)) - float(np.mean(x))
            return self
        model = LogisticRegression(C=1e6, max_iter=1000).fit(x[:, None], yy)
        self.a, self.b = float(model.coef_[0, 0]), float(model.intercept_[0])
        return self

    def transform(self, logits: npt.ArrayLike) -> FloatArray:
        return _sigmoid(self.a * np.asarray(logits, dtype=np.float64) + self.b)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "a": self.a, "b": self.b}


class IsotonicCalibrator:
    """The best monotone step function of the model's probability, interpolated."""

    kind = "isotonic"

    def __init__(self, x: list[float] | None = None, y: list[float] | None = None) -> None:
        self.x = np.asarray(x if x is not None else [0.0, 1.0], dtype=np.float64)
        self.y = np.asarray(y if y is not None else [0.0, 1.0], dtype=np.float64)

    def fit(self, logits: npt.ArrayLike, y: npt.ArrayLike) -> IsotonicCalibrator:
        from sklearn.isotonic import IsotonicRegression  # type: ignore[import-untyped]

        yy, x = _check_labels(y, logits)
        reg = IsotonicRegression(y_min=_EPS, y_max=1 - _EPS, out_of_bounds="clip")
        reg.fit(_sigmoid(x), yy)
        self.x = np.asarray(reg.X_thresholds_, dtype=np.float64)
        self.y = np.asarray(reg.y_thresholds_, dtype=np.float64)
        return self

    def transform(self, logits: npt.ArrayLike) -> FloatArray:
        p = _sigmoid(np.asarray(logits, dtype=np.float64))
        return np.asarray(np.interp(p, self.x, self.y), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "x": self.x.tolist(), "y": self.y.tolist()}


def make_calibrator(kind: str) -> Calibrator:
    """An unfitted calibrator: ``"sigmoid"``, ``"isotonic"`` or ``"none"``."""
    if kind == "sigmoid":
        return PlattCalibrator()
    if kind == "isotonic":
        return IsotonicCalibrator()
    if kind == "none":
        return IdentityCalibrator()
    raise RiskInputError(f"calibration: expected one of {list(CALIBRATIONS)}, found {kind!r}")


def calibrator_from_dict(data: dict[str, Any]) -> Calibrator:
    """Rebuild a calibrator saved with ``to_dict``."""
    kind = data.get("kind")
    if kind == "sigmoid":
        return PlattCalibrator(float(data["a"]), float(data["b"]))
    if kind == "isotonic":
        return IsotonicCalibrator(list(data["x"]), list(data["y"]))
    if kind == "none":
        return IdentityCalibrator()
    raise RiskInputError(
        f"calibrator: expected kind one of {list(CALIBRATIONS)} in the saved config, found {kind!r}"
    )


def brier_score(y: npt.ArrayLike, p: npt.ArrayLike) -> float:
    """Mean squared error of probabilities against 0/1 outcomes (lower is better)."""
    yy, pp = _check_labels(y, p)
    return float(np.mean((pp - yy) ** 2))


def reliability_curve(
    y: npt.ArrayLike,
    p: npt.ArrayLike,
    *,
    n_bins: int = 10,
    strategy: Literal["quantile", "uniform"] = "quantile",
) -> pd.DataFrame:
    """Observed late rate against predicted probability, per bin of predictions.

    Returns
    -------
    pandas.DataFrame
        ``bin, p_low, p_high, mean_predicted, observed_rate, count``; empty bins dropped.
    """
    yy, pp = _check_labels(y, p)
    if n_bins < 1:
        raise RiskInputError(f"n_bins: expected at least 1, found {n_bins}")
    if strategy == "quantile":
        edges = np.unique(np.quantile(pp, np.linspace(0, 1, n_bins + 1)))
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        raise RiskInputError(f"strategy: expected 'quantile' or 'uniform', found {strategy!r}")
    if edges.size < 2:
        edges = np.array([pp.min(), pp.max() + _EPS])
    which = np.clip(np.searchsorted(edges, pp, side="right") - 1, 0, edges.size - 2)
    rows = []
    for b in range(edges.size - 1):
        mask = which == b
        if not mask.any():
            continue
        rows.append(
            {
                "bin": b,
                "p_low": float(edges[b]),
                "p_high": float(edges[b + 1]),
                "mean_predicted": float(pp[mask].mean()),
                "observed_rate": float(yy[mask].mean()),
                "count": int(mask.sum()),
            }
        )
    return pd.DataFrame(rows)


def expected_calibration_error(y: npt.ArrayLike, p: npt.ArrayLike, *, n_bins: int = 10) -> float:
    """Count-weighted mean |observed rate - mean prediction| over equal-count bins."""
    curve = reliability_curve(y, p, n_bins=n_bins)
    gap = (curve["observed_rate"] - curve["mean_predicted"]).abs()
    return float((gap * curve["count"]).sum() / curve["count"].sum())
