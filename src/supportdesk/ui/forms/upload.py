"""Attach a log or a photo to a support ticket: checked first, streamed with progress, cancellable."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget,
)

from supportdesk.services.attachments import SUPPORT_UPLOAD, check_file, sniff_media_type
from supportdesk.services.errors import InvalidInput, ServiceError
from supportdesk.ui.forms.base import FormBase, alive
from supportdesk.ui.forms.chrome import Outcome
from supportdesk.ui.forms.drops import DropTarget
from supportdesk.ui.forms.fields import Choice, line


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


class FilePicker(QFrame):
    """The drop zone: the chosen path, and a button to browse for one."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        v = QVBoxLayout(self)
        v.setContentsMargins(12, 10, 12, 10)
        hint = QLabel("Drop a file here, or choose one from disk.", self)
        hint.setObjectName("fieldHelp")
        v.addWidget(hint)
        h = QHBoxLayout()
        self.path = line("/path/to/app.log", mono=True)
        self.path.textChanged.connect(self.changed)
        self.browse = QPushButton("Choose file…", self)
        self.browse.clicked.connect(self._browse)
        h.addWidget(self.path, 1)
        h.addWidget(self.browse)
        v.addLayout(h)

    def focus_target(self) -> QWidget:
        return self.path

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Attach a file")
        if path:
            self.path.setText(path)

    def value(self) -> str:
        return self.path.text()

    def set_value(self, value: str | None) -> None:
        self.path.setText(value or "")


class UploadForm(DropTarget, FormBase):
    form_name = "upload"
    title = "Attach a file"
    submit_text = "Upload"
    provider = "The support service"
    allow_new = False
    sending = ("Uploading…", "You can keep working; Cancel stops it and attaches nothing.")
    progressed = Signal(object, object)  # bytes sent, total (ints can exceed 2^31)

    def __init__(self, services: Any, parent: QWidget | None = None, *, ticket_id: str) -> None:
        self.ticket, self.problem = None, ""
        try:
            self.ticket = services.tickets.get(ticket_id)
            if self.ticket.provider != "support":
                self.problem = "Files attach to support tickets only."
        except ServiceError as exc:
            self.problem = str(exc)
        t = self.ticket
        self.intro = self.problem or (
            f"To support ticket {t.id}" + (f" (Zendesk #{t.zendesk_id})" if t.zendesk_id else "")
            + f": {t.subject}")
        self._started = 0.0
        super().__init__(services, parent, draft_key=t.id if t else ticket_id)

    def build(self) -> None:
        self.picker = FilePicker(self.body)
        self.file_field = self.add_field("path", "File", self.picker)
        self.kind = Choice([("log", "Log"), ("photo", "Photo")])
        self.add_field("kind", "Kind", self.kind,
                       help_text="Logs are text or archives; photos are JPEG, PNG, HEIC, GIF or WebP.")
        self.progress_box = QWidget(self)  # outside the body, which is disabled while sending
        h = QHBoxLayout(self.progress_box)
        h.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar(self.progress_box)
        self.bar.setRange(0, 1000)  # per mille: files can exceed a 32-bit int
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Upload progress")
        self.rate = QLabel(self.progress_box)
        self.cancel_button = QPushButton("Cancel", self.progress_box)
        self.cancel_button.clicked.connect(self.cancel)
        h.addWidget(self.bar, 1)
        h.addWidget(self.rate)
        h.addWidget(self.cancel_button)
        self.layout().addWidget(self.progress_box)  # between the fields and the buttons
        self.progress_box.hide()
        self.picker.changed.connect(self._guess_kind)

    def set_file(self, path: str) -> None:
        """For the window: a file dropped on a ticket opens this form with it."""
        self.picker.set_value(path)

    def dropped(self, paths: list[str]) -> None:
        self.set_file(paths[0])

    def drag_hover(self, on: bool) -> None:
        self.picker.setProperty("hover", on)
        self.picker.style().unpolish(self.picker)
        self.picker.style().polish(self.picker)

    def _guess_kind(self) -> None:
        p = Path(self.picker.value()).expanduser()
        try:
            with open(p, "rb") as f:
                media = sniff_media_type(f.read(4096), p.name)
        except OSError:
            return
        self.kind.set_value("photo" if media.startswith("image/") else "log")

    def check(self, data: dict[str, Any]) -> dict[str, str]:
        self.file_field.set_help("")
        if self.problem:
            return {"ticket": self.problem}
        if not data["path"].strip():
            return {"path": "Choose a file, or drop one on this form"}
        try:
            path = check_file(Path(data["path"].strip()), data["kind"])
        except InvalidInput as exc:
            return {"path": exc.fields["path"].replace("attach it with --kind photo", "choose Photo")}
        self.file_field.set_help(f"{path.name} · {human_size(path.stat().st_size)} · checked, ready to send")
        return {}

    # --- sending ------------------------------------------------------------------------------
    async def send(self, data: dict[str, Any]) -> Any:
        assert self.ticket is not None
        self._started = time.monotonic()
        self.bar.setValue(0)
        self.rate.setText("Preparing…")
        self.progress_box.show()
        self.cancel_button.setEnabled(True)
        try:
            return await self.services.attachments.upload(
                self.ticket.id, Path(data["path"].strip()), data["kind"], progress=self._progress)
        finally:
            if alive(self):
                self.cancel_button.setEnabled(False)

    def _progress(self, done: int, total: int) -> None:
        if not alive(self):
            return
        elapsed = max(time.monotonic() - self._started, 1e-3)
        self.bar.setValue(int(done * 1000 / total) if total else 0)
        share = f" ({done * 100 // total}%)" if total else ""
        self.rate.setText(f"{human_size(done)} of {human_size(total)}{share} · "
                          f"{human_size(done / elapsed)}/s")
        self.progressed.emit(done, total)

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.cancel_button.setEnabled(False)
            self.rate.setText("Cancelling…")
            self.task.cancel()

    def cancelled(self) -> Outcome:
        self.progress_box.hide()
        return Outcome("info", "Upload cancelled",
                       "Nothing was attached: the provider discards an unfinished upload, and the "
                       "queued copy was dropped.")

    def outcome(self, result: Any) -> Outcome:
        ticket, state = result
        name = Path(self.collect()["path"]).name if alive(self) else "the file"
        if state == "sent":
            if alive(self):
                self.bar.setValue(1000)
            return Outcome("success", f"Uploaded {name}", f"Attached to {ticket.id}.",
                           record_id=ticket.id, done=True, emit=True)
        if state == "pending":
            return Outcome("queued", f"{name} is queued",
                           "The support service could not be reached (or the ticket is not created "
                           "there yet). The file is copied into the cache and will be uploaded "
                           "automatically; nothing to do.", record_id=ticket.id, done=True, emit=True)
        error = self._last_error(ticket.id) or "Rejected without a message"
        message, _, hint = error.rpartition(" — ")
        return Outcome("rejected", f"The support service rejected {name}", message or hint,
                       hint if message else "", ticket.id)

    def _last_error(self, ticket_id: str) -> str | None:
        rows = [i for i in self.services.store.outbox.for_target(ticket_id)
                if i.kind == SUPPORT_UPLOAD and i.state == "failed"]
        return rows[-1].last_error if rows else None
