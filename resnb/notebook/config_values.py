"""Typing one raw value (argument text, widget text or JSON value) for one :class:`ConfigField`.

Error messages never echo the value of a sensitive field (a secret, or one read from an env var).
"""

from __future__ import annotations

import enum
import json
import re
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from resnb.core.env import EnvVar, IntEnvVar, is_env_ref
from resnb.notebook.config_errors import ConfigArgError, FieldProblem
from resnb.notebook.config_fields import ConfigField
from resnb.notebook.config_types import strip_optional

__all__ = ["coerce_value", "error_text", "is_env_form", "read_config_json"]

_JSON_KINDS = (list, tuple, set, frozenset, dict)

_ADVICE = {
    "int": "Give a whole number, such as 5432.",
    "float": "Give a number, such as 0.5.",
    "bool": "Give true or false.",
}


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def read_config_json(text: str, example: str, what: str = "the config JSON", line_offset: int = 0) -> Any:
    """Parse config JSON; a ``ValueError`` saying what is wrong (the text is never echoed: secrets).

    A key given twice in one object is an error (JSON itself would keep the last silently).
    ``line_offset`` is added to line numbers (a cell whose first line is the magic's).
    """
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno + line_offset}{' of the cell' if line_offset else ''}, column {exc.colno}"
        raise ValueError(
            f"{what} is not valid: {exc.msg} at {where}. Write an object such as {example} "
            "(double quotes, true/false/null)."
        ) from None
    except _DuplicateKey as exc:
        raise ValueError(f"{what} gives '{exc.key}' twice in one object: keep one.") from None


_TYPE_ERRORS = frozenset({"literal_error", "enum", "int_from_float", "json_invalid", "union_tag_invalid"})


def is_env_form(raw: Any) -> bool:
    """True for an ``EnvVar`` object or the run-config form ``{"env": "NAME"}``."""
    return is_env_ref(raw) or (isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("env"), str))


def _env_form(spec: ConfigField, raw: Any) -> Any:
    """``{"env": NAME}`` (run-config form) or an EnvVar object, as the EnvVar the field accepts."""
    name = raw.env_var_name if is_env_ref(raw) else raw["env"]
    inner, _ = strip_optional(spec.annotation)
    return IntEnvVar(name) if inner is int else EnvVar(name)


def _candidates(spec: ConfigField, raw: Any) -> Iterable[Any]:
    if spec.optional and isinstance(raw, str) and raw.strip() in ("", "None", "null"):
        yield None
    yield raw
    if isinstance(raw, str):
        try:
            yield json.loads(raw)
        except ValueError:
            pass
        inner, _ = strip_optional(spec.annotation)
        if isinstance(inner, type) and issubclass(inner, enum.Enum) and raw in inner.__members__:
            yield inner[raw]  # by name, as Dagster run config gives enums


def coerce_value(key: str, spec: ConfigField, raw: Any) -> Any:
    """``raw`` (text from an argument or widget, or a JSON value) typed for field ``spec``."""
    if is_env_form(raw):
        return _env_form(spec, raw)
    first_error: ValidationError | None = None
    for candidate in _candidates(spec, raw):
        try:
            return spec.adapter().validate_python(candidate)
        except ValidationError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise ConfigArgError(FieldProblem(key, spec.path, _bad_value_message(spec, raw, first_error)))


# -- messages ---------------------------------------------------------------------------------------
def _advice(spec: ConfigField) -> str:
    none = " Leave it empty (FIELD=) or write None for None." if spec.optional else ""
    return _type_advice(spec) + none


def _type_advice(spec: ConfigField) -> str:
    if spec.kind in _ADVICE:
        return _ADVICE[spec.kind]
    if spec.kind == "choice":
        shown = [c.value if isinstance(c, enum.Enum) else c for c in spec.choices]
        return f"Give one of {', '.join(repr(c) for c in shown)}."
    origin = typing.get_origin(strip_optional(spec.annotation)[0])
    quote = ' On a magic\'s line, quote the whole item: --config \'KEY.FIELD=["a", "b"]\'.'
    if origin is dict:
        return 'Give a JSON object, such as {"name": "value"}.' + quote.replace(
            '["a", "b"]', '{"name": "value"}'
        )
    if origin in _JSON_KINDS:
        return 'Give a JSON list, such as ["a", "b"].' + quote
    return f"Give a value of type {spec.label}."


def _is_type_error(err: Mapping[str, Any]) -> bool:
    """True when the value has the wrong type (not when it breaks a constraint such as gt=0)."""
    kind = str(err["type"])
    return kind in _TYPE_ERRORS or kind.endswith(("_type", "_parsing"))


def _bad_value_message(spec: ConfigField, raw: Any, exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    reason = "; ".join(error_text(spec, err) for err in errors)
    if spec.sensitive:
        shown = "the value given (not shown: the field is secret or read from an env var)"
    else:
        text = repr(raw)
        shown = text if len(text) <= 60 else text[:57] + "..."
    if any(_is_type_error(err) for err in errors):
        return f"{shown} is not a valid {spec.label} ({reason}). {_advice(spec)}"
    return f"{shown} is not allowed ({reason}). Change the value."


def error_text(spec: ConfigField | None, err: Mapping[str, Any]) -> str:
    """Pydantic's message for ``err``, with what could reveal a sensitive value left out."""
    message = str(err["msg"])
    if spec is None or not spec.sensitive:
        return message
    if err["type"] in ("value_error", "assertion_error"):
        return "rejected by a validator (message not shown: the field is secret)"
    return re.sub(r", not \d+$", "", message)  # "... at least 8 characters, not 5": hide the length
