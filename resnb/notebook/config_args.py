"""Typed resource config from magic arguments (``KEY.FIELD=VALUE``), JSON and mappings.

Three steps, shared by ``%build_resources`` and :class:`resnb.notebook.forms.ResourceForm`:

1. :func:`parse_config_args` / :func:`parse_config_json` / :func:`parse_config_mapping` turn what
   the user wrote into *overrides* ``{key: {field: typed value}}``: only the fields the user gave,
   each typed by the resource's pydantic model (``"5433"`` -> ``5433`` for an ``int`` field).
2. :func:`merge_configs` combines overrides from several sources; the later wins per field.
3. :func:`to_resource_config` (or :func:`validate_config` per key) completes them over the
   definition's current values into ``resource_config`` for ``ResourceScope``. This step matters:
   run config *replaces* a constructed resource's values (as in Dagster), so overriding ``port``
   alone must also send the constructed ``host`` and the ``EnvVar`` behind ``password``.

Secrets (``Field(exclude=True)``, ``SecretStr``) and fields whose value is an ``EnvVar`` are
*sensitive*: their values are never echoed in an error message, and env vars are never read here.

This module parses; the rest lives in ``config_errors`` (:class:`ConfigArgError`),
``config_fields`` (:func:`fields_of`), ``config_values`` (:func:`coerce_value`) and
``config_overrides`` (:func:`collect_overrides`, :func:`validate_config`), and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from resnb.errors import did_you_mean, listing
from resnb.notebook.config_errors import ConfigArgError, FieldProblem, raise_problems
from resnb.notebook.config_fields import MISSING, ConfigField, fields_of, not_configurable_reason
from resnb.notebook.config_overrides import (
    NestedOverride,
    Overrides,
    check_config,
    collect_overrides,
    config_entries,
    validate_config,
)
from resnb.notebook.config_values import coerce_value, read_config_json

__all__ = [
    "MISSING",
    "ConfigArgError",
    "ConfigField",
    "FieldProblem",
    "NestedOverride",
    "coerce_value",
    "collect_overrides",
    "fields_of",
    "merge_configs",
    "not_configurable_reason",
    "parse_config_args",
    "parse_config_json",
    "parse_config_mapping",
    "split_config_words",
    "to_resource_config",
    "validate_config",
]

_Source = TypeVar("_Source")
_Entry = tuple[str, Sequence[str], Any]


# -- problems common to every source ----------------------------------------------------------------
def _input_problem(keys: Sequence[str], message: str) -> FieldProblem:
    """A problem with the input as a whole: it names the key only when one key is being built."""
    return FieldProblem(keys[0] if len(keys) == 1 else "?", "", message)


def _check_key(key: str, keys: Sequence[str], definitions: Mapping[str, Any]) -> FieldProblem | None:
    if key in keys and key in definitions:
        return None
    building = listing(keys)
    if key in keys:
        message = (
            f"no resource has this key. Defined: {listing(definitions)}.{did_you_mean(key, definitions)}"
        )
    elif key in definitions:
        message = (
            f"config names resource '{key}', which is defined but not being built (building: "
            f"{building}). Add '{key}' to the resources to build, or drop its config."
        )
    else:
        message = (
            f"config names resource '{key}', which is not being built (building: {building})."
            f"{did_you_mean(key, keys)}"
        )
    return FieldProblem(key, "", message)


def _overrides_from(
    sources: Iterable[_Source],
    entries_of: Callable[[_Source], Iterable[_Entry]],
    definitions: Mapping[str, Any],
) -> Overrides:
    """Type the entries of every source; raise one :class:`ConfigArgError` listing all problems."""
    entries: list[_Entry] = []
    problems: list[FieldProblem] = []
    for source in sources:
        try:
            entries.extend(entries_of(source))
        except ConfigArgError as exc:
            problems.extend(exc.problems)
    overrides, more = collect_overrides(entries, definitions)
    raise_problems(problems + more)
    return overrides


# -- KEY.FIELD=VALUE arguments ----------------------------------------------------------------------
def _split_arg(item: str, keys: Sequence[str], definitions: Mapping[str, Any]) -> tuple[str, list[str], str]:
    target, sep, raw = item.partition("=")
    parts = [p.strip() for p in target.strip().split(".")]
    if not sep or not all(parts):
        # Without '=' the item may be a mistyped value: echo it only if it looks like a name.
        shown = repr(target.strip()) if all(p.isidentifier() for p in parts) else "an item"
        message = (
            f"cannot read config {shown}: write KEY.FIELD=VALUE (or FIELD=VALUE when "
            "building one resource), e.g. db.port=5433."
        )
        raise ConfigArgError(_input_problem(keys, message))
    if len(keys) == 1:
        is_field = parts[0] in fields_of(definitions.get(keys[0]))
        return (keys[0], parts, raw) if is_field or len(parts) == 1 else (parts[0], parts[1:], raw)
    if len(parts) > 1:
        return parts[0], parts[1:], raw
    raise ConfigArgError(
        FieldProblem(
            "?",
            parts[0],
            f"'{parts[0]}=...' does not say which resource it is for, and {len(keys)} are being "
            f"built ({listing(keys)}). Write KEY.{parts[0]}=VALUE.",
        )
    )


def _arg_entries(item: str, keys: Sequence[str], definitions: Mapping[str, Any]) -> list[_Entry]:
    key, path, raw = _split_arg(item, keys, definitions)
    problem = _check_key(key, keys, definitions)
    if problem is not None:
        raise ConfigArgError(problem)
    return [(key, path, raw)]


def parse_config_args(pairs: Sequence[str], keys: Sequence[str], definitions: Mapping[str, Any]) -> Overrides:
    """Overrides from ``KEY.FIELD=VALUE`` items (``FIELD=VALUE`` when one key is built).

    ``KEY.FIELD.SUB=VALUE`` sets a sub-field of a nested ``Config``. Values are typed by the
    model: ``"5433"`` -> ``5433``, ``true``/``false`` for bools, JSON for lists and dicts,
    Literal and Enum values by value (Enums also by name), an empty value is ``None`` for an
    ``Optional`` field, a ``SecretStr`` field gets a ``SecretStr``. Raises
    :class:`ConfigArgError` listing every bad item (unknown keys and fields with a suggestion).
    """
    keys = list(keys)
    return _overrides_from(pairs, lambda item: _arg_entries(item, keys, definitions), definitions)


# -- mappings and JSON ------------------------------------------------------------------------------
def _per_key(
    data: Mapping[str, Any], keys: Sequence[str], definitions: Mapping[str, Any]
) -> Mapping[str, Any]:
    """``data`` by resource key: with one key built, ``data`` may be that key's fields alone.

    Dagster's run-config shape ``{"resources": {KEY: {"config": ...}}}`` is unwrapped. With one key
    built, entries that are all tables and none a field of it are resource keys (so a misspelt or
    unbuilt key is named as such, not as an unknown field).
    """
    if (
        set(data) == {"resources"}
        and "resources" not in definitions
        and isinstance(data["resources"], Mapping)
    ):
        data = data["resources"]
    if len(keys) != 1 or set(data) <= set(keys):
        return data
    fields = fields_of(definitions.get(keys[0]), shared=definitions)
    tables = all(isinstance(value, Mapping) for value in data.values())
    if tables and not set(data) & {*fields, "config"}:
        return data
    return {keys[0]: data}


def _check_entry(key: str, config: Any) -> FieldProblem | None:
    if isinstance(config, Mapping):
        return None
    return FieldProblem(
        key, "", f"its config must be an object of field values, got {type(config).__name__}."
    )


def _check_value_without_key(name: str, config: Any, keys: Sequence[str]) -> FieldProblem | None:
    """A field value given where a resource key's table belongs (several keys built)."""
    if isinstance(config, Mapping) or len(keys) < 2:
        return None
    return FieldProblem(
        "?",
        name,
        f"'{name}' is given a value, but with several resources built ({listing(keys)}) each one's "
        f'fields go under its key: {{"KEY": {{"{name}": ...}}}}, or a [KEY] table in a %%build_resources cell.',
    )


def _unwrap(config: Mapping[str, Any], fields: Mapping[str, ConfigField]) -> Mapping[str, Any]:
    if set(config) == {"config"} and "config" not in fields and isinstance(config["config"], Mapping):
        return config["config"]
    return config


def _mapping_entries(
    key: str, config: Any, keys: Sequence[str], definitions: Mapping[str, Any]
) -> list[_Entry]:
    problem = (
        _check_value_without_key(key, config, keys)
        or _check_key(key, keys, definitions)
        or _check_entry(key, config)
    )
    if problem is not None:
        raise ConfigArgError(problem)
    fields = fields_of(definitions[key], shared=definitions)
    paths = config_entries(key, fields, _unwrap(config, fields), definitions[key])
    return [(key, path, raw) for path, raw in paths]


def parse_config_mapping(
    data: Mapping[str, Any], keys: Sequence[str], definitions: Mapping[str, Any]
) -> Overrides:
    """Overrides from ``{"key": {"field": value}}`` or, with one key built, ``{"field": value}``.

    Dagster's run-config shape ``{"resources": {"key": {"config": {...}}}}`` is accepted too.
    A key's entry may also be in run-config form ``{"config": {...}}``; a value ``{"env": "NAME"}``
    makes the field read that env var. Nested ``Config`` fields take a mapping of sub-fields.
    """
    keys = list(keys)
    if not isinstance(data, Mapping):
        raise ConfigArgError(
            FieldProblem("?", "", f"config must be a JSON object, got {type(data).__name__}.")
        )
    per_key = _per_key(data, keys, definitions).items()
    return _overrides_from(per_key, lambda item: _mapping_entries(*item, keys, definitions), definitions)


def split_config_words(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """``--config``'s words as (config items, names): it takes several, so ``-c a.n=1 b`` swallows ``b``.

    A word without ``=`` and without ``.`` is a name (an asset or resource key); a dotted word
    without ``=`` stays config, to be reported as an unreadable item.
    """
    items = [word for word in words if "=" in word or "." in word]
    return items, [word for word in words if "=" not in word and "." not in word]


def parse_config_json(text: str, keys: Sequence[str], definitions: Mapping[str, Any]) -> Overrides:
    """Overrides from JSON text (see :func:`parse_config_mapping` for the accepted shapes).

    Invalid JSON raises :class:`ConfigArgError` with the line and column (the text itself is
    not echoed: it may hold secrets).
    """
    try:
        data = read_config_json(text, '{"port": 5433}')
    except ValueError as exc:
        raise ConfigArgError(_input_problem(keys, str(exc))) from None
    return parse_config_mapping(data, keys, definitions)


# -- combining and completing -----------------------------------------------------------------------
def merge_configs(*configs: Mapping[str, Mapping[str, Any]]) -> Overrides:
    """Merge overrides; the later source wins per field (and per sub-field of a nested Config)."""
    merged: Overrides = {}
    for config in configs:
        for key, values in (config or {}).items():
            merged[key] = _merge_fields(merged.get(key, {}), values)
    return merged


def _merge_fields(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for name, value in update.items():
        previous = result.get(name)
        if isinstance(value, NestedOverride) and isinstance(previous, NestedOverride):
            result[name] = NestedOverride(_merge_fields(previous, value))
        else:
            result[name] = value
    return result


def to_resource_config(
    definitions: Mapping[str, Any], *configs: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """``resource_config`` for ``ResourceScope``: the merged overrides, completed per key.

    ``{key: {"config": {...}}}`` for each key with overrides (see :func:`validate_config`);
    raises :class:`ConfigArgError` listing the problems of every key.
    """
    result: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for key, config in merge_configs(*configs).items():
        if key not in definitions:
            problems.append(_check_key(key, [key], definitions) or FieldProblem(key, "", "unknown."))
            continue
        values, found = check_config(key, definitions[key], config, complete=True, shared=definitions)
        problems.extend(found)
        result[key] = {"config": values}
    raise_problems(problems)
    return result
