"""Field-level messages for a profile, from supportdesk.config's own checks (never restated here)."""

from __future__ import annotations

import re
from typing import Any

from supportdesk import config as cfg

_KEY = re.compile(r"profiles\.[^.\s]+\.(\w+)\.(\w+): (.*)$")
_MISSING = re.compile(r"\[profiles\.[^.\s]+\.(\w+)\]: missing required setting '(\w+)'")


def profile_errors(name: str, sections: dict[str, dict[str, Any]]) -> dict[str, str]:
    """{"section.key": message} for every problem config.load_config would report one by one."""
    errors: dict[str, str] = {}
    for section, values in sections.items():
        values = dict(values)
        for _ in range(len(values) + len(cfg.SCHEMA.get(section, {})) + 1):
            try:
                # The loader's own validator (private there: ask to make it public).
                cfg.validate_profile(name, {section: values}, cfg.Locator(None, ""))
                break
            except cfg.ConfigError as exc:
                text = str(exc)
                if m := _MISSING.search(text):
                    key, message = m.group(2), "Required"
                elif m := _KEY.search(text):
                    key, message = m.group(2), m.group(3)
                else:
                    errors.setdefault(section, text.removeprefix("<config>: "))
                    break
                errors.setdefault(f"{section}.{key}", message[:1].upper() + message[1:])
                if key not in values:
                    values[key] = "placeholder"  # satisfied, to find the next problem
                else:
                    values.pop(key)
    return errors
