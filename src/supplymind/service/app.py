"""The FastAPI application: the REST API under ``/api``, the dashboard at ``/``.

Reads need a key of scope ``read`` or ``write`` (header ``X-API-Key``, or the dashboard's
login cookie); every write needs a ``write`` key. HTTP errors are raised here only.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.security import APIKeyCookie, APIKeyHeader
from pydantic import BaseModel, Field

from supplymind import __version__
from supplymind.data.schema import table_names
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import DataValidationError
from supplymind.pipeline import list_runs, load_run
from supplymind.service.auth import KeyRing
from supplymind.service.jobs import JobRegistry
from supplymind.service.limits import BodySizeLimit
from supplymind.service.settings import ServiceSettings
from supplymind.service.store import (
    finetuned_models,
    latest_output,
    read_output_json,
    read_table,
)

__all__ = ["COOKIE", "create_app"]

logger = logging.getLogger(__name__)

COOKIE = "supplymind_key"
_header = APIKeyHeader(name="X-API-Key", auto_error=False)
_cookie = APIKeyCookie(name=COOKIE, auto_error=False)

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip.")]


def _scope_of(
    request: Request,
    header: Annotated[str | None, Depends(_header)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> str:
    key = header or cookie
    if not key:
        raise HTTPException(401, "missing API key (header X-API-Key)")
    found = request.app.state.keys.lookup(key)
    if found is None:
        raise HTTPException(401, "invalid API key")
    scope: str = found[1]
    return scope


def _reader(scope: Annotated[str, Depends(_scope_of)]) -> str:
    return scope


def _writer(scope: Annotated[str, Depends(_scope_of)]) -> str:
    if scope != "write":
        raise HTTPException(403, "this endpoint needs a key with the write scope")
    return scope


class _Connections:
    """Warehouse connections lent to one request at a time.

    A request takes an idle connection (or opens one) and gives it back when it is done:
    opening one per request cost most of a read's time, and a DuckDB connection refuses a
    second call while one runs. They are lent per request, not kept per thread, because
    FastAPI resolves a sync dependency and runs the endpoint in different worker threads.
    All are closed when the app shuts down; a close starts a new generation, so an app whose
    lifespan runs again (a second test client) opens fresh ones instead of lending closed
    ones.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._idle: list[Warehouse] = []
        self._opened: list[Warehouse] = []
        self._lock = threading.Lock()
        self._generation = 0

    @contextmanager
    def lend(self) -> Iterator[Warehouse]:
        """A connection for the ``with`` block, used by nothing else meanwhile."""
        with self._lock:
            generation = self._generation
            wh = self._idle.pop() if self._idle else None
        if wh is None:
            wh = Warehouse(self.url)
            with self._lock:
                self._opened.append(wh)
        try:
            yield wh
        finally:
            with self._lock:
                if generation == self._generation:
                    self._idle.append(wh)

    def close(self) -> None:
        with self._lock:
            self._generation += 1
            for wh in self._opened:
                wh.close()
            self._opened.clear()
            self._idle.clear()


def _warehouse(request: Request) -> Iterator[Warehouse]:
    connections: _Connections = request.app.state.connections
    with connections.lend() as wh:
        yield wh


Read = Annotated[str, Depends(_reader)]
Write = Annotated[str, Depends(_writer)]
WH = Annotated[Warehouse, Depends(_warehouse)]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(
        frame.to_json(orient="records", date_format="iso", force_ascii=False)
    )
    return out


def _page(frame: pd.DataFrame, limit: int, offset: int, **extra: Any) -> dict[str, Any]:
    return {
        "total": len(frame),
        "limit": limit,
        "offset": offset,
        **extra,
        "items": _records(frame.iloc[offset : offset + limit]),
    }


def _filter(frame: pd.DataFrame, **values: Any) -> pd.DataFrame:
    for column, value in values.items():
        if value is not None and column in frame.columns:
            frame = frame[frame[column].astype(str) == str(value)]
    return frame


StageName = Literal["forecast", "replenishment", "routes", "risk", "feedback"]


def _all_stages() -> list[StageName]:
    return ["forecast", "replenishment", "routes", "risk", "feedback"]


class PipelineJobRequest(BaseModel):
    """Parameters of a pipeline run."""

    stages: list[StageName] = Field(
        default_factory=_all_stages,
        min_length=1,
    )
    seed: int = Field(default=0, ge=0)
    finetune_steps: int = Field(default=20, ge=0, le=2000)
    route_time_limit: float = Field(default=2.0, gt=0, le=120)
    feedback_steps: int = Field(default=10, ge=0, le=1000)


class FinetuneJobRequest(BaseModel):
    """Parameters of a fine-tuning job on the warehouse's demand."""

    mode: Literal["full", "head", "lora", "ia3", "auto"] = "lora"
    horizon: int = Field(default=28, ge=1, le=365)
    seed: int = Field(default=0, ge=0)
    max_steps: int | None = Field(
        default=None, ge=1, le=2000, description="Fine-tuning steps at most (default 120)."
    )


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the application (settings validated here: unsafe keys refuse to start)."""
    settings = settings or ServiceSettings()
    keys = KeyRing(settings.api_keys, development=settings.env == "development")
    jobs = JobRegistry(settings.job_workers)
    connections = _Connections(settings.warehouse_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown(wait=False)
        connections.close()

    app = FastAPI(
        title="SupplyMind",
        version=__version__,
        description="Supply-chain data to decisions: forecasts, plans, routes, alerts, feedback.",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.state.settings, app.state.keys, app.state.jobs = settings, keys, jobs
    app.state.connections = connections

    # ---- health, static, dashboard ------------------------------------------------------
    @app.get("/api/health", tags=["service"])
    def health() -> dict[str, str]:
        """Liveness (no key needed)."""
        return {"status": "ok", "version": __version__}

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        from supplymind.service.dashboard import plotly_js_path

        return FileResponse(plotly_js_path(), media_type="application/javascript")

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(lang: Literal["en", "zh"] = "en", error: bool = False) -> HTMLResponse:
        from supplymind.service.dashboard import render_login

        return HTMLResponse(render_login(lang, error=error))

    @app.post("/login", include_in_schema=False)
    def login(key: Annotated[str, Form()], lang: Annotated[str, Form()] = "en") -> Response:
        lang = lang if lang in ("en", "zh") else "en"
        if keys.lookup(key) is None:
            return RedirectResponse(f"/login?lang={lang}&error=true", status_code=303)
        response = RedirectResponse(f"/?lang={lang}", status_code=303)
        response.set_cookie(COOKIE, key, httponly=True, samesite="strict")
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(
        request: Request,
        wh: WH,
        header: Annotated[str | None, Depends(_header)],
        cookie: Annotated[str | None, Depends(_cookie)],
        lang: Literal["en", "zh"] = "en",
        item: str | None = None,
    ) -> Response:
        key = header or cookie
        if not key or keys.lookup(key) is None:
            return RedirectResponse(f"/login?lang={lang}", status_code=303)
        from supplymind.service.dashboard import render_dashboard

        return HTMLResponse(render_dashboard(wh, lang, item=item))

    # ---- ingest ------------------------------------------------------------------------
    @app.post("/api/ingest/{table}", tags=["data"], status_code=201)
    def ingest(table: str, file: Annotated[UploadFile, File()], _: Write) -> dict[str, Any]:
        """Validate a CSV (or Parquet) file as rows of ``table`` and load it.

        The same rules as ``supplymind ingest``: any problem gives 422 listing them all and
        nothing is stored.
        """
        if table not in table_names():
            raise HTTPException(404, f"table: expected one of {table_names()}, found {table!r}")
        from supplymind.data.ingest import ingest_file

        suffix = Path(file.filename or "upload.csv").suffix.lower()
        if suffix not in (".csv", ".parquet", ".txt", ".tsv"):
            raise HTTPException(422, f"file: expected a .csv or .parquet file, found {suffix!r}")
        content = file.file.read()  # a sync endpoint: runs in the thread pool, not the loop
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(content)
            try:
                with Warehouse(settings.warehouse_url) as wh:
                    result = ingest_file(wh, table, path)
            except DataValidationError as exc:
                problems = [
                    {
                        "column": p.column,
                        "rule": p.rule,
                        "expected": p.expected,
                        "found": p.found,
                        "row": p.row,
                    }
                    for p in exc.problems
                ]
                raise HTTPException(422, {"table": table, "problems": problems}) from None
            except (ValueError, OSError) as exc:
                raise HTTPException(422, f"file: could not be read: {exc}") from None
        return {
            "table": result.table,
            "inserted": result.inserted,
            "updated": result.updated,
            "ignored_columns": list(result.ignored_columns),
            "extra_columns": list(result.extra_columns),
        }

    # ---- master data -------------------------------------------------------------------
    @app.get("/api/items", tags=["data"])
    def items(
        wh: WH, _: Read, limit: Limit = 100, offset: Offset = 0, category: str | None = None
    ) -> dict[str, Any]:
        """Items, optionally of one category."""
        return _page(read_table(wh, "items", {"category": category}), limit, offset)

    @app.get("/api/items/{item_id}", tags=["data"])
    def item(item_id: str, wh: WH, _: Read) -> dict[str, Any]:
        """One item."""
        rows = read_table(wh, "items", {"item_id": item_id})
        if rows.empty:
            raise HTTPException(404, f"item {item_id!r} not found")
        return _records(rows)[0]

    @app.get("/api/locations", tags=["data"])
    def locations(
        wh: WH, _: Read, limit: Limit = 100, offset: Offset = 0, kind: str | None = None
    ) -> dict[str, Any]:
        """Locations (stores, warehouses, depots, suppliers), optionally of one kind."""
        return _page(read_table(wh, "locations", {"kind": kind}), limit, offset)

    @app.get("/api/locations/{location_id}", tags=["data"])
    def location(location_id: str, wh: WH, _: Read) -> dict[str, Any]:
        """One location."""
        rows = read_table(wh, "locations", {"location_id": location_id})
        if rows.empty:
            raise HTTPException(404, f"location {location_id!r} not found")
        return _records(rows)[0]

    # ---- decisions of the latest run ---------------------------------------------------
    def _output(wh: Warehouse, name: str) -> tuple[pd.DataFrame, str]:
        found = latest_output(wh, name)
        if found is None:
            raise HTTPException(
                404, f"no pipeline run has written {name} yet (POST /api/jobs/pipeline)"
            )
        return pd.read_csv(found[0]), str(found[1]["run_id"])

    @app.get("/api/forecasts", tags=["decisions"])
    def forecasts(
        wh: WH,
        _: Read,
        limit: Limit = 100,
        offset: Offset = 0,
        item_id: str | None = None,
        location_id: str | None = None,
    ) -> dict[str, Any]:
        """The latest run's demand forecast: mean and quantiles 0.1..0.9 per day."""
        frame, run_id = _output(wh, "forecast.csv")
        frame = _filter(frame, item_id=item_id, location_id=location_id)
        return _page(frame, limit, offset, run_id=run_id)

    @app.get("/api/plans", tags=["decisions"])
    def plans(
        wh: WH,
        _: Read,
        limit: Limit = 100,
        offset: Offset = 0,
        item_id: str | None = None,
        location_id: str | None = None,
        order_now: Annotated[bool, Query(description="Only rows with an order to place.")] = False,
    ) -> dict[str, Any]:
        """The latest run's replenishment plan (reorder points, order-up-to, orders now)."""
        frame, run_id = _output(wh, "plan.csv")
        frame = _filter(frame, item_id=item_id, location_id=location_id)
        if order_now:
            frame = frame[frame["order_now"] > 0]
        return _page(frame, limit, offset, run_id=run_id)

    @app.get("/api/routes", tags=["decisions"])
    def routes(wh: WH, _: Read) -> dict[str, Any]:
        """The latest run's delivery routes (stops, times, loads, KPIs)."""
        plan = read_output_json(wh, "routes.json")
        if plan is None:
            raise HTTPException(404, "no pipeline run has written routes yet")
        return plan

    @app.get("/api/alerts", tags=["decisions"])
    def alerts(
        wh: WH,
        _: Read,
        limit: Limit = 100,
        offset: Offset = 0,
        status: Literal["open", "suppressed", "resolved"] | None = None,
        severity: Literal["low", "medium", "high", "critical"] | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """Risk alerts, optionally filtered."""
        frame = read_table(wh, "alerts", {"status": status, "severity": severity, "kind": kind})
        if not frame.empty:
            frame = frame.sort_values(["event_time", "alert_id"], ascending=[False, True])
        return _page(frame, limit, offset)

    @app.get("/api/scorecards", tags=["decisions"])
    def scorecards(wh: WH, _: Read) -> dict[str, Any]:
        """The latest run's supplier scorecards."""
        frame, run_id = _output(wh, "supplier_scorecards.csv")
        return _page(frame, 1000, 0, run_id=run_id)

    @app.get("/api/feedback", tags=["feedback"])
    def feedback(
        wh: WH,
        _: Read,
        limit: Limit = 100,
        offset: Offset = 0,
        language: str | None = None,
        complaint_type: str | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """Customer feedback, optionally filtered."""
        frame = read_table(
            wh,
            "feedback",
            {"language": language, "complaint_type": complaint_type, "channel": channel},
        )
        return _page(frame, limit, offset)

    @app.get("/api/feedback/summary", tags=["feedback"])
    def feedback_summary(wh: WH, _: Read) -> dict[str, Any]:
        """Feedback counts by complaint type: the feedback stage's predictions when a run has
        written them, else the labels in the warehouse."""
        from supplymind.service.dashboard import feedback_counts

        source, counts = feedback_counts(wh)
        return {"source": source, "by_complaint_type": counts}

    # ---- models and runs ---------------------------------------------------------------
    @app.get("/api/models", tags=["models"])
    def models(wh: WH, _: Read) -> dict[str, Any]:
        """Registered backbones, the models of recent runs (versions, metrics, backtests) and
        the models of fine-tuning jobs (newest first)."""
        from supplymind.models.registry import list_backbones

        used = []
        for run in list_runs(wh, limit=20):
            for stage in run["stages"]:
                if stage["name"] == "forecast" and stage["status"] == "ok":
                    used.append(
                        {
                            "run_id": run["run_id"],
                            "model": stage["model"],
                            "metrics": stage["metrics"],
                        }
                    )
        return {
            "backbones": list_backbones(),
            "runs": used,
            "finetuned": finetuned_models(settings.resolved_runs_dir),
        }

    @app.get("/api/runs", tags=["runs"])
    def runs(wh: WH, _: Read, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        """Pipeline runs, newest first, with every stage's record."""
        return {
            "limit": limit,
            "offset": offset,
            "items": list_runs(wh, limit=limit, offset=offset),
        }

    @app.get("/api/runs/{run_id}", tags=["runs"])
    def run(run_id: str, wh: WH, _: Read) -> dict[str, Any]:
        """One pipeline run."""
        record = load_run(wh, run_id)
        if record is None:
            raise HTTPException(404, f"run {run_id!r} not found")
        return record

    # ---- background jobs ---------------------------------------------------------------
    @app.post("/api/jobs/pipeline", tags=["jobs"], status_code=202)
    def start_pipeline(body: PipelineJobRequest, _: Write) -> dict[str, Any]:
        """Start a pipeline run in the background; follow it at ``/api/jobs/{job_id}``."""
        from supplymind.service.tasks import pipeline_job

        params = body.model_dump()
        job = jobs.submit("pipeline", params, pipeline_job(settings, params))
        return job.to_dict()

    @app.post("/api/jobs/finetune", tags=["jobs"], status_code=202)
    def start_finetune(body: FinetuneJobRequest, _: Write) -> dict[str, Any]:
        """Fine-tune the forecaster on the warehouse's demand in the background."""
        from supplymind.service.tasks import finetune_job

        params = body.model_dump()
        job = jobs.submit("finetune", params, finetune_job(settings, params))
        return job.to_dict()

    @app.get("/api/jobs", tags=["jobs"])
    def list_jobs(
        _: Read,
        kind: Literal["pipeline", "finetune"] | None = None,
        status: Literal["queued", "running", "succeeded", "failed"] | None = None,
    ) -> dict[str, Any]:
        """Jobs of this service process, newest first."""
        return {"items": [j.to_dict() for j in jobs.list(kind=kind, status=status)]}

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    def get_job(job_id: str, _: Read) -> dict[str, Any]:
        """A job's status, progress and result."""
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"job {job_id!r} not found")
        return job.to_dict()

    return app
