"""`supportdesk`: the window with no command (or `gui`), the command line otherwise."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from supportdesk.cli.parser import build_parser

    args, _ = build_parser().parse_known_args(argv)
    if args.command in (None, "gui"):
        from supportdesk.ui.launch import run_gui

        return run_gui(args)
    from supportdesk.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
