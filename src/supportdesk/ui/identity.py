"""The application's desktop identity (id, name, icon), shared with packaging/, and the About action.

Light on purpose: the window's first paint needs it; the dialog (ui/about.py) is imported on use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QWidget

from supportdesk import __version__

if TYPE_CHECKING:
    from supportdesk.config import Config

# Reverse-DNS id: the .desktop file, the AppStream metainfo and the installed icon are named by it,
# and the window reports it (Wayland app_id) so the shell matches window, menu entry and icon.
APP_ID = "io.github.supportdesk.Supportdesk"
DISPLAY_NAME = "Supportdesk"  # shown in title bars, the task bar and the About dialog
SUMMARY = "File and follow support tickets, online or offline"
PROJECT_LICENSE = "MIT"


def apply_identity(app: QGuiApplication) -> None:
    """Name the app for the desktop shell; call right after creating the QApplication.

    The application and organisation names are left alone (QSettings files are keyed by them);
    with applicationName "Supportdesk" the X11 WM_CLASS is ("supportdesk", "Supportdesk"),
    which the desktop file's StartupWMClass names."""
    from supportdesk.ui.icons import app_icon

    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)  # Wayland app_id; matched against <APP_ID>.desktop
    app.setWindowIcon(app_icon())


def about_action(parent: QWidget, config: Config | None = None) -> QAction:
    """A Help ▸ About action for the main window: opens (or raises) one modeless dialog."""
    action = QAction(f"&About {DISPLAY_NAME}", parent)
    action.setMenuRole(QAction.MenuRole.AboutRole)
    action.setObjectName("aboutAction")
    holder: dict[str, Any] = {}

    def show() -> None:
        dialog = holder.get("dialog")
        if dialog is None:
            from supportdesk.ui.about import AboutDialog

            dialog = holder["dialog"] = AboutDialog(config, parent)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    action.triggered.connect(show)
    return action
