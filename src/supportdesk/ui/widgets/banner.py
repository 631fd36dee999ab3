"""A strip across the top of the window for a state the agent must know about (offline, recovery)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from supportdesk.ui import icons


class Banner(QFrame):
    actionClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName("Notice")
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton(self)
        self.button.clicked.connect(self.actionClicked)
        close = QToolButton(self)
        close.setIcon(icons.icon("cancel", "banner_text"))
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
        self.hide()

    def show_notice(self, kind: str, text: str, button: str | None = None, icon: str = "offline") -> None:
        self.kind = kind
        self.icon.setPixmap(icons.icon(icon, "banner_text").pixmap(18, 18))
        self.text.setText(text)
        self.button.setText(button or "")
        self.button.setVisible(bool(button))
        self.setAccessibleDescription(text)
        self.show()

    def clear(self, kind: str) -> None:
        if self.kind == kind:
            self.hide()
