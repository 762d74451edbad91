"""The in-process job registry, and a fine-tuning job run end to end through the API."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient

from supplymind.service.jobs import Job, JobRegistry, Progress


def _wait(registry: JobRegistry, job_id: str) -> Job:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        job = registry.get(job_id)
        assert job is not None
        if job.status in ("succeeded", "failed"):
            return job
        time.sleep(0.01)
    raise AssertionError("job did not finish")


def test_when_a_job_reports_progress_then_it_is_visible_while_running() -> None:
    registry = JobRegistry()
    release = threading.Event()
    reported = threading.Event()

    def work(progress: Progress) -> dict[str, object]:
        progress(0.5, "half way")
        reported.set()
        release.wait(5)
        return {"answer": 42}

    job = registry.submit("test", {}, work)
    assert reported.wait(5)
    running = registry.get(job.job_id)
    assert running is not None
    assert (running.status, running.progress, running.message) == ("running", 0.5, "half way")
    release.set()
    done = _wait(registry, job.job_id)
    assert (done.status, done.progress, done.result) == ("succeeded", 1.0, {"answer": 42})
    registry.shutdown()


def test_when_a_job_raises_then_it_fails_with_the_error_and_the_next_job_runs() -> None:
    registry = JobRegistry()

    def broken(progress: Progress) -> dict[str, object]:
        raise RuntimeError("disk full")

    failed = _wait(registry, registry.submit("test", {}, broken).job_id)
    assert failed.status == "failed"
    assert failed.error == "RuntimeError: disk full"
    ok = _wait(registry, registry.submit("other", {}, lambda p: {}).job_id)
    assert ok.status == "succeeded"
    assert [j.kind for j in registry.list(status="failed")] == ["test"]
    assert [j.kind for j in registry.list(kind="other")] == ["other"]
    assert registry.get("missing") is None
    registry.shutdown()


def test_when_a_finetune_job_is_submitted_through_the_api_then_its_model_is_listed(
    client: TestClient, write_headers: dict[str, str], read_headers: dict[str, str]
) -> None:
    """Submit, poll until done, find the saved model in ``/api/models`` (a few steps of the
    default backbone on the tiny warehouse: seconds on a CPU)."""
    bad = client.post("/api/jobs/finetune", headers=write_headers, json={"max_steps": 0})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "max_steps"]
    started = client.post(
        "/api/jobs/finetune",
        headers=write_headers,
        json={"mode": "lora", "horizon": 14, "max_steps": 3},
    )
    assert started.status_code == 202
    job_id = started.json()["job_id"]
    deadline = time.monotonic() + 120
    job = client.get(f"/api/jobs/{job_id}", headers=read_headers).json()
    while job["status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(f"/api/jobs/{job_id}", headers=read_headers).json()
    assert job["status"] == "succeeded", job["error"]
    result = job["result"]
    assert result["finetune"]["mode"] == "lora"
    assert result["finetune"]["steps"] <= 3
    model_dir = Path(result["model_dir"])
    assert (model_dir / "forecaster.json").is_file()
    forecast = pd.read_csv(result["forecast"])
    assert len(forecast) == 14 * result["series"]
    listed = client.get("/api/models", headers=read_headers).json()["finetuned"]
    ours = [m for m in listed if m["model_dir"] == str(model_dir)]
    assert len(ours) == 1
    assert ours[0]["finetune"] == "lora"
    assert ours[0]["horizon"] == 14
    assert ours[0]["selection"] == result["selection"]
