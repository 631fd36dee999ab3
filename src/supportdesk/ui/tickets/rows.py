"""The inbox's rows and columns: what a row holds and how each column shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Qt

from supportdesk.store.schema import SORTABLE
from supportdesk.ui import format as fmt

if TYPE_CHECKING:
    from supportdesk.models.ticket import Ticket


TicketIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
SyncRole = Qt.ItemDataRole.UserRole + 3
ProviderRole = Qt.ItemDataRole.UserRole + 4


class Column(NamedTuple):
    key: str
    title: str
    sort_keys: tuple[str, ...]  # preferred store columns, first one the store can sort by wins
    width: int

    @property
    def sort_key(self) -> str:
        return next((k for k in self.sort_keys if k in SORTABLE), "updated_at")


COLUMNS: tuple[Column, ...] = (
    Column("provider", "Provider", ("provider",), 86),
    Column("ticket", "Ticket", ("id", "external_id"), 142),
    Column("customer", "Customer", ("customer_id",), 168),
    Column("subject", "Subject", ("subject",), 260),
    Column("status", "Status", ("status",), 104),
    Column("sync", "Sync", ("sync_state",), 78),
    Column("updated", "Updated", ("updated_at",), 86),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}


class Row(NamedTuple):
    """One inbox row: only the columns the list shows or sorts by (no description, no data)."""

    id: str
    provider: str
    external_id: str | None
    zendesk_id: str | None
    status: str
    provider_status: str | None
    sync_state: str
    last_error: str | None
    customer_id: str
    email: str | None
    subject: str
    updated_at: str
    created_at: str


FIELDS = Row._fields


def record_from_ticket(t: Ticket) -> Row:
    from supportdesk.models.ticket import iso

    return Row(t.id, t.provider, t.external_id, t.zendesk_id, t.status.value, t.provider_status,
               t.sync_state.value, t.last_error, t.customer_id, t.email, t.subject,
               iso(t.updated_at) or "", iso(t.created_at) or "")


def display(r: Row, key: str) -> str:
    if key == "provider":
        return fmt.PROVIDER_LABELS.get(r.provider, r.provider)
    if key == "ticket":
        return r.id
    if key == "customer":
        # A cardlytics ticket's e-mail is the filing agent's, not the customer's.
        return (r.email if r.provider == "support" else None) or r.customer_id or ""
    if key == "subject":
        return r.subject or "(no subject)"
    if key == "status":
        return fmt.STATUS_LABELS.get(r.status, r.status)
    if key == "sync":
        return fmt.SYNC_LABELS.get(r.sync_state, r.sync_state)
    if key == "updated":
        return fmt.short_time(r.updated_at)
    return ""

def tooltip(r: Row, key: str) -> str | None:
    if key == "ticket":
        refs = [f"Local id: {r.id}"]
        if r.external_id:
            refs.append(f"Provider id: {r.external_id}")
        if r.zendesk_id:
            refs.append(f"Zendesk: #{r.zendesk_id}")
        return "\n".join(refs)
    if key == "customer":
        return f"Customer {r.customer_id}" + (f"\n{r.email}" if r.email else "")
    if key == "status":
        return f"Provider status: {r.provider_status or '—'}"
    if key == "sync":
        return r.last_error or None
    if key == "updated":
        return fmt.full_time(r.updated_at)
    if key == "subject":
        return r.subject or None
    return None
