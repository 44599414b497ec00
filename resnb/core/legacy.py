"""The legacy resource API: ``@resource`` and ``ResourceDefinition``."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterable
from typing import Any, overload

from resnb.core.context import InitResourceContext
from resnb.core.legacy_config import ConfigSchema, call_config_fn, resolve_env_form, unset_env_refs
from resnb.errors import DefinitionError, InvocationError, MissingResourceError, listing

__all__ = ["ResourceDefinition", "resource"]

_NO_CONFIG = object()


def _takes_context(fn: Callable[..., Any]) -> bool:
    try:
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return True
    if len(params) > 1:
        raise DefinitionError(
            f"Resource function {getattr(fn, '__name__', fn)!r} takes {len(params)} arguments; "
            "a resource function takes the init context only (or nothing)."
        )
    return len(params) == 1


def is_context_manager_fn(fn: Callable[..., Any]) -> bool:
    """True for functions decorated with ``@contextlib.contextmanager``."""
    wrapped = getattr(fn, "__wrapped__", None)
    return wrapped is not None and inspect.isgeneratorfunction(wrapped)


class ResourceDefinition:
    """A resource defined by a function of its init context (usually made with ``@resource``).

    The function returns the resource value, or yields it once (code after the yield is the
    teardown). ``config_schema`` declares its config; ``required_resource_keys`` the resources
    it needs, available as ``init_context.resources.<key>``.
    """

    def __init__(
        self,
        resource_fn: Callable[..., Any],
        config_schema: Any = None,
        description: str | None = None,
        required_resource_keys: Iterable[str] | None = None,
        version: str | None = None,
    ) -> None:
        if not callable(resource_fn):
            raise DefinitionError(f"resource_fn must be callable, got {resource_fn!r}.")
        self.resource_fn = resource_fn
        self.config_schema = None if config_schema is None else ConfigSchema(config_schema)
        self.description = description or inspect.getdoc(resource_fn)
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.version = version
        self.preset_config: Any = _NO_CONFIG
        #: the schema run config for this resource goes through (None: passed on as given)
        self.run_config_schema: ConfigSchema | None = self.config_schema
        self._takes_context = _takes_context(resource_fn)
        self.name = getattr(resource_fn, "__name__", "resource")

    def __repr__(self) -> str:
        return f"<ResourceDefinition {self.name}>"

    # -- config ------------------------------------------------------------------------------
    def process_config(self, run_config: Any, where: str) -> Any:
        """The resource_config the function sees: preset (``.configured``) or run config."""
        if self.preset_config is not _NO_CONFIG:
            raw = self.preset_config
        else:
            raw = run_config
        if self.config_schema is None:
            return raw
        return self.config_schema.process(raw, where)

    def unset_env_vars(self, run_config: Any, where: str) -> list[tuple[str, str]]:
        """(variable, what reads it) for each unset env var its config (preset or run config) reads.

        Only config that goes through a schema reads variables; without one, ``{"env": ...}``
        is passed on as a plain dict, as in Dagster.
        """
        if self.preset_config is not _NO_CONFIG:
            raw, schema = self.preset_config, self.config_schema
        else:
            raw, schema = run_config, self.run_config_schema
        return [] if schema is None else unset_env_refs(resolve_env_form(raw), where)

    def configured(
        self,
        config_or_config_fn: Any,
        config_schema: Any = None,
        description: str | None = None,
        name: str | None = None,
    ) -> ResourceDefinition:
        """A copy with its config given; run config given later for it is ignored.

        ``config_or_config_fn`` may instead be a function of the outer config (validated by
        ``config_schema`` when given) returning this resource's config; it is called each time
        the resource is initialised. See also the :func:`~resnb.core.configured.configured`
        decorator.
        """
        copy = ResourceDefinition(
            self.resource_fn, None, description or self.description, self.required_resource_keys, self.version
        )
        copy.config_schema = self.config_schema
        copy.name = name or self.name
        if callable(config_or_config_fn):
            outer = ConfigSchema(config_schema) if config_schema is not None else None
            copy.preset_config = _NO_CONFIG
            copy.run_config_schema = outer
            copy.process_config = _mapped_config(self, config_or_config_fn, outer)  # type: ignore[method-assign]
        else:
            copy.preset_config = config_or_config_fn
        return copy

    # -- invocation -------------------------------------------------------------------------------
    def invoke(self, context: InitResourceContext) -> Any:
        """Call the function; may return a generator or context manager (the scope handles it)."""
        if self._takes_context:
            return self.resource_fn(context)
        return self.resource_fn()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the resource directly, as in a unit test: ``my_resource(build_init_resource_context())``."""
        context = args[0] if args else kwargs.pop("context", None) or kwargs.pop("init_context", None)
        if context is None:
            if self._takes_context:
                raise InvocationError(
                    f"Resource '{self.name}' takes an init context, but none was given. Call it "
                    "as resource(build_init_resource_context(config=..., resources=...))."
                )
            context = InitResourceContext()
        missing = self.required_resource_keys - set(context.resources)
        if missing:
            raise MissingResourceError(
                f"Resource '{self.name}' requires {listing(missing)}, which the context does not "
                "provide. Pass them: build_init_resource_context(resources={...})."
            )
        where = f"resource '{self.name}'"
        processed = context.replace_config(self.process_config(context.resource_config, where))
        result = self.invoke(processed)
        if inspect.isgenerator(result):
            from resnb.core.resources import single_yield

            return single_yield(result, self.name)
        return result

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def hardcoded_resource(value: Any, description: str | None = None) -> ResourceDefinition:
        """A resource whose value is ``value`` itself."""
        return ResourceDefinition(lambda: value, description=description or "hardcoded resource")

    @staticmethod
    def mock_resource(description: str | None = None) -> ResourceDefinition:
        """A resource whose value is a new :class:`unittest.mock.MagicMock`."""
        from unittest import mock

        return ResourceDefinition(lambda: mock.MagicMock(), description=description or "mock")

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        """A resource whose value is ``None``."""
        return ResourceDefinition(lambda: None, description=description or "None")

    @staticmethod
    def string_resource(description: str | None = None) -> ResourceDefinition:
        """A resource whose value is its ``str`` config."""
        return ResourceDefinition(
            lambda context: context.resource_config, config_schema=str, description=description
        )


def _mapped_config(
    base: ResourceDefinition, fn: Callable[[Any], Any], outer: ConfigSchema | None
) -> Callable[[Any, str], Any]:
    def process_config(run_config: Any, where: str) -> Any:
        if outer is not None:
            outer_config = outer.process(run_config, where)
        else:  # no outer schema: the run config as given (Dagster passes {} when there is none)
            outer_config = {} if run_config is None else run_config
        return base.process_config(call_config_fn(fn, outer_config, where), where)

    return process_config


@overload
def resource(config_schema: Callable[..., Any]) -> ResourceDefinition: ...
@overload
def resource(
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Callable[[Callable[..., Any]], ResourceDefinition]: ...
def resource(
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Any:
    """Define a resource from a function of its init context, bare (``@resource``) or called.

    Return the resource value, or yield it once with teardown after the yield::

        @resource(config_schema={"url": str})
        def db(init_context):
            conn = connect(init_context.resource_config["url"])
            try:
                yield conn
            finally:
                conn.close()
    """
    if callable(config_schema) and not isinstance(config_schema, type):
        return ResourceDefinition(config_schema)

    def decorate(fn: Callable[..., Any]) -> ResourceDefinition:
        return ResourceDefinition(fn, config_schema, description, required_resource_keys, version)

    return decorate


def run_legacy(definition: ResourceDefinition, context: InitResourceContext, key: str) -> Any:
    """Call a legacy resource for a scope: returns ``(value, exit_callback_or_None)``."""
    result = definition.invoke(context)
    if inspect.isgenerator(result):
        from resnb.core.resources import single_yield

        cm: contextlib.AbstractContextManager[Any] = single_yield(result, key)
    elif isinstance(result, contextlib._GeneratorContextManager) and is_context_manager_fn(
        definition.resource_fn
    ):
        cm = result
    else:
        return result, None
    value = cm.__enter__()
    return value, cm
