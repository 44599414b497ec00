"""Resolution at build time: env vars read, run config applied, a per-run copy made.

The declared object is never mutated: every build gets a fresh copy whose fields hold the
current values of their env vars. Fields read from env vars are remembered on the copy so its
repr shows ``EnvVar('NAME')`` instead of the value.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from resnb.core.config import Config, class_info, format_validation_error, set_masked
from resnb.core.env import EnvVar, IntEnvVar, contains_env_ref, is_env_ref
from resnb.core.legacy import ResourceDefinition
from resnb.core.legacy_config import resolve_env_form
from resnb.core.resources import ConfigurableResourceFactory, PartialResource
from resnb.errors import ConfigError, UnknownFieldError, did_you_mean, listing

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = ["apply_run_config", "normalize_resource_config", "resolved_copy", "unset_env_vars"]

_ADAPTERS: dict[tuple[type, str], TypeAdapter[Any] | None] = {}


def _adapter(cls: type[Config], name: str) -> TypeAdapter[Any] | None:
    key = (cls, name)
    if key not in _ADAPTERS:
        field = cls.model_fields[name]
        plain = field.annotation in (str, int) and not field.metadata
        if plain:
            _ADAPTERS[key] = None
        else:  # the field's constraints too (Field(max_length=5) lives in its metadata)
            from typing import Annotated

            from pydantic import TypeAdapter

            annotation = (
                Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
            )
            _ADAPTERS[key] = TypeAdapter(annotation)
    return _ADAPTERS[key]


def _resolve_plain(value: Any, where: str) -> Any:
    if is_env_ref(value):
        return value.resolve(where)
    if isinstance(value, (list, tuple)):
        return type(value)(v.resolve(where) if is_env_ref(v) else v for v in value)
    return {k: v.resolve(f"{where} (entry '{k}')") if is_env_ref(v) else v for k, v in value.items()}


def resolved_copy(obj: Config, where: str) -> Config:
    """A copy of ``obj`` with every env var (also inside nested Config) read now.

    ``where`` names the owner for error messages, e.g. ``"resource 'db'"``.
    """
    updates, masked = _resolve_fields(obj, where)
    copy = obj.model_copy(update=updates) if updates else obj.model_copy()
    set_masked(copy, masked)
    return copy


def _resolve_fields(obj: Config, where: str) -> tuple[dict[str, Any], dict[str, str | None]]:
    cls = type(obj)
    info = class_info(cls)
    updates: dict[str, Any] = {}
    masked: dict[str, str | None] = {}
    for name in info.field_names:
        if name in info.nested:
            continue
        value = obj.__dict__.get(name)
        if isinstance(value, Config) and not isinstance(value, ConfigurableResourceFactory):
            sub_updates, sub_masked = _resolve_fields(value, where)
            if sub_updates:
                updates[name] = value.model_copy(update=sub_updates)
                set_masked(updates[name], sub_masked)
            continue
        if not contains_env_ref(value):
            continue
        field_where = f"{where}, field '{name}'"
        updates[name] = _validated(cls, name, _resolve_plain(value, field_where), value, field_where)
        masked[name] = value.env_var_name if is_env_ref(value) else None
    return updates, masked


def unset_env_vars(resource: ConfigurableResourceFactory[Any], path: str) -> list[tuple[str, str]]:
    """(variable, what reads it) for each unset env var that building ``resource`` would read.

    Covers its fields, nested Config and the resources nested in it (initialised with it); the
    texts name the owner as :func:`resolved_copy` does (``"resource 'db', field 'password'"``).
    """
    missing = [
        (ref.env_var_name, where)
        for ref, where in _env_refs(resource, f"resource '{path}'")
        if ref.env_var_name not in os.environ
    ]
    info = class_info(type(resource))
    for name in info.nested:
        nested = resource.__dict__.get(name)
        if isinstance(nested, ConfigurableResourceFactory):
            missing += unset_env_vars(nested, f"{path}.{name}")
    return missing


def _env_refs(obj: Config, where: str) -> Iterator[tuple[Any, str]]:
    """Each EnvVar in ``obj``'s own fields and nested Config, with the text naming where it is."""
    info = class_info(type(obj))
    for name in type(obj).model_fields:  # declaration order, so messages list them stably
        if name in info.nested:
            continue
        value = obj.__dict__.get(name)
        if isinstance(value, Config) and not isinstance(value, ConfigurableResourceFactory):
            yield from _env_refs(value, where)
            continue
        field_where = f"{where}, field '{name}'"
        if is_env_ref(value):
            yield value, field_where
        elif isinstance(value, (list, tuple)):
            yield from ((item, field_where) for item in value if is_env_ref(item))
        elif isinstance(value, dict):
            yield from ((v, f"{field_where} (entry '{k}')") for k, v in value.items() if is_env_ref(v))


def _validated(cls: type[Config], name: str, value: Any, ref: Any, where: str) -> Any:
    adapter = _adapter(cls, name)
    if adapter is None:
        return value
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        source = f"EnvVar({ref.env_var_name!r})" if is_env_ref(ref) else "its env vars"
        raise ConfigError(
            f"The value of {source} is not valid for {where}:\n{format_validation_error(exc, name)}\n"
            "Fix the environment variable's value."
        ) from None


def normalize_resource_config(
    resource_config: Mapping[str, Any] | None, keys: Mapping[str, Any]
) -> dict[str, Any]:
    """Check ``{key: {"config": {...}}}`` and return ``{key: {...}}`` with env forms turned into EnvVars.

    A legacy ``@resource`` without a config schema gets its config as given (``{"env": ...}`` too).
    """
    if not resource_config:
        return {}
    if not isinstance(resource_config, Mapping):
        raise ConfigError(
            "resource_config must be a mapping {key: {'config': {...}}}, "
            f"got {type(resource_config).__name__}."
        )
    normalized: dict[str, Any] = {}
    for key, entry in resource_config.items():
        if key not in keys:
            raise ConfigError(
                f"resource_config names resource '{key}', which is not one of the resources "
                f"({listing(keys)}).{did_you_mean(key, keys)}"
            )
        if not isinstance(entry, Mapping) or set(entry) - {"config"}:
            shown = listing(entry) if isinstance(entry, Mapping) else type(entry).__name__
            raise ConfigError(
                f"resource_config['{key}'] must be {{'config': {{...}}}}, got {shown}. Wrap the "
                f"values: {{'{key}': {{'config': {{...}}}}}}."
            )
        config = entry.get("config")
        schemaless = isinstance(keys[key], ResourceDefinition) and keys[key].run_config_schema is None
        normalized[key] = config if schemaless else resolve_env_form(config)  # Dagster: a plain dict
    return normalized


def apply_run_config(key: str, value: Any, config: Any) -> ConfigurableResourceFactory[Any]:
    """The resource to build for ``key``: a partial completed, or a resource re-configured.

    For a fully configured resource, run config replaces its constructed values (as in
    Dagster): fields not given take the class defaults. Nested resources are kept.
    """
    if config is not None and not isinstance(config, Mapping):
        raise ConfigError(f"Config for resource '{key}' must be a mapping of field to value.")
    if isinstance(value, PartialResource):
        config = _int_env_refs(value.resource_cls, config or {})
        return _construct(key, value.resource_cls, {**value.data, **config}, partial=True)
    if config is None:
        return value
    nested = {name: value.__dict__[name] for name in class_info(type(value)).nested}
    config = _int_env_refs(type(value), config)
    return _construct(key, type(value), {**nested, **config}, partial=False)


def _int_env_refs(cls: type[Config], config: Mapping[str, Any]) -> dict[str, Any]:
    """Run config's ``{"env": NAME}`` arrives as an EnvVar; an ``int`` field reads it as EnvVar.int."""
    fields = cls.model_fields
    result = dict(config)
    for name, item in config.items():
        if type(item) is EnvVar and name in fields:
            annotation = fields[name].annotation
            kinds = (annotation, *typing.get_args(annotation))
            if int in kinds and str not in kinds:
                result[name] = IntEnvVar(item.env_var_name)
    return result


def _construct(key: str, cls: type[Any], data: dict[str, Any], *, partial: bool) -> Any:
    try:
        return cls(**data)
    except UnknownFieldError as exc:
        raise ConfigError(f"Config for resource '{key}': {exc}") from None
    except ValidationError as exc:
        how = "configured at launch" if partial else "run config"
        raise ConfigError(
            f"Config for resource '{key}' ({cls.__name__}, {how}) is invalid:\n"
            f"{format_validation_error(exc)}\nProvide it with resource_config={{'{key}': "
            "{'config': {...}}} (build_resources) or run_config={'resources': "
            f"{{'{key}': {{'config': {{...}}}}}}}} (materialize)."
        ) from None
