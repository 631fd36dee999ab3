"""The inbox: a filter bar (instant search, status, provider, count) over the ticket table."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu,
    QTableView, QVBoxLayout, QWidget,
)

from supportdesk.store.inbox import TicketQuery
from supportdesk.ui.tasks import TaskRunner, alive
from supportdesk.ui.tickets.model import COLUMN_INDEX, COLUMNS, StatusRole, SyncRole, TicketTableModel
from supportdesk.ui.widgets.pill import PillDelegate

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
# The widest forms of format.short_time: the Updated column is made wide enough for them.
TIME_SAMPLES = ("28 May 23:59", "28 Sep 2026", "Wed 23:59")
MIN_SUBJECT, MIN_DETAIL = 220, 420  # px a first layout gives the subject column and the detail pane
STATUSES = (("All statuses", None), ("Open", "OPEN"), ("In progress", "IN_PROGRESS"),
            ("Resolved", "RESOLVED"))
PROVIDERS = (("All providers", None), ("Cardlytics", "cardlytics"), ("Support", "support"))


class FilterBar(QFrame):
    changed = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search tickets — subject, customer, e-mail, id, message…  ( / )")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(theme.icon("search", "muted"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setAccessibleName("Search tickets")
        self.search.setAccessibleDescription("Full-text search of the cached tickets; results update as you type")
        self.status = self._combo(STATUSES, "Filter by status")
        self.provider = self._combo(PROVIDERS, "Filter by provider")
        self.count = QLabel(self)
        self.count.setObjectName("countLabel")
        self.count.setAccessibleName("Number of matching tickets")
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.status.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.provider.currentIndexChanged.connect(lambda _i: self.changed.emit())
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 10, 8)
        row.setSpacing(8)
        row.addWidget(self.search, 1)
        row.addWidget(self.status)
        row.addWidget(self.provider)
        row.addWidget(self.count)

    def _combo(self, items: tuple[tuple[str, str | None], ...], name: str) -> QComboBox:
        combo = QComboBox(self)
        for label, value in items:
            combo.addItem(label, value)
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        return combo

    def values(self) -> dict[str, str | None]:
        return {"status": self.status.currentData(), "provider": self.provider.currentData(),
                "search": self.search.text()}

    def flush(self) -> None:
        """Apply a pending search now (Enter, or a test that does not want to wait)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()


class TicketTable(QTableView):
    def __init__(self, model: TicketTableModel, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setObjectName("ticketTable")
        self.setAccessibleName("Tickets")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for i, col in enumerate(COLUMNS):
            header.resizeSection(i, col.width)
        # 8 px of cell padding each side (app.qss) and a little air: an older ticket's date
        # ("28 Sep 2026") was cut to "28 Sep …" at the default font.
        fm = self.fontMetrics()
        updated = COLUMN_INDEX["updated"]
        header.resizeSection(updated, max(COLUMNS[updated].width, max(map(fm.horizontalAdvance, TIME_SAMPLES)) + 22))
        header.setSectionResizeMode(COLUMN_INDEX["subject"], QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(COLUMN_INDEX["updated"], Qt.SortOrder.DescendingOrder)
        self.setItemDelegateForColumn(COLUMN_INDEX["status"], PillDelegate("status", StatusRole, theme, self))
        self.setItemDelegateForColumn(COLUMN_INDEX["sync"], PillDelegate("sync", SyncRole, theme, self))
        self.setSortingEnabled(True)


class TicketListView(QWidget):
    """Emits the selected ticket's id; keeps it selected across filter changes and live updates."""

    currentTicketChanged = Signal(object)  # str | None
    ticketActivated = Signal(str)

    def __init__(self, model: TicketTableModel, tasks: TaskRunner, theme: Theme,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._tasks = tasks
        self._current: str | None = None
        self._keep: str | None = None  # the ticket selected before a reset, selected again after
        self._context_actions: list[QAction] = []
        self.filters = FilterBar(theme, self)
        self.table = TicketTable(model, theme, self)
        self.empty: QLabel | None = None  # made when the list is first empty (see _update_empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        self._count_later = QTimer(self, singleShot=True, interval=100)
        self._count_later.timeout.connect(self._update_count)
        self.filters.changed.connect(self._apply_filters)
        self.filters.search.returnPressed.connect(self._search_entered)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.activated.connect(self._activated)
        self.table.customContextMenuRequested.connect(self._context_menu)
        model.modelAboutToBeReset.connect(self._before_reset)
        model.layoutAboutToBeChanged.connect(self._before_reset)  # a new sort
        model.queryChanged.connect(lambda _q: self.table.scrollToTop())  # not on a reload after a sync
        model.firstPage.connect(self._first_page)
        model.countChanged.connect(lambda n: self._show_count(self.model.query, n))  # no count of its own
        model.rowsInserted.connect(lambda *_: self._update_empty())
        model.rowsRemoved.connect(lambda *_: self._update_empty())
        model.refreshed.connect(self._after_refresh)
        QTimer.singleShot(0, self._update_empty)  # once the first page is read

    # --- public ---------------------------------------------------------------------------
    @property
    def current_ticket(self) -> str | None:
        return self._current

    def set_context_actions(self, actions: list[QAction]) -> None:
        self._context_actions = actions

    def focus_search(self) -> None:
        self.filters.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search.selectAll()

    def select_ticket(self, ticket_id: str) -> bool:
        row = self.model.row_of(ticket_id)
        if row is None:
            return False
        self._select_row(row)
        return True

    def select_first(self) -> None:
        if self.model.rowCount():
            self._select_row(0)

    def step(self, delta: int) -> None:
        """Next (+1) / previous (-1) ticket."""
        row = self.table.currentIndex().row()
        target = 0 if row < 0 else row + delta
        if 0 <= target < self.model.rowCount():
            self._select_row(target)

    def first_split(self, total: int) -> list[int]:
        """The inbox's and the detail pane's widths in a first layout `total` px wide: 62 % for the
        inbox, or more so that the subject gets MIN_SUBJECT px beside the other columns, as long
        as the detail pane keeps MIN_DETAIL."""
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(i) for i in range(len(COLUMNS)) if i != COLUMN_INDEX["subject"])
        scroll = self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth()
        share = int(total * 0.62)
        inbox = min(max(share, others + scroll + MIN_SUBJECT), max(share, total - MIN_DETAIL))
        return [inbox, total - inbox]

    def save_state(self) -> QByteArray:
        return self.table.horizontalHeader().saveState()

    def restore_state(self, state: QByteArray | bytes | None) -> None:
        header = self.table.horizontalHeader()
        if state and header.restoreState(QByteArray(state)):
            header.setSectionResizeMode(COLUMN_INDEX["subject"], QHeaderView.ResizeMode.Stretch)
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def refresh(self) -> None:
        """After a sync or an edit: bring the list up to date without losing the agent's place.

        A long list near its top is read again from the first page (new tickets show at once);
        far down it keeps its order and refreshes the rows on screen (see the model)."""
        top = self.table.rowAt(0)
        if not self.model.live and 0 <= top < self.model.page_size:
            self.model.reload()
        else:
            self.model.refresh_loaded()

    def update_count(self) -> None:
        self._update_count()

    def stop(self) -> None:
        """No more queries from pending timers (the window is closing)."""
        self.filters._debounce.stop()
        self._count_later.stop()
        self.model.stop()

    # --- internals ------------------------------------------------------------------------
    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def _apply_filters(self) -> None:
        v = self.filters.values()
        self.model.set_filters(status=v["status"], provider=v["provider"], search=v["search"])

    def _search_entered(self) -> None:
        self.filters.flush()
        if self.model.rowCount():
            self.table.setFocus()
            if self.table.currentIndex().row() < 0:
                self.select_first()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        tid = self.model.ticket_id(current.row()) if current.isValid() else None
        if tid != self._current:
            self._current = tid
            self.currentTicketChanged.emit(tid)

    def _activated(self, index: QModelIndex) -> None:
        tid = self.model.ticket_id(index.row())
        if tid:
            self.ticketActivated.emit(tid)

    def _before_reset(self) -> None:
        self._keep = self._current

    def _first_page(self) -> None:
        # Right after the reset, or a moment later for a new sort (read in the background).
        self._update_empty()
        self._reselect(self._keep)

    def _reselect(self, ticket_id: str | None) -> None:
        if not alive(self):
            return
        if ticket_id and self.select_ticket(ticket_id):
            return
        if self._current is not None and self.model.row_of(self._current) is None:
            self._current = None
            self.currentTicketChanged.emit(None)

    def _after_refresh(self) -> None:
        self._update_empty()
        self._update_count()

    def _update_empty(self) -> None:
        if not alive(self):  # a deferred call after the window closed
            return
        empty = self.model.rowCount() == 0
        if empty:
            if self.empty is None:
                # Over the table's viewport. Not made up front: PySide's first viewport() call
                # resolves ~60 widget classes (~9 ms before the window's first paint).
                self.empty = QLabel(self.table.viewport())
                self.empty.setObjectName("emptyState")
                self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.empty.setWordWrap(True)
            q = self.model.query
            filtered = bool(q.search or q.status or q.provider)
            self.empty.setText("No tickets match these filters.\nClear the search (Esc) or change the filters."
                               if filtered else
                               "No tickets in the cache yet.\nPress F5 to sync, or Ctrl+N to file a new ticket.")
            self.empty.resize(self.table.viewport().size())
        if self.empty is not None:
            self.empty.setVisible(empty)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.empty is not None:
            self.empty.resize(self.table.viewport().size())

    def _update_count(self) -> None:
        if not self._tasks.loop_running():
            # Start-up paints before the asyncio loop runs; a count over a big cache can take a
            # while, so it waits for the loop (and its worker threads) rather than delay the paint.
            self._count_later.start()
            return
        self._tasks.spawn(self._count(self.model.query), "inbox-count")

    async def _count(self, query: TicketQuery) -> None:
        import asyncio

        n = await asyncio.to_thread(self.model.count, query)
        if alive(self):
            self._show_count(query, n)

    def _show_count(self, query: TicketQuery, n: int) -> None:
        if query != self.model.query:
            return  # a newer query is on its way
        self.filters.count.setText(f"{n:,} ticket{'s' if n != 1 else ''}")

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid() or not self._context_actions:
            return
        self._select_row(index.row())
        menu = QMenu(self)
        for action in self._context_actions:
            menu.addAction(action)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        from PySide6.QtGui import QKeySequence  # built after the first paint (see WindowActions.bind_keys)

        if event.matches(QKeySequence.StandardKey.Cancel) and self.filters.search.text():
            self.filters.search.clear()
            self.filters.flush()
            self.table.setFocus()
            return
        super().keyPressEvent(event)
