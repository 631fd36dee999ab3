"""Provider connectivity: a cheap probe per configured provider, and what real calls observed.

Qt-free; the window shows the result in its status bar. A probe is one short GET of the
provider's base URL over the provider's own HTTP client: any HTTP answer means the server is
reachable (even a 404 for the bare base URL); only a transport failure means offline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable

from supportdesk.models.values import utcnow
from supportdesk.providers.errors import ProviderBug, ProviderError, Unreachable

if TYPE_CHECKING:  # httpx is imported on first use: the window's status bar needs this module early
    import httpx

log = logging.getLogger(__name__)

ONLINE, OFFLINE, DEGRADED, UNKNOWN = "online", "offline", "degraded", "unknown"
TICKET_PROVIDERS = ("cardlytics", "support")
LABELS = {"cardlytics": "Cardlytics", "support": "Support", "radar": "Radar",
          "offers_feedback": "Offers feedback", "wasabi": "Wasabi"}


@dataclass(frozen=True)
class ProviderHealth:
    provider: str
    state: str = UNKNOWN
    detail: str = ""
    checked_at: datetime | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.provider, self.provider)

    @property
    def reachable(self) -> bool:
        return self.state in (ONLINE, DEGRADED)


Listener = Callable[[ProviderHealth], None]


class HealthService:
    """Holds the last known state per provider; `probe_all` refreshes it without retries."""

    def __init__(self, http: dict[str, httpx.AsyncClient], *, timeout: float = 3.0) -> None:
        import httpx

        self._http = dict(http)
        self._timeout = httpx.Timeout(timeout)
        self._state = {p: ProviderHealth(p) for p in self._http}
        self._listeners: list[Listener] = []

    @classmethod
    def for_clients(cls, clients: dict[str, Any], **kwargs: Any) -> "HealthService":
        # Each provider client keeps its own httpx client; probing through it keeps one transport.
        import httpx

        http = {name: c.http for name, c in clients.items()
                if isinstance(getattr(c, "http", None), httpx.AsyncClient)}
        return cls(http, **kwargs)

    @property
    def providers(self) -> list[str]:
        return list(self._state)

    def on_change(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def get(self, provider: str) -> ProviderHealth:
        return self._state.get(provider, ProviderHealth(provider))

    def snapshot(self) -> dict[str, ProviderHealth]:
        return dict(self._state)

    def all_offline(self, providers: Iterable[str] | None = None) -> bool:
        """True when every (ticket) provider that has been checked is offline."""
        names = [p for p in (providers or TICKET_PROVIDERS) if p in self._state] or list(self._state)
        return bool(names) and all(self._state[p].state == OFFLINE for p in names)

    def _set(self, health: ProviderHealth) -> None:
        old = self._state.get(health.provider)
        self._state[health.provider] = health
        if old is None or (old.state, old.detail) != (health.state, health.detail):
            for listener in self._listeners:
                try:
                    listener(health)
                except Exception:
                    log.exception("health listener failed")

    def observe(self, provider: str, error: BaseException | None) -> None:
        """Feed the outcome of a real call (None = it worked) so the state needs no extra probe."""
        if provider not in self._state:
            return
        if error is None:
            self._set(ProviderHealth(provider, ONLINE, "", utcnow()))
        elif isinstance(error, Unreachable):
            self._set(ProviderHealth(provider, OFFLINE, str(error), utcnow()))
        elif isinstance(error, ProviderBug):
            self._set(ProviderHealth(provider, DEGRADED, str(error), utcnow()))
        elif isinstance(error, ProviderError):
            # A rejection proves the server answered.
            self._set(ProviderHealth(provider, ONLINE, "", utcnow()))

    async def probe(self, provider: str) -> ProviderHealth:
        import httpx

        client = self._http.get(provider)
        if client is None:
            return self.get(provider)
        try:
            response = await client.get("", timeout=self._timeout)
        except httpx.TimeoutException:
            health = ProviderHealth(provider, OFFLINE, "No answer within "
                                    f"{self._timeout.connect:g} s", utcnow())
        except httpx.TransportError as exc:
            health = ProviderHealth(provider, OFFLINE, _transport_text(exc), utcnow())
        else:
            if response.status_code >= 500:
                health = ProviderHealth(provider, DEGRADED,
                                        f"HTTP {response.status_code} from the server", utcnow())
            else:
                health = ProviderHealth(provider, ONLINE, "", utcnow())
        self._set(health)
        return health

    async def probe_all(self) -> dict[str, ProviderHealth]:
        import asyncio

        results = await asyncio.gather(*(self.probe(p) for p in self._http), return_exceptions=True)
        for name, result in zip(list(self._http), results):
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                log.warning("probing %s failed: %s", name, type(result).__name__)
                self._set(replace(self.get(name), state=UNKNOWN, detail=type(result).__name__,
                                  checked_at=utcnow()))
        return self.snapshot()


def _transport_text(exc: httpx.TransportError) -> str:
    import httpx

    if isinstance(exc, httpx.ConnectError):
        return "Cannot connect to the server"
    return f"Connection failed ({type(exc).__name__})"
