"""The inbox model: keyset pages from the store, fetched as the view scrolls; sort and filter in SQL.

No proxy model and no copy of the list: one keyset anchor (sort value, id) per page fetched and
the rows of the last KEEP_PAGES pages used; a page that fell out is read again from its anchor.
Memory stays flat however far the agent scrolls a million tickets. Live updates move the rows
of a short list (selection and scroll position survive a sync); a long list keeps its order.
"""

from __future__ import annotations

import gc
import logging
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal

from supportdesk.store.inbox import InboxQueries, TicketQuery
from supportdesk.ui.tickets.rows import (  # noqa: F401 - COLUMNS and the roles are the model's API too
    AT, COLUMN_INDEX, COLUMNS, FIELDS, ID, ROLES, Row, StatusRole, SyncRole, TicketIdRole, record_from_ticket,
    value,
)

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from supportdesk.models.ticket import Ticket

log = logging.getLogger(__name__)

PAGE_SIZE = 200
KEEP_PAGES = 64  # pages of rows kept in memory (12,800 rows), least recently used dropped first
LIVE_WINDOW = 2000  # up to this many rows a live update re-reads the list and moves rows

Index = QModelIndex | QPersistentModelIndex


class TicketTableModel(QAbstractTableModel):
    queryChanged = Signal(object)  # TicketQuery, after the model was reset for it
    refreshed = Signal()  # after a live re-read
    _pageRead = Signal(int, int, object)  # (generation, page, Future), from the reading thread

    def __init__(self, inbox: InboxQueries, parent: QObject | None = None, *,
                 page_size: int = PAGE_SIZE, keep_pages: int = KEEP_PAGES,
                 background: bool = False) -> None:
        """`background`: pages after the first are read in a worker thread and inserted when they
        arrive, so the window never waits for the disk while the agent scrolls."""
        super().__init__(parent)
        self._inbox = inbox
        self._background = background
        self._pool: ThreadPoolExecutor | None = None
        self._inflight: Future[list[Row]] | None = None
        self._generation = 0  # bumped whenever the list is replaced: late pages are dropped
        self._pageRead.connect(self._page_arrived, Qt.ConnectionType.QueuedConnection)
        self._page = page_size
        self._keep = max(2, keep_pages)
        self._query = TicketQuery()
        self._anchors: list[tuple[Any, str]] = []  # the last (sort value, id) of each page
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._stale: set[int] = set()  # kept pages to re-read (by id) before they are shown again
        self._flat: list[Row] | None = None  # the whole list, only while a live update moves rows
        self._n = 0
        self._exhausted = False
        self.rows_fetched = 0  # rows read from SQL by paging (tests and diagnostics)
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
        r = self._row(index.row())
        return None if r is None else value(r, index.column(), role)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted or self._inflight is not None:
            return
        page = len(self._anchors)
        after = self._anchors[-1] if self._anchors else None
        # The first page is read at once (a reset never shows an empty list); a search reads on
        # this thread too, since it may first index queued tickets through the shared connection.
        if not self._background or after is None or self._query.search:
            self._append(page, self._read(after))
            return
        generation, query = self._generation, self._query
        self._inflight = self.start_reader().submit(self._read, after, None, query)
        self._inflight.add_done_callback(lambda f: self._post(generation, page, f))

    def start_reader(self) -> ThreadPoolExecutor:
        """The page-reading thread, with its read connection. The window starts it once it has
        painted, so the first scroll does not wait for a thread, an import and a connection
        (250 ms once, while the disk was busy at start-up)."""
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor  # not before the first paint

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-pages")
            self._pool.submit(self._inbox.db.one, "SELECT 1")
        return self._pool

    def _post(self, generation: int, page: int, future: Future[list[Row]]) -> None:
        # On the reading thread: hand the page to the model's thread (queued), unless the model
        # is gone meanwhile (the window closed).
        if shiboken6.isValid(self):
            try:
                self._pageRead.emit(generation, page, future)
            except RuntimeError:
                pass

    def _page_arrived(self, generation: int, page: int, future: Future[list[Row]]) -> None:
        if future is not self._inflight:
            return  # the list was replaced (or the model stopped) while this page was read
        self._inflight = None
        if generation != self._generation or page != len(self._anchors):
            return
        if (exc := future.exception()) is not None:
            log.warning("reading inbox page %d failed: %s", page, exc)  # the next scroll retries
            return
        self._append(page, future.result())

    def _append(self, page: int, rows: list[Row]) -> None:
        self.pages_fetched += 1
        self.rows_fetched += len(rows)
        if len(rows) < self._page:
            self._exhausted = True
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), self._n, self._n + len(rows) - 1)
        self._anchors.append(self._anchor(rows[-1]))
        self._remember(page, rows)
        self._n += len(rows)
        self.endInsertRows()

    @property
    def reading(self) -> bool:
        """A page is being read in the background."""
        return self._inflight is not None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.set_query(replace(self._query, sort=COLUMNS[column].sort_key,
                               descending=order == Qt.SortOrder.DescendingOrder))

    # --- pages ----------------------------------------------------------------------------
    def _read(self, after: tuple[Any, str] | None, limit: int | None = None,
              query: TicketQuery | None = None) -> list[Row]:
        rows = [tuple(r) for r in self._inbox.page_rows(query or self._query, after=after,
                                                            limit=limit or self._page, columns=FIELDS)]
        if gc.isenabled():  # a page read as one is dropped leaves CPython's allocation count
            gc.collect(0)  # flat: young rows piled up (14k, a 5 ms pass); this also untracks them
        return rows

    def _anchor(self, r: Row) -> tuple[Any, str]:
        return r[AT[self._query.sort]], r[ID]

    def _remember(self, page: int, rows: list[Row]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self._keep:
            dropped, _ = self._pages.popitem(last=False)
            self._stale.discard(dropped)

    def _rows_of(self, page: int) -> list[Row]:
        rows = self._pages.get(page)
        if rows is None:
            rows = self._read(self._anchors[page - 1] if page else None)
            self.pages_reread += 1
            self._remember(page, rows)
        else:
            self._pages.move_to_end(page)
            if page in self._stale:
                self._stale.discard(page)
                rows[:] = self._fresh(rows)
        return rows

    def _fresh(self, rows: list[Row]) -> list[Row]:
        """The same tickets in the same places, with their current values."""
        now = {r[ID]: tuple(r) for r in self._inbox.rows_by_id([r[ID] for r in rows], FIELDS)}
        return [now.get(r[ID], r) for r in rows]

    def _row(self, row: int) -> Row | None:
        if not 0 <= row < self._n:
            return None
        if self._flat is not None:
            return self._flat[row] if row < len(self._flat) else None
        rows = self._rows_of(row // self._page)
        i = row % self._page
        return rows[i] if i < len(rows) else None

    def _set_rows(self, rows: list[Row]) -> None:
        """Replace the list by `rows` (whole pages, but for the last one when exhausted)."""
        self._pages.clear()
        self._stale.clear()
        self._anchors = []
        for page, start in enumerate(range(0, len(rows), self._page)):
            chunk = rows[start:start + self._page]
            self._anchors.append(self._anchor(chunk[-1]))
            self._remember(page, chunk)
        self._n = len(rows)

    # --- queries --------------------------------------------------------------------------
    @property
    def inbox(self) -> InboxQueries:
        return self._inbox

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
        self._forget_inflight()
        self._query = query
        self._anchors, self._n, self._flat = [], 0, None
        self._pages.clear()
        self._stale.clear()
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
        for page, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r[ID] == ticket_id:
                    return page * self._page + i
        return None

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    @property
    def pages_in_memory(self) -> int:
        return len(self._pages)

    # --- live updates ---------------------------------------------------------------------
    def stop(self) -> None:
        self._pending.stop()
        self._forget_inflight()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _forget_inflight(self) -> None:
        self._generation += 1
        if self._inflight is not None:
            self._inflight.cancel()
            self._inflight = None

    def ticket_changed(self, ticket: Ticket | None = None) -> None:
        """A ticket changed in the store: patch it now, re-read the list shortly after."""
        if ticket is not None and (row := self.row_of(ticket.id)) is not None:
            page, i = divmod(row, self._page)
            if page in self._pages:
                self._pages[page][i] = record_from_ticket(ticket)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        self._pending.start()  # coalesces a burst of changes (a sync) into one re-read

    def refresh_loaded(self) -> None:
        """Bring the rows up to date with the store.

        A short list is re-read and rows move, appear and disappear to match. A long one keeps
        its order (the agent may be far down it): the kept pages are marked stale and re-read by
        id when shown, which for the view means the few pages on screen."""
        self._pending.stop()
        if self._n > LIVE_WINDOW:
            self._stale = set(self._pages)
            if self._n:
                self.dataChanged.emit(self.index(0, 0), self.index(self._n - 1, len(COLUMNS) - 1))
            self.refreshed.emit()
            return
        self._forget_inflight()  # the list is read again whole: a page on its way would be stale
        pages = max(1, -(-self._n // self._page))
        want = pages * self._page
        fresh = self._read(None, want + 1)
        more, fresh = len(fresh) > want, fresh[:want]
        old = [self._row(i) for i in range(self._n)]
        if any(r is None for r in old):  # a re-read page came back short: rows were deleted
            self.beginResetModel()
            self._set_rows(fresh)
            self.endResetModel()
            self._exhausted = not more
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
        self._exhausted = not more
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
