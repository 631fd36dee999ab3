"""Log viewer: monospace, level colours, find, level filter; large files load in chunks.

A chunk is read in a worker thread and appended on the UI thread, with a yield to the event loop
between chunks, so a 100 MB log never freezes the window and the load can be cancelled.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QFont, QFontDatabase, QKeySequence, QShortcut, QSyntaxHighlighter, QTextCharFormat,
    QTextCursor, QTextDocument,
)
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QTextEdit,
    QToolButton, QVBoxLayout, QWidget,
)

from supportdesk.ui import format as fmt
from supportdesk.ui.tasks import TaskRunner, alive

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

CHUNK = 256 * 1024
MAX_BYTES = 64 * 1024 * 1024  # beyond this, the tail is shown (the end of a log is what matters)
LEVELS = {"TRACE": 0, "DEBUG": 0, "INFO": 1, "NOTICE": 1, "WARN": 2, "WARNING": 2, "ERROR": 3,
          "ERR": 3, "FATAL": 3, "CRITICAL": 3, "SEVERE": 3}
LEVEL_TOKENS = {0: "log_debug", 1: "log_info", 2: "log_warn", 3: "log_error"}
FILTERS = (("All levels", 0), ("Info and above", 1), ("Warnings and errors", 2), ("Errors only", 3))
_LEVEL_RE = re.compile(r"\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERR(?:OR)?|FATAL|CRITICAL|SEVERE)\b")
_STAMP_RE = re.compile(r"^\s*\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?")
_UNKNOWN = -1


def line_level(text: str) -> int | None:
    m = _LEVEL_RE.search(text[:120])  # the level sits near the start; a message may say "error"
    return LEVELS[m.group(1)] if m else None


class LogHighlighter(QSyntaxHighlighter):
    """Colours level tokens and error lines; a line without a level (a stack trace) inherits one."""

    def __init__(self, document: QTextDocument, theme: Theme) -> None:
        super().__init__(document)
        self._theme = theme

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        level = line_level(text)
        m = _LEVEL_RE.search(text[:120]) if level is not None else None
        if level is None:
            prev = self.previousBlockState()
            level = prev if prev >= 0 else _UNKNOWN
        self.setCurrentBlockState(level)
        stamp = _STAMP_RE.match(text)
        if stamp:
            f = QTextCharFormat()
            f.setForeground(self._theme.color("muted"))
            self.setFormat(0, stamp.end(), f)
        if level == 3:
            body = QTextCharFormat()
            body.setForeground(self._theme.color("log_error"))
            start = stamp.end() if stamp else 0
            self.setFormat(start, len(text) - start, body)
        elif level == 0 and m:
            body = QTextCharFormat()
            body.setForeground(self._theme.color("log_debug"))
            self.setFormat(m.end(), len(text) - m.end(), body)
        if m:
            tok = QTextCharFormat()
            tok.setForeground(self._theme.color(LEVEL_TOKENS[level]))
            tok.setFontWeight(QFont.Weight.Bold)
            self.setFormat(m.start(), m.end() - m.start(), tok)


def count_in_file(path: Path, needle: str, limit: int = 100_000) -> int:
    """Matches of `needle` (case-insensitive) in the file, for the search bar; runs in a thread."""
    needle = needle.lower()
    n = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            n += line.lower().count(needle)
            if n >= limit:
                break
    return n


class LogView(QWidget):
    loaded = Signal(int)  # line count
    progress = Signal(int, int)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setAccessibleName("Log viewer")
        self.path: Path | None = None
        self.display_name = ""
        self.tasks = TaskRunner()
        self.destroyed.connect(lambda *_: self.tasks.cancel_all())
        self.loading = False
        self._cancelled = False
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName("Log text")
        self.text.setUndoRedoEnabled(False)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.highlighter = LogHighlighter(self.text.document(), theme)
        self.find = QLineEdit(self)
        self.find.setPlaceholderText("Find in log (Ctrl+F) — Enter: next, Shift+Enter: previous")
        self.find.setClearButtonEnabled(True)
        self.find.setAccessibleName("Find in log")
        self.matches = QLabel(self)
        self.matches.setObjectName("muted")
        self.level = QComboBox(self)
        for label, value in FILTERS:
            self.level.addItem(label, value)
        self.level.setAccessibleName("Show log levels")
        self.status = QLabel(self)
        self.status.setObjectName("muted")
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(160)
        self.bar.setAccessibleName("Loading progress")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel loading")
        self.cancel_button.clicked.connect(self.cancel)
        prev_b, next_b = QToolButton(self), QToolButton(self)
        for b, name, tip, step in ((prev_b, "up", "Previous match (Shift+F3)", -1),
                                   (next_b, "down", "Next match (F3)", 1)):
            b.setIcon(theme.icon(name))
            b.setToolTip(tip)
            b.setAccessibleName(tip.split(" (")[0])
            b.setAutoRaise(True)
            b.clicked.connect(lambda _=False, s=step: self.find_next(s < 0))
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 6)
        top.addWidget(self.find, 1)
        top.addWidget(prev_b)
        top.addWidget(next_b)
        top.addWidget(self.matches)
        top.addSpacing(12)
        top.addWidget(self.level)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(8, 4, 8, 4)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.bar)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addLayout(bottom)
        self.find.returnPressed.connect(lambda: self.find_next(False))
        self.find.textChanged.connect(self._find_changed)
        self.level.currentIndexChanged.connect(lambda _i: self.apply_level_filter())
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_find, context=ctx)
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, lambda: self.find_next(False), context=ctx)
        QShortcut(QKeySequence("Shift+F3"), self, lambda: self.find_next(True), context=ctx)
        QShortcut(QKeySequence("Shift+Return"), self.find, lambda: self.find_next(True),
                  context=Qt.ShortcutContext.WidgetShortcut)
        self._show_progress(False)
        theme.changed.connect(self.highlighter.rehighlight)  # dropped with the viewer (a Qt slot)

    # --- loading --------------------------------------------------------------------------
    async def load(self, path: Path, name: str | None = None) -> bool:
        """Returns False if cancelled or the widget went away. `name` is what the agent knows it by."""
        self.path = Path(path)
        self.display_name = name or self.path.name
        self.loading, self._cancelled = True, False
        self.text.clear()
        total = self.path.stat().st_size
        start = max(0, total - MAX_BYTES)
        self._show_progress(True)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        rest, done, first = "", 0, True
        with open(self.path, "rb") as f:
            if start:
                f.seek(start)
                f.readline()  # start at a line boundary
            while True:
                chunk = await asyncio.to_thread(f.read, CHUNK)
                if not alive(self) or self._cancelled:
                    return self._stopped()
                done += len(chunk)
                text = rest + decoder.decode(chunk, final=not chunk)
                if not chunk:  # the last line, if the file does not end with a newline
                    if text:
                        self._append(text, first)
                    rest = ""
                elif (cut := text.rfind("\n")) >= 0:
                    self._append(text[:cut], first)
                    first, rest = False, text[cut + 1:]
                else:
                    rest = text
                self.bar.setValue(int(100 * done / max(1, total - start)))
                self.progress.emit(done, total - start)
                if not chunk:
                    break
                await asyncio.sleep(0)  # let the window paint and handle input between chunks
        self.loading = False
        self._show_progress(False)
        lines = self.text.document().blockCount()
        note = f" · showing the last {fmt.size(MAX_BYTES)} of {fmt.size(total)}" if start else ""
        self.status.setText(f"{self.display_name} · {lines:,} lines · {fmt.size(total)}{note}")
        if self.level.currentData():
            await self.apply_level_filter_async()
        self.loaded.emit(lines)
        return True

    def _append(self, text: str, first: bool) -> None:
        bar = self.text.verticalScrollBar()
        keep = bar.value()
        cursor = QTextCursor(self.text.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text if first else "\n" + text)
        bar.setValue(keep)  # stay where the agent is reading, not at the growing end

    def _stopped(self) -> bool:
        if alive(self):
            self.loading = False
            self._show_progress(False)
            self.status.setText("Loading cancelled — the part read so far is shown.")
        return False

    def cancel(self) -> None:
        self._cancelled = True

    def _show_progress(self, on: bool) -> None:
        self.bar.setVisible(on)
        self.cancel_button.setVisible(on)
        if on:
            self.bar.setValue(0)
            self.status.setText(f"Loading {self.display_name}…")

    # --- level filter ---------------------------------------------------------------------
    def apply_level_filter(self) -> None:
        if self._loop_running():
            self.tasks.spawn(self.apply_level_filter_async(), "log-filter")
        else:
            self._filter_blocks(0, None)

    @staticmethod
    def _loop_running() -> bool:
        try:
            asyncio.get_running_loop()
            return True
        except RuntimeError:
            return False

    async def apply_level_filter_async(self) -> None:
        block_count = self.text.document().blockCount()
        for start in range(0, block_count, 20_000):
            if not alive(self):
                return
            self._filter_blocks(start, start + 20_000)
            await asyncio.sleep(0)

    def _filter_blocks(self, start: int, end: int | None) -> None:
        minimum = self.level.currentData() or 0
        doc = self.text.document()
        block = doc.findBlockByNumber(start)
        n = start
        while block.isValid() and (end is None or n < end):
            state = block.userState()
            block.setVisible(minimum == 0 or state >= minimum)
            block = block.next()
            n += 1
        doc.markContentsDirty(0, doc.characterCount())
        self.text.viewport().update()

    # --- find -----------------------------------------------------------------------------
    def _focus_find(self) -> None:
        self.find.setFocus()
        self.find.selectAll()

    def _find_changed(self, needle: str) -> None:
        self.matches.setText("")
        self.text.setExtraSelections([])
        if needle and self.path and self._loop_running():
            self.tasks.spawn(self._count(needle), "log-count")

    async def _count(self, needle: str) -> None:
        assert self.path is not None
        n = await asyncio.to_thread(count_in_file, self.path, needle)
        if alive(self) and self.find.text() == needle:
            self.matches.setText("No matches" if n == 0 else f"{n:,} match{'es' if n != 1 else ''}")

    def find_next(self, backward: bool = False) -> bool:
        needle = self.find.text()
        if not needle:
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.text.find(needle, flags)
        if not found:  # wrap around
            cursor = self.text.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
            self.text.setTextCursor(cursor)
            found = self.text.find(needle, flags)
        if found:
            sel = QTextEdit.ExtraSelection()
            sel.cursor = self.text.textCursor()
            sel.format.setBackground(self.theme.color("match"))
            self.text.setExtraSelections([sel])
            self.text.centerCursor()
        return found
