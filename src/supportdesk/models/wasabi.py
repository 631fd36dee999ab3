"""Wasabi customer-care-ticket events built from unified tickets (PROVIDERS.md, section 2)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Literal

import jsonschema

from supportdesk.models.ticket import Ticket, TicketStatus, iso
from supportdesk.resources import wasabi_schema

EVENT_TYPE = "CUSTOMER_CARE_TICKET"
VERSION = 1.0


class WasabiSchemaError(ValueError):
    pass


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = wasabi_schema()
    cls = jsonschema.validators.validator_for(schema)
    # rfc3339-validator backs the "date-time" format check.
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_event(event: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(event), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(root)"
        raise WasabiSchemaError(f"{where}: {first.message}")


def build_event(ticket: Ticket, action: Literal["CREATED", "UPDATED"], *,
                status: TicketStatus | None = None, updated_at: datetime | None = None,
                resolved_at: datetime | None = None, validate: bool = True) -> dict[str, Any]:
    """One event for `ticket` as it stood at a given change (status/updated_at override the current)."""
    status = status or ticket.status
    body: dict[str, Any] = {
        "ticketId": ticket.id,  # local id: stable across cardlytics resubmissions
        "customerId": str(ticket.customer_id),
        "status": status.value,
        "createdAt": iso(ticket.created_at),
        "updatedAt": iso(updated_at or ticket.updated_at),
        "ticketOrigin": ticket.provider,
    }
    if status is TicketStatus.RESOLVED:
        resolved = resolved_at or ticket.resolved_at or updated_at or ticket.updated_at
        body["resolvedAt"] = iso(resolved)
    tags = _tags(ticket)
    if tags:
        body["tags"] = tags
    event = {"eventType": EVENT_TYPE, "eventAction": action, "version": VERSION, "body": body}
    if validate:
        validate_event(event)
    return event


def _tags(ticket: Ticket) -> list[str]:
    if ticket.provider == "cardlytics":
        return [ticket.resolution] if ticket.resolution else []
    category = ticket.data.get("category")
    return [str(category)] if category else []
