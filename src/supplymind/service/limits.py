"""Request size limit: an ASGI middleware answering 413 above ``max_bytes``.

A declared ``Content-Length`` above the limit is refused at once. A body without one
(chunked) is read first, up to the limit, and then handed on; one byte more gives 413
before the application sees any of it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["BodySizeLimit"]

Message = dict[str, Any]


class BodySizeLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Any) -> None:
        body = json.dumps(
            {"detail": f"request body larger than the limit of {self.max_bytes} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        if b"content-length" in headers:
            try:
                declared = int(headers[b"content-length"])
            except ValueError:
                declared = self.max_bytes + 1
            if declared > self.max_bytes:
                await self._reject(send)
                return
            await self.app(scope, receive, send)
            return
        # No declared length: read the body (bounded by the limit) before the app runs.
        buffered: list[Message] = []
        size = 0
        while True:
            message: Message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._reject(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if buffered:
                return buffered.pop(0)
            next_message: Message = await receive()
            return next_message

        await self.app(scope, replay, send)
