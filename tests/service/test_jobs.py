"""The in-process job registry."""

from __future__ import annotations

import threading
import time

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
