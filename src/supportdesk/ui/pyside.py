"""PySide6 loaded for the window, without the cost of its per-module source check.

Once PySide6 is imported, its `__feature__` import hook looks at every module imported after it
to decide whether the module "uses PySide": it reads the module's whole source file
(`inspect.getsource`) and searches it for "PySide6". The answer only matters to modules that
select a feature (`from __feature__ import snake_case`), which the desk never does. For the
window's start-up that was every stdlib and app module loaded before the first paint; the check
now goes by the module's package instead.
"""

from __future__ import annotations

import sys
from types import ModuleType

# Packages whose modules use PySide6; any other module is "ignored" by feature switching, which
# is what PySide decides for a module whose source does not say PySide6.
QT_PACKAGES = frozenset({"supportdesk", "PySide6", "shiboken6", "qasync", "pytestqt"})


def uses_pyside(module: ModuleType) -> bool:
    return getattr(module, "__name__", "").partition(".")[0] in QT_PACKAGES


def load() -> bool:
    """Import PySide6 and replace its source check; False if this PySide6 has none (left as is)."""
    import PySide6.QtCore  # noqa: F401 - installs the import hook

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = uses_pyside
    return True
