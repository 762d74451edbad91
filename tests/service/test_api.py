"""The REST API through the test client: success and failure paths of every endpoint."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from supplymind.data.sample import generate_sample_company
from supplymind.data.warehouse import Warehouse
from supplymind.inventory.report import protection_days
from supplymind.pipeline import STAGES
from supplymind.service.app import StageName, _Connections, create_app

from .conftest import TINY, ServiceEnv

READ_ENDPOINTS = [
    "/api/items",
    "/api/items/SKU00001",
    "/api/locations",
    "/api/forecasts",
    "/api/plans",
    "/api/routes",
    "/api/alerts",
    "/api/scorecards",
    "/api/feedback",
    "/api/feedback/summary",
    "/api/models",
    "/api/runs",
    "/api/jobs",
]
QUANTILES = [f"0.{i}" for i in range(1, 10)]


def _wait(client: TestClient, job_id: str, headers: dict[str, str], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['status']} after {seconds} s")


def test_health_needs_no_key_and_openapi_lists_every_endpoint(client: TestClient) -> None:
    assert client.get("/api/health").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    for path in [*READ_ENDPOINTS, "/api/ingest/{table}", "/api/jobs/pipeline"]:
        if path != "/api/items/SKU00001":
            assert path in paths, path
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_when_no_key_or_a_wrong_key_then_reads_are_refused(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"X-API-Key": "sm_wrong"}).status_code == 401


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_when_a_read_key_is_given_then_reads_succeed(
    client: TestClient, read_headers: dict[str, str], path: str
) -> None:
    assert client.get(path, headers=read_headers).status_code == 200


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/api/jobs/pipeline", {"json": {}}),
        ("/api/jobs/finetune", {"json": {}}),
        ("/api/ingest/items", {"files": {"file": ("items.csv", b"item_id\nX\n", "text/csv")}}),
    ],
)
def test_when_a_read_key_is_used_to_write_then_403_and_without_key_401(
    client: TestClient, read_headers: dict[str, str], path: str, kwargs: dict[str, Any]
) -> None:
    assert client.post(path, headers=read_headers, **kwargs).status_code == 403
    assert client.post(path, **kwargs).status_code == 401


def test_items_are_paginated_filtered_and_found_by_id(
    client: TestClient, read_headers: dict[str, str]
) -> None:
    page = client.get("/api/items?limit=3&offset=2", headers=read_headers).json()
    assert page["total"] >= 8
    assert len(page["items"]) == 3
    everything = client.get("/api/items?limit=1000", headers=read_headers).json()["items"]
    assert page["items"] == everything[2:5]
    category = everything[0]["category"]
    same = client.get(f"/api/items?category={category}", headers=read_headers).json()
    assert {i["category"] for i in same["items"]} == {category}
    one = client.get(f"/api/items/{everything[0]['item_id']}", headers=read_headers).json()
    assert one == everything[0]
    assert client.get("/api/items/NOPE", headers=read_headers).status_code == 404
    assert client.get("/api/items?limit=0", headers=read_headers).status_code == 422
    assert client.get("/api/items?offset=-1", headers=read_headers).status_code == 422


def test_locations_filter_by_kind_and_404(client: TestClient, read_headers: dict[str, str]) -> None:
    stores = client.get("/api/locations?kind=store", headers=read_headers).json()
    assert stores["total"] == 6
    assert {s["kind"] for s in stores["items"]} == {"store"}
    first = stores["items"][0]["location_id"]
    assert client.get(f"/api/locations/{first}", headers=read_headers).json()["kind"] == "store"
    assert client.get("/api/locations/NOPE", headers=read_headers).status_code == 404


def test_forecasts_hold_monotone_quantiles_of_the_latest_run(
    client: TestClient, read_headers: dict[str, str], service_env: ServiceEnv
) -> None:
    body = client.get("/api/forecasts?item_id=SKU00001&limit=1000", headers=read_headers).json()
    assert body["run_id"] == service_env.run.run_id
    # forecast days (four weeks, or the longest lead time + review if longer) x warehouses
    days = max(28, protection_days(generate_sample_company(TINY)))
    assert body["total"] == days * 2
    for row in body["items"]:
        assert row["item_id"] == "SKU00001"
        values = [row[q] for q in QUANTILES]
        assert values == sorted(values)
    empty = client.get("/api/forecasts?item_id=NOPE", headers=read_headers).json()
    assert empty["total"] == 0


def test_plans_filter_orders_to_place_now(client: TestClient, read_headers: dict[str, str]) -> None:
    every = client.get("/api/plans?limit=1000", headers=read_headers).json()
    now = client.get("/api/plans?order_now=true&limit=1000", headers=read_headers).json()
    assert every["total"] == 16
    assert all(r["order_now"] > 0 for r in now["items"])
    assert now["total"] == sum(r["order_now"] > 0 for r in every["items"])


def test_routes_alerts_scorecards_feedback_models_and_runs(
    client: TestClient, read_headers: dict[str, str], service_env: ServiceEnv
) -> None:
    routes = client.get("/api/routes", headers=read_headers).json()
    assert routes["kpis"]["served"] == routes["kpis"]["orders"] > 0
    alerts = client.get("/api/alerts?status=open", headers=read_headers).json()
    assert alerts["total"] > 0
    sev = alerts["items"][0]["severity"]
    only = client.get(f"/api/alerts?severity={sev}", headers=read_headers).json()
    assert {a["severity"] for a in only["items"]} == {sev}
    assert client.get("/api/alerts?severity=apocalyptic", headers=read_headers).status_code == 422
    cards = client.get("/api/scorecards", headers=read_headers).json()
    stored = pd.read_csv(Path(service_env.run.out_dir) / "supplier_scorecards.csv")
    assert cards["total"] == len(stored) > 0
    assert [c["supplier_id"] for c in cards["items"]] == list(stored["supplier_id"])
    zh = client.get("/api/feedback?language=zh&limit=1000", headers=read_headers).json()
    assert zh["total"] > 0
    assert {f["language"] for f in zh["items"]} == {"zh"}
    summary = client.get("/api/feedback/summary", headers=read_headers).json()
    assert summary["source"] in ("predictions", "labels")
    assert sum(summary["by_complaint_type"].values()) > 0
    models = client.get("/api/models", headers=read_headers).json()
    assert "supplymind-ts-small" in models["backbones"]
    assert models["runs"][-1]["model"]["selection"]
    run_id = service_env.run.run_id
    runs = client.get("/api/runs", headers=read_headers).json()["items"]
    assert run_id in [r["run_id"] for r in runs]
    record = client.get(f"/api/runs/{run_id}", headers=read_headers).json()
    assert [s["name"] for s in record["stages"]] == list(STAGES)
    assert client.get("/api/runs/NOPE", headers=read_headers).status_code == 404
    assert client.get("/api/jobs/NOPE", headers=read_headers).status_code == 404


def test_when_a_valid_csv_is_uploaded_then_it_is_stored(
    client: TestClient, write_headers: dict[str, str], read_headers: dict[str, str]
) -> None:
    csv = b"item_id,name,category,unit_cost,price\nNEW1,New tea,beverages,1.0,2.5\n"
    response = client.post(
        "/api/ingest/items", headers=write_headers, files={"file": ("items.csv", csv, "text/csv")}
    )
    assert response.status_code == 201, response.text
    assert response.json()["inserted"] == 1
    assert client.get("/api/items/NEW1", headers=read_headers).json()["price"] == 2.5


def test_when_an_invalid_csv_is_uploaded_then_422_lists_problems_and_nothing_is_stored(
    client: TestClient, write_headers: dict[str, str], service_env: ServiceEnv
) -> None:
    with Warehouse(service_env.warehouse) as wh:
        before = wh.count("items")
    csv = b"item_id,name,category,unit_cost,price\nBAD1,Tea,beverages,1.0,abc\nBAD2,X,y,-1,2\n"
    response = client.post(
        "/api/ingest/items", headers=write_headers, files={"file": ("items.csv", csv, "text/csv")}
    )
    assert response.status_code == 422
    problems = response.json()["detail"]["problems"]
    assert {p["column"] for p in problems} >= {"price", "unit_cost"}
    with Warehouse(service_env.warehouse) as wh:
        assert wh.count("items") == before
    missing = client.post(
        "/api/ingest/items",
        headers=write_headers,
        files={"file": ("items.csv", b"name\nTea\n", "text/csv")},
    )
    assert missing.status_code == 422
    assert any(p["rule"] == "missing_column" for p in missing.json()["detail"]["problems"])
    unknown = client.post(
        "/api/ingest/weather", headers=write_headers, files={"file": ("w.csv", csv, "text/csv")}
    )
    assert unknown.status_code == 404
    wrong_type = client.post(
        "/api/ingest/items", headers=write_headers, files={"file": ("x.exe", b"MZ", "x/y")}
    )
    assert wrong_type.status_code == 422


def test_when_a_request_is_larger_than_the_limit_then_413(
    client: TestClient, write_headers: dict[str, str]
) -> None:
    big = b"item_id\n" + b"X" * (65 * 1024)
    response = client.post(
        "/api/ingest/items", headers=write_headers, files={"file": ("items.csv", big, "text/csv")}
    )
    assert response.status_code == 413


def test_when_a_chunked_body_passes_the_limit_then_413_and_below_it_reaches_the_app(
    client: TestClient, write_headers: dict[str, str]
) -> None:
    headers = {**write_headers, "content-type": "application/json"}
    big = client.post("/api/jobs/pipeline", headers=headers, content=(b"x" * 40_000 for _ in "ab"))
    assert big.request.headers.get("transfer-encoding") == "chunked"
    assert big.status_code == 413
    small = client.post(
        "/api/jobs/pipeline", headers=headers, content=(p for p in (b'{"seed": ', b"-1}"))
    )
    assert small.status_code == 422
    assert small.json()["detail"][0]["loc"] == ["body", "seed"]


def test_when_job_parameters_are_invalid_then_422(
    client: TestClient, write_headers: dict[str, str]
) -> None:
    for body in (
        {"finetune_steps": -1},
        {"stages": ["weather"]},
        {"stages": []},
        {"route_time_limit": 0},
    ):
        assert (
            client.post("/api/jobs/pipeline", headers=write_headers, json=body).status_code == 422
        )
    bad = client.post("/api/jobs/finetune", headers=write_headers, json={"mode": "magic"})
    assert bad.status_code == 422


def test_when_a_pipeline_job_runs_then_its_progress_ends_in_a_stored_run(
    client: TestClient, write_headers: dict[str, str], read_headers: dict[str, str]
) -> None:
    started = client.post(
        "/api/jobs/pipeline",
        headers=write_headers,
        json={"stages": ["routes"], "route_time_limit": 0.5},
    )
    assert started.status_code == 202
    assert started.json()["status"] in ("queued", "running")
    job = _wait(client, started.json()["job_id"], read_headers)
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"] == 1.0
    assert job["result"]["stages"]["routes"] == "ok"
    assert job["result"]["stages"]["forecast"] == "skipped"
    run = client.get(f"/api/runs/{job['result']['run_id']}", headers=read_headers).json()
    assert run["params"]["stages"] == ["routes"]
    listed = client.get("/api/jobs?kind=pipeline", headers=read_headers).json()["items"]
    assert job["job_id"] in [j["job_id"] for j in listed]


def test_the_api_stage_names_are_the_pipeline_stages() -> None:
    assert set(StageName.__args__) == set(STAGES)  # type: ignore[attr-defined]


def test_a_fresh_service_without_runs_answers_404_for_decisions(
    service_env: ServiceEnv, tmp_path: Any
) -> None:
    settings = service_env.settings.model_copy(
        update={"database_url": f"duckdb:///{tmp_path / 'empty.duckdb'}"}
    )
    with TestClient(create_app(settings)) as fresh:
        headers = {"X-API-Key": service_env.read_key}
        for path in ("/api/forecasts", "/api/plans", "/api/routes", "/api/scorecards"):
            assert fresh.get(path, headers=headers).status_code == 404, path
        assert fresh.get("/api/alerts", headers=headers).json()["total"] == 0
        assert fresh.get("/", headers=headers).status_code == 200


def test_when_connections_are_lent_then_each_is_used_by_one_request_and_reopened_after_close(
    service_env: ServiceEnv,
) -> None:
    """Two requests at once get two connections, a returned one is lent again, and after the
    app's shutdown (its lifespan may run again) fresh ones are opened, not closed ones lent."""
    connections = _Connections(service_env.settings.warehouse_url)
    with connections.lend() as first, connections.lend() as second:
        assert first is not second
    with connections.lend() as again:
        assert again in (first, second)
    connections.close()
    with connections.lend() as fresh:
        assert fresh not in (first, second)
        assert fresh.count("items") > 0
    connections.close()


def test_when_reads_arrive_concurrently_then_all_succeed(
    client: TestClient, read_headers: dict[str, str]
) -> None:
    """Concurrent reads each get their own warehouse connection (one shared connection
    answered "connection is busy" with a 500 under load)."""

    def read(i: int) -> int:
        path = "/api/forecasts" if i % 2 else "/api/items"
        return client.get(f"{path}?limit=5&offset={i % 3}", headers=read_headers).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(read, range(96)))
    assert codes == [200] * 96
