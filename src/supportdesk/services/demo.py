"""First start of the sandbox profile: fill the cache through the real services, so a new user
opens a working desk (seeded support tickets found, a few cardlytics tickets filed and progressing)."""

from __future__ import annotations

import logging
from typing import Any

from supportdesk.providers.errors import ProviderError
from supportdesk.services.errors import ServiceError

log = logging.getLogger(__name__)

DONE_KEY = "demo_bootstrapped"

DESCRIPTIONS = [
    "Expected 10% cashback on the Costa Coffee purchase of 21 April; observed no reward after 30 days.",
    "Customer activated the offer before paying but the reward shows as not eligible.",
    "Two purchases at the same outlet, only one reward credited. Expected two.",
    "Reward pending for six weeks; the offer terms promise payment within 30 days.",
]


async def bootstrap_demo(services: Any, seed: dict[str, Any]) -> int:
    """Returns how many tickets were added; runs once per cache."""
    store = services.store
    if store.meta.get(DONE_KEY):
        return 0
    added = 0
    for user in seed.get("support", {}).get("users", []):
        try:
            added += len(await services.tickets.find_support(uuid=user["uuid"]))
        except (ProviderError, ServiceError) as exc:
            log.warning("demo: could not fetch tickets of a seeded customer: %s", exc)
            return added  # offline: try again on the next start
    card = seed.get("cardlytics", {})
    for i, tx in enumerate(card.get("transactions", [])[: len(DESCRIPTIONS)]):
        try:
            await services.tickets.create_cardlytics(
                offer_id=tx["offerId"], transaction_ids=[tx["transactionId"]],
                customer_id=tx["sourceCustomerId"], description=DESCRIPTIONS[i],
                author_email="agent@supportdesk.example")
            added += 1
        except (ProviderError, ServiceError) as exc:
            log.warning("demo: could not file a cardlytics ticket: %s", exc)
    radar = seed.get("radar", {})
    for kind, key in (("client", "clients"), ("programme", "programmes"), ("location", "locations")):
        for item in radar.get(key, []):
            value = item.get(f"{kind}DisplayId")
            if value:
                store.remembered.remember(kind, value, label=item.get("name"))
                for pom in item.get("poms", []) if kind == "location" else []:
                    store.remembered.remember("pom", pom["pomDisplayId"], label=pom.get("name"),
                                              parent=value)
    store.meta.set(DONE_KEY, "1")
    return added
