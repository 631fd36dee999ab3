"""Wasabi customer-care-ticket events built from unified tickets (PROVIDERS.md, section 2)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Callable, Literal

from typing import TYPE_CHECKING

from supportdesk.models.ticket import Ticket, TicketStatus, iso
from supportdesk.resources import wasabi_schema

if TYPE_CHECKING:
    import jsonschema

EVENT_TYPE = "CUSTOMER_CARE_TICKET"
VERSION = 1.0


class WasabiSchemaError(ValueError):
    pass


@cache
def _validator() -> "jsonschema.protocols.Validator":
    import jsonschema  # on first use: it costs start-up time the window should not pay

    schema = wasabi_schema()
    cls = jsonschema.validators.validator_for(schema)
    # rfc3339-validator backs the "date-time" format check.
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


_ANNOTATIONS = {"$schema", "$comment", "$id", "title", "description", "default", "examples"}
_HANDLED = {"type", "enum", "properties", "required", "items", "format"}
# Python tests at least as strict as jsonschema's types (a float "integer" is left to jsonschema).
_TYPES = {"string": "isinstance({v}, str)", "object": "isinstance({v}, dict)",
          "array": "isinstance({v}, list)", "boolean": "isinstance({v}, bool)", "null": "{v} is None",
          "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))",
          "integer": "(isinstance({v}, int) and not isinstance({v}, bool))"}

Check = Callable[[Any], bool]


class _Compiler:
    """Turns the schema into one Python function that answers True only for an instance certainly
    valid. It knows the keywords every wasabi event meets (type, enum, properties, required,
    items, format; format through jsonschema's own checker); for anything else, or any doubt, it
    answers False and the full jsonschema validator decides and words the error."""

    def __init__(self, format_checker: Any) -> None:
        self.consts: dict[str, Any] = {"conforms": format_checker.conforms}
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def const(self, value: Any) -> str:
        name = f"c{len(self.consts)}"
        self.consts[name] = value
        return name

    def lines(self, schema: Any, v: str, ind: str) -> list[str]:
        if (not isinstance(schema, dict) or set(schema) - _ANNOTATIONS - _HANDLED
                or ("items" in schema and not isinstance(schema["items"], dict))):
            return [f"{ind}return False"]
        out: list[str] = []
        types = schema.get("type")
        if types is not None:
            types = [types] if isinstance(types, str) else list(types)
            if any(t not in _TYPES for t in types):
                return [f"{ind}return False"]
            out.append(f"{ind}if not ({' or '.join(_TYPES[t].format(v=v) for t in types)}): return False")
        if "enum" in schema:
            enum = schema["enum"]
            if enum and all(type(e) is str for e in enum):
                out.append(f"{ind}if not (type({v}) is str and {v} in {self.const(frozenset(enum))}): return False")
            else:
                out.append(f"{ind}if not any(type(e) is type({v}) and e == {v} for e in {self.const(list(enum))}): "
                           "return False")
        if "format" in schema:
            out.append(f"{ind}if not conforms({v}, {schema['format']!r}): return False")
        required = schema.get("required", ())
        props = schema.get("properties", {})
        if required or props:
            out.append(f"{ind}if isinstance({v}, dict):")
            inner = ind + "    "
            body = [f"{inner}if {k!r} not in {v}: return False" for k in required]
            for key, sub in props.items():
                w = self.var()
                body.append(f"{inner}if {key!r} in {v}:")
                body.append(f"{inner}    {w} = {v}[{key!r}]")
                body += self.lines(sub, w, inner + "    ")
            out += body or [f"{inner}pass"]
        if "items" in schema:
            w = self.var()
            out.append(f"{ind}if isinstance({v}, list):")
            out.append(f"{ind}    for {w} in {v}:")
            out += self.lines(schema["items"], w, ind + "        ")
        return out

    def build(self, schema: Any) -> Check:
        src = "def check(v0):\n" + "\n".join(self.lines(schema, "v0", "    ")) + "\n    return True\n"
        scope = dict(self.consts)
        exec(compile(src, "<wasabi schema>", "exec"), scope)
        return scope["check"]


@cache
def _fast_check() -> Check:
    import jsonschema

    schema = wasabi_schema()
    return _Compiler(jsonschema.validators.validator_for(schema).FORMAT_CHECKER).build(schema)


def validate_event(event: dict[str, Any]) -> None:
    if _fast_check()(event):  # compiled once; the common case costs a few dict look-ups
        return
    errors = sorted(_validator().iter_errors(event), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(root)"
        raise WasabiSchemaError(f"{where}: {first.message}")


def build_event(ticket: Ticket, action: Literal["CREATED", "UPDATED"], *,
                status: TicketStatus | None = None, updated_at: datetime | None = None,
                resolved_at: datetime | None = None, validate: bool = True) -> dict[str, Any]:
    """One event for `ticket` as it stood at a given change (status/updated_at override the current)."""
    status = status or ticket.status
    body: dict[str, Any] = {
        "ticketId": ticket.id,  # local id: stable across cardlytics resubmissions
        "customerId": str(ticket.customer_id),
        "status": status.value,
        "createdAt": iso(ticket.created_at),
        "updatedAt": iso(updated_at or ticket.updated_at),
        "ticketOrigin": ticket.provider,
    }
    if status is TicketStatus.RESOLVED:
        resolved = resolved_at or ticket.resolved_at or updated_at or ticket.updated_at
        body["resolvedAt"] = iso(resolved)
    tags = _tags(ticket, status)
    if tags:
        body["tags"] = tags
    event = {"eventType": EVENT_TYPE, "eventAction": action, "version": VERSION, "body": body}
    if validate:
        validate_event(event)
    return event


def _tags(ticket: Ticket, status: TicketStatus) -> list[str]:
    if ticket.provider == "cardlytics":
        # The resolution comes with the close: an earlier event (CREATED, OPEN) had none yet.
        return [ticket.resolution] if ticket.resolution and status is TicketStatus.RESOLVED else []
    category = ticket.data.get("category")
    return [str(category)] if category else []
