"""Files dropped on a form from the desktop or a file manager."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent


def local_paths(event: Any) -> list[str]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


class DropTarget:
    """Mixin for a form: accepts local files and hands them to `dropped(paths)`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setAcceptDrops(True)  # type: ignore[attr-defined]

    def dropped(self, paths: list[str]) -> None:
        raise NotImplementedError

    def drag_hover(self, on: bool) -> None:
        """Highlight where the file will land (optional)."""

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event) and self.body.isEnabled():  # type: ignore[attr-defined]
            event.acceptProposedAction()
            self.drag_hover(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drag_hover(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drag_hover(False)
        paths = local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.dropped(paths)
