"""Configuration of SupplyMind's patch-based time-series backbone."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from transformers import PretrainedConfig

__all__ = ["DEFAULT_QUANTILES", "SupplyMindTSConfig"]

DEFAULT_QUANTILES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class SupplyMindTSConfig(PretrainedConfig):  # type: ignore[no-untyped-call]
    """Hyper-parameters of :class:`~supplymind.models.backbone.SupplyMindTSModel`.

    Parameters
    ----------
    context_length
        Most recent observations the model reads (longer inputs are cut on the left).
    patch_size
        Observations per patch (token); ``context_length`` and ``max_horizon`` are rounded
        up to whole patches.
    max_horizon
        Steps forecast in one pass; longer horizons are forecast by rolling.
    d_model, num_layers, num_heads, d_ff
        Transformer width, depth, attention heads and feed-forward width.
    dropout
        Dropout in the encoder and embeddings.
    quantiles
        Quantile levels of the output head, strictly increasing in (0, 1).
    num_covariates
        Known covariate channels (values for context and horizon); 0 for univariate.
    min_scale
        Floor of the mean-absolute scale, so all-zero contexts stay finite.
    linear_skip
        Add a linear map from the (scaled) context to the horizon's quantiles, next to the
        transformer's horizon tokens: seasonal and trend patterns are then one linear step
        away instead of having to be found by attention from learned queries.
    static_cardinalities
        Number of categories of each static covariate (category, location, ...); each gets
        an embedding added to every token. Empty for none.
    seasonal_copy
        Add a gated seasonal-copy path: for every lag ``1..max_lag`` the horizon is the last
        ``lag`` values repeated; lags are weighted by how well they forecast the recent
        context (one step of a learned sharpness) and a learned per-lag bias, and a gate read
        from the encoder shifts the quantiles towards that copy. Starts almost closed
        (gate about 0.05), so a checkpoint without it is where training resumes.
    max_lag
        Longest lag of the seasonal copy; at least 1 and less than ``context_length``.
    copy_trim
        Share of the largest errors of each lag left out when the seasonal copy scores its
        lags (a trimmed mean), in ``[0, 0.5)``; a one-off dip or spike then does not hide a
        season. 0 is the plain mean.
    copy_drift
        Give the seasonal copy a drifted candidate of every lag (the lag's copy plus the
        median change per cycle), so that a season under a trend is recognised and carried
        forward with the trend; False keeps the plain copies only.
    copy_ratio
        Give the seasonal copy a grown candidate of every lag on positive contexts (the
        lag's copy times its median ratio ``x[t] / x[t - lag]`` per cycle), so that a
        multiplicative season on a growing or shrinking level keeps its shape in proportion;
        False leaves them out.
    empirical_windows
        Windows (last observations) of an empirical-quantile path; empty for none. For each
        window ``w`` the path takes the quantile levels of the last ``w`` observed (scaled)
        values and holds them flat over the horizon, the way a spare-parts planner reads
        recent demand; a learned softmax (read from the encoder and each window's share of
        zeros) mixes the windows and a learned gate moves the forecast towards them. On
        intermittent demand these quantiles are hard to beat, and a mixture of transformer
        and copy alone fell short of them. Starts closed (gate about 0.0025).
    """

    model_type = "supplymind_ts"

    def __init__(
        self,
        context_length: int = 512,
        patch_size: int = 16,
        max_horizon: int = 64,
        d_model: int = 128,
        num_layers: int = 4,
        num_heads: int = 4,
        d_ff: int = 256,
        dropout: float = 0.1,
        quantiles: list[float] | tuple[float, ...] = DEFAULT_QUANTILES,
        num_covariates: int = 0,
        min_scale: float = 1e-3,
        initializer_range: float = 0.02,
        linear_skip: bool = False,
        static_cardinalities: list[int] | tuple[int, ...] = (),
        seasonal_copy: bool = False,
        max_lag: int = 192,
        copy_trim: float = 0.0,
        copy_drift: bool = False,
        copy_ratio: bool = False,
        empirical_windows: list[int] | tuple[int, ...] = (),
        **kwargs: Any,
    ) -> None:
        self.context_length = int(context_length)
        self.patch_size = int(patch_size)
        self.max_horizon = int(max_horizon)
        self.d_model = int(d_model)
        self.num_layers = int(num_layers)
        self.num_heads = int(num_heads)
        self.d_ff = int(d_ff)
        self.dropout = float(dropout)
        self.quantiles = [float(q) for q in quantiles]
        self.num_covariates = int(num_covariates)
        self.min_scale = float(min_scale)
        self.initializer_range = float(initializer_range)
        self.linear_skip = bool(linear_skip)
        self.static_cardinalities = [int(c) for c in static_cardinalities]
        self.seasonal_copy = bool(seasonal_copy)
        self.max_lag = int(max_lag)
        self.copy_trim = float(copy_trim)
        self.copy_drift = bool(copy_drift)
        self.copy_ratio = bool(copy_ratio)
        self.empirical_windows = [int(w) for w in empirical_windows]
        self.validate_values()
        super().__init__(**kwargs)

    def validate_values(self) -> None:
        """Raise ``ValueError`` naming the first bad field, what was expected and found."""
        positive = {
            "patch_size": self.patch_size,
            "max_horizon": self.max_horizon,
            "d_model": self.d_model,
            "num_layers": self.num_layers,
            "num_heads": self.num_heads,
            "d_ff": self.d_ff,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"SupplyMindTSConfig.{name}: expected > 0, found {value}")
        if self.context_length < self.patch_size:
            raise ValueError(
                "SupplyMindTSConfig.context_length: expected at least one patch "
                f"(>= patch_size={self.patch_size}), found {self.context_length}"
            )
        if self.d_model % self.num_heads:
            raise ValueError(
                f"SupplyMindTSConfig.num_heads: expected a divisor of d_model={self.d_model}, "
                f"found {self.num_heads}"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"SupplyMindTSConfig.dropout: expected [0, 1), found {self.dropout}")
        qs = self.quantiles
        if not qs or any(not 0.0 < q < 1.0 for q in qs) or any(a >= b for a, b in pairwise(qs)):
            raise ValueError(
                "SupplyMindTSConfig.quantiles: expected strictly increasing levels in (0, 1), "
                f"found {qs}"
            )
        if 0.5 not in qs:
            raise ValueError(f"SupplyMindTSConfig.quantiles: expected 0.5 among them, found {qs}")
        if self.num_covariates < 0:
            raise ValueError(
                f"SupplyMindTSConfig.num_covariates: expected >= 0, found {self.num_covariates}"
            )
        if any(c < 1 for c in self.static_cardinalities):
            raise ValueError(
                "SupplyMindTSConfig.static_cardinalities: expected positive category counts, "
                f"found {self.static_cardinalities}"
            )
        if self.min_scale <= 0:
            raise ValueError(f"SupplyMindTSConfig.min_scale: expected > 0, found {self.min_scale}")
        if not 0.0 <= self.copy_trim < 0.5:
            raise ValueError(
                "SupplyMindTSConfig.copy_trim: expected a share in [0, 0.5), "
                f"found {self.copy_trim}"
            )
        if self.seasonal_copy and not 1 <= self.max_lag < self.context_length:
            raise ValueError(
                "SupplyMindTSConfig.max_lag: expected at least 1 and less than context_length="
                f"{self.context_length}, found {self.max_lag}"
            )

        windows = self.empirical_windows
        if any(not 1 <= w <= self.context_length for w in windows) or len(set(windows)) != len(
            windows
        ):
            raise ValueError(
                "SupplyMindTSConfig.empirical_windows: expected distinct window lengths in "
                f"[1, context_length={self.context_length}], found {windows}"
            )

    @property
    def context_patches(self) -> int:
        """Patches in the context."""
        return -(-self.context_length // self.patch_size)

    @property
    def horizon_patches(self) -> int:
        """Patches forecast in one pass."""
        return -(-self.max_horizon // self.patch_size)
