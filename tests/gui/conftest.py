"""GUI fixtures: offscreen Qt, a qasync loop per test, real services on a temp data dir."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
from pathlib import Path
from typing import Any, Callable, Coroutine, Iterator

import pytest
import qasync
from PySide6.QtCore import QSettings

from supportdesk.app import build_services
from supportdesk.ui.theme import Theme

from gui_helpers import FAST_RETRY, UNREACHABLE, make_config



@pytest.fixture(scope="session", autouse=True)
def _qt_settings(tmp_path_factory) -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("qsettings")))


@pytest.fixture(scope="session")
def app_theme(qapp) -> Theme:
    """The session's one Theme (light), as the launcher makes it for the app."""
    qapp.setQuitOnLastWindowClosed(False)
    return Theme(qapp, "light")


@pytest.fixture(scope="session")
def themed_app(qapp, app_theme):
    return qapp


@pytest.fixture(scope="session")
def _session_loop(themed_app) -> Iterator[asyncio.AbstractEventLoop]:
    # One loop for the session: qasync cannot start a second loop on the same app once one stopped.
    ev = qasync.QEventLoop(themed_app, already_running=True)
    asyncio.events._set_running_loop(None)  # running only inside GUI tests (see `loop`)
    asyncio.set_event_loop(ev)
    yield ev
    ev.stop()
    ev.close()  # joins the worker threads asyncio.to_thread used
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def loop(_session_loop, qtbot) -> Iterator[asyncio.AbstractEventLoop]:
    asyncio.events._set_running_loop(_session_loop)
    yield _session_loop
    pending = [t for t in asyncio.all_tasks(_session_loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:  # let them see the cancellation before the next test
        qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=5000)
    # Tests outside tests/gui start their own asyncio loops: none may look already running.
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def run(loop, qtbot) -> Callable[..., Any]:
    """Run a coroutine on the qasync loop while Qt keeps processing events."""

    def runner(coro: Coroutine[Any, Any, Any], timeout: float = 20.0) -> Any:
        task = loop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
        return task.result()

    return runner


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def services_for(tmp_path, run) -> Iterator[Callable[[dict[str, str]], Any]]:
    built: list[Any] = []

    def make(urls: dict[str, str]) -> Any:
        svc = build_services(make_config(tmp_path / "data", urls), retry=FAST_RETRY)
        built.append(svc)
        return svc

    yield make
    for svc in built:
        run(svc.aclose())


@pytest.fixture
def offline_services(services_for) -> Any:
    """Both ticket providers configured at an address where nothing listens."""
    return services_for({"cardlytics": UNREACHABLE, "support": UNREACHABLE})


@pytest.fixture
def sandbox_services(services_for, sandbox) -> Any:
    urls = sandbox.urls()
    return services_for({"cardlytics": urls["cardlytics"], "support": urls["support"]})
