"""The log file: opened at the first record, rotated, redacted, one handler however often set up."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from supportdesk import logs
from supportdesk.config import Config, Secrets


@pytest.fixture
def config(tmp_path: Path):
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    for h in before:  # another test's desk may have set up its log in this process
        root.removeHandler(h)
    yield Config(profile="t", data_dir=tmp_path / "data", config_path=None, settings={},
                 secrets=Secrets("t", env={}))
    for h in root.handlers[:]:
        root.removeHandler(h)
        h.close()
    for h in before:
        root.addHandler(h)
    root.setLevel(level)


def test_the_file_is_opened_by_the_first_record_and_secrets_are_masked(config: Config) -> None:
    logs.setup_logging(config)
    logs.setup_logging(config)  # twice: still one file handler
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logs.LogFile)]
    assert len(handlers) == 1
    path = config.log_dir / "supportdesk.log"
    assert not path.exists(), "nothing is opened before something is logged"
    logging.getLogger("supportdesk.test").info("GET https://x.example/a?password=hunter22 failed")
    handlers[0].flush()
    text = path.read_text()
    assert "supportdesk.test: GET https://x.example/a?password=*** failed" in text
    assert "hunter22" not in text


def test_the_file_rotates(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    logs.setup_logging(config)
    log = logging.getLogger("supportdesk.test")
    for i in range(200):
        log.info("record %d %s", i, "x" * 40)
    names = sorted(p.name for p in config.log_dir.iterdir())
    assert names == ["supportdesk.log", "supportdesk.log.1", "supportdesk.log.2", "supportdesk.log.3"]
    assert "record 199" in (config.log_dir / "supportdesk.log").read_text()


def test_an_unwritable_log_dir_does_not_stop_the_desk(config: Config, tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data dir should be")
    logs.setup_logging(config)
    logging.getLogger("supportdesk.test").warning("still running")  # no exception
    assert (tmp_path / "data").read_text().startswith("a file")
