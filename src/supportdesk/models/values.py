"""Plain values every layer shares: statuses, sync states, time stamps, the status mapping.

No pydantic here: the window's first paint needs these before the records' models are imported.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import Literal

Provider = Literal["cardlytics", "support"]
PROVIDERS: tuple[str, ...] = ("cardlytics", "support")


class TicketStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"


class SyncState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    SYNCED = "synced"
    FAILED = "failed"


class AttachmentKind(StrEnum):
    LOG = "log"
    PHOTO = "photo"

    @property
    def wire(self) -> str:
        return "LOG" if self is AttachmentKind.LOG else "FEEDBACK_PHOTO"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(dt: datetime | None) -> str | None:
    """RFC 3339 with an offset (UTC as Z) — what every printed and exported time stamp uses."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


# --- status mapping (PROVIDERS.md, wasabi "Status mapping") -------------------------------

_SUPPORT_RESOLVED = {"SOLVED", "CLOSED"}


def support_status(raw: str | None) -> TicketStatus:
    if raw is None:
        return TicketStatus.OPEN
    if raw.strip().upper() in _SUPPORT_RESOLVED:
        return TicketStatus.RESOLVED
    # CREATED, NEW, OPEN, PENDING, HOLD and anything unknown: the provider has it.
    return TicketStatus.IN_PROGRESS


def cardlytics_status(raw: str | None, processing_status: str | None = None) -> TicketStatus:
    """raw is Retrieve's/an event's `status`; processing_status the event's processingStatus."""
    if raw is not None and raw.strip().lower() == "closed":
        return TicketStatus.RESOLVED
    if processing_status is not None and processing_status.strip().lower() == "error":
        return TicketStatus.OPEN
    if raw is None and processing_status is None:
        return TicketStatus.OPEN
    # "In Process", a Success event without status, or an unknown value (raw kept).
    return TicketStatus.IN_PROGRESS


STATUS_RANK = {TicketStatus.OPEN: 0, TicketStatus.IN_PROGRESS: 1, TicketStatus.RESOLVED: 2}
