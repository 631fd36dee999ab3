"""Running the sandbox: SandboxServer (a background thread, for the app and tests) and serve()
(foreground, for `supportdesk sandbox`)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from .app import create_app
from .config import SandboxConfig, apply_runtime_changes
from .control import provider_urls
from .logs import install_log_filters

log = logging.getLogger(__name__)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP,
    # and without it every keep-alive reply waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _base(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _uvicorn_config(app, **extra) -> uvicorn.Config:
    return uvicorn.Config(app, http="h11", ws="none", lifespan="on", loop="asyncio",
                          timeout_graceful_shutdown=2, **extra)


class SandboxServer:
    """The sandbox on a loopback port, served by uvicorn in a daemon thread.

    with SandboxServer(SandboxConfig(fault_rate=0.1)) as sandbox:
        sandbox.urls()["cardlytics"]  # http://127.0.0.1:P/csaapi/v2
    """

    def __init__(self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.host = host
        self.port = port
        self.app = create_app(self.config)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._stopped = False

    @property
    def base_url(self) -> str:
        return _base(self.host, self.port)

    def urls(self) -> dict[str, str]:
        u = provider_urls(self.base_url)
        return {"cardlytics": u["cardlytics"]["base_url"], "support": u["support"]["base_url"],
                "radar": u["radar"]["base_url"], "offers_feedback": u["offers_feedback"]["base_url"],
                "wasabi": u["wasabi"]["post_url"]}

    def start(self, timeout: float = 15.0) -> "SandboxServer":
        """Start serving; returns once the server accepts connections."""
        if self._thread is not None:
            return self
        if self._stopped:
            raise RuntimeError("a stopped SandboxServer cannot be started again; make a new one")
        install_log_filters()
        self._sock = _bind(self.host, self.port)
        self.port = self._sock.getsockname()[1]
        self._server = uvicorn.Server(_uvicorn_config(self.app, log_config=None, access_log=False))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name=f"supportdesk-sandbox-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        log.info("sandbox serving at %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving: background tasks are cancelled and a temporary files dir is removed."""
        if self._server is not None:
            self._stopped = True
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                log.warning("the sandbox server thread did not stop in time")
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def set_faults(self, fault_rate: float | None = None, latency_ms: int | None = None,
                   token_ttl: float | None = None, webhook_url: str | None = None) -> None:
        """Change fault knobs while running; None leaves a knob as it is, webhook_url="" clears it."""
        changes: dict = {}
        if fault_rate is not None:
            changes["fault_rate"] = fault_rate
        if latency_ms is not None:
            changes["latency_ms"] = latency_ms
        if token_ttl is not None:
            changes["token_ttl"] = token_ttl
        if webhook_url is not None:
            changes["webhook_url"] = webhook_url or None
        apply_runtime_changes(self.config, changes)

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve in the foreground until interrupted; prints the base URLs once listening."""
    app = create_app(config)
    sock = _bind(host, port)
    base = _base(host, sock.getsockname()[1])
    install_log_filters()
    if not logging.getLogger().handlers:  # show "fault injected: ..." lines next to uvicorn's
        logging.basicConfig(level=logging.INFO, format="%(levelname)-9s %(name)s: %(message)s")
    print(f"Supportdesk sandbox on {base}", flush=True)
    for name, entry in provider_urls(base).items():
        print(f"  {name:<16} {entry.get('post_url') or entry['base_url']}", flush=True)
    print(f"  {'control':<16} {base}/_sandbox/seed  {base}/_sandbox/stats", flush=True)
    if config.fault_rate or config.latency_ms:
        print(f"  faults: fault_rate={config.fault_rate} latency_ms={config.latency_ms}", flush=True)
    try:
        uvicorn.Server(_uvicorn_config(app, log_level="info")).run(sockets=[sock])
    finally:
        sock.close()
