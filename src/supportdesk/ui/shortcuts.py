"""The window's actions and their shortcuts, its menus and toolbar (the F1 dialog listing them
is ui/shortcuts_dialog.py, imported when first opened)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMainWindow, QMenu, QSizePolicy, QToolBar, QToolButton, QWidget

from supportdesk.ui.compose import FORM_TITLES

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme


class WindowActions(QObject):
    """Application-level actions; the window connects their `triggered` signals."""

    def __init__(self, parent: QWidget, theme: Theme) -> None:
        super().__init__(parent)
        self._theme = theme
        self.groups: list[tuple[str, list[QAction]]] = []
        self._keys: list[tuple[QAction, list[str]]] = []  # bound by bind_keys()
        a = self._make
        self.new_menu_action = a("new", "&New…", ["Ctrl+N"], "File a ticket, an invitation or feedback")
        self.new_menu_action.setIconText("New ▾")
        self.new = {kind: a(icon, label, [], FORM_TITLES[kind]) for kind, icon, label in (
            ("cardlytics", "ticket", "&Cardlytics ticket…"), ("support", "ticket", "&Support ticket…"),
            ("invitation", "invite", "Feedback &invitation…"), ("feedback", "feedback", "Offer &feedback…"))}
        self.settings = a("settings", "Se&ttings…", ["Ctrl+,"], "Providers, credentials and preferences")
        self.quit = a("cancel", "&Quit", ["Ctrl+Q"], "Close Supportdesk")
        self.sync = a("sync", "&Sync now", ["F5"], "Send the outbox and refresh open tickets now")
        self.search = a("search", "&Find tickets", ["Ctrl+F", "/"], "Put the cursor in the search box")
        self.next = a("down", "&Next ticket", ["J", "Ctrl+Down"], "Select the next ticket in the list")
        self.previous = a("up", "&Previous ticket", ["K", "Ctrl+Up"], "Select the previous ticket")
        self.outbox = a("outbox", "&Outbox", ["Ctrl+Shift+O"], "Everything not yet delivered")
        self.help = a("keyboard", "&Keyboard shortcuts", ["F1", "Ctrl+?", "Ctrl+Shift+/"],
                      "List every shortcut")
        self.theme_group = QActionGroup(self)
        self.themes: dict[str, QAction] = {}
        for mode, label in (("system", "Follow the &system"), ("light", "&Light"), ("dark", "&Dark")):
            act = QAction(label, self, checkable=True)
            act.setData(mode)
            self.theme_group.addAction(act)
            self.themes[mode] = act
        self.groups = [
            ("Tickets", [self.new_menu_action, self.sync, self.search, self.next, self.previous]),
            ("Windows", [self.outbox, self.settings, self.help, self.quit]),
        ]

    def _make(self, icon: str, text: str, keys: list[str], tip: str) -> QAction:
        action = QAction(self._theme.icon(icon), text, self)
        action.setData(icon)
        if keys:
            self._keys.append((action, keys))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({keys[0]})" if keys else tip)
        return action

    def bind_keys(self) -> None:
        """Give the actions their shortcuts; the start-up calls it right after the first paint.
        QKeySequence's Python class (a 71-member enum) and twenty sequences cost that paint ~1 ms."""
        from PySide6.QtGui import QKeySequence

        for action, keys in self._keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._keys.clear()

    def retheme(self) -> None:
        for action in self.findChildren(QAction):
            if isinstance(action.data(), str) and action.data() not in self.themes:
                action.setIcon(self._theme.icon(action.data()))


class Chrome(NamedTuple):
    new_menu: QMenu
    ticket_menu: QMenu
    about: QAction
    new_button: QToolButton
    toolbar: QToolBar


def build_chrome(window: QMainWindow, a: WindowActions, about: QAction) -> Chrome:
    """The main window's menu bar and toolbar over its actions (the Ticket menu is left empty)."""
    bar = window.menuBar()
    new_menu = QMenu("New", window)
    for action in a.new.values():
        new_menu.addAction(action)
    file_menu = bar.addMenu("&File")
    file_menu.addMenu(new_menu).setText("&New")
    file_menu.addSeparator()
    file_menu.addActions([a.settings, a.quit])
    view = bar.addMenu("&View")
    view.addActions([a.search, a.next, a.previous])
    view.addSeparator()
    view.addAction(a.outbox)
    theme_menu = view.addMenu("&Theme")
    theme_menu.addActions(list(a.themes.values()))
    ticket_menu = bar.addMenu("&Ticket")
    bar.addMenu("&Sync").addAction(a.sync)
    help_menu = bar.addMenu("&Help")
    help_menu.addActions([a.help, about])
    # Actions outside menus still need the window to own them for their shortcuts.
    window.addActions([a.new_menu_action, a.search, a.next, a.previous, a.help])

    tb = QToolBar("Main", window)
    tb.setObjectName("mainToolbar")
    tb.setMovable(False)
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    new_button = QToolButton(tb)
    new_button.setDefaultAction(a.new_menu_action)
    new_button.setMenu(new_menu)
    new_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    new_button.setObjectName("newButton")
    new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    new_button.setAccessibleName("New ticket, invitation or feedback")
    tb.addWidget(new_button)
    tb.addActions([a.sync, a.outbox])
    spacer = QWidget(tb)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    tb.addWidget(spacer)
    tb.addActions([a.settings, a.help])
    window.addToolBar(tb)
    return Chrome(new_menu, ticket_menu, about, new_button, tb)
