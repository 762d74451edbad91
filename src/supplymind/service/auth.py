"""API keys: scrypt hashes at rest, read and write scopes, FastAPI dependencies."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence

from supplymind.service.settings import DEV_KEYS, ApiKeyRecord

__all__ = ["KeyRing", "hash_key", "new_api_key", "verify_key"]

logger = logging.getLogger(__name__)

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_key(key: str, salt: str) -> str:
    """The scrypt hash of ``key`` with ``salt``, hex."""
    return hashlib.scrypt(key.encode(), salt=bytes.fromhex(salt), **_SCRYPT).hex()


def verify_key(key: str, record: ApiKeyRecord) -> bool:
    """Whether ``key`` is the key of ``record`` (constant-time comparison)."""
    return hmac.compare_digest(hash_key(key, record.salt), record.hash)


def new_api_key(name: str, scope: str) -> tuple[str, ApiKeyRecord]:
    """A fresh random key and its record (store the record, hand out the key once)."""
    if scope not in ("read", "write"):
        raise ValueError(f"scope: expected 'read' or 'write', found {scope!r}")
    key = "sm_" + secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    return key, ApiKeyRecord(name=name, scope=scope, salt=salt, hash=hash_key(key, salt))


class KeyRing:
    """The configured keys; looks up the scope of a presented key.

    Verified keys are remembered by their SHA-256 (not the key) so that a request costs one
    scrypt hash only the first time a key is seen.
    """

    def __init__(self, records: Sequence[ApiKeyRecord], *, development: bool) -> None:
        self.records = list(records)
        if not self.records and development:
            logger.warning("no API keys configured: using the development keys (development mode)")
            for plain, scope in DEV_KEYS:
                salt = secrets.token_hex(16)
                self.records.append(
                    ApiKeyRecord(name=plain, scope=scope, salt=salt, hash=hash_key(plain, salt))
                )
        self._seen: dict[str, tuple[str, str]] = {}

    def lookup(self, key: str) -> tuple[str, str] | None:
        """``(name, scope)`` of ``key``, or ``None`` when no record matches."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        if digest in self._seen:
            return self._seen[digest]
        for record in self.records:
            if verify_key(key, record):
                self._seen[digest] = (record.name, record.scope)
                return self._seen[digest]
        return None
