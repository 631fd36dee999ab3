"""A ticket's history as a vertical timeline, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from supportdesk.models.ticket import TicketEvent
from supportdesk.ui import format as fmt

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

KIND_LABELS = {"created": "Created", "submitted": "Submitted", "status": "Status changed",
               "error": "Error", "resolved": "Resolved", "resubmitted": "Resubmitted",
               "attachment": "Attachment", "refreshed": "Refreshed", "note": "Note"}
KIND_TOKENS = {"created": "accent", "submitted": "open", "status": "progress", "error": "failed",
               "resolved": "resolved", "resubmitted": "accent", "attachment": "muted",
               "refreshed": "muted", "note": "muted"}
GUTTER = 28


class _Entry(QWidget):
    def __init__(self, event: TicketEvent, first: bool, last: bool, theme: Theme, parent: QWidget) -> None:
        super().__init__(parent)
        self._theme = theme
        self.kind = event.kind
        self._first, self._last = first, last
        title = QLabel(f"<b>{KIND_LABELS.get(event.kind, event.kind.capitalize())}</b>"
                       f"&nbsp;&nbsp;<span style='color:{theme.hex('muted')}'>"
                       f"{fmt.short_time(event.at)}</span>", self)
        title.setToolTip(fmt.full_time(event.at))
        summary = QLabel(event.summary, self)
        summary.setWordWrap(True)
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        summary.setTextFormat(Qt.TextFormat.PlainText)
        status = QLabel(f"{fmt.STATUS_LABELS.get(event.status.value, event.status.value)}"
                        + (f" · provider: {event.provider_status}" if event.provider_status else ""), self)
        status.setObjectName("muted")
        col = QVBoxLayout()
        col.setSpacing(2)
        col.setContentsMargins(0, 0, 0, 12)
        col.addWidget(title)
        col.addWidget(summary)
        col.addWidget(status)
        row = QHBoxLayout(self)
        row.setContentsMargins(GUTTER, 0, 0, 0)
        row.addLayout(col)
        self.setAccessibleName(f"{fmt.full_time(event.at)}: {event.summary}")

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        x = GUTTER / 2
        dot_y = self.fontMetrics().height() / 2 + 2
        line = QPen(self._theme.color("border"), 2)
        p.setPen(line)
        if not self._first:
            p.drawLine(QPointF(x, 0), QPointF(x, dot_y))
        if not self._last:
            p.drawLine(QPointF(x, dot_y), QPointF(x, self.height()))
        color = self._theme.color(KIND_TOKENS.get(self.kind, "muted"))
        p.setPen(QPen(self._theme.color("base"), 2))
        p.setBrush(color)
        p.drawEllipse(QPointF(x, dot_y), 5.5, 5.5)


class Timeline(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.setAccessibleName("Ticket history")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 4, 0, 0)
        self._layout.setSpacing(0)
        self.entries: list[_Entry] = []
        self._empty: QLabel | None = None

    def set_events(self, events: list[TicketEvent]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.entries = []
        ordered = sorted(events, key=lambda e: (e.at, e.id or 0), reverse=True)
        for i, ev in enumerate(ordered):
            entry = _Entry(ev, i == 0, i == len(ordered) - 1, self._theme, self)
            self.entries.append(entry)
            self._layout.addWidget(entry)
        if not ordered:
            self._empty = QLabel("No history yet.", self)
            self._empty.setObjectName("muted")
            self._layout.addWidget(self._empty)
