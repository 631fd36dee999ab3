"""One desk per data dir and profile: a second launch hands its arguments to the running window.

The first process to take the lock (a QLockFile in the temp dir) becomes the primary and listens
on a QLocalServer (the desk takes the lock before its first paint and listens right after it, so
QtNetwork is not loaded before the window shows; a second launch retries connecting meanwhile);
a later process with the same key connects, sends its argv as one JSON line,
and exits. The primary emits `activated(argv)` so the launcher can raise its window and act on
the arguments (e.g. `gui --compose cardlytics` from the desktop file's "New ticket" action).

    instance = SingleInstance(SingleInstance.key_for(config.data_dir, config.profile))
    if not instance.is_primary():
        return 0 if instance.notify_primary(sys.argv[1:]) else 1
    instance.activated.connect(lambda argv: (
        bring_to_front(window, instance.last_activation_env),
        (kind := requested_compose(argv)) and window.compose(kind)))

The lock, not the socket, decides who is primary: QLockFile notices a lock left by a crashed
process (its pid is gone) and takes it over, and a stale socket file is removed before listening.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDir, QLockFile, QMetaMethod, QObject, Qt, QTimer, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

# Environment a desktop shell hands a newly started process so that it may take focus; passed on
# to the primary, which is the process that actually shows a window.
_ACTIVATION_ENV = ("XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID")
_MAX_MESSAGE = 64 * 1024


class SingleInstance(QObject):
    """`is_primary()` once at start-up; then either listen for `activated` or `notify_primary`."""

    activated = Signal(list)  # the second launch's argv (without the program name)

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self._lock = QLockFile(str(Path(QDir.tempPath()) / f"{key}.lock"))
        self._lock.setStaleLockTime(0)  # stale only when the owning pid is gone, never by age
        self._server: QLocalServer | None = None
        self._primary: bool | None = None
        self._pending: list[list[str]] = []  # activations that arrived before anyone listened
        self.last_activation_env: dict[str, str] = {}

    @staticmethod
    def key_for(data_dir: str | os.PathLike[str], profile: str) -> str:
        """A short, filesystem-safe name for this user's data dir + profile (socket paths are
        limited to ~100 bytes, and a pipe name on Windows must not contain slashes)."""
        # getpass.getuser()'s lookup without its import of termios and pwd
        user = next((os.environ[k] for k in ("LOGNAME", "USER", "LNAME", "USERNAME") if os.environ.get(k)),
                    str(os.getuid()) if hasattr(os, "getuid") else "user")
        resolved = os.path.normcase(os.path.abspath(os.path.expanduser(os.fspath(data_dir))))
        name = f"{user}\0{resolved}\0{profile}".encode()
        # 64 bits from two CRCs tell one machine's data dirs apart; hashlib would load OpenSSL
        # (~3 ms) before the first paint.
        return f"supportdesk-{zlib.crc32(name):08x}{zlib.crc32(name[::-1]):08x}"

    def is_primary(self, *, listen: bool = True) -> bool:
        """True when this process owns the key; decided once. It listens for second launches
        now, or with `listen=False` once `listen()` is called."""
        if self._primary is None:
            self._primary = self._take_lock()
        if self._primary and listen:
            self.listen()
        return self._primary

    def _take_lock(self) -> bool:
        if not self._lock.tryLock(0):
            if self._lock.error() == QLockFile.LockError.LockFailedError:
                return False
            # The temp dir is unwritable or similar: run unguarded rather than not at all.
            log.warning("single-instance lock unavailable (%s); not guarding against a second desk",
                        self._lock.error())
        return True

    def listen(self) -> None:
        """As the primary: take second launches' messages (a no-op when already listening)."""
        if self._server is not None or not self._lock.isLocked():
            return
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(self.key)  # a socket file left by a crashed primary
        if not server.listen(self.key):
            log.warning("single-instance server cannot listen: %s", server.errorString())
            return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def notify_primary(self, argv: list[str], timeout_ms: int = 3000, reply_ms: int = 15000) -> bool:
        """From a second launch: hand argv to the primary and wait for its acknowledgement.
        Blocks (no event loop needed). Connecting is retried for `timeout_ms` (the primary may be
        between taking the lock and listening); the answer may take up to `reply_ms`, as a primary
        still starting up (e.g. its sandbox) answers once its event loop runs."""
        import json

        from PySide6.QtNetwork import QLocalSocket

        message = json.dumps({
            "argv": [str(a) for a in argv],
            "env": {k: os.environ[k] for k in _ACTIVATION_ENV if os.environ.get(k)},
            "cwd": _cwd(),
        }).encode() + b"\n"
        socket = QLocalSocket()
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            socket.connectToServer(self.key)
            if socket.waitForConnected(200):
                break
            socket.abort()
            if time.monotonic() >= deadline:
                log.warning("the running Supportdesk did not answer on %s", self.key)
                return False
            time.sleep(0.1)
        socket.write(message)
        ok = socket.waitForBytesWritten(reply_ms) and socket.waitForReadyRead(reply_ms)
        answer = bytes(socket.readAll().data()).strip() if ok else b""
        socket.disconnectFromServer()
        return answer == b"ok"

    def _on_connection(self) -> None:
        assert self._server is not None
        while (conn := self._server.nextPendingConnection()) is not None:
            conn.setParent(self)
            buffer = bytearray()

            def read(conn: QLocalSocket = conn, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(conn.readAll().data()))
                if len(buffer) > _MAX_MESSAGE:
                    conn.abort()
                    return
                if b"\n" not in buffer:
                    return
                line = bytes(buffer).split(b"\n", 1)[0]
                conn.readyRead.disconnect()
                self._handle(conn, line)

            conn.readyRead.connect(read)
            conn.disconnected.connect(conn.deleteLater)
            if conn.bytesAvailable():
                read()

    def _handle(self, conn: QLocalSocket, line: bytes) -> None:
        import json

        try:
            payload: Any = json.loads(line)
            argv = [str(a) for a in payload.get("argv", [])]
            env = {str(k): str(v) for k, v in dict(payload.get("env", {})).items()}
        except (ValueError, TypeError, AttributeError):
            log.warning("ignored a malformed single-instance message")
            conn.abort()
            return
        conn.write(b"ok\n")
        conn.flush()
        self.last_activation_env = env
        if self.isSignalConnected(QMetaMethod.fromSignal(self.activated)):
            self.activated.emit(argv)
        else:  # the window is not up yet: delivered as soon as something connects
            self._pending.append(argv)

    def connectNotify(self, signal: QMetaMethod) -> None:  # noqa: N802 - Qt override
        super().connectNotify(signal)
        if self._pending and bytes(signal.methodSignature()).startswith(b"activated("):
            QTimer.singleShot(0, self._flush_pending)

    def _flush_pending(self) -> None:
        pending, self._pending = self._pending, []
        for argv in pending:
            self.activated.emit(argv)

    def close(self) -> None:
        """Stop listening and release the lock (also done when the process exits)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()
        self._primary = None


def requested_compose(argv: list[str]) -> str | None:
    """The `--compose KIND` of a second launch's argv (e.g. the desktop file's "New ticket"
    action, `supportdesk gui --compose cardlytics`), without importing the CLI's parser."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--compose")
    try:
        known, _ = parser.parse_known_args(argv)
    except SystemExit:  # `--compose` without a value
        return None
    return known.compose or None


def bring_to_front(window: QWidget, activation_env: dict[str, str] | None = None) -> None:
    """Show, un-minimise, raise and focus `window` (what a second launch asks the first to do).

    `activation_env` is `SingleInstance.last_activation_env`: on Wayland the compositor only lets
    a window take focus with the token it gave the launching process, which Qt reads from
    XDG_ACTIVATION_TOKEN when the window asks to be activated."""
    token = (activation_env or {}).get("XDG_ACTIVATION_TOKEN")
    if token:
        os.environ["XDG_ACTIVATION_TOKEN"] = token
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the directory it was started in is gone
        return ""
