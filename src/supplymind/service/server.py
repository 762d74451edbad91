"""Run the service with uvicorn (logging configured here, the entry point)."""

from __future__ import annotations

import logging

from supplymind.service.settings import ServiceSettings

__all__ = ["serve"]


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    settings: ServiceSettings | None = None,
) -> None:
    """Serve the API and the dashboard until interrupted.

    The settings are validated first: outside development mode the service refuses to start
    without private API keys. Access logs show paths, never the API key (sent in a header or
    a cookie, not in the URL).
    """
    import uvicorn

    from supplymind.service.app import create_app

    settings = settings or ServiceSettings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info")
