"""The retraining schedule: cron parsing, ticks on a driven clock, the background thread and
the service hook."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from supplymind.exceptions import ConfigurationError
from supplymind.lifecycle.commands import start_lifecycle_scheduler
from supplymind.lifecycle.schedule import CronSchedule, LifecycleSettings, Scheduler


def test_cron_next_time_of_a_monthly_schedule() -> None:
    cron = CronSchedule("0  3 1 * *")
    assert cron.expression == "0 3 1 * *"
    assert cron.next_after(datetime(2026, 1, 15, 12)) == datetime(2026, 2, 1, 3)
    assert cron.next_after(datetime(2026, 2, 1, 3)) == datetime(2026, 3, 1, 3)


@pytest.mark.parametrize("text", ["", "every month", "61 * * * *", "* * * *", "0 0 * * * *"])
def test_invalid_cron_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ConfigurationError, match="5-field cron expression such as"):
        CronSchedule(text)


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_tick_runs_the_job_only_when_due_and_survives_its_errors() -> None:
    clock = _Clock(datetime(2026, 1, 31, 23, 0))
    calls: list[datetime] = []

    def job() -> None:
        calls.append(clock.now)
        if len(calls) == 1:
            raise RuntimeError("warehouse locked")

    scheduler = Scheduler(CronSchedule("0 3 1 * *"), job, clock=clock)
    assert scheduler.next_run == datetime(2026, 2, 1, 3)
    assert not scheduler.tick()
    clock.now = datetime(2026, 2, 1, 3, 0, 30)
    assert scheduler.tick()
    assert scheduler.failures == 1
    assert scheduler.next_run == datetime(2026, 3, 1, 3)
    assert not scheduler.tick()
    clock.now = datetime(2026, 3, 1, 3, 1)
    assert scheduler.tick()
    assert (scheduler.runs, scheduler.failures, len(calls)) == (2, 1, 2)


def test_the_thread_runs_a_due_job_and_stops_when_asked() -> None:
    ran = threading.Event()
    clock = _Clock(datetime(2026, 1, 1, 0, 0))
    scheduler = Scheduler(CronSchedule("* * * * *"), ran.set, clock=clock)
    clock.now += timedelta(minutes=5)
    scheduler.start(poll_seconds=0.01)
    assert ran.wait(5.0)
    scheduler.stop()
    assert not scheduler.running
    assert scheduler.runs >= 1


def test_the_service_hook_starts_nothing_without_a_cron(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPPLYMIND_RETRAIN_CRON", raising=False)
    assert start_lifecycle_scheduler(LifecycleSettings(_env_file=None)) is None  # type: ignore[call-arg]


def test_the_service_hook_starts_a_thread_from_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPLYMIND_RETRAIN_CRON", "0 3 1 * *")
    monkeypatch.setenv("SUPPLYMIND_RETRAIN_MARGIN", "0.05")
    settings = LifecycleSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.retrain_margin == 0.05
    scheduler = start_lifecycle_scheduler(settings, database_url=":memory:")
    assert scheduler is not None
    assert scheduler.running
    assert scheduler.next_run.day == 1
    assert scheduler.next_run.hour == 3
    scheduler.stop()
    assert not scheduler.running


def test_bad_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYMIND_RETRAIN_MARGIN", "1.5")
    with pytest.raises(ValueError, match="retrain_margin"):
        LifecycleSettings(_env_file=None)  # type: ignore[call-arg]
