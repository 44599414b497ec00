"""Op inputs given in run config: ``run_config={"ops": {"add": {"inputs": {"x": 3}}}}``.

As in Dagster, an op input that no other op feeds may come from run config. Its annotation (or
``In(dagster_type=...)``) decides what run config can carry:

- ``int``, ``float``, ``str``, ``bool``: the value itself, or one of the forms below;
- no annotation or ``Any``: only the forms ``{"value": v}``, ``{"json": {"path": p}}`` (a JSON
  file holding ``{"value": v}``) or ``{"pickle": {"path": p}}`` (a pickled value);
- ``Optional[T]``: ``None`` or what ``T`` takes;
- ``list[T]`` (bare ``list``: ``list[Any]``) and ``set[T]``: a list of what ``T`` takes;
- ``dict``: any dict, passed as is; ``dict[str, T]``: a dict of strings to what ``T`` takes.

Anything else (a class of your own, ``tuple``, a union) has no loader: such an input must be
connected to another op's output or have a default. :func:`loader_for` gives the
:class:`InputLoader` of an annotation (or ``None``); ``validate`` checks the run config before
anything runs, and ``resolve`` reads the files when the step runs.
"""

from __future__ import annotations

import inspect
import json
import pickle
import types
import typing
from collections.abc import Mapping
from typing import Any, NamedTuple

from resnb.errors import ConfigError

__all__ = ["FileValue", "InputLoader", "loader_for"]

_SCALARS: dict[type, str] = {int: "an int", float: "a float", str: "a str", bool: "a bool"}
_FORMS = ("value", "json", "pickle")
_FORMS_TEXT = "{'value': ...}, {'json': {'path': ...}} or {'pickle': {'path': ...}}"


class FileValue(NamedTuple):
    """An input value still in a file (``{"json": ...}`` / ``{"pickle": ...}``), read when the step runs."""

    form: str
    path: str

    def read(self) -> Any:
        """The value: the ``"value"`` entry of a JSON file, or the unpickled object."""
        if self.form == "json":
            with open(self.path, encoding="utf8") as file:
                return json.load(file)["value"]
        with open(self.path, "rb") as file:
            return pickle.load(file)


class InputLoader:
    """How run config gives one input: kind ``scalar``, ``any``, ``optional``, ``list``, ``set``, ``dict``."""

    __slots__ = ("kind", "inner", "python_type")

    def __init__(self, kind: str, inner: InputLoader | None = None, python_type: type | None = None) -> None:
        self.kind = kind
        self.inner = inner
        self.python_type = python_type

    def describe(self) -> str:
        """What run config may give, for messages: ``an int``, ``a list of an int``..."""
        if self.kind == "scalar":
            assert self.python_type is not None
            return _SCALARS[self.python_type]
        if self.kind == "any":
            return f"any value, given as {_FORMS_TEXT}"
        if self.inner is None:
            return "a dict"
        inner = self.inner.describe()
        if self.kind == "optional":
            return f"None or {inner}"
        if self.kind == "dict":
            return f"a dict of str to ({inner})"
        return f"a list of ({inner})"

    def __repr__(self) -> str:
        return f"<InputLoader {self.describe()}>"

    # -- checking run config ----------------------------------------------------------------------
    def validate(self, value: Any, where: str, path: str = "") -> Any:
        """``value`` checked (ints widened to float, file forms kept as :class:`FileValue`).

        ``where`` names the input (``input 'x' of op 'add'``), ``path`` the part of the value
        being checked (``[0]``); a bad value raises :class:`ConfigError` saying what it takes.
        """
        if self.kind == "optional" and value is None:
            return None
        inner = self.inner
        if self.kind == "optional":
            assert inner is not None
            return inner.validate(value, where, path)
        if self.kind in ("scalar", "any"):
            if isinstance(value, Mapping) or self.kind == "any":
                return self._selector(value, where, path)
            return self._scalar(value, where, path)
        if self.kind in ("list", "set"):
            assert inner is not None
            if not isinstance(value, (list, tuple)):
                raise self._wrong(value, where, path)
            return [inner.validate(item, where, f"{path}[{index}]") for index, item in enumerate(value)]
        if not isinstance(value, Mapping):
            raise self._wrong(value, where, path)
        if inner is None:
            return dict(value)
        return {key: inner.validate(item, where, f"{path}[{key!r}]") for key, item in value.items()}

    def _scalar(self, value: Any, where: str, path: str) -> Any:
        wanted = self.python_type
        if wanted is float and isinstance(value, (int, float)):
            return float(value)  # Dagster's Float takes ints (and bools) too
        if wanted is int and isinstance(value, bool):
            raise self._wrong(value, where, path)
        if wanted is not None and isinstance(value, wanted):
            return value
        raise self._wrong(value, where, path)

    def _selector(self, value: Any, where: str, path: str) -> Any:
        if not isinstance(value, Mapping) or len(value) != 1 or next(iter(value)) not in _FORMS:
            raise self._wrong(value, where, path)
        ((form, payload),) = value.items()
        if form == "value":
            if self.kind == "any":
                return payload
            return self._scalar(payload, where, f"{path}['value']")
        file = payload.get("path") if isinstance(payload, Mapping) and set(payload) == {"path"} else None
        if not isinstance(file, str):
            raise ConfigError(
                f"Run config for {where}{_at(path)} is {{{form!r}: {_shown(payload)}}}, but the {form} "
                f"form takes {{'path': 'file path'}}, as in {{{form!r}: {{'path': 'data.{form}'}}}}."
            )
        return FileValue(form, file)

    def _wrong(self, value: Any, where: str, path: str) -> ConfigError:
        forms = f" (or {_FORMS_TEXT})" if self.kind == "scalar" else ""
        return ConfigError(
            f"Run config for {where}{_at(path)} is {_shown(value)} ({type(value).__name__}), but it "
            f"takes {self.describe()}{forms}. Fix that value in the run config."
        )

    # -- at run time ------------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """The value the op gets: files read, ``set[T]`` lists made sets."""
        if isinstance(value, FileValue):
            return value.read()
        inner = self.inner
        if inner is None or value is None:
            return value
        if self.kind == "list":
            return [inner.resolve(item) for item in value]
        if self.kind == "set":
            return {inner.resolve(item) for item in value}
        if self.kind == "dict":
            return {key: inner.resolve(item) for key, item in value.items()}
        return inner.resolve(value)


def _at(path: str) -> str:
    return f" (at {path})" if path else ""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


_ANY = InputLoader("any")


def loader_for(annotation: Any) -> InputLoader | None:
    """The loader for an input annotated ``annotation``; ``None`` when run config cannot give it."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return _ANY
    if annotation in _SCALARS:
        return InputLoader("scalar", python_type=annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return loader_for(args[0])
    if origin is typing.Union or origin is types.UnionType:
        others = [arg for arg in args if arg is not type(None)]
        inner = loader_for(others[0]) if len(others) == 1 and len(args) == 2 else None
        return InputLoader("optional", inner) if inner is not None else None
    if annotation is list:
        return InputLoader("list", _ANY)
    if annotation is dict:
        return InputLoader("dict")
    if origin in (list, set) and len(args) == 1:
        inner = loader_for(args[0])
        return InputLoader(origin.__name__, inner) if inner is not None else None
    if origin is dict and len(args) == 2 and args[0] is str:
        inner = loader_for(args[1])
        return InputLoader("dict", inner) if inner is not None else None
    return None
