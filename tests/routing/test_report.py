from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from supplymind.reporting import Report
from supplymind.routing.report import routing_section


def test_the_routing_section_has_kpis_a_route_table_and_the_map(
    sample_tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    plots = tmp_path / "plots"
    plots.mkdir()
    section, files = routing_section(sample_tables, plots, "plots", time_limit=0.5, seed=0)
    assert [f.name for f in files] == ["routes_map.png", "routes.json", "routes.csv"]
    assert all(f.is_file() for f in files)
    assert files[1].parent == tmp_path
    assert section.title == "Delivery routes"
    assert len(section.tables) == 2
    assert "on-time rate" in section.tables[0]
    assert section.figures[0].path == "plots/routes_map.png"
    assert any("approximation" in n for n in section.notes)
    data = json.loads(files[1].read_text())
    assert data["feasible"] is True
    html = Report("r", sections=[section]).render()
    assert "Delivery routes" in html
