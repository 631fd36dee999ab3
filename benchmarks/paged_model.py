"""A sketch of the inbox model README.md proposes, to measure it next to the window's own model.

Not used by the app. Same contract as TicketTableModel's paging (canFetchMore/fetchMore, keyset
pages from TicketRepo.page_rows, sort in SQL), but it keeps only:
- one keyset anchor (sort value, id) per page of rows fetched so far: 5,000 small tuples at 1M;
- the rows of the last `keep` pages used, as tuples (not dicts), in an LRU.
A page that was dropped is read again from its anchor when the view paints it (one indexed
query of PAGE rows). Memory stays flat however far the agent scrolls, and Python's garbage
collector has no million dicts to walk.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from supportdesk.store import Store, TicketQuery

FIELDS = ("id", "provider", "external_id", "customer_id", "email", "subject", "status", "sync_state",
          "updated_at")
SORT_KEYS = ("provider", "external_id", "customer_id", "subject", "status", "sync_state", "updated_at")
Index = QModelIndex | QPersistentModelIndex


class PagedTicketModel(QAbstractTableModel):
    def __init__(self, store: Store, *, page: int = 200, keep: int = 64) -> None:
        super().__init__()
        self.store = store
        self.page = page
        self.keep = keep
        self.query = TicketQuery()
        self._anchors: list[tuple[Any, str]] = []  # last (sort value, id) of each page
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self._n = 0
        self._done = False
        self._sort_at = FIELDS.index(self.query.sort)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._n

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(FIELDS) - 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        rows = self._rows_of(index.row() // self.page)
        r = index.row() % self.page
        return rows[r][index.column() + 1] if r < len(rows) else None

    def _rows_of(self, page: int) -> list[tuple[Any, ...]]:
        rows = self._pages.get(page)
        if rows is None:
            after = self._anchors[page - 1] if page else None
            rows = self._read(after)
            self._remember(page, rows)
        else:
            self._pages.move_to_end(page)
        return rows

    def _read(self, after: tuple[Any, str] | None) -> list[tuple[Any, ...]]:
        return [tuple(r[f] for f in FIELDS)
                for r in self.store.tickets.page_rows(self.query, after=after, limit=self.page)]

    def _remember(self, page: int, rows: list[tuple[Any, ...]]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self.keep:
            self._pages.popitem(last=False)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and not self._done

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or self._done:
            return
        page = len(self._anchors)
        rows = self._read(self._anchors[-1] if self._anchors else None)
        if len(rows) < self.page:
            self._done = True
        if not rows:
            return
        last = rows[-1]
        self._anchors.append((last[self._sort_at] if last[self._sort_at] is not None else "", last[0]))
        self._remember(page, rows)
        self.beginInsertRows(QModelIndex(), self._n, self._n + len(rows) - 1)
        self._n += len(rows)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS[column] if 0 <= column < len(SORT_KEYS) else "updated_at"
        self.beginResetModel()
        self.query = replace(self.query, sort=key, descending=order == Qt.SortOrder.DescendingOrder)
        self._sort_at = FIELDS.index(key)
        self._anchors, self._pages, self._n, self._done = [], OrderedDict(), 0, False
        self.endResetModel()
        self.fetchMore()
