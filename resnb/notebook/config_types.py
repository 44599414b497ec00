"""What a config field's type annotation means for notebooks: its label, widget kind and choices."""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

from pydantic import BaseModel

from resnb.core.resources import ConfigurableResourceFactory

__all__ = ["is_secret_annotation", "kind_and_choices", "nested_model", "strip_optional", "type_label"]


def strip_optional(annotation: Any) -> tuple[Any, bool]:
    """``(annotation without None, whether None was allowed)``: ``int | None`` -> ``(int, True)``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)):
            return (args[0] if len(args) == 1 else typing.Union[tuple(args)]), True
    return annotation, annotation is None or annotation is type(None)


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The nested config model an annotation names (not a nested resource), or None."""
    inner, _ = strip_optional(annotation)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        if not issubclass(inner, ConfigurableResourceFactory):
            return inner
    return None


def is_secret_annotation(annotation: Any) -> bool:
    """True for ``SecretStr`` / ``SecretBytes``, alone or as a type argument."""
    from pydantic import SecretBytes, SecretStr

    return any(a in (SecretStr, SecretBytes) for a in (annotation, *typing.get_args(annotation)))


def _choices_text(values: typing.Iterable[Any]) -> str:
    return "one of " + ", ".join(repr(v) for v in values)


def type_label(annotation: Any) -> str:
    """The type as users read it: ``int or None``, ``one of 'fast', 'safe'``, ``str (secret)``."""
    inner, optional = strip_optional(annotation)
    suffix = " or None" if optional else ""
    if typing.get_origin(inner) is typing.Literal:
        return _choices_text(typing.get_args(inner)) + suffix
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return _choices_text(m.value for m in inner) + suffix
    if is_secret_annotation(inner):
        return "str (secret)" + suffix
    if isinstance(inner, type) and typing.get_origin(inner) is None:
        return inner.__name__ + suffix
    return str(inner).replace("typing.", "") + suffix


def kind_and_choices(annotation: Any, exclude: bool) -> tuple[str, tuple[Any, ...]]:
    """The field kind (see ``ConfigField.kind``) and, for ``choice``, the allowed values."""
    inner, _ = strip_optional(annotation)
    if exclude or is_secret_annotation(inner):
        return "secret", ()
    if typing.get_origin(inner) is typing.Literal:
        return "choice", typing.get_args(inner)
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return "choice", tuple(inner)
    if nested_model(inner) is not None:
        return "config", ()
    for kind in (bool, int, float, str):  # bool first: bool is an int
        if inner is kind:
            return kind.__name__, ()
    return "text", ()
