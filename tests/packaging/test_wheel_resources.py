"""The sdist and the wheel built from it (as `python -m build` does) carry the package data, and
that data loads with importlib.resources from the unpacked wheel, not from the source tree."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from pkg_paths import RESOURCES, ROOT

# PEP 517 hooks called directly: the same backend `python -m build` uses, without its isolated
# environment, so the test needs no network when hatchling is importable.
BUILD = textwrap.dedent("""
    import sys, tarfile, pathlib
    import hatchling.build as backend
    out = pathlib.Path(sys.argv[1])
    sdist = out / backend.build_sdist(str(out))
    with tarfile.open(sdist) as tar:
        try:
            tar.extractall(out / "unpacked", filter="data")
        except TypeError:  # Python before 3.11.4 has no extraction filters
            tar.extractall(out / "unpacked")
    (tree,) = (out / "unpacked").iterdir()
    import os
    os.chdir(tree)
    wheel = backend.build_wheel(str(out))
    print(sdist.name)
    print(wheel)
""")


def _resource_files() -> list[str]:
    """Every data file under src/supportdesk/resources, relative to it (no Python, no caches)."""
    return sorted(p.relative_to(RESOURCES).as_posix() for p in RESOURCES.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    env = dict(os.environ)
    if importlib.util.find_spec("hatchling") is None:  # a fresh venv: fetch the build backend
        backend = tmp_path_factory.mktemp("backend")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(backend),
                        "hatchling>=1.21"], check=True, timeout=120)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(backend), env.get("PYTHONPATH")]))
    run = subprocess.run([sys.executable, "-c", BUILD, str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    sdist_name, wheel_name = run.stdout.split()
    return out / sdist_name, out / wheel_name


@pytest.fixture(scope="module")
def unpacked_wheel(built, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("wheel")
    with zipfile.ZipFile(built[1]) as whl:
        whl.extractall(target)
    return target


def test_sdist_has_the_resources_once(built) -> None:
    with tarfile.open(built[0]) as tar:
        names = [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]
    shipped = sorted(n.removeprefix("src/supportdesk/resources/") for n in names
                     if n.startswith("src/supportdesk/resources/") and not n.endswith(".py"))
    assert shipped == [f for f in _resource_files() if not f.endswith(".py")]
    assert not [n for n in names if n.startswith("resources/")], "the top-level symlink is left out"
    assert "packaging/supportdesk.spec" in names
    assert not [n for n in names if "__pycache__" in n]


def test_wheel_has_every_resource_and_the_entry_point(built) -> None:
    with zipfile.ZipFile(built[1]) as whl:
        names = set(whl.namelist())
        entry_points = next(whl.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    missing = [f for f in _resource_files() if f"supportdesk/resources/{f}" not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert "supportdesk = supportdesk.__main__:main" in entry_points
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


LOAD = textwrap.dedent("""
    import json, sys
    import supportdesk, supportdesk.resources as res
    from importlib.resources import files
    assert supportdesk.__file__.startswith(sys.argv[1]), supportdesk.__file__
    root = files("supportdesk.resources")
    schema = res.wasabi_schema()
    themes = {n: json.loads(res.resource_text(f"themes/{n}.json")) for n in ("light", "dark")}
    qss = res.resource_text("themes/app.qss")
    svgs = sorted(p.name for p in root.joinpath("icons").iterdir() if p.name.endswith(".svg"))
    pngs = {p.name: p.read_bytes()[:8] for p in root.joinpath("icons/app").iterdir()}
    print(json.dumps({"schema": sorted(schema), "themes": {k: len(v) for k, v in themes.items()},
                      "qss": len(qss), "svgs": svgs,
                      "pngs": {k: v == b"\\x89PNG\\r\\n\\x1a\\n" for k, v in pngs.items()}}))
""")


def test_resources_load_from_the_unpacked_wheel(unpacked_wheel) -> None:
    # -S: no site-packages, so neither the editable install nor the source tree can answer.
    env = {**os.environ, "PYTHONPATH": str(unpacked_wheel)}
    run = subprocess.run([sys.executable, "-S", "-c", LOAD, str(unpacked_wheel)], env=env,
                         cwd=unpacked_wheel, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert "type" in got["schema"]
    assert got["themes"]["light"] == got["themes"]["dark"] > 0
    assert got["qss"] > 0
    assert "supportdesk.svg" in got["svgs"]
    assert set(got["pngs"]) == {f"supportdesk-{s}.png" for s in (16, 22, 24, 32, 48, 64, 128, 256, 512)}
    assert all(got["pngs"].values())


QT_LOAD = textwrap.dedent("""
    import sys
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    import supportdesk
    assert supportdesk.__file__.startswith(sys.argv[1]), supportdesk.__file__
    from supportdesk.ui import icons, theme
    dark = theme.Theme(app, "dark")
    assert theme.stylesheet("dark")
    assert not icons.app_icon().isNull()
    assert not dark.icon("ticket").isNull()
    print("ok")
""")


def test_the_ui_loads_icons_and_themes_from_the_wheel(unpacked_wheel) -> None:
    # The wheel first, then the venv's site-packages (for PySide6 and friends) without running
    # its .pth files, so the editable install of the source tree is not on the path.
    paths = [str(unpacked_wheel), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)),
           "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-S", "-c", QT_LOAD, str(unpacked_wheel)], env=env,
                         cwd=unpacked_wheel, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("ok")
