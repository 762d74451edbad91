"""Time-of-day effects on travel, estimated from delivery history, as window buffers.

PyVRP plans with static travel times: the same trip takes as long at 08:00 as at 14:00. The
history of delivered orders shows when arrivals ran behind their schedule
(``delivered_at - scheduled_at``). This module turns that into a **peak-hour profile**: the
mean delay behind schedule, per hour of the day, of the delivered orders planned for that
hour (delays below zero count as zero, each capped at ``max_delay`` minutes; hours with few
orders take the overall mean).

It is used as an approximation: each order's window end is brought forward by the delay of
the hour its window closes in (its *buffer*), so the plan arrives early enough where the
history says trips run late. Lateness and on-time rates are still measured against the
promised window. It is not a time-dependent travel-time model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymind.exceptions import RoutingInputError

__all__ = ["PeakHourProfile", "estimate_peak_profile"]


@dataclass(frozen=True)
class PeakHourProfile:
    """Mean delay of arrivals behind schedule per hour of the day.

    Parameters
    ----------
    delay_minutes
        24 values, the delay for arrivals planned in hour 0, 1, ..., 23.
    observations
        24 counts of delivered orders behind each value.
    """

    delay_minutes: tuple[float, ...]
    observations: tuple[int, ...]

    def __post_init__(self) -> None:
        for name in ("delay_minutes", "observations"):
            values = tuple(getattr(self, name))
            object.__setattr__(self, name, values)
            if len(values) != 24:
                raise RoutingInputError(
                    f"PeakHourProfile.{name}: expected 24 values (one per hour), "
                    f"found {len(values)}"
                )
        bad = [v for v in self.delay_minutes if not math.isfinite(v) or v < 0]
        if bad:
            raise RoutingInputError(
                f"PeakHourProfile.delay_minutes: expected finite values >= 0, found {bad[0]!r}"
            )

    @property
    def total_observations(self) -> int:
        """Delivered orders the profile was estimated from."""
        return int(sum(self.observations))

    def delay_at(self, minute_of_day: float) -> float:
        """The delay (minutes) for an arrival at ``minute_of_day`` (0-1439, wraps around)."""
        return self.delay_minutes[int(minute_of_day // 60) % 24]

    def buffer(self, window_end_minute: float) -> float:
        """Buffer for a window closing at ``window_end_minute`` (minutes after midnight): the
        delay of the hour in which the window's last minute falls."""
        if not math.isfinite(window_end_minute):
            return 0.0
        return self.delay_at(max(0.0, window_end_minute - 1.0))

    def peak_hours(self, threshold: float = 1.25) -> list[int]:
        """Hours whose delay is at least ``threshold`` times the mean over observed hours."""
        seen = [d for d, n in zip(self.delay_minutes, self.observations, strict=True) if n]
        mean = float(np.mean(seen)) if seen else 0.0
        return [h for h, d in enumerate(self.delay_minutes) if mean > 0 and d >= threshold * mean]

    def describe(self) -> str:
        """One sentence for reports and notes."""
        peak = self.peak_hours()
        hours = ", ".join(f"{h:02d}:00" for h in peak) if peak else "none"
        return (
            f"peak-hour profile from {self.total_observations} delivered orders: mean delay "
            f"behind schedule {min(self.delay_minutes):.0f}-{max(self.delay_minutes):.0f} min "
            f"by hour; peak hours {hours}"
        )


def estimate_peak_profile(
    history: pd.DataFrame, *, min_orders: int = 20, max_delay: float = 60.0
) -> PeakHourProfile | None:
    """Estimate the peak-hour profile from delivered orders.

    Parameters
    ----------
    history
        ``delivery_orders`` rows; those with both ``scheduled_at`` and ``delivered_at`` are
        used (other rows are ignored).
    min_orders
        Hours with fewer delivered orders take the mean over all hours.
    max_delay
        Each delay is capped at this many minutes (one breakdown is not a pattern).

    Returns
    -------
    PeakHourProfile or None
        ``None`` when fewer than ``min_orders`` delivered orders are usable.
    """
    if min_orders < 1 or not math.isfinite(max_delay) or max_delay <= 0:
        raise RoutingInputError(
            f"estimate_peak_profile: expected min_orders >= 1 and max_delay > 0, found "
            f"{min_orders!r} and {max_delay!r}"
        )
    if not {"scheduled_at", "delivered_at"} <= set(history.columns):
        return None
    done = history.dropna(subset=["scheduled_at", "delivered_at"])
    if len(done) < min_orders:
        return None
    scheduled = pd.to_datetime(done["scheduled_at"])
    delay = (pd.to_datetime(done["delivered_at"]) - scheduled).dt.total_seconds() / 60.0
    delay = delay.clip(lower=0.0, upper=max_delay)
    hours = scheduled.dt.hour
    overall = float(delay.mean())
    by_hour = delay.groupby(hours).agg(["mean", "size"])
    values, counts = [], []
    for hour in range(24):
        count = int(by_hour["size"].get(hour, 0))
        mean = float(by_hour["mean"].get(hour, overall))
        values.append(mean if count >= min_orders else overall)
        counts.append(count)
    return PeakHourProfile(tuple(values), tuple(counts))
