"""Overrides ``{key: {field: typed value}}``: typing them field by field, and checking them.

:func:`collect_overrides` types ``(key, field path, raw value)`` entries; :func:`check_config`
checks one key's overrides against its model, merged over the definition's current values;
:func:`validate_config` is the same for callers that want the result or an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from resnb.core.resources import PartialResource
from resnb.errors import did_you_mean, listing
from resnb.notebook.config_errors import ConfigArgError, FieldProblem, raise_problems
from resnb.notebook.config_fields import (
    ConfigField,
    ConfigTarget,
    config_target,
    definition_label,
    fields_of,
    not_configurable_reason,
    values_of,
)
from resnb.notebook.config_values import coerce_value, error_text, is_env_form

__all__ = [
    "NestedOverride",
    "Overrides",
    "check_config",
    "collect_overrides",
    "config_entries",
    "validate_config",
]

Overrides = dict[str, dict[str, Any]]


class NestedOverride(dict):  # type: ignore[type-arg]
    """Overrides of some sub-fields of a nested ``Config`` field.

    :func:`~resnb.notebook.config_args.merge_configs` merges these per sub-field (a plain dict
    value is a whole new value and replaces).
    """


# -- finding fields by path -------------------------------------------------------------------------
def _owner(parent: ConfigField | None, definition: Any) -> str:
    """Who has the fields being looked up: the nested model's name, or the resource's."""
    model = parent.model if parent is not None else None
    if model is not None:
        return model.__name__
    if isinstance(definition, PartialResource):
        return definition.resource_cls.__name__
    return definition_label(definition)


def _resource_field_message(spec: ConfigField) -> str:
    if spec.uses and spec.uses.startswith("resource "):
        other = spec.uses.split(" ", 1)[1]
        return f"it is a nested resource (uses resource '{other}'), not config. Configure '{other}' itself."
    return (
        f"it is a nested resource ({spec.uses}), not config. Configure it in code, or make it a "
        "top-level resource and refer to it with ResourceParam('key')."
    )


def _not_nested_message(key: str, spec: ConfigField) -> str:
    return f"it is a field of type {spec.label}, not a nested config. Write {key}.{spec.path}=VALUE."


def _unknown_field(
    key: str, fields: Mapping[str, ConfigField], path: str, owner: str, definition: Any, name: str
) -> FieldProblem:
    if not fields and "." not in path:
        reason = not_configurable_reason(definition) or "it has no config fields"
        return FieldProblem(key, "", f"it takes no config here: {reason}.")
    head, dot, rest = name.partition(".")
    if dot and head in fields and fields[head].kind == "config":  # a dotted key in JSON or a mapping
        return FieldProblem(
            key, path, f'{owner} has no field \'{name}\': nest it as {{"{head}": {{"{rest}": ...}}}}.'
        )
    return FieldProblem(
        key,
        path,
        f"{owner} has no field '{name}'.{did_you_mean(name, fields)} Its fields: {listing(fields)}.",
    )


def _editable_field(
    key: str,
    fields: Mapping[str, ConfigField],
    name: Any,
    path: Sequence[str],
    parent: ConfigField | None,
    definition: Any,
) -> ConfigField:
    """The field ``name`` of ``fields`` (at ``path``); ConfigArgError if unknown or a nested resource."""
    spec = fields.get(name)
    if spec is None:
        owner = _owner(parent, definition)
        raise ConfigArgError(_unknown_field(key, fields, ".".join(path), owner, definition, str(name)))
    if not spec.editable:
        raise ConfigArgError(FieldProblem(key, spec.path, _resource_field_message(spec)))
    return spec


def _lookup(key: str, fields: Mapping[str, ConfigField], path: Sequence[str], definition: Any) -> ConfigField:
    current: Mapping[str, ConfigField] = fields
    spec: ConfigField | None = None
    for depth, part in enumerate(path):
        if spec is not None and spec.kind != "config":
            raise ConfigArgError(FieldProblem(key, spec.path, _not_nested_message(key, spec)))
        spec = _editable_field(key, current, part, path[: depth + 1], spec, definition)
        current = spec.fields
    assert spec is not None
    return spec


def config_entries(
    key: str,
    fields: Mapping[str, ConfigField],
    config: Mapping[str, Any],
    definition: Any,
    parent: ConfigField | None = None,
) -> Iterable[tuple[list[str], Any]]:
    """Flatten ``config`` into (path, raw) entries, descending into nested ``Config`` mappings."""
    prefix = parent.path.split(".") if parent is not None else []
    for name, value in config.items():
        path = [*prefix, str(name)]
        spec = _editable_field(key, fields, name, path, parent, definition)
        if spec.kind == "config" and isinstance(value, Mapping) and not is_env_form(value):
            yield from config_entries(key, spec.fields, value, definition, spec)
        else:
            yield path, value


def _set_path(target: dict[str, Any], path: Sequence[str], value: Any) -> None:
    for part in path[:-1]:
        existing = target.get(part)
        if not isinstance(existing, NestedOverride):
            existing = NestedOverride()
            target[part] = existing
        target = existing
    target[path[-1]] = value


# -- typing -----------------------------------------------------------------------------------------
def collect_overrides(
    entries: Iterable[tuple[str, Sequence[str], Any]],
    definitions: Mapping[str, Any],
    *,
    complete: bool = False,
) -> tuple[Overrides, list[FieldProblem]]:
    """Type ``(key, field path, raw value)`` entries; return the overrides and every problem found.

    Each key's overrides are then checked against its model (merged over the current values);
    with ``complete=False`` missing required fields are not reported (another source may give them).
    """
    overrides: Overrides = {}
    problems: list[FieldProblem] = []
    fields_cache: dict[str, dict[str, ConfigField]] = {}
    for key, path, raw in entries:
        if key not in fields_cache:
            fields_cache[key] = fields_of(definitions[key], shared=definitions)
        try:
            spec = _lookup(key, fields_cache[key], path, definitions[key])
            _set_path(overrides.setdefault(key, {}), path, coerce_value(key, spec, raw))
        except ConfigArgError as exc:
            problems.extend(exc.problems)
    for key, config in overrides.items():
        problems.extend(check_config(key, definitions[key], config, complete=complete, shared=definitions)[1])
    return overrides, problems


def _typed_config(
    key: str, fields: Mapping[str, ConfigField], config: Mapping[str, Any], definition: Any
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """``config`` typed field by field (sub-fields as :class:`NestedOverride`), and its problems."""
    typed: dict[str, Any] = {}
    try:
        entries = list(config_entries(key, fields, config, definition))
    except ConfigArgError as exc:
        return typed, list(exc.problems)
    problems: list[FieldProblem] = []
    for path, raw in entries:
        try:
            spec = _lookup(key, fields, path, definition)
            _set_path(typed, path, coerce_value(key, spec, raw))
        except ConfigArgError as exc:
            problems.extend(exc.problems)
    return typed, problems


# -- checking against the model ---------------------------------------------------------------------
def _merge_over(current: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for name, value in overrides.items():
        if isinstance(value, NestedOverride):
            merged[name] = _merge_over(values_of(current.get(name)), value)
        else:
            merged[name] = value
    return merged


def _find(fields: Mapping[str, ConfigField], loc: Sequence[Any]) -> ConfigField | None:
    """The deepest field named by a pydantic error location (list indexes stop the walk)."""
    spec = None
    for part in loc:
        found = fields.get(part) if isinstance(part, str) else None
        if found is None:
            break
        spec, fields = found, found.fields
    return spec


def _missing_message(key: str, path: str, spec: ConfigField | None) -> str:
    if spec is not None and spec.kind == "resource":
        return "this nested resource is required and not set; set it in code when constructing the resource."
    return f"required, and no value was given. Give a value for {key}.{path}."


def _model_problems(
    key: str, fields: Mapping[str, ConfigField], exc: ValidationError, complete: bool
) -> list[FieldProblem]:
    problems = []
    for err in exc.errors(include_url=False):
        spec = _find(fields, err["loc"])
        path = ".".join(str(p) for p in err["loc"])
        if err["type"] == "missing":
            if complete:
                problems.append(FieldProblem(key, path, _missing_message(key, path, spec)))
            continue
        problems.append(FieldProblem(key, path, f"{error_text(spec, err)}. Change the value."))
    return problems


def _validated(
    key: str, target: ConfigTarget, fields: Mapping[str, ConfigField], typed: dict[str, Any], complete: bool
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Validate ``typed`` merged over the current values; return the fields to send, or the problems."""
    merged = _merge_over(target.current, typed)
    try:
        instance = target.model.model_validate({**target.resources, **merged})
    except ValidationError as exc:
        return {}, _model_problems(key, fields, exc, complete)
    names = [n for n in target.model.model_fields if n not in target.resources]
    if not target.complete_output:
        names = [n for n in names if n in typed]
    return {n: instance.__dict__.get(n, getattr(instance, n)) for n in names}, []


def check_config(
    key: str, definition: Any, config: Mapping[str, Any], *, complete: bool, shared: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """``(config entry for resource_config, [])``, or ``({}, problems)`` (see :func:`validate_config`).

    With ``complete=False`` missing required fields are not problems.
    """
    target = config_target(definition)
    if target is None:
        reason = not_configurable_reason(definition)
        return {}, [FieldProblem(key, "", f"it takes no config here: {reason}.")]
    fields = fields_of(definition, shared=shared)
    typed, problems = _typed_config(key, fields, config, definition)
    if problems:
        return {}, problems
    return _validated(key, target, fields, typed, complete)


def validate_config(key: str, definition: Any, config: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``config`` for resource ``key`` and return its entry for ``resource_config``.

    ``config`` (field -> value; a mapping under a nested ``Config`` field updates some of its
    sub-fields) is typed field by field and merged over the definition's current values, so a
    partial update validates. For a ``ConfigurableResource`` (or partial) the result holds every
    config field, because run config replaces the constructed values; unchanged fields keep their
    ``EnvVar`` references. For an ``@resource`` the result holds the given fields, typed.
    Raises :class:`ConfigArgError` listing each problem by field.
    """
    values, problems = check_config(key, definition, config, complete=True, shared={})
    raise_problems(problems)
    return values
