"""Reading and writing profiles in the TOML configuration file (CLI.md), other profiles untouched."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from supportdesk.config import ConfigError, load_config

try:  # keeps the user's comments and layout; the plain writer below is the fallback
    import tomlkit
except ImportError:  # pragma: no cover - depends on the environment
    tomlkit = None  # type: ignore[assignment]

PROFILE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def read(path: Path | None) -> tuple[str | None, dict[str, dict[str, dict[str, Any]]]]:
    """(the default profile, {profile: {section: {key: value}}}); a missing file is empty."""
    if path is None or not Path(path).exists():
        return None, {}
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    profiles = doc.get("profiles", {})
    default = doc.get("profile") if isinstance(doc.get("profile"), str) else None
    return default, {k: v for k, v in profiles.items() if isinstance(v, dict)}


def write_profile(path: Path, name: str, sections: dict[str, dict[str, Any]] | None,
                  make_default: bool) -> None:
    """Replace profile `name` by `sections` (None: leave it as is) and check the result loads.

    The file is replaced atomically; if the new text does not load, the old one stays."""
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    text = (_with_tomlkit if tomlkit is not None else _plain)(old, name, sections, make_default)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if sections is not None:
            load_config(tmp, profile=name, env={})  # the same rules the app starts with
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _with_tomlkit(old: str, name: str, sections: dict[str, dict[str, Any]] | None,
                  make_default: bool) -> str:
    doc = tomlkit.parse(old) if old.strip() else tomlkit.document()
    if make_default:
        doc["profile"] = name  # tomlkit places it before the tables
    if sections is not None:
        if "profiles" not in doc:
            doc["profiles"] = tomlkit.table(is_super_table=True)
        if name not in doc["profiles"]:
            doc["profiles"][name] = tomlkit.table(is_super_table=True)
        profile = doc["profiles"][name]
        # Updated in place, so comments on keys that stay are kept.
        for section in [s for s in profile if s not in sections]:
            del profile[section]
        for section, values in sections.items():
            if section not in profile:
                profile[section] = tomlkit.table()
            table = profile[section]
            for key in [k for k in table if k not in values]:
                del table[key]
            for key, value in values.items():
                if table.get(key) != value:
                    table[key] = value
    return tomlkit.dumps(doc)


def _plain(old: str, name: str, sections: dict[str, dict[str, Any]] | None,
           make_default: bool) -> str:
    doc = tomllib.loads(old) if old.strip() else {}
    if make_default:
        doc["profile"] = name
    if sections is not None:
        doc.setdefault("profiles", {})[name] = sections
    out = [f"profile = {_value(doc['profile'])}\n"] if "profile" in doc else []
    for pname, body in doc.get("profiles", {}).items():
        for section, values in body.items():
            out.append(f"\n[profiles.{pname}.{section}]\n")
            out += [f"{key} = {_value(v)}\n" for key, v in values.items()]
    return "".join(out)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)  # a TOML number (a float's repr is one: 2.5, 1e-05)
    s = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'
