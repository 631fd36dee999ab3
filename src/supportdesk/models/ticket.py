"""The unified records the rest of the app speaks: one inbox for both ticket providers."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from supportdesk.models.values import (  # noqa: F401 - re-exported: the records' vocabulary
    PROVIDERS, STATUS_RANK, AttachmentKind, Provider, SyncState, TicketStatus, cardlytics_status, iso,
    parse_iso, support_status, utcnow,
)


_last_id = 0
_id_lock = threading.Lock()


def new_local_id(prefix: str = "SD") -> str:
    """`SD-` + 12 hex digits, short enough to read out on a call: 6 of time (1/16 s, wrapping
    every 12 days) then 6 random, and in one process above the one made before (until the wrap).

    So a new ticket's id lands next to the last one in every index holding it (primary key, sort
    indexes, events, outbox): one hot B-tree page, not a random one that a 1M-ticket cache must
    read first (random ids: five page-cache misses per durable write at 1M, now one). The clock
    wraps so that over the months all 48 bits vary: ids stay about as unlikely to collide across
    desks (they become Cardlytics sourceTicketIds) as 48 random bits."""
    global _last_id
    with _id_lock:
        value = max(int(time.time() * 16) << 24 | secrets.randbits(24), _last_id + 1)
        _last_id = value
    return f"{prefix}-{value % (1 << 48):012X}"


# --- records ------------------------------------------------------------------------------

class Attachment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int | None = None
    ticket_id: str
    kind: AttachmentKind
    name: str
    size: int | None = None
    sha256: str | None = None
    media_type: str | None = None
    cached_path: str | None = None  # absolute path of the local copy, if any
    remote_url: str | None = None
    state: str = "remote"  # local (queued for upload) | uploaded | remote | failed
    created_at: datetime = Field(default_factory=utcnow)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "name": self.name, "cached_path": self.cached_path,
                "size": self.size, "state": self.state}


class TicketEvent(BaseModel):
    id: int | None = None
    ticket_id: str
    at: datetime
    kind: str  # created, submitted, status, error, resolved, resubmitted, attachment, refreshed
    summary: str
    status: TicketStatus  # unified status after this event
    provider_status: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"at": iso(self.at), "kind": self.kind, "summary": self.summary,
                "status": self.status.value, "provider_status": self.provider_status}


class Ticket(BaseModel):
    id: str
    provider: Provider
    external_id: str | None = None
    zendesk_id: str | None = None
    status: TicketStatus = TicketStatus.OPEN
    provider_status: str | None = None
    sync_state: SyncState = SyncState.QUEUED
    last_error: str | None = None
    customer_id: str = ""
    email: str | None = None
    subject: str = ""
    description: str = ""
    resolution: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    data: dict[str, Any] = Field(default_factory=dict)  # provider details; never secrets
    attachments: list[Attachment] = Field(default_factory=list)
    events: list[TicketEvent] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The CLI.md ticket shape (keys are never renamed; extra keys allowed)."""
        return {
            "id": self.id, "provider": self.provider, "external_id": self.external_id,
            "zendesk_id": self.zendesk_id,
            "status": self.status.value, "provider_status": self.provider_status,
            "sync_state": self.sync_state.value, "last_error": self.last_error,
            "customer_id": self.customer_id, "email": self.email, "subject": self.subject,
            "description": self.description, "resolution": self.resolution,
            "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
            "resolved_at": iso(self.resolved_at),
            "attachments": [a.to_json() for a in self.attachments],
            "events": [e.to_json() for e in self.events],
            "details": self.data,
        }


class WriteRecord(BaseModel):
    """An invitation or a feedback as stored locally (CLI.md: id, sync_state, last_error, provider_reference)."""

    id: str
    kind: Literal["invitation", "feedback"]
    sync_state: SyncState = SyncState.QUEUED
    last_error: str | None = None
    provider_reference: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)  # what was sent, never secrets
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "sync_state": self.sync_state.value,
                "last_error": self.last_error, "provider_reference": self.provider_reference,
                "payload": self.payload, "created_at": iso(self.created_at),
                "updated_at": iso(self.updated_at)}


class OutboxItem(BaseModel):
    id: int
    kind: str  # cardlytics_create, support_create, support_upload, invitation, feedback
    target_id: str
    payload: dict[str, Any]
    idem_key: str
    state: str  # pending | in_flight | sent | failed
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime
    updated_at: datetime
    first_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    maybe_delivered: bool = False  # an earlier attempt may have reached the provider

    def to_json(self) -> dict[str, Any]:
        state = {"pending": "queued", "in_flight": "queued"}.get(self.state, self.state)
        return {"id": self.id, "kind": self.kind, "target_id": self.target_id,
                "sync_state": state, "state": self.state, "attempts": self.attempts,
                "last_error": self.last_error, "created_at": iso(self.created_at),
                "updated_at": iso(self.updated_at), "next_attempt_at": iso(self.next_attempt_at)}
