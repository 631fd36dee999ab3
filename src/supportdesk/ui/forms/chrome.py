"""The forms' look: the message banner and a small style sheet (errors red, banners tinted)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

FORM_QSS = """
QLabel#formTitle { font-size: 15pt; font-weight: 600; }
QLabel#formIntro { color: palette(placeholder-text); }
QLabel#fieldHelp { color: palette(placeholder-text); font-size: 8.5pt; }
QLabel#fieldError { color: #c62828; font-size: 8.5pt; }
QLabel#formSection { font-weight: 600; padding-top: 8px; }
QLabel#submitReason { color: #a15c00; }
QLineEdit#mono, QComboBox#mono { font-family: "DejaVu Sans Mono", monospace; }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"],
QListWidget[invalid="true"] { border: 1px solid #d92d20; border-radius: 6px; padding: 4px 8px; }
QPushButton#linkButton { border: none; background: transparent; color: palette(link); padding: 2px 4px; }
QPushButton#linkButton:disabled { color: palette(placeholder-text); }
QPushButton[primary="true"] { font-weight: 600; padding: 4px 16px; }
QPushButton[primary="true"]:disabled { background: #b9c9ef; border-color: #b9c9ef; color: #ffffff; }
QLabel#formLabel { padding-top: 3px; }
QFrame#formBanner { border-radius: 6px; }
QFrame#formBanner[kind="info"] { background: #e8f0fe; border: 1px solid #a8c3f0; }
QFrame#formBanner[kind="success"] { background: #e6f4ea; border: 1px solid #9fd3ae; }
QFrame#formBanner[kind="warning"] { background: #fff4e0; border: 1px solid #f0c67a; }
QFrame#formBanner[kind="error"] { background: #fdecea; border: 1px solid #f2a7a0; }
QFrame#formBanner QLabel { color: #1d2330; background: transparent; }
QLabel#bannerTitle { font-weight: 600; }
QLabel#bannerHint { font-style: italic; }
QFrame#dropZone { border: 2px dashed palette(mid); border-radius: 8px; }
QFrame#dropZone[hover="true"] { border-color: palette(highlight); }
"""


@cache
def form_qss() -> str:
    """The sheet, with a drop-down arrow for combo boxes (the theme styles them flat)."""
    try:
        from importlib.resources import files

        arrow = files("supportdesk.resources").joinpath("icons/down.svg")
        if Path(str(arrow)).is_file():
            url = Path(str(arrow)).as_posix()
            return FORM_QSS + (f'QComboBox::down-arrow {{ image: url("{url}"); width: 12px; '
                               "height: 12px; }\n")
    except (ImportError, OSError, TypeError):
        pass
    return FORM_QSS


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
        self.setObjectName("formBanner")
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
