"""Packaging tests: the desktop integration files, the wheel's resources, the PyInstaller spec, and
the two desktop helpers (About dialog, single instance). None of them builds the bundle.

No __init__.py here on purpose: a package named `packaging` would shadow the PyPI library."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
