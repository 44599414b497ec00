"""Hints added to a validation error when a plain ``EnvVar`` was given to a field that is not text.

An ``EnvVar`` is a ``str`` (its text is the variable's name, as in Dagster), so it validates only
for fields that accept a string. Anywhere else pydantic's own message ("Input should be a valid
number") does not say why; the hint does, and says what to write instead.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from resnb.core.env import EnvVar

__all__ = ["env_var_hints", "hint_for"]

Location = tuple[Any, ...]


def env_var_hints(fields: dict[str, Any], data: dict[str, Any]) -> dict[Location, str]:
    """Location (``("field",)`` or ``("field", index)``) -> hint, for each plain EnvVar in ``data``."""
    hints = {}
    for name, given in data.items():
        field = fields.get(name)
        if field is None:
            continue
        if type(given) is EnvVar:
            found = [((name,), given, _types(field.annotation))]
        else:
            found = [(loc, ref, _item_types(field.annotation)) for loc, ref in _items(name, given)]
        for loc, ref, accepted in found:
            hint = _hint(ref, name, accepted, item=len(loc) > 1)
            if hint:
                hints[loc] = hint
    return hints


def hint_for(hints: dict[Location, str], loc: Location) -> str | None:
    """The hint for an error at ``loc``: the entry for its field or for the element within it."""
    return hints.get(tuple(loc[:2])) or hints.get(tuple(loc[:1]))


def _items(name: str, given: Any) -> Iterator[tuple[Location, EnvVar]]:
    """Each plain EnvVar inside a list, tuple or dict given to field ``name``, with its location."""
    if isinstance(given, (list, tuple, dict)):
        items = given.items() if isinstance(given, dict) else enumerate(given)
        yield from (((name, key), item) for key, item in items if type(item) is EnvVar)


def _types(annotation: Any) -> list[Any]:
    """``annotation`` and everything inside it (``Optional[list[int]]`` -> list[int], int, None...)."""
    found = [annotation]
    for arg in typing.get_args(annotation):
        found += _types(arg)
    return found


def _item_types(annotation: Any) -> list[Any]:
    """What the items of a container field may be: the values of a dict, the items of the rest."""
    found: list[Any] = []
    for kind in _types(annotation):
        origin = typing.get_origin(kind)
        if not isinstance(origin, type) or origin is types.UnionType:
            continue  # not a container: Union, Optional, Annotated, Literal
        args = [arg for arg in typing.get_args(kind) if arg is not Ellipsis]
        if issubclass(origin, Mapping):
            args = args[1:]
        found += [t for arg in args for t in _types(arg)]
    return found or [Any]


def _hint(ref: EnvVar, field: str, accepted: list[Any], *, item: bool) -> str | None:
    """Why ``ref`` does not fit and what to write instead; None if text fits ``accepted``."""
    if str in accepted or Any in accepted:
        return None
    env = ref.env_var_name
    if int in accepted:
        return f"EnvVar({env!r}) is read as text: use EnvVar.int({env!r}) for an integer field"
    target = f"the items of '{field}'" if item else f"'{field}'"
    example = f" (for example float(self.{field}))" if float in accepted and not item else ""
    return (
        f"EnvVar({env!r}) is read as text (environment variables hold strings), so it fits only "
        f"str fields; use EnvVar.int({env!r}) for an int field, otherwise declare {target} as str "
        f"and convert the value in code{example}"
    )
