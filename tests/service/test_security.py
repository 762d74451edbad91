"""API keys hashed at rest, scopes, and the settings that refuse unsafe keys."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from supplymind.service.app import create_app
from supplymind.service.auth import KeyRing, hash_key, new_api_key, verify_key
from supplymind.service.settings import ApiKeyRecord, ServiceSettings


def test_when_a_key_is_made_then_only_its_salted_hash_is_kept() -> None:
    key, record = new_api_key("ops", "write")
    assert key not in record.model_dump_json()
    assert verify_key(key, record)
    assert not verify_key(key + "x", record)
    _, other = new_api_key("ops", "write")
    assert other.salt != record.salt
    assert hash_key(key, other.salt) != record.hash


def test_when_the_scope_is_unknown_then_value_error() -> None:
    with pytest.raises(ValueError, match="scope"):
        new_api_key("ops", "admin")


def test_when_production_has_no_keys_then_the_service_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUPPLYMIND_API_KEYS", raising=False)
    with pytest.raises(ValueError, match="SUPPLYMIND_API_KEYS"):
        ServiceSettings(env="production")


def test_when_production_has_a_development_key_then_the_service_refuses_to_start() -> None:
    salt = "ab" * 16
    dev = ApiKeyRecord(name="x", scope="write", salt=salt, hash=hash_key("dev-write", salt))
    with pytest.raises(ValueError, match="development key"):
        ServiceSettings(env="production", api_keys=[dev])


def test_when_keys_come_from_the_environment_then_they_are_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, record = new_api_key("ops", "read")
    monkeypatch.setenv("SUPPLYMIND_API_KEYS", f"[{record.model_dump_json()}]")
    monkeypatch.setenv("SUPPLYMIND_ENV", "production")
    settings = ServiceSettings()
    assert KeyRing(settings.api_keys, development=False).lookup(key) == ("ops", "read")


def test_when_development_has_no_keys_then_the_development_keys_work(tmp_path: object) -> None:
    settings = ServiceSettings(env="development", api_keys=[], home=tmp_path)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/jobs", headers={"X-API-Key": "dev-read"}).status_code == 200
        write = client.post("/api/jobs/pipeline", headers={"X-API-Key": "dev-read"}, json={})
        assert write.status_code == 403
    assert KeyRing([], development=False).lookup("dev-read") is None


def test_when_requests_are_made_then_the_key_is_not_logged(
    caplog: pytest.LogCaptureFixture, tmp_path: object
) -> None:
    key, record = new_api_key("ops", "read")
    settings = ServiceSettings(env="production", api_keys=[record], home=tmp_path)
    with caplog.at_level(logging.DEBUG), TestClient(create_app(settings)) as client:
        client.get("/api/jobs", headers={"X-API-Key": key})
        client.get("/api/jobs", headers={"X-API-Key": key + "-wrong"})
    assert key not in caplog.text


def test_when_serve_new_key_is_asked_then_the_printed_record_verifies_the_printed_key() -> None:
    from typer.testing import CliRunner

    from supplymind.cli import app

    result = CliRunner().invoke(app, ["serve", "--new-key", "write"], terminal_width=400)
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines() if ": " in line)
    key = lines["key (shown once)"].strip()
    record = ApiKeyRecord.model_validate_json(lines["record"])
    assert record.scope == "write"
    assert verify_key(key, record)
