"""Safe text about resources and definitions, for tables and summaries.

Nothing here prints a secret: fields declared with ``Field(exclude=True)`` or typed ``SecretStr``
are masked, an ``EnvVar`` is shown as ``$NAME`` (never read), the config of a legacy
``@resource`` is shown by field name only, and a plain-value resource by its type only. A field
whose *name* looks secret (:func:`looks_secret`: ``password``, ``api_key``, ``token``, ...) is
masked too, as :data:`NAME_MASK`, and the displays add :data:`MASKED_BY_NAME_NOTE`.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from resnb.build.lineage import dependency_graph, resource_node
from resnb.build.scope import ResourceScope
from resnb.core.assets import AssetsDefinition
from resnb.core.config import Config, class_info
from resnb.core.definitions import Definitions
from resnb.core.env import is_env_ref
from resnb.core.legacy import ResourceDefinition
from resnb.core.resources import ConfigurableResourceFactory, PartialResource, ResourceParam
from resnb.errors import ResnbError, did_you_mean

__all__ = [
    "MASK",
    "MASKED_BY_NAME_NOTE",
    "NAME_MASK",
    "asset_name",
    "built_config_text",
    "config_text",
    "env_var_names",
    "find_problems",
    "joined",
    "looks_secret",
    "masked_by_name_note",
    "safe_value_text",
    "type_text",
    "usage",
]

MASK = "**********"
#: How a value is shown when only its field's name says it is secret (it is not declared secret).
NAME_MASK = "'********'"
#: The note displays add when they masked a value by its name.
MASKED_BY_NAME_NOTE = (
    f"{NAME_MASK}: masked by name (the field's name looks secret). Declare it SecretStr or read it "
    "from an EnvVar to say so in the code."
)
_MAX_VALUE = 60
_SECRET_PARTS = re.compile(r"password|passwd|secret|credential|api_?key|private_?key")
_SECRET_WORDS = frozenset({"token"})


def looks_secret(name: str, value: Any) -> bool:
    """True when field ``name`` holding ``value`` should be masked although it is not declared secret.

    Case-insensitive (``apiKey`` is ``api_key``): a name containing password, passwd, secret,
    credential(s), api_key/apikey or private_key, or with the word token (``access_token``,
    not ``max_tokens``), holding anything but None or a bool; or a name ending in ``_key`` that
    holds a string. An ``EnvVar`` is never masked: it is shown by name, not value.
    """
    if value is None or isinstance(value, bool) or is_env_ref(value):
        return False
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    if _SECRET_PARTS.search(words) or _SECRET_WORDS & set(words.split("_")):
        return True
    return words.endswith("_key") and isinstance(value, str)


def masked_by_name_note(*texts: str) -> str:
    """:data:`MASKED_BY_NAME_NOTE` when one of ``texts`` holds a value masked by name, else ``""``."""
    return MASKED_BY_NAME_NOTE if any(NAME_MASK in text for text in texts) else ""


def asset_name(definition: AssetsDefinition) -> str:
    """The asset key(s) of a definition: ``a`` or ``a, b`` for a multi-asset."""
    return ", ".join(key.to_user_string() for key in definition.keys)


def type_text(value: Any) -> str:
    """What kind of resource ``value`` is: ``Warehouse``, ``Warehouse (at launch)``, ``@resource db``."""
    if isinstance(value, PartialResource):
        return f"{value.resource_cls.__name__} (configured at launch)"
    if isinstance(value, ResourceDefinition):
        return f"@resource {value.name}"
    return type(value).__name__


def config_text(value: Any) -> str:
    """The configuration of a resource declaration, secrets masked: ``path='x', password=**********``."""
    if isinstance(value, ConfigurableResourceFactory):
        return _fields_text(type(value), value.__dict__)
    if isinstance(value, PartialResource):
        return _fields_text(value.resource_cls, value.data)
    if isinstance(value, ResourceDefinition):
        preset = value.preset_config
        if isinstance(preset, Mapping):
            return "configured: " + ", ".join(str(k) for k in preset)
        return ""
    return ""


def built_config_text(declared: Any, built: Any) -> str:
    """The config an open resource was built with (``built``, its effective declaration), masked.

    Fields whose value differs from ``declared`` are marked: ``port=5433 (built; declared 5432)``,
    or ``password=********** (built; changed)`` for a masked one.
    """
    pair = _class_and_values(declared), _class_and_values(built)
    if pair[0] is None or pair[1] is None or pair[0][0] is not pair[1][0]:
        return config_text(built)
    cls, before = pair[0]
    after = pair[1][1]
    old, new = _field_texts(cls, before), _field_texts(cls, after)
    parts = []
    for name in sorted(new):
        text = new[name]
        if name in before and _same(before[name], after[name]):
            parts.append(f"{name}={text}")
        elif text in (MASK, NAME_MASK) or old.get(name) in (MASK, NAME_MASK):
            parts.append(f"{name}={text} (built; changed)")
        else:
            parts.append(f"{name}={text} (built; declared {old.get(name, 'unset')})")
    return ", ".join(parts)


def _class_and_values(value: Any) -> tuple[type[Config], Mapping[str, Any]] | None:
    if isinstance(value, ConfigurableResourceFactory):
        return type(value), value.__dict__
    if isinstance(value, PartialResource):
        return value.resource_cls, value.data
    return None


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # an __eq__ that fails: not known to be the same
        return False


def _fields_text(cls: type[Config], values: Mapping[str, Any]) -> str:
    texts = _field_texts(cls, values)
    return ", ".join(f"{name}={texts[name]}" for name in sorted(texts))


def _field_texts(cls: type[Config], values: Mapping[str, Any]) -> dict[str, str]:
    """Field name -> its value as shown (masked, ``$NAME``, nested), for the fields in ``values``."""
    info = class_info(cls)
    texts = {}
    for name in info.field_names:
        if name not in values:
            continue
        value = values[name]
        if name in info.secret and not is_env_ref(value):
            texts[name] = MASK
        elif name in info.nested:
            texts[name] = _nested_text(value)
        elif name in info.nested_config and isinstance(value, Mapping):  # a partial's raw sub-config
            sub = _config_class(cls, name)
            shown = f"{sub.__name__}({_fields_text(sub, value)})" if sub else type(value).__name__
            texts[name] = _shorten(shown)
        elif looks_secret(name, value):
            texts[name] = NAME_MASK
        else:
            texts[name] = safe_value_text(value)
    return texts


def _config_class(cls: type[Config], name: str) -> type[Config] | None:
    annotation = cls.model_fields[name].annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Config):
            return candidate
    return None


def _nested_text(value: Any) -> str:
    if isinstance(value, ResourceParam):
        return f"-> {value.key}"
    if isinstance(value, ConfigurableResourceFactory):
        return f"{type(value).__name__}({config_text(value)})"
    return type_text(value)


def safe_value_text(value: Any) -> str:
    """One config value for display: ``$NAME`` for an env var, masked secrets, short reprs."""
    from pydantic import SecretBytes, SecretStr

    if is_env_ref(value):
        return f"${value.env_var_name}"
    if isinstance(value, (SecretStr, SecretBytes)):
        return MASK
    if isinstance(value, Config):
        return _shorten(f"{type(value).__name__}({_fields_text(type(value), value.__dict__)})")
    if isinstance(value, (list, tuple)):
        inner = ", ".join(safe_value_text(v) for v in value)
        return _shorten(f"[{inner}]" if isinstance(value, list) else f"({inner})")
    if isinstance(value, Mapping):
        items = [
            f"{k!r}: {NAME_MASK if looks_secret(str(k), v) else safe_value_text(v)}" for k, v in value.items()
        ]
        return _shorten("{" + ", ".join(items) + "}")
    if isinstance(value, (str, int, float, bool, type(None))):
        return _shorten(repr(value))
    return _shorten(_plain_text(value))


def _plain_text(value: Any) -> str:
    """Enum members, paths, dates and times as users write them; other objects by type name."""
    import datetime
    import enum
    import pathlib

    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return type(value).__name__


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def env_var_names(value: Any, depth: int = 0) -> list[str]:
    """Names of the environment variables a declaration reads (never their values)."""
    if depth > 8:
        return []
    if is_env_ref(value):
        return [value.env_var_name]
    if isinstance(value, Config):
        items: Any = [value.__dict__.get(n) for n in class_info(type(value)).field_names]
    elif isinstance(value, PartialResource):
        items = list(value.data.values())
    elif isinstance(value, ResourceDefinition):
        items = [value.preset_config]
    elif isinstance(value, Mapping):
        if len(value) == 1 and isinstance(value.get("env"), str):
            return [value["env"]]
        items = list(value.values())
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return []
    names = [name for item in items for name in env_var_names(item, depth + 1)]
    return sorted(set(names))


def usage(defs: Definitions) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """For each resource key: the resources it depends on, and the assets/ops that use it."""
    graph = dependency_graph(defs)
    depends: dict[str, list[str]] = {}
    used_by: dict[str, list[str]] = {}
    for name in graph:
        if graph.kind_of(name) != "resource":
            continue
        key = name[len(resource_node("")) :]
        depends[key] = [
            up[len(resource_node("")) :] for up in graph.upstream_of(name) if graph.kind_of(up) == "resource"
        ]
        used_by[key] = [down for down in graph.downstream_of(name) if graph.kind_of(down) != "resource"]
    return depends, used_by


def find_problems(defs: Definitions, resources: Mapping[str, Any]) -> list[str]:
    """What would stop something from running: missing resources, bad references, broken jobs."""
    problems: list[str] = []
    provided = set(resources) | {"io_manager"}
    produced = {key for definition in defs.assets for key in definition.keys}
    for definition in defs.assets:
        problems.extend(_asset_problems(definition, provided, produced))
    scope = ResourceScope(resources)
    for key in resources:
        try:
            scope.init_order([key])
        except ResnbError as exc:
            problems.append(str(exc))
    for job in defs.jobs:
        try:
            defs.resolve_job_def(job.name)
        except ResnbError as exc:
            problems.append(f"Job '{job.name}': {exc}")
    return list(dict.fromkeys(problems))


def _asset_problems(definition: AssetsDefinition, provided: set[str], produced: set[Any]) -> list[str]:
    name = asset_name(definition)
    found = []
    for key in sorted(definition.required_resource_keys - provided):
        found.append(
            f"Asset '{name}' needs resource '{key}', which is not provided.{did_you_mean(key, provided)} "
            f"Add it to the Definitions' resources (or bind it with with_resources)."
        )
    for param, key in definition.input_keys.items():
        if key not in produced:
            found.append(
                f"Asset '{name}' reads asset '{key.to_user_string()}' (parameter '{param}'), which no "
                "asset here produces; it must already be stored where its IO manager can load it."
            )
    return found


def joined(items: Sequence[str]) -> str:
    """``a, b`` or ``-``."""
    return ", ".join(items) if items else "-"
