"""Pythonic resources: ``ConfigurableResource`` and friends.

A resource object is a frozen declaration. Building it (``build_resources``, ``materialize``)
makes a per-run copy with env vars resolved and nested resources initialised, runs its lifecycle
hooks on that copy, and hands the copy (or what ``create_resource`` returns) to user code.
"""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic_core import core_schema

from resnb.core.config import Config, class_info
from resnb.errors import InvariantViolationError, ResourceFunctionError, UnknownFieldError, did_you_mean

if TYPE_CHECKING:
    from resnb.core.context import InitResourceContext

__all__ = [
    "ConfigurableResource",
    "ConfigurableResourceFactory",
    "IAttachDifferentObjectToOpContext",
    "PartialResource",
    "RESOURCE_DEPENDENCY",
    "RESOURCE_PARAM",
    "ResourceDependency",
    "ResourceParam",
    "is_resource_reference",
]

T = TypeVar("T")

#: The ``Annotated`` marker of ``ResourceParam[T]`` (the same string Dagster uses).
RESOURCE_PARAM = "resource_param"


class _ResourceDependencyMarker:
    """``Annotated`` marker of ``ResourceDependency[T]``: the field accepts any resource value."""

    __slots__ = ()

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return core_schema.any_schema()

    def __repr__(self) -> str:
        return "resource_dependency"


RESOURCE_DEPENDENCY = _ResourceDependencyMarker()


class ResourceParam:
    """Mark a parameter as a resource, or refer to a top-level resource by key.

    ``def asset(url: ResourceParam[str])`` makes ``url`` a resource parameter keyed by its name.
    ``Outer(inner=ResourceParam("inner_key"))`` (a resnb extension used by the docs) makes the
    field the resource built under ``inner_key``: it is initialised once, as its own key, and
    shared.
    """

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        if not isinstance(key, str) or not key.isidentifier():
            raise TypeError(
                f"ResourceParam({key!r}): the argument is the key of a top-level resource and "
                "must be a valid identifier. To annotate a parameter, write ResourceParam[T]."
            )
        self.key = key

    def __class_getitem__(cls, item: Any) -> Any:
        return Annotated[item, RESOURCE_PARAM]

    def __repr__(self) -> str:
        return f"ResourceParam({self.key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResourceParam) and other.key == self.key

    def __hash__(self) -> int:
        return hash(("ResourceParam", self.key))


class ResourceDependency:
    """``field: ResourceDependency[T]``: a nested resource of any kind (value, definition, ...)."""

    def __class_getitem__(cls, item: Any) -> Any:
        return Annotated[item, RESOURCE_DEPENDENCY]


class PartialResource(Generic[T]):
    """A resource whose config is completed at launch (``Cls.configure_at_launch(**presets)``).

    Run config given under ``{"resources": {key: {"config": {...}}}}`` (or ``resource_config=``
    of ``build_resources``) is merged over the presets; run config wins.
    """

    __slots__ = ("resource_cls", "data")

    def __init__(self, resource_cls: type[ConfigurableResourceFactory[T]], data: dict[str, Any]):
        self.resource_cls = resource_cls
        self.data = data

    def complete(self, config: dict[str, Any] | None) -> ConfigurableResourceFactory[T]:
        """The resource built from the presets with ``config`` merged over them."""
        return self.resource_cls(**{**self.data, **(config or {})})

    def __repr__(self) -> str:
        secret = class_info(self.resource_cls).secret
        args = ", ".join(f"{k}={'**********' if k in secret else repr(v)}" for k, v in self.data.items())
        return f"{self.resource_cls.__name__}.configure_at_launch({args})"


def is_resource_reference(value: object) -> bool:
    """True for values that stand for another resource: ``ResourceParam(key)`` or a partial."""
    return isinstance(value, (ResourceParam, PartialResource))


def _accept_references(value: Any, handler: Any) -> Any:
    from resnb.core.legacy import ResourceDefinition

    if isinstance(value, (ResourceParam, PartialResource, ResourceDefinition)):
        return value
    return handler(value)


class ConfigurableResourceFactory(Config, Generic[T]):
    """A configurable object that produces a resource value of type ``T``.

    Override :meth:`create_resource` to return the value user code receives (consume it with a
    ``ResourceParam[T]`` parameter). Lifecycle hooks: :meth:`setup_for_execution` and
    :meth:`teardown_after_execution`, or :meth:`yield_for_execution` which replaces both.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        schema = handler(source)
        if not cls.__dict__.get("__pydantic_complete__", False):
            return schema  # the class's own schema
        # Used as the type of another class's field: a nested resource may also be given as
        # ResourceParam("key"), a configure_at_launch() partial, or a legacy ResourceDefinition.
        return core_schema.no_info_wrap_validator_function(_accept_references, schema)

    @abstractmethod
    def create_resource(self, context: InitResourceContext) -> T:
        """Return the value handed to user code. Called on the per-run copy."""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Called on the per-run copy before it is used (once per process)."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Called on the per-run copy after the last use, also when the run failed."""

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[T]:
        """Set up, yield the resource value, tear down. Override to replace both hooks."""
        self.setup_for_execution(context)
        try:
            value = self.create_resource(context)
            if inspect.isgenerator(value):
                with single_yield(value, context.resource_key or type(self).__name__) as item:
                    yield item
            else:
                yield value
        finally:
            self.teardown_after_execution(context)

    def get_resource_context(self) -> InitResourceContext:
        """The context this copy was initialised with (only on the copy handed to user code)."""
        context = self.__dict__.get("_resnb_context")
        if context is None:
            raise InvariantViolationError(
                f"{type(self).__name__}.get_resource_context() was called on an object that was "
                "not initialised. Only the copy that build_resources/materialize hands to your "
                "code has a context."
            )
        return context

    def with_replaced_resource_context(self, context: InitResourceContext) -> Any:
        """An equal copy of this object bound to ``context``."""
        copy = self.model_copy()
        copy.__dict__["_resnb_context"] = context
        return copy

    @classmethod
    def configure_at_launch(cls, **kwargs: Any) -> PartialResource[T]:
        """A partial resource; the rest of its config comes from run config at launch."""
        info = class_info(cls)
        for name in kwargs:
            if name not in info.accepted_names:
                raise UnknownFieldError(
                    f"{cls.__name__}.configure_at_launch() got '{name}', which is not a field."
                    f"{did_you_mean(name, info.field_names)}"
                )
        return PartialResource(cls, kwargs)

    @classmethod
    def from_resource_context(cls, context: InitResourceContext) -> T:
        """Build ``cls(**context.resource_config)`` and initialise it (for legacy wrappers)."""
        if _has_custom_teardown(cls):
            raise ResourceFunctionError(
                f"{cls.__name__} has teardown behaviour: use from_resource_context_cm(context) "
                "in a generator resource instead of from_resource_context."
            )
        instance = cls(**(context.resource_config or {}))
        with _initialise_standalone(instance, context) as value:
            return value

    @classmethod
    @contextmanager
    def from_resource_context_cm(cls, context: InitResourceContext) -> Iterator[T]:
        """Like :meth:`from_resource_context`, tearing the resource down when the block exits."""
        instance = cls(**(context.resource_config or {}))
        with _initialise_standalone(instance, context) as value:
            yield value

    def process_config_and_initialize(self) -> T:
        """Resolve env vars and nested resources and return the initialised value, no teardown."""
        from resnb.build.scope import ResourceScope

        scope = ResourceScope({"resource": self})
        return scope.open()["resource"]


class ConfigurableResource(ConfigurableResourceFactory):
    """A resource whose value is the (per-run copy of the) object itself.

    Subclass it, declare config fields with type hints, and add methods::

        class DatabaseResource(ConfigurableResource):
            host: str
            port: int = 5432
            password: str = Field(exclude=True)
    """

    def create_resource(self, context: InitResourceContext) -> Any:
        """The resource value: the object itself."""
        return self


class IAttachDifferentObjectToOpContext:
    """Mix-in: ``context.resources.<key>`` gets :meth:`get_object_to_set_on_execution_context`."""

    @abstractmethod
    def get_object_to_set_on_execution_context(self) -> Any:
        """The object placed on the execution context instead of the resource itself."""


def _has_custom_teardown(cls: type[ConfigurableResourceFactory[Any]]) -> bool:
    base = ConfigurableResourceFactory
    return (
        cls.yield_for_execution is not base.yield_for_execution
        or cls.teardown_after_execution is not base.teardown_after_execution
        or bool(class_info(cls).nested)
    )


@contextmanager
def _initialise_standalone(instance: Any, context: InitResourceContext) -> Iterator[Any]:
    from resnb.build.scope import ResourceScope

    scope = ResourceScope({context.resource_key or "resource": instance}, run_id=context.run_id)
    try:
        yield next(iter(scope.open().values()))
    finally:
        scope.close()


@contextmanager
def single_yield(generator: Iterator[Any], name: str) -> Iterator[Any]:
    """Run a generator resource: exactly one yield; zero or two are errors naming ``name``."""
    try:
        value = next(generator)
    except StopIteration:
        raise ResourceFunctionError(
            f"Resource '{name}' is a generator that finished without yielding. A generator "
            "resource must yield exactly one value (setup before the yield, cleanup after it)."
        ) from None
    try:
        yield value
    except BaseException:
        generator.close()  # runs the user's finally blocks
        raise
    try:
        next(generator)
    except StopIteration:
        return
    raise ResourceFunctionError(
        f"Resource '{name}' yielded more than once. A generator resource must yield exactly one "
        "value; put cleanup after the yield (in a finally block)."
    )
