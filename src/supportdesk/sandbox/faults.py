"""Fault and latency injection for provider requests (a raw ASGI middleware).

Only requests under a provider prefix are touched; `/` and `/_sandbox/...` never are. For each
provider request the middleware first waits `latency_ms`, then with probability `fault_rate` injects
one fault, chosen uniformly among `fault_kinds`:

- "error": a 503 answer with a short JSON body; the request is not processed.
- "drop_before": the connection is dropped before the request is processed: the client receives a
  status line and headers announcing a longer body than is ever sent, then the connection closes.
  httpx raises a transport error (RemoteProtocolError) and never sees a usable answer.
- "drop_after": the request IS processed (the write happens), then the reply is lost the same way.
  This is the case that tests exactly-once delivery.

A dropped connection is produced by raising DroppedConnection after the response has started; the
server then closes the transport (uvicorn; any ASGI server does the same or worse). SandboxServer
and serve() install logs.DropLogFilter so these intentional drops are not logged as errors.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

PROVIDER_PREFIXES = ("/csaapi/v2", "/support/api", "/radar", "/offers/feedback", "/wasabi")


def is_provider_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PROVIDER_PREFIXES)


class DroppedConnection(Exception):
    """Raised on purpose to make the server close the connection mid-response."""


class FaultMiddleware:
    def __init__(self, app: ASGIApp, state) -> None:  # state: SandboxState
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_provider_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = self.state
        state.stats_requests += 1
        config = state.config
        if config.latency_ms > 0:
            await asyncio.sleep(config.latency_ms / 1000.0)
        kind = state.pick_fault()
        if kind is None:
            await self.app(scope, receive, send)
            return
        state.fault_counts[kind] += 1
        log.info("fault injected: %s on %s %s", kind, scope["method"], scope["path"])
        if kind == "error":
            body = b'{"message": "Service temporarily unavailable (sandbox fault injection)"}'
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()),
                                    (b"retry-after", b"1")]})
            await send({"type": "http.response.body", "body": body})
            return
        if kind == "drop_before":
            await self._drop(send, 200, [(b"content-type", b"application/json")], b'{"')
        await self._process_then_drop(scope, receive, send)

    async def _process_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 200
        headers: list = []
        head = bytearray()

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
            elif message["type"] == "http.response.body" and len(head) < 64:
                head.extend(message.get("body", b"")[: 64 - len(head)])

        await self.app(scope, receive, capture)
        await self._drop(send, status, headers, bytes(head[: len(head) // 2]))

    @staticmethod
    async def _drop(send: Send, status: int, headers: list, partial: bytes) -> None:
        declared = len(partial) + 1024
        await send({"type": "http.response.start", "status": status,
                    "headers": [*headers, (b"content-length", str(declared).encode())]})
        await send({"type": "http.response.body", "body": partial, "more_body": True})
        raise DroppedConnection("sandbox fault injection: connection dropped")
