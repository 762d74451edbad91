from __future__ import annotations

from pathlib import Path

import pytest

from supplymind.settings import get_settings


def test_when_home_is_set_then_the_warehouse_lives_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLYMIND_HOME", str(tmp_path))
    monkeypatch.delenv("SUPPLYMIND_DATABASE_URL", raising=False)
    url = get_settings().resolved_database_url
    assert url == f"duckdb:///{tmp_path.resolve() / 'warehouse.duckdb'}"


def test_when_database_url_is_set_then_it_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYMIND_DATABASE_URL", "sqlite:///x.db")
    assert get_settings().resolved_database_url == "sqlite:///x.db"


def test_when_env_is_unknown_then_settings_refuse_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYMIND_ENV", "prod")
    with pytest.raises(ValueError, match="env"):
        get_settings()
