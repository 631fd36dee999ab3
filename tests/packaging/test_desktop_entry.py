"""The .desktop file and the AppStream metainfo validate, agree with each other and with the app."""

from __future__ import annotations

import configparser
import shlex
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET

import pytest

from supportdesk import __version__
from supportdesk.cli.parser import build_parser

from pkg_paths import APP_ID, ICON_SIZES, PACKAGING, RESOURCES, ROOT

DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package}); install it to validate")
    return path


def _desktop() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser


def test_desktop_file_validates() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    run = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr


def test_metainfo_validates() -> None:
    tool = _tool("appstreamcli", "appstream")
    run = subprocess.run([tool, "validate", "--no-net", str(METAINFO)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_desktop_entry_names_the_app_and_its_actions() -> None:
    entry = _desktop()
    main = entry["Desktop Entry"]
    assert main["Icon"] == APP_ID
    assert main["StartupWMClass"] == "Supportdesk"
    assert "%" not in main["Exec"], "the app takes no file or URL arguments"
    assert shlex.split(main["Exec"]) == ["supportdesk"]
    assert main["Actions"].rstrip(";").split(";") == ["new-ticket"]
    action = entry["Desktop Action new-ticket"]
    assert action["Name"] == "New ticket"
    argv = shlex.split(action["Exec"])
    assert argv[0] == "supportdesk"
    args = build_parser().parse_args(argv[1:])  # the action's arguments are ones the CLI accepts
    assert (args.command, args.compose) == ("gui", "cardlytics")


def test_metainfo_matches_the_desktop_file_and_the_version() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.find("launchable").get("type") == "desktop-id"
    assert root.findtext("name") == _desktop()["Desktop Entry"]["Name"]
    releases = [r.get("version") for r in root.iter("release")]
    assert releases and releases[0] == __version__, "the newest <release> is the package version"
    assert root.find("content_rating") is not None
    assert root.findtext("provides/binary") == "supportdesk"


def test_metainfo_screenshots_are_the_repository_ones() -> None:
    """Each screenshot is in docs/screenshots/ or is one that `make screenshots` (tools/) makes."""
    root = ET.parse(METAINFO).getroot()
    urls = [img.text or "" for img in root.iter("image")]
    assert urls, "the metainfo shows at least one screenshot"
    assert all("/docs/screenshots/" in url and url.endswith(".png") for url in urls), urls
    assert [s.get("type") for s in root.iter("screenshot")].count("default") == 1
    shots = ROOT / "docs" / "screenshots"
    tools = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tools").glob("screenshots*.py"))
    names = [url.rsplit("/", 1)[-1] for url in urls]
    unknown = [n for n in names if not (shots / n).is_file() and f'"{n}"' not in tools]
    assert not unknown, f"neither in docs/screenshots nor made by tools/screenshots*.py: {unknown}"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", ICON_SIZES)
def test_app_icon_png_sizes_exist(size: int) -> None:
    png = RESOURCES / "icons" / "app" / f"supportdesk-{size}.png"
    assert _png_size(png.read_bytes()) == (size, size)


def test_app_icon_svg_is_square_svg() -> None:
    svg = ET.parse(RESOURCES / "icons" / "supportdesk.svg").getroot()
    assert svg.tag.endswith("svg")
    assert svg.get("viewBox", "").split()[2:] in (["256", "256"], [svg.get("width"), svg.get("height")])


def test_install_script_is_valid_shell() -> None:
    script = PACKAGING / "install.sh"
    assert script.stat().st_mode & 0o111, "install.sh is executable"
    sh = shutil.which("sh") or "/bin/sh"
    run = subprocess.run([sh, "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
