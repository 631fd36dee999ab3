"""Small request helpers shared by the provider modules."""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.requests import Request

class BadJson(ValueError):
    pass


async def read_json(request: Request) -> Any:
    """The request body decoded as JSON; BadJson when it is empty or not JSON."""
    raw = await request.body()
    if not raw.strip():
        raise BadJson("Request body is empty; a JSON object is expected")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadJson("Request body is not valid JSON") from None


def static_auth_ok(request: Request, auth: tuple[str, str] | None) -> bool:
    """True when no static auth header is configured, or the request carries the right one."""
    if auth is None:
        return True
    given = request.headers.get(auth[0])
    return given is not None and hmac.compare_digest(given.encode(), auth[1].encode())


def base_url(request: Request) -> str:
    """http://host:port as the client addressed this server."""
    return str(request.base_url).rstrip("/")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
