"""Calibrated probabilities: temperature scaling and the expected calibration error.

Temperature scaling (Guo et al., 2017) divides the logits by one number ``T`` chosen to
minimise the negative log-likelihood of held-out labels (the validation split): the
predicted class does not change, only how sure the model says it is.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar

from supplymind.exceptions import ConfigurationError

__all__ = ["expected_calibration_error", "fit_temperature", "log_loss", "softmax"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_T_BOUNDS = (0.05, 20.0)


def softmax(logits: npt.ArrayLike, temperature: float = 1.0) -> FloatArray:
    """Row-wise softmax of ``logits / temperature``."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def log_loss(probs: npt.ArrayLike, labels: npt.ArrayLike) -> float:
    """Mean negative log-likelihood of integer ``labels`` under row probabilities."""
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    picked = np.clip(p[np.arange(len(y)), y], 1e-12, 1.0)
    return float(-np.log(picked).mean())


def _check(logits: FloatArray, labels: IntArray) -> None:
    if logits.ndim != 2 or logits.shape[0] != labels.shape[0]:
        raise ConfigurationError(
            f"logits/labels: expected (n, k) logits and n labels, found {logits.shape} and "
            f"{labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise ConfigurationError(
            f"labels: expected class indices in [0, {logits.shape[1]}), found "
            f"[{labels.min()}, {labels.max()}]"
        )


def fit_temperature(logits: npt.ArrayLike, labels: npt.ArrayLike) -> float:
    """The temperature in [0.05, 20] minimising the NLL of ``labels`` (1.0 with no data)."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    _check(z, y)
    if y.size == 0:
        return 1.0

    def nll(log_t: float) -> float:
        return log_loss(softmax(z, float(np.exp(log_t))), y)

    best = minimize_scalar(nll, bounds=tuple(np.log(_T_BOUNDS)), method="bounded")
    t = float(np.exp(best.x))
    # Never return something worse than leaving the logits alone.
    return t if nll(float(best.x)) <= nll(0.0) else 1.0


def expected_calibration_error(
    probs: npt.ArrayLike, labels: npt.ArrayLike, n_bins: int = 15
) -> float:
    """Top-label ECE: the confidence-weighted gap between confidence and accuracy over
    ``n_bins`` equal-width confidence bins."""
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    if y.size == 0:
        return float("nan")
    confidence = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        inside = bins == b
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(total)
