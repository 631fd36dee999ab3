"""The inbox model: the whole list by its count, its rows read a page at a time; sorted and
filtered in SQL.

No proxy model and no copy of the list: the view's scroll bar spans every ticket of the query
from the start (the count is read in the background) and a row is read when it is painted. The
keys of the pages read let any page be read with two index seeks (see pages.py); only the rows of
the last KEEP_PAGES pages used stay in memory, so it stays flat however far the agent scrolls a
million tickets. Live updates move the rows of a short list (selection and scroll position survive
a sync); a long list keeps its order.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal

from supportdesk.store.inbox import InboxQueries, TicketQuery
from supportdesk.ui.tickets.pages import PageMap, Plan
from supportdesk.ui.tickets.reader import PageReader
from supportdesk.ui.tickets.rows import (  # noqa: F401 - COLUMNS and the roles are the model's API too
    AT, COLUMN_INDEX, COLUMNS, FIELDS, ID, ROLES, Row, StatusRole, SyncRole, TicketIdRole, record_from_ticket,
    value,
)

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from supportdesk.models.ticket import Ticket

PAGE_SIZE = 200
KEEP_PAGES = 64  # pages of rows kept in memory (12,800 rows), least recently used dropped first
LIVE_WINDOW = 2000  # up to this many rows a live update re-reads the list and moves rows
SUBJECT_COLUMN = COLUMN_INDEX["subject"]  # shows "…" while its row is read

Index = QModelIndex | QPersistentModelIndex


class TicketTableModel(QAbstractTableModel):
    queryChanged = Signal(object)  # TicketQuery: another sort or filter is shown (not a reload)
    firstPage = Signal()  # the first page of the query is in (at once, or read in the background)
    countChanged = Signal(int)  # the query's count, once known
    refreshed = Signal()  # after a live re-read

    def __init__(self, inbox: InboxQueries, parent: QObject | None = None, *,
                 page_size: int = PAGE_SIZE, keep_pages: int = KEEP_PAGES,
                 background: bool = False) -> None:
        """`background`: the count and the pages the view paints are read in a worker thread and
        shown when they arrive, so the window never waits for the disk (a row not read yet is
        blank for those few milliseconds). Otherwise everything is read when asked."""
        super().__init__(parent)
        self._inbox = inbox
        self._background = background
        self._reader = PageReader(inbox, self._read, self._plan_unless_read, self)
        self._reader.counted.connect(self._set_count)
        self._reader.pageRead.connect(self._page_read)
        self._first_pending = False  # a new sort's first page is on its way (see firstPage)
        self._page = page_size
        self._query = TicketQuery()
        self._map = PageMap(page_size, keep_pages, self._anchor)
        self._flat: list[Row] | None = None  # the whole list, only while a live update moves rows
        self._n = 0
        self._counted = False  # _n is the query's count (not only the first page yet)
        self.rows_fetched = 0  # rows read from SQL (tests and diagnostics)
        self.pages_fetched = 0
        self.pages_reread = 0  # pages read again after they fell out of memory
        self._pending = QTimer(self, singleShot=True, interval=250)
        self._pending.timeout.connect(self.refresh_loaded)

    @property
    def page_size(self) -> int:
        return self._page

    @property
    def live(self) -> bool:
        """Whether a live update re-reads the whole list (it is short) rather than the rows shown."""
        return self._n <= LIVE_WINDOW

    @property
    def counted(self) -> bool:
        """Every row of the query is in the model (the count is in), read or not."""
        return self._counted

    # --- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._n

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
        # A view asks each cell it paints for seven roles (font, colours, check state…): those
        # the inbox has no value for are answered before the row is looked up.
        if role not in ROLES or not index.isValid():
            return None
        r = self._row(index.row(), wait=not self._background)
        if r is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and index.column() == SUBJECT_COLUMN else None
        return value(r, index.column(), role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.set_query(self._query._replace(sort=COLUMNS[column].sort_key,
                                            descending=order == Qt.SortOrder.DescendingOrder))

    # --- reading --------------------------------------------------------------------------
    def start_reader(self) -> ThreadPoolExecutor:
        """The reading thread (see PageReader.start): the window starts it after its first paint."""
        return self._reader.start()

    @property
    def reading(self) -> bool:
        """A page or the count is being read in the background, or waits to be."""
        return self._reader.busy

    def _read(self, plan: Plan, query: TicketQuery | None = None, limit: int | None = None) -> list[Row]:
        rows = [tuple(r) for r in self._inbox.page_rows(
            query or self._query, after=plan.after, before=plan.before, offset=plan.offset,
            limit=limit or self._page, columns=FIELDS)]
        if gc.isenabled():  # a page read as one is dropped leaves CPython's allocation count
            gc.collect(0)  # flat: young rows piled up (14k, a 5 ms pass); this also untracks them
        return rows

    def _anchor(self, r: Row) -> tuple[Any, str]:
        return r[AT[self._query.sort]], r[ID]

    def _plan_unless_read(self, page: int) -> Plan | None:
        return None if page in self._map else self._map.plan(page)

    def _page_read(self, plan: Plan, rows: list[Row]) -> None:
        self._keep_page(plan.page, rows)
        if plan.page == 0 and self._first_pending:
            self._first_pending = False
            self.firstPage.emit()
        last = min(self._n, (plan.page + 1) * self._page) - 1
        if last >= plan.page * self._page:
            self.dataChanged.emit(self.index(plan.page * self._page, 0), self.index(last, len(COLUMNS) - 1))

    def _set_count(self, n: int) -> None:
        self._counted = True
        if n > self._n:
            self.beginInsertRows(QModelIndex(), self._n, n - 1)
            self._n = n
            self.endInsertRows()
        elif n < self._n:  # tickets left the list since its first page was read
            self.beginRemoveRows(QModelIndex(), n, self._n - 1)
            self._n = n
            self.endRemoveRows()
        self.countChanged.emit(n)

    def _keep_page(self, page: int, rows: list[Row]) -> None:
        self.pages_fetched += 1
        self.pages_reread += self._map.seen(page)
        self.rows_fetched += len(rows)
        self._map.put(page, rows)

    def _rows_of(self, page: int, wait: bool) -> list[Row] | None:
        rows = self._map.get(page)
        if rows is None:
            if not wait:
                self._reader.want(page)
                return None
            rows = self._read(self._map.plan(page))
            self._keep_page(page, rows)
        elif page in self._map.stale:
            self._map.stale.discard(page)
            rows[:] = self._fresh(rows)
        return rows

    def _fresh(self, rows: list[Row]) -> list[Row]:
        """The same tickets in the same places, with their current values."""
        now = {r[ID]: tuple(r) for r in self._inbox.rows_by_id([r[ID] for r in rows], FIELDS)}
        return [now.get(r[ID], r) for r in rows]

    def _row(self, row: int, wait: bool = True) -> Row | None:
        if not 0 <= row < self._n:
            return None
        if self._flat is not None:
            return self._flat[row] if row < len(self._flat) else None
        page, i = divmod(row, self._page)
        rows = self._rows_of(page, wait)
        return rows[i] if rows is not None and i < len(rows) else None

    def _set_rows(self, rows: list[Row]) -> None:
        """Replace the list by `rows`: all of it."""
        self._map.clear()
        for page, start in enumerate(range(0, len(rows), self._page)):
            self._map.put(page, rows[start:start + self._page])
        self._n = len(rows)
        self._counted = True

    # --- queries --------------------------------------------------------------------------
    @property
    def inbox(self) -> InboxQueries:
        return self._inbox

    @property
    def query(self) -> TicketQuery:
        return self._query

    def set_filters(self, *, status: str | None = None, provider: str | None = None,
                    search: str | None = None) -> None:
        self.set_query(self._query._replace(status=status or None, provider=provider or None,
                                            search=(search or "").strip() or None))

    def set_query(self, query: TicketQuery, *, force: bool = False) -> None:
        """Show another query. Its first page is read at once (a reset never flashes an empty
        list), its count in the background. A new sort of the same list keeps its count and
        reads its first page in the background (a header click never waits for the disk); it
        is a layout change, not a reset, which at 1M rows made the header count its sections
        again (4 ms)."""
        changed = query != self._query
        if not (changed or force):
            return
        same_list = query._replace(sort="", descending=False) == self._query._replace(sort="", descending=False)
        if self._background and self._counted and changed and same_list:
            self.layoutAboutToBeChanged.emit()
            self._replace(query)
            persistent = self.persistentIndexList()  # the rows hold other tickets now
            self.changePersistentIndexList(persistent, [QModelIndex()] * len(persistent))
            self.layoutChanged.emit()
            self._first_pending = True
            self._reader.want(0)
        else:
            self.beginResetModel()
            self._replace(query)
            rows = self._read(Plan(0))
            self._keep_page(0, rows)
            self._n = len(rows)
            self._counted = len(rows) < self._page
            if not self._counted:
                if self._background:
                    self._reader.want_count()
                else:
                    self._n, self._counted = self._inbox.count(query), True
            self.endResetModel()
            self.firstPage.emit()
        if changed:
            self.queryChanged.emit(query)
        if self._counted:
            self.countChanged.emit(self._n)

    def _replace(self, query: TicketQuery) -> None:
        self._query = query
        self._forget_inflight()
        self._map.clear()
        self._flat = None

    def reload(self) -> None:
        self.set_query(self._query, force=True)

    def sort_column(self) -> int:
        for i, c in enumerate(COLUMNS):
            if c.sort_key == self._query.sort:
                return i
        return COLUMN_INDEX["updated"]

    def count(self, query: TicketQuery | None = None) -> int:
        return self._inbox.count(query or self._query)

    # --- rows -----------------------------------------------------------------------------
    def ticket_id(self, row: int) -> str | None:
        r = self._row(row)
        return r[ID] if r is not None else None

    def record(self, row: int) -> dict[str, Any] | None:
        r = self._row(row)
        return dict(zip(FIELDS, r)) if r is not None else None

    def row_of(self, ticket_id: str) -> int | None:
        """The row of a ticket among the rows in memory (None if it is not loaded)."""
        if self._flat is not None:
            return next((i for i, r in enumerate(self._flat) if r[ID] == ticket_id), None)
        for page, rows in self._map.items():
            for i, r in enumerate(rows):
                if r[ID] == ticket_id:
                    return page * self._page + i
        return None

    @property
    def pages_in_memory(self) -> int:
        return len(self._map)

    # --- live updates ---------------------------------------------------------------------
    def stop(self) -> None:
        self._pending.stop()
        self._first_pending = False
        self._reader.stop()

    def _forget_inflight(self) -> None:
        self._first_pending = False
        self._reader.reset(self._query)

    def ticket_changed(self, ticket: Ticket | None = None) -> None:
        """A ticket changed in the store: patch it now, re-read the list shortly after."""
        if ticket is not None and (row := self.row_of(ticket.id)) is not None:
            page, i = divmod(row, self._page)
            if (rows := self._map.get(page)) is not None:
                rows[i] = record_from_ticket(ticket)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        self._pending.start()  # coalesces a burst of changes (a sync) into one re-read

    def refresh_loaded(self) -> None:
        """Bring the rows up to date with the store.

        A short list is re-read and rows move, appear and disappear to match. A long one keeps
        its order (the agent may be far down it): the kept pages are marked stale and re-read by
        id when shown, which for the view means the few pages on screen."""
        self._pending.stop()
        if not self.live:
            self._map.stale = {page for page, _ in self._map.items()}
            if self._n:
                self.dataChanged.emit(self.index(0, 0), self.index(self._n - 1, len(COLUMNS) - 1))
            self.refreshed.emit()
            return
        fresh = self._read(Plan(0), limit=LIVE_WINDOW + 1)
        if len(fresh) > LIVE_WINDOW:  # the list grew long: read it as one
            self.reload()
            self.refreshed.emit()
            return
        self._forget_inflight()  # the list is read again whole: a page on its way would be stale
        old = [self._row(i) for i in range(self._n)]
        if any(r is None for r in old):  # a re-read page came back short: rows were deleted
            self.beginResetModel()
            self._set_rows(fresh)
            self.endResetModel()
            self.refreshed.emit()
            return
        old_ids = [r[ID] if r is not None else "" for r in old]
        new_ids = [r[ID] for r in fresh]
        if old_ids == new_ids:
            changed = [i for i, (a, b) in enumerate(zip(old, fresh)) if a != b]
            self._set_rows(fresh)
            if changed:
                self.dataChanged.emit(self.index(min(changed), 0),
                                      self.index(max(changed), len(COLUMNS) - 1))
        else:
            self._apply_diff([r for r in old if r is not None], fresh, new_ids)
        self.refreshed.emit()

    def _apply_diff(self, rows: list[Row], fresh: list[Row], new_ids: list[str]) -> None:
        self._flat = rows  # what the view sees while rows are removed, added, then put in order
        self._n = len(rows)
        keep = set(new_ids)
        # 1. rows that left the list (filtered out, or pushed past it), removed in runs.
        i = len(rows) - 1
        while i >= 0:
            if rows[i][ID] in keep:
                i -= 1
                continue
            end = i
            while i >= 0 and rows[i][ID] not in keep:
                i -= 1
            self.beginRemoveRows(QModelIndex(), i + 1, end)
            del rows[i + 1:end + 1]
            self._n = len(rows)
            self.endRemoveRows()
        # 2. rows new to the list, appended; 3. one layout change puts everything in order.
        have = {r[ID] for r in rows}
        added = [r for r in fresh if r[ID] not in have]
        if added:
            self.beginInsertRows(QModelIndex(), len(rows), len(rows) + len(added) - 1)
            rows.extend(added)
            self._n = len(rows)
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        before = [r[ID] for r in rows]
        where = {tid: n for n, tid in enumerate(new_ids)}
        persistent = self.persistentIndexList()
        moved = [self.index(where[before[p.row()]], p.column()) if 0 <= p.row() < len(before)
                 else QModelIndex() for p in persistent]
        self._flat = None
        self._set_rows(fresh)
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
