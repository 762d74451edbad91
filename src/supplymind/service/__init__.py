"""The SupplyMind service: REST API, background jobs and the web dashboard.

``create_app()`` (in :mod:`supplymind.service.app`) builds the FastAPI application;
``serve()`` (in :mod:`supplymind.service.server`) runs it with uvicorn. Both are imported
lazily so that the CLI starts without loading the web stack.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from supplymind.service.app import create_app

        return create_app
    if name == "serve":
        from supplymind.service.server import serve

        return serve
    raise AttributeError(f"module 'supplymind.service' has no attribute {name!r}")
