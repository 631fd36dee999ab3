"""The keyboard shortcuts dialog (F1), built from the window's live actions."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget


def _keys(action: QAction) -> str:
    return "  or  ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())


class ShortcutsDialog(QDialog):
    """Non-modal; built from the live actions so it can never list a stale shortcut."""

    def __init__(self, groups: list[tuple[str, list[QAction]]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts — Supportdesk")
        self.setAccessibleName("Keyboard shortcuts")
        tree = QTreeWidget(self)
        tree.setHeaderLabels(["Action", "Keys"])
        tree.setRootIsDecorated(False)
        tree.setAccessibleName("Shortcut list")
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        tree.header().setStretchLastSection(False)
        for title, actions in groups:
            head = QTreeWidgetItem(tree, [title, ""])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            head.setFirstColumnSpanned(True)
            for action in actions:
                if action.shortcuts():
                    QTreeWidgetItem(tree, [action.text().replace("&", "").rstrip("…"), _keys(action)])
        extra = QTreeWidgetItem(tree, ["In lists and viewers", ""])
        extra.setFont(0, font)
        for what, keys in (("Clear the search", "Esc"), ("Open the ticket / start search", "Enter"),
                           ("Find in a log", "Ctrl+F, F3 / Shift+F3"), ("Zoom a photo", "+  −  0  1"),
                           ("Close a viewer", "Esc or Ctrl+W")):
            QTreeWidgetItem(tree, [what, keys])
        note = QLabel("Single-letter keys work when the cursor is not in a text box.", self)
        note.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.addWidget(tree)
        layout.addWidget(note)
        self.tree = tree
        self.resize(520, 560)
