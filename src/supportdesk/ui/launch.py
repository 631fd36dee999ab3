"""`supportdesk` / `supportdesk gui`: configuration, QApplication, the qasync loop, the window.

The composition root (`supportdesk.app.build_services`) builds the services; this module only
receives them. Start-up is ordered for the agent: the window paints the cached inbox first (Qt,
sqlite3 and the inbox's queries only), then the services are imported and built and handed to
it; the first sync, the connectivity check and the sandbox's first-start demo data all run in
the background after that.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from supportdesk.config import Config, ConfigError, load_config
from supportdesk.logs import setup_logging

if TYPE_CHECKING:
    from supportdesk.ui.theme import Theme

log = logging.getLogger(__name__)

APP_NAME = "Supportdesk"  # organisation and application name: QSettings are keyed by them
EXIT_CONFIG = 4


def _error_dialog(title: str, text: str) -> None:
    """A message box when a display is there; the same text always goes to stderr."""
    print(f"supportdesk: {text}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") in ("offscreen", "minimal"):
        return  # nobody could click the box away
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.exec()  # no asyncio loop runs yet: a plain modal box is fine here
    del app


def make_app(argv: list[str] | None = None, *, sheet: bool = True) -> tuple[Any, Theme]:
    """The QApplication with the desk's identity, and its Theme (to pass to the window);
    `sheet=False` leaves the style sheet to `open_window`, which applies it once the window is
    built (see Theme.apply_sheet)."""
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from supportdesk.ui.identity import APP_ID, apply_identity
    from supportdesk.ui.theme import Theme

    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QApplication.setDesktopFileName(APP_ID)  # before the app exists too, for the first window
    app = QApplication.instance()
    fusion = app is None
    if app is None:
        # Fusion from the command line: setStyle() afterwards builds a second style and wraps
        # it for Python, which creates QStyle's enums (5 ms before the first paint).
        app = QApplication([*(argv or sys.argv[:1]), "-style", "Fusion"])
    apply_identity(app)
    mode = str(QSettings().value("view/theme", "system"))
    return app, Theme(app, mode, set_style=not fusion, sheet=sheet)


def open_window(config: Config, theme: Theme) -> Any:
    """The main window's shell over the cache alone (not shown yet): no provider, no services.
    The cache's maintenance thread is left for after the first paint (`start_maintenance`)."""
    from supportdesk.store.db import Database
    from supportdesk.store.inbox import InboxQueries
    from supportdesk.ui.main_window import MainWindow

    config.profile_dir.mkdir(parents=True, exist_ok=True)
    db = Database(config.db_path, maintenance=False)
    window = MainWindow(config=config, inbox=InboxQueries(db), recovery=db.recovery, theme=theme)
    theme.apply_sheet()  # left by make_app(sheet=False) for after the build
    return window


def wait_painted(app: Any, window: Any, timeout: float = 2.0) -> float | None:
    """Process events until the shown main window has painted once; the monotonic time it did."""
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout
    while window.first_paint is None and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    return window.first_paint


async def demo_first_start(services: Any) -> int:
    """Fill an empty sandbox cache through the real services (the lead's services.demo)."""
    import asyncio

    if services.config.profile != "sandbox":
        return 0
    from supportdesk.services.demo import DONE_KEY, bootstrap_demo

    if services.store.meta.get(DONE_KEY):
        return 0
    seed = await asyncio.to_thread(services.sandbox_seed)
    if not seed:
        return 0
    return await bootstrap_demo(services, seed)


def _second_launch(window: Any, instance: Any, argv: list[str]) -> None:
    """Another `supportdesk` was started for this profile: raise this window, act on its args."""
    from supportdesk.ui.compose import FORM_TITLES
    from supportdesk.ui.single_instance import bring_to_front

    bring_to_front(window, instance.last_activation_env)
    # Only --compose matters here (ui must not import the CLI's parser; the layers forbid it).
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--compose")
    try:
        kind = parser.parse_known_args(argv)[0].compose
    except (argparse.ArgumentError, SystemExit):
        return
    if kind in FORM_TITLES:
        window.compose(kind)


def _settle_heap() -> None:
    """After the first paint: warm what the first upload would initialise, and move start-up
    objects out of the garbage collector's way (its full passes stalled the loop ~50 ms)."""
    import gc
    import mimetypes

    mimetypes.init()
    gc.collect()
    gc.freeze()


def start_webhook(services: Any) -> Any | None:
    """Cardlytics update events straight into the window (polling still covers a missed one)."""
    hook = services.config.settings.get("webhook")
    if hook is None:
        return None
    try:
        from supportdesk.services.webhook import WebhookListener

        listener = WebhookListener(services.webhook_intake(), hook.get("host", "127.0.0.1"),
                                   int(hook.get("port", 0))).start()
    except Exception as exc:  # no secret, port taken: the desk works without it
        log.warning("webhook listener not started: %s", exc)
        return None
    if services.sandbox is not None:
        services.sandbox.set_faults(webhook_url=listener.url)
    log.info("webhook listener at %s", listener.url)
    return listener


async def _run_window(window: Any, services: Any, compose: str | None) -> None:
    import asyncio
    import signal

    from PySide6.QtCore import QTimer

    try:
        window.attach(services)
        closed = asyncio.Event()
        window.closed.connect(closed.set)
        if not window.isVisible():  # closed while the services were built
            return
        window.start()
        QTimer.singleShot(0, _settle_heap)
        listener = start_webhook(services)
        if services.config.profile == "sandbox":
            task = window.tasks.spawn(demo_first_start(services), "demo-bootstrap")
            task.add_done_callback(lambda t: _after_demo(window, t))
        if compose:
            window.compose(compose)
        # Ctrl+C / SIGTERM close the window like the close button (Python sees signals between events).
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: QTimer.singleShot(0, window.close))
        heartbeat = QTimer(interval=500)
        heartbeat.timeout.connect(lambda: None)
        heartbeat.start()
        await closed.wait()
        heartbeat.stop()
        await window.tasks.shutdown()
        if listener is not None:
            await listener.stop()
    finally:
        await services.aclose()


def _after_demo(window: Any, task: Any) -> None:
    from supportdesk.ui.tasks import alive

    if task.cancelled() or task.exception() is not None or not alive(window):
        return
    if task.result():
        window.model.reload()
        window.inbox.select_first()
        window.sync_now()


def run_gui(args: Any) -> int:
    began = time.monotonic()
    try:
        config: Config = load_config(getattr(args, "config", None), getattr(args, "data_dir", None),
                                     getattr(args, "profile", None))
    except ConfigError as exc:
        _error_dialog("Supportdesk: configuration error", str(exc))
        return EXIT_CONFIG
    setup_logging(config, verbose=bool(getattr(args, "verbose", False)))

    from supportdesk.ui import pyside

    pyside.load()  # before the modules of the window are imported (see there)
    from supportdesk.ui.single_instance import SingleInstance

    app, theme = make_app(sheet=False)
    instance = SingleInstance(SingleInstance.key_for(config.data_dir, config.profile))
    if not instance.is_primary(listen=False):  # one desk per profile: hand the arguments over
        return 0 if instance.notify_primary(sys.argv[1:]) else 1
    app.setQuitOnLastWindowClosed(False)  # the window's close ends the run, after a clean shutdown
    try:
        window = open_window(config, theme)
    except Exception as exc:
        log.exception("start-up failed")
        _error_dialog("Supportdesk could not start", f"{type(exc).__name__}: {exc}")
        return 1
    instance.activated.connect(lambda argv: _second_launch(window, instance, argv))
    window.show()
    painted = wait_painted(app, window)  # the agent sees the cached inbox while the rest is built
    window.actions_.bind_keys()
    window.model.inbox.db.start_maintenance()
    gc.enable()  # the entry point turned it off for the start-up
    instance.listen()  # a second launch waited for this; its --compose waits for attach()
    if painted is not None:
        # The monotonic clock is system-wide: benchmarks/run.py reads it to time the start-up.
        log.info("window painted %.0f ms into run_gui (monotonic %.3f)", (painted - began) * 1000, painted)
    import asyncio

    import qasync

    from supportdesk.app import build_services

    try:
        services = build_services(config, db=window.model.inbox.db, inbox=window.model.inbox)
    except Exception as exc:
        window.close()
        window.model.inbox.db.close()
        if isinstance(exc, ConfigError):
            _error_dialog("Supportdesk: configuration error", str(exc))
            return EXIT_CONFIG
        log.exception("start-up failed")
        _error_dialog("Supportdesk could not start", f"{type(exc).__name__}: {exc}")
        return 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_run_window(window, services, getattr(args, "compose", None)))
    finally:
        instance.close()
        loop.close()
    return 0
