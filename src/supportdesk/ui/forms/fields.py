"""The pieces every form is made of: a field with its message underneath, and repeatable rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton, QButtonGroup, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
    QListWidget, QPlainTextEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Drives the red border in the forms' style sheet."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class Field(QWidget):
    """An input, an optional help line, and the red message shown while it is invalid."""

    def __init__(self, name: str, label: str, editor: QWidget, *, help_text: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name, self.label, self.editor = name, label, editor
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(editor)
        self.help = QLabel(help_text, self)
        self.help.setObjectName("fieldHelp")
        self.help.setWordWrap(True)
        self.help.setVisible(bool(help_text))
        box.addWidget(self.help)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        box.addWidget(self.error)
        editor.setAccessibleName(label)
        if help_text:
            editor.setAccessibleDescription(help_text)

    def focus_target(self) -> QWidget:
        target = getattr(self.editor, "focus_target", None)
        return target() if callable(target) else self.editor

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        mark = getattr(self.editor, "mark_invalid", None)
        if callable(mark):
            mark(bool(message))
        else:
            set_invalid(self.focus_target(), bool(message))
        self.editor.setAccessibleDescription(message or self.help.text())

    def set_help(self, text: str) -> None:
        self.help.setText(text)
        self.help.setVisible(bool(text))


# --- reading and writing any editor ---------------------------------------------------------

def get_value(w: QWidget) -> Any:
    if hasattr(w, "value") and callable(w.value) and not isinstance(w, QComboBox):
        return w.value()
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QComboBox):
        return w.currentText() if w.isEditable() else (w.currentData() or w.currentText())
    if isinstance(w, QCheckBox):
        return w.isChecked()
    raise TypeError(f"no value for {type(w).__name__}")


def set_value(w: QWidget, value: Any) -> None:
    if hasattr(w, "set_value") and not isinstance(w, QComboBox):
        w.set_value(value)
    elif isinstance(w, QLineEdit):
        w.setText("" if value is None else str(value))
    elif isinstance(w, QPlainTextEdit):
        w.setPlainText("" if value is None else str(value))
    elif isinstance(w, QComboBox):
        text = "" if value is None else str(value)
        i = w.findData(text)
        if i < 0:
            i = w.findText(text)
        if i >= 0:
            w.setCurrentIndex(i)
        if w.isEditable():
            w.setEditText(text)
    elif isinstance(w, QCheckBox):
        w.setChecked(bool(value))


def on_change(w: QWidget, slot: Callable[[], None]) -> None:
    if hasattr(w, "changed"):
        w.changed.connect(slot)
    elif isinstance(w, QLineEdit):
        w.textChanged.connect(slot)
    elif isinstance(w, QPlainTextEdit):
        w.textChanged.connect(slot)
    elif isinstance(w, QComboBox):
        (w.editTextChanged if w.isEditable() else w.currentIndexChanged).connect(slot)
    elif isinstance(w, QCheckBox):
        w.toggled.connect(slot)


def line(placeholder: str = "", *, mono: bool = False) -> QLineEdit:
    e = QLineEdit()
    e.setPlaceholderText(placeholder)
    e.setClearButtonEnabled(True)
    if mono:
        e.setObjectName("mono")
    return e


class TextBox(QPlainTextEdit):
    """Multi-line text sized in lines rather than Qt's generous default."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self._height = self.fontMetrics().lineSpacing() * rows + 14
        self.setMinimumHeight(self._height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height)


def text_box(placeholder: str = "", rows: int = 5) -> QPlainTextEdit:
    e = TextBox(rows)
    e.setPlaceholderText(placeholder)
    e.setTabChangesFocus(True)  # Tab moves on, as in every other field
    return e


def id_combo(placeholder: str) -> QComboBox:
    c = QComboBox()
    c.setEditable(True)
    c.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    c.lineEdit().setPlaceholderText(placeholder)
    c.setObjectName("mono")
    return c


# --- composite editors ---------------------------------------------------------------------

class Rows(QWidget):
    """1..max rows of one or two line edits, each with a remove button, plus an "Add" button."""

    changed = Signal()

    def __init__(self, columns: tuple[str, ...], *, add_text: str, minimum: int = 1,
                 maximum: int = 10, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns, self.minimum, self.maximum = columns, minimum, maximum
        self._rows: list[tuple[QWidget, list[QLineEdit], QPushButton]] = []
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(4)
        self.add_button = QPushButton(add_text, self)
        self.add_button.setObjectName("linkButton")
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        foot = QHBoxLayout()
        foot.addWidget(self.add_button)
        foot.addStretch(1)
        self._box.addLayout(foot)
        for _ in range(minimum):
            self.add_row()

    def focus_target(self) -> QWidget:
        return self._rows[0][1][0] if self._rows else self.add_button

    def mark_invalid(self, invalid: bool) -> None:
        """No outline: the message names the row, and outlining row 1 would point at the wrong one."""

    def editors(self) -> list[QLineEdit]:
        return [e for _, edits, _ in self._rows for e in edits]

    def add_row(self, values: tuple[str, ...] = (), *, focus: bool = False) -> None:
        if len(self._rows) >= self.maximum:
            return
        row = QWidget(self)
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        edits = []
        for i, placeholder in enumerate(self.columns):
            e = line(placeholder, mono=True)
            e.setAccessibleName(f"{placeholder} {len(self._rows) + 1}")
            e.setText(values[i] if i < len(values) else "")
            e.textChanged.connect(self.changed)
            h.addWidget(e, 1)
            edits.append(e)
        remove = QPushButton("Remove", row)
        remove.setObjectName("linkButton")
        remove.setAccessibleName(f"Remove row {len(self._rows) + 1}")
        remove.clicked.connect(lambda: self.remove_row(row))
        h.addWidget(remove)
        self._box.insertWidget(len(self._rows), row)
        previous = self._rows[-1][2] if self._rows else None
        chain = [w for w in (previous, *edits, remove, self.add_button) if w is not None]
        for a, b in zip(chain, chain[1:]):  # rows added later still Tab in reading order
            QWidget.setTabOrder(a, b)
        self._rows.append((row, edits, remove))
        self._sync()
        if focus:
            edits[0].setFocus()
        self.changed.emit()

    def remove_row(self, row: QWidget) -> None:
        for i, (w, _, _) in enumerate(self._rows):
            if w is row and len(self._rows) > self.minimum:
                self._rows.pop(i)
                w.hide()
                self._box.removeWidget(w)
                w.deleteLater()
                self._sync()
                self.changed.emit()
                return

    def _sync(self) -> None:
        self.add_button.setEnabled(len(self._rows) < self.maximum)
        self.add_button.setToolTip("" if len(self._rows) < self.maximum
                                   else f"At most {self.maximum} rows")
        for _, _, remove in self._rows:
            remove.setEnabled(len(self._rows) > self.minimum)

    def value(self) -> list[Any]:
        rows = [[e.text() for e in edits] for _, edits, _ in self._rows]
        return [r[0] for r in rows] if len(self.columns) == 1 else rows

    def set_value(self, value: list[Any] | None) -> None:
        value = list(value or [])
        while self._rows:
            w, _, _ = self._rows.pop()
            w.hide()  # gone now, not at the next event-loop turn
            self._box.removeWidget(w)
            w.deleteLater()
        for v in value[: self.maximum]:
            self.add_row(tuple(v) if isinstance(v, (list, tuple)) else (str(v),))
        while len(self._rows) < self.minimum:
            self.add_row()
        self.changed.emit()


class FileList(QWidget):
    """Files chosen from disk (or dropped on the form), shown as a list."""

    changed = Signal()

    def __init__(self, *, caption: str, name_filter: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption, self.name_filter = caption, name_filter
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(self)
        self.list.setMaximumHeight(self.list.fontMetrics().lineSpacing() * 4 + 10)
        self.list.setAccessibleName(caption)
        v.addWidget(self.list)
        h = QHBoxLayout()
        self.add_button = QPushButton("Add files…", self)
        self.remove_button = QPushButton("Remove", self)
        self.add_button.clicked.connect(self._browse)
        self.remove_button.clicked.connect(self._remove)
        h.addWidget(self.add_button)
        h.addWidget(self.remove_button)
        h.addStretch(1)
        v.addLayout(h)
        self._paths: list[str] = []
        self._sync()

    def focus_target(self) -> QWidget:
        return self.list

    def _browse(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.caption, "", self.name_filter)
        self.add_paths(paths)

    def add_paths(self, paths: list[str]) -> None:
        for p in paths:
            if p and p not in self._paths:
                self._paths.append(p)
        self._refresh()

    def _remove(self) -> None:
        rows = sorted((self.list.row(i) for i in self.list.selectedItems()), reverse=True)
        for r in rows or ([len(self._paths) - 1] if self._paths else []):
            self._paths.pop(r)
        self._refresh()

    def _refresh(self) -> None:
        self.list.clear()
        for p in self._paths:
            self.list.addItem(f"{Path(p).name}   ·   {Path(p).parent}")
            self.list.item(self.list.count() - 1).setToolTip(p)
        self._sync()
        self.changed.emit()

    def _sync(self) -> None:
        self.remove_button.setEnabled(bool(self._paths))
        self.list.setVisible(bool(self._paths))

    def value(self) -> list[str]:
        return list(self._paths)

    def set_value(self, value: list[str] | None) -> None:
        self._paths = [str(p) for p in value or []]
        self._refresh()


class Choice(QWidget):
    """A small set of exclusive options as radio buttons; value() is the chosen key."""

    changed = Signal()

    def __init__(self, options: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        from PySide6.QtWidgets import QRadioButton

        super().__init__(parent)
        h = QHBoxLayout(self)
        h.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self._keys: dict[QAbstractButton, str] = {}
        for key, text in options:
            b = QRadioButton(text, self)
            self.group.addButton(b)
            self._keys[b] = key
            h.addWidget(b)
        h.addStretch(1)
        next(iter(self._keys)).setChecked(True)
        self.group.buttonToggled.connect(lambda _b, on: on and self.changed.emit())

    def focus_target(self) -> QWidget:
        return self.group.checkedButton() or next(iter(self._keys))

    def value(self) -> str:
        return self._keys.get(self.group.checkedButton(), next(iter(self._keys.values())))

    def set_value(self, value: str | None) -> None:
        for b, k in self._keys.items():
            if k == value:
                b.setChecked(True)
