"""create_app: one Starlette app serving all five provider APIs, each under its own prefix.

    /csaapi/v2        cardlytics        /support/api   support (files also at /support/s3/<name>)
    /radar            radar             /offers/feedback  offers_feedback
    /wasabi/events    wasabi            /              base URLs      /_sandbox/...  control
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from . import cardlytics, control, offers, radar, support, wasabi
from .config import SandboxConfig
from .faults import FaultMiddleware
from .state import SandboxState

log = logging.getLogger(__name__)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"message": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """The sandbox app; its state (stores, stats, background tasks) lives in app.state.sandbox."""
    state = SandboxState(config if config is not None else SandboxConfig())

    @asynccontextmanager
    async def lifespan(app: Starlette):
        log.debug("sandbox started; files in %s", state.files_dir)
        try:
            yield
        finally:
            await state.aclose()

    routes = [
        Route("/", control.root, methods=["GET"]),
        Mount("/_sandbox", routes=control.routes()),
        Mount("/csaapi/v2", routes=cardlytics.routes()),
        Mount("/support/api", routes=support.routes()),
        Mount("/support/s3", routes=support.file_routes()),
        Mount("/radar", routes=radar.routes()),
        *offers.routes(),
        Mount("/wasabi", routes=wasabi.routes()),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(FaultMiddleware, state=state)], lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error})
    app.state.sandbox = state
    return app
