"""The inbox's rows and columns: what a row holds and how each column shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import Qt

from supportdesk.store.schema import SORTABLE
from supportdesk.ui import format as fmt

if TYPE_CHECKING:
    from supportdesk.models.ticket import Ticket


TicketIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
SyncRole = Qt.ItemDataRole.UserRole + 3
ProviderRole = Qt.ItemDataRole.UserRole + 4
ROLES = frozenset(int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                   Qt.ItemDataRole.AccessibleTextRole, TicketIdRole, StatusRole, SyncRole,
                                   ProviderRole))  # the roles a row has a value for


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
    Column("customer", "Customer", ("customer_id",), 150),
    Column("subject", "Subject", ("subject",), 260),
    Column("status", "Status", ("status",), 104),
    Column("sync", "Sync", ("sync_state",), 78),
    Column("updated", "Updated", ("updated_at",), 86),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}


# One inbox row: only the columns the list shows or sorts by (no description, no data), as a plain
# tuple: CPython stops tracking a tuple of strings in the garbage collector, a named tuple never
# (12,800 kept rows were nearly all a full collection walked while the agent scrolled).
FIELDS = ("id", "provider", "external_id", "zendesk_id", "status", "provider_status", "sync_state",
          "last_error", "customer_id", "email", "subject", "updated_at", "created_at")
AT = {name: i for i, name in enumerate(FIELDS)}
(ID, PROVIDER, EXTERNAL_ID, ZENDESK_ID, STATUS, PROVIDER_STATUS, SYNC_STATE, LAST_ERROR, CUSTOMER_ID,
 EMAIL, SUBJECT, UPDATED_AT, CREATED_AT) = range(len(FIELDS))
Row = tuple  # of FIELDS, in that order


def record_from_ticket(t: Ticket) -> Row:
    from supportdesk.models.ticket import iso

    return (t.id, t.provider, t.external_id, t.zendesk_id, t.status.value, t.provider_status,
            t.sync_state.value, t.last_error, t.customer_id, t.email, t.subject,
            iso(t.updated_at) or "", iso(t.created_at) or "")


def display(r: Row, key: str) -> str:
    if key == "provider":
        return fmt.PROVIDER_LABELS.get(r[PROVIDER], r[PROVIDER])
    if key == "ticket":
        return r[ID]
    if key == "customer":
        # A cardlytics ticket's e-mail is the filing agent's, not the customer's.
        return (r[EMAIL] if r[PROVIDER] == "support" else None) or r[CUSTOMER_ID] or ""
    if key == "subject":
        return r[SUBJECT] or "(no subject)"
    if key == "status":
        return fmt.STATUS_LABELS.get(r[STATUS], r[STATUS])
    if key == "sync":
        return fmt.SYNC_LABELS.get(r[SYNC_STATE], r[SYNC_STATE])
    if key == "updated":
        return fmt.short_time(r[UPDATED_AT])
    return ""


def tooltip(r: Row, key: str) -> str | None:
    if key == "ticket":
        refs = [f"Local id: {r[ID]}"]
        if r[EXTERNAL_ID]:
            refs.append(f"Provider id: {r[EXTERNAL_ID]}")
        if r[ZENDESK_ID]:
            refs.append(f"Zendesk: #{r[ZENDESK_ID]}")
        return "\n".join(refs)
    if key == "customer":
        return f"Customer {r[CUSTOMER_ID]}" + (f"\n{r[EMAIL]}" if r[EMAIL] else "")
    if key == "status":
        return f"Provider status: {r[PROVIDER_STATUS] or '—'}"
    if key == "sync":
        return r[LAST_ERROR] or None
    if key == "updated":
        return fmt.full_time(r[UPDATED_AT])
    if key == "subject":
        return r[SUBJECT] or None
    return None


def value(r: Row, column: int, role: int) -> Any:
    """A cell's value for one of ROLES."""
    key = COLUMNS[column].key
    if role == Qt.ItemDataRole.DisplayRole:
        return display(r, key)
    if role == Qt.ItemDataRole.ToolTipRole:
        return tooltip(r, key)
    if role == TicketIdRole:
        return r[ID]
    if role == StatusRole:
        return r[STATUS]
    if role == SyncRole:
        return r[SYNC_STATE]
    if role == ProviderRole:
        return r[PROVIDER]
    if role == Qt.ItemDataRole.AccessibleTextRole:
        return f"{COLUMNS[column].title}: {display(r, key)}"
    return None
