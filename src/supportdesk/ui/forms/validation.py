"""Field-level messages from the pydantic models, so the forms never restate a rule."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError

Loc = tuple[Any, ...]
LocMap = Callable[[Loc], "str | tuple[str, ...] | None"]


def model_errors(model: type[BaseModel], data: Mapping[str, Any], locmap: LocMap) -> dict[str, str]:
    """Validate `data` with `model`; return {form field: first message} for each field in error."""
    try:
        model.model_validate(dict(data))
    except ValidationError as exc:
        return errors_from(exc, model, locmap)
    return {}


def errors_from(exc: ValidationError, model: type[BaseModel], locmap: LocMap) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        target = locmap(tuple(err["loc"]))
        if target is None:
            continue
        for name in (target,) if isinstance(target, str) else target:
            out.setdefault(name, humanize(err, model))
    return out


def humanize(err: Mapping[str, Any], model: type[BaseModel] | None = None) -> str:
    """An agent-facing sentence for one pydantic error (the rule itself stays in the model)."""
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    blank = value is None or (isinstance(value, str) and not value.strip())
    if kind == "missing" or (blank and kind != "too_long"):
        return "Required"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Must be a whole number"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return "Must be a number"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _range_message(err, model, ctx)
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"Give at least {n}"
    if kind == "too_long":
        return f"At most {ctx.get('max_length')} allowed"
    if kind == "string_too_short":
        return f"At least {ctx.get('min_length')} characters"
    msg = str(err.get("msg", "Invalid value")).removeprefix("Value error, ")
    return msg[:1].upper() + msg[1:]


def _range_message(err: Mapping[str, Any], model: type[BaseModel] | None, ctx: Mapping[str, Any]) -> str:
    low = high = None
    name = err["loc"][-1] if err.get("loc") else None
    field = model.model_fields.get(name) if model is not None and isinstance(name, str) else None
    for meta in field.metadata if field is not None else ():
        if isinstance(meta, (Ge, Gt)):
            low = meta.ge if isinstance(meta, Ge) else meta.gt
        elif isinstance(meta, (Le, Lt)):
            high = meta.le if isinstance(meta, Le) else meta.lt
    if low is not None and high is not None:
        return f"Must be between {_num(low)} and {_num(high)}"
    if err["type"] == "greater_than" and ctx.get("gt") == 0:
        return "Must be a positive number"
    bound = next(iter(ctx.values()), "")
    word = {"greater_than_equal": "at least", "less_than_equal": "at most",
            "greater_than": "more than", "less_than": "less than"}[err["type"]]
    return f"Must be {word} {_num(bound)}"


def _num(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value
