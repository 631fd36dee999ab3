"""Start-up in two steps: the window paints the cached inbox before the services exist."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from supportdesk.app import build_services
from supportdesk.store.db import Database
from supportdesk.store.inbox import InboxQueries
from supportdesk.ui.main_window import MainWindow

from gui_helpers import FAST_RETRY, UNREACHABLE, bulk_insert, make_config

pytestmark = pytest.mark.timeout(60)


def test_the_shell_paints_the_inbox_without_importing_the_service_layer(tmp_path):
    """What the window needs for its first paint must stay light: no httpx, pydantic, services;
    no shortcuts (bound right after the paint), hidden banner or cache maintenance yet. As run_gui
    does it, the style sheet comes after the window is built, with the same result."""
    config = make_config(tmp_path / "data", {"cardlytics": UNREACHABLE})
    config.profile_dir.mkdir(parents=True)
    Database(config.db_path, maintenance=False).close()
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from supportdesk.config import Config
        from supportdesk.ui.launch import make_app, open_window, wait_painted
        from supportdesk.ui.theme import stylesheet
        config = Config(profile="test", data_dir=Path({str(config.data_dir)!r}), config_path=None,
                        settings={{}}, secrets=None)
        app, theme = make_app(sheet=False)
        unstyled = app.styleSheet() == ""
        window = open_window(config, theme)
        window.show()
        painted = wait_painted(app, window)
        styled = app.styleSheet() == stylesheet(theme.scheme)
        import PySide6.QtGui
        import threading
        maintaining = lambda: any(t.name.startswith("store-maintenance") for t in threading.enumerate())
        later = {{"QKeySequence": "QKeySequence" in vars(PySide6.QtGui), "banner": window._banner is not None,
                 "maintenance": maintaining()}}
        window.actions_.bind_keys()  # as run_gui does right after the paint
        window.model.inbox.db.start_maintenance()
        window.model.inbox.db.start_maintenance()  # once only
        maintenance_after = sum(t.name.startswith("store-maintenance") for t in threading.enumerate())
        keys = [k.toString() for k in window.actions_.search.shortcuts()]
        shape = lambda w: [(x.sizeHint().width(), x.sizeHint().height()) for x in (
            w, w.toolbar, w.menuBar(), w.inbox.filters, w.inbox.table.horizontalHeader(), w.status)]
        built_under_the_sheet = open_window(config, theme)
        built_under_the_sheet.show()
        wait_painted(app, built_under_the_sheet)
        same_shape = shape(window) == shape(built_under_the_sheet)
        heavy = sorted(m for m in ("httpx", "pydantic", "supportdesk.app", "supportdesk.services.tickets",
                                   "supportdesk.models.ticket", "supportdesk.ui.tickets.detail", "asyncio",
                                   "supportdesk.services.health", "json", "tomllib", "dataclasses")
                       if m in sys.modules)
        print(repr({{"painted": painted is not None, "heavy": heavy,
                     "rows": window.model.rowCount(), "detail": window.detail is not None,
                     "sheet": (unstyled, styled, same_shape), "later": later, "keys": keys,
                     "maintenance_after": maintenance_after}}))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    assert got == {"painted": True, "heavy": [], "rows": 0, "detail": False, "sheet": (True, True, True),
                   "later": {"QKeySequence": False, "banner": False, "maintenance": False},
                   "keys": ["Ctrl+F", "/"], "maintenance_after": 1}


def test_the_shell_shows_the_cache_and_attach_brings_the_rest(tmp_path, settings, qtbot, run, app_theme):
    config = make_config(tmp_path / "data", {"cardlytics": UNREACHABLE, "support": UNREACHABLE})
    config.profile_dir.mkdir(parents=True)
    Database(config.db_path, maintenance=False).close()
    bulk_insert(config.db_path, 5)
    newest = "SD-0000000004"
    db = Database(config.db_path)
    inbox = InboxQueries(db)
    w = MainWindow(config=config, inbox=inbox, theme=app_theme, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    services = build_services(config, retry=FAST_RETRY, db=db, inbox=inbox)
    try:
        # The shell: the cached inbox, nothing that needs a provider yet.
        assert w.model.rowCount() == 5 and w.inbox.current_ticket == newest
        assert w.detail is None and w.services is None
        assert not w.actions_.sync.isEnabled() and not w.actions_.new_menu_action.isEnabled()
        assert w.ticket_menu.isEmpty()
        assert w.compose("support") is None  # asked for early: opened once the services are in
        assert services.store.db is db  # one cache, opened once
        readers = lambda: {t.ident for t in threading.enumerate() if t.name.startswith("inbox-pages")}  # noqa: E731
        before = readers()
        with qtbot.waitSignal(w.attached, timeout=5000):
            w.attach(services, sync_interval_ms=3_600_000)
        assert len(readers() - before) == 1  # the inbox's page reader, started before any scroll
        assert w.detail is not None and w.detail.ticket is not None
        assert w.detail.ticket.id == newest  # the selection carried over
        assert w.splitter.widget(1) is w.detail
        assert w.actions_.sync.isEnabled() and w.actions_.new_menu_action.isEnabled()
        assert not w.ticket_menu.isEmpty()
        qtbot.waitUntil(lambda: any(f.isVisible() for f in w.forms), timeout=3000)
        for f in w.forms:
            f.close()
        w.close()
    finally:
        run(services.aclose())
