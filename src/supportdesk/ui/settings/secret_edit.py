"""A secret's field: hidden by default, with a Show/Hide toggle; its value never leaves the keyring path."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget


class SecretEdit(QWidget):
    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        h = QHBoxLayout(self)
        h.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText("not set")
        self.edit.setAccessibleName(label)
        self.edit.textChanged.connect(self.changed)
        self.toggle = QPushButton("Show", self)
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName(f"Show {label}")
        self.toggle.toggled.connect(self._toggle)
        h.addWidget(self.edit, 1)
        h.addWidget(self.toggle)

    def _toggle(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.toggle.setText("Hide" if shown else "Show")

    def focus_target(self) -> QWidget:
        return self.edit

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: str) -> None:
        self.edit.setText(value)
        self.toggle.setChecked(False)
