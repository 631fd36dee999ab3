"""A window for one attachment: the photo or log view, open with the system app, save as."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Qt
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from supportdesk.ui.attachments.logview import LogView
from supportdesk.ui.attachments.photo import PhotoView
from supportdesk.ui.tasks import TaskRunner, alive

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

log = logging.getLogger(__name__)


def open_with_system(path: Path) -> bool:
    ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    if not ok:
        log.info("no application to open %s", path.suffix)
    return ok


def save_copy_dialog(parent: QWidget, source: Path, suggested: str, tasks: TaskRunner,
                     on_saved=None) -> QFileDialog:
    """A non-modal Save As (no nested event loop under asyncio); copies in a worker thread."""
    dialog = QFileDialog(parent, "Save attachment as")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.selectFile(suggested)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    async def copy(target: str) -> None:
        await asyncio.to_thread(shutil.copyfile, source, target)
        if on_saved is not None:
            on_saved(Path(target))

    dialog.fileSelected.connect(lambda target: tasks.spawn(copy(target), "save-attachment"))
    dialog.open()
    return dialog


class AttachmentWindow(QWidget):
    """Opens at once and loads in the background; closing it cancels the load."""

    def __init__(self, path: Path, kind: str, name: str, title: str, theme: Theme,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.path, self.kind, self.name = Path(path), kind, name
        self.tasks = TaskRunner()
        self.setWindowTitle(f"{name} — {title}")
        self.setWindowIcon(theme.icon("photo" if kind == "photo" else "log"))
        self.view: PhotoView | LogView = PhotoView(theme, self) if kind == "photo" else LogView(theme, self)
        self.saved = QLabel(self)
        self.saved.setObjectName("muted")
        open_b = QPushButton(theme.icon("open-external"), "Open with system app", self)
        open_b.setAccessibleName("Open with the system application")
        open_b.clicked.connect(lambda: open_with_system(self.path))
        save_b = QPushButton(theme.icon("save"), "Save as…", self)
        save_b.setAccessibleName("Save a copy as")
        save_b.clicked.connect(self.save_as)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        bar.addWidget(QLabel(f"<b>{name}</b>", self))
        bar.addWidget(self.saved, 1)
        bar.addWidget(open_b)
        bar.addWidget(save_b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        QShortcut(QKeySequence.StandardKey.Close, self, self.close)
        QShortcut(QKeySequence("Esc"), self, self.close)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_as)
        self.resize(900, 700) if kind == "log" else self.resize(720, 760)

    def start(self) -> None:
        self.tasks.spawn(self.view.load(self.path, self.name), f"load-{self.kind}")

    def save_as(self) -> None:
        def saved(target: Path) -> None:
            if alive(self):
                self.saved.setText(f"  Saved to {target}")

        save_copy_dialog(self, self.path, self.name, self.tasks, saved)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if isinstance(self.view, LogView):
            self.view.cancel()
        self.tasks.cancel_all()
        super().closeEvent(event)


def open_viewer(path: Path, kind: str, name: str, title: str, theme: Theme,
                parent: QWidget | None = None) -> AttachmentWindow:
    window = AttachmentWindow(path, kind, name, title, theme, parent)
    window.show()
    window.start()
    return window
