"""The PyInstaller spec, read without PyInstaller: every source path it names exists, and it does
not exclude a Qt module the app imports. (Building the bundle is `make package`, not a test.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from pkg_paths import APP_ID, ICON_SIZES, PACKAGING, ROOT

SPEC = PACKAGING / "supportdesk.spec"
SOURCE_ROOTS = {"ROOT", "PACKAGING", "SRC", "ICONS"}  # names the spec builds input paths from
CONSTANTS = SOURCE_ROOTS | {"APP_ID", "ICON_SIZES", "QT_EXCLUDES", "OTHER_EXCLUDES"}


def _tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), str(SPEC))


def _namespace() -> dict[str, Any]:
    """The spec's module-level constants, evaluated in order with SPECPATH set as PyInstaller does."""
    ns: dict[str, Any] = {"SPECPATH": str(PACKAGING), "Path": Path}
    for node in _tree().body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in CONSTANTS:
            ns[node.targets[0].id] = eval(compile(ast.Expression(node.value), str(SPEC), "eval"), ns)
    return ns


def _leftmost(node: ast.AST) -> str | None:
    while isinstance(node, ast.BinOp):
        node = node.left
    return node.id if isinstance(node, ast.Name) else None


def _source_paths() -> list[Path]:
    """Every `<ROOT|PACKAGING|SRC|ICONS> / ...` expression, for each icon size where it has one."""
    ns = _namespace()
    found: list[Path] = []
    for node in ast.walk(_tree()):
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)):
            continue
        if _leftmost(node) not in SOURCE_ROOTS:
            continue
        code = compile(ast.Expression(node), str(SPEC), "eval")
        uses_size = "size" in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for size in (ICON_SIZES if uses_size else (None,)):
            found.append(eval(code, {**ns, "size": size}))
    return found


def test_spec_constants_match_the_project() -> None:
    ns = _namespace()
    assert ns["ROOT"] == ROOT
    assert ns["APP_ID"] == APP_ID
    assert tuple(ns["ICON_SIZES"]) == ICON_SIZES


def test_every_source_path_in_the_spec_exists() -> None:
    paths = _source_paths()
    assert len(paths) >= 10, paths
    missing = [str(p.relative_to(ROOT)) for p in paths if not p.exists()]
    assert not missing, f"the spec names paths that do not exist: {missing}"


def test_spec_bundles_the_package_and_its_data() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert 'collect_data_files("supportdesk"' in text
    assert 'collect_submodules("supportdesk")' in text
    assert 'copy_metadata("supportdesk", recursive=True)' in text
    assert 'name="supportdesk"' in text
    assert (PACKAGING / "launcher.py").read_text().count("from supportdesk.__main__ import main") == 1


def _qt_modules_used() -> set[str]:
    used: set[str] = set()
    pattern = re.compile(r"(?:from|import)\s+PySide6\.(Qt\w+)")
    for py in (ROOT / "src" / "supportdesk").rglob("*.py"):
        used.update(pattern.findall(py.read_text(encoding="utf-8")))
    return used


def test_spec_does_not_exclude_a_qt_module_the_app_imports() -> None:
    excluded = {m.removeprefix("PySide6.") for m in _namespace()["QT_EXCLUDES"]}
    used = _qt_modules_used()
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    clash = used & excluded
    assert not clash, f"imported by the app but excluded from the bundle: {sorted(clash)}"


@pytest.mark.parametrize("module", ["supportdesk", "PySide6", "qasync", "httpx", "uvicorn"])
def test_spec_does_not_exclude_runtime_packages(module: str) -> None:
    assert module not in _namespace()["OTHER_EXCLUDES"]
