from __future__ import annotations

from pathlib import Path

import pandas as pd

from supplymind.reporting import Figure, Report, Section


def test_when_report_is_written_then_sections_tables_and_figures_appear_escaped(
    tmp_path: Path,
) -> None:
    report = Report("Demo <run>", "sub")
    section = report.add(Section("Data", paragraphs=["5 < 6 & co"]))
    section.add_table(pd.DataFrame({"table": ["<items>"], "rows": [3.0]}))
    section.figures.append(Figure("plots/a.png", "caption"))
    path = report.write(tmp_path / "report.html")
    html = path.read_text()
    assert "Demo &lt;run&gt;" in html
    assert "5 &lt; 6 &amp; co" in html
    assert "&lt;items&gt;" in html
    assert 'src="plots/a.png"' in html
    assert html.index("Data") < html.index("plots/a.png")
