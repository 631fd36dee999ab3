"""The outbox window: every undelivered write with its reason; retry, send now, drop."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from supportdesk.models.ticket import OutboxItem
from supportdesk.ui import format as fmt
from supportdesk.ui.tasks import TaskRunner, alive
from supportdesk.ui.widgets.pill import PillDelegate

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

log = logging.getLogger(__name__)

KIND_LABELS = {"cardlytics_create": "Cardlytics ticket", "support_create": "Support ticket",
               "support_upload": "File upload", "invitation": "Invitation", "feedback": "Feedback"}
STATE = {"pending": ("queued", "Queued"), "in_flight": ("sent", "Sending"), "failed": ("failed", "Failed")}
HEADERS = ("#", "What", "For", "State", "Attempts", "Next attempt", "Reason")
StateRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class OutboxModel(QAbstractTableModel):
    def __init__(self, store: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.items: list[OutboxItem] = []

    def reload(self) -> None:
        items = self.store.outbox.undelivered()
        if [(i.id, i.state, i.attempts, i.last_error) for i in items] == \
                [(i.id, i.state, i.attempts, i.last_error) for i in self.items]:
            return  # nothing new: keep the selection and the scroll position
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        col = index.column()
        if role == StateRole:
            return STATE.get(item.state, ("queued", item.state))[0]
        if role == Qt.ItemDataRole.ToolTipRole and col == 6:
            return item.last_error
        if role == Qt.ItemDataRole.ToolTipRole and col == 5:
            return fmt.full_time(item.next_attempt_at)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return str(item.id)
        if col == 1:
            return KIND_LABELS.get(item.kind, item.kind)
        if col == 2:
            return item.target_id
        if col == 3:
            return STATE.get(item.state, ("", item.state))[1]
        if col == 4:
            return str(item.attempts)
        if col == 5:
            return "—" if item.state == "failed" else fmt.short_time(item.next_attempt_at)
        if col == 6:
            return fmt.split_hint(item.last_error)[0] or ("Not tried yet" if not item.attempts else "")
        return None


class OutboxWindow(QWidget):
    ticketRequested = Signal(str)
    changed = Signal()

    def __init__(self, services: Any, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.services, self.theme = services, theme
        self.tasks = TaskRunner()
        self.setWindowTitle("Outbox — Supportdesk")
        self.setWindowIcon(theme.icon("outbox"))
        self.setAccessibleName("Outbox")
        self.model = OutboxModel(services.store, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Undelivered writes")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.table.horizontalHeader()
        for col, width in enumerate((44, 130, 140, 90, 84, 110, 300)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.setItemDelegateForColumn(3, PillDelegate("sync", StateRole, theme, self.table))
        self.summary = QLabel(self)
        self.summary.setObjectName("muted")
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason.setAccessibleName("Reason for the selected row")
        self.retry_b = self._button("retry", "Retry / send now", "Send the selected rows now", self.retry_selected)
        self.drop_b = self._button("drop", "Drop…", "Remove the selected rows from the outbox; they will "
                                   "never be sent", self.drop_selected)
        self.show_b = self._button("ticket", "Show ticket", "Select this row's ticket in the main window",
                                   self._show_ticket)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for b in (self.show_b, self.retry_b, self.drop_b):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reason)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(lambda _i: self._show_ticket())
        QShortcut(QKeySequence.StandardKey.Close, self, self.close)
        QShortcut(QKeySequence("Esc"), self, self.close)
        QShortcut(QKeySequence.StandardKey.Delete, self, self.drop_selected)
        self._poll = QTimer(self, interval=2000)
        self._poll.timeout.connect(self.reload)
        self.resize(980, 420)
        self.reload()

    def _button(self, icon: str, text: str, tip: str, slot) -> QPushButton:
        b = QPushButton(self.theme.icon(icon), text, self)
        b.setToolTip(tip)
        b.setAccessibleName(text.rstrip("…"))
        b.clicked.connect(slot)
        return b

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._poll.start()  # rows change as the sender works; poll only while visible

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._poll.stop()
        super().hideEvent(event)

    def reload(self) -> None:
        self.model.reload()
        items = self.model.items
        failed = sum(1 for i in items if i.state == "failed")
        self.summary.setText("Everything was delivered." if not items else
                             f"{len(items)} not delivered" + (f" · {failed} rejected" if failed else ""))
        self._selection_changed()

    def selected(self) -> list[OutboxItem]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.items[r] for r in rows if r < len(self.model.items)]

    def focus_target(self, target_id: str) -> None:
        self.reload()
        sel = self.table.selectionModel()
        sel.clearSelection()
        for row, item in enumerate(self.model.items):
            if item.target_id == target_id:
                sel.select(self.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                           | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(self.model.index(row, 0))

    def _selection_changed(self) -> None:
        items = self.selected()
        self.retry_b.setEnabled(any(i.state in ("failed", "pending") for i in items))
        self.drop_b.setEnabled(any(i.state in ("failed", "pending") for i in items))
        self.show_b.setEnabled(len(items) == 1)
        if len(items) == 1 and items[0].last_error:
            message, hint = fmt.split_hint(items[0].last_error)
            self.reason.setText(message + (f"\nWhat to do: {hint}" if hint else ""))
        else:
            self.reason.setText("")

    def retry_selected(self) -> None:
        items = [i for i in self.selected() if i.state in ("failed", "pending")]
        if items:
            self.tasks.spawn(self._deliver(items), "outbox-retry")

    async def _deliver(self, items: list[OutboxItem]) -> None:
        for item in items:
            if item.state == "failed":
                self.services.store.outbox.retry(item.id)
            await self.services.sender.deliver(item.id)
            if alive(self):
                self.reload()
        if alive(self):
            self.changed.emit()

    def drop_selected(self) -> None:
        items = [i for i in self.selected() if i.state in ("failed", "pending")]
        if not items:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Drop from the outbox",
                          f"Drop {len(items)} row{'s' if len(items) != 1 else ''}? "
                          "They will never be sent; the local record stays.",
                          QMessageBox.StandardButton.Cancel, self)
        drop = box.addButton("Drop", QMessageBox.ButtonRole.DestructiveRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: box.clickedButton() is drop and self.drop(items))
        box.open()

    def drop(self, items: list[OutboxItem]) -> int:
        dropped = sum(1 for i in items if self.services.sender.drop(i.id) is not None)
        self.reload()
        self.changed.emit()
        return dropped

    def _show_ticket(self) -> None:
        items = self.selected()
        if len(items) == 1:
            self.ticketRequested.emit(items[0].target_id)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.tasks.cancel_all()
        super().closeEvent(event)
