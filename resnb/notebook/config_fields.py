"""The configurable fields of a resource definition, as :class:`ConfigField` trees.

:func:`fields_of` inspects a ``ConfigurableResource`` (instance or class), a ``PartialResource``
or an ``@resource`` definition; :func:`not_configurable_reason` says why one takes no config.
A field's current value is kept out of every repr: it may be a secret.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from resnb.build.scope import definition_label
from resnb.core.config import Config, class_info, is_nested_resource_field
from resnb.core.env import contains_env_ref, is_env_ref
from resnb.core.legacy import ResourceDefinition
from resnb.core.legacy_config import Field as LegacyField
from resnb.core.resources import ConfigurableResourceFactory, PartialResource, ResourceParam
from resnb.notebook.config_types import kind_and_choices, nested_model, strip_optional, type_label
from resnb.notebook.describe import looks_secret

__all__ = [
    "MISSING",
    "ConfigField",
    "ConfigTarget",
    "config_target",
    "definition_label",
    "fields_of",
    "not_configurable_reason",
    "values_of",
]


class _Missing:
    """The current value of a required field that has none yet."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(eq=False)
class ConfigField:
    """A configurable field of a resource (or of a nested ``Config`` inside one).

    ``kind`` is one of ``str int float bool choice secret text config resource``: ``text`` is
    anything typed as text or JSON (lists, dicts, unions), ``config`` a nested model whose
    ``fields`` are editable one by one, ``resource`` a nested resource (not editable; ``uses``
    says which). ``current`` is the definition's value (:data:`MISSING` when required and unset);
    it is left out of the repr because it may be a secret.
    """

    name: str
    path: str
    annotation: Any
    kind: str
    label: str
    required: bool
    optional: bool = False
    secret: bool = False
    env_var: str | None = None
    description: str | None = None
    choices: tuple[Any, ...] = ()
    uses: str | None = None
    fields: dict[str, ConfigField] = field(default_factory=dict)
    metadata: tuple[Any, ...] = field(default=(), repr=False)
    current: Any = field(default=MISSING, repr=False)
    _adapter: Any = field(default=None, init=False, repr=False)

    @property
    def editable(self) -> bool:
        """False for nested resources: they are configured under their own key, or in code."""
        return self.kind != "resource"

    @property
    def resource_key(self) -> str | None:
        """The top-level resource key a nested resource field uses, or None (inline, or not a resource)."""
        if self.kind == "resource" and self.uses and self.uses.startswith("resource "):
            return self.uses.removeprefix("resource ")
        return None

    @property
    def masked_by_name(self) -> bool:
        """True when only the field's name says it is secret (``password: str`` given a literal).

        See :func:`~resnb.notebook.describe.looks_secret`; declared secrets and env vars are not.
        """
        if self.secret or self.env_var is not None or self.kind in ("config", "resource"):
            return False
        return looks_secret(self.name, "" if self.current is MISSING else self.current)

    @property
    def sensitive(self) -> bool:
        """True when the value must never be shown (a secret, read from an env var, or masked by name)."""
        return (
            self.secret or self.env_var is not None or contains_env_ref(self.current) or self.masked_by_name
        )

    @property
    def model(self) -> type[BaseModel] | None:
        """The nested model of a ``config`` field."""
        return nested_model(self.annotation) if self.kind == "config" else None

    def adapter(self) -> Any:
        """A pydantic ``TypeAdapter`` for this field's type and constraints (built once)."""
        if self._adapter is None:
            from pydantic import TypeAdapter

            hint = typing.Annotated[(self.annotation, *self.metadata)] if self.metadata else self.annotation
            self._adapter = TypeAdapter(hint)
        return self._adapter


def values_of(value: Any) -> dict[str, Any]:
    """The field values set on a model instance, or a mapping's items (``{}`` for anything else)."""
    if isinstance(value, BaseModel):
        return {name: value.__dict__[name] for name in type(value).model_fields if name in value.__dict__}
    if isinstance(value, Mapping):
        return dict(value)
    return {}


# -- building the field tree ------------------------------------------------------------------------
def _default(finfo: Any) -> Any:
    if finfo.is_required():
        return None if strip_optional(finfo.annotation)[1] else MISSING
    return finfo.get_default(call_default_factory=True)


def _uses(value: Any, shared: Mapping[str, Any]) -> str:
    """``resource KEY`` for a top-level resource (by reference or the same object), else what it is."""
    if isinstance(value, ResourceParam):
        return f"resource {value.key}"
    key = next((k for k, v in shared.items() if v is value), None)
    if key is not None:
        return f"resource {key}"
    if isinstance(value, PartialResource):
        return definition_label(value)
    if isinstance(value, ResourceDefinition):
        return f"inline {definition_label(value)}"
    if value is MISSING:
        return "a resource (not set)"
    return f"inline {type(value).__name__}"


def _model_fields(
    model: type[BaseModel],
    values: Mapping[str, Any],
    prefix: str,
    shared: Mapping[str, Any],
    descriptions: Mapping[str, Any],
) -> dict[str, ConfigField]:
    nested = class_info(model).nested if issubclass(model, Config) else ()
    fields: dict[str, ConfigField] = {}
    for name, finfo in model.model_fields.items():
        current = values.get(name, MISSING)
        if current is MISSING:
            current = _default(finfo)
        path = f"{prefix}{name}"
        fields[name] = _make_field(name, path, finfo, current, name in nested, shared, descriptions.get(name))
    return fields


def _common_attributes(name: str, path: str, finfo: Any, current: Any, legacy: Any) -> dict[str, Any]:
    """The ``ConfigField`` attributes every kind of field has."""
    annotation = finfo.annotation
    description = finfo.description or (legacy.description if isinstance(legacy, LegacyField) else None)
    return dict(
        name=name,
        path=path,
        annotation=annotation,
        label=type_label(annotation),
        required=current is MISSING,
        optional=strip_optional(annotation)[1],
        description=description,
        metadata=tuple(finfo.metadata),
        current=current,
    )


def _sub_fields(
    annotation: Any, path: str, current: Any, shared: Mapping[str, Any], legacy: Any
) -> dict[str, ConfigField]:
    """The fields of a nested ``Config`` field (with descriptions from a legacy ``Field`` dict)."""
    sub_model = nested_model(annotation)
    assert sub_model is not None
    sub_legacy = legacy.config_type if isinstance(legacy, LegacyField) else legacy
    descriptions = sub_legacy if isinstance(sub_legacy, dict) else {}
    return _model_fields(sub_model, values_of(current), f"{path}.", shared, descriptions)


def _make_field(
    name: str,
    path: str,
    finfo: Any,
    current: Any,
    is_resource: bool,
    shared: Mapping[str, Any],
    legacy: Any,
) -> ConfigField:
    common = _common_attributes(name, path, finfo, current, legacy)
    if is_resource or is_nested_resource_field(finfo):
        return ConfigField(kind="resource", uses=_uses(current, shared), **common)
    kind, choices = kind_and_choices(finfo.annotation, finfo.exclude is True)
    sub_fields = _sub_fields(finfo.annotation, path, current, shared, legacy) if kind == "config" else {}
    env_var = current.env_var_name if is_env_ref(current) else None
    return ConfigField(
        kind=kind, choices=choices, fields=sub_fields, env_var=env_var, secret=kind == "secret", **common
    )


# -- what config applies to -------------------------------------------------------------------------
@dataclass
class ConfigTarget:
    """What config applies to: the model, the current values, and the nested resources kept."""

    model: type[BaseModel]
    current: dict[str, Any]
    resources: dict[str, Any]
    complete_output: bool  # resources: send every field (run config replaces); legacy: given ones
    descriptions: Mapping[str, Any]


def config_target(definition: Any) -> ConfigTarget | None:
    """The :class:`ConfigTarget` of a definition, or None when it takes no field-by-field config.

    Besides resources, a plain config model class (an asset's ``Config``) is a target: only
    the fields given are sent, its defaults fill in the rest.
    """
    if isinstance(definition, type) and issubclass(definition, ConfigurableResourceFactory):
        return ConfigTarget(definition, {}, {}, True, {})
    if isinstance(definition, type) and issubclass(definition, BaseModel):
        return ConfigTarget(definition, {}, {}, False, {})
    if isinstance(definition, (ConfigurableResourceFactory, PartialResource)):
        cls = definition.resource_cls if isinstance(definition, PartialResource) else type(definition)
        values = definition.data if isinstance(definition, PartialResource) else values_of(definition)
        nested = class_info(cls).nested
        current = {k: v for k, v in values.items() if k not in nested}
        return ConfigTarget(cls, current, {k: v for k, v in values.items() if k in nested}, True, {})
    if isinstance(definition, ResourceDefinition) and not_configurable_reason(definition) is None:
        schema = definition.config_schema
        assert schema is not None and schema.model is not None
        descriptions = schema.source if isinstance(schema.source, dict) else {}
        return ConfigTarget(schema.model, {}, {}, False, descriptions)
    return None


def not_configurable_reason(definition: Any) -> str | None:
    """Why ``definition`` takes no field-by-field config, or None when it does."""
    if isinstance(definition, type) and issubclass(definition, BaseModel):
        return None
    if isinstance(definition, (ConfigurableResourceFactory, PartialResource)):
        return None
    if not isinstance(definition, ResourceDefinition):
        return f"it is a plain value ({type(definition).__name__}), not a configurable resource"
    if "process_config" in definition.__dict__ or definition.preset_config is not _no_config():
        return "its config was fixed with .configured(...); change it there"
    schema = definition.config_schema
    if schema is None:
        return "its @resource declares no config_schema"
    if schema.model is None:
        return (
            f"its config_schema ({type_label(schema.source)}) is a single value, not a dict of fields; "
            "pass it in Python with resource_config={key: {'config': value}}"
        )
    return None


def _no_config() -> Any:
    from resnb.core import legacy

    return legacy._NO_CONFIG


def fields_of(definition: Any, *, shared: Mapping[str, Any] | None = None) -> dict[str, ConfigField]:
    """The configurable fields of a resource definition, by name (``{}`` when it has none).

    Accepts a ``ConfigurableResource`` instance or class, a ``PartialResource``
    (``configure_at_launch()``), an ``@resource`` ``ResourceDefinition`` whose ``config_schema``
    is a dict (of Python types or ``resnb.Field``) or a ``Config`` class, or a config model class. Nested ``Config`` fields
    carry their own ``fields``; nested resources are reported with ``kind == "resource"``.
    ``shared`` (the other top-level resources) lets a nested ``configure_at_launch()`` resource
    be reported as the key it is shared under.
    """
    target = config_target(definition)
    if target is None:
        return {}
    values = {**target.current, **target.resources}
    return _model_fields(target.model, values, "", shared or {}, target.descriptions)
