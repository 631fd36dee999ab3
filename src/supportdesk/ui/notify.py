"""Desktop notifications (system tray) when a ticket changes status; a burst becomes one message."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from supportdesk.models.ticket import Ticket, TicketStatus
from supportdesk.ui import format as fmt
from supportdesk.ui import icons

COALESCE_MS = 1500


class Notifier(QObject):
    message = Signal(str)  # the same news for the status bar (and when there is no tray)
    ticketClicked = Signal(str)

    def __init__(self, window: QWidget, extra_actions: list[QAction] | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.sent: list[tuple[str, str]] = []  # (title, body) of every notification, newest last
        self._pending: list[tuple[Ticket, TicketStatus]] = []
        self._last_ticket: str | None = None
        self._timer = QTimer(self, singleShot=True, interval=COALESCE_MS)
        self._timer.timeout.connect(self._flush)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icons.app_icon(), self)
            self.tray.setToolTip("Supportdesk")
            menu = QMenu(window)
            menu.addAction("Show Supportdesk", self._raise)
            for action in extra_actions or []:
                menu.addAction(action)
            self.tray.setContextMenu(menu)
            self.tray.activated.connect(lambda reason: reason == QSystemTrayIcon.ActivationReason.Trigger
                                        and self._raise())
            self.tray.messageClicked.connect(self._clicked)
            self.tray.show()

    def status_changed(self, ticket: Ticket, previous: TicketStatus) -> None:
        if ticket.status is previous:
            return
        self._pending.append((ticket, previous))
        self._timer.start()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        if len(pending) == 1:
            t, _before = pending[0]
            title = f"{t.id} is now {fmt.STATUS_LABELS.get(t.status.value, t.status.value).lower()}"
            body = f"{fmt.PROVIDER_LABELS.get(t.provider, t.provider)}: {t.subject}"
            if t.resolution:
                body += f"\nResolution: {t.resolution}"
            self._last_ticket = t.id
        else:
            resolved = sum(1 for t, _ in pending if t.status is TicketStatus.RESOLVED)
            title = f"{len(pending)} tickets changed status"
            body = f"{resolved} resolved" if resolved else "Open the window to see them"
            self._last_ticket = pending[-1][0].id
        self.sent.append((title, body))
        self.message.emit(f"{title} — {body.splitlines()[0]}")
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(title, body, icons.app_icon(), 8000)

    def flush(self) -> None:
        self._timer.stop()
        self._flush()

    def _raise(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _clicked(self) -> None:
        self._raise()
        if self._last_ticket:
            self.ticketClicked.emit(self._last_ticket)

    def hide(self) -> None:
        if self.tray is not None:
            self.tray.hide()
