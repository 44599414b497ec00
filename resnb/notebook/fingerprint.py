"""Fingerprints of assets and resources, to tell what changed after a reload or a rebuild.

An asset's fingerprint covers its function's code (bytecode, constants and names, not line
numbers, so moving code around changes nothing), what that code reads from its module's globals
(see below), and its declaration (keys, inputs, resources, IO managers, config). A resource's
fingerprint covers its class (methods and fields) and its configuration, secrets included; a
plain object (not a ``ConfigurableResource``) its class and its attributes, never its address
(an attribute whose ``repr`` raises counts by its type; past 20,000 values, such as a resource
holding a large cache, only sizes are covered, so loading stays fast).

A function's globals are covered by name: a global name its code uses (nested functions
included) that holds a plain constant (numbers, strings, bytes, None, and tuples or frozensets
of those) contributes its ``repr``; a function of the project contributes its own code and
globals (to a depth limit, each function once); a class of the project its source (else its
methods); a project module the attributes the code reads from it. Anything else (library code,
mutable objects) contributes its type only, so editing ``helpers.py`` or a module constant
marks the assets that read it as changed, while mutating a cache does not. Fingerprints are keyed HMACs with a key drawn at random per
process: they can be compared within a session but reveal nothing about the values they cover,
and no value is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import os
import re
import sys
import types
import weakref
from collections.abc import Mapping
from typing import Any

from resnb.core.assets import AssetsDefinition
from resnb.core.config import Config
from resnb.core.legacy import ResourceDefinition
from resnb.core.resources import PartialResource
from resnb.notebook.reloading import is_project_module

__all__ = ["asset_fingerprint", "resource_fingerprint"]

_KEY = os.urandom(32)
_MAX_DEPTH = 12
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_VALUE_BUDGET = 20_000
_CONSTANTS = (int, float, complex, str, bytes, bool, type(None))
# class -> hash of its source (None: no source); a class object's source does not change
_CLASS_SOURCES: weakref.WeakKeyDictionary[type, str | None] = weakref.WeakKeyDictionary()


class Feed:
    """Feeds text into one HMAC digest, remembering the functions and classes already covered."""

    def __init__(self, digest: Any) -> None:
        self.digest = digest
        self.seen: set[int] = set()
        self.budget = _VALUE_BUDGET  # values left to cover: a resource holding a huge dict stays cheap

    def __call__(self, text: str) -> None:
        self.digest.update(text.encode("utf-8", "surrogatepass"))
        self.digest.update(b"\x00")

    def first_visit(self, value: Any) -> bool:
        """True the first time ``value`` is seen (a cycle guard)."""
        if id(value) in self.seen:
            return False
        self.seen.add(id(value))
        return True


def asset_fingerprint(definition: AssetsDefinition) -> str:
    """The fingerprint of an asset definition: its code and its declaration."""
    digest = hmac.new(_KEY, digestmod=hashlib.sha256)
    feed = Feed(digest)
    _feed_function(feed, definition.fn, 0)
    feed(repr(sorted(k.to_user_string() for k in definition.keys)))
    feed(repr(sorted((p, k.to_user_string()) for p, k in definition.input_keys.items())))
    feed(repr(sorted(k.to_user_string() for k in definition.deps)))
    feed(repr(sorted(definition.resource_keys)))
    feed(repr(sorted((s.name, s.io_manager_key) for s in definition.outputs.values())))
    feed(definition.group_name or "")
    if definition.params.config is not None:
        _feed_class(feed, definition.params.config[1], 0)
    _feed_value(feed, definition.config_schema, 0)
    return digest.hexdigest()


def resource_fingerprint(value: Any) -> str:
    """The fingerprint of a resource declaration (object, partial, ``@resource``, plain value)."""
    digest = hmac.new(_KEY, digestmod=hashlib.sha256)
    _feed_value(Feed(digest), value, 0)
    return digest.hexdigest()


def _feed_value(feed: Feed, value: Any, depth: int) -> None:
    feed.budget -= 1
    if depth > _MAX_DEPTH or feed.budget < 0:
        feed("...")
        return
    if isinstance(value, Config):
        _feed_config(feed, value, depth + 1)
    elif isinstance(value, PartialResource):
        feed("partial")
        _feed_class(feed, value.resource_cls, depth + 1)
        _feed_value(feed, value.data, depth + 1)
    elif isinstance(value, ResourceDefinition):
        _feed_legacy(feed, value, depth + 1)
    elif _is_secret(value):
        feed(type(value).__name__)
        feed(repr(value.get_secret_value()))
    elif isinstance(value, (Mapping, list, tuple, set, frozenset)) and len(value) > feed.budget:
        feed(f"{type(value).__name__}{len(value)} (too large to cover)")
    elif isinstance(value, Mapping):
        feed(f"map{len(value)}")
        for key in sorted(value, key=_safe_repr):
            feed(_safe_repr(key))
            _feed_value(feed, value[key], depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=_safe_repr) if isinstance(value, (set, frozenset)) else value
        feed(f"{type(value).__name__}{len(items)}")
        for item in items:
            _feed_value(feed, item, depth + 1)
    elif isinstance(value, type):
        _feed_class(feed, value, depth + 1)
    elif isinstance(value, types.FunctionType):
        _feed_function(feed, value, depth + 1)
    else:
        _feed_object(feed, value, depth + 1)


def _feed_object(feed: Feed, value: Any, depth: int) -> None:
    """A plain object (a resource that is not a ``ConfigurableResource``, an IO manager, a value).

    Its class (the source, for a class of the project) and its attributes, else its ``repr`` with
    memory addresses left out: two objects built the same way from the same code have the same
    fingerprint, whatever address they live at.
    """
    cls = type(value)
    feed(f"{cls.__module__}.{cls.__qualname__}")
    if isinstance(value, _CONSTANTS):
        feed(repr(value))
        return
    if _is_project(cls) and feed.first_visit(cls):
        _feed_class_source(feed, cls, depth)
    try:
        state = getattr(value, "__dict__", None)
    except Exception:  # noqa: BLE001 - a proxy whose attributes need a connection
        state = None
    if isinstance(state, Mapping):
        if feed.first_visit(value):
            _feed_value(feed, dict(state), depth)
    elif cls.__repr__ is not object.__repr__:
        feed(_ADDRESS.sub("", _safe_repr(value)))


def _safe_repr(value: Any) -> str:
    """``repr(value)``, or its type's name when its ``__repr__`` raises (it may need a connection)."""
    try:
        return repr(value)
    except Exception:  # noqa: BLE001 - any user __repr__
        return f"<unrepresentable {type(value).__qualname__}>"


def _is_secret(value: Any) -> bool:
    from pydantic import SecretBytes, SecretStr

    return isinstance(value, (SecretStr, SecretBytes))


def _feed_config(feed: Feed, value: Config, depth: int) -> None:
    cls = type(value)
    _feed_class(feed, cls, depth)
    for name in sorted(cls.model_fields):
        feed(name)
        _feed_value(feed, value.__dict__.get(name), depth)


def _feed_legacy(feed: Feed, definition: ResourceDefinition, depth: int) -> None:
    feed(f"@resource {definition.name}")
    _feed_function(feed, definition.resource_fn, depth)
    schema = definition.config_schema
    _feed_value(feed, getattr(schema, "source", None), depth)
    _feed_value(feed, definition.preset_config, depth)
    feed(repr(sorted(definition.required_resource_keys)))


def _feed_class(feed: Feed, cls: type, depth: int) -> None:
    feed(f"class {cls.__module__}.{cls.__qualname__}")
    feed(repr([base.__qualname__ for base in cls.__mro__[1:]]))
    for name, member in sorted(vars(cls).items()):
        function = _function_of(member)
        if function is not None and depth <= _MAX_DEPTH:
            feed(name)
            _feed_function(feed, function, depth + 1)
    fields = getattr(cls, "model_fields", None)
    if isinstance(fields, Mapping):
        for name, field in sorted(fields.items()):
            feed(f"{name}: {field.annotation!r}")
            _feed_value(feed, field.default, depth + 1)


def _function_of(member: Any) -> types.FunctionType | None:
    if isinstance(member, (staticmethod, classmethod)):
        member = member.__func__
    if isinstance(member, property):
        member = member.fget
    return member if isinstance(member, types.FunctionType) else None


def _feed_function(feed: Feed, function: Any, depth: int) -> None:
    function = getattr(function, "__wrapped__", function)
    code = getattr(function, "__code__", None)
    if code is None:
        feed(f"callable {type(function).__qualname__}")
        return
    feed.first_visit(function)
    _feed_code(feed, code)
    _feed_value(feed, function.__defaults__, depth + 1)
    _feed_value(feed, function.__kwdefaults__, depth + 1)
    _feed_globals(feed, function, code, depth + 1)


def _feed_code(feed: Feed, code: types.CodeType) -> None:
    feed(code.co_code.hex())
    feed(repr((code.co_names, code.co_varnames, code.co_freevars)))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(feed, const)
        else:
            feed(repr(const))


# -- what a function reads from its globals ----------------------------------------------------------
def _global_names(code: types.CodeType) -> set[str]:
    """The names ``code`` and its nested functions, classes and comprehensions use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _feed_globals(feed: Feed, function: Any, code: types.CodeType, depth: int) -> None:
    namespace = getattr(function, "__globals__", None)
    if depth > _MAX_DEPTH or not isinstance(namespace, Mapping):
        return
    names = _global_names(code)
    for name in sorted(names):
        if name in namespace:
            feed(f"global {name}")
            _feed_global(feed, namespace[name], names, depth)


def _feed_global(feed: Feed, value: Any, names: set[str], depth: int) -> None:
    """Cover one global value (see the module docstring); never feed a value that is not a constant."""
    inner = getattr(value, "__wrapped__", value)  # functools.wraps, lru_cache
    if _is_constant(value):
        feed(f"{type(value).__name__} {_constant_repr(value)}")
    elif isinstance(inner, types.FunctionType) and _is_project(inner):
        feed(f"function {inner.__qualname__}")
        if feed.first_visit(inner):
            _feed_function(feed, inner, depth + 1)
    elif isinstance(value, type) and _is_project(value):
        feed(f"class {value.__qualname__}")
        if feed.first_visit(value):
            _feed_class_source(feed, value, depth + 1)
    elif isinstance(value, types.ModuleType) and is_project_module(value.__name__):
        feed(f"module {value.__name__}")
        if feed.first_visit(value) and depth <= _MAX_DEPTH:
            for name in sorted(names & vars(value).keys()):
                feed(f"attribute {name}")
                _feed_global(feed, vars(value)[name], names, depth + 1)
    else:
        feed(f"{type(value).__module__}.{type(value).__qualname__}")


def _is_constant(value: Any) -> bool:
    if isinstance(value, _CONSTANTS):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(_is_constant(item) for item in value)
    return False


def _constant_repr(value: Any) -> str:
    if isinstance(value, frozenset):  # its iteration order may differ between equal sets
        return "frozenset(" + ", ".join(sorted(_constant_repr(item) for item in value)) + ")"
    if isinstance(value, tuple):
        return "(" + ", ".join(_constant_repr(item) for item in value) + ",)"
    return repr(value)


def _is_project(value: Any) -> bool:
    """True for functions and classes of the notebook, of a ``.py`` target or of a project module."""
    module_name = getattr(value, "__module__", None)
    if not isinstance(module_name, str):
        return False
    if module_name == "__main__" or module_name.startswith("resnb_file_"):
        return True
    if module_name == "resnb" or module_name.startswith("resnb."):
        return False
    return module_name not in sys.modules or is_project_module(module_name)


def _feed_class_source(feed: Feed, cls: type, depth: int) -> None:
    source_hash = _class_source_hash(cls)
    if source_hash is None:  # defined where no source is kept: its methods' code instead
        _feed_class(feed, cls, depth)
    else:
        feed(source_hash)


def _class_source_hash(cls: type) -> str | None:
    """A hash of the class's source, computed once per class object (finding it parses its file)."""
    try:
        return _CLASS_SOURCES[cls]
    except (KeyError, TypeError):
        pass
    try:
        found: str | None = hashlib.sha256(inspect.getsource(cls).encode()).hexdigest()
    except (OSError, TypeError):
        found = None
    try:
        _CLASS_SOURCES[cls] = found
    except TypeError:  # a class that cannot be weakly referenced: not cached
        pass
    return found
