"""Entry script of the PyInstaller bundle: the same `main` as the `supportdesk` console script."""

import sys

from supportdesk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
