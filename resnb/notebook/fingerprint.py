"""Fingerprints of assets and resources, to tell what changed after a reload or a rebuild.

An asset's fingerprint covers its function's code (bytecode, constants and names, not line
numbers, so moving code around changes nothing) and its declaration (keys, inputs, resources,
IO managers, config). A resource's fingerprint covers its class (methods and fields) and its
configuration, secrets included. Fingerprints are keyed HMACs with a key drawn at random per
process: they can be compared within a session but reveal nothing about the values they cover,
and no value is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import types
from collections.abc import Callable, Mapping
from typing import Any

from resnb.core.assets import AssetsDefinition
from resnb.core.config import Config
from resnb.core.legacy import ResourceDefinition
from resnb.core.resources import PartialResource

__all__ = ["asset_fingerprint", "resource_fingerprint"]

_KEY = os.urandom(32)
_MAX_DEPTH = 12

Feed = Callable[[str], None]


def asset_fingerprint(definition: AssetsDefinition) -> str:
    """The fingerprint of an asset definition: its code and its declaration."""
    digest = hmac.new(_KEY, digestmod=hashlib.sha256)
    feed = _feeder(digest)
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
    _feed_value(_feeder(digest), value, 0)
    return digest.hexdigest()


def _feeder(digest: Any) -> Feed:
    def feed(text: str) -> None:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")

    return feed


def _feed_value(feed: Feed, value: Any, depth: int) -> None:
    if depth > _MAX_DEPTH:
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
    elif isinstance(value, Mapping):
        feed(f"map{len(value)}")
        for key in sorted(value, key=repr):
            feed(repr(key))
            _feed_value(feed, value[key], depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        feed(f"{type(value).__name__}{len(items)}")
        for item in items:
            _feed_value(feed, item, depth + 1)
    elif isinstance(value, type):
        _feed_class(feed, value, depth + 1)
    elif isinstance(value, types.FunctionType):
        _feed_function(feed, value, depth + 1)
    else:
        feed(f"{type(value).__module__}.{type(value).__qualname__}")
        feed(repr(value))


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
    _feed_code(feed, code)
    _feed_value(feed, function.__defaults__, depth + 1)
    _feed_value(feed, function.__kwdefaults__, depth + 1)


def _feed_code(feed: Feed, code: types.CodeType) -> None:
    feed(code.co_code.hex())
    feed(repr((code.co_names, code.co_varnames, code.co_freevars)))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(feed, const)
        else:
            feed(repr(const))
