"""The status bar: per-provider connectivity, the outbox count (opens the outbox), last sync."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QToolButton, QWidget

from supportdesk.ui import format as fmt

if TYPE_CHECKING:  # the window paints before the services (3.5 ms of imports) are loaded
    from supportdesk.services.health import ProviderHealth
    from supportdesk.ui.theme import Theme


def state_text(state: str) -> str:
    from supportdesk.services.health import DEGRADED, OFFLINE, ONLINE, UNKNOWN

    return {ONLINE: "online", OFFLINE: "unreachable", DEGRADED: "answering with errors",
            UNKNOWN: "not checked yet"}.get(state, state)


class ProviderIndicator(QLabel):
    def __init__(self, health: ProviderHealth, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.health = health
        self._theme = theme
        self.setTextFormat(Qt.TextFormat.RichText)
        self.set_health(health)

    def set_health(self, health: ProviderHealth) -> None:
        self.health = health
        self.setText(f"<span style='color:{self._theme.hex(health.state)}'>●</span>&nbsp;{health.label}")
        state = state_text(health.state)
        tip = f"{health.label}: {state}"
        if health.detail:
            tip += f"\n{health.detail}"
        if health.checked_at:
            tip += f"\nChecked {fmt.ago(health.checked_at)}"
        self.setToolTip(tip)
        self.setAccessibleName(f"{health.label} {state}")


class StatusBar(QStatusBar):
    outboxClicked = Signal()

    def __init__(self, sync_action: QAction, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.setSizeGripEnabled(False)
        self.indicators: dict[str, ProviderIndicator] = {}
        self._providers = QWidget(self)
        self._providers_layout = QHBoxLayout(self._providers)
        self._providers_layout.setContentsMargins(0, 0, 8, 0)
        self._providers_layout.setSpacing(12)
        self.outbox = QToolButton(self)
        self.outbox.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.outbox.setAutoRaise(True)
        self.outbox.clicked.connect(self.outboxClicked)
        self.outbox.setToolTip("Open the outbox: everything not yet delivered (Ctrl+Shift+O)")
        self.sync_label = QLabel(self)
        self.sync_label.setAccessibleName("Last sync")
        self.sync_button = QToolButton(self)
        self.sync_button.setDefaultAction(sync_action)
        self.sync_button.setAutoRaise(True)
        self.addPermanentWidget(self._providers)
        self.addPermanentWidget(self.outbox)
        self.addPermanentWidget(self.sync_label)
        self.addPermanentWidget(self.sync_button)
        self._last: datetime | None = None
        self._running = False
        self._offline = False
        self._problem: str | None = None
        self._outbox = (0, 0)
        self._tick = QTimer(self, interval=30_000)
        self._tick.timeout.connect(self._render_sync)
        self._tick.start()
        self.set_outbox(0, 0)
        self._render_sync()

    def set_health(self, health: ProviderHealth) -> None:
        indicator = self.indicators.get(health.provider)
        if indicator is None:
            indicator = ProviderIndicator(health, self._theme, self._providers)
            self.indicators[health.provider] = indicator
            self._providers_layout.addWidget(indicator)
        indicator.set_health(health)

    def set_outbox(self, undelivered: int, failed: int) -> None:
        self._outbox = (undelivered, failed)
        if undelivered == 0:
            text, tip_state = "Outbox empty", "everything was delivered"
        else:
            text = f"Outbox {undelivered}" + (f" · {failed} failed" if failed else "")
            tip_state = f"{undelivered} not delivered yet" + (f", {failed} rejected" if failed else "")
        self.outbox.setText(text)
        self.outbox.setIcon(self._theme.icon("warning" if failed else "outbox", "failed" if failed else "text"))
        self.outbox.setAccessibleName(f"Outbox: {tip_state}")

    def set_sync(self, *, running: bool | None = None, last: datetime | None = None,
                 offline: bool | None = None, problem: str | None = None) -> None:
        if running is not None:
            self._running = running
        if last is not None:
            self._last = last
        if offline is not None:
            self._offline = offline
        self._problem = problem
        self._render_sync()

    def _render_sync(self) -> None:
        if self._running:
            text = "Syncing…"
        elif self._offline:
            text = f"Offline — showing the cache · last sync {fmt.ago(self._last)}"
        else:
            text = f"Synced {fmt.ago(self._last)}" if self._last else "Not synced yet"
        if self._problem and not self._running:
            text += " · ⚠"
        self.sync_label.setText(text)
        tip = f"Last sync: {fmt.full_time(self._last) or 'never'}. Syncs every minute; F5 syncs now."
        if self._problem:
            tip += f"\n{self._problem}"
        self.sync_label.setToolTip(tip)
        self.sync_label.setAccessibleDescription(tip)

    def retheme(self) -> None:
        for indicator in self.indicators.values():
            indicator.set_health(indicator.health)
        self.set_outbox(*self._outbox)
