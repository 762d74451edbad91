from __future__ import annotations

from pathlib import Path

from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
from supplymind.data.warehouse import Warehouse
from supplymind.demo import DEMO_STEPS, run_demo


def test_when_demo_runs_then_warehouse_report_and_plots_are_written(tmp_path: Path) -> None:
    config = SampleCompanyConfig.small(seed=3)
    steps: list[str] = []
    result = run_demo(
        tmp_path / "out", config=config, on_step=steps.append, finetune_steps=4, feedback_steps=2
    )

    assert len(steps) == DEMO_STEPS
    tables = generate_sample_company(config)
    with Warehouse(result.warehouse) as wh:
        for name, frame in tables.items():
            assert wh.count(name) == len(frame), name
    html = result.report.read_text(encoding="utf-8")
    assert "synthetic" in html
    assert len(result.figures) >= 3
    for figure in result.figures:
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"plots/{figure.name}" in html
    assert "Demand forecast" in html
    forecast = (tmp_path / "out" / "forecast.csv").read_text().splitlines()
    assert forecast[0] == "item_id,location_id,timestamp,mean," + ",".join(
        f"0.{i}" for i in range(1, 10)
    )
    for name in ("demand_by_category.png", "locations_map.png", "lead_times.png"):
        assert (tmp_path / "out" / "plots" / name).exists()


def test_when_demo_runs_twice_then_the_warehouse_is_rebuilt_not_appended(tmp_path: Path) -> None:
    run_demo(tmp_path, config=SampleCompanyConfig.small(seed=1), stages=[])
    result = run_demo(tmp_path, config=SampleCompanyConfig.small(seed=2), stages=[])
    expected = len(generate_sample_company(SampleCompanyConfig.small(seed=2))["demand"])
    with Warehouse(result.warehouse) as wh:
        assert wh.count("demand") == expected
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
