"""Cardlytics update events: verify, parse, apply — the same path as a poll."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from pydantic import ValidationError

from supportdesk.models import cardlytics as cdl
from supportdesk.services.tickets import CARDLYTICS_CREATE
from supportdesk.services.updates import TicketUpdater
from supportdesk.store import Store

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


class WebhookIntake:
    def __init__(self, store: Store, updater: TicketUpdater, secret: str) -> None:
        if not secret:
            raise ValueError("a webhook secret is required")
        self.store = store
        self.updater = updater
        self._secret = secret.encode()

    def authorised(self, header: str | None) -> bool:
        return header is not None and hmac.compare_digest(header.encode(), self._secret)

    def handle(self, header: str | None, body: bytes) -> tuple[int, dict[str, Any] | None]:
        if not self.authorised(header):
            return 401, {"error": "missing or wrong X-Webhook-Secret"}
        if len(body) > MAX_BODY:
            return 413, {"error": "event too large"}
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("an event is a JSON object")
            event = cdl.UpdateEvent.model_validate(data)
        except (ValueError, ValidationError, RecursionError) as exc:
            msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            return 422, {"error": f"not a valid update event: {msg}"[:300]}
        self.apply(event)
        return 204, None

    def apply(self, event: cdl.UpdateEvent) -> None:
        self.updater.apply_cardlytics_event(event, resent=self._resent(event.source_ticket_id))

    def _resent(self, source_ticket_id: str) -> bool:
        """An earlier send of this submission may have landed (see OutboxItem.maybe_delivered)."""
        row = self.store.db.one("SELECT maybe_delivered FROM outbox WHERE kind = ? AND idem_key = ?",
                                (CARDLYTICS_CREATE, source_ticket_id))
        return bool(row and row["maybe_delivered"])


def build_webhook_app(intake: WebhookIntake) -> Any:
    """The listener's ASGI app (Starlette, imported only when a listener is started)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def receive(request: Request) -> Response:
        body = await request.body()
        status, payload = intake.handle(request.headers.get("x-webhook-secret"), body)
        if payload is None:
            return Response(status_code=status)
        return JSONResponse(payload, status_code=status)

    return Starlette(routes=[Route("/", receive, methods=["POST"])])


class WebhookListener:
    """The listener inside a running app (the window): uvicorn on the current asyncio loop."""

    def __init__(self, intake: WebhookIntake, host: str = "127.0.0.1", port: int = 0) -> None:
        import socket

        import uvicorn

        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets TCP_NODELAY only then
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        self._server = uvicorn.Server(uvicorn.Config(build_webhook_app(intake), log_level="warning",
                                                     lifespan="off"))
        self._task: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> "WebhookListener":
        import asyncio

        self._task = asyncio.get_running_loop().create_task(self._server.serve(sockets=[self._sock]))
        self._task.add_done_callback(self._done)
        return self

    @staticmethod
    def _done(task: Any) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook listener stopped: %s", task.exception())

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            try:
                await self._task
            except Exception:
                pass
        self._sock.close()
