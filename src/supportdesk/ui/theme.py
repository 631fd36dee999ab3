"""Light and dark themes: Fusion + a palette + one QSS template, following the system scheme.

The launcher makes one Theme for the app and hands it to the main window, which passes it on to
every widget that paints a colour token or a tinted icon (no module-level current theme)."""

from __future__ import annotations

import ast
import re
from functools import cache

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from supportdesk.resources import resource_text
from supportdesk.ui import icons

MODES = ("system", "light", "dark")


@cache
def _tokens(scheme: str) -> dict[str, str]:
    # A flat JSON object of strings is a Python literal too: `ast` is loaded by PySide already,
    # `json` would cost the first paint 2 ms.
    return ast.literal_eval(resource_text(f"themes/{scheme}.json"))


def stylesheet(scheme: str) -> str:
    tokens = _tokens(scheme)
    # Unknown tokens are left in place so a typo shows up in the QSS warning, not as black.
    return re.sub(r"@([a-z_]+)", lambda m: tokens.get(m.group(1), m.group(0)),
                  resource_text("themes/app.qss"))


def _palette(t: dict[str, str]) -> QPalette:
    p = QPalette()
    c = QColor
    roles = {
        QPalette.ColorRole.Window: t["window"], QPalette.ColorRole.WindowText: t["text"],
        QPalette.ColorRole.Base: t["base"], QPalette.ColorRole.AlternateBase: t["alt_base"],
        QPalette.ColorRole.Text: t["text"], QPalette.ColorRole.Button: t["base"],
        QPalette.ColorRole.ButtonText: t["text"], QPalette.ColorRole.Highlight: t["selection"],
        QPalette.ColorRole.HighlightedText: t["selection_text"],
        QPalette.ColorRole.ToolTipBase: t["tooltip"], QPalette.ColorRole.ToolTipText: t["tooltip_text"],
        QPalette.ColorRole.PlaceholderText: t["muted"], QPalette.ColorRole.Link: t["accent"],
        QPalette.ColorRole.Mid: t["border"], QPalette.ColorRole.Midlight: t["hover"],
        QPalette.ColorRole.Dark: t["strong_border"], QPalette.ColorRole.Light: t["base"],
        QPalette.ColorRole.Accent: t["accent"],
    }
    for role, value in roles.items():
        p.setColor(role, c(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, c(t["muted"]))
    return p


class Theme(QObject):
    """The current scheme's colour tokens; `changed` fires when the scheme switches."""

    changed = Signal(str)

    def __init__(self, app: QApplication, mode: str = "system", *, set_style: bool = True,
                 sheet: bool = True) -> None:
        """`set_style=False`: the app already runs Fusion (given on its command line).
        `sheet=False`: the palette only, the style sheet comes with `apply_sheet()`."""
        super().__init__(app)
        self._app = app
        self._mode = mode if mode in MODES else "system"
        self.scheme = "light"
        if set_style:
            app.setStyle("Fusion")
        app.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply(sheet=sheet)

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        self._mode = mode if mode in MODES else "system"
        self.apply()

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._mode == "system":
            self.apply()

    def _resolve(self) -> str:
        if self._mode != "system":
            return self._mode
        hints = QGuiApplication.styleHints()
        return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"

    def apply(self, *, sheet: bool = True) -> None:
        scheme = self._resolve()
        self.scheme = scheme
        self._app.setPalette(_palette(_tokens(scheme)))
        if sheet:
            self.apply_sheet()
        self.changed.emit(scheme)

    def apply_sheet(self) -> None:
        """The current scheme's style sheet, unless the app has it already. The desk's start-up
        applies it once the first window is built (~2 ms sooner painted): set before, every
        widget was polished through it again each time it went into a layout or a parent."""
        sheet = stylesheet(self.scheme)
        if self._app.styleSheet() != sheet:
            self._app.setStyleSheet(sheet)

    def color(self, token: str) -> QColor:
        return QColor(_tokens(self.scheme).get(token, "#ff00ff"))

    def hex(self, token: str) -> str:
        return _tokens(self.scheme).get(token, "#ff00ff")

    def icon(self, name: str, token: str = "text") -> QIcon:
        """`name` is a file in resources/icons, its strokes in colour `token` (muted when disabled)."""
        return icons.tinted(name, self.hex(token), self.hex("muted"))
