"""A ticket's attachments in the detail pane: view, open, save; download with progress and cancel."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget,
)

from supportdesk.models.ticket import Attachment, Ticket
from supportdesk.providers.errors import ProviderError
from supportdesk.services.errors import ServiceError
from supportdesk.ui import format as fmt
from supportdesk.ui.attachments.images import ImageError, decode
from supportdesk.ui.attachments.viewer import open_viewer, open_with_system, save_copy_dialog
from supportdesk.ui.tasks import TaskRunner, alive

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

log = logging.getLogger(__name__)

STATE_TEXT = {"local": "queued for upload", "uploaded": "uploaded", "remote": "at the provider",
              "failed": "upload failed"}
THUMB = 120


def cached(a: Attachment) -> Path | None:
    return Path(a.cached_path) if a.cached_path and Path(a.cached_path).exists() else None


class AttachmentRow(QFrame):
    """One file. Cached: View / Open / Save as. Not cached: Download (progress, Cancel)."""

    changed = Signal()  # downloaded: the ticket should be re-read

    def __init__(self, services: Any, ticket: Ticket, attachment: Attachment, tasks: TaskRunner,
                 theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentRow")
        self.services, self.ticket, self.att, self.tasks = services, ticket, attachment, tasks
        self.theme = theme
        self._download: asyncio.Task | None = None
        kind = attachment.kind.value
        self.setAccessibleName(f"{kind} attachment {attachment.name}")
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(28, 28)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setPixmap(theme.icon("photo" if kind == "photo" else "log", "muted").pixmap(28, 28))
        self.title = QLabel(f"<b>{attachment.name}</b>", self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.meta = QLabel(self)
        self.meta.setObjectName("muted")
        self.error = QLabel(self)
        self.error.setObjectName("errorHint")
        self.error.setWordWrap(True)
        self.error.hide()
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(f"Downloading {attachment.name}")
        self.bar.hide()
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.meta)
        text.addWidget(self.bar)
        text.addWidget(self.error)
        text.addLayout(self.buttons)
        text.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 10, 8)
        row.setSpacing(12)
        row.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        self.refresh()

    def _button(self, icon: str, text: str, slot, accessible: str, primary: bool = False) -> QPushButton:
        b = QPushButton(self.theme.icon(icon, "accent_text" if primary else "text"), text, self)
        b.setAccessibleName(accessible)
        if primary:
            b.setProperty("primary", True)
        b.clicked.connect(slot)
        self.buttons.addWidget(b)
        return b

    def refresh(self) -> None:
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        path = cached(self.att)
        state = STATE_TEXT.get(self.att.state, self.att.state)
        where = "cached, opens offline" if path else "not downloaded yet"
        self.meta.setText(" · ".join(filter(None, [fmt.size(self.att.size), state, where])))
        name = self.att.name
        if path:
            self.view_button = self._button("photo" if self.att.kind.value == "photo" else "log", "View",
                                            self.view, f"View {name}", primary=True)
            self._button("open-external", "Open", lambda: open_with_system(path), f"Open {name} with the system app")
            self._button("save", "Save as…", self.save_as, f"Save {name} as")
            if self.att.kind.value == "photo":
                self.tasks.spawn(self._thumbnail(path), "thumbnail")
        else:
            self._button("download", "Download", self.download, f"Download {name}", primary=True)
        self.buttons.addStretch(1)

    async def _thumbnail(self, path: Path) -> None:
        try:
            decoded = await asyncio.to_thread(decode, path, THUMB * 2)
        except ImageError:
            return
        if alive(self):
            self.thumb.setFixedSize(THUMB, THUMB)
            pix = QPixmap.fromImage(decoded.image).scaled(
                THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            self.thumb.setPixmap(pix)

    def view(self) -> None:
        path = cached(self.att)
        if path:
            open_viewer(path, self.att.kind.value, self.att.name, f"ticket {self.ticket.id}", self.theme,
                        self.window())

    def save_as(self) -> None:
        path = cached(self.att)
        if path:
            save_copy_dialog(self.window(), path, self.att.name, self.tasks)

    def download(self) -> None:
        if self._download is not None and not self._download.done():
            return
        self._download = self.tasks.spawn(self._run_download(), f"download-{self.att.kind.value}")

    def cancel(self) -> None:
        if self._download is not None:
            self._download.cancel()

    async def _run_download(self) -> None:
        self.error.hide()
        self.bar.setRange(0, 0)
        self.bar.show()
        for i in range(self.buttons.count()):
            if (w := self.buttons.itemAt(i).widget()) is not None:
                w.hide()
        cancel = self._button("cancel", "Cancel", self.cancel, f"Cancel downloading {self.att.name}")

        def progress(done: int, total: int) -> None:
            if alive(self.bar):
                if total:
                    self.bar.setRange(0, 1000)
                    self.bar.setValue(int(1000 * done / total))
                self.meta.setText(f"Downloading… {fmt.size(done)}" + (f" of {fmt.size(total)}" if total else ""))

        try:
            att = await self.services.attachments.download(self.ticket.id, self.att.kind.value, progress=progress)
        except asyncio.CancelledError:
            if alive(self):
                self._fail("Download cancelled.", cancel)
            raise
        except (ProviderError, ServiceError) as exc:
            if alive(self):
                hint = getattr(exc, "hint", None)
                self._fail(f"Could not download: {exc}" + (f" — {hint}" if hint else ""), cancel)
            return
        if not alive(self):
            return
        self.att = att
        self.bar.hide()
        self.refresh()
        self.changed.emit()

    def _fail(self, text: str, cancel: QPushButton) -> None:
        self.bar.hide()
        cancel.deleteLater()
        self.error.setText(text)
        self.error.show()
        self.refresh()


class AttachmentsPanel(QWidget):
    changed = Signal()

    def __init__(self, services: Any, tasks: TaskRunner, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.tasks, self.theme = services, tasks, theme
        self.rows: list[AttachmentRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.setAccessibleName("Attachments")

    def set_ticket(self, ticket: Ticket) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.rows = []
        for a in ticket.attachments:
            row = AttachmentRow(self.services, ticket, a, self.tasks, self.theme, self)
            row.changed.connect(self.changed)
            self.rows.append(row)
            self._layout.addWidget(row)
        if not ticket.attachments:
            none = QLabel("No files attached." if ticket.provider == "support"
                          else "Cardlytics tickets carry no files.", self)
            none.setObjectName("muted")
            self._layout.addWidget(none)

    def row(self, kind: str) -> AttachmentRow | None:
        return next((r for r in self.rows if r.att.kind.value == kind), None)
