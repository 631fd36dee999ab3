"""Package data: schema, icons, themes.

Read straight from the package's folder (a wheel, a source tree and the bundle all have one),
else through importlib.resources (a zipped install), which costs ~4 ms of imports before the
window's first paint.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent


def resource_bytes(name: str) -> bytes:
    try:
        return (_HERE / name).read_bytes()
    except OSError:
        from importlib.resources import files

        return files(__name__).joinpath(name).read_bytes()


def resource_text(name: str) -> str:
    return resource_bytes(name).decode("utf-8")


@cache
def wasabi_schema() -> dict[str, Any]:
    import json  # not before the window's first paint

    return json.loads(resource_text("wasabi_customer_care_ticket.schema.json"))
