"""Shared fixtures: the project's sandbox on loopback, a profile pointing at it, the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from supportdesk.sandbox import (
    DEMO_OFFERS_APIKEY, DEMO_OFFERS_CLIENTKEY, DEMO_OFFERS_CLIENTPASS, DEMO_RADAR_PASSWORD,
    DEMO_RADAR_USERNAME, SandboxConfig, SandboxServer,
)

FAST = dict(processing_delay=0.2, close_delay=0.4, support_progress_delay=0.5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxServer]]:
    started: list[SandboxServer] = []

    def make(port: int = 0, **cfg: Any) -> SandboxServer:
        server = SandboxServer(SandboxConfig(**{**FAST, **cfg}), port=port).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory) -> SandboxServer:
    return sandbox_factory()


def profile_toml(base: str, *, profile: str = "test", webhook_port: int | None = None,
                 auth_header: str | None = None, radar_username: str = DEMO_RADAR_USERNAME) -> str:
    auth = f'auth_header = "{auth_header}"\n' if auth_header else ""
    text = f"""profile = "{profile}"

[profiles.{profile}.cardlytics]
base_url = "{base}/csaapi/v2"
{auth}
[profiles.{profile}.support]
base_url = "{base}/support/api"
{auth}
[profiles.{profile}.radar]
base_url = "{base}/radar"
username = "{radar_username}"

[profiles.{profile}.offers_feedback]
base_url = "{base}/offers/feedback"

[profiles.{profile}.wasabi]
post_url = "{base}/wasabi/events"
"""
    if webhook_port:
        text += f'\n[profiles.{profile}.webhook]\nhost = "127.0.0.1"\nport = {webhook_port}\n'
    return text


DEMO_SECRETS = {
    "SUPPORTDESK_SECRET_RADAR_PASSWORD": DEMO_RADAR_PASSWORD,
    "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_CLIENTKEY": DEMO_OFFERS_CLIENTKEY,
    "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_CLIENTPASS": DEMO_OFFERS_CLIENTPASS,
    "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_APIKEY": DEMO_OFFERS_APIKEY,
}


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    """`supportdesk …` in a subprocess with its own config and data dir, as a user would run it."""

    def __init__(self, tmp: Path, base: str, **toml: Any) -> None:
        self.tmp = tmp
        self.data_dir = tmp / "data"
        self.config = tmp / "config.toml"
        self.config.write_text(profile_toml(base, **toml))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
        self.env.update(DEMO_SECRETS)
        self.env.update({"SUPPORTDESK_CONFIG": str(self.config),
                         "SUPPORTDESK_DATA_DIR": str(self.data_dir),
                         "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "supportdesk", *args]

    def __call__(self, *args: str, timeout: float = 90, env: dict[str, str] | None = None) -> Result:
        p = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=timeout,
                           env={**self.env, **(env or {})})
        return Result(p.returncode, p.stdout, p.stderr)

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        return subprocess.Popen(self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**self.env, **(env or {})})


@pytest.fixture
def cli_for(tmp_path) -> Callable[..., Cli]:
    def make(base: str, **toml: Any) -> Cli:
        return Cli(tmp_path, base, **toml)

    return make
