"""Status "pills": the coloured chips for ticket status and sync state, in tables and headers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPixmap, QPixmapCache
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from supportdesk.ui import format as fmt

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme


def tokens_for(kind: str, value: str) -> tuple[str, str]:
    table = fmt.STATUS_TOKENS if kind == "status" else fmt.SYNC_TOKENS
    return table.get(value, ("queued", "queued_bg"))


def paint_pill(painter: QPainter, rect: QRect, text: str, fg: QColor, bg: QColor, font: QFont) -> None:
    fm = QFontMetrics(font)
    width = fm.horizontalAdvance(text) + 16
    height = min(rect.height() - 6, fm.height() + 6)
    pill = QRectF(rect.x(), rect.y() + (rect.height() - height) / 2, min(width, rect.width()), height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(bg)
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setPen(fg)
    painter.setFont(font)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, fm.elidedText(text, Qt.TextElideMode.ElideRight,
                                                                       int(pill.width()) - 8))
    painter.restore()


class PillDelegate(QStyledItemDelegate):
    """Paints a cell's text as a pill coloured by `role` (the raw status or sync value).

    A repaint of the inbox draws a pill per visible row and column: each is drawn once into a
    pixmap (Qt's bounded QPixmapCache) and then copied, instead of laying out and antialiasing
    text and a rounded rect every time (the two pill columns were a quarter of a repaint)."""

    def __init__(self, kind: str, role: int, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._kind = kind
        self._role = role
        self._painting = False

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        # The view's option already has the cell's state (selected, focused, alternate row): the
        # background and selection are drawn from it without the text cell's seven data roles.
        if not self._painting:
            super().initStyleOption(option, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        # The base class draws the background from C++: a QStyle handled in Python costs the
        # window's first paint the creation of QStyle's Python enums (6.5 ms).
        self._painting = True
        try:
            super().paint(painter, option, index)
        finally:
            self._painting = False
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text:
            return
        fg, bg = tokens_for(self._kind, str(index.data(self._role) or ""))
        font = QFont(option.font)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        font.setWeight(QFont.Weight.DemiBold)
        rect = option.rect.adjusted(8, 0, -4, 0)
        dpr = option.widget.devicePixelRatioF() if option.widget else 1.0
        colors = self._theme.color(fg), self._theme.color(bg)
        key = (f"pill:{text}:{colors[0].rgba()}:{colors[1].rgba()}:{font.key()}:{rect.width()}x"
               f"{rect.height()}@{dpr}")
        pixmap = QPixmapCache.find(key)
        if pixmap is None:
            pixmap = QPixmap(max(1, round(rect.width() * dpr)), max(1, round(rect.height() * dpr)))
            pixmap.setDevicePixelRatio(dpr)
            pixmap.fill(Qt.GlobalColor.transparent)
            p = QPainter(pixmap)
            paint_pill(p, QRect(0, 0, rect.width(), rect.height()), text, *colors, font)
            p.end()
            QPixmapCache.insert(key, pixmap)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 20, size.height())


class Pill(QWidget):
    """A standalone pill for the detail header."""

    def __init__(self, kind: str, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._kind = kind
        self._value = ""
        self._text = ""
        font = self.font()
        font.setWeight(QFont.Weight.DemiBold)
        self.setFont(font)

    def set_value(self, value: str, text: str) -> None:
        self._value, self._text = value, text
        self.setAccessibleName(f"{self._kind.capitalize()}: {text}")
        self.setToolTip(self.accessibleName())
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(fm.horizontalAdvance(self._text) + 20, fm.height() + 8)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        fg, bg = tokens_for(self._kind, self._value)
        paint_pill(painter, self.rect(), self._text, self._theme.color(fg), self._theme.color(bg), self.font())
