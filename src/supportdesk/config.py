"""Configuration per CLI.md: flags > environment > file, TOML profiles, secrets from env or keyring."""

from __future__ import annotations

import logging
import marshal
import os
import re
from pathlib import Path
from typing import Any, Callable, Mapping


log = logging.getLogger(__name__)

APP_NAME = "supportdesk"
SANDBOX = "sandbox"

# section -> {key: required?}
# `timeout`: seconds a provider may take to answer (PROVIDERS.md: timeouts come from configuration).
SCHEMA: dict[str, dict[str, bool]] = {
    "cardlytics": {"base_url": True, "auth_header": False, "timeout": False},
    "support": {"base_url": True, "auth_header": False, "timeout": False},
    "radar": {"base_url": True, "username": True, "client_id": False, "programme_id": False, "timeout": False},
    "offers_feedback": {"base_url": True, "action": False, "timeout": False},
    "wasabi": {"post_url": False, "timeout": False},
    "webhook": {"host": False, "port": False},
}
SECRET_NAMES: dict[str, tuple[str, ...]] = {
    "cardlytics": ("auth_value",),
    "support": ("auth_value",),
    "radar": ("password",),
    "offers_feedback": ("clientkey", "clientpass", "apikey"),
    "webhook": ("secret",),
}


class ConfigError(Exception):
    """Exit code 4. The message names the file, line and key where there is one."""


class MissingSecret(ConfigError):
    pass


def secret_env_var(provider: str, name: str) -> str:
    return f"SUPPORTDESK_SECRET_{provider.upper()}_{name.upper()}"


class Secrets:
    """Looks a secret up only when asked: environment first, then the system keyring."""

    def __init__(self, profile: str, env: Mapping[str, str] | None = None,
                 defaults: Mapping[str, str] | None = None, keyring_module: Any = None) -> None:
        self.profile = profile
        self._env = os.environ if env is None else env
        self._defaults = dict(defaults or {})
        self._keyring = keyring_module

    @property
    def service(self) -> str:
        return f"{APP_NAME}/{self.profile}"

    def _kr(self) -> Any:
        if self._keyring is None:
            import keyring  # imported lazily: slow, and only needed for a secret

            self._keyring = keyring
        return self._keyring

    def find(self, provider: str, name: str) -> str | None:
        value = self._env.get(secret_env_var(provider, name))
        if value:
            return value
        try:
            value = self._kr().get_password(self.service, f"{provider}.{name}")
        except Exception as exc:  # no backend on a headless machine counts as "not set"
            log.debug("keyring unavailable: %s", type(exc).__name__)
            value = None
        return value or self._defaults.get(f"{provider}.{name}")

    def get(self, provider: str, name: str) -> str:
        value = self.find(provider, name)
        if not value:
            raise MissingSecret(
                f"the secret {provider}.{name} is not set: set the environment variable "
                f"{secret_env_var(provider, name)} or store it in the keyring "
                f"(service '{self.service}', user '{provider}.{name}') from the settings dialog")
        return value

    def getter(self, provider: str, name: str) -> Callable[[], str]:
        return lambda: self.get(provider, name)

    def set(self, provider: str, name: str, value: str) -> None:
        self._kr().set_password(self.service, f"{provider}.{name}", value)

    def delete(self, provider: str, name: str) -> None:
        try:
            self._kr().delete_password(self.service, f"{provider}.{name}")
        except Exception:
            pass


class Config:
    """One profile's settings and where its data lives. A plain class: the window's first paint
    imports this module, and a dataclass (and its module) cost that ~1 ms."""

    def __init__(self, profile: str, data_dir: Path, config_path: Path | None,
                 settings: dict[str, dict[str, Any]] | None = None, secrets: Secrets | None = None) -> None:
        self.profile = profile
        self.data_dir = data_dir
        self.config_path = config_path
        self.settings: dict[str, dict[str, Any]] = {} if settings is None else settings
        self.secrets = secrets

    def __repr__(self) -> str:  # no settings or secrets: a repr ends up in logs and tracebacks
        return f"Config(profile={self.profile!r}, data_dir={self.data_dir!r}, config_path={self.config_path!r})"

    @property
    def is_sandbox(self) -> bool:
        return self.profile == SANDBOX and not self.settings

    @property
    def profile_dir(self) -> Path:
        return self.data_dir / self.profile

    @property
    def db_path(self) -> Path:
        return self.profile_dir / "supportdesk.db"

    @property
    def files_dir(self) -> Path:
        return self.profile_dir / "files"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def section(self, name: str) -> dict[str, Any]:
        if name not in self.settings:
            where = f" in {self.config_path}" if self.config_path else ""
            raise ConfigError(f"profile '{self.profile}' has no [profiles.{self.profile}.{name}] "
                              f"section{where}; add it with its base_url")
        return self.settings[name]

    def has(self, name: str) -> bool:
        return name in self.settings


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def load_config(config: str | Path | None = None, data_dir: str | Path | None = None,
                profile: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    explicit = config or env.get("SUPPORTDESK_CONFIG")
    path = Path(explicit).expanduser() if explicit else default_config_path()
    ddir = data_dir or env.get("SUPPORTDESK_DATA_DIR")
    ddir = Path(ddir).expanduser() if ddir else default_data_dir()
    doc: dict[str, Any] = {}
    text = ""
    cached = False
    if path.exists():
        text = _read(path)
        doc, cached = _parse(text, path, ddir)
    elif explicit:
        raise ConfigError(f"{path}: configuration file not found")
    else:
        path = None  # type: ignore[assignment]
    where = Locator(path, text)

    for key in doc:
        if key not in ("profile", "profiles"):
            raise ConfigError(where.key(None, key, "unknown key"))
    if "profile" in doc and not isinstance(doc["profile"], str):
        raise ConfigError(where.key(None, "profile", "must be a string"))
    profiles = doc.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(where.key(None, "profiles", "must be a table"))

    name = profile or env.get("SUPPORTDESK_PROFILE") or doc.get("profile") or SANDBOX
    settings: dict[str, dict[str, Any]] = {}
    if not cached:  # the whole file, every profile: a typo elsewhere is reported now, not later
        for other, body in profiles.items():
            if other != name:
                validate_profile(other, body, where)
    if name in profiles:
        settings = validate_profile(name, profiles[name], where)
    elif name != SANDBOX:
        src = f"{path}: " if path else ""
        raise ConfigError(f"{src}profile '{name}' is not defined (add [profiles.{name}.<provider>] "
                          f"sections, or use --profile sandbox)")
    if text and not cached:
        _remember(text, doc, ddir)  # only a file that passed validation (every profile)
    return Config(profile=name, data_dir=ddir, config_path=path, settings=settings,
                  secrets=Secrets(name, env=env))


PARSED = "config.parsed"  # in the data dir: the last configuration file's text and its parse


def _parse(text: str, path: Path, data_dir: Path) -> tuple[dict[str, Any], bool]:
    """The file's TOML, and whether it came from the data dir's copy of the last parse.

    The window's start-up would otherwise import `tomllib` (~6 ms before its first paint) to
    parse the same few lines every time. The copy is used only for exactly the same text."""
    try:
        seen, doc = marshal.loads((data_dir / PARSED).read_bytes())
        if seen == text and isinstance(doc, dict):
            return doc, True
    except (OSError, ValueError, EOFError, TypeError):
        pass
    import tomllib

    try:
        return tomllib.loads(text), False
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _remember(text: str, doc: dict[str, Any], data_dir: Path) -> None:
    if not data_dir.is_dir():
        return
    tmp = data_dir / f".{PARSED}.{os.getpid()}"
    try:
        blob = marshal.dumps((text, doc))  # ValueError for TOML dates, which marshal cannot hold
        tmp.write_bytes(blob)
        os.replace(tmp, data_dir / PARSED)
    except (OSError, ValueError):
        tmp.unlink(missing_ok=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def validate_profile(name: str, body: Any, where: "Locator") -> dict[str, dict[str, Any]]:
    if not isinstance(body, dict):
        raise ConfigError(where.key(f"profiles", name, "must be a table"))
    out: dict[str, dict[str, Any]] = {}
    for section, values in body.items():
        table = f"profiles.{name}.{section}"
        if section not in SCHEMA:
            raise ConfigError(where.section(table, f"unknown section '{section}' (known: "
                                                   f"{', '.join(SCHEMA)})"))
        if not isinstance(values, dict):
            raise ConfigError(where.key(f"profiles.{name}", section, "must be a table"))
        allowed = SCHEMA[section]
        for key, value in values.items():
            if key not in allowed:
                hint = ""
                if key in SECRET_NAMES.get(section, ()) or key in ("password", "secret"):
                    hint = "; secrets never live in this file: set " + secret_env_var(section, key)
                raise ConfigError(where.key(table, key, f"unknown key{hint}"))
            _check_value(section, key, value, table, where)
        for key, required in allowed.items():
            if required and key not in values:
                raise ConfigError(where.section(table, f"missing required setting '{key}'"))
        out[section] = dict(values)
    return out


_URL = re.compile(r"^https?://[^\s/]+", re.I)


def _check_value(section: str, key: str, value: Any, table: str, where: "Locator") -> None:
    if key == "port":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
            raise ConfigError(where.key(table, key, "must be a port number (1-65535)"))
        return
    if key == "timeout":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 600:
            raise ConfigError(where.key(table, key, "must be a number of seconds (0-600), e.g. 30"))
        return
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(where.key(table, key, "must be a non-empty string"))
    if key in ("base_url", "post_url") and not _URL.match(value):
        raise ConfigError(where.key(table, key, f"must be an http(s) URL, got {value!r}"))


class Locator:
    """Finds the line of a table or key in the TOML text, for messages a user can act on."""

    _HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def _find(self, table: str | None, key: str | None) -> int | None:
        current: str | None = None
        for no, line in enumerate(self.lines, 1):
            m = self._HEADER.match(line)
            if m:
                current = m.group(1).replace('"', "").replace(" ", "")
                if key is None and current == table:
                    return no
                continue
            m = self._KEY.match(line)
            if m and key is not None:
                k = m.group(1).strip("\"'")
                full = f"{current}.{k}" if current else k
                if full == (f"{table}.{key}" if table else key):
                    return no
        if key is not None and table:
            # e.g. [profiles.x] with dotted keys; fall back to the table or its parent.
            return self._find(table, None) or self._find(table.rsplit(".", 1)[0], None)
        return None

    def _fmt(self, line: int | None, what: str, msg: str) -> str:
        loc = str(self.path) if self.path else "<config>"
        if line:
            loc += f":{line}"
        return f"{loc}: {what}: {msg}"

    def key(self, table: str | None, key: str, msg: str) -> str:
        return self._fmt(self._find(table, key), f"{table}.{key}" if table else key, msg)

    def section(self, table: str, msg: str) -> str:
        return self._fmt(self._find(table, None), f"[{table}]", msg)
