""""Test connection": one harmless call per provider through the running profile's clients."""

from __future__ import annotations

import time
from typing import Any

from supportdesk.models.support import SearchCriteria
from supportdesk.providers.errors import NotFound, ProviderError

PROBE_ID = "supportdesk-connection-test"

# Providers with no call that is free of side effects: every offers request records a feedback,
# wasabi only receives events, and the webhook is our own listener.
NO_PROBE = {
    "offers_feedback": "No test call: every request to this API records a feedback.",
    "wasabi": "No test call: the export endpoint only receives events.",
    "webhook": "This is Supportdesk's own listener; nothing to connect to.",
}


async def probe(provider: str, client: Any) -> tuple[bool, str]:
    """(ok, what happened), in words an agent can act on."""
    started = time.monotonic()
    try:
        if provider == "radar":
            await client.login()
            what = "logged in"
        elif provider == "cardlytics":
            try:
                await client.retrieve_ticket(PROBE_ID)
            except NotFound:
                pass  # reachable and authorised: it just does not know our test id
            what = "reachable, credentials accepted"
        elif provider == "support":
            await client.search(SearchCriteria(ticket_id=PROBE_ID))
            what = "reachable, credentials accepted"
        else:
            return False, NO_PROBE.get(provider, "No test call for this provider.")
    except ProviderError as exc:
        hint = f" — {exc.hint}" if exc.hint else ""
        return False, f"{exc}{hint}"
    except Exception as exc:  # e.g. a secret that is not set
        return False, str(exc)
    return True, f"Connected: {what} ({(time.monotonic() - started) * 1000:.0f} ms)."
