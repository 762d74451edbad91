"""Settings, read from ``SUPPLYMIND_*`` environment variables (or a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Where SupplyMind keeps its data and which database it talks to.

    Attributes
    ----------
    home
        Folder for the warehouse, models and runs (``SUPPLYMIND_HOME``).
    database_url
        SQLAlchemy-style URL of the warehouse (``SUPPLYMIND_DATABASE_URL``). Defaults to the
        DuckDB file ``<home>/warehouse.duckdb``.
    data_dir
        Folder of the public datasets (``SUPPLYMIND_DATA_DIR``, default ``../shared/data``).
    env
        ``development`` or ``production``; production refuses unsafe defaults.
    """

    model_config = SettingsConfigDict(env_prefix="SUPPLYMIND_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=lambda: Path.home() / ".supplymind")
    database_url: str | None = None
    data_dir: Path = Path("../shared/data")
    env: Literal["development", "production"] = "development"

    @property
    def resolved_database_url(self) -> str:
        """The warehouse URL, defaulting to a DuckDB file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"duckdb:///{(self.home / 'warehouse.duckdb').expanduser().resolve()}"


def get_settings() -> Settings:
    """Read the settings afresh (cheap; environment changes are seen)."""
    return Settings()
