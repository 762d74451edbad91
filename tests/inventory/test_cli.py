from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from supplymind.cli import app
from supplymind.exceptions import InventoryInputError, InventoryWarning

from .conftest import demand_frame

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    frame = demand_frame(n_periods=91).rename(columns={"item_id": "sku", "target": "qty"})
    cut = frame["timestamp"].max() - pd.Timedelta(days=20)
    history, test = tmp_path / "h.csv", tmp_path / "t.csv"
    frame[frame["timestamp"] < cut].to_csv(history, index=False)
    frame[frame["timestamp"] >= cut].to_csv(test, index=False)
    return history, test


MAP = ["--id-col", "sku", "--target-col", "qty"]


def test_when_plan_runs_then_a_csv_of_levels_per_item_is_written(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "orders.csv"
    args = [
        "plan",
        "--history",
        str(files[0]),
        "--lead-time",
        "2",
        "--review-period",
        "7",
        "--service-level",
        "0.95",
        "--pack-size",
        "6",
        "--out",
        str(out),
        "--samples",
        "300",
    ]
    result = runner.invoke(app, [*args, *MAP])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table["item_id"]) == ["I0", "I1", "I2"]
    assert {"reorder_point", "order_up_to", "order_quantity"} <= set(table.columns)
    assert (table["order_quantity"] % 6 == 0).all()


def test_when_a_cost_target_is_given_then_plan_uses_the_critical_ratio(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "orders.csv"
    args = [
        "plan",
        "--history",
        str(files[0]),
        "--holding-cost",
        "1",
        "--shortage-cost",
        "9",
        "--order-cost",
        "10",
        "--moq",
        "20",
        "--out",
        str(out),
        "--samples",
        "300",
    ]
    result = runner.invoke(app, [*args, *MAP])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert set(table["policy"]) == {"r_Q"}
    assert (table["order_quantity"] >= 20).all()


def test_when_backtest_runs_then_the_json_report_and_plots_are_written(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    args = [
        "inventory",
        "backtest",
        "--history",
        str(files[0]),
        "--test",
        str(files[1]),
        "--lead-time",
        "2",
        "--review-period",
        "7",
        "--service-level",
        "0.9",
        "--holding-cost",
        "1",
        "--shortage-cost",
        "9",
        "--out",
        str(out),
        "--plots",
        str(tmp_path / "plots"),
        "--samples",
        "300",
    ]
    result = runner.invoke(app, [*args, *MAP])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["parameters"]["lead_time_periods"] == "2"
    assert len(report["per_item"]) == 3
    assert (tmp_path / "plots" / "frontier.png").exists()
    assert (tmp_path / "plots" / "trajectory.png").exists()


def test_when_one_item_is_short_and_one_empty_then_plan_writes_the_others_and_warns(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    """The short item is planned by the fallback, the empty one is left out and named."""
    frame = pd.read_csv(files[0])
    last = frame["timestamp"].max()
    extra = pd.DataFrame({"sku": ["NEW", "GONE"], "timestamp": [last, last], "qty": [4, None]})
    history = tmp_path / "edge_history.csv"
    pd.concat([frame, extra]).to_csv(history, index=False)
    options = ["--lead-time", "2", "--service-level", "0.95", "--method", "empirical", *MAP]
    usual, edge = tmp_path / "usual.csv", tmp_path / "edge.csv"
    result = runner.invoke(app, ["plan", "--history", str(files[0]), "--out", str(usual), *options])
    assert result.exit_code == 0, result.output
    with pytest.warns(InventoryWarning) as caught:
        result = runner.invoke(
            app, ["plan", "--history", str(history), "--out", str(edge), *options]
        )
    assert result.exit_code == 0, result.output
    notes = " ".join(str(w.message) for w in caught)
    assert "left out of the plan: ['GONE']" in notes
    assert "['NEW (1 observed < 3)']" in notes
    planned, usual_table = pd.read_csv(edge), pd.read_csv(usual)
    assert list(planned.columns) == list(usual_table.columns)
    assert list(planned["item_id"]) == ["I0", "I1", "I2", "NEW"]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--service-level", "1.5"], "ServiceTarget.level"),
        (["--holding-cost", "-1", "--shortage-cost", "2"], "holding_cost"),
        ([], "--service-level"),
    ],
)
def test_when_input_is_bad_then_plan_fails_with_a_clear_error(
    files: tuple[Path, Path], tmp_path: Path, extra: list[str], named: str
) -> None:
    args = ["plan", "--history", str(files[0]), "--out", str(tmp_path / "o.csv"), *MAP, *extra]
    result = runner.invoke(app, args)
    assert isinstance(result.exception, InventoryInputError)
    assert named.replace("\\", "") in str(result.exception)


def test_when_the_service_scope_is_portfolio_then_plan_writes_the_same_columns_pooled(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    common = ["plan", "--history", str(files[0]), "--service-level", "0.9", *MAP]
    common += ["--method", "empirical", "--samples", "300"]
    item, pooled = tmp_path / "item.csv", tmp_path / "pooled.csv"
    assert runner.invoke(app, [*common, "--out", str(item)]).exit_code == 0
    result = runner.invoke(app, [*common, "--service-scope", "portfolio", "--out", str(pooled)])
    assert result.exit_code == 0, result.output
    by_item, by_pool = pd.read_csv(item), pd.read_csv(pooled)
    assert list(by_pool.columns) == list(by_item.columns)
    assert set(by_pool["target"]) == {"fill_rate 0.9 over the portfolio"}
    assert (by_pool["reorder_point"] == by_pool["order_up_to"]).all()
    cycle = by_pool["mean_demand"] * by_pool["review_period"]
    pooled_fill = float((cycle * by_pool["expected_fill_rate"]).sum() / cycle.sum())
    assert pooled_fill >= 0.9 - 1e-9
    assert not np.allclose(by_pool["order_up_to"], by_item["order_up_to"])


def test_when_a_portfolio_scope_meets_a_cycle_target_then_plan_fails_clearly(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    args = ["plan", "--history", str(files[0]), "--out", str(tmp_path / "o.csv"), *MAP]
    args += ["--service-level", "0.9", "--service-type", "cycle", "--service-scope", "portfolio"]
    result = runner.invoke(app, args)
    assert isinstance(result.exception, InventoryInputError)
    assert "scope" in str(result.exception)
    assert "found kind 'cycle'" in str(result.exception)
