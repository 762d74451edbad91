"""A tiny sample company's warehouse with one pipeline run, and a service on top of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.demo import _build_warehouse
from supplymind.pipeline import PipelineRun, run_pipeline
from supplymind.service.app import create_app
from supplymind.service.auth import new_api_key
from supplymind.service.settings import ServiceSettings

TINY = SampleCompanyConfig(
    seed=0, n_items=8, n_stores=6, n_days=240, n_feedback=60, delivery_weeks=2, planned_days=2
)


@dataclass(frozen=True)
class ServiceEnv:
    settings: ServiceSettings
    read_key: str
    write_key: str
    run: PipelineRun
    warehouse: Path


@pytest.fixture(scope="session")
def service_env(tmp_path_factory: pytest.TempPathFactory) -> ServiceEnv:
    root = tmp_path_factory.mktemp("service")
    warehouse = root / "warehouse.duckdb"
    _build_warehouse(generate_sample_company(TINY), warehouse)
    run = run_pipeline(
        warehouse,
        root / "demo",
        finetune_steps=2,
        route_time_limit=1.0,
        feedback_steps=2,
        n_jobs=1,
        risk_threads=1,
    )
    read_key, read_record = new_api_key("reader", "read")
    write_key, write_record = new_api_key("writer", "write")
    settings = ServiceSettings(
        env="production",
        database_url=f"duckdb:///{warehouse}",
        runs_dir=root / "runs",
        api_keys=[read_record, write_record],
        max_request_bytes=64 * 1024,
    )
    return ServiceEnv(settings, read_key, write_key, run, warehouse)


@pytest.fixture(scope="session")
def client(service_env: ServiceEnv) -> Iterator[TestClient]:
    with TestClient(create_app(service_env.settings)) as c:
        yield c


@pytest.fixture
def read_headers(service_env: ServiceEnv) -> dict[str, str]:
    return {"X-API-Key": service_env.read_key}


@pytest.fixture
def write_headers(service_env: ServiceEnv) -> dict[str, str]:
    return {"X-API-Key": service_env.write_key}
