"""Settings of the service, read from ``SUPPLYMIND_*`` variables (pydantic-settings).

API keys are stored hashed (scrypt with a per-key salt): ``SUPPLYMIND_API_KEYS`` is a JSON
list of :class:`ApiKeyRecord` objects, made with :func:`supplymind.service.auth.new_api_key`.
In development mode, with no keys configured, two well-known development keys are used
(``dev-read``, ``dev-write``); outside development the service refuses to start without keys
or with a development key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplymind.exceptions import ConfigurationError

__all__ = ["DEV_KEYS", "ApiKeyRecord", "ServiceSettings"]

#: Development keys (plaintext, scope); refused outside development mode.
DEV_KEYS = (("dev-read", "read"), ("dev-write", "write"))


class ApiKeyRecord(BaseModel):
    """One API key, hashed: never the key itself."""

    name: str
    scope: Literal["read", "write"]
    salt: str = Field(min_length=16)
    hash: str = Field(min_length=64)


class ServiceSettings(BaseSettings):
    """Where the service's data lives and who may use it.

    Attributes
    ----------
    env
        ``development`` or ``production`` (``SUPPLYMIND_ENV``).
    home
        Folder of the default warehouse and the runs (``SUPPLYMIND_HOME``).
    database_url
        The warehouse, the same as the CLI's (``SUPPLYMIND_DATABASE_URL``).
    runs_dir
        Where pipeline jobs write their outputs; default ``<home>/runs``.
    api_keys
        Hashed API keys (``SUPPLYMIND_API_KEYS``, JSON).
    max_request_bytes
        Largest request body accepted (``413`` above it).
    job_workers
        Threads running background jobs (one: jobs run one after the other).
    """

    model_config = SettingsConfigDict(env_prefix="SUPPLYMIND_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    home: Path = Field(default_factory=lambda: Path.home() / ".supplymind")
    database_url: str | None = None
    runs_dir: Path | None = None
    api_keys: list[ApiKeyRecord] = Field(default_factory=list)
    max_request_bytes: int = Field(default=10 * 2**20, gt=0)
    job_workers: int = Field(default=1, ge=1, le=8)

    @model_validator(mode="after")
    def _refuse_unsafe_keys(self) -> ServiceSettings:
        if self.env == "development":
            return self
        if not self.api_keys:
            raise ConfigurationError(
                "SUPPLYMIND_API_KEYS: expected at least one hashed key outside development "
                "mode, found none (make one with `supplymind serve --new-key write`)"
            )
        from supplymind.service.auth import verify_key

        for plain, _ in DEV_KEYS:
            if any(verify_key(plain, record) for record in self.api_keys):
                raise ConfigurationError(
                    "SUPPLYMIND_API_KEYS: a development key is configured; expected only "
                    "private keys outside development mode"
                )
        return self

    @property
    def warehouse_url(self) -> str:
        """The warehouse URL, defaulting to a DuckDB file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"duckdb:///{(self.home / 'warehouse.duckdb').expanduser().resolve()}"

    @property
    def resolved_runs_dir(self) -> Path:
        """The folder of the runs the service starts."""
        return (self.runs_dir or self.home / "runs").expanduser()
