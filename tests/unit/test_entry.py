"""The entry point tells the window from the command line without building the whole parser."""

from __future__ import annotations

import pytest

from supportdesk.cli.parser import build_parser, command_of


@pytest.mark.parametrize("argv, command", [
    ([], None),
    (["gui"], "gui"),
    (["--data-dir", "/x", "--profile", "work", "gui", "--compose", "support"], "gui"),
    (["--config", "c.toml", "-v"], None),
    (["--config=c.toml", "ticket", "list"], "ticket"),
    (["--profile", "gui", "sync"], "sync"),  # a value that looks like a command is a value
    (["--help"], "-h"),
    (["--version", "gui"], "-h"),
    (["sync", "--json"], "sync"),
])
def test_command_of(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command


@pytest.mark.parametrize("argv", [
    [],
    ["gui"],
    ["--data-dir", "/x", "--profile", "work", "-v", "gui", "--compose", "cardlytics"],
    ["--config", "c.toml", "gui", "--compose=invitation"],
])
def test_the_gui_parser_reads_the_window_options_as_the_full_parser_does(argv: list[str]) -> None:
    full = vars(build_parser().parse_args(argv))
    gui = vars(build_parser(gui_only=True).parse_args(argv))
    assert gui == full


def test_the_gui_parser_has_no_other_commands() -> None:
    with pytest.raises(SystemExit):
        build_parser(gui_only=True).parse_args(["sync"])
