from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.exceptions import InventoryWarning
from supplymind.inventory.leadtime import estimate_lead_times
from supplymind.inventory.report import inventory_section, protection_days


def test_when_the_sample_company_is_planned_then_the_section_has_kpis_figures_and_plan(
    tmp_path: Path,
) -> None:
    tables = generate_sample_company(SampleCompanyConfig.small(0))
    plots = tmp_path / "plots"
    plots.mkdir()
    section, files = inventory_section(tables, plots, "plots", seed=0)
    assert section.title == "Replenishment plan"
    assert len(section.tables) == 1
    assert "fill rate" in section.tables[0]
    for model in ("SupplyMind Forecaster", "negative-binomial", "normal approximation"):
        assert model in section.tables[0]
    assert [f.path for f in section.figures] == [
        "plots/inventory_trajectory.png",
        "plots/inventory_frontier.png",
    ]
    assert all(p.exists() for p in files)
    plan = pd.read_csv(tmp_path / "plan.csv")
    assert {"item_id", "location_id", "order_up_to", "order_now"} <= set(plan.columns)
    assert (plan["order_now"].dropna() >= 0).all()
    assert not plan["demand_model"].str.contains("forecast quantiles").any()


def test_when_a_forecast_is_given_then_todays_plan_samples_its_quantiles(
    tmp_path: Path,
) -> None:
    tables = generate_sample_company(SampleCompanyConfig.small(0))
    demand = tables["demand"]
    end = demand["timestamp"].max()
    keys = demand[["item_id", "location_id"]].drop_duplicates()
    days = pd.date_range(end + pd.Timedelta(days=1), periods=28, freq="D")
    forecast = keys.merge(pd.DataFrame({"timestamp": days}), how="cross")
    for level in (0.1, 0.5, 0.9):
        forecast[f"{level:g}"] = 10.0 * level
    forecast["mean"] = forecast["0.5"]
    plots = tmp_path / "plots"
    plots.mkdir()
    inventory_section(tables, plots, "plots", seed=0, forecast=forecast)
    plan = pd.read_csv(tmp_path / "plan.csv")
    assert (plan["demand_model"] == "forecast quantiles").all()
    # protection period of 7-day review + lead time: median daily demand 5 -> mean >= 35
    assert (plan["protection_mean"] > 30).all()


def test_protection_days_is_the_longest_lead_time_plus_the_review_period() -> None:
    tables = generate_sample_company(SampleCompanyConfig.small(0))
    lead_times = estimate_lead_times(tables["purchase_orders"], period_days=1.0)
    longest = max(lt.max for lt in lead_times.by_series.values())
    assert protection_days(tables) == max(longest, lead_times.overall.max) + 7
    assert protection_days({**tables, "purchase_orders": tables["purchase_orders"].iloc[:0]}) == 14


def test_a_forecast_over_the_protection_days_is_used_without_repeating_its_last_day(
    tmp_path: Path,
) -> None:
    tables = generate_sample_company(SampleCompanyConfig.small(0))
    end = tables["demand"]["timestamp"].max()
    keys = tables["demand"][["item_id", "location_id"]].drop_duplicates()

    def forecast(days: int) -> pd.DataFrame:
        dates = pd.date_range(end + pd.Timedelta(days=1), periods=days, freq="D")
        frame = keys.merge(pd.DataFrame({"timestamp": dates}), how="cross")
        for level in (0.1, 0.5, 0.9):
            frame[f"{level:g}"] = 10.0 * level
        frame["mean"] = frame["0.5"]
        return frame

    plots = tmp_path / "plots"
    plots.mkdir()
    days = protection_days(tables)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InventoryWarning)
        inventory_section(tables, plots, "plots", seed=0, forecast=forecast(days))
    assert days > 28  # longer than the demo's four weeks: the case this guards
    # One day short: the plan says it repeated the last day.
    with pytest.warns(InventoryWarning, match="last forecast period was repeated"):
        inventory_section(tables, plots, "plots", seed=0, forecast=forecast(days - 1))
