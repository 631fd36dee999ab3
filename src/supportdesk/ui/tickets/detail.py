"""The detail pane: one ticket's fields, provider state, errors with what to do next, files, history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QStackedWidget, QToolButton,
    QVBoxLayout, QWidget,
)

from supportdesk.models.ticket import OutboxItem, SyncState, Ticket
from supportdesk.ui import format as fmt
from supportdesk.ui.attachments.panel import AttachmentsPanel
from supportdesk.ui.tasks import TaskRunner
from supportdesk.ui.tickets.actions import TicketActions
from supportdesk.ui.tickets.timeline import Timeline
from supportdesk.ui.widgets.pill import Pill

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

NEXT_STEP = {
    "cardlytics": "Correct the ticket and resubmit it (Ctrl+E); the resubmission gets a new "
                  "sourceTicketId on the same ticket.",
    "support": "Check the ticket's fields with the customer, then file it again or update it in Zendesk.",
}


def _label(text: str, name: str, parent: QWidget, *, wrap: bool = True, select: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if select:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                      | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label


class ErrorBox(QFrame):
    """A provider's words verbatim, kept apart from our advice on what to do next."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBox")
        self.title = _label("", "errorTitle", self)
        self.text = _label("", "errorText", self, select=True)
        self.hint = _label("", "errorHint", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        for w in (self.title, self.text, self.hint):
            layout.addWidget(w)
        self.setAccessibleName("Problem with this ticket")

    def show_problem(self, title: str, message: str, hint: str) -> None:
        self.title.setText(title)
        self.text.setText(message)
        self.hint.setText(f"What to do: {hint}" if hint else "")
        self.hint.setVisible(bool(hint))
        self.setAccessibleDescription(f"{title}. {message}. {hint}")
        self.show()


def problem(ticket: Ticket, outbox: list[OutboxItem]) -> tuple[str, str, str] | None:
    """(title, provider's message, next step) for the most pressing problem, if any."""
    provider = fmt.PROVIDER_LABELS.get(ticket.provider, ticket.provider)
    if ticket.sync_state is SyncState.FAILED and ticket.last_error:
        message, hint = fmt.split_hint(ticket.last_error)
        return f"{provider} did not accept this ticket", message, hint or NEXT_STEP[ticket.provider]
    for item in outbox:
        if item.state == "failed":
            message, hint = fmt.split_hint(item.last_error)
            what = "Upload" if item.kind.endswith("upload") else "Sending"
            return (f"{what} was rejected by {provider}", message or "No message from the provider.",
                    hint or "Correct it and retry, or drop the outbox row (Outbox window).")
    for item in outbox:
        if item.state in ("pending", "in_flight") and item.last_error:
            message, hint = fmt.split_hint(item.last_error)
            when = f" Next attempt {fmt.short_time(item.next_attempt_at)}." if item.next_attempt_at else ""
            return (f"Waiting to be sent to {provider} (attempt {item.attempts})", message,
                    (hint or "It stays queued and is retried automatically.")
                    + when + " Press Ctrl+Shift+R to try now.")
    return None


class TicketDetail(QWidget):
    def __init__(self, services: Any, actions: TicketActions, tasks: TaskRunner, theme: Theme,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.actions, self.theme = services, actions, theme
        self.ticket: Ticket | None = None
        self.setAccessibleName("Ticket detail")
        self.setMinimumWidth(320)
        self.stack = QStackedWidget(self)
        self.placeholder = QLabel("Select a ticket to see its details and history.\n\n"
                                  "J / K move through the list · / searches · F1 lists every shortcut", self)
        self.placeholder.setObjectName("emptyState")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self._build_page(tasks))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _build_page(self, tasks: TaskRunner) -> QWidget:
        page = QWidget(self)
        header = QFrame(page)
        header.setObjectName("detailHeader")
        self.title = _label("", "detailTitle", header, select=True)
        self.status_pill, self.sync_pill = Pill("status", self.theme, header), Pill("sync", self.theme, header)
        self.subtitle = _label("", "muted", header, select=True)
        pills = QHBoxLayout()
        pills.setSpacing(6)
        pills.addWidget(self.status_pill)
        pills.addWidget(self.sync_pill)
        pills.addWidget(self.subtitle, 1)
        # Only what this ticket allows, as text while it fits, as icons when the pane is narrow;
        # the row never sets the pane's minimum width. Menus keep every action.
        self.button_row = QWidget(header)
        self.button_row.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        buttons = QHBoxLayout(self.button_row)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(4)
        self.buttons: list[QToolButton] = []
        for action in self.actions.all:
            b = QToolButton(self.button_row)
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setAutoRaise(True)
            buttons.addWidget(b)
            self.buttons.append(b)
            action.changed.connect(self._fit_buttons)
        buttons.addStretch(1)
        self.button_row.installEventFilter(self)
        head = QVBoxLayout(header)
        head.setContentsMargins(16, 12, 16, 8)
        head.setSpacing(6)
        head.addWidget(self.title)
        head.addLayout(pills)
        head.addWidget(self.button_row)

        body = QWidget()
        body.setObjectName("detailBody")
        self.error = ErrorBox(body)
        self.fields = QGridLayout()
        self.fields.setHorizontalSpacing(16)
        self.fields.setVerticalSpacing(4)
        self.fields.setColumnStretch(1, 1)
        self.description = _label("", "fieldValue", body, select=True)
        self.attachments = AttachmentsPanel(self.services, tasks, self.theme, body)
        self.attachments.changed.connect(lambda: self.ticket and self.actions.ticketUpdated.emit(self.ticket.id))
        self.timeline = Timeline(self.theme, body)
        col = QVBoxLayout(body)
        col.setContentsMargins(16, 12, 16, 16)
        col.setSpacing(6)
        col.addWidget(self.error)
        self.attachments_title = _label("Attachments", "sectionTitle", body)
        for title, item in (("Details", self.fields), ("Description", self.description),
                            (None, self.attachments), ("History", self.timeline)):
            col.addWidget(self.attachments_title if title is None else _label(title, "sectionTitle", body))
            col.addLayout(item) if isinstance(item, QGridLayout) else col.addWidget(item)
        col.addStretch(1)
        scroll = QScrollArea(page)
        scroll.setObjectName("detailScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.scroll = scroll
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(scroll, 1)
        return page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.button_row and event.type() == QEvent.Type.Resize:
            self._fit_buttons()
        return super().eventFilter(watched, event)

    def _fit_buttons(self) -> None:
        shown = [b for b in self.buttons if b.defaultAction().isEnabled()]
        for b in self.buttons:
            b.setVisible(b in shown)
        fm = self.fontMetrics()
        wide = sum(fm.horizontalAdvance(b.defaultAction().iconText()) + 44 for b in shown)
        style = (Qt.ToolButtonStyle.ToolButtonTextBesideIcon if self.button_row.width() >= wide
                 else Qt.ToolButtonStyle.ToolButtonIconOnly)
        for b in shown:
            b.setToolButtonStyle(style)

    # --- content --------------------------------------------------------------------------
    def show_ticket(self, ticket: Ticket | None) -> None:
        keep_scroll = ticket is not None and self.ticket is not None and ticket.id == self.ticket.id
        self.ticket = ticket
        self.actions.set_ticket(ticket)
        if ticket is None:
            self.stack.setCurrentIndex(0)
            return
        position = self.scroll.verticalScrollBar().value()
        t = ticket
        self.title.setText(t.subject or "(no subject)")
        self.status_pill.set_value(t.status.value, fmt.STATUS_LABELS.get(t.status.value, t.status.value))
        self.sync_pill.set_value(t.sync_state.value, fmt.SYNC_LABELS.get(t.sync_state.value, t.sync_state.value))
        self.subtitle.setText(f"{fmt.PROVIDER_LABELS.get(t.provider, t.provider)} · {t.id}"
                              + (f" · updated {fmt.ago(t.updated_at)}" if t.updated_at else ""))
        found = problem(t, self.actions.outbox)
        if found:
            self.error.show_problem(*found)
        else:
            self.error.hide()
        self._fill_fields(t)
        self.description.setText(t.description or "—")
        files = t.provider == "support" or bool(t.attachments)
        self.attachments_title.setVisible(files)
        self.attachments.setVisible(files)
        self.attachments.set_ticket(t)
        self.timeline.set_events(t.events)
        self.stack.setCurrentIndex(1)
        if keep_scroll:
            self.scroll.verticalScrollBar().setValue(position)
        else:
            self.scroll.verticalScrollBar().setValue(0)

    def _fill_fields(self, t: Ticket) -> None:
        while self.fields.count():
            item = self.fields.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        d = t.data
        rows: list[tuple[str, Any]] = [
            ("Ticket", t.id),
            ("Provider id", t.external_id or "not sent yet"),
            ("Zendesk", f"#{t.zendesk_id}" if t.zendesk_id else None),
            ("Customer", t.customer_id),
            ("Name", d.get("name")),
            ("E-mail" if t.provider == "support" else "Filed by", t.email),
            ("Phone", d.get("phone")),
            ("Category", d.get("category")),
            ("Device", d.get("udid")),
            ("Offer", d.get("offerId")),
            ("Transactions", ", ".join(str(x) for x in d.get("transactionIds") or []) or None),
            ("Provider status", t.provider_status or "—"),
            ("Resolution", t.resolution),
            ("Cardlytics says", d.get("cardlyticsResponse")),
            ("Submissions", len(d["submissions"]) if len(d.get("submissions") or []) > 1 else None),
            ("Created", fmt.full_time(t.created_at)),
            ("Updated", fmt.full_time(t.updated_at)),
            ("Resolved", fmt.full_time(t.resolved_at) if t.resolved_at else None),
        ]
        body = self.description.parentWidget()
        for n, (name, value) in enumerate((r for r in rows if r[1] not in (None, ""))):
            key = _label(name, "fieldName", body, wrap=False)
            key.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            val = _label(str(value), "fieldValue", body, select=True)
            val.setAccessibleName(f"{name}: {value}")
            self.fields.addWidget(key, n, 0)
            self.fields.addWidget(val, n, 1)
