"""`supportdesk`: the window with no command (or `gui`), the command line otherwise."""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from supportdesk.cli.parser import build_parser, command_of

    if command_of(argv) in (None, "gui"):
        # Start-up creates objects that all stay alive (Qt's wrappers, enums, modules): the
        # collector's passes over them cost ~12 ms before the first paint. run_gui turns it back
        # on once the window has painted.
        gc.disable()
        try:
            args, _ = build_parser(gui_only=True).parse_known_args(argv)
            from supportdesk.ui.launch import run_gui

            return run_gui(args)
        finally:
            gc.enable()
    from supportdesk.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
