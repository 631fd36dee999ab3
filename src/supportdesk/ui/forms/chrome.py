"""The forms' look: the message banner and a small style sheet (errors red, banners tinted)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

FORM_QSS = """
QLabel#formTitle { font-size: 15pt; font-weight: 600; }
QLabel#formIntro, QLabel#fieldHelp { color: palette(mid); }
QLabel#fieldHelp { font-size: 8.5pt; }
QLabel#fieldError { color: #c62828; font-size: 8.5pt; }
QLabel#sectionTitle { font-weight: 600; padding-top: 6px; }
QLabel#submitReason { color: #9a5b00; }
QLineEdit#mono, QComboBox#mono { font-family: "DejaVu Sans Mono", monospace; }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"],
QListWidget[invalid="true"] {
    border: 1px solid #c62828; border-radius: 3px; padding: 3px;
}
QPushButton#linkButton { border: none; color: palette(link); padding: 2px 4px; }
QPushButton#linkButton:disabled { color: palette(mid); }
QPushButton#primary { font-weight: 600; padding: 5px 16px; }
QFrame#banner { border-radius: 4px; padding: 6px; }
QFrame#banner[kind="info"] { background: #e8f0fe; border: 1px solid #a8c3f0; }
QFrame#banner[kind="success"] { background: #e6f4ea; border: 1px solid #9fd3ae; }
QFrame#banner[kind="warning"] { background: #fff4e0; border: 1px solid #f0c67a; }
QFrame#banner[kind="error"] { background: #fdecea; border: 1px solid #f2a7a0; }
QFrame#banner QLabel { color: #1f1f1f; background: transparent; }
QLabel#bannerTitle { font-weight: 600; }
QLabel#bannerHint { font-style: italic; }
QFrame#dropZone { border: 2px dashed palette(mid); border-radius: 6px; }
QFrame#dropZone[hover="true"] { border-color: palette(highlight); }
"""


@dataclass
class Outcome:
    """What a submission ended as, for the banner and the form's next state."""

    kind: str  # success | queued | rejected | error | info
    title: str
    body: str = ""
    hint: str = ""
    record_id: str | None = None
    done: bool = False  # the form's content went out (or is safely queued): lock it
    emit: bool = False  # tell the window a record was stored

    @property
    def banner_kind(self) -> str:
        return {"queued": "warning", "rejected": "error"}.get(self.kind, self.kind)


class Banner(QFrame):
    """One message at the top of a form: what happened, verbatim, and what to do next."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        v = QVBoxLayout(self)
        v.setContentsMargins(8, 6, 8, 6)
        v.setSpacing(2)
        self.title = QLabel(self)
        self.title.setObjectName("bannerTitle")
        self.body = QLabel(self)
        self.hint = QLabel(self)
        self.hint.setObjectName("bannerHint")
        for label in (self.title, self.body, self.hint):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)  # provider text is never markup
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            v.addWidget(label)
        self.setAccessibleName("Message")
        self.hide()

    def show_message(self, kind: str, title: str, body: str = "", hint: str = "") -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.title.setText(title)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.setAccessibleDescription(" ".join(p for p in (title, body, hint) if p))
        self.show()

    def show_outcome(self, outcome: Outcome) -> None:
        self.show_message(outcome.banner_kind, outcome.title, outcome.body, outcome.hint)

    def text(self) -> str:
        if self.isHidden():
            return ""
        return "\n".join(t.text() for t in (self.title, self.body, self.hint) if t.text())

    def clear(self) -> None:
        self.hide()
