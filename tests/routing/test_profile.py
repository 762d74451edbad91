from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RoutingInputError
from supplymind.routing.profile import PeakHourProfile, estimate_peak_profile


def _history(n_per_hour: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for hour in (8, 12, 17):
        for _ in range(n_per_hour):
            scheduled = pd.Timestamp("2024-05-06") + pd.Timedelta(hours=hour, minutes=10)
            late = 30.0 if hour == 17 else 0.0
            delay = late + rng.normal(0.0, 2.0)
            rows.append(
                {
                    "scheduled_at": scheduled,
                    "delivered_at": scheduled + pd.Timedelta(minutes=delay),
                    "status": "delivered",
                }
            )
    rows.append({"scheduled_at": pd.NaT, "delivered_at": pd.NaT, "status": "planned"})
    return pd.DataFrame(rows)


def test_when_evening_deliveries_ran_late_then_the_evening_is_a_peak_hour() -> None:
    profile = estimate_peak_profile(_history())
    assert profile is not None
    assert profile.delay_at(17 * 60 + 30) == pytest.approx(30.0, abs=1.5)
    assert profile.delay_at(12 * 60) < 2.0
    assert profile.peak_hours() == [17]
    assert profile.total_observations == 90
    assert "90 delivered orders" in profile.describe()


def test_a_window_gets_the_buffer_of_the_hour_it_closes_in() -> None:
    profile = PeakHourProfile(tuple(float(h) for h in range(24)), (1,) * 24)
    assert profile.buffer(18 * 60) == 17.0  # closes at 18:00: its last minute is 17:59
    assert profile.buffer(18 * 60 + 1) == 18.0
    assert profile.buffer(float("inf")) == 0.0


def test_when_history_is_too_short_then_there_is_no_profile() -> None:
    assert estimate_peak_profile(_history(2)) is None
    assert estimate_peak_profile(pd.DataFrame({"status": ["delivered"]})) is None


def test_when_an_hour_has_few_orders_then_it_takes_the_overall_mean() -> None:
    profile = estimate_peak_profile(_history(), min_orders=31)
    assert profile is not None
    assert len(set(profile.delay_minutes)) == 1


def test_long_delays_are_capped() -> None:
    history = _history()
    history.loc[0, "delivered_at"] = history.loc[0, "scheduled_at"] + pd.Timedelta(hours=10)
    capped = estimate_peak_profile(history, max_delay=60.0)
    assert capped is not None
    assert capped.delay_at(8 * 60) < 60.0 / 30 + 2.0


@pytest.mark.parametrize(
    "values", [(1.0,) * 23, (-1.0,) + (0.0,) * 23, (float("nan"),) + (0.0,) * 23]
)
def test_when_a_profile_is_malformed_then_error(values: tuple[float, ...]) -> None:
    with pytest.raises(RoutingInputError, match="PeakHourProfile"):
        PeakHourProfile(values, (0,) * len(values))
