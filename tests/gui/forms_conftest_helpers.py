"""Fixtures and helpers for the form tests: real services on a temp data dir, a real sandbox, qasync."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Awaitable, Iterator

import httpx
import keyring
import pytest
import qasync
from keyring.backend import KeyringBackend
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from supportdesk.app import Services, build_services
from supportdesk.config import Config, Secrets
from supportdesk.providers.transport import RetryPolicy
from supportdesk.sandbox import (
    DEMO_OFFERS_APIKEY, DEMO_OFFERS_CLIENTKEY, DEMO_OFFERS_CLIENTPASS, DEMO_RADAR_PASSWORD,
    DEMO_RADAR_USERNAME, SandboxConfig, SandboxServer,
)

OFFLINE = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused
DEMO_ENV = {
    "SUPPORTDESK_SECRET_RADAR_PASSWORD": DEMO_RADAR_PASSWORD,
    "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_CLIENTKEY": DEMO_OFFERS_CLIENTKEY,
    "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_CLIENTPASS": DEMO_OFFERS_CLIENTPASS,
    "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_APIKEY": DEMO_OFFERS_APIKEY,
}
RADAR_CLIENT = "8291a9ed952342c5b5fe2915f2189e7c"
RADAR_PROGRAMME = "1cf118a0326d47aa851a90b9674e90aa"
RADAR_SMS_PROGRAMME = "5be2c07d9a1f4e63b8d0c4a7e19f2d36"
TWO_POM_LOCATION = "3f9a6c1e8b2d4f07a5c9e1b3d7f2a860"
NON_HEX_POM = "7547ct569yh67n0326vghddte86bkkn"
SAMPLE_UUID = "79af4bc5-a995-4262-92ee-0da381ccaf07"
SAMPLE_UDID = "7237F578-828D-43D9-995D-F8B7AC8A4881"


def settings_for(urls: dict[str, str] | None) -> dict[str, dict[str, Any]]:
    u = urls or {k: OFFLINE for k in ("cardlytics", "support", "radar", "offers_feedback")}
    return {"cardlytics": {"base_url": u["cardlytics"]}, "support": {"base_url": u["support"]},
            "radar": {"base_url": u["radar"], "username": DEMO_RADAR_USERNAME},
            "offers_feedback": {"base_url": u["offers_feedback"]}}


def make_services(data_dir: Path, urls: dict[str, str] | None = None, *, profile: str = "test",
                  config_path: Path | None = None, env: dict[str, str] | None = None) -> Services:
    config = Config(profile=profile, data_dir=data_dir, config_path=config_path,
                    settings=settings_for(urls), secrets=Secrets(profile, env=DEMO_ENV if env is None else env))
    return build_services(config, retry=RetryPolicy(attempts=1, timeout=5.0))


class MemoryKeyring(KeyringBackend):
    """A test keyring: holds secrets in a dict, so a test can see exactly where they went."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def forms_sandbox(tmp_path_factory) -> Iterator[SandboxServer]:
    files = tmp_path_factory.mktemp("sandbox-files")
    with SandboxServer(SandboxConfig(processing_delay=0.2, close_delay=0.3, files_dir=files)) as srv:
        yield srv


def provider_files(srv: SandboxServer) -> set[Path]:
    """Every file the sandbox keeps (uploads included), to catch a partial one."""
    return {p for p in Path(srv.config.files_dir).rglob("*") if p.is_file()}


# A closed loop's Qt timer object may still get a last timer event; kept alive, it can take it.
_CLOSED_LOOPS: list[qasync.QEventLoop] = []


@pytest.fixture
def qloop(qapp) -> Iterator[qasync.QEventLoop]:
    """The qasync loop as the running loop, driven by Qt events (qtbot.waitUntil)."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    # stop() would call app.exit() and break later Qt waits; mark it stopped, then close it.
    loop._QEventLoop__is_running = False  # noqa: SLF001
    loop.close()
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    _CLOSED_LOOPS.append(loop)


def run(qtbot, coro: Awaitable[Any], timeout: int = 20_000) -> Any:
    """Run a coroutine on the qasync loop while Qt processes events; return its result."""
    task = asyncio.get_running_loop().create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def _closing(qtbot, svc: Services) -> None:
    from supportdesk.ui.forms.base import FormBase

    for w in QApplication.topLevelWidgets():  # forms save their draft on close: before the store goes
        if isinstance(w, FormBase) and w.isVisible():
            w.close()
    run(qtbot, svc.aclose())


@pytest.fixture
def services(tmp_path, forms_sandbox, qloop, qtbot) -> Iterator[Services]:
    svc = make_services(tmp_path / "data", forms_sandbox.urls())
    yield svc
    _closing(qtbot, svc)


@pytest.fixture
def offline(tmp_path, qloop, qtbot) -> Iterator[Services]:
    svc = make_services(tmp_path / "data")
    yield svc
    _closing(qtbot, svc)


def stats(srv: SandboxServer) -> dict[str, Any]:
    return httpx.get(f"{srv.base_url}/_sandbox/stats", timeout=5).json()


def type_into(qtbot, widget: QWidget, text: str) -> None:
    target = widget.lineEdit() if isinstance(widget, QComboBox) else widget
    target.setFocus()
    qtbot.keyClicks(target, text)


def fill(qtbot, form: Any, **values: str) -> None:
    for name, text in values.items():
        type_into(qtbot, form.fields[name].focus_target(), text)


def open_form(qtbot, kind: str, services: Services, **kw: Any) -> Any:
    from supportdesk.ui.forms import create_form

    form = create_form(kind, services, **kw)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()  # shortcuts (Ctrl+Enter, Esc) act in the active window, as for a user
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    return form


def submit_and_wait(qtbot, form: Any, *, keyboard: bool = False, timeout: int = 20_000) -> None:
    if keyboard:
        qtbot.keyClick(form.focusWidget() or form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    else:
        assert form.submit_button.isEnabled(), form.reason.text()
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert form.task is not None, "nothing was submitted"
    qtbot.waitUntil(form.task.done, timeout=timeout)


def drop_files(widget: QWidget, paths: list[Path]) -> None:
    """What a drag from a file manager delivers: DragEnter, then Drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    buttons, mods = Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the form refused the drag"
    QApplication.sendEvent(widget, QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, buttons, mods))
