"""Optional POST of wasabi customer-care-ticket events (PROVIDERS.md, section 2)."""

from __future__ import annotations

from typing import Any

import httpx

from supportdesk.providers.transport import HttpBound, RetryPolicy, send

PROVIDER = "wasabi"


class WasabiClient(HttpBound):
    def __init__(self, http: httpx.AsyncClient, post_url: str,
                 retry: RetryPolicy = RetryPolicy()) -> None:
        self._http = http
        self._url = post_url
        self._retry = retry

    async def post_events(self, events: list[dict[str, Any]]) -> None:
        """POST one batch as a JSON array; any 2xx is accepted. Not retried (no dedup key)."""
        if not events:
            return
        await send(self._http, PROVIDER, "POST", self._url, retry=False, policy=self._retry,
                   json=list(events))
