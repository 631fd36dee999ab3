"""The main window: a thin shell composing the inbox, the detail pane, the status bar and the actions.

It comes up in two steps so the agent sees the cached inbox at once: the shell (inbox, menus,
toolbar, status bar) needs only the configuration and the store's inbox queries; `attach` adds
what needs the services (detail pane, ticket actions, sync, notifications) once they are built.
The modules of the second step are imported there, after the first paint.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from supportdesk.ui import icons
from supportdesk.ui.identity import about_action
from supportdesk.ui.shortcuts import WindowActions, build_chrome
from supportdesk.ui.tasks import TaskRunner, alive
from supportdesk.ui.tickets.model import TicketTableModel
from supportdesk.ui.tickets.view import TicketListView
from supportdesk.ui.widgets.statusbar import StatusBar

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from supportdesk.config import Config
    from supportdesk.models.ticket import Ticket, TicketStatus
    from supportdesk.services.health import HealthService, ProviderHealth
    from supportdesk.services.sync import SyncReport
    from supportdesk.store.inbox import InboxQueries
    from supportdesk.ui.notify import Notifier
    from supportdesk.ui.outbox import OutboxWindow
    from supportdesk.ui.shortcuts_dialog import ShortcutsDialog
    from supportdesk.ui.sync import SyncController
    from supportdesk.ui.theme import Theme
    from supportdesk.ui.tickets.actions import TicketActions
    from supportdesk.ui.tickets.detail import TicketDetail
    from supportdesk.ui.widgets.banner import Banner

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    _ticketChanged = Signal(object, object)  # (Ticket, previous status), from the updater's thread
    closed = Signal()
    attached = Signal()  # the services are in: every action works

    def __init__(self, services: Any = None, *, theme: Theme, config: Config | None = None,
                 inbox: InboxQueries | None = None, recovery: str | None = None,
                 settings: QSettings | None = None, health: HealthService | None = None,
                 sync_interval_ms: int | None = None) -> None:
        """With `services`, the whole window; with `config` and `inbox`, the shell (see `attach`).
        `theme` colours it and every widget in it."""
        super().__init__()
        if services is not None:
            config, inbox, recovery = services.config, services.store.inbox, services.store.recovery
        if config is None or inbox is None:
            raise TypeError("MainWindow needs the services, or a config and the inbox's queries")
        self.config = config
        self.theme = theme
        self.services: Any = None
        self.settings = settings or QSettings()
        self.tasks = TaskRunner(on_error=self._task_failed)
        self.health: HealthService | None = None
        self.ticket_actions: TicketActions | None = None
        self.detail: TicketDetail | None = None
        self.sync: SyncController | None = None
        self.notifier: Notifier | None = None
        self.forms: list[QWidget] = []
        self.first_paint: float | None = None  # time.monotonic() of the first paint
        self._closing = False
        self._outbox: OutboxWindow | None = None
        self._help: ShortcutsDialog | None = None
        self.setWindowTitle("Supportdesk")
        self.setWindowIcon(icons.app_icon())
        self.setObjectName("mainWindow")

        self.model = TicketTableModel(inbox, self, background=True)
        self.inbox = TicketListView(self.model, self.tasks, theme, self)
        self.starting = QLabel("Starting…", self)  # where the detail pane goes once attached
        self.starting.setObjectName("emptyState")
        self.starting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.inbox)
        self.splitter.addWidget(self.starting)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self._banner: Banner | None = None  # made when first needed (see banner)
        central = QWidget(self)
        self._column = QVBoxLayout(central)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(0)
        self._column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.actions_ = WindowActions(self, theme)
        self._build_menus()
        self.status = StatusBar(self.actions_.sync, theme, self)
        self.setStatusBar(self.status)
        self.status.outbox.hide()  # until the outbox has been read
        self._detail_timer = QTimer(self, singleShot=True, interval=120)
        self._detail_timer.timeout.connect(self.show_current)
        self._connect_shell()
        self._restore()
        if not self.model.pages_fetched:  # restoring the header's sort may have read it already
            self.model.reload()
        self.inbox.select_first()
        if recovery:
            self.banner.show_notice("recovery", recovery, icon="warning")
        for action in self._needs_services():
            action.setEnabled(False)
        if services is not None:
            self.attach(services, health=health, sync_interval_ms=sync_interval_ms)

    @property
    def banner(self) -> Banner:
        """The strip above the inbox (offline, recovery), made for its first notice (~0.6 ms)."""
        if self._banner is None:
            from supportdesk.ui.widgets.banner import Banner

            self._banner = Banner(self.theme, self)
            self._banner.actionClicked.connect(self.sync_now)
            self._column.insertWidget(0, self._banner)
        return self._banner

    def attach(self, services: Any, *, health: HealthService | None = None,
               sync_interval_ms: int | None = None) -> None:
        """The services are built: add the detail pane, the ticket actions, sync and notifications."""
        from supportdesk.services.health import HealthService
        from supportdesk.ui.notify import Notifier
        from supportdesk.ui.sync import SyncController
        from supportdesk.ui.tickets.actions import TicketActions
        from supportdesk.ui.tickets.detail import TicketDetail

        self.services = services
        self.actions_.bind_keys()  # already done after the first paint by the start-up
        self.model.start_reader()
        self.health = health or HealthService.for_clients(services.clients)
        self.ticket_actions = TicketActions(services, self.tasks, self.theme, self)
        self.detail = TicketDetail(services, self.ticket_actions, self.tasks, self.theme, self)
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(1, self.detail)
        self.splitter.setSizes(sizes)
        self.starting.deleteLater()
        self.ticket_menu.addActions(self.ticket_actions.all)
        for h in self.health.snapshot().values():
            self.status.set_health(h)
        self.sync = SyncController(services, self.health, self.tasks, self,
                                   **({"interval_ms": sync_interval_ms} if sync_interval_ms else {}))
        self.notifier = Notifier(self, [self.actions_.sync, self.actions_.quit])
        for action in self._needs_services():
            action.setEnabled(True)
        self._connect()
        self.status.outbox.show()
        self.update_outbox()
        self.status.set_sync(last=self.sync.last_sync)
        self.show_current()
        self.attached.emit()

    def _needs_services(self) -> list[Any]:
        a = self.actions_
        return [a.new_menu_action, *a.new.values(), a.settings, a.sync, a.outbox, self.new_button]

    # --- construction ---------------------------------------------------------------------
    def _build_menus(self) -> None:
        chrome = build_chrome(self, self.actions_, about_action(self, self.config))
        self.new_menu, self.ticket_menu = chrome.new_menu, chrome.ticket_menu  # Ticket: see attach()
        self.about_action, self.new_button, self.toolbar = chrome.about, chrome.new_button, chrome.toolbar

    def _connect_shell(self) -> None:
        a = self.actions_
        a.new_menu_action.triggered.connect(self._show_new_menu)
        for kind, action in a.new.items():
            action.triggered.connect(lambda _c=False, k=kind: self.compose(k))
        a.settings.triggered.connect(lambda: self.compose("settings"))
        a.quit.triggered.connect(self.close)
        a.sync.triggered.connect(self.sync_now)
        a.search.triggered.connect(self.inbox.focus_search)
        a.next.triggered.connect(lambda: self.inbox.step(1))
        a.previous.triggered.connect(lambda: self.inbox.step(-1))
        a.outbox.triggered.connect(lambda: self.open_outbox())
        a.help.triggered.connect(self.show_shortcuts)
        a.theme_group.triggered.connect(lambda act: self.set_theme(act.data()))
        self.inbox.currentTicketChanged.connect(lambda _tid: self.show_current())
        self.inbox.ticketActivated.connect(lambda _tid: self.detail.setFocus() if self.detail else None)
        self.theme.changed.connect(self._retheme)
        a.themes.get(self.theme.mode, a.themes["system"]).setChecked(True)

    def _connect(self) -> None:
        s = self.services
        self.inbox.set_context_actions(self.ticket_actions.all)
        self.ticket_actions.ticketUpdated.connect(self._ticket_updated)
        self.ticket_actions.message.connect(lambda m: self.status.showMessage(m, 8000))
        self.ticket_actions.composeRequested.connect(lambda kind, tid: self.compose(kind, tid))
        self.ticket_actions.outboxRequested.connect(self.open_outbox)
        self.status.outboxClicked.connect(lambda: self.open_outbox())
        self.sync.started.connect(lambda: self.status.set_sync(running=True))
        self.sync.finished.connect(self._sync_finished)
        self.sync.failed.connect(self._sync_failed)
        self.sync.healthChanged.connect(self._health_changed)
        self.notifier.message.connect(lambda m: self.status.showMessage(m, 10000))
        self.notifier.ticketClicked.connect(self.reveal_ticket)
        self._ticketChanged.connect(self._on_ticket_changed)
        s.updater.on_change(self._updater_listener)

    # --- tickets --------------------------------------------------------------------------
    def current_ticket(self) -> Ticket | None:
        tid = self.inbox.current_ticket
        return self.services.store.tickets.get(tid) if tid and self.services else None

    def show_current(self) -> None:
        if self.detail is not None:
            self.detail.show_ticket(self.current_ticket())

    def reveal_ticket(self, ticket_id: str) -> None:
        """Select a ticket in the list; if the filters hide it, show it in the detail pane anyway."""
        if not self.inbox.select_ticket(ticket_id) and self.detail is not None:
            self.detail.show_ticket(self.services.store.tickets.get(ticket_id))
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _updater_listener(self, ticket: Ticket, previous: TicketStatus) -> None:
        if alive(self) and not self._closing:
            self._ticketChanged.emit(ticket, previous)  # queued if the change came from another thread

    def _on_ticket_changed(self, ticket: Ticket, previous: TicketStatus) -> None:
        self.model.ticket_changed(ticket)
        self.notifier.status_changed(ticket, previous)
        if ticket.id == self.inbox.current_ticket or (self.detail.ticket and ticket.id == self.detail.ticket.id):
            self._detail_timer.start()
        self.update_outbox()

    def _ticket_updated(self, ticket_id: str) -> None:
        self.inbox.refresh()
        if self.detail.ticket is not None and self.detail.ticket.id == ticket_id:
            self.detail.show_ticket(self.services.store.tickets.get(ticket_id))
        self.update_outbox()

    def update_outbox(self) -> None:
        items = self.services.store.outbox.undelivered()
        self.status.set_outbox(len(items), sum(1 for i in items if i.state == "failed"))
        if self._outbox is not None and self._outbox.isVisible():
            self._outbox.reload()

    # --- sync and connectivity ------------------------------------------------------------
    def sync_now(self) -> None:
        if self.sync is not None and not self.sync.sync_now():
            self.status.showMessage("A sync is already running", 3000)

    def _sync_finished(self, report: SyncReport | None) -> None:
        problem = None
        if report is not None and report.refresh_errors:
            n = len(report.refresh_errors)
            problem = f"{n} ticket{'s' if n != 1 else ''} could not be refreshed: {report.refresh_errors[0][1]}"
        self.status.set_sync(running=False, last=self.sync.last_sync, offline=self.sync.offline, problem=problem)
        self.inbox.refresh()
        self.inbox.update_count()
        self._detail_timer.start()
        self.update_outbox()
        if report is not None and (report.sent or report.failed):
            self.status.showMessage(f"Sync: {report.sent} sent, {report.failed} rejected, "
                                    f"{report.refreshed} tickets refreshed", 8000)

    def _sync_failed(self, text: str) -> None:
        self.status.set_sync(running=False, problem=text)
        self.status.showMessage(text, 10000)

    def _health_changed(self, health: ProviderHealth) -> None:
        self.status.set_health(health)
        if self.sync.offline:
            down = [h.label for h in self.health.snapshot().values() if h.state == "offline"]
            n = self.model.rowCount() if self.model.counted else self.model.count()
            self.banner.show_notice(
                "offline", f"Offline: {', '.join(down)} cannot be reached. Showing {n:,} cached "
                "tickets; anything you file is queued and sent when the connection is back.", "Try again")
        elif self._banner is not None:
            self._banner.clear("offline")
        self.status.set_sync(offline=self.sync.offline)

    # --- windows --------------------------------------------------------------------------
    def compose(self, kind: str, ticket_id: str | None = None) -> QWidget | None:
        if self.services is None:  # a second launch's --compose before the services are in
            self.attached.connect(lambda: self.compose(kind, ticket_id), Qt.ConnectionType.SingleShotConnection)
            return None
        from supportdesk.ui.compose import open_form

        form = open_form(kind, self.services, self, ticket_id=ticket_id)
        if form is not None:
            self.forms = [f for f in self.forms if alive(f)] + [form]
        return form

    def _show_new_menu(self) -> None:
        self.new_menu.popup(self.new_button.mapToGlobal(self.new_button.rect().bottomLeft()))

    def open_outbox(self, ticket_id: str | None = None) -> OutboxWindow:
        from supportdesk.ui.outbox import OutboxWindow

        if self._outbox is None or not alive(self._outbox):
            self._outbox = OutboxWindow(self.services, self.theme, self)
            self._outbox.ticketRequested.connect(self.reveal_ticket)
            self._outbox.changed.connect(lambda: (self.update_outbox(), self._detail_timer.start(),
                                                  self.inbox.refresh()))
        self._outbox.show()
        self._outbox.raise_()
        self._outbox.activateWindow()
        if ticket_id:
            self._outbox.focus_target(ticket_id)
        else:
            self._outbox.reload()
        return self._outbox

    def show_shortcuts(self) -> ShortcutsDialog:
        from supportdesk.ui.shortcuts_dialog import ShortcutsDialog

        if self._help is None or not alive(self._help):
            groups = list(self.actions_.groups)
            if self.ticket_actions is not None:
                groups.insert(1, ("Selected ticket", self.ticket_actions.all))
            self._help = ShortcutsDialog(groups, self)
        self._help.show()
        self._help.raise_()
        return self._help

    def set_theme(self, mode: str) -> None:
        self.theme.set_mode(mode)
        self.settings.setValue("view/theme", mode)

    def _retheme(self, _scheme: str) -> None:
        self.actions_.retheme()
        if self.ticket_actions is not None:
            self.ticket_actions.retheme()
        self.status.retheme()
        self.show_current()

    def _task_failed(self, name: str, exc: BaseException) -> None:
        if alive(self):
            self.status.showMessage(f"Something went wrong ({name}): {exc}", 10000)

    # --- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Begin background work: the first connectivity check and sync, then the timer."""
        if self.sync is not None:
            self.sync.start()

    def _restore(self) -> None:
        s = self.settings
        if (geometry := s.value("window/geometry")) is not None:
            self.restoreGeometry(QByteArray(geometry))
        if geometry is None or self.width() < 640 or self.height() < 400:
            # First start (or a layout saved from a cramped screen): roomy, never beyond the screen.
            screen = self.screen().availableGeometry() if self.screen() else None
            w, h = 1440, 900
            if screen is not None:
                w, h = min(w, int(screen.width() * 0.92)), min(h, int(screen.height() * 0.92))
            self.resize(w, h)
        if (state := s.value("window/state")) is not None:
            self.restoreState(QByteArray(state))
        if (split := s.value("window/splitter")) is not None:
            self.splitter.restoreState(QByteArray(split))
        else:
            self.splitter.setSizes(self.inbox.first_split(self.width()))
        self.inbox.restore_state(s.value("inbox/header"))

    def save_layout(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("inbox/header", self.inbox.save_state())
        s.sync()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        # The start-up waits for this (launch.wait_painted). An event filter saw every event of
        # the window before it and made PySide build a Python type for each kind (~1.5 ms).
        if self.first_paint is None:
            self.first_paint = time.monotonic()
        super().paintEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._closing = True
        self.theme.changed.disconnect(self._retheme)
        self.save_layout()
        if self.sync is not None:
            self.sync.stop()
        self._detail_timer.stop()
        self.inbox.stop()
        self.tasks.cancel_all()
        if self.notifier is not None:
            self.notifier.hide()
        for w in [*self.forms, self._outbox, self._help]:
            if w is not None and alive(w):
                w.close()
        super().closeEvent(event)
        self.closed.emit()
