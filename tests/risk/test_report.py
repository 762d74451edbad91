from __future__ import annotations

from pathlib import Path

import pandas as pd

from supplymind.data.warehouse import Warehouse
from supplymind.reporting import Report
from supplymind.risk.report import delay_holdout, risk_section


def test_when_the_demo_section_is_built_then_alerts_scorecards_and_figures_are_written(
    company_db: str, tmp_path: Path
) -> None:
    plots = tmp_path / "plots"
    plots.mkdir()
    section, files = risk_section(company_db, plots, "plots", out_dir=tmp_path, num_threads=1)
    names = [f.name for f in files]
    assert names == [
        "supplier_scorecards.png",
        "risk_demand_anomalies.png",
        "late_risk_reliability.png",
        "alerts.csv",
        "supplier_scorecards.csv",
    ]
    assert all(f.is_file() and f.stat().st_size > 0 for f in files)
    assert len(section.tables) == 2
    assert len(section.figures) == 3
    alerts = pd.read_csv(tmp_path / "alerts.csv")
    assert {"explanation", "action", "severity", "probability", "score"} <= set(alerts.columns)
    with Warehouse(company_db) as wh:
        assert len(wh.query('SELECT * FROM "alerts"')) == len(alerts)
    html = Report("demo", sections=[section]).render()
    assert "Risk early warning" in html
    assert "plots/supplier_scorecards.png" in html


def test_when_the_delay_model_is_checked_on_later_orders_then_it_beats_the_base_rate(
    small_company: dict[str, pd.DataFrame],
) -> None:
    po = small_company["purchase_orders"]
    check = delay_holdout(po, po["ordered_at"].max(), num_threads=1)
    assert check is not None
    assert check.roc_auc > 0.6
    assert check.brier < check.brier_base_rate
    assert check.curve["count"].sum() == check.test
