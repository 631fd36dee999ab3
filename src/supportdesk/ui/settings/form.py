"""Settings: the profile, each provider's address and user, secrets (keyring only), test connection."""

from __future__ import annotations

import asyncio
import os
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QTabWidget, QWidget,
)

from supportdesk.config import (
    SANDBOX, SCHEMA, SECRET_NAMES, ConfigError, Secrets, default_config_path, secret_env_var,
)
from supportdesk.ui.forms.base import _TASKS, FormBase, alive
from supportdesk.ui.forms.chrome import Outcome
from supportdesk.ui.forms.fields import Field, line
from supportdesk.ui.settings import config_file
from supportdesk.ui.settings.probe import NO_PROBE, probe
from supportdesk.ui.settings.rules import profile_errors
from supportdesk.ui.settings.secret_edit import SecretEdit

TITLES = {"cardlytics": "Cardlytics", "support": "Support", "radar": "Radar",
          "offers_feedback": "Offers feedback", "wasabi": "Wasabi export", "webhook": "Webhook"}
KEYS = {"base_url": "Base URL", "username": "User name", "auth_header": "Auth header",
        "client_id": "Default client", "programme_id": "Default programme", "action": "Action",
        "post_url": "POST URL", "host": "Listen host", "port": "Listen port", "timeout": "Timeout (s)"}
HELP = {"auth_header": "Optional: a header sent with every call; its value is a secret below.",
        "client_id": "Optional: the invitation form starts with it.",
        "programme_id": "Optional: the invitation form starts with it.",
        "action": "Optional: user_feedback unless the provider says otherwise.",
        "post_url": "Optional: NDJSON export works without it.",
        "timeout": "Optional: seconds to wait for an answer (30 unless set)."}
SECRETS = {"auth_value": "Auth header value", "password": "Password", "clientkey": "Client key",
           "clientpass": "Client pass", "apikey": "API key", "secret": "Webhook secret"}


def _number(text: str) -> int | float | str:
    """The field's number (the file keeps it a TOML number); text left as it is fails validation."""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


class SettingsForm(FormBase):
    form_name = "settings"
    title = "Settings"
    intro = ("Where each provider lives and who you are there, per profile. Secrets are stored in "
             "the system keyring only: never in the configuration file or the cache.")
    submit_text = "Save"
    allow_new = False

    def __init__(self, services: Any, parent: QWidget | None = None) -> None:
        self.config_path = services.config.config_path or default_config_path()
        self.running = services.config.profile
        self.secret_edits: dict[str, SecretEdit] = {}
        self._secret_loaded: dict[str, str] = {}
        self.test_results: dict[str, QLabel] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self.secret_notes: dict[str, Field] = {}
        super().__init__(services, parent)
        self.resize(660, 640)

    # --- layout -----------------------------------------------------------------------------
    def build(self) -> None:
        try:
            self.default_profile, self.profiles = config_file.read(self.config_path)
        except ConfigError as exc:
            self.default_profile, self.profiles = None, {}
            self.banner.show_message("error", "The configuration file cannot be read", str(exc),
                                     "Saving rewrites only the profile shown here.")
        self.profile = QComboBox()
        self.profile.setEditable(True)
        self.profile.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.profile.addItems(sorted(set(self.profiles) | {SANDBOX, self.running}))
        self.profile.setEditText(self.running)
        self.profile.activated.connect(lambda _i: self._switch(self.profile.currentText()))
        self.add_field("profile", "Profile", self.profile,
                       help_text=f"Type a new name to create a profile. File: {self.config_path}")
        self.add_field("default", "Start-up", QCheckBox("Open Supportdesk with this profile"))
        self.tabs = QTabWidget(self.body)
        self.form.addRow(self.tabs)
        for section in SCHEMA:
            self._build_tab(section)
        self._load(self.running)

    def _build_tab(self, section: str) -> None:
        page = QWidget()
        layout = QFormLayout(page)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.add_field(f"{section}.enabled", f"Use {TITLES[section]}",
                       QCheckBox(f"Use {TITLES[section]} in this profile"), layout=layout, caption="")
        for key in SCHEMA[section]:
            placeholder = "https://…" if key.endswith("url") else ("8766" if key == "port" else "")
            self.add_field(f"{section}.{key}", KEYS.get(key, key), line(placeholder),
                           help_text=HELP.get(key, ""), layout=layout)
        for name in SECRET_NAMES.get(section, ()):
            edit = SecretEdit(SECRETS.get(name, name))
            # A Field for the look (help under it), but not in self.fields: never in a draft.
            holder = Field(f"{section}.{name}", SECRETS.get(name, name), edit, parent=page)
            text = QLabel(SECRETS.get(name, name), page)
            text.setObjectName("formLabel")
            text.setBuddy(edit.edit)
            layout.addRow(text, holder)
            self.secret_edits[f"{section}.{name}"] = edit
            self.secret_notes[f"{section}.{name}"] = holder
        row = QHBoxLayout()
        button = QPushButton("Test connection", page)
        button.setAccessibleName(f"Test connection to {TITLES[section]}")
        result = QLabel(page)
        result.setWordWrap(True)
        result.setTextFormat(Qt.TextFormat.PlainText)
        if section in NO_PROBE:
            button.setEnabled(False)
            button.setToolTip(NO_PROBE[section])
            result.setText(NO_PROBE[section])
            result.setObjectName("fieldHelp")
        button.clicked.connect(lambda _c=False, s=section: self.test_connection(s))
        row.addWidget(button)
        row.addWidget(result, 1)
        layout.addRow(row)
        self.test_buttons[section], self.test_results[section] = button, result
        self.tabs.addTab(page, TITLES[section])

    # --- loading a profile ------------------------------------------------------------------
    def _load(self, name: str) -> None:
        was, self._loading = self._loading, True
        body = self.profiles.get(name)
        if body is None and name == self.running:
            body = self.services.config.settings  # given without a file (tests, --profile flags)
        body = body or {}
        values: dict[str, Any] = {"profile": name, "default": (self.default_profile or SANDBOX) == name}
        for section, keys in SCHEMA.items():
            values[f"{section}.enabled"] = section in body
            for key in keys:
                v = body.get(section, {}).get(key, "")
                values[f"{section}.{key}"] = "" if v is None else str(v)
        super().restore(values)
        self._load_secrets(name)
        self._loading = was

    def _load_secrets(self, name: str) -> None:
        store = Secrets(name, env={})  # the keyring's own value, not the environment's
        self._secrets_profile = name
        for key, edit in self.secret_edits.items():
            section, secret = key.split(".", 1)
            value = "" if name == SANDBOX else (store.find(section, secret) or "")
            edit.set_value(value)
            self._secret_loaded[key] = value
            env = secret_env_var(section, secret)
            self.secret_notes[key].set_help(
                f"Overridden by the environment variable {env} while it is set." if os.environ.get(env)
                else f"Kept in the system keyring (supportdesk/{name} · {key}).")

    def _switch(self, name: str) -> None:
        name = name.strip()
        if name not in self.profiles and name != SANDBOX:
            return  # a new name: the fields become that profile's
        if self.collect() != self._blank or self._secrets_changed():
            self.banner.show_message("warning", "Your unsaved changes are kept",
                                     f"Save writes them to profile {name}; Discard draft shows {name} "
                                     "as saved.")
            return
        self._load(name)
        self._blank = self.collect()
        self._touched.clear()
        self.revalidate()

    def restore(self, data: dict[str, Any]) -> None:
        if data.get("profile") and data.get("profile") != getattr(self, "_secrets_profile", None):
            self._load_secrets(str(data["profile"]).strip())
        super().restore(data)

    def discard(self) -> None:
        name = self.profile.currentText().strip()
        super().discard()
        if name in self.profiles or name == SANDBOX:
            self._load(name)
            self._blank = self.collect()
        self._load_secrets(self.profile.currentText().strip())
        self.revalidate()

    def _secrets_changed(self) -> bool:
        return any(e.value() != self._secret_loaded.get(k, "") for k, e in self.secret_edits.items())

    # --- rules ------------------------------------------------------------------------------
    def sections(self, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for section, keys in SCHEMA.items():
            if not data.get(f"{section}.enabled"):
                continue
            values: dict[str, Any] = {}
            for key in keys:
                v = str(data.get(f"{section}.{key}", "")).strip()
                if v:
                    values[key] = _number(v) if key in ("port", "timeout") else v
            out[section] = values
        return out

    def check(self, data: dict[str, Any]) -> dict[str, str]:
        name = str(data["profile"]).strip()
        sandbox = name == SANDBOX
        self.tabs.setEnabled(not sandbox)
        self._sync_sections(data)
        if not name:
            return {"profile": "Required"}
        if not config_file.PROFILE_NAME.match(name):
            return {"profile": "Letters, digits, - and _ only"}
        if sandbox:
            return {}
        sections = self.sections(data)
        errors = {(k if "." in k else f"{k}.enabled"): v for k, v in profile_errors(name, sections).items()}
        if not sections:
            errors["profile"] = "Turn on at least one provider (the tabs below)"
        return errors

    def _sync_sections(self, data: dict[str, Any]) -> None:
        """A provider's fields are editable only while it is used in the profile."""
        for section in SCHEMA:
            on = bool(data.get(f"{section}.enabled"))
            for key in SCHEMA[section]:
                self.fields[f"{section}.{key}"].setEnabled(on)
            for name in SECRET_NAMES.get(section, ()):
                self.secret_edits[f"{section}.{name}"].setEnabled(on)
            if section not in NO_PROBE:
                self.test_buttons[section].setEnabled(on)

    # --- saving -----------------------------------------------------------------------------
    async def send(self, data: dict[str, Any]) -> Any:
        name = str(data["profile"]).strip()
        sections = None if name == SANDBOX else self.sections(data)
        config_file.write_profile(self.config_path, name, sections, bool(data["default"]))
        store, changed = Secrets(name, env={}), 0
        for key, edit in self.secret_edits.items():
            value = edit.value()
            if name == SANDBOX or value == self._secret_loaded.get(key, ""):
                continue
            section, secret = key.split(".", 1)
            try:
                store.set(section, secret, value) if value else store.delete(section, secret)
            except Exception as exc:
                raise ConfigError(f"The settings were saved, but {key} could not be stored in the "
                                  f"system keyring ({type(exc).__name__}). Set "
                                  f"{secret_env_var(section, secret)} instead.") from None
            self._secret_loaded[key] = value
            changed += 1
        self.services.store.drafts.discard(self.form_name, self.draft_key)
        self.default_profile, self.profiles = config_file.read(self.config_path)
        return SimpleNamespace(id=name, secrets=changed)

    def outcome(self, result: Any) -> Outcome:
        body = f"Written to {self.config_path}."
        if result.secrets:
            body += f" {result.secrets} secret(s) stored in the system keyring, none in the file."
        hint = ("Restart Supportdesk to use changed addresses; secrets apply at once."
                if result.id == self.running else f"Start with --profile {result.id} to use it.")
        if alive(self):
            self._blank = self.collect()
            self._touched.clear()
        return Outcome("success", f"Saved profile {result.id}", body, hint, result.id, emit=True)

    # --- test connection --------------------------------------------------------------------
    def test_connection(self, section: str) -> None:
        result = self.test_results[section]
        name = self.profile.currentText().strip()
        if name != self.running:
            result.setText(f"Tests use the running profile ({self.running}); start with this one to "
                           "test it.")
            return
        client = self.services.clients.get(section)
        if client is None:
            result.setText("Not configured in the running profile: save, then restart.")
            return
        edited = any(self.collect().get(k) != v for k, v in self._blank.items() if k.startswith(section))
        result.setText("Testing…")
        self.test_buttons[section].setEnabled(False)

        async def run() -> None:
            ok, text = await probe(section, client)
            if not alive(self):
                return
            if edited and ok:
                text += " (the saved settings; save and restart to test your edits)"
            result.setStyleSheet(f"color: {'#1e7e34' if ok else '#c62828'};")
            result.setText(text)
            self.test_buttons[section].setEnabled(True)

        task = asyncio.get_running_loop().create_task(run(), name=f"probe-{section}")
        _TASKS.add(task)
        task.add_done_callback(_TASKS.discard)
