"""The About dialog: version, where the data and configuration live, licences of the bundled
libraries. Imported when the agent opens it (ui/identity.py holds the app's id, name and icon)."""

from __future__ import annotations

import platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supportdesk import __version__
from supportdesk.config import default_config_path, default_data_dir
from supportdesk.ui.identity import (  # noqa: F401 - re-exported
    APP_ID, DISPLAY_NAME, PROJECT_LICENSE, SUMMARY, about_action, apply_identity,
)

if TYPE_CHECKING:
    from supportdesk.config import Config


_CLASSIFIER = re.compile(r"^License :: (?:OSI Approved :: )?(.+)$")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Library:
    name: str
    version: str
    licence: str


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def licence_of(dist: Any) -> str:
    """The SPDX expression if the metadata has one, else a short License field, else classifiers."""
    meta = dist.metadata
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80 and text.upper() != "UNKNOWN":
        return text
    found = [m.group(1) for c in (meta.get_all("Classifier") or []) if (m := _CLASSIFIER.match(c))]
    return "; ".join(found) if found else "see the package's licence file"


def _required_names(dist: Any) -> list[str]:
    names = []
    for requirement in dist.requires or []:
        spec, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue  # optional extras (test tools, other Qt bindings) are not bundled
        m = _NAME.match(spec)
        if m:
            names.append(m.group(1))
    return names


def bundled_libraries(root: str = "supportdesk") -> list[Library]:
    """Every installed distribution `root` needs at run time (transitively), sorted by name;
    requirements whose markers exclude this platform are simply not installed, so not listed."""
    import importlib.metadata as md  # only when the dialog opens: slow to import

    visited: set[str] = set()
    libs: list[Library] = []
    queue = [root]
    while queue:
        name = queue.pop()
        key = _norm(name)
        if key in visited:
            continue
        visited.add(key)
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        if key != _norm(root):  # the app itself is listed separately
            libs.append(Library(dist.metadata["Name"] or name, dist.version, licence_of(dist)))
        queue.extend(_required_names(dist))
    return sorted(libs, key=lambda lib: lib.name.lower())


@dataclass(frozen=True)
class Locations:
    profile: str
    config_file: Path
    config_exists: bool
    data_dir: Path
    profile_dir: Path
    log_dir: Path


def locations(config: Config | None = None) -> Locations:
    if config is None:
        data_dir = default_data_dir()
        return Locations("sandbox", default_config_path(), default_config_path().exists(),
                         data_dir, data_dir / "sandbox", data_dir / "logs")
    path = config.config_path or default_config_path()
    return Locations(config.profile, path, path.exists(), config.data_dir, config.profile_dir,
                     config.log_dir)


def runtime() -> list[tuple[str, str, str]]:
    """(component, version, licence) for what is not a Python distribution of its own."""
    return [
        ("Python", platform.python_version(), "PSF-2.0"),
        ("Qt", qVersion(), "LGPL-3.0-only"),
    ]


def about_text(config: Config | None = None) -> str:
    """The dialog's content as plain text: what "Copy details" puts on the clipboard."""
    loc = locations(config)
    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    lines = [
        f"{DISPLAY_NAME} {__version__}{frozen}",
        f"Platform: {platform.platform()}",
        f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}",
        f"Profile: {loc.profile}",
        f"Configuration file: {loc.config_file}" + ("" if loc.config_exists else " (not present)"),
        f"Data folder: {loc.data_dir}",
        f"Profile cache: {loc.profile_dir}",
        f"Logs: {loc.log_dir}",
        "",
        "Licences:",
        f"  {DISPLAY_NAME} {__version__}: {PROJECT_LICENSE}",
    ]
    lines += [f"  {name} {version}: {lic}" for name, version, lic in runtime()]
    lines += [f"  {lib.name} {lib.version}: {lib.licence}" for lib in bundled_libraries()]
    return "\n".join(lines)


def _path_label(path: Path, note: str = "") -> QLabel:
    url = QUrl.fromLocalFile(str(path)).toString()
    label = QLabel(f'<a href="{url}">{_escape(str(path))}</a>{note}')
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    label.setOpenExternalLinks(True)
    label.setToolTip("Open in the file manager")
    label.setWordWrap(True)
    return label


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class AboutDialog(QDialog):
    """Version, locations and licences; "Copy details" gives support engineers all of it."""

    def __init__(self, config: Config | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {DISPLAY_NAME}")
        self._config = config
        loc = locations(config)

        header = QHBoxLayout()
        logo = QLabel()
        app = QApplication.instance()
        icon = app.windowIcon() if isinstance(app, QGuiApplication) else None
        if icon is None or icon.isNull():
            from supportdesk.ui.icons import app_icon

            icon = app_icon()
        logo.setPixmap(icon.pixmap(64, 64))
        header.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        title = QLabel(f"<h2>{DISPLAY_NAME} {__version__}</h2><p>{SUMMARY}</p>"
                       f"<p>Python {platform.python_version()} · Qt {qVersion()} · "
                       f"PySide6 {pyside_version}</p>")
        title.setObjectName("aboutTitle")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(title, 1)

        form = QFormLayout()
        form.addRow("Profile:", QLabel(_escape(loc.profile)))
        form.addRow("Configuration file:",
                    _path_label(loc.config_file, "" if loc.config_exists else " (not present)"))
        form.addRow("Data folder:", _path_label(loc.data_dir))
        form.addRow("Profile cache:", _path_label(loc.profile_dir))
        form.addRow("Logs:", _path_label(loc.log_dir))

        self.licences = QTreeWidget()
        self.licences.setObjectName("aboutLicences")
        self.licences.setHeaderLabels(["Component", "Version", "Licence"])
        self.licences.setRootIsDecorated(False)
        self.licences.setAlternatingRowColors(True)
        self.licences.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        rows = [(DISPLAY_NAME, __version__, PROJECT_LICENSE), *runtime()]
        rows += [(lib.name, lib.version, lib.licence) for lib in bundled_libraries()]
        for row in rows:
            item = QTreeWidgetItem(list(row))
            item.setToolTip(2, row[2])
            self.licences.addTopLevelItem(item)
        head = self.licences.header()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip("Copy version, locations and licences, e.g. for a support request")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Licences of the bundled components</b>"))
        layout.addWidget(self.licences, 1)
        layout.addWidget(buttons)
        self.resize(640, 560)

    def text(self) -> str:
        return about_text(self._config)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
