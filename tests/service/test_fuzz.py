"""Property-based fuzzing of the REST API against its own OpenAPI schema (schemathesis).

Every operation in the schema gets valid and invalid generated requests, with a write key
(which may also read); whatever the input, the answer must not be a server error (5xx).
Deterministic (``derandomize``) and bounded (``max_examples`` per operation).

The app fuzzed here has its own copy of the session warehouse (uploads must not change what
the other service tests read) and a job registry that records jobs instead of running
them: a generated, valid job request would otherwise start a pipeline or fine-tuning run
taking seconds to minutes each. The request validation of the job endpoints is still fuzzed.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supplymind.data.schema import get_table, table_names
from supplymind.service.app import create_app
from supplymind.service.jobs import Job, Progress
from supplymind.service.settings import ServiceSettings

from .conftest import ServiceEnv

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed: pip install schemathesis"
)
from hypothesis import HealthCheck, given, settings  # noqa: E402  (a schemathesis dependency)
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

MAX_EXAMPLES = 15


def _operations() -> list[tuple[str, str]]:
    """``(METHOD, path)`` of every operation in the schema (no data is needed for it)."""
    app = create_app(
        ServiceSettings(env="development", database_url="duckdb:///:memory:", _env_file=None)
    )
    return [
        (method.upper(), path)
        for path, methods in app.openapi()["paths"].items()
        for method in methods
    ]


@pytest.fixture(scope="module")
def fuzz_app(
    service_env: ServiceEnv, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    root = tmp_path_factory.mktemp("fuzz")
    warehouse = root / "warehouse.duckdb"
    shutil.copyfile(service_env.warehouse, warehouse)
    wal = Path(f"{service_env.warehouse}.wal")
    if wal.exists():
        shutil.copyfile(wal, f"{warehouse}.wal")
    app = create_app(
        service_env.settings.model_copy(
            update={"database_url": f"duckdb:///{warehouse}", "runs_dir": root / "runs"}
        )
    )

    def record_only(kind: str, params: dict[str, Any], fn: Callable[[Progress], Any]) -> Job:
        return Job(f"fuzz-{kind}", kind, params)

    app.state.jobs.submit = record_only
    with TestClient(app):  # runs the lifespan: the connections are closed at the end
        yield app


@pytest.fixture(scope="module")
def api_schema(fuzz_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@pytest.mark.parametrize(("method", "path"), _operations())
def test_when_any_request_is_generated_from_the_schema_then_no_5xx(
    api_schema: Any, service_env: ServiceEnv, method: str, path: str
) -> None:
    # Drives hypothesis directly: schemathesis' pytest loader (``from_fixture``) does not run
    # under pytest 9.2 (it reads ``request.node._nodeid``, which pytest 9.2 nodes lack).
    operation = api_schema[path][method]
    strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )
    headers = {"X-API-Key": service_env.write_key}

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def no_server_error(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error], headers=headers)

    no_server_error()


# Cells an export may hold: numbers out of range, malformed dates, markers of missing values,
# keys that exist and keys that do not, and any short text.
_CELLS = st.sampled_from(
    [
        "",
        "0",
        "-1",
        "1.5",
        "1e309",
        "-inf",
        "nan",
        "NaT",
        "NULL",
        "true",
        "2024-01-01",
        "2024-02-30",
        "2024-01-01T25:00",
        "SKU00001",
        "WH01",
        "SUP01",
        "ST01",
        "low",
        "store",
    ]
) | st.text(max_size=6)


@st.composite
def _csv_uploads(draw: st.DrawFn) -> tuple[str, bytes]:
    table = draw(st.sampled_from(table_names()))
    schema = get_table(table)
    # Most uploads carry the required columns, so validation gets past the header.
    required = schema.required_columns if draw(st.integers(0, 3)) else []
    others = [c for c in [*schema.column_names, "unknown_column"] if c not in required]
    columns = required + draw(st.lists(st.sampled_from(others), max_size=6, unique=True))
    if not columns:
        columns = ["unknown_column"]
    rows = draw(
        st.lists(st.lists(_CELLS, min_size=len(columns), max_size=len(columns)), max_size=4)
    )
    out = io.StringIO()
    csv.writer(out).writerows([columns, *rows])
    return table, out.getvalue().encode()


def test_when_csv_uploads_of_every_table_hold_any_cells_then_201_or_422_never_5xx(
    fuzz_app: FastAPI, service_env: ServiceEnv
) -> None:
    # The schema only says "a file": random bytes rarely parse as a CSV with a table's
    # columns, so this drives the validation behind the upload with well-formed CSVs of any
    # content (they go to this module's copy of the warehouse).
    headers = {"X-API-Key": service_env.write_key}
    client = TestClient(fuzz_app)

    @settings(
        max_examples=4 * MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(upload=_csv_uploads())
    def created_or_refused(upload: tuple[str, bytes]) -> None:
        table, content = upload
        response = client.post(
            f"/api/ingest/{table}",
            headers=headers,
            files={"file": (f"{table}.csv", content, "text/csv")},
        )
        assert response.status_code in (201, 422), (response.status_code, response.text)

    created_or_refused()
