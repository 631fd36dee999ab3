"""What an agent can do to the selected ticket: refresh, retry, resubmit, attach, see it in the outbox.

One set of QActions shared by the menu, the context menu and the detail pane's buttons, enabled
for what the current ticket allows.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from supportdesk.models.ticket import OutboxItem, SyncState, Ticket, TicketStatus
from supportdesk.providers.errors import ProviderError
from supportdesk.services.errors import ServiceError
from supportdesk.ui.tasks import TaskRunner, alive

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

log = logging.getLogger(__name__)


class TicketActions(QObject):
    ticketUpdated = Signal(str)  # the ticket was changed by an action: re-read it
    message = Signal(str)  # a short result for the status bar
    composeRequested = Signal(str, str)  # form kind, ticket id
    outboxRequested = Signal(str)  # ticket id

    def __init__(self, services: Any, tasks: TaskRunner, theme: Theme, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.tasks, self._theme = services, tasks, theme
        self.ticket: Ticket | None = None
        self.outbox: list[OutboxItem] = []
        self.refresh = self._action("refresh", "&Refresh ticket", "Ctrl+R",
                                    "Fetch this ticket's latest state from its provider", self._refresh)
        self.retry = self._action("retry", "Re&try sending", "Ctrl+Shift+R",
                                  "Send this ticket's queued or failed outbox rows again now", self._retry)
        self.resubmit = self._action("resubmit", "Correct and re&submit…", "Ctrl+E",
                                     "Edit a failed or closed Cardlytics ticket and submit it again",
                                     lambda: self._compose("resubmit"))
        self.attach = self._action("attach", "&Attach file…", "Ctrl+Shift+A",
                                   "Attach a log or photo to this support ticket", lambda: self._compose("upload"))
        self.show_outbox = self._action("outbox", "Show in &outbox", None,
                                        "Open the outbox at this ticket's undelivered rows",
                                        lambda: self.ticket and self.outboxRequested.emit(self.ticket.id))
        self.all = [self.refresh, self.retry, self.resubmit, self.attach, self.show_outbox]
        for action, short in zip(self.all, ("Refresh", "Retry", "Resubmit", "Attach", "Outbox")):
            action.setIconText(short)  # the detail pane's buttons; menus keep the full text
        self.set_ticket(None)

    def _action(self, icon: str, text: str, shortcut: str | None, tip: str, slot) -> QAction:
        action = QAction(self._theme.icon(icon), text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def retheme(self) -> None:
        for action, name in zip(self.all, ("refresh", "retry", "resubmit", "attach", "outbox")):
            action.setIcon(self._theme.icon(name))

    # --- state ----------------------------------------------------------------------------
    def set_ticket(self, ticket: Ticket | None) -> None:
        self.ticket = ticket
        self.outbox = [] if ticket is None else [
            i for i in self.services.store.outbox.for_target(ticket.id) if i.state != "sent"]
        t = ticket
        busy = t is not None and self.tasks.running(f"ticket-{t.id}")
        self.refresh.setEnabled(t is not None and bool(t.external_id) and not busy
                                and t.sync_state is not SyncState.QUEUED)
        self.retry.setEnabled(not busy and any(i.state in ("failed", "pending") for i in self.outbox))
        self.resubmit.setEnabled(t is not None and t.provider == "cardlytics"
                                 and not any(i.state in ("pending", "in_flight") for i in self.outbox)
                                 and (t.sync_state is SyncState.FAILED or t.status is TicketStatus.RESOLVED))
        self.attach.setEnabled(t is not None and t.provider == "support")
        self.show_outbox.setEnabled(bool(self.outbox))

    # --- operations -----------------------------------------------------------------------
    def _compose(self, kind: str) -> None:
        if self.ticket is not None:
            self.composeRequested.emit(kind, self.ticket.id)

    def _refresh(self) -> None:
        if self.ticket is not None and self.refresh.isEnabled():
            self._start(self._run_refresh(self.ticket), self.ticket.id)

    async def _run_refresh(self, ticket: Ticket) -> None:
        self.message.emit(f"Refreshing {ticket.id}…")
        _done, errors = await self.services.tickets.refresh([ticket])
        if errors:
            self.message.emit(f"{ticket.id} could not be refreshed: {errors[0][1]}")
        else:
            self.message.emit(f"{ticket.id} is up to date")

    def _retry(self) -> None:
        if self.ticket is not None and self.retry.isEnabled():
            self._start(self._run_retry(self.ticket, list(self.outbox)), self.ticket.id)

    async def _run_retry(self, ticket: Ticket, items: list[OutboxItem]) -> None:
        self.message.emit(f"Sending {ticket.id}…")
        results = []
        try:
            for item in items:
                if item.state == "failed":
                    self.services.store.outbox.retry(item.id)
                results.append(await self.services.sender.deliver(item.id))
        except (ProviderError, ServiceError) as exc:
            self.message.emit(f"{ticket.id}: {exc}")
            return
        failed = [o for o in results if o.state != "sent"]
        if not failed:
            self.message.emit(f"{ticket.id} sent")
        else:
            self.message.emit(f"{ticket.id} not sent: {failed[0].error or failed[0].state}")

    def _start(self, coro, ticket_id: str) -> None:
        task = self.tasks.spawn(coro, f"ticket-{ticket_id}")
        # After the task is done (not from inside it), so the actions are enabled again.
        task.add_done_callback(lambda _t: alive(self) and self.ticketUpdated.emit(ticket_id))
        self.set_ticket(self.ticket)
