"""What every form shares: inline validation, crash-proof drafts, and submission as an asyncio task."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from supportdesk.config import ConfigError
from supportdesk.models.ticket import SyncState
from supportdesk.services.errors import InvalidInput, NotConfigured, ServiceError
from supportdesk.ui.forms.chrome import Banner, Outcome, form_qss
from supportdesk.ui.forms.fields import Field, get_value, on_change, set_value

log = logging.getLogger(__name__)

DRAFT_DELAY_MS = 400  # well inside the promised second, even while typing non-stop
# Submissions outlive their form if it is closed mid-flight; these references keep them alive.
_TASKS: set[asyncio.Task] = set()


def alive(obj: Any) -> bool:
    return obj is not None and shiboken6.isValid(obj)


class FormBase(QWidget):
    submitted = Signal(str)  # the local record id, once stored (queued, sent or synced)

    form_name = ""
    title = ""
    intro = ""
    submit_text = "Submit"
    provider = ""  # shown in outcome messages
    noun = "request"  # "the … is stored and will be sent"
    allow_new = True  # offer "New …" after a submission
    sending = ("Sending…", "The form stays as it is until the answer comes.")

    def __init__(self, services: Any, parent: QWidget | None = None, *, draft_key: str = "") -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.services = services
        self.draft_key = draft_key
        self.fields: dict[str, Field] = {}
        self._touched: set[str] = set()
        self._errors: dict[str, str] = {}
        self._loading = True
        self._busy = False
        self._done = False
        self._close_when_done = False
        self._shown = False
        self.task: asyncio.Task | None = None
        self.setStyleSheet(form_qss())
        self.setWindowTitle(self.title)
        self.setObjectName(f"form-{self.form_name}")
        self._build_header()
        self.build()
        self._build_footer()  # after the fields, so Tab reaches the buttons last
        self._blank = self.collect()
        self._restore_draft()
        self._loading = False
        self.revalidate()
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.submit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        body = self.body.sizeHint()
        self.resize(max(600, body.width() + 56), min(860, max(320, body.height() + 230)))

    # --- layout -----------------------------------------------------------------------------
    def _build_header(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(8)
        heading = QLabel(self.title, self)
        heading.setObjectName("formTitle")
        outer.addWidget(heading)
        self.intro_label = QLabel(self.intro, self)
        self.intro_label.setObjectName("formIntro")
        self.intro_label.setWordWrap(True)
        self.intro_label.setVisible(bool(self.intro))
        outer.addWidget(self.intro_label)
        self.banner = Banner(self)
        outer.addWidget(self.banner)
        self.body = QWidget(self)
        column = QVBoxLayout(self.body)
        column.setContentsMargins(0, 0, 4, 0)
        self.form = QFormLayout()
        column.addLayout(self.form)
        column.addStretch(1)  # spare height goes below the fields, not into them
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setVerticalSpacing(8)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)

    def _build_footer(self) -> None:
        foot = QHBoxLayout()
        self.reason = QLabel(self)
        self.reason.setObjectName("submitReason")
        self.reason.setWordWrap(True)
        foot.addWidget(self.reason, 1)
        self.discard_button = QPushButton("Discard draft", self)
        self.discard_button.setToolTip("Clear the form and delete its saved draft")
        self.discard_button.clicked.connect(self.discard)
        self.new_button = QPushButton("Start another", self)
        self.new_button.clicked.connect(self.reset)
        self.new_button.hide()
        self.close_button = QPushButton("Close", self)
        self.close_button.setToolTip("Close (Esc); the draft is kept")
        self.close_button.clicked.connect(self.close)
        self.submit_button = QPushButton(self.submit_text, self)
        self.submit_button.setProperty("primary", True)
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        for b in (self.discard_button, self.new_button, self.close_button, self.submit_button):
            foot.addWidget(b)
        self.layout().addLayout(foot)

    def add_field(self, name: str, label: str, editor: QWidget, *, help_text: str = "",
                  layout: QFormLayout | None = None, caption: str | None = None) -> Field:
        layout = layout or self.form
        owner = layout.parentWidget() or self.body
        if isinstance(layout, QFormLayout) and layout is not self.form:
            layout.setLabelAlignment(self.form.labelAlignment())
        field = Field(name, label, editor, help_text=help_text, parent=owner)
        if caption == "":
            layout.addRow(field)
        else:
            text = QLabel(caption or label, owner)
            text.setObjectName("formLabel")
            text.setBuddy(field.focus_target())
            layout.addRow(text, field)
        self.fields[name] = field
        on_change(editor, lambda *_, n=name: self.changed(n))
        return field

    def add_section(self, text: str) -> None:
        title = QLabel(text, self.body)
        title.setObjectName("formSection")
        self.form.addRow(title)

    def first_field(self) -> QWidget:
        """The first field still to fill in (or fix); the first field when all are fine."""
        for name, field in self.fields.items():
            if name in self._errors and field.isEnabled():
                return field.focus_target()
        return next(iter(self.fields.values())).focus_target() if self.fields else self.submit_button

    # --- hooks for each form ----------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def collect(self) -> dict[str, Any]:
        return {name: get_value(f.editor) for name, f in self.fields.items()}

    def restore(self, data: dict[str, Any]) -> None:
        for name, value in data.items():
            if name in self.fields:
                set_value(self.fields[name].editor, value)

    def check(self, data: dict[str, Any]) -> dict[str, str]:
        """{field name: message} for what is invalid now (from the models)."""
        return {}

    async def send(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def map_service_fields(self, fields: dict[str, str]) -> dict[str, str]:
        """Service field names (from InvalidInput) to this form's fields."""
        return fields

    def outcome(self, record: Any) -> Outcome:
        rid = getattr(record, "id", None)
        state = getattr(record, "sync_state", None)
        if state is SyncState.FAILED:
            message, _, hint = (record.last_error or "Rejected without a message").rpartition(" — ")
            if not message:
                message, hint = hint, ""
            return Outcome("rejected", f"{self.provider} rejected it ({rid})", message, hint, rid,
                           done=False, emit=False)
        if state is SyncState.QUEUED:
            return Outcome("queued", f"Saved as {rid} and queued",
                           f"{self.provider} could not be reached. The {self.noun} is stored and "
                           "will be sent automatically when the provider is back; nothing to do.",
                           record_id=rid, done=True, emit=True)
        return Outcome("success", f"Sent: {rid}", f"{self.provider} accepted the {self.noun}.",
                       record_id=rid, done=True, emit=True)

    # --- validation -------------------------------------------------------------------------
    def changed(self, name: str) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self.revalidate()
        if not self._draft_timer.isActive():  # throttle, not debounce: saved ≤ 400 ms after a change
            self._draft_timer.start()

    def revalidate(self) -> dict[str, str]:
        try:
            self._errors = self.check(self.collect())
        except Exception:  # a bug in a check must not cost the agent their typing
            log.exception("validating %s failed", self.form_name)
            self._errors = {}
        for name, field in self.fields.items():
            field.set_error(self._errors.get(name) if name in self._touched else None)
        self._update_submit()
        return self._errors

    def _update_submit(self) -> None:
        order = [n for n in self.fields if n in self._errors]
        order += [n for n in self._errors if n not in self.fields]
        lines = [f"{self.fields[n].label if n in self.fields else n.capitalize()}: {self._errors[n]}"
                 for n in order]
        if self._busy:
            reason = "Sending…"
        elif self._done:
            reason = ""
        elif lines:
            more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
            reason = f"Not ready: {lines[0]}{more}"
        else:
            reason = ""
        self.reason.setText(reason)
        self.submit_button.setEnabled(not lines and not self._busy and not self._done)
        self.submit_button.setToolTip("\n".join(lines) if lines else f"{self.submit_text} (Ctrl+Enter)")

    def show_all_errors(self) -> None:
        self._touched |= set(self.fields)
        errors = self.revalidate()
        for name in self.fields:
            if name in errors:
                self.fields[name].focus_target().setFocus()
                break

    # --- drafts -----------------------------------------------------------------------------
    def _restore_draft(self) -> None:
        try:
            data = self.services.store.drafts.load(self.form_name, self.draft_key)
        except Exception:
            log.exception("loading the %s draft failed", self.form_name)
            return
        if not data or data == self._blank:
            return
        self.restore(data)
        self._touched |= {n for n, v in data.items() if v not in ("", None, [], [""])}
        self.banner.show_message("info", "Draft restored",
                                 "This is what you typed last time; it was never sent.")

    def save_draft(self) -> None:
        if self._done or not alive(self):
            return
        data = self.collect()
        drafts = self.services.store.drafts
        try:
            if data == self._blank:
                drafts.discard(self.form_name, self.draft_key)
            else:
                drafts.save(self.form_name, data, self.draft_key)
        except Exception:
            log.exception("saving the %s draft failed", self.form_name)

    def discard(self) -> None:
        self._draft_timer.stop()
        self.services.store.drafts.discard(self.form_name, self.draft_key)
        self._loading = True
        self.restore(self._blank)
        self._loading = False
        self._touched.clear()
        self.banner.clear()
        self.revalidate()
        self.first_field().setFocus()

    def reset(self) -> None:
        """After a submission: an empty form for the next one."""
        self._done = False
        self.body.setEnabled(True)
        self.new_button.hide()
        self.discard_button.show()
        self.submit_button.show()
        self.discard()

    # --- submission -------------------------------------------------------------------------
    def submit(self) -> None:
        if self._busy or self._done or not self.isEnabled():
            return
        if self.revalidate():
            self.show_all_errors()
            return
        self._draft_timer.stop()
        self.save_draft()  # a crash while sending keeps what was typed
        data = self.collect()
        self._set_busy(True)
        self.banner.show_message("info", *self.sending)
        self.task = asyncio.get_running_loop().create_task(self._run(data), name=f"submit-{self.form_name}")
        _TASKS.add(self.task)
        self.task.add_done_callback(_TASKS.discard)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.body.setEnabled(not busy and not self._done)
        self.discard_button.setEnabled(not busy)
        self._update_submit()

    async def _run(self, data: dict[str, Any]) -> None:
        drafts, form, key = self.services.store.drafts, self.form_name, self.draft_key
        outcome: Outcome | None = None
        try:
            record = await self.send(data)
            outcome = self.outcome(record)
            if outcome.done:
                drafts.discard(form, key)  # even if this form was closed meanwhile
        except asyncio.CancelledError:
            outcome = self.cancelled() if alive(self) else None
        except InvalidInput as exc:
            if alive(self):
                self._show_invalid(exc.fields)
        except NotConfigured as exc:
            outcome = Outcome("error", "Not configured", f"{exc}.", "Set it up in Settings.")
        except (ServiceError, ConfigError) as exc:
            outcome = Outcome("error", "Could not submit", str(exc), "What you typed is kept.")
        except Exception as exc:
            log.exception("submitting %s failed", form)
            outcome = Outcome("error", "Something went wrong", f"{type(exc).__name__}: {exc}",
                              "What you typed is kept as a draft; try again.")
        finally:
            if alive(self):
                self._set_busy(False)
        if not alive(self):
            return
        if outcome is not None:
            self.banner.show_outcome(outcome)
            if outcome.done:
                self._finish()
            if outcome.emit and outcome.record_id:
                self.submitted.emit(outcome.record_id)
        if self._close_when_done:
            self.deleteLater()

    def cancelled(self) -> Outcome | None:
        return Outcome("info", "Cancelled", "Nothing was sent; what you typed is kept.")

    def _show_invalid(self, fields: dict[str, str]) -> None:
        mapped = self.map_service_fields(fields)
        self._touched |= set(mapped) & set(self.fields)
        self.revalidate()
        for name, message in mapped.items():
            if name in self.fields:
                self.fields[name].set_error(message)
        other = [v if k in ("ticket", "input") else f"{k}: {v}" for k, v in mapped.items()
                 if k not in self.fields]
        title = "Check the fields marked in red" if len(other) < len(mapped) else "Not submitted"
        self.banner.show_message("error", title, "\n".join(other) or "Nothing was stored or sent.")

    def _finish(self) -> None:
        self._done = True
        self._draft_timer.stop()
        self.body.setEnabled(False)
        self.discard_button.hide()
        self.submit_button.hide()
        self.new_button.setVisible(self.allow_new)
        self._update_submit()
        (self.new_button if self.allow_new else self.close_button).setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:  # whoever opens the form, typing starts in the right field
            self._shown = True
            self.first_field().setFocus()

    # --- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self._draft_timer.stop()
        if not self._done:
            self.save_draft()
        event.accept()
        if self.task is not None and not self.task.done():
            self._close_when_done = True  # deleted once the answer is in
        else:
            self.deleteLater()
