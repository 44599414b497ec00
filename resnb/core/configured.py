"""``@configured``: a resource or op with its config given, or computed from a smaller config.

The legacy way to pre-configure a definition (Dagster's ``dagster.configured``)::

    @resource(config_schema={"url": str, "port": int})
    def database(init_context): ...

    @configured(database, config_schema={"host": str})
    def local_database(config):
        return {"url": f"http://{config['host']}", "port": 5432}

``local_database`` is a new :class:`ResourceDefinition` whose run config is ``{"host": ...}``;
the function maps it to ``database``'s config when the resource is initialised (never when it
is unused). Targets: a :class:`ResourceDefinition`, a ``ConfigurableResource`` *class* (the
result is a ResourceDefinition whose value is an instance built from the mapped config) and an
:class:`OpDefinition` (a new op named after the function). ``configured(target)(config_dict)``
fixes the config instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from resnb.core.context import InitResourceContext
from resnb.core.legacy import ResourceDefinition
from resnb.core.legacy_config import ConfigSchema, call_config_fn
from resnb.errors import DefinitionError

__all__ = ["ConfigMapping", "configured"]


class ConfigMapping:
    """Turns the run config of a configured op into the config its own schema checks.

    ``config_or_fn`` is a fixed config (run config is then ignored, as in Dagster) or a function
    of the outer config, which ``config_schema`` (if given) validates first. ``then`` is the
    mapping of the op that was configured, when it was itself a configured op.
    """

    __slots__ = ("fn", "outer", "preset", "then")

    def __init__(
        self, config_or_fn: Any, config_schema: Any = None, then: ConfigMapping | None = None
    ) -> None:
        self.fn: Callable[[Any], Any] | None = config_or_fn if callable(config_or_fn) else None
        self.preset = None if self.fn is not None else config_or_fn
        self.outer = ConfigSchema(config_schema) if config_schema is not None else None
        self.then = then

    def apply(self, raw: Any, where: str) -> Any:
        """The inner config for run config ``raw``; the function's errors name ``where``."""
        if self.fn is None:
            inner = self.preset
        else:
            outer = self.outer.process(raw, where) if self.outer is not None else raw
            inner = call_config_fn(self.fn, outer, where)
        return self.then.apply(inner, where) if self.then is not None else inner


def configured(configurable: Any, config_schema: Any = None, **kwargs: Any) -> Callable[[Any], Any]:
    """Decorator: ``configurable`` with its config given by the decorated function (or a dict).

    ``config_schema`` describes the new, outer config the function receives. For ops the new op
    is named after the function, or ``name=``.
    """
    from resnb.core.ops import OpDefinition
    from resnb.core.resources import ConfigurableResourceFactory

    if isinstance(configurable, type) and issubclass(configurable, ConfigurableResourceFactory):
        configurable = _resource_definition_of(configurable)
    if not isinstance(configurable, (ResourceDefinition, OpDefinition)):
        raise DefinitionError(_unsupported_target(configurable))

    def decorate(config_or_fn: Any) -> Any:
        name = kwargs.get("name") or (
            getattr(config_or_fn, "__name__", None) if callable(config_or_fn) else None
        )
        description = kwargs.get("description")
        if isinstance(configurable, OpDefinition):
            if name is None:
                raise DefinitionError(
                    f"configured(op '{configurable.name}') was given a config dict, so the new op "
                    "needs a name: configured(op, name='new_name')({...})."
                )
            return configurable.configured(config_or_fn, name, config_schema, description)
        return configurable.configured(config_or_fn, config_schema, description=description, name=name)

    return decorate


def _resource_definition_of(cls: type[Any]) -> ResourceDefinition:
    """A ResourceDefinition whose config is ``cls``'s fields and whose value is a ``cls`` instance."""

    @contextmanager
    def build(context: InitResourceContext) -> Iterator[Any]:
        with cls.from_resource_context_cm(context) as value:
            yield value

    build.__name__ = cls.__name__
    return ResourceDefinition(build, config_schema=cls, description=cls.__doc__)


def _unsupported_target(value: Any) -> str:
    from resnb.core.graphs import GraphDefinition
    from resnb.core.resources import ConfigurableResourceFactory

    if isinstance(value, GraphDefinition):
        return (
            f"configured() cannot pre-configure graph '{value.name}': resnb graphs have no config "
            "mapping. Configure the ops inside it instead (configured(op, ...) or run config)."
        )
    hint = ""
    if isinstance(value, ConfigurableResourceFactory):
        cls = type(value).__name__
        hint = (
            f" That is an instance of {cls}: pass the class (configured({cls}, ...)), or simply "
            f"construct the instance with the config you want ({cls}(...))."
        )
    return (
        f"configured() takes a ResourceDefinition (@resource), a ConfigurableResource class or an "
        f"OpDefinition (@op); got {type(value).__name__}.{hint}"
    )
