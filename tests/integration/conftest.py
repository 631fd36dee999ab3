"""Fixtures for client tests against the sandbox provider server over loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from supportdesk.sandbox import SandboxConfig, SandboxServer


@pytest.fixture(scope="module")
def clients_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """One fault-free sandbox shared by a module's tests (each test uses its own ids)."""
    config = SandboxConfig(files_dir=tmp_path_factory.mktemp("sandbox-files"),
                           processing_delay=60, close_delay=60, support_progress_delay=60)
    with SandboxServer(config) as server:
        yield server


@pytest.fixture
def clients_sandbox_factory(sandbox_factory, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., SandboxServer]:
    """A dedicated sandbox with its own knobs (faults, auth), stopped after the test."""

    def make(**knobs: object) -> SandboxServer:
        knobs.setdefault("files_dir", tmp_path_factory.mktemp("sandbox-files"))
        return sandbox_factory(**knobs)

    return make
