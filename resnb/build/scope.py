"""``ResourceScope``: initialise resources in dependency order, tear them down exactly once.

Used by ``build_resources`` (every key) and by runs (only the keys the selected steps need).
Init order is the topological order of the resource dependencies, each level sorted by key (as
in Dagster); teardown is its exact reverse, nested resources included.
"""

from __future__ import annotations

import inspect
import keyword
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from resnb._stack import user_stacklevel
from resnb.build.resolve import apply_run_config, normalize_resource_config, resolved_copy, unset_env_vars
from resnb.core.config import class_info
from resnb.core.context import InitResourceContext, Resources
from resnb.core.env import unset_env_var_error
from resnb.core.legacy import ResourceDefinition, run_legacy
from resnb.core.resources import (
    ConfigurableResourceFactory,
    PartialResource,
    ResourceParam,
    single_yield,
)
from resnb.core.toposort import toposort_mapping
from resnb.errors import (
    DefinitionError,
    MissingResourceError,
    ResnbError,
    ResourceFunctionError,
    ResourceTeardownWarning,
    did_you_mean,
    exception_summary,
    listing,
)

if TYPE_CHECKING:
    import logging

__all__ = ["PreBuilt", "ResourceScope", "TeardownProblem", "check_resource_mapping", "definition_label"]

_BASE = ConfigurableResourceFactory


class PreBuilt(NamedTuple):
    """A resource that is already initialised (for example by a notebook session).

    A scope hands ``value`` over as it is: it never initialises, re-configures or tears it down,
    and does not open its dependencies (they were opened with it). ``definition`` is what was
    built, so a ``configure_at_launch()`` partial nested elsewhere still finds its key.
    """

    value: Any
    definition: Any = None


class TeardownProblem(NamedTuple):
    """A teardown that raised: the resource key and the exception."""

    key: str
    error: BaseException


def check_resource_mapping(resources: Any) -> dict[str, Any]:
    """Check that ``resources`` maps identifier keys to resources; return it as a dict."""
    if not isinstance(resources, Mapping):
        raise DefinitionError(
            "resources must be a mapping of key to resource, such as "
            f"{{'db': DatabaseResource(...)}}; got {type(resources).__name__}."
        )
    for key in resources:
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
            suggestion = str(key).replace("-", "_").replace(" ", "_")
            raise DefinitionError(
                f"Resource key {key!r} is not a valid Python identifier. Keys become attribute and "
                f"parameter names (resources.{suggestion}); rename it, for example to "
                f"'{suggestion}'."
            )
    return dict(resources)


def _plain_lifecycle(cls: type) -> bool:
    return (
        cls.yield_for_execution is _BASE.yield_for_execution
        and cls.teardown_after_execution is _BASE.teardown_after_execution
    )


class ResourceScope:
    """Resources initialised together and torn down together, exactly once.

    ``open(keys)`` initialises ``keys`` (default: all) and what they depend on; ``close()``
    tears down in reverse order, turning teardown failures into warnings that name the key
    (collected in :attr:`teardown_problems`).
    """

    def __init__(
        self,
        resources: Mapping[str, Any],
        resource_config: Mapping[str, Any] | None = None,
        *,
        run_id: str | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.definitions = check_resource_mapping(resources)
        self.config = normalize_resource_config(resource_config, self.definitions)
        self.run_id = run_id
        self.log = log
        self.values: dict[str, Any] = {}
        self.teardown_problems: list[TeardownProblem] = []
        self._exits: list[tuple[str, Any]] = []
        self._partials = {id(v): k for k, v in self._declared().items() if isinstance(v, PartialResource)}
        self._deps: dict[str, frozenset[str]] = {}

    def _declared(self) -> dict[str, Any]:
        """Key -> declaration, looking through :class:`PreBuilt` wrappers."""
        return {k: v.definition if isinstance(v, PreBuilt) else v for k, v in self.definitions.items()}

    # -- dependencies ---------------------------------------------------------------------------
    def dependencies(self, key: str) -> frozenset[str]:
        """The keys ``key`` depends on directly (legacy keys, ResourceParam, shared partials).

        A :class:`PreBuilt` resource has none here: it is already initialised.
        """
        deps = self._deps.get(key)
        if deps is None:
            value = self.definitions[key]
            if isinstance(value, PreBuilt):
                deps = frozenset()
            elif isinstance(value, ResourceDefinition):
                deps = value.required_resource_keys
            elif isinstance(value, ConfigurableResourceFactory):
                deps = frozenset(self._nested_refs(type(value), value.__dict__, key))
            elif isinstance(value, PartialResource):
                deps = frozenset(self._nested_refs(value.resource_cls, value.data, key))
            else:
                deps = frozenset()
            self._deps[key] = deps
        return deps

    def _nested_refs(self, cls: type, fields: Mapping[str, Any], path: str) -> set[str]:
        refs: set[str] = set()
        for name in class_info(cls).nested:
            if name in fields:
                refs |= self._refs_of(fields[name], f"{path}.{name}", f"{cls.__name__}.{name}")
        return refs

    def _refs_of(self, value: Any, path: str, owner: str = "") -> set[str]:
        if isinstance(value, ResourceParam):
            return {value.key}
        if isinstance(value, PartialResource):
            key = self._partials.get(id(value))
            if key is None:
                raise DefinitionError(
                    f"Failed to resolve the resource nested at {owner or path} (under resource "
                    f"key '{path.split('.')[0]}'): it is configured at launch "
                    "(configure_at_launch()), so it must also be provided as a top-level "
                    "resource. Add the same object to resources={...} under a key, or pass a "
                    "fully configured resource instead."
                )
            return {key}
        if isinstance(value, ConfigurableResourceFactory):
            return self._nested_refs(type(value), value.__dict__, path)
        if isinstance(value, ResourceDefinition):  # a nested @resource uses its required keys
            return set(value.required_resource_keys)
        return set()

    def init_order(self, keys: Iterable[str] | None = None) -> list[str]:
        """``keys`` (default: all) plus their dependencies, in initialisation order."""
        wanted = list(self.definitions) if keys is None else list(keys)
        graph: dict[str, frozenset[str]] = {}
        while wanted:
            key = wanted.pop()
            if key in graph:
                continue
            deps = self.dependencies(key)
            for dep in deps:
                if dep not in self.definitions:
                    self._raise_missing(key, dep)
            graph[key] = deps
            wanted.extend(deps)
        return toposort_mapping(graph, what="resource")

    def _raise_missing(self, key: str, dep: str) -> None:
        raise MissingResourceError(
            f"Resource '{key}' depends on resource '{dep}', which was not provided. Available "
            f"keys: {listing(self.definitions)}.{did_you_mean(dep, self.definitions)} Add a "
            f"resource under '{dep}' or fix the reference."
        )

    # -- open / close ---------------------------------------------------------------------------
    def open(self, keys: Iterable[str] | None = None) -> dict[str, Any]:
        """Initialise ``keys`` (default: all) and their dependencies; return key -> value.

        Unset env vars of any of them are reported together, in one ``EnvVarError``, before
        any is initialised. If one fails, what was already initialised is torn down before the
        error propagates.
        """
        for key in keys or ():
            if key not in self.definitions:
                self._raise_unknown(key)
        order = self.init_order(keys)
        try:
            configured = self._check_env_vars([key for key in order if key not in self.values])
            for key in order:
                if key not in self.values:
                    self.values[key] = self._initialise(key, configured.get(key))
        except BaseException:
            self.close(work_failed=True)
            raise
        return {key: self.values[key] for key in order}

    def check(self, keys: Iterable[str] | None = None) -> None:
        """Raise what opening ``keys`` would for their config and env vars, initialising nothing.

        The multiprocess executor calls it before any step process starts, so that a config error
        is raised by the run, as under the in-process executor, not reported by each step.
        """
        for key in keys or ():
            if key not in self.definitions:
                self._raise_unknown(key)
        order = self.init_order(keys)
        configured = self._check_env_vars(order)
        for key in order:
            value = self.definitions[key]
            if isinstance(value, (ConfigurableResourceFactory, PartialResource)):
                applied = configured.get(key) or apply_run_config(key, value, self.config.get(key))
                resolved_copy(applied, f"resource '{key}'")
            elif isinstance(value, ResourceDefinition):
                value.process_config(self.config.get(key), f"resource '{key}'")

    def _check_env_vars(self, keys: list[str]) -> dict[str, ConfigurableResourceFactory[Any]]:
        """Raise one :class:`EnvVarError` naming every unset env var that opening ``keys`` reads.

        Checked before any of them is initialised, as Dagster validates config before setup.
        Returns the resources with their run config applied, for :meth:`_initialise` to use.
        """
        configured: dict[str, ConfigurableResourceFactory[Any]] = {}
        missing: list[tuple[str, str]] = []
        for key in keys:
            value = self.definitions[key]
            if isinstance(value, ResourceDefinition):
                missing += value.unset_env_vars(self.config.get(key), f"resource '{key}'")
                continue
            if not isinstance(value, (ConfigurableResourceFactory, PartialResource)):
                continue
            try:
                configured[key] = apply_run_config(key, value, self.config.get(key))
            except Exception:  # invalid config: reported at its turn, by _initialise
                continue
            missing += unset_env_vars(configured[key], key)
        if missing:
            raise unset_env_var_error(missing)
        return configured

    def _raise_unknown(self, key: str) -> None:
        raise MissingResourceError(
            f"No resource with key '{key}'. Available keys: {listing(self.definitions)}."
            f"{did_you_mean(key, self.definitions)}"
        )

    def close(
        self, stacklevel: int | None = None, *, work_failed: bool | None = None
    ) -> list[TeardownProblem]:
        """Tear down everything initialised, in reverse order; each exactly once.

        ``stacklevel`` is passed to the warning of a failed teardown (2: the caller of close;
        default: the first frame outside resnb, so the warning points at the user's code).
        ``work_failed`` says whether the work done with the resources (a block, a run, the set-up
        of a later resource) failed: only when it is ``False`` does the warning say it succeeded.
        """
        exits, self._exits = self._exits, []
        if stacklevel is None:
            stacklevel = user_stacklevel()
        problems: list[TeardownProblem] = []
        outcome = " and the work itself succeeded" if work_failed is False else ""
        for key, cm in reversed(exits):
            try:
                cm.__exit__(None, None, None)
            except Exception as exc:  # a teardown failure must not stop the others
                problems.append(TeardownProblem(key, exc))
                warnings.warn(
                    ResourceTeardownWarning(
                        f"Teardown of resource '{key}' failed: {exception_summary(exc)}. "
                        f"The other resources were still torn down{outcome}; fix the "
                        "resource's teardown code."
                    ),
                    stacklevel=stacklevel,
                )
        self.values.clear()
        self.teardown_problems.extend(problems)
        return problems

    # -- initialisation of one key ----------------------------------------------------------------
    def _initialise(self, key: str, configured: ConfigurableResourceFactory[Any] | None = None) -> Any:
        value = self.definitions[key]
        if isinstance(value, PreBuilt):
            return value.value
        try:
            if isinstance(value, (ConfigurableResourceFactory, PartialResource)):
                if configured is None:
                    configured = apply_run_config(key, value, self.config.get(key))
                return self._initialise_factory(configured, key, key)
            if isinstance(value, ResourceDefinition):
                return self._initialise_legacy(value, key, self.config.get(key))
            return value
        except ResnbError:
            raise
        except Exception as exc:
            raise ResourceFunctionError(
                f"Error initialising resource '{key}' ({definition_label(value)}): "
                f"{exception_summary(exc)}. The resources initialised before it were torn "
                "down; see the exception above for where it was raised.",
                key=key,
            ) from exc

    def _context(
        self, key: str, config: Any, definition: Any, resources: Resources | None
    ) -> InitResourceContext:
        return InitResourceContext(config, resources, definition, key, self.run_id, self.log)

    def _initialise_factory(self, resource: ConfigurableResourceFactory[Any], key: str, path: str) -> Any:
        cls = type(resource)
        info = class_info(cls)
        copy = resolved_copy(resource, f"resource '{path}'")
        for name in info.nested:
            copy.__dict__[name] = self._initialise_nested(resource.__dict__[name], key, f"{path}.{name}")
        config = {name: copy.__dict__[name] for name in info.field_names if name not in info.nested}
        context = self._context(key, config, resource, None)
        copy.__dict__["_resnb_context"] = context
        if _plain_lifecycle(cls):
            copy.setup_for_execution(context)
            value = copy.create_resource(context)
            if not _is_generator(value):
                return value
            cm: Any = single_yield(value, key)
        else:
            cm = copy.yield_for_execution(context)
            if not hasattr(cm, "__enter__"):
                raise DefinitionError(
                    f"{cls.__name__}.yield_for_execution (resource '{path}') returned "
                    f"{type(cm).__name__!r}, not a context manager. Decorate it with "
                    "@contextlib.contextmanager and yield the resource exactly once."
                )
        value = cm.__enter__()
        self._exits.append((key, cm))
        return value

    def _initialise_nested(self, value: Any, key: str, path: str) -> Any:
        if isinstance(value, ResourceParam):
            return self.values[value.key]
        if isinstance(value, PartialResource):
            return self.values[self._partials[id(value)]]
        if isinstance(value, ConfigurableResourceFactory):
            return self._initialise_factory(value, key, path)
        if isinstance(value, ResourceDefinition):
            return self._initialise_legacy(value, key, None, where=f"resource nested at {path}")
        return value

    def _initialise_legacy(
        self, definition: ResourceDefinition, key: str, run_config: Any, where: str | None = None
    ) -> Any:
        config = definition.process_config(run_config, where or f"resource '{key}'")
        resources = Resources(
            {k: self.values[k] for k in definition.required_resource_keys},
            hint=f"Resource '{key}' can only use the keys in its required_resource_keys.",
        )
        value, cm = run_legacy(definition, self._context(key, config, definition, resources), key)
        if cm is not None:
            self._exits.append((key, cm))
        return value


def _is_generator(value: Any) -> bool:
    return inspect.isgenerator(value)


def definition_label(definition: Any) -> str:
    """How users know a definition: ``Warehouse``, ``Warehouse.configure_at_launch()``, ``@resource db``."""
    if isinstance(definition, PartialResource):
        return f"{definition.resource_cls.__name__}.configure_at_launch()"
    if isinstance(definition, ResourceDefinition):
        return f"@resource {definition.name}"
    return definition.__name__ if isinstance(definition, type) else type(definition).__name__
