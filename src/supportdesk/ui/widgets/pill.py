"""Status "pills": the coloured chips for ticket status and sync state, in tables and headers."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from supportdesk.ui import format as fmt
from supportdesk.ui import theme


def tokens_for(kind: str, value: str) -> tuple[str, str]:
    table = fmt.STATUS_TOKENS if kind == "status" else fmt.SYNC_TOKENS
    return table.get(value, ("queued", "queued_bg"))


def paint_pill(painter: QPainter, rect: QRect, text: str, fg: str, bg: str, font: QFont) -> None:
    fm = QFontMetrics(font)
    width = fm.horizontalAdvance(text) + 16
    height = min(rect.height() - 6, fm.height() + 6)
    pill = QRectF(rect.x(), rect.y() + (rect.height() - height) / 2, min(width, rect.width()), height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.color(bg))
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setPen(theme.color(fg))
    painter.setFont(font)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, fm.elidedText(text, Qt.TextElideMode.ElideRight,
                                                                       int(pill.width()) - 8))
    painter.restore()


class PillDelegate(QStyledItemDelegate):
    """Paints a cell's text as a pill coloured by `role` (the raw status or sync value)."""

    def __init__(self, kind: str, role: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind
        self._role = role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        fg, bg = tokens_for(self._kind, str(index.data(self._role) or ""))
        font = QFont(opt.font)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        font.setWeight(QFont.Weight.DemiBold)
        paint_pill(painter, opt.rect.adjusted(8, 0, -4, 0), text, fg, bg, font)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 20, size.height())


class Pill(QWidget):
    """A standalone pill for the detail header."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        paint_pill(painter, self.rect(), self._text, fg, bg, self.font())
