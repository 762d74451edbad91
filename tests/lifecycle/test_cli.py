"""``supplymind retrain`` and ``supplymind models ...`` on a warehouse file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from supplymind.data.ingest import ingest_frame
from supplymind.data.warehouse import Warehouse
from supplymind.exceptions import ModelRegistryError
from supplymind.lifecycle import cli
from supplymind.lifecycle.cli import models_app, retrain_command
from supplymind.lifecycle.registry import ModelRegistry

from .conftest import TINY, weekly_demand

runner = CliRunner()


def _text(result: object) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(str(getattr(result, "output", "")).split())


def _app() -> typer.Typer:
    """The commands as ``supplymind/cli.py`` registers them."""
    app = typer.Typer()
    app.add_typer(models_app, name="models")
    app.command("retrain")(retrain_command)
    return app


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    demand = weekly_demand(n_items=4, n_weeks=40, change_week=None)
    demand["location_id"] = "S1"
    with Warehouse(url) as wh:
        items = demand[["item_id"]].drop_duplicates()
        ingest_frame(wh, "items", items.assign(name="x", category="c", unit_cost=1.0, price=2.0))
        store = {"location_id": ["S1"], "kind": ["store"], "lat": [31.2], "lon": [121.4]}
        ingest_frame(wh, "locations", pd.DataFrame(store))
        ingest_frame(wh, "demand", demand)
    return url


def test_retrain_then_list_show_verify_promote_and_rollback(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "console", Console(width=200))
    app, models = _app(), str(tmp_path / "models")
    common = ["--db", db, "--models-dir", models]
    args = ["retrain", "--backbone", str(TINY), "--finetune", "none", *common]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "forecast-v001" in _text(first)
    assert "promoted" in _text(first)
    second = runner.invoke(app, [*args, "--margin", "0.5"])
    assert second.exit_code == 0, second.output
    assert "drift of forecast-v001" in _text(second)
    assert "champion kept" in _text(second)
    listing = runner.invoke(app, ["models", "list", *common])
    assert "forecast-v001" in _text(listing)
    assert "champion" in _text(listing)
    assert "forecast-v002" in _text(listing)
    assert "retired" in _text(listing)
    shown = runner.invoke(app, ["models", "show", "forecast-v002", *common])
    assert '"parent_id": "forecast-v001"' in _text(shown)
    assert "README.md" in _text(shown)
    verified = runner.invoke(app, ["models", "verify", "forecast-v002", *common])
    assert "every file matches" in _text(verified)
    promoted = runner.invoke(app, ["models", "promote", "forecast-v002", *common])
    assert "forecast-v002 is now the forecast champion" in _text(promoted)
    rolled = runner.invoke(app, ["models", "rollback", *common])
    assert "forecast-v001 is the forecast champion again" in _text(rolled)
    with Warehouse(db) as wh:
        registry = ModelRegistry(wh, models)
        assert registry.champion("forecast").model_id == "forecast-v001"  # type: ignore[union-attr]
        series = registry.get("forecast-v001").data_fingerprint["series"]
    assert series == 4  # one per item@location


def test_models_promote_of_an_unknown_id_fails_naming_it(db: str, tmp_path: Path) -> None:
    result = runner.invoke(
        _app(), ["models", "promote", "forecast-v009", "--db", db, "--models-dir", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, ModelRegistryError)
    assert "forecast-v009" in str(result.exception)


def test_every_lifecycle_command_has_help() -> None:
    app = _app()
    for args in (["retrain"], ["models", "list"], ["models", "rollback"], ["models", "show"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output
