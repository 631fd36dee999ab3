"""Opening the forms (new ticket, resubmit, upload, settings…) as non-modal windows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

if TYPE_CHECKING:  # QMessageBox is loaded on use: its Python type and enums cost the first paint 1.3 ms
    from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)

FORM_TITLES = {"cardlytics": "New Cardlytics ticket", "support": "New support ticket",
               "invitation": "New feedback invitation", "feedback": "Send offer feedback",
               "upload": "Attach a file", "resubmit": "Correct and resubmit", "settings": "Settings"}


def _notice(parent: QWidget | None, title: str, text: str, icon: str) -> QMessageBox:
    """`icon`: a QMessageBox.Icon name ("Information", "Warning")."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon[icon], title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # non-modal to the event loop: no nested exec() under asyncio
    return box


def open_form(kind: str, services: Any, parent: QWidget | None = None, *,
              ticket_id: str | None = None) -> QWidget | None:
    """The form window, or None (with a message) if forms are not available."""
    title = FORM_TITLES.get(kind, kind)
    try:
        from supportdesk.ui.forms import create_form
    except ImportError as exc:
        if getattr(exc, "name", None) in ("supportdesk.ui.forms", None):
            _notice(parent, title, f"{title}: coming soon.\nThis build has no forms yet; "
                    "the command line can do it meanwhile (supportdesk --help).", "Information")
            return None
        log.exception("the forms package failed to import")
        _notice(parent, title, f"The form could not be opened: {exc}", "Warning")
        return None
    try:
        widget = create_form(kind, services, parent, ticket_id=ticket_id)
    except Exception as exc:  # a broken form must not take the window down
        log.exception("opening the %s form failed", kind)
        _notice(parent, title, f"The form could not be opened: {exc}", "Warning")
        return None
    if not widget.isWindow():
        widget.setWindowFlag(Qt.WindowType.Window, True)
    if not widget.windowTitle():
        widget.setWindowTitle(title)
    widget.show()
    widget.raise_()
    widget.activateWindow()
    return widget
