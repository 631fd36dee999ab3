"""The inbox model: keyset pages from the store, fetched as the view scrolls; sort and filter in SQL.

No QSortFilterProxyModel: with 100k+ cached tickets only the rows the agent scrolls to are read.
Live updates re-read the loaded window and move rows with proper remove/insert/layout signals, so
the selection and scroll position survive a sync.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal

from supportdesk.models.ticket import Ticket, iso
from supportdesk.store import Store, TicketQuery
from supportdesk.store.schema import SORTABLE
from supportdesk.ui import format as fmt

log = logging.getLogger(__name__)

PAGE_SIZE = 200
LIVE_WINDOW = 2000  # beyond this many loaded rows, live updates patch in place instead of re-reading

TicketIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
SyncRole = Qt.ItemDataRole.UserRole + 3
ProviderRole = Qt.ItemDataRole.UserRole + 4

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
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
_FIELDS = ("id", "provider", "external_id", "zendesk_id", "status", "provider_status", "sync_state",
           "last_error", "customer_id", "email", "subject", "updated_at", "created_at")


def _record(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in _FIELDS}


def record_from_ticket(t: Ticket) -> dict[str, Any]:
    return {"id": t.id, "provider": t.provider, "external_id": t.external_id,
            "zendesk_id": t.zendesk_id, "status": t.status.value, "provider_status": t.provider_status,
            "sync_state": t.sync_state.value, "last_error": t.last_error, "customer_id": t.customer_id,
            "email": t.email, "subject": t.subject, "updated_at": iso(t.updated_at),
            "created_at": iso(t.created_at)}


class TicketTableModel(QAbstractTableModel):
    queryChanged = Signal(object)  # TicketQuery, after the model was reset for it
    refreshed = Signal()  # after a live re-read

    def __init__(self, store: Store, parent: QObject | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._store = store
        self._page = page_size
        self._query = TicketQuery()
        self._rows: list[dict[str, Any]] = []
        self._pos: dict[str, int] | None = None
        self._exhausted = False
        self.rows_fetched = 0  # rows read from SQL by paging (tests and diagnostics)
        self.pages_fetched = 0
        self._pending = QTimer(self, singleShot=True, interval=250)
        self._pending.timeout.connect(self.refresh_loaded)

    # --- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Sort by {COLUMNS[section].title.lower()} (sorted by the cache, in SQL)"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r = self._rows[index.row()]
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, key)
        if role == TicketIdRole:
            return r["id"]
        if role == StatusRole:
            return r["status"]
        if role == SyncRole:
            return r["sync_state"]
        if role == ProviderRole:
            return r["provider"]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[index.column()].title}: {self._display(r, key)}"
        return None

    @staticmethod
    def _display(r: dict[str, Any], key: str) -> str:
        if key == "provider":
            return fmt.PROVIDER_LABELS.get(r["provider"], r["provider"])
        if key == "ticket":
            return r["id"]
        if key == "customer":
            # A cardlytics ticket's e-mail is the filing agent's, not the customer's.
            return (r["email"] if r["provider"] == "support" else None) or r["customer_id"] or ""
        if key == "subject":
            return r["subject"] or "(no subject)"
        if key == "status":
            return fmt.STATUS_LABELS.get(r["status"], r["status"])
        if key == "sync":
            return fmt.SYNC_LABELS.get(r["sync_state"], r["sync_state"])
        if key == "updated":
            return fmt.short_time(r["updated_at"])
        return ""

    @staticmethod
    def _tooltip(r: dict[str, Any], key: str) -> str | None:
        if key == "ticket":
            refs = [f"Local id: {r['id']}"]
            if r["external_id"]:
                refs.append(f"Provider id: {r['external_id']}")
            if r["zendesk_id"]:
                refs.append(f"Zendesk: #{r['zendesk_id']}")
            return "\n".join(refs)
        if key == "customer":
            return f"Customer {r['customer_id']}" + (f"\n{r['email']}" if r["email"] else "")
        if key == "status":
            return f"Provider status: {r['provider_status'] or '—'}"
        if key == "sync":
            return r["last_error"] or None
        if key == "updated":
            return fmt.full_time(r["updated_at"])
        if key == "subject":
            return r["subject"] or None
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        after = None
        if self._rows:
            last = self._rows[-1]
            after = (last[self._query.sort], last["id"])
        rows = self._store.tickets.page_rows(self._query, after=after, limit=self._page)
        self.pages_fetched += 1
        self.rows_fetched += len(rows)
        if len(rows) < self._page:
            self._exhausted = True
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(_record(r) for r in rows)
            self._pos = None
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.set_query(replace(self._query, sort=COLUMNS[column].sort_key,
                               descending=order == Qt.SortOrder.DescendingOrder))

    # --- queries --------------------------------------------------------------------------
    @property
    def query(self) -> TicketQuery:
        return self._query

    def set_filters(self, *, status: str | None = None, provider: str | None = None,
                    search: str | None = None) -> None:
        self.set_query(replace(self._query, status=status or None, provider=provider or None,
                               search=(search or "").strip() or None))

    def set_query(self, query: TicketQuery, *, force: bool = False) -> None:
        if query == self._query and not force:
            return
        self.beginResetModel()
        self._query = query
        self._rows = []
        self._pos = None
        self._exhausted = False
        self.endResetModel()
        self.fetchMore()  # the first page now, so a reset never shows an empty flash
        self.queryChanged.emit(query)

    def reload(self) -> None:
        self.set_query(self._query, force=True)

    def sort_column(self) -> int:
        for i, c in enumerate(COLUMNS):
            if c.sort_key == self._query.sort:
                return i
        return COLUMN_INDEX["updated"]

    def count(self, query: TicketQuery | None = None) -> int:
        return self._store.tickets.count(query or self._query)

    # --- rows -----------------------------------------------------------------------------
    def ticket_id(self, row: int) -> str | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None

    def record(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, ticket_id: str) -> int | None:
        if self._pos is None:
            self._pos = {r["id"]: i for i, r in enumerate(self._rows)}
        return self._pos.get(ticket_id)

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    # --- live updates ---------------------------------------------------------------------
    def stop(self) -> None:
        self._pending.stop()

    def ticket_changed(self, ticket: Ticket | None = None) -> None:
        """A ticket changed in the store: patch it now, re-read the loaded window shortly after."""
        if ticket is not None:
            row = self.row_of(ticket.id)
            if row is not None:
                self._rows[row] = record_from_ticket(ticket)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        if len(self._rows) <= LIVE_WINDOW:
            self._pending.start()  # coalesces a burst of changes (a sync) into one re-read

    def refresh_loaded(self) -> None:
        """Re-read as many rows as are loaded and move/insert/remove rows to match."""
        self._pending.stop()
        n = max(len(self._rows), self._page)
        if n > LIVE_WINDOW:
            return
        fresh = [_record(r) for r in self._store.tickets.page_rows(self._query, limit=n + 1)]
        more, fresh = len(fresh) > n, fresh[:n]
        old_ids = [r["id"] for r in self._rows]
        new_ids = [r["id"] for r in fresh]
        if old_ids == new_ids:
            changed = [i for i, (a, b) in enumerate(zip(self._rows, fresh)) if a != b]
            self._rows = fresh
            if changed:
                self.dataChanged.emit(self.index(min(changed), 0),
                                      self.index(max(changed), len(COLUMNS) - 1))
        else:
            self._apply_diff(fresh, new_ids)
        self._exhausted = not more
        self.refreshed.emit()

    def _apply_diff(self, fresh: list[dict[str, Any]], new_ids: list[str]) -> None:
        keep = set(new_ids)
        # 1. rows that left the window (filtered out, or pushed past it), removed in runs.
        i = len(self._rows) - 1
        while i >= 0:
            if self._rows[i]["id"] in keep:
                i -= 1
                continue
            end = i
            while i >= 0 and self._rows[i]["id"] not in keep:
                i -= 1
            self.beginRemoveRows(QModelIndex(), i + 1, end)
            del self._rows[i + 1:end + 1]
            self.endRemoveRows()
        # 2. rows new to the window, appended; 3. one layout change puts everything in order.
        have = {r["id"] for r in self._rows}
        added = [r for r in fresh if r["id"] not in have]
        if added:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            self._rows.extend(added)
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        before = [r["id"] for r in self._rows]
        where = {tid: n for n, tid in enumerate(new_ids)}
        persistent = self.persistentIndexList()
        moved = [self.index(where[before[p.row()]], p.column()) if 0 <= p.row() < len(before)
                 else QModelIndex() for p in persistent]
        self._rows = fresh
        self._pos = None
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
