"""The About dialog and the single-instance guard, offscreen with pytest-qt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from pkg_paths import APP_ID
from supportdesk import __version__
from supportdesk.config import Config, default_config_path
from supportdesk.ui.about import (
    APP_ID as ABOUT_APP_ID,
    AboutDialog,
    about_action,
    about_text,
    apply_identity,
    bundled_libraries,
    licence_of,
)
from supportdesk.ui.single_instance import SingleInstance, bring_to_front, requested_compose

SUBPROCESS_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(profile="sandbox", data_dir=tmp_path / "data", config_path=None)


# ---- About ---------------------------------------------------------------------------------------

def test_app_id_is_the_packaging_one() -> None:
    assert ABOUT_APP_ID == APP_ID


def test_apply_identity_names_the_app(qapp) -> None:
    apply_identity(qapp)
    assert QGuiApplication.desktopFileName() == APP_ID
    assert qapp.applicationDisplayName() == "Supportdesk"
    assert qapp.applicationVersion() == __version__
    assert not qapp.windowIcon().isNull()


def test_bundled_libraries_are_the_runtime_dependencies_with_licences() -> None:
    libs = {lib.name.lower().replace("_", "-"): lib for lib in bundled_libraries()}
    for name in ("pyside6-essentials", "shiboken6", "qasync", "httpx", "pydantic", "platformdirs",
                 "keyring", "pillow", "starlette", "uvicorn"):
        assert name in libs, f"{name} missing from {sorted(libs)}"
        assert libs[name].version and libs[name].licence
    assert "pytest" not in libs and "hypothesis" not in libs  # test extras are not bundled
    assert "supportdesk" not in libs  # the app is listed on its own line
    assert "LGPL" in libs["pyside6-essentials"].licence


def test_licence_falls_back_to_classifiers() -> None:
    class Meta(dict):
        def get_all(self, key: str) -> list[str]:
            return self.get(key + "[]", [])

    class Dist:
        metadata = Meta({"License": "see LICENSE\nlots of text",
                         "Classifier[]": ["License :: OSI Approved :: MIT License",
                                          "Programming Language :: Python"]})

    assert licence_of(Dist()) == "MIT License"  # type: ignore[arg-type]


def test_about_dialog_shows_version_locations_and_licences(qtbot, config: Config) -> None:
    dialog = AboutDialog(config)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    text = dialog.text()
    assert f"Supportdesk {__version__}" in text
    assert str(config.data_dir) in text and str(config.profile_dir) in text
    assert str(config.log_dir) in text
    assert f"{default_config_path()} (not present)" in text or str(default_config_path()) in text
    rows = {dialog.licences.topLevelItem(i).text(0): dialog.licences.topLevelItem(i).text(2)
            for i in range(dialog.licences.topLevelItemCount())}
    assert rows["Supportdesk"] == "MIT"
    assert "Qt" in rows and "Python" in rows and "qasync" in rows
    assert all(rows.values())
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == about_text(config)


def test_about_action_opens_one_dialog(qtbot, config: Config) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    action = about_action(window, config)
    action.trigger()
    action.trigger()
    dialogs = window.findChildren(AboutDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    dialogs[0].close()


# ---- single instance -----------------------------------------------------------------------------

@pytest.fixture
def key(tmp_path: Path) -> str:
    return SingleInstance.key_for(tmp_path / "data", "sandbox")


def test_key_depends_on_data_dir_and_profile(tmp_path: Path) -> None:
    a = SingleInstance.key_for(tmp_path / "a", "sandbox")
    assert a == SingleInstance.key_for(tmp_path / "a", "sandbox")
    assert a != SingleInstance.key_for(tmp_path / "b", "sandbox")
    assert a != SingleInstance.key_for(tmp_path / "a", "work")
    assert len(a) < 40 and "/" not in a


def test_a_second_instance_in_the_same_session_is_not_primary(qapp, key: str) -> None:
    first, second = SingleInstance(key), SingleInstance(key)
    try:
        assert first.is_primary()
        lock = Path(QDir.tempPath(), f"{key}.lock")
        hour_ago = lock.stat().st_mtime - 3600
        os.utime(lock, (hour_ago, hour_ago))  # a desk left open for an hour is still the primary
        assert not second.is_primary()
    finally:
        first.close()
    third = SingleInstance(key)
    try:
        assert third.is_primary(), "the key is free again once the primary closed"
    finally:
        third.close()


NOTIFY = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication
    from supportdesk.ui.single_instance import SingleInstance
    app = QCoreApplication([])
    instance = SingleInstance(sys.argv[1])
    if instance.is_primary():
        print("primary")
        sys.exit(3)
    sys.exit(0 if instance.notify_primary(sys.argv[2:], timeout_ms=5000) else 1)
""")


def test_second_launch_notifies_the_first(qtbot, key: str) -> None:
    primary = SingleInstance(key)
    assert primary.is_primary()
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    try:
        proc = subprocess.Popen([sys.executable, "-c", NOTIFY, key, "gui", "--compose", "cardlytics"],
                                env={**SUBPROCESS_ENV, "XDG_ACTIVATION_TOKEN": "token-123"},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with qtbot.waitSignal(primary.activated, timeout=20_000) as blocker:
            pass
        assert blocker.args == [["gui", "--compose", "cardlytics"]]
        assert primary.last_activation_env == {"XDG_ACTIVATION_TOKEN": "token-123"}
        bring_to_front(window, primary.last_activation_env)
        assert window.isVisible() and not window.isMinimized()
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
        out, err = proc.communicate()
        assert proc.returncode == 0, out + err
    finally:
        primary.close()
        os.environ.pop("XDG_ACTIVATION_TOKEN", None)


HOLD = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QCoreApplication
    from supportdesk.ui.single_instance import SingleInstance
    app = QCoreApplication([])
    instance = SingleInstance(sys.argv[1])
    print("primary" if instance.is_primary() else "second", flush=True)
    time.sleep(120)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_crashed_primary_does_not_block_the_next_launch(qapp, key: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, key], env=SUBPROCESS_ENV,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "primary"
        blocked = SingleInstance(key)
        assert not blocked.is_primary(), "the live primary holds the key"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()  # type: ignore[union-attr]
    assert Path(QDir.tempPath(), f"{key}.lock").exists(), "the crash left its lock behind"
    after = SingleInstance(key)
    try:
        assert after.is_primary(), "a lock whose process is gone is taken over"
    finally:
        after.close()


def test_an_activation_before_the_window_listens_is_kept(qtbot, key: str) -> None:
    primary = SingleInstance(key)
    assert primary.is_primary()
    try:
        proc = subprocess.Popen([sys.executable, "-c", NOTIFY, key, "gui"], env=SUBPROCESS_ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        qtbot.waitUntil(lambda: bool(primary._pending), timeout=20_000)  # answered, not yet emitted
        received: list[list[str]] = []
        primary.activated.connect(received.append)  # the window connects late
        qtbot.waitUntil(lambda: received == [["gui"]], timeout=5_000)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
        out, err = proc.communicate()
        assert proc.returncode == 0, out + err
    finally:
        primary.close()


def test_a_second_launch_waits_while_the_primary_paints_before_listening(qtbot, key: str) -> None:
    primary = SingleInstance(key)
    assert primary.is_primary(listen=False)  # as run_gui: the lock before the first paint
    try:
        proc = subprocess.Popen([sys.executable, "-c", NOTIFY, key, "gui", "--compose", "support"],
                                env=SUBPROCESS_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        qtbot.wait(700)  # the second launch is retrying its connection by now
        assert proc.poll() is None, "it neither became primary nor gave up"
        received: list[list[str]] = []
        primary.activated.connect(received.append)
        primary.listen()  # the window has painted
        qtbot.waitUntil(lambda: received == [["gui", "--compose", "support"]], timeout=20_000)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
        out, err = proc.communicate()
        assert proc.returncode == 0, out + err
    finally:
        primary.close()


@pytest.mark.parametrize("argv, kind", [
    (["gui", "--compose", "cardlytics"], "cardlytics"),
    (["--data-dir", "/x", "gui", "--compose=support"], "support"),
    (["gui"], None),
    ([], None),
    (["gui", "--compose"], None),
])
def test_requested_compose(argv: list[str], kind: str | None) -> None:
    assert requested_compose(argv) == kind
