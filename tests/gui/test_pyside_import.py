"""PySide6's import hook no longer reads the source of every module imported after it."""

from __future__ import annotations

import importlib
import inspect
import sys

from supportdesk.ui import pyside


def test_modules_imported_after_pyside_are_told_apart_by_package(tmp_path, monkeypatch):
    assert pyside.load()
    feature = sys.modules["shibokensupport.feature"]
    read: list[str] = []
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda obj: read.append(getattr(obj, "__name__", "?")) or real(obj))
    (tmp_path / "plain_module_for_the_hook.py").write_text("VALUE = 'mentions PySide6 in a string'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    import plain_module_for_the_hook  # noqa: F401 - imported for the hook to see

    assert read == []  # no source read for it
    assert feature.pyside_feature_dict["plain_module_for_the_hook"] == -1  # not a Qt package
    assert pyside.uses_pyside(sys.modules["supportdesk.ui.pyside"])
    assert not pyside.uses_pyside(inspect)
    sys.modules.pop("plain_module_for_the_hook", None)
