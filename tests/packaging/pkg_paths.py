"""Paths shared by the packaging tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "src" / "supportdesk" / "resources"
APP_ID = "io.github.supportdesk.Supportdesk"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
