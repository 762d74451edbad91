from __future__ import annotations

from pathlib import Path

import pandas as pd

from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.inventory.report import inventory_section


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
    assert [f.path for f in section.figures] == [
        "plots/inventory_trajectory.png",
        "plots/inventory_frontier.png",
    ]
    assert all(p.exists() for p in files)
    plan = pd.read_csv(tmp_path / "plan.csv")
    assert {"item_id", "location_id", "order_up_to", "order_now"} <= set(plan.columns)
    assert (plan["order_now"].dropna() >= 0).all()
