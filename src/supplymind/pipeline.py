"""From the warehouse to decisions in one call, each stage recorded.

:func:`run_pipeline` reads the warehouse's tables and runs the stages in order: demand
forecast, replenishment plan, delivery routes, risk alerts and the feedback summary. Every
stage is timed and recorded (inputs, model, metrics, files, ``ok``/``skipped``/``failed``
with a message) in a :class:`PipelineRun`, stored in the warehouse table ``pipeline_runs``
and in ``<out>/runs/<run_id>.json`` so runs can be inspected and compared later. A stage
whose package is not importable yet is skipped with a message, never faked; a stage that
raises is recorded as failed and the later stages still run.
"""

from __future__ import annotations

import importlib
import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from supplymind.data.schema import ColumnSpec, TableSchema, table_names
from supplymind.data.warehouse import Warehouse, quote
from supplymind.files import atomic_path
from supplymind.reporting import Report, Section

__all__ = [
    "RUNS_TABLE",
    "STAGES",
    "PipelineRun",
    "StageRecord",
    "list_runs",
    "load_run",
    "run_pipeline",
]

logger = logging.getLogger(__name__)

STAGES = ("forecast", "replenishment", "routes", "risk", "feedback")
StageStatus = Literal["ok", "skipped", "failed"]

RUNS_TABLE = TableSchema(
    name="pipeline_runs",
    description="One row per pipeline run; the full record is JSON in `record`.",
    columns=(
        ColumnSpec("run_id", "string", "Run id."),
        ColumnSpec("started_at", "timestamp", "When the run started (UTC)."),
        ColumnSpec("finished_at", "timestamp", "When the run finished (UTC)."),
        ColumnSpec("status", "string", "ok, partial (a stage failed) or failed."),
        ColumnSpec("out_dir", "string", "Folder of the run's files."),
        ColumnSpec("record", "string", "The run as JSON (PipelineRun.to_dict)."),
    ),
    key=("run_id",),
)


@dataclass
class StageRecord:
    """What one stage did."""

    name: str
    status: StageStatus = "ok"
    message: str = ""
    started_at: str = ""
    seconds: float = 0.0
    inputs: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)


@dataclass
class PipelineRun:
    """A pipeline run: its parameters and stages, plus the report sections it produced."""

    run_id: str
    started_at: str
    warehouse: str
    out_dir: str
    params: dict[str, Any]
    stages: list[StageRecord] = field(default_factory=list)
    finished_at: str = ""
    status: str = "running"
    sections: list[Section] = field(default_factory=list, repr=False)
    figures: list[Path] = field(default_factory=list, repr=False)

    def stage(self, name: str) -> StageRecord:
        """The record of stage ``name``."""
        for record in self.stages:
            if record.name == name:
                return record
        raise KeyError(f"stage: expected one of {[s.name for s in self.stages]}, found {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able record (no report sections)."""
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "warehouse": self.warehouse,
            "out_dir": self.out_dir,
            "params": self.params,
            "stages": [asdict(s) for s in self.stages],
        }


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")


def _jsonable(value: Any) -> Any:
    """Plain JSON values (NaN becomes None) from numpy/pandas scalars and containers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _ensure_table(wh: Warehouse) -> None:
    cols = ", ".join(
        f"{quote(c.name)} {c.sql_type}" + ("" if c.nullable else " NOT NULL")
        for c in RUNS_TABLE.columns
    )
    wh.backend.execute(
        f"CREATE TABLE IF NOT EXISTS {quote(RUNS_TABLE.name)} "
        f"({cols}, PRIMARY KEY ({quote('run_id')}))"
    )


def _store(wh: Warehouse, run: PipelineRun) -> None:
    _ensure_table(wh)
    row = pd.DataFrame(
        {
            "run_id": [run.run_id],
            "started_at": [pd.Timestamp(run.started_at).tz_convert(None)],
            "finished_at": [pd.Timestamp(run.finished_at).tz_convert(None)],
            "status": [run.status],
            "out_dir": [run.out_dir],
            "record": [json.dumps(run.to_dict())],
        }
    )
    with wh.transaction():
        wh.backend.upsert(RUNS_TABLE, row, ["finished_at", "status", "out_dir", "record"])


def list_runs(wh: Warehouse, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Stored runs, newest first (the full records)."""
    _ensure_table(wh)
    frame = wh.query(
        f"SELECT record FROM {quote(RUNS_TABLE.name)} "
        "ORDER BY started_at DESC, finished_at DESC, run_id DESC LIMIT ? OFFSET ?",
        [int(limit), int(offset)],
    )
    return [json.loads(r) for r in frame["record"]]


def load_run(wh: Warehouse, run_id: str) -> dict[str, Any] | None:
    """The stored record of ``run_id``, or ``None``."""
    _ensure_table(wh)
    frame = wh.query(f"SELECT record FROM {quote(RUNS_TABLE.name)} WHERE run_id = ?", [str(run_id)])
    return None if frame.empty else dict(json.loads(frame["record"].iloc[0]))


def _counts(tables: dict[str, pd.DataFrame], names: Sequence[str]) -> dict[str, int]:
    return {n: len(tables[n]) for n in names if n in tables}


class _Context:
    """What the stages share."""

    def __init__(
        self,
        wh: Warehouse,
        tables: dict[str, pd.DataFrame],
        out: Path,
        plot_dir: Path,
        rel: str,
        params: dict[str, Any],
    ) -> None:
        self.wh, self.tables, self.out, self.plot_dir, self.rel = wh, tables, out, plot_dir, rel
        self.params = params


def _forecast(ctx: _Context, rec: StageRecord) -> tuple[Section, list[Path]]:
    from supplymind.forecasting.report import forecast_section
    from supplymind.inventory.report import protection_days

    rec.inputs = _counts(ctx.tables, ("demand", "items"))
    section, files, result = forecast_section(
        ctx.tables,
        ctx.plot_dir,
        ctx.rel,
        seed=ctx.params["seed"],
        forecast_path=ctx.out / "forecast.csv",
        finetune_steps=ctx.params["finetune_steps"],
        n_jobs=ctx.params["n_jobs"],
        future_horizon=protection_days(ctx.tables),
    )
    fc = result.forecaster
    rec.model = {
        "backbone": getattr(fc, "backbone", None),
        "selection": dict(fc.selection_),
        "finetune": _jsonable(fc.finetune_result_ or {}),
        "cutoff": result.cutoff.isoformat(),
    }
    rec.metrics = {
        "held_out": _jsonable(result.accuracy.to_dict(orient="records")),
        "series": int(result.forecast.groupby(["item_id", "location_id"]).ngroups),
        "forecast_rows": len(result.forecast),
    }
    if fc.backtest_ is not None and "wql" in fc.backtest_.columns:
        wql = fc.backtest_.groupby(["model", "segment"])["wql"].mean().reset_index()
        rec.metrics["backtest_wql"] = _jsonable(wql.to_dict(orient="records"))
    return section, files


def _replenishment(ctx: _Context, rec: StageRecord) -> tuple[Section, list[Path]]:
    from supplymind.inventory.report import inventory_section

    rec.inputs = _counts(ctx.tables, ("demand", "items", "purchase_orders", "inventory"))
    forecast_file = ctx.out / "forecast.csv"
    forecast = (
        pd.read_csv(forecast_file, parse_dates=["timestamp"]) if forecast_file.exists() else None
    )
    section, files = inventory_section(
        ctx.tables,
        ctx.plot_dir,
        ctx.rel,
        seed=ctx.params["seed"],
        plan_path=ctx.out / "plan.csv",
        forecast=forecast,
        n_jobs=ctx.params["n_jobs"],
    )
    rec.model = {
        "policy": "base_stock",
        "demand": "SupplyMind Forecaster quantiles"
        + (" (today's plan: forecast.csv)" if forecast is not None else ""),
    }
    plan = pd.read_csv(ctx.out / "plan.csv")
    rec.metrics = {"plan_rows": len(plan), "series": int(plan["item_id"].nunique())}
    return section, files


def _routes(ctx: _Context, rec: StageRecord) -> tuple[Section, list[Path]]:
    from supplymind.routing.report import routing_section

    rec.inputs = _counts(ctx.tables, ("delivery_orders", "locations"))
    section, files = routing_section(
        ctx.tables,
        ctx.plot_dir,
        ctx.rel,
        time_limit=ctx.params["route_time_limit"],
        seed=ctx.params["seed"],
        out_dir=ctx.out,
    )
    rec.model = {"solver": "pyvrp", "time_limit_s": ctx.params["route_time_limit"]}
    routes = json.loads((ctx.out / "routes.json").read_text(encoding="utf-8"))
    rec.metrics = _jsonable(routes.get("kpis", {}))
    return section, files


def _risk(ctx: _Context, rec: StageRecord) -> tuple[Section, list[Path]]:
    from supplymind.risk.report import risk_section

    rec.inputs = _counts(ctx.tables, ("demand", "purchase_orders", "delivery_orders", "locations"))
    section, files = risk_section(
        ctx.wh, ctx.plot_dir, ctx.rel, out_dir=ctx.out, num_threads=ctx.params["risk_threads"]
    )
    alerts = pd.read_csv(ctx.out / "alerts.csv")
    rec.model = {"scan": "supplymind.risk.scan"}
    rec.metrics = {
        "alerts": len(alerts),
        "open": int((alerts["status"] == "open").sum()) if len(alerts) else 0,
        "by_severity": _jsonable(alerts["severity"].value_counts().to_dict()),
    }
    return section, files


def _feedback(ctx: _Context, rec: StageRecord) -> tuple[Section, list[Path]] | None:
    try:
        module = importlib.import_module("supplymind.feedback.report")
    except ImportError as exc:
        rec.status, rec.message = "skipped", f"feedback stage not available yet: {exc}"
        return None
    section_fn = getattr(module, "feedback_section", None)
    if not callable(section_fn):
        rec.status = "skipped"
        rec.message = (
            "feedback stage not available yet: supplymind.feedback.report has no feedback_section"
        )
        return None
    rec.inputs = _counts(ctx.tables, ("feedback",))
    section, files = section_fn(
        ctx.tables,
        ctx.plot_dir,
        ctx.rel,
        seed=ctx.params["seed"],
        predictions_path=ctx.out / "feedback_predictions.csv",
        warehouse=ctx.wh,
        steps=ctx.params["feedback_steps"],
    )
    rec.model = {"steps": ctx.params["feedback_steps"]}
    predictions = ctx.out / "feedback_predictions.csv"
    if predictions.exists():
        frame = pd.read_csv(predictions)
        rec.metrics = {"predictions": len(frame)}
        for col in ("complaint_type", "predicted_complaint_type"):
            if col in frame.columns:
                rec.metrics["by_complaint_type"] = _jsonable(frame[col].value_counts().to_dict())
    return section, files


_STAGE_FUNCS: dict[str, Callable[[_Context, StageRecord], tuple[Section, list[Path]] | None]] = {
    "forecast": _forecast,
    "replenishment": _replenishment,
    "routes": _routes,
    "risk": _risk,
    "feedback": _feedback,
}
_TITLES = {
    "forecast": "Demand forecast",
    "replenishment": "Replenishment plan",
    "routes": "Delivery routes",
    "risk": "Risk alerts",
    "feedback": "Customer feedback",
}
_DESCRIPTIONS = {
    "forecast": "forecasting demand (fine-tuning and guarded adoption)",
    "replenishment": "planning replenishment",
    "routes": "routing the next day's deliveries",
    "risk": "scanning for risks (anomalies, late orders, supplier scorecards)",
    "feedback": "summarising customer feedback",
}


def run_pipeline(
    warehouse: Warehouse | str | Path,
    out_dir: str | Path,
    *,
    tables: dict[str, pd.DataFrame] | None = None,
    stages: Sequence[str] = STAGES,
    seed: int = 0,
    finetune_steps: int = 100,
    route_time_limit: float = 5.0,
    feedback_steps: int = 30,
    n_jobs: int = 2,
    risk_threads: int = 0,
    plot_dir: Path | None = None,
    write_report: bool = True,
    on_stage: Callable[[str], None] | None = None,
) -> PipelineRun:
    """Run the stages from the warehouse to decisions and record the run.

    Parameters
    ----------
    warehouse
        An open warehouse, or its URL/path.
    out_dir
        Folder of the outputs (``forecast.csv``, ``plan.csv``, ``routes.json``,
        ``alerts.csv``, ``plots/``, ``report.html``, ``runs/<run_id>.json``).
    tables
        The warehouse's tables when the caller already holds them; read otherwise.
    stages
        Which of :data:`STAGES` to run, in their order; the others are recorded as skipped.
    seed
        Seed of every stage.
    finetune_steps
        Most fine-tuning steps of the forecasting stage.
    route_time_limit
        Seconds of route search.
    feedback_steps
        Fine-tuning steps of the feedback classifiers.
    n_jobs
        Worker processes of the statistical forecasters.
    risk_threads
        LightGBM threads of the risk scan (0: all cores).
    plot_dir
        Folder of the PNG figures; default ``out_dir/plots`` (emptied first).
    write_report
        Write ``out_dir/report.html`` from the stages' sections.
    on_stage
        Called with a short description as each stage starts.

    Returns
    -------
    PipelineRun
        The record, also stored in the warehouse table ``pipeline_runs``.
    """
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise ValueError(f"stages: expected names from {list(STAGES)}, found {unknown}")
    if finetune_steps < 0 or route_time_limit <= 0 or feedback_steps < 0:
        raise ValueError(
            "finetune_steps, feedback_steps: expected >= 0 and route_time_limit > 0, found "
            f"{finetune_steps}, {feedback_steps}, {route_time_limit}"
        )
    if not isinstance(warehouse, Warehouse):
        with Warehouse(warehouse) as wh:
            return run_pipeline(
                wh,
                out_dir,
                tables=tables,
                stages=stages,
                seed=seed,
                finetune_steps=finetune_steps,
                route_time_limit=route_time_limit,
                feedback_steps=feedback_steps,
                n_jobs=n_jobs,
                risk_threads=risk_threads,
                plot_dir=plot_dir,
                write_report=write_report,
                on_stage=on_stage,
            )
    wh = warehouse
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if plot_dir is None:
        plot_dir = out / "plots"
        if plot_dir.exists():
            shutil.rmtree(plot_dir)
    plot_dir.mkdir(parents=True, exist_ok=True)
    rel = plot_dir.relative_to(out).as_posix() if plot_dir.is_relative_to(out) else str(plot_dir)
    params = {
        "stages": list(stages),
        "seed": seed,
        "finetune_steps": finetune_steps,
        "route_time_limit": route_time_limit,
        "feedback_steps": feedback_steps,
        "n_jobs": n_jobs,
        "risk_threads": risk_threads,
    }
    run = PipelineRun(
        run_id=pd.Timestamp.now(tz="UTC").strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6],
        started_at=_now(),
        warehouse=wh.url,
        out_dir=str(out.resolve()),
        params=params,
    )
    if tables is None:
        tables = {name: wh.read(name) for name in table_names()}
    ctx = _Context(wh, tables, out, plot_dir, rel, params)
    for name in STAGES:
        rec = StageRecord(name, started_at=_now())
        run.stages.append(rec)
        if name not in stages:
            rec.status, rec.message = "skipped", "not requested"
            continue
        if on_stage is not None:
            on_stage(_DESCRIPTIONS[name])
        start = time.perf_counter()
        try:
            produced = _STAGE_FUNCS[name](ctx, rec)
        except Exception as exc:  # a failed stage is recorded; the later ones still run
            logger.exception("pipeline stage %s failed", name)
            rec.status, rec.message = "failed", f"{type(exc).__name__}: {exc}"
            produced = None
        rec.seconds = round(time.perf_counter() - start, 3)
        if rec.status != "ok" and rec.message != "not requested":
            # Shown in the report too: a stage that did not run is never silently missing.
            run.sections.append(Section(f"{_TITLES[name]}: {rec.status}", notes=[rec.message]))
        if produced is not None:
            section, files = produced
            run.sections.append(section)
            run.figures += [f for f in files if f.suffix == ".png"]
            rec.outputs = [str(f) for f in files]
        logger.info("stage %s: %s in %.1f s %s", name, rec.status, rec.seconds, rec.message)

    failed = [s.name for s in run.stages if s.status == "failed"]
    ran = [s.name for s in run.stages if s.status == "ok"]
    run.status = "ok" if not failed else ("partial" if ran else "failed")
    run.finished_at = _now()
    if write_report:
        report = Report("SupplyMind run", f"Run {run.run_id}: from the warehouse to decisions.")
        for section in run.sections:
            report.add(section)
        report.write(out / "report.html")
    runs_dir = out / "runs"
    runs_dir.mkdir(exist_ok=True)
    with atomic_path(runs_dir / f"{run.run_id}.json") as tmp:
        tmp.write_text(json.dumps(run.to_dict(), indent=2), encoding="utf-8")
    _store(wh, run)
    return run
