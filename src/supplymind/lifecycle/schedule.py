"""The retraining schedule: a cron expression, and a background thread that follows it.

``supplymind serve`` starts it with :func:`supplymind.lifecycle.commands.start_lifecycle_scheduler`
(no-op when ``SUPPLYMIND_RETRAIN_CRON`` is unset). The thread sleeps until the next time
the expression matches, runs the job, logs (and survives) its errors, and stops when asked.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplymind.exceptions import ConfigurationError

__all__ = ["CronSchedule", "LifecycleSettings", "Scheduler"]

log = logging.getLogger(__name__)


class LifecycleSettings(BaseSettings):
    """Settings of continuous learning, from ``SUPPLYMIND_*`` environment variables.

    Attributes
    ----------
    retrain_cron
        Cron expression of scheduled re-fine-tuning (``SUPPLYMIND_RETRAIN_CRON``), e.g.
        ``"0 3 1 * *"`` (03:00 on the first of every month); unset: no schedule.
    retrain_margin
        Relative WQL improvement a challenger needs (``SUPPLYMIND_RETRAIN_MARGIN``).
    retrain_backbone
        Pretrained backbone when there is no champion (``SUPPLYMIND_RETRAIN_BACKBONE``).
    retrain_horizon
        Periods per evaluation window (``SUPPLYMIND_RETRAIN_HORIZON``).
    retrain_finetune
        Forecaster fine-tune mode (``SUPPLYMIND_RETRAIN_FINETUNE``).
    """

    model_config = SettingsConfigDict(env_prefix="SUPPLYMIND_", env_file=".env", extra="ignore")

    retrain_cron: str | None = None
    retrain_margin: float = Field(default=0.02, ge=0.0, lt=1.0)
    retrain_backbone: str = "supplymind-ts-small"
    retrain_horizon: int = Field(default=4, ge=1)
    retrain_finetune: Literal["auto", "none", "full", "head", "lora", "ia3"] = "auto"


class CronSchedule:
    """A standard 5-field cron expression (minute hour day-of-month month day-of-week).

    Raises
    ------
    ConfigurationError
        The expression is not valid cron.
    """

    def __init__(self, expression: str) -> None:
        from croniter import croniter  # type: ignore[import-untyped]

        text = " ".join(str(expression).split())
        if len(text.split(" ")) != 5 or not croniter.is_valid(text):
            raise ConfigurationError(
                f"retrain_cron: expected a 5-field cron expression such as '0 3 1 * *', "
                f"found {expression!r}"
            )
        self.expression = text

    def next_after(self, moment: datetime) -> datetime:
        """The first matching time strictly after ``moment``."""
        from croniter import croniter

        nxt = croniter(self.expression, moment).get_next(datetime)
        if not isinstance(nxt, datetime):  # pragma: no cover - croniter contract
            raise ConfigurationError(f"cron: unexpected next time {nxt!r}")
        return nxt


class Scheduler:
    """Runs ``job`` at the times of a :class:`CronSchedule`, in a daemon thread.

    Parameters
    ----------
    schedule
        When to run.
    job
        What to run (its exceptions are logged, the schedule goes on).
    clock
        The current time (a parameter so tests can drive it).
    """

    def __init__(
        self,
        schedule: CronSchedule,
        job: Callable[[], object],
        *,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.schedule = schedule
        self.job = job
        self.clock = clock
        self.next_run = schedule.next_after(clock())
        self.runs = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> bool:
        """Run the job if its time has come; return whether it ran."""
        now = self.clock()
        if now < self.next_run:
            return False
        try:
            self.job()
        except Exception:
            self.failures += 1
            log.exception("scheduled retrain failed; next try at the next scheduled time")
        self.runs += 1
        self.next_run = self.schedule.next_after(max(now, self.clock()))
        return True

    def _loop(self, poll_seconds: float) -> None:
        while not self._stop.is_set():
            self.tick()
            wait = (self.next_run - self.clock()).total_seconds()
            self._stop.wait(min(max(wait, 0.0), poll_seconds))

    def start(self, *, poll_seconds: float = 60.0) -> Scheduler:
        """Start the background thread (checks at least every ``poll_seconds``)."""
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(poll_seconds,), name="supplymind-retrain", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        """Ask the thread to stop and wait for it (a running job finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()
