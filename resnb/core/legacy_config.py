"""Config schemas of the legacy API: ``@resource(config_schema=...)`` and :class:`Field`.

A schema is one of: ``None`` (no config), a Python type (``str``, ``int``, ``list[str]``, ...),
a one-item list (``[str]``), a dict of names to types or :class:`Field`, or a :class:`Config`
class. All of them are checked by pydantic.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from resnb.core.env import EnvVar, is_env_ref, unset_env_var_error
from resnb.errors import ConfigError, DefinitionError, UserCodeExecutionError, exception_summary

if TYPE_CHECKING:
    from pydantic import BaseModel, TypeAdapter

__all__ = [
    "ConfigSchema",
    "Field",
    "call_config_fn",
    "resolve_env_form",
    "resolve_env_values",
    "unset_env_refs",
]

_REQUIRED = object()


class Field:
    """A field of a legacy config schema: ``Field(int, default_value=3, description=...)``.

    For ``@resource(config_schema={"port": Field(int, default_value=5432)})``. Inside ``Config``
    and resource classes use ``pydantic.Field`` instead.
    """

    __slots__ = ("config_type", "default_value", "is_required", "description")

    def __init__(
        self,
        config: Any,
        default_value: Any = _REQUIRED,
        is_required: bool | None = None,
        description: str | None = None,
    ) -> None:
        self.config_type = config
        self.default_value = default_value
        self.is_required = default_value is _REQUIRED if is_required is None else is_required
        self.description = description

    def __repr__(self) -> str:
        return f"Field({getattr(self.config_type, '__name__', self.config_type)!r})"


def _python_type(spec: Any) -> Any:
    if isinstance(spec, list) and len(spec) == 1:
        return list[_python_type(spec[0])]  # type: ignore[misc]
    if isinstance(spec, dict):
        return _model_for(spec, "Shape")
    return spec


def _model_for(fields: dict[str, Any], name: str) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for key, spec in fields.items():
        if isinstance(spec, Field):
            default = (
                ... if spec.is_required else (None if spec.default_value is _REQUIRED else spec.default_value)
            )
            definitions[key] = (_python_type(spec.config_type), default)
        else:
            definitions[key] = (_python_type(spec), ...)
    from pydantic import ConfigDict, create_model

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    model = create_model(name, __config__=model_config, **definitions)
    model.__resnb_omit_unset__ = tuple(  # type: ignore[attr-defined]
        key
        for key, spec in fields.items()
        if isinstance(spec, Field) and not spec.is_required and spec.default_value is _REQUIRED
    )
    return model


def resolve_env_form(value: Any) -> Any:
    """Turn run-config ``{"env": "NAME"}`` entries into :class:`EnvVar` references, recursively."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("env"), str):
            return EnvVar(value["env"])
        return {k: resolve_env_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env_form(v) for v in value]
    return value


def resolve_env_values(value: Any, where: str) -> Any:
    """Replace every :class:`EnvVar` in plain data (dicts, lists) with its current value.

    Every unset variable is reported in one :class:`EnvVarError`.
    """
    missing = unset_env_refs(value, where)
    if missing:
        raise unset_env_var_error(missing)
    return _resolved(value, where)


def _resolved(value: Any, where: str) -> Any:
    if is_env_ref(value):
        return value.resolve(where)
    if isinstance(value, dict):
        return {k: _resolved(v, f"{where}, entry '{k}'") for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, where) for v in value]
    return value


def unset_env_refs(value: Any, where: str) -> list[tuple[str, str]]:
    """(variable name, what reads it) for every :class:`EnvVar` in plain data whose variable is unset."""
    if is_env_ref(value):
        return [] if value.env_var_name in os.environ else [(value.env_var_name, where)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in unset_env_refs(v, f"{where}, entry '{k}'")]
    if isinstance(value, list):
        return [pair for v in value for pair in unset_env_refs(v, where)]
    return []


class ConfigSchema:
    """A normalised legacy config schema; :meth:`process` validates and applies defaults."""

    __slots__ = ("model", "adapter", "source")

    def __init__(self, source: Any) -> None:
        from resnb.core.config import Config

        self.source = source
        self.model: type[BaseModel] | None = None
        self.adapter: TypeAdapter[Any] | None = None
        if isinstance(source, type) and issubclass(source, Config):
            self.model = source
        elif isinstance(source, dict):
            self.model = _model_for(source, "ResourceConfig")
        else:
            from pydantic import TypeAdapter

            try:
                self.adapter = TypeAdapter(_python_type(source))
            except Exception as exc:  # pydantic raises several kinds for unusable types
                raise DefinitionError(
                    f"config_schema {source!r} is not supported: use a Python type, a dict of "
                    "names to types or resnb.Field, or a Config class."
                ) from exc

    def process(self, raw: Any, where: str) -> Any:
        """Validate ``raw`` (env references resolved) and return the processed config."""
        value = resolve_env_values(resolve_env_form(raw), where)
        try:
            if self.model is not None:
                validated = self.model.model_validate({} if value is None else value)
                dumped = validated.model_dump()
                for name, field in self.model.model_fields.items():
                    if field.exclude is True:  # Field(exclude=True) only hides it from dumps
                        dumped[name] = getattr(validated, name)
                for name in getattr(self.model, "__resnb_omit_unset__", ()):
                    if name not in validated.model_fields_set:
                        dumped.pop(name, None)  # optional, no default, not given: left out
                return dumped
            assert self.adapter is not None
            return self.adapter.validate_python(value)
        except ValidationError as exc:
            from resnb.core.config import format_validation_error

            raise ConfigError(
                f"Invalid config for {where}:\n{format_validation_error(exc)}\n"
                "Fix the values passed as config (resource_config= / run_config=) or in "
                ".configured(...)."
            ) from None

    def has_required_fields(self) -> bool:
        """True when processing ``None`` would fail (some field has no default)."""
        if self.model is not None:
            return any(f.is_required() for f in self.model.model_fields.values())
        return True


def call_config_fn(fn: Callable[[Any], Any], config: Any, where: str) -> Any:
    """``fn(config)``; an exception becomes :class:`UserCodeExecutionError` chained to it."""
    try:
        return fn(config)
    except Exception as exc:
        name = getattr(fn, "__name__", repr(fn))
        raise UserCodeExecutionError(
            f"The config function '{name}' of the configured {where} raised {exception_summary(exc)}. "
            "It maps the run config to the config of the definition it configures; fix it or "
            "the run config it was given (see the exception above)."
        ) from exc
