"""The forecasting stage of the demo report, on the sample company's demand.

:func:`forecast_section` fits the Forecaster (guarded adoption, ``finetune="auto"``) on the
daily demand per item and warehouse up to four weeks before the end, scores the adopted
model, the zero-shot and fine-tuned backbone and the statistical candidates on those
held-out four weeks, then forecasts the four weeks after the end from the whole history
with the fitted choices (``forecast.csv``) and draws fan charts for a few series.

To keep the demo fast the models read the last year of demand and fine-tuning runs at most
100 steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from supplymind.files import atomic_path
from supplymind.forecasting.data import join_series_location, split_series_location
from supplymind.forecasting.forecaster import Forecaster
from supplymind.forecasting.metrics import coverage, mase, wql
from supplymind.reporting import Figure, Section
from supplymind.reporting.plots import save_figure
from supplymind.training.finetune import FinetuneConfig

__all__ = ["DemoForecast", "forecast_section", "plot_fan_charts"]

HORIZON = 28
_HISTORY_DAYS = 365
_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass
class DemoForecast:
    """What the stage produced, for the later stages."""

    forecaster: Forecaster
    forecast: pd.DataFrame
    accuracy: pd.DataFrame
    cutoff: pd.Timestamp


def _series(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    demand = tables["demand"][["item_id", "location_id", "timestamp", "target"]].copy()
    items = tables["items"]
    last = demand["timestamp"].max()
    if "discontinued_at" in items.columns:
        ended = items.loc[
            items["discontinued_at"].notna() & (items["discontinued_at"] <= last), "item_id"
        ]
        demand = demand[~demand["item_id"].isin(set(ended))]
    demand = demand[demand["timestamp"] > last - pd.Timedelta(days=_HISTORY_DAYS)]
    return join_series_location(demand).reset_index(drop=True)


def _matrix(frame: pd.DataFrame, ids: list[str], column: str) -> np.ndarray:
    wide = frame.pivot(index="item_id", columns="timestamp", values=column)
    return wide.reindex(ids).to_numpy(np.float64)


def plot_fan_charts(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    ids: list[str],
    path: str | Path,
    *,
    actuals: pd.DataFrame | None = None,
    title: str = "",
    days: int = 84,
) -> Path:
    """Recent history, the 10-90 % and 30-70 % bands and the median, per series."""
    fig = MplFigure(figsize=(10, 2.3 * len(ids)))
    for k, item in enumerate(ids):
        ax = fig.add_subplot(len(ids), 1, k + 1)
        past = history[history["item_id"] == item].tail(days)
        ax.plot(past["timestamp"], past["target"], color="#334e68", lw=1, label="history")
        fc = forecast[forecast["item_id"] == item]
        ax.fill_between(
            fc["timestamp"], fc["0.1"], fc["0.9"], color="#2680c2", alpha=0.2, label="10-90 %"
        )
        ax.fill_between(
            fc["timestamp"], fc["0.3"], fc["0.7"], color="#2680c2", alpha=0.35, label="30-70 %"
        )
        ax.plot(fc["timestamp"], fc["0.5"], color="#2680c2", lw=1.5, label="median")
        if actuals is not None:
            truth = actuals[actuals["item_id"] == item]
            ax.plot(truth["timestamp"], truth["target"], color="#d64545", lw=1, label="actual")
        ax.set_title(item, fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
        if k == 0:
            ax.legend(fontsize=7, ncol=5, loc="upper left")
    if title:
        fig.suptitle(title, fontsize=11)
    return save_figure(fig, path)


def forecast_section(
    tables: dict[str, pd.DataFrame],
    plot_dir: Path,
    rel: str,
    *,
    seed: int = 0,
    forecast_path: Path | None = None,
    n_jobs: int = 2,
    finetune_steps: int = 100,
    future_horizon: int | None = None,
) -> tuple[Section, list[Path], DemoForecast]:
    """Fit, score and forecast the sample company's demand; the report section.

    ``forecast.csv`` covers ``max(HORIZON, future_horizon)`` days after the data: the
    replenishment plan reads the forecast over the longest lead time plus the review period.

    Returns
    -------
    tuple
        The section, the files written (figures, then ``forecast.csv``) and the stage's
        results.
    """
    demand = _series(tables)
    end = demand["timestamp"].max()
    cutoff = end - pd.Timedelta(days=HORIZON - 1)
    train = demand[demand["timestamp"] < cutoff]
    test = demand[demand["timestamp"] >= cutoff]
    config = FinetuneConfig(
        mode="full", learning_rate=1e-4, max_steps=finetune_steps, batch_size=64
    )
    forecaster = Forecaster(
        horizon=HORIZON, freq="D", n_jobs=n_jobs, seed=seed, finetune_config=config
    )
    forecaster.fit(train, finetune="auto")
    ids = sorted(train["item_id"].unique())
    y = _matrix(test, ids, "target")
    histories = [g.to_numpy(np.float64) for _, g in train.groupby("item_id", sort=True)["target"]]
    rows = []
    held: dict[str, pd.DataFrame] = {}
    models = ["adopted", "zero_shot"]
    if forecaster.model_ is not None:
        models.append("finetuned")
    models += ["EmpiricalQuantiles", "SeasonalNaive", "AutoETS"]
    for name in models:
        pred = forecaster.predict(HORIZON, _LEVELS, model=None if name == "adopted" else name)
        held[name] = pred
        q = np.stack([_matrix(pred, ids, f"{lv:g}") for lv in _LEVELS], axis=-1)
        rows.append(
            {
                "model": name if name != "adopted" else f"adopted: {_describe(forecaster)}",
                "WQL": wql(y, q, _LEVELS),
                "MASE": mase(y, q[..., 4], histories, 7),
                "80% coverage": coverage(y, q[..., 0], q[..., -1]),
            }
        )
    accuracy = pd.DataFrame(rows)
    ahead = max(HORIZON, future_horizon or HORIZON)
    future = forecaster.predict(ahead, _LEVELS, history=demand)
    out_csv = forecast_path or plot_dir.parent / "forecast.csv"
    table = split_series_location(future)
    with atomic_path(out_csv) as tmp:
        table.to_csv(tmp, index=False, date_format="%Y-%m-%d", float_format="%.6g")

    volume = train.groupby("item_id")["target"].sum().sort_values(ascending=False)
    picks = [volume.index[0], volume.index[len(volume) // 3], volume.index[2 * len(volume) // 3]]
    figures = [
        (
            plot_fan_charts(
                train,
                held["adopted"],
                picks,
                plot_dir / "forecast_backtest.png",
                actuals=test,
                title="Held-out four weeks: forecast bands against what happened",
            ),
            "Fan charts of the adopted model on the held-out four weeks (red: actual demand) "
            "for a high-, a middle- and a low-volume item-warehouse.",
        ),
        (
            plot_fan_charts(
                demand,
                future[future["timestamp"] <= end + pd.Timedelta(days=HORIZON)],
                picks,
                plot_dir / "forecast_future.png",
                title="The next four weeks",
            ),
            "The forecast for the four weeks after the last day of data (forecast.csv).",
        ),
    ]
    section = Section("Demand forecast")
    ft = forecaster.finetune_result_
    section.paragraphs.append(
        f"{len(ids)} daily item-warehouse series, last {_HISTORY_DAYS} days. SupplyMind's "
        "pretrained backbone (supplymind-ts-small) was fine-tuned on the company's demand "
        f"before {cutoff:%Y-%m-%d} and compared, on the last {forecaster.n_windows} windows of "
        f"{HORIZON} days before that date, with the zero-shot backbone and statistical models "
        "(guarded adoption). Adopted: " + _describe(forecaster) + "."
    )
    if ft is not None:
        section.paragraphs.append(
            f"Fine-tuning ({ft['mode']}, {ft['steps']} steps, {ft['wall_seconds']:.0f} s): "
            f"validation loss {ft['initial_val_loss']:.4f} before, {ft['best_val_loss']:.4f} "
            f"after (best step {ft['best_step']})."
        )
    section.paragraphs.append(
        f"Accuracy on the {HORIZON} held-out days from {cutoff:%Y-%m-%d} (lower WQL and MASE "
        "are better; coverage should be near 0.80):"
    )
    section.add_table(accuracy, float_format="{:.3f}")
    backtest = forecaster.backtest_
    if backtest is not None:
        section.paragraphs.append("Validation backtest used for the choice (WQL by segment):")
        pivot = backtest.pivot_table(index="model", columns="segment", values="wql")
        section.add_table(pivot.reset_index(), float_format="{:.3f}")
    section.notes.append(
        "forecast.csv holds item_id, location_id, timestamp, mean and the quantiles 0.1..0.9 "
        f"for the next {ahead} days"
        + (
            f" ({HORIZON} shown; the replenishment plan reads the longest lead time plus the "
            "review period)"
            if ahead > HORIZON
            else ""
        )
        + ". To keep the demo fast the models read the last year and "
        f"fine-tuning stops after {finetune_steps} steps."
    )
    section.figures.extend(Figure(f"{rel}/{p.name}", caption) for p, caption in figures)
    result = DemoForecast(forecaster, table, accuracy, cutoff)
    return section, [p for p, _ in figures] + [out_csv], result


def _describe(forecaster: Forecaster) -> str:
    return ", ".join(f"{seg}: {choice}" for seg, choice in sorted(forecaster.selection_.items()))
