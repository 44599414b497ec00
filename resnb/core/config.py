"""``Config``: the frozen pydantic base of run config and resource classes.

Stricter than Dagster where Dagster is silent (DESIGN.md section 2): an unknown keyword argument
is an error naming the closest field, public fields cannot be assigned, and secrets
(``Field(exclude=True)``, ``SecretStr``, values read from an ``EnvVar``) never appear in a repr or
in a validation error.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from resnb.core.env import is_env_ref
from resnb.core.env_hints import env_var_hints, hint_for
from resnb.errors import DefinitionError, FrozenFieldError, UnknownFieldError, did_you_mean

__all__ = ["Config", "MASK", "class_info", "format_validation_error", "is_nested_resource_field"]


class _Masked:
    """Stands in for a secret in reprs: prints as ``'**********'``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'**********'"


MASK = _Masked()
_MASK_TEXT = "**********"
_MASKED_KEY = "_resnb_masked"  # instance __dict__ entry: {field: EnvVar name or None}


class ClassInfo(typing.NamedTuple):
    """What resnb needs to know about a Config class, computed once per class."""

    field_names: frozenset[str]
    accepted_names: frozenset[str]
    none_default: tuple[str, ...]
    secret: frozenset[str]
    nested: tuple[str, ...]
    nested_config: tuple[str, ...]
    legacy_field_defaults: tuple[str, ...]


def _admits_none(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return type(None) in typing.get_args(annotation)
    return annotation is None or annotation is type(None) or annotation is Any


def _is_secret_type(annotation: Any) -> bool:
    from pydantic import SecretBytes, SecretStr

    if annotation in (SecretStr, SecretBytes):
        return True
    return any(arg in (SecretStr, SecretBytes) for arg in typing.get_args(annotation))


def _is_config_class(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Config)


def is_nested_resource_field(field: Any) -> bool:
    """True when a pydantic field holds a nested resource (resource class or ResourceDependency)."""
    from resnb.core.resources import RESOURCE_DEPENDENCY, ConfigurableResourceFactory

    annotation = field.annotation
    if RESOURCE_DEPENDENCY in field.metadata:
        return True
    candidates = (annotation, *typing.get_args(annotation))
    return any(isinstance(c, type) and issubclass(c, ConfigurableResourceFactory) for c in candidates)


def class_info(cls: type[Config]) -> ClassInfo:
    """The cached :class:`ClassInfo` of ``cls``."""
    info = cls.__dict__.get("__resnb_info__")
    if info is None:
        info = _compute_class_info(cls)
        type.__setattr__(cls, "__resnb_info__", info)
    return info


def _compute_class_info(cls: type[Config]) -> ClassInfo:
    from resnb.core.legacy_config import Field as LegacyField

    fields = cls.model_fields
    aliases = {f.alias for f in fields.values() if f.alias}
    nested = tuple(name for name, f in fields.items() if is_nested_resource_field(f))
    return ClassInfo(
        field_names=frozenset(fields),
        accepted_names=frozenset(fields) | aliases,
        none_default=tuple(
            name for name, f in fields.items() if f.is_required() and _admits_none(f.annotation)
        ),
        secret=frozenset(
            name for name, f in fields.items() if f.exclude is True or _is_secret_type(f.annotation)
        ),
        nested=nested,
        nested_config=tuple(
            name
            for name, f in fields.items()
            if name not in nested and any(_is_config_class(a) for a in _candidates(f.annotation))
        ),
        legacy_field_defaults=tuple(name for name, f in fields.items() if isinstance(f.default, LegacyField)),
    )


def _candidates(annotation: Any) -> tuple[Any, ...]:
    return (annotation, *typing.get_args(annotation))


def _kind(cls: type) -> str:
    from resnb.core.resources import ConfigurableResourceFactory

    return "resource" if issubclass(cls, ConfigurableResourceFactory) else "config"


def _check_names(cls: type[Config], info: ClassInfo, data: dict[str, Any]) -> None:
    unknown = [name for name in data if name not in info.accepted_names]
    if not unknown:
        return
    name = unknown[0]
    fields = ", ".join(sorted(info.field_names)) or "(none)"
    raise UnknownFieldError(
        f"{cls.__name__} has no field '{name}'.{did_you_mean(name, info.field_names)} "
        f"Its fields are: {fields}."
    )


def _restore_env_refs(obj: BaseModel, data: dict[str, Any]) -> None:
    """Put EnvVar objects back where pydantic turned them into plain str/int."""
    for name, given in data.items():
        if is_env_ref(given):
            obj.__dict__[name] = given
        elif isinstance(given, (list, tuple)) and any(is_env_ref(v) for v in given):
            validated = obj.__dict__[name]
            obj.__dict__[name] = type(validated)(g if is_env_ref(g) else v for g, v in zip(given, validated))
        elif isinstance(given, dict) and any(is_env_ref(v) for v in given.values()):
            validated = obj.__dict__[name]
            if not isinstance(validated, dict):
                continue  # a nested Config given as a dict restored its own EnvVars
            obj.__dict__[name] = {k: given[k] if is_env_ref(given[k]) else v for k, v in validated.items()}


def mask_input(cls: type[Config], value: Any) -> Any:
    """A copy of raw input ``value`` for ``cls`` with its secret entries masked."""
    if not isinstance(value, dict):
        return value
    info = class_info(cls)
    masked = {}
    for key, item in value.items():
        if key in info.secret:
            masked[key] = _MASK_TEXT
        elif key in info.nested_config and isinstance(item, dict):
            annotation = cls.model_fields[key].annotation
            sub = next((a for a in _candidates(annotation) if _is_config_class(a)), None)
            masked[key] = mask_input(sub, item) if sub else item
        else:
            masked[key] = item
    return masked


_MASKED_TYPES: dict[str, type] = {}


def _masked_like(value: Any) -> Any:
    """A stand-in for a secret input: shown as ``'**********'``, its type name kept for the message."""
    name = type(value).__name__
    cls = _MASKED_TYPES.get(name)
    if cls is None:
        cls = _MASKED_TYPES[name] = type(
            name, (), {"__repr__": lambda self: repr(_MASK_TEXT), "__slots__": ()}
        )
    return cls()


def _rebuilt_validation_error(
    cls: type[Config], exc: ValidationError, data: Any, hints: dict[tuple[Any, ...], str]
) -> ValidationError:
    """``exc`` with secret inputs masked and ``hints`` appended to their fields' messages (once each)."""
    info = class_info(cls)
    line_errors = []
    hinted: set[str] = set()
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        given = err.get("input")
        if loc and loc[0] in info.secret and not (given is data or err["type"] == "missing"):
            given = _masked_like(given)
        elif given is data or isinstance(given, dict):
            given = mask_input(cls, given)
        hint = hint_for(hints, loc)
        if hint in hinted:  # a union reports one error per member: say it once
            hint = None
        elif hint:
            hinted.add(hint)
        line_errors.append(_line_error(err, loc, given, hint))
    return ValidationError.from_exception_data(exc.title, line_errors)


def _line_error(err: dict[str, Any], loc: tuple[Any, ...], given: Any, hint: str | None) -> dict[str, Any]:
    """A line error for ``ValidationError.from_exception_data``; ``hint`` appended to the message."""
    line: dict[str, Any] = {"type": err["type"], "loc": loc, "input": given}
    if err.get("ctx"):
        line["ctx"] = err["ctx"]
    if hint is None and _rebuildable(line):
        return line
    message = f"{err['msg']}. {hint}" if hint else err["msg"]
    custom = PydanticCustomError(err["type"], message.replace("{", "{{").replace("}", "}}"))
    return {"type": custom, "loc": loc, "input": given}


def _rebuildable(line: dict[str, Any]) -> bool:
    """Whether pydantic can rebuild ``line`` from its error type (some types need more context)."""
    try:
        ValidationError.from_exception_data("check", [line])
    except (KeyError, TypeError, ValueError):
        return False
    return True


def format_validation_error(exc: ValidationError, prefix: str = "") -> str:
    """One line per problem, ``field.path: message``, without the input values (secrets)."""
    lines = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in err["loc"])
        where = f"{prefix}.{path}" if prefix and path else (prefix or path or "(root)")
        lines.append(f"  field '{where}': {err['msg']}")
    return "\n".join(lines)


class Config(BaseModel):
    """Base class for run config and resources: a frozen pydantic model, keyword-only.

    Fields are declared with type hints, defaults and ``pydantic.Field(description=...)``. The
    class docstring is the description shown by tools. Unknown keyword arguments are an error
    naming the closest field; public fields cannot be assigned after construction.
    """

    model_config = ConfigDict(
        frozen=True,
        arbitrary_types_allowed=True,
        ignored_types=(functools.cached_property,),
        defer_build=True,  # resnb's own bases are built on first use: keeps `import resnb` fast
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if not _is_resnb_base(cls):
            cls.model_rebuild(raise_errors=False)  # user classes are checked at definition

    @model_validator(mode="wrap")
    @classmethod
    def _resnb_validate(cls, data: Any, handler: Any) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        info = class_info(cls)
        _check_names(cls, info, data)
        if info.legacy_field_defaults:
            _reject_legacy_field(cls, info)
        if info.none_default:
            data = {**{name: None for name in info.none_default}, **data}
        try:
            obj = handler(data)
        except ValidationError as exc:
            hints = env_var_hints(cls.model_fields, data)
            if not info.secret and not hints:
                raise
            raise _rebuilt_validation_error(cls, exc, data, hints) from None
        _restore_env_refs(obj, data)
        return obj

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            super().__setattr__(name, value)
            return
        raise FrozenFieldError(_frozen_message(type(self), name))

    def __delattr__(self, name: str) -> None:
        if name.startswith("_"):
            super().__delattr__(name)
            return
        raise FrozenFieldError(_frozen_message(type(self), name))

    def __repr_args__(self) -> Any:
        info = class_info(type(self))
        masked = self.__dict__.get(_MASKED_KEY) or {}
        for name, value in super().__repr_args__():
            if name in masked:
                env_name = masked[name]
                yield name, _EnvShown(env_name) if env_name else MASK
            elif name in info.secret and not _self_masking(value):
                yield name, MASK
            else:
                yield name, value

    @classmethod
    def to_config_schema(cls) -> type[Config]:
        """The config schema for a legacy ``@resource(config_schema=...)``: the class itself."""
        return cls


def _self_masking(value: Any) -> bool:
    from pydantic import SecretBytes, SecretStr

    return isinstance(value, (SecretStr, SecretBytes))


_RESNB_BASES = frozenset(
    {
        "Config",
        "ConfigurableResourceFactory",
        "ConfigurableResource",
        "ConfigurableIOManagerFactory",
        "ConfigurableIOManager",
    }
)


def _is_resnb_base(cls: type) -> bool:
    return cls.__module__.startswith("resnb.core.") and cls.__qualname__ in _RESNB_BASES


class _EnvShown:
    """Stands in for a value read from an env var: prints as ``EnvVar('NAME')``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"EnvVar({self.name!r})"


def _frozen_message(cls: type, name: str) -> str:
    kind = _kind(cls)
    return (
        f"Cannot set '{name}' on {cls.__name__}: {kind} objects are frozen. Pass the value when "
        f"constructing it ({cls.__name__}({name}=...)) or make a changed copy with "
        f".model_copy(update={{'{name}': ...}}); keep per-run state in an underscore attribute "
        f"such as self._{name}."
    )


def _reject_legacy_field(cls: type, info: ClassInfo) -> None:
    name = info.legacy_field_defaults[0]
    raise DefinitionError(
        f"{cls.__name__}.{name} uses resnb.Field (the legacy config-schema Field) as its default. "
        "Inside a Config or resource class use pydantic.Field: `from pydantic import Field`."
    )


def set_masked(obj: BaseModel, masked: dict[str, str | None]) -> None:
    """Record on a resolved copy which fields came from env vars (shown by name only)."""
    if masked:
        obj.__dict__[_MASKED_KEY] = {**(obj.__dict__.get(_MASKED_KEY) or {}), **masked}
