"""SupplyMind's time-series backbone: a patch-based transformer encoder with a quantile head.

In the style of PatchTST and Chronos-Bolt:

* the context is scaled by its mean absolute value (zeros stay zeros, so intermittent
  demand keeps its shape) and cut into patches; each patch is embedded from its values and
  its observed-mask, so missing values are handled explicitly;
* learned *horizon tokens* follow the context patches; a bidirectional encoder reads them
  all, and a residual head turns every token into ``patch_size x len(quantiles)`` values;
* the same head serves both self-supervised objectives: next-horizon quantile forecasting
  (the horizon tokens) and masked-patch reconstruction (context patches replaced by a mask
  token);
* optional known covariates are embedded per patch and added to the context and horizon
  tokens (a zero-initialised projection, so a pretrained univariate model is unchanged
  until fine-tuning teaches it to use them);
* an optional gated seasonal copy (``seasonal_copy``): the last ``lag`` values repeated over
  the horizon, for every lag up to ``max_lag``, weighted by how well each lag would have
  forecast the recent context; a gate read from the encoder shifts the quantiles towards
  it. Attention from learned horizon tokens finds a season only after long pretraining; a
  period read off the context is one step away (as period detection in TimesNet, or the
  seasonal basis of N-BEATS). With ``copy_drift`` each lag also has a drifted candidate
  (the seasonal naive with drift), so a season under a trend is still found; with
  ``copy_ratio`` a grown one (its median ratio per cycle) for a multiplicative season.

Horizons beyond ``max_horizon`` are forecast by rolling: the median is appended to the
context and the model is run again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import torch
from torch import nn
from transformers import PreTrainedModel
from transformers.utils.generic import ModelOutput

from supplymind.models.config import SupplyMindTSConfig

__all__ = ["SupplyMindTSModel", "SupplyMindTSOutput", "pinball_loss"]

_TARGET_CLIP = 50.0
#: Recent context positions on which each seasonal-copy lag is scored.
_COPY_WINDOW = 256
#: Fewest scoring pairs of a seasonal-copy lag (a lag needs ``max(this, lag)``, a known
#: season lag only this many).
_MIN_PAIRS = 8
#: Initial gate bias of the seasonal copy: sigmoid(-3) ~ 0.05, nearly closed.
_COPY_GATE_BIAS = -3.0
#: Initial sharpness of the lag weights (softmax of -sharpness * lag error).
_COPY_SHARPNESS = 20.0
#: Initial gate bias of the empirical-quantile path: sigmoid(-6) ~ 0.0025, closed.
_EMPIRICAL_GATE_BIAS = -6.0
#: Bound of the seasonal copy's log growth per cycle (``copy_ratio``): halving to doubling.
_LOG2 = float(np.log(2.0))


def pinball_loss(
    pred: torch.Tensor, target: torch.Tensor, quantiles: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Mean quantile (pinball) loss over observed targets.

    Parameters
    ----------
    pred
        Quantile predictions ``[..., Q]``.
    target
        Targets ``[...]`` (NaN allowed where ``mask`` is false).
    quantiles
        Levels ``[Q]``.
    mask
        ``[...]`` true where the target is observed.
    """
    y = torch.nan_to_num(target).unsqueeze(-1)
    diff = y - pred
    loss = torch.maximum(quantiles * diff, (quantiles - 1.0) * diff).mean(-1)
    weight = mask.to(loss.dtype)
    return (loss * weight).sum() / weight.sum().clamp_min(1.0)


@dataclass
class SupplyMindTSOutput(ModelOutput):
    """Forward output.

    Attributes
    ----------
    loss
        Pinball loss when targets (or masked patches) were given.
    quantiles
        Forecast quantiles ``[batch, horizon_patches * patch_size, Q]`` in the input's units.
    scale
        The per-series scale ``[batch, 1]``.
    reconstruction
        Quantiles of every context patch ``[batch, context_patches * patch_size, Q]`` (scaled
        units), used by the masked-patch objective.
    """

    loss: torch.Tensor | None = None
    quantiles: torch.Tensor | None = None
    scale: torch.Tensor | None = None
    reconstruction: torch.Tensor | None = None


class _ResidualBlock(nn.Module):
    def __init__(self, d_in: int, d_hidden: int, d_out: int, dropout: float) -> None:
        super().__init__()
        self.hidden = nn.Linear(d_in, d_hidden)
        self.out = nn.Linear(d_hidden, d_out)
        self.skip = nn.Linear(d_in, d_out)
        self.act = nn.GELU()
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.out(self.dropout(self.act(self.hidden(x)))) + self.skip(x)
        return out


class _SeasonalCopy(nn.Module):
    """Lag-copy forecasts weighted by their recent accuracy, and a gate.

    For every lag ``l`` in ``1..max_lag`` the copy forecast repeats the last ``l`` (scaled)
    values over the horizon. A lag is scored by the mean absolute error of ``x[t - l]`` as a
    forecast of ``x[t]`` over the last :data:`_COPY_WINDOW` positions (a trimmed mean without
    the largest ``trim`` share of those errors, when ``trim > 0``); it is usable when it
    has at least ``max(8, l)`` observed pairs (one whole cycle) and its copied values were
    all observed. Lag weights: ``softmax(-sharpness * error + bias)``. The gate, in (0, 1),
    reads the encoder's summary, the best lag's error and its ratio to the last-value
    (lag 1) error. The copy's quantiles are the copy plus learned multiples (per horizon
    step and level) of the best lag's error, starting at the normal quantiles.

    With ``drift``, every lag also has a drifted candidate: the copy plus the lag's drift
    (the median of ``x[t] - x[t - l]`` over the window) once per cycle copied, scored by the
    same trimmed error of ``x[t - l] + drift`` as a forecast of ``x[t]``. On a trending
    seasonal series the plain seasonal lag loses to lag 1 because every cycle adds the trend
    to its errors; its drifted candidate does not (the seasonal naive with drift). The
    drifted candidates share the lag biases plus a learned offset per lag (``drift_bias``,
    zero at first), and compete with the plain ones in one softmax.

    With ``ratio``, every lag of a positive context also has a grown candidate: the copy
    times ``1 + (g - 1) * cycles``, where ``g`` is the median of ``x[t] / x[t - l]`` over the
    window (in ``[1/2, 2]``), scored by the trimmed error of ``g * x[t - l]``. It is the drift
    of a multiplicative season: the change per cycle is in proportion to the season's
    value, so the peaks of a growing series grow and its troughs stay low. Its own learned
    offsets (``ratio_bias``, zero at first) sit on the lag biases.

    A known season length (``season``, per series; the caller's frequency, such as 52 for
    weekly data) makes that lag usable as soon as one whole cycle can be copied and
    :data:`_MIN_PAIRS` pairs score it, instead of after a second cycle. Weekly demand with
    a year and a half of history then can copy last year's peak, as the seasonal naive
    does; without it the lag stays out until two years of history exist.
    """

    def __init__(
        self,
        d_model: int,
        max_lag: int,
        horizon: int,
        quantiles: Sequence[float],
        trim: float = 0.0,
        drift: bool = False,
        ratio: bool = False,
    ) -> None:
        super().__init__()
        self.max_lag = max_lag
        self.trim = float(trim)
        self.lag_bias = nn.Parameter(torch.zeros(max_lag))
        self.drift_bias: nn.Parameter | None = nn.Parameter(torch.zeros(max_lag)) if drift else None
        self.ratio_bias: nn.Parameter | None = nn.Parameter(torch.zeros(max_lag)) if ratio else None
        self.sharpness = nn.Parameter(torch.tensor(float(np.log(np.expm1(_COPY_SHARPNESS)))))
        self.gate = nn.Linear(d_model + 2, 1)
        # Plain floats, not a buffer: non-persistent buffers are not restored by a loader
        # that builds the model on the meta device.
        self.sides = [float(np.sign(q - 0.5)) for q in quantiles]
        self.spread = nn.Parameter(self.initial_spread(horizon, quantiles))

    @staticmethod
    def initial_spread(horizon: int, quantiles: Sequence[float]) -> torch.Tensor:
        """Softplus-inverse of ``|z_q| * 1.25``: normal quantiles of an error whose mean
        absolute value is the best lag's (``sigma = 1.25 MAE``), the same at every step."""
        z = np.abs([NormalDist().inv_cdf(float(q)) for q in quantiles])
        width = np.maximum(1.25 * z, 1e-3)
        raw = np.log(np.expm1(width))
        return torch.tensor(np.tile(raw, (horizon, 1)), dtype=torch.float32)

    def forward(
        self,
        x: torch.Tensor,
        seen: torch.Tensor,
        summary: torch.Tensor,
        horizon: int,
        season: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Copy quantiles ``[batch, horizon, Q]`` and gate ``[batch]`` for scaled values ``x``
        (0 where not seen) and the seen-mask ``seen`` (both ``[batch, time]``); ``season``
        ``[batch]`` holds known season lengths (0 where unknown)."""
        n_time = x.shape[1]
        n_lags = min(self.max_lag, n_time - 1)
        if n_lags < 1:
            zero = x.new_zeros(x.shape[0])
            return x.new_zeros(x.shape[0], horizon, self.spread.shape[1]), zero
        device = x.device
        lags = torch.arange(1, n_lags + 1, device=device)
        window = min(_COPY_WINDOW, n_time - 1)
        pos = torch.arange(n_time - window, n_time, device=device)
        src = pos[None, :] - lags[:, None]  # [L, W]
        in_range = (src >= 0).to(x.dtype)
        src = src.clamp_min(0)
        pair = seen[:, None, pos] * seen[:, src] * in_range  # [B, L, W]
        n_pairs = pair.sum(-1)
        target, source = x[:, None, pos], x[:, src]  # [B, 1, W], [B, L, W]
        differences = target - source
        error = self._lag_error(differences.abs(), pair, n_pairs)
        # Copy sources: the last l values, repeated.
        steps = torch.arange(horizon, device=device)
        copy_src = n_time - lags[:, None] + steps[None, :] % lags[:, None]  # [L, H]
        copies = x[:, copy_src]  # [B, L, H]
        copied_seen = seen[:, copy_src].amin(-1)  # [B, L]
        enough = n_pairs >= torch.clamp(lags, min=_MIN_PAIRS).to(x.dtype)
        if season is not None:
            known = lags[None, :] == season.to(lags.device)[:, None]
            enough = enough | (known & (n_pairs >= _MIN_PAIRS))
        usable = enough & (copied_seen > 0)
        any_usable = usable.any(-1)
        lag_bias = self.lag_bias[:n_lags].expand_as(error)
        plain_error, plain_copies, plain_usable = error, copies, usable
        errors, candidates, usables, biases = [error], [copies], [usable], [lag_bias]
        cycles = (steps[None, :] // lags[:, None] + 1).to(x.dtype)  # [L, H]
        if self.drift_bias is not None:
            drift = _masked_median(differences, pair, n_pairs)  # [B, L]
            errors.append(self._lag_error((differences - drift[..., None]).abs(), pair, n_pairs))
            candidates.append(plain_copies + drift[..., None] * cycles)
            usables.append(plain_usable)
            biases.append(lag_bias + self.drift_bias[:n_lags])
        if self.ratio_bias is not None:
            # Positive contexts only: every seen value above 0.
            positive = ((x > 0) | (seen == 0)).all(-1) & (seen.sum(-1) > 0)  # [B]
            log_x = torch.log(torch.where(x > 0, x, torch.ones_like(x)))
            log_ratio = log_x[:, None, pos] - log_x[:, src]
            growth = torch.exp(_masked_median(log_ratio, pair, n_pairs).clamp(-_LOG2, _LOG2))
            grown = source * growth[..., None]
            errors.append(self._lag_error((target - grown).abs(), pair, n_pairs))
            factor = (1.0 + (growth[..., None] - 1.0) * cycles).clamp_min(0.0)  # [B, L, H]
            candidates.append(plain_copies * factor)
            usables.append(plain_usable & positive[:, None])
            biases.append(lag_bias + self.ratio_bias[:n_lags])
        error = torch.cat(errors, dim=-1)
        copies = torch.cat(candidates, dim=1)
        usable = torch.cat(usables, dim=-1)
        bias = torch.cat(biases, dim=-1)
        big = torch.full_like(error, 1e6)
        best = torch.where(usable, error, big).amin(-1)
        best = torch.where(any_usable, best, torch.zeros_like(best))
        # Errors relative to the best lag's: a lag 10% worse than the best loses
        # sharpness / 10 in logit, whatever the series' noise level.
        sharp = nn.functional.softplus(self.sharpness)
        relative = error / (best[:, None] + 1e-2)
        logits = -sharp * relative + bias
        logits = logits.masked_fill(~usable, float("-inf"))
        weights = torch.softmax(logits.masked_fill(~any_usable[:, None], 0.0), dim=-1)
        weights = weights * any_usable[:, None].to(x.dtype)
        copy = (weights.unsqueeze(-1) * copies).sum(1)
        naive = torch.where(plain_usable[:, 0], plain_error[:, 0], best)
        ratio = best / (naive + 1e-3)
        features = torch.cat([summary, best[:, None], ratio[:, None]], dim=-1)
        gate = torch.sigmoid(self.gate(features)).squeeze(-1) * any_usable.to(x.dtype)
        side = torch.tensor(self.sides, dtype=x.dtype, device=x.device)
        offsets = side * nn.functional.softplus(self.spread[:horizon])  # [H, Q]
        quantiles = copy.unsqueeze(-1) + best[:, None, None] * offsets
        return quantiles, gate

    def _lag_error(
        self, absolute: torch.Tensor, pair: torch.Tensor, n_pairs: torch.Tensor
    ) -> torch.Tensor:
        """Mean (trimmed when ``trim > 0``) of the absolute errors ``[B, L, W]`` over the
        positions where ``pair`` is 1."""
        if self.trim <= 0.0:
            return (absolute * pair).sum(-1) / n_pairs.clamp_min(1.0)
        # Trimmed mean: the largest errors of each lag (a strike, a one-off dip) left out.
        ranked = absolute.masked_fill(pair == 0, float("inf")).sort(dim=-1).values
        keep = torch.floor(n_pairs * (1.0 - self.trim)).clamp_min(1.0)
        kept = torch.arange(ranked.shape[-1], device=absolute.device) < keep[..., None]
        # A lag without pairs scores 0, as the plain mean does: an infinite error would
        # turn the (unused) lag's gradient into NaN.
        kept = kept & torch.isfinite(ranked)
        return torch.where(kept, ranked, torch.zeros_like(ranked)).sum(-1) / keep


class _EmpiricalQuantiles(nn.Module):
    """Empirical quantiles of the recent observations, mixed over windows, and a gate.

    For each window ``w`` the quantile levels of the last ``w`` observed values (linear
    interpolation, NaN and padding left out) are a flat forecast. A linear map of the
    encoder's summary and each window's share of zeros and of observed positions gives the
    gate logit and the windows' softmax logits; a learned offset per horizon step and
    window (and per step for the gate) lets the near steps follow a short window and the
    far steps a long one. Windows without an observation drop out, and a context without
    any observation keeps the gate shut. The quantiles are a fixed function of the context,
    so only the mixing layer and the offsets learn.
    """

    def __init__(
        self, d_model: int, windows: Sequence[int], horizon: int, quantiles: Sequence[float]
    ) -> None:
        super().__init__()
        self.windows = [int(w) for w in windows]
        self.levels = [float(q) for q in quantiles]
        n = len(self.windows)
        self.mix = nn.Linear(d_model + 2 * n, 1 + n)
        self.step_bias = nn.Parameter(torch.zeros(horizon, 1 + n))

    def forward(
        self, x: torch.Tensor, seen: torch.Tensor, summary: torch.Tensor, horizon: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Quantiles ``[batch, horizon, Q]`` and gate ``[batch, horizon]`` for scaled values
        ``x`` and the seen-mask ``seen`` (both ``[batch, time]``, most recent last)."""
        n_time = x.shape[1]
        levels = torch.tensor(self.levels, dtype=x.dtype, device=x.device)
        quantiles, features, available = [], [], []
        for window in self.windows:
            values = x[:, max(n_time - window, 0) :]
            observed = seen[:, max(n_time - window, 0) :] > 0
            count = observed.sum(-1)
            masked = torch.where(observed, values, torch.full_like(values, float("nan")))
            q = torch.nanquantile(masked, levels, dim=-1).transpose(0, 1)  # [B, Q]
            quantiles.append(torch.where(count[:, None] > 0, q, torch.zeros_like(q)))
            zeros = (observed & (values == 0)).sum(-1).to(x.dtype)
            features.append(zeros / count.clamp_min(1).to(x.dtype))
            features.append(count.to(x.dtype) / window)
            available.append(count > 0)
        stacked = torch.stack(quantiles, dim=1)  # [B, W, Q]
        usable = torch.stack(available, dim=-1)  # [B, W]
        any_usable = usable.any(-1)
        out = self.mix(torch.cat([summary, torch.stack(features, dim=-1)], dim=-1))
        out = out[:, None, :] + self.step_bias[:horizon]  # [B, H, 1 + W]
        logits = out[..., 1:].masked_fill(~usable[:, None, :], float("-inf"))
        weights = torch.softmax(logits.masked_fill(~any_usable[:, None, None], 0.0), dim=-1)
        mixed = torch.einsum("bhw,bwq->bhq", weights, stacked)
        gate = torch.sigmoid(out[..., 0]) * any_usable[:, None].to(x.dtype)
        return mixed, gate


def _masked_median(values: torch.Tensor, mask: torch.Tensor, count: torch.Tensor) -> torch.Tensor:
    """Lower median of ``values`` ``[..., W]`` where ``mask`` is 1 (``count`` of them); 0
    where there are none."""
    ranked = values.masked_fill(mask == 0, float("inf")).sort(dim=-1).values
    middle = ((count - 1).clamp_min(0.0) / 2).floor().long()
    median = ranked.gather(-1, middle[..., None]).squeeze(-1)
    return torch.where(count > 0, median, torch.zeros_like(median))


class SupplyMindTSModel(PreTrainedModel):  # type: ignore[no-untyped-call]
    """Patch transformer forecasting quantiles of a whole horizon at once.

    ``save_pretrained(path)`` writes ``config.json`` and ``model.safetensors``;
    ``SupplyMindTSModel.from_pretrained(path)`` reads them back.
    """

    config_class = SupplyMindTSConfig
    base_model_prefix = "supplymind_ts"
    main_input_name = "context"

    def __init__(self, config: SupplyMindTSConfig) -> None:
        super().__init__(config)
        p, d = config.patch_size, config.d_model
        self.patch_embed = _ResidualBlock(2 * p, config.d_ff, d, config.dropout)
        self.covariate_embed: nn.Linear | None = None
        if config.num_covariates:
            self.covariate_embed = nn.Linear(p * config.num_covariates, d)
        self.static_embed = nn.ModuleList(nn.Embedding(c, d) for c in config.static_cardinalities)
        self.mask_token = nn.Parameter(torch.zeros(d))
        self.horizon_token = nn.Parameter(torch.zeros(d))
        n_tokens = config.context_patches + config.horizon_patches
        self.position = nn.Parameter(torch.zeros(n_tokens, d))
        layer = nn.TransformerEncoderLayer(
            d,
            config.num_heads,
            config.d_ff,
            config.dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(layer, config.num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = _ResidualBlock(d, config.d_ff, p * len(config.quantiles), config.dropout)
        self.linear_path: nn.Linear | None = None
        if config.linear_skip:
            n_ctx_points = config.context_patches * p
            n_out = config.horizon_patches * p * len(config.quantiles)
            self.linear_path = nn.Linear(2 * n_ctx_points, n_out)
        self.seasonal_copy: _SeasonalCopy | None = None
        if config.seasonal_copy:
            self.seasonal_copy = _SeasonalCopy(
                d,
                config.max_lag,
                config.horizon_patches * p,
                config.quantiles,
                config.copy_trim,
                config.copy_drift,
                config.copy_ratio,
            )
        self.empirical: _EmpiricalQuantiles | None = None
        if config.empirical_windows:
            self.empirical = _EmpiricalQuantiles(
                d, config.empirical_windows, config.horizon_patches * p, config.quantiles
            )
        self.post_init()  # type: ignore[no-untyped-call]

    def _init_weights(self, module: nn.Module) -> None:
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, _SeasonalCopy):
            # Its own call when only the drift offsets are missing (weights saved without
            # copy_drift): zero, so the drifted candidates start with the plain lags' biases.
            if module.drift_bias is not None:
                nn.init.zeros_(module.drift_bias)
            if module.ratio_bias is not None:
                nn.init.zeros_(module.ratio_bias)
        elif isinstance(module, SupplyMindTSModel):
            nn.init.normal_(module.mask_token, std=std)
            nn.init.normal_(module.horizon_token, std=std)
            nn.init.normal_(module.position, std=std)
            if module.linear_path is not None:
                # Zero: a model given the linear path starts as the model without it.
                nn.init.zeros_(module.linear_path.weight)
                nn.init.zeros_(module.linear_path.bias)
            if module.seasonal_copy is not None:
                # Nearly closed: a model given the copy starts close to the model without it.
                nn.init.zeros_(module.seasonal_copy.gate.weight)
                nn.init.constant_(module.seasonal_copy.gate.bias, _COPY_GATE_BIAS)
                nn.init.zeros_(module.seasonal_copy.lag_bias)
                with torch.no_grad():
                    module.seasonal_copy.sharpness.fill_(float(np.log(np.expm1(_COPY_SHARPNESS))))
                    module.seasonal_copy.spread.copy_(
                        _SeasonalCopy.initial_spread(
                            module.seasonal_copy.spread.shape[0], self.config.quantiles
                        )
                    )
            if module.empirical is not None:
                # Closed, and the windows mixed evenly: a model given the path starts as
                # the model without it.
                nn.init.zeros_(module.empirical.mix.weight)
                nn.init.zeros_(module.empirical.mix.bias)
                nn.init.zeros_(module.empirical.step_bias)
                with torch.no_grad():
                    module.empirical.mix.bias[0] = _EMPIRICAL_GATE_BIAS
            for embedding in module.static_embed:
                # Zero: static covariates start neutral too.
                nn.init.zeros_(embedding.weight)  # type: ignore[arg-type]
            if module.covariate_embed is not None:
                # Zero: a model fine-tuned with covariates starts from the univariate one.
                nn.init.zeros_(module.covariate_embed.weight)
                nn.init.zeros_(module.covariate_embed.bias)

    # ------------------------------------------------------------------ forward

    def _fit_context(self, context: torch.Tensor, full: bool = False) -> torch.Tensor:
        """Cut the context to ``context_length`` and left-pad it (with NaN) to whole patches.

        Only the patches the longest series needs are kept (``full``: all of them): padding
        patches are masked out of attention anyway, so dropping them changes nothing but the
        cost.
        """
        p = self.config.patch_size
        width = self.config.context_patches * p
        if context.shape[1] >= width:
            return context[:, -width:]
        target = width if full else max(p, -(-context.shape[1] // p) * p)
        if context.shape[1] == target:
            return context
        pad = torch.full(
            (context.shape[0], target - context.shape[1]),
            float("nan"),
            dtype=context.dtype,
            device=context.device,
        )
        return torch.cat([pad, context], dim=1)

    def _covariate_tokens(
        self, covariates: torch.Tensor, context_len: int, n_ctx: int, n_hor: int
    ) -> torch.Tensor:
        cfg = self.config
        p, k = cfg.patch_size, cfg.num_covariates
        if covariates.ndim != 3 or covariates.shape[2] != k:
            raise ValueError(
                f"covariates: expected shape [batch, time, {k}], found {tuple(covariates.shape)}"
            )
        total = (n_ctx + n_hor) * p
        hist, fut = covariates[:, :context_len], covariates[:, context_len:]
        hist = self._fit_context_cov(hist, n_ctx * p)
        fut = fut[:, : n_hor * p]
        if fut.shape[1] < n_hor * p:  # hold the last known value over the rest
            last = fut[:, -1:] if fut.shape[1] else hist[:, -1:]
            fut = torch.cat([fut, last.expand(-1, n_hor * p - fut.shape[1], -1)], dim=1)
        cov = torch.cat([hist, fut], dim=1)
        # Standardise each channel by its observed history (padding is NaN, left out).
        past = hist
        loc = torch.nanmean(past, dim=1, keepdim=True).nan_to_num()
        spread = torch.nanmean((past - loc) ** 2, dim=1, keepdim=True).nan_to_num().sqrt()
        cov = torch.nan_to_num((cov - loc) / spread.clamp_min(1e-3))
        cov = cov.reshape(cov.shape[0], total // p, p * k)
        if self.covariate_embed is None:  # pragma: no cover - guarded by forward
            raise RuntimeError("covariate tokens requested from a model without covariates")
        tokens: torch.Tensor = self.covariate_embed(cov)
        return tokens

    @staticmethod
    def _fit_context_cov(hist: torch.Tensor, width: int) -> torch.Tensor:
        if hist.shape[1] >= width:
            return hist[:, -width:]
        pad = torch.full(
            (hist.shape[0], width - hist.shape[1], hist.shape[2]), float("nan"), dtype=hist.dtype
        )
        return torch.cat([pad, hist], dim=1)

    def forward(
        self,
        context: torch.Tensor,
        future: torch.Tensor | None = None,
        covariates: torch.Tensor | None = None,
        context_patch_mask: torch.Tensor | None = None,
        static: torch.Tensor | None = None,
        season_length: torch.Tensor | None = None,
        return_dict: bool = True,
        **kwargs: object,
    ) -> SupplyMindTSOutput:
        """Forecast quantiles of the next ``horizon_patches * patch_size`` steps.

        Parameters
        ----------
        context
            ``[batch, time]`` history, NaN where missing; cut/padded to ``context_length``.
        future
            ``[batch, h]`` targets (NaN where missing) for the forecasting loss.
        covariates
            ``[batch, time + h, num_covariates]`` known covariates over context and horizon.
        context_patch_mask
            ``[batch, context_patches]`` true for patches hidden from the model whose
            values it must reconstruct (masked-patch objective).
        static
            ``[batch, len(static_cardinalities)]`` category codes of the static covariates.
        season_length
            ``[batch]`` known season lengths in steps (0 where unknown), for the seasonal
            copy (see :class:`_SeasonalCopy`).
        """
        cfg = self.config
        p, n_all, n_hor = cfg.patch_size, cfg.context_patches, cfg.horizon_patches
        raw_len = context.shape[1]
        # A masked-patch objective addresses patches by their place in the full context.
        ctx = self._fit_context(context.float(), full=context_patch_mask is not None)
        n_ctx = ctx.shape[1] // p
        observed = ~torch.isnan(ctx)
        values = torch.nan_to_num(ctx)
        # The scale must not see masked patches, or their magnitude would leak.
        visible = observed
        if context_patch_mask is not None:
            visible = observed & ~context_patch_mask.repeat_interleave(p, dim=1)
        count = visible.sum(dim=1, keepdim=True)
        mean_abs = (values.abs() * visible).sum(dim=1, keepdim=True) / count.clamp_min(1)
        # An all-zero (or unobserved) context keeps its units: scale 1.
        scale = torch.where(
            mean_abs > 0, mean_abs.clamp_min(cfg.min_scale), torch.ones_like(mean_abs)
        )
        scaled = values / scale
        patches = scaled.reshape(-1, n_ctx, p)
        obs = observed.reshape(-1, n_ctx, p).to(scaled.dtype)
        tokens = self.patch_embed(torch.cat([patches * obs, obs], dim=-1))
        if context_patch_mask is not None:
            tokens = torch.where(context_patch_mask.unsqueeze(-1), self.mask_token, tokens)
        horizon = self.horizon_token.expand(tokens.shape[0], n_hor, -1)
        h = torch.cat([tokens, horizon], dim=1)
        if self.covariate_embed is not None:
            if covariates is None:
                raise ValueError(
                    f"covariates: expected [batch, time + h, {cfg.num_covariates}] for a model "
                    "trained with covariates, found None"
                )
            h = h + self._covariate_tokens(covariates.float(), raw_len, n_ctx, n_hor)
        if len(self.static_embed):
            if static is None or static.ndim != 2 or static.shape[1] != len(self.static_embed):
                found = None if static is None else tuple(static.shape)
                raise ValueError(
                    f"static: expected [batch, {len(self.static_embed)}] category codes for a "
                    f"model trained with static covariates, found {found}"
                )
            for j, embedding in enumerate(self.static_embed):
                h = h + embedding(static[:, j].long()).unsqueeze(1)
        h = h + torch.cat([self.position[n_all - n_ctx : n_all], self.position[n_all:]])
        padding = obs.sum(dim=-1) == 0
        if context_patch_mask is not None:
            padding = padding & ~context_patch_mask
        key_padding = torch.cat(
            [padding, torch.zeros(padding.shape[0], n_hor, dtype=torch.bool, device=h.device)],
            dim=1,
        )
        h = self.norm(self.encoder(h, src_key_padding_mask=key_padding))
        out = self.head(h).reshape(h.shape[0], n_ctx + n_hor, p, len(cfg.quantiles))
        recon = out[:, :n_ctx].reshape(h.shape[0], n_ctx * p, -1)
        forecast_scaled = out[:, n_ctx:].reshape(h.shape[0], n_hor * p, -1)
        # What the context paths may read: observed and not masked.
        seen = observed.to(scaled.dtype)
        if context_patch_mask is not None:
            seen = seen * (~context_patch_mask).repeat_interleave(p, dim=1).to(seen.dtype)
        summary = h[:, n_ctx:].mean(dim=1)
        if self.linear_path is not None:
            lead = (n_all - n_ctx) * p  # patches dropped on the left read as unobserved zeros
            zeros = scaled.new_zeros(scaled.shape[0], lead)
            linear = self.linear_path(torch.cat([zeros, scaled * seen, zeros, seen], dim=1))
            forecast_scaled = forecast_scaled + linear.reshape(forecast_scaled.shape)
        if self.seasonal_copy is not None:
            copy, gate = self.seasonal_copy(scaled * seen, seen, summary, n_hor * p, season_length)
            # A convex combination of two quantile forecasts (Vincentisation).
            g = gate[:, None, None]
            forecast_scaled = (1.0 - g) * forecast_scaled + g * copy
        if self.empirical is not None:
            recent, weight = self.empirical(scaled * seen, seen, summary, n_hor * p)
            # Vincentisation again: the same weight at every level keeps quantiles ordered.
            w = weight.unsqueeze(-1)
            forecast_scaled = (1.0 - w) * forecast_scaled + w * recent

        loss = None
        levels = torch.as_tensor(self.config.quantiles, dtype=out.dtype, device=out.device)
        if future is not None:
            steps = min(future.shape[1], n_hor * p)
            # Bounded targets: a window whose future dwarfs its context (a launch after
            # zeros) cannot be forecast and would dominate the mean loss.
            target = (future[:, :steps].float() / scale).clamp(-_TARGET_CLIP, _TARGET_CLIP)
            loss = pinball_loss(forecast_scaled[:, :steps], target, levels, ~torch.isnan(target))
        if context_patch_mask is not None:
            hidden = context_patch_mask.repeat_interleave(p, dim=1) & observed
            recon_target = scaled.clamp(-_TARGET_CLIP, _TARGET_CLIP)
            recon_loss = pinball_loss(recon, recon_target, levels, hidden)
            loss = recon_loss if loss is None else loss + recon_loss
        return SupplyMindTSOutput(
            loss=loss,
            quantiles=forecast_scaled * scale.unsqueeze(-1),
            scale=scale,
            reconstruction=recon,
        )

    # ------------------------------------------------------------------ inference

    @torch.no_grad()
    def predict_quantiles(
        self,
        context: Sequence[np.ndarray] | np.ndarray,
        horizon: int,
        quantiles: Sequence[float] | None = None,
        *,
        covariates: Sequence[np.ndarray] | None = None,
        static: np.ndarray | None = None,
        season_length: int | Sequence[int] | None = None,
        batch_size: int = 256,
    ) -> np.ndarray:
        """Forecast ``horizon`` steps for each series.

        Parameters
        ----------
        context
            One 1-D array per series (any lengths; NaN where missing).
        horizon
            Steps ahead; beyond ``max_horizon`` the median is fed back and the model rolls on.
        quantiles
            Levels wanted; others than the trained ones are interpolated linearly.
        covariates
            Per series ``[len(context) + horizon, num_covariates]`` known covariates.
        static
            ``[n_series, len(static_cardinalities)]`` category codes of the static covariates.
        season_length
            Known season length in steps (one for all series, or one per series; 0 or
            ``None``: unknown), such as 52 for weekly or 12 for monthly data. The seasonal
            copy may then use that lag after one cycle of history instead of two.
        batch_size
            Series per forward pass.

        Returns
        -------
        numpy.ndarray
            ``[n_series, horizon, len(quantiles)]`` in the series' units, sorted along the last
            axis (no quantile crossing).
        """
        if horizon <= 0:
            raise ValueError(f"horizon: expected a positive number of steps, found {horizon}")
        levels = list(self.config.quantiles if quantiles is None else quantiles)
        if any(not 0.0 < q < 1.0 for q in levels):
            raise ValueError(f"quantiles: expected levels in (0, 1), found {levels}")
        series = [np.asarray(c, dtype=np.float32).ravel() for c in context]
        if self.covariate_embed is not None and covariates is None:
            raise ValueError("covariates: this model was trained with covariates; pass them")
        seasons = _season_lengths(season_length, len(series))
        self.eval()  # type: ignore[no-untyped-call]
        out = np.empty((len(series), horizon, len(levels)), dtype=np.float32)
        for start in range(0, len(series), batch_size):
            chunk = series[start : start + batch_size]
            cov_chunk = None if covariates is None else covariates[start : start + batch_size]
            static_chunk = None if static is None else static[start : start + batch_size]
            out[start : start + len(chunk)] = self._predict_batch(
                chunk, horizon, levels, cov_chunk, static_chunk, seasons[start : start + len(chunk)]
            )
        return out

    def _predict_batch(
        self,
        series: list[np.ndarray],
        horizon: int,
        levels: list[float],
        covariates: Sequence[np.ndarray] | None,
        static: np.ndarray | None = None,
        seasons: np.ndarray | None = None,
    ) -> np.ndarray:
        cfg = self.config
        full = cfg.context_patches * cfg.patch_size
        longest = max((len(x) for x in series), default=1)
        # Only as many patches as the longest series fills (the model masks padding anyway).
        width = min(full, max(1, -(-longest // cfg.patch_size)) * cfg.patch_size)
        batch = np.full((len(series), width), np.nan, dtype=np.float32)
        lengths = []
        for i, s in enumerate(series):
            tail = s[-width:]
            batch[i, width - len(tail) :] = tail
            lengths.append(len(s))
        trained = np.asarray(cfg.quantiles, dtype=np.float64)
        median = cfg.quantiles.index(0.5)
        done = 0
        pieces = []
        ctx = torch.from_numpy(batch).to(self.device)
        season = None
        if seasons is not None and seasons.any():
            season = torch.as_tensor(seasons, dtype=torch.long, device=self.device)
        while done < horizon:
            cov = None
            if covariates is not None:
                cov = self._covariate_window(covariates, lengths, done, ctx.shape[1]).to(
                    self.device
                )
            codes = None if static is None else torch.as_tensor(static, dtype=torch.long)
            q = self(context=ctx, covariates=cov, static=codes, season_length=season).quantiles
            q = torch.sort(q, dim=-1).values
            step = min(horizon - done, q.shape[1])
            pieces.append(q[:, :step].float().cpu().numpy())
            ctx = torch.cat([ctx, q[:, :step, median]], dim=1)[:, -full:]
            done += step
        full = np.concatenate(pieces, axis=1)
        return _interpolate_levels(full, trained, np.asarray(levels, dtype=np.float64))

    def _covariate_window(
        self, covariates: Sequence[np.ndarray], lengths: list[int], done: int, width: int
    ) -> torch.Tensor:
        cfg = self.config
        ahead = cfg.horizon_patches * cfg.patch_size
        rows = []
        for cov, length in zip(covariates, lengths, strict=True):
            arr = np.asarray(cov, dtype=np.float32).reshape(-1, cfg.num_covariates)
            end = length + done
            hist = arr[max(0, end - width) : end]
            hist = np.concatenate(
                [np.full((width - len(hist), cfg.num_covariates), np.nan, np.float32), hist]
            )
            fut = arr[end : end + ahead]
            if len(fut) < ahead:
                filler = fut[-1:] if len(fut) else hist[-1:]
                fut = np.concatenate([fut, np.repeat(filler, ahead - len(fut), axis=0)])
            rows.append(np.concatenate([hist, fut]))
        return torch.from_numpy(np.stack(rows))


def _season_lengths(season_length: int | Sequence[int] | None, n_series: int) -> np.ndarray:
    """Per-series season lengths (0: unknown) from one length, one per series, or ``None``."""
    if season_length is None:
        return np.zeros(n_series, dtype=np.int64)
    raw = np.asarray(season_length)
    if raw.ndim == 0:
        raw = np.full(n_series, raw)
    if raw.shape != (n_series,) or not np.issubdtype(raw.dtype, np.integer) or (raw < 0).any():
        raise ValueError(
            "season_length: expected a non-negative whole number, or one per series "
            f"({n_series}), found {season_length!r}"
        )
    return raw.astype(np.int64)


def _interpolate_levels(values: np.ndarray, trained: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Quantiles at ``wanted`` levels by linear interpolation between ``trained`` levels
    (held flat beyond the outermost ones)."""
    if np.array_equal(trained, wanted):
        return values
    out = np.empty((*values.shape[:-1], len(wanted)), dtype=values.dtype)
    for j, level in enumerate(wanted):
        k = int(np.searchsorted(trained, level))
        if k == 0:
            out[..., j] = values[..., 0]
        elif k >= len(trained):
            out[..., j] = values[..., -1]
        else:
            lo, hi = trained[k - 1], trained[k]
            w = (level - lo) / (hi - lo)
            out[..., j] = (1 - w) * values[..., k - 1] + w * values[..., k]
    return out
