"""Photo preview: decoded off the UI thread, scaled to fit, zoomable (Ctrl+wheel, +, -, 0, 1)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMargins, QObject, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPaintEvent, QPixmap, QShortcut, QWheelEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QToolButton, QVBoxLayout, QWidget

from supportdesk.ui import format as fmt
from supportdesk.ui.attachments.images import DecodedImage, ImageError, decode
from supportdesk.ui.tasks import alive

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

_MARGINS = QMargins(12, 12, 12, 12)
ZOOM_STEPS = (0.1, 0.25, 0.33, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)


class _Canvas(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pixmap: QPixmap | None = None
        self.zoom: float | None = None  # None = fit to the window
        self._scaled: QPixmap | None = None

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        self.pixmap, self._scaled = pixmap, None
        self.update()

    def target_size(self) -> QSize:
        if self.pixmap is None:
            return QSize(0, 0)
        size = self.pixmap.size()
        if self.zoom is None:
            return size.scaled(self.size().shrunkBy(_MARGINS), Qt.AspectRatioMode.KeepAspectRatio) \
                if size.width() > self.width() - 24 or size.height() > self.height() - 24 else size
        return QSize(round(size.width() * self.zoom), round(size.height() * self.zoom))

    def effective_zoom(self) -> float:
        if self.pixmap is None or self.pixmap.width() == 0:
            return 1.0
        return self.target_size().width() / self.pixmap.width()

    def sizeHint(self) -> QSize:
        return self.target_size().grownBy(_MARGINS) if self.zoom is not None else QSize(400, 300)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.pixmap is None:
            return
        target = self.target_size()
        if self._scaled is None or self._scaled.size() != target:
            # Smooth scaling once per size, not on every paint.
            self._scaled = self.pixmap.scaled(target, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
        p = QPainter(self)
        x = max(0.0, (self.width() - target.width()) / 2)
        y = max(0.0, (self.height() - target.height()) / 2)
        p.drawPixmap(QPointF(x, y), self._scaled)



class PhotoView(QWidget):
    loaded = Signal()
    failed = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Photo preview")
        self.decoded: DecodedImage | None = None
        self.canvas = _Canvas()
        self.area = QScrollArea(self)
        self.area.setObjectName("photoCanvas")
        self.area.setWidget(self.canvas)
        self.area.setWidgetResizable(True)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.viewport().installEventFilter(self)
        self.info = QLabel("Loading…", self)
        self.info.setObjectName("muted")
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("muted")
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(self.info, 1)
        for name, tip, slot in (("zoom-out", "Zoom out (-)", lambda: self.step_zoom(-1)),
                                ("zoom-fit", "Fit to window (0)", self.fit),
                                ("zoom-in", "Zoom in (+)", lambda: self.step_zoom(1))):
            b = QToolButton(self)
            b.setIcon(theme.icon(name))
            b.setToolTip(tip)
            b.setAccessibleName(tip.split(" (")[0])
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addWidget(self.zoom_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.area, 1)
        layout.addLayout(bar)
        for keys, slot in ((("+", "="), lambda: self.step_zoom(1)), (("-",), lambda: self.step_zoom(-1)),
                           (("0",), self.fit), (("1",), lambda: self.set_zoom(1.0))):
            for key in keys:
                QShortcut(QKeySequence(key), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    async def load(self, path: Path, name: str | None = None) -> bool:
        self.info.setText(f"Loading {name or Path(path).name}…")
        try:
            decoded = await asyncio.to_thread(decode, Path(path))
        except ImageError as exc:
            if alive(self):
                self.info.setText(str(exc))
                self.failed.emit(str(exc))
            return False
        if not alive(self):
            return False
        self.set_image(decoded, Path(path))
        return True

    def set_image(self, decoded: DecodedImage, path: Path | None = None) -> None:
        self.decoded = decoded
        self.canvas.set_pixmap(QPixmap.fromImage(decoded.image))
        size = f" · {fmt.size(path.stat().st_size)}" if path and path.exists() else ""
        self.info.setText(f"{decoded.format} · {decoded.width} × {decoded.height} px{size}")
        self.fit()
        self.loaded.emit()

    def image(self) -> QImage | None:
        return self.decoded.image if self.decoded else None

    def fit(self) -> None:
        self.canvas.zoom = None
        self.area.setWidgetResizable(True)
        self._zoom_changed()

    def set_zoom(self, zoom: float) -> None:
        self.canvas.zoom = max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], zoom))
        self.area.setWidgetResizable(False)
        self.canvas.resize(self.canvas.sizeHint())
        self._zoom_changed()

    def step_zoom(self, direction: int) -> None:
        current = self.canvas.effective_zoom()
        steps = [z for z in ZOOM_STEPS if (z > current + 1e-3 if direction > 0 else z < current - 1e-3)]
        if steps:
            self.set_zoom(steps[0] if direction > 0 else steps[-1])

    def _zoom_changed(self) -> None:
        self.canvas.update()
        self.zoom_label.setText(f"{self.canvas.effective_zoom() * 100:.0f}%" if self.decoded else "")

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.canvas.zoom is None:
            self._zoom_changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Ctrl+wheel zooms; the scroll area would otherwise scroll.
        if (event.type() == QEvent.Type.Wheel and isinstance(event, QWheelEvent)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.step_zoom(1 if event.angleDelta().y() > 0 else -1)
            return True
        return super().eventFilter(watched, event)
