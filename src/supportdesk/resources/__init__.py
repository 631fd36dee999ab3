"""Package data: schema, icons, themes. Loaded with importlib.resources so a wheel or a bundle works."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


def resource_text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def resource_bytes(name: str) -> bytes:
    return files(__name__).joinpath(name).read_bytes()


@cache
def wasabi_schema() -> dict[str, Any]:
    return json.loads(resource_text("wasabi_customer_care_ticket.schema.json"))
