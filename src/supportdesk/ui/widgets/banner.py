"""A strip across the top of the window for a state the agent must know about (offline, recovery)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme


class Banner(QFrame):
    actionClicked = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.setObjectName("banner")
        self.setAccessibleName("Notice")
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton(self)
        self.button.clicked.connect(self.actionClicked)
        self.close_button = close = QToolButton(self)
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss notice")
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.setSpacing(10)
        row.addWidget(self.icon)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        row.addWidget(close)
        self.kind = ""
        self._icon_name = "offline"
        self._tint()
        theme.changed.connect(self._tint)  # the banner lives as long as the window, as the theme
        self.hide()

    def _tint(self, _scheme: str = "") -> None:
        self.icon.setPixmap(self._theme.icon(self._icon_name, "banner_text").pixmap(18, 18))
        self.close_button.setIcon(self._theme.icon("cancel", "banner_text"))

    def show_notice(self, kind: str, text: str, button: str | None = None, icon: str = "offline") -> None:
        self.kind, self._icon_name = kind, icon
        self._tint()
        self.text.setText(text)
        self.button.setText(button or "")
        self.button.setVisible(bool(button))
        self.setAccessibleDescription(text)
        self.show()

    def clear(self, kind: str) -> None:
        if self.kind == kind:
            self.hide()
