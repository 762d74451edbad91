"""Background jobs: an in-process registry over a thread pool.

Limits: jobs live in the memory of one service process (lost on restart, not shared
between worker processes) and the pool has ``job_workers`` threads (one by default, so jobs
that write the warehouse run one after the other). A running job cannot be cancelled.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

__all__ = ["Job", "JobRegistry", "Progress"]

logger = logging.getLogger(__name__)

JobStatus = Literal["queued", "running", "succeeded", "failed"]
#: Reports progress: ``(fraction done in [0, 1], message)``.
Progress = Callable[[float, str], None]


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").isoformat(timespec="milliseconds")


@dataclass
class Job:
    """One background job."""

    job_id: str
    kind: str
    params: dict[str, Any]
    status: JobStatus = "queued"
    progress: float = 0.0
    message: str = ""
    created_at: str = field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A snapshot for the API."""
        return dict(self.__dict__)


class JobRegistry:
    """Submit functions as jobs and follow their status and progress."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="supplymind-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(
        self, kind: str, params: dict[str, Any], fn: Callable[[Progress], dict[str, Any]]
    ) -> Job:
        """Queue ``fn(progress)``; its returned dict becomes the job's result."""
        job = Job(uuid.uuid4().hex[:12], kind, params)
        with self._lock:
            self._jobs[job.job_id] = job
        self._pool.submit(self._run, job, fn)
        return job

    def _run(self, job: Job, fn: Callable[[Progress], dict[str, Any]]) -> None:
        def progress(fraction: float, message: str) -> None:
            with self._lock:
                job.progress = min(max(float(fraction), 0.0), 1.0)
                job.message = message

        with self._lock:
            job.status, job.started_at = "running", _now()
        try:
            result = fn(progress)
        except Exception as exc:  # the job fails, the service goes on
            logger.exception("job %s (%s) failed", job.job_id, job.kind)
            with self._lock:
                job.status, job.error, job.finished_at = (
                    "failed",
                    f"{type(exc).__name__}: {exc}",
                    _now(),
                )
            return
        with self._lock:
            job.status, job.result, job.progress = "succeeded", result, 1.0
            job.message, job.finished_at = "done", _now()

    def get(self, job_id: str) -> Job | None:
        """The job, or ``None``."""
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else Job(**job.to_dict())

    def list(self, *, kind: str | None = None, status: str | None = None) -> list[Job]:
        """Jobs, newest first, optionally of one kind or status."""
        with self._lock:
            jobs = [Job(**j.to_dict()) for j in self._jobs.values()]
        jobs = [j for j in jobs if (kind is None or j.kind == kind)]
        jobs = [j for j in jobs if (status is None or j.status == status)]
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking jobs; with ``wait`` let the running ones finish."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
