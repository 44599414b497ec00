"""The records a :class:`~resnb.notebook.session.Session` keeps, and the helpers that read them."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from resnb._stack import user_stacklevel
from resnb.build.resolve import apply_run_config
from resnb.build.scope import ResourceScope, TeardownProblem
from resnb.core.definitions import Definitions
from resnb.core.graph import DependencyGraph
from resnb.core.keys import AssetKey
from resnb.core.legacy import ResourceDefinition
from resnb.core.resources import ConfigurableResourceFactory, PartialResource
from resnb.errors import ConfigError, IOManagerError
from resnb.execution.io_managers import InMemoryIOManager, InputContext, OutputContext
from resnb.notebook.display import ReloadReport
from resnb.notebook.loading import LoadedDefs

__all__ = [
    "AssetRecords",
    "Installed",
    "Materialization",
    "OpenResource",
    "SessionMemoryIOManager",
    "StaleUpstreamWarning",
    "effective_declaration",
    "load_through_io_manager",
    "reload_diff",
    "stale_reasons",
    "user_frames",
    "uses_default_io_manager",
]

E = TypeVar("E", bound=BaseException)


class StaleUpstreamWarning(UserWarning):
    """``%materialize`` reused an upstream value that is stale (its code, upstream or resources changed)."""


class SessionMemoryIOManager(InMemoryIOManager):
    """The session's default IO manager: values stay in memory across runs, for the whole kernel.

    ``produced(name)`` says whether an asset of the loaded Definitions produces ``name``, so a
    missing value is explained with what to run next.
    """

    def __init__(self, produced: Callable[[str], bool]) -> None:
        super().__init__()
        self.produced = produced

    def load_input(self, context: InputContext) -> Any:
        """The value materialized earlier in this kernel; an error saying what to run when there is none."""
        upstream = context.upstream_output
        try:
            return self.values[tuple(upstream.get_identifier())]
        except KeyError:
            name = upstream.asset_key.to_user_string() if upstream.asset_key else upstream.describe()
            if self.produced(name):
                advice = f"Run %materialize {name} first, or materialize both in one run."
            else:
                advice = (
                    "No asset of the loaded Definitions produces it: add one, or give it an IO "
                    "manager that can load it (io_manager_key=...)."
                )
            raise IOManagerError(
                f"No value for asset '{name}' (input '{context.name}' of '{context.step_key}'): it was "
                f"not materialized in this kernel. {advice}"
            ) from None


@dataclass
class Installed:
    """What a load installed: the Definitions, their bound resources, fingerprints, asset graph."""

    loaded: LoadedDefs
    resources: dict[str, Any]
    asset_prints: dict[str, str]
    resource_prints: dict[str, str]
    graph: DependencyGraph
    at: float = field(default_factory=time.time)
    _io_manager_keys: dict[str, str] | None = field(default=None, repr=False)

    def io_manager_key(self, name: str) -> str | None:
        """The resource key of the IO manager storing asset ``name`` (None: no such asset)."""
        if self._io_manager_keys is None:
            self._io_manager_keys = {
                spec.asset_key.to_user_string(): spec.io_manager_key
                for definition in self.loaded.defs.assets
                for spec in definition.outputs.values()
                if spec.asset_key is not None
            }
        return self._io_manager_keys.get(name)


def reload_diff(source: str, old: Installed | None, new: Installed) -> ReloadReport:
    """Assets and resources added, removed and changed (by fingerprint) from ``old`` to ``new``."""
    report = ReloadReport(source)
    if old is None:
        return report
    for kind, before, after in (
        ("assets", old.asset_prints, new.asset_prints),
        ("resources", old.resource_prints, new.resource_prints),
    ):
        report.added[kind] = [name for name in after if name not in before]  # type: ignore[index]
        report.removed[kind] = [name for name in before if name not in after]  # type: ignore[index]
        report.changed[kind] = [n for n in after if n in before and before[n] != after[n]]  # type: ignore[index]
    return report


@dataclass
class OpenResource:
    """A resource the session built and keeps open until it is torn down.

    ``declaration_print`` fingerprints what was declared (compared on reload);
    ``effective_print`` what was built, config included (compared for staleness).
    ``built_from`` is the declaration with the build's config applied (``EnvVar`` fields still
    references), which displays describe, masked.
    """

    key: str
    value: Any
    scope: ResourceScope
    declaration: Any
    declaration_print: str
    effective_print: str
    since: float
    dependencies: frozenset[str] = frozenset()
    config: Mapping[str, Any] | None = None  # kept in memory only, never shown (may hold secrets)
    problems: list[TeardownProblem] = field(default_factory=list)
    built_from: Any = None


@dataclass(frozen=True)
class Materialization:
    """When an asset was materialised, how long it took, and with which code and resources."""

    at: float
    sequence: int
    duration: float
    code_print: str
    resource_prints: Mapping[str, str]


class AssetRecords:
    """What this session materialised: when, how long, with which code and resources; the values.

    Also the assets whose last run failed (with the error and the code fingerprint it failed
    with) and those whose last run was skipped because something upstream failed.
    """

    def __init__(self) -> None:
        self.materialized: dict[str, Materialization] = {}
        self.values: dict[str, Any] = {}
        self.failed: dict[str, str] = {}  # asset -> error summary of its last run
        self.failed_prints: dict[str, str] = {}  # asset -> code fingerprint of its failed run
        self.skipped: set[str] = set()  # assets whose last run was skipped
        self._sequence = itertools.count()

    def available(self, name: str) -> bool:
        """True when a value of ``name`` from this session can be reused (its last run succeeded)."""
        return name in self.materialized and name not in self.failed

    def record(
        self,
        rows: Iterable[Any],
        values: Any,
        prints: Mapping[str, str],
        used: Mapping[str, Any],
    ) -> None:
        """Record a run's rows (``RunRow``) and ``values`` (the run's ``MaterializeResult``).

        ``used``: step -> resource fingerprints it ran with.
        """
        now = time.time()
        for row in rows:
            for name in row.assets:
                if row.status == "succeeded":
                    sequence = next(self._sequence)
                    resources = dict(used.get(row.step, {}))
                    self.materialized[name] = Materialization(
                        now, sequence, row.duration or 0.0, prints[name], resources
                    )
                    if values.has_value(name):
                        self.values[name] = values.value(name)
                    else:  # a MaterializeResult without value=: its data is where the asset put it
                        self.values.pop(name, None)
                    self._forget_outcome(name)
                elif row.status == "failed":
                    self._forget_outcome(name)
                    self.failed[name] = row.error
                    self.failed_prints[name] = prints[name]
                elif row.status == "skipped":
                    self._forget_outcome(name)
                    self.skipped.add(name)

    def _forget_outcome(self, name: str) -> None:
        """Forget that ``name``'s last run failed or was skipped."""
        self.failed.pop(name, None)
        self.failed_prints.pop(name, None)
        self.skipped.discard(name)

    def fixed_since_failing(self, prints: Mapping[str, str]) -> dict[str, str]:
        """Failed asset -> its last error, for those whose code changed since (``prints``: code now)."""
        return {
            name: error
            for name, error in self.failed.items()
            if self.failed_prints.get(name) != prints.get(name)
        }

    def forget_except(self, names: Iterable[str]) -> None:
        """Drop the records of assets that are not in ``names`` (after a reload removed them)."""
        keep = set(names)
        for name in [n for n in [*self.materialized, *self.failed, *self.skipped] if n not in keep]:
            self.materialized.pop(name, None)
            self.values.pop(name, None)
            self._forget_outcome(name)


def effective_declaration(key: str, declaration: Any, config: Mapping[str, Any] | None) -> Any:
    """What to build for ``key``: the declaration with ``config`` applied.

    ``config`` is complete (every field, as :func:`~resnb.notebook.config_args.to_resource_config`
    returns it) and validated; None builds the declaration as it is.
    """
    if config is None:
        return declaration
    if isinstance(declaration, (ConfigurableResourceFactory, PartialResource)):
        return apply_run_config(key, declaration, dict(config))
    if isinstance(declaration, ResourceDefinition):
        return declaration.configured(dict(config))
    raise ConfigError(
        f"Resource '{key}' is a plain {type(declaration).__name__} value, which has no config fields. "
        f"Build it without config, or make it a ConfigurableResource."
    )


def user_frames(error: E) -> E:
    """``error`` carrying its cause's traceback, so a post-mortem debugger opens in user code."""
    cause = error.__cause__
    if cause is not None and cause.__traceback__ is not None:
        return error.with_traceback(cause.__traceback__)
    return error


def stale_reasons(
    graph: DependencyGraph,
    materialized: Mapping[str, Materialization],
    asset_prints: Mapping[str, str],
    current_print: Callable[[str], str],
) -> dict[str, list[str]]:
    """Asset name -> why its materialised value may be out of date (code, upstream, resources)."""
    reasons: dict[str, list[str]] = {}
    for name in graph.toposort():
        record = materialized.get(name)
        if record is None:
            continue
        why = []
        if asset_prints.get(name) != record.code_print:
            why.append("code changed")
        for parent in graph.upstream_of(name):
            before = materialized.get(parent)
            if before is not None and before.sequence > record.sequence:
                why.append(f"upstream '{parent}' re-materialized after it")
            elif parent in reasons:
                why.append(f"upstream '{parent}' is stale")
        for key, print_then in record.resource_prints.items():
            now = current_print(key)
            if now == "missing":
                why.append(f"resource '{key}' removed")
            elif now != print_then:
                why.append(f"resource '{key}' config changed")
        if why:
            reasons[name] = why
    return reasons


def uses_default_io_manager(defs: Definitions, name: str) -> bool:
    """True when asset ``name`` is stored by the ``io_manager`` key."""
    key = AssetKey.from_user_string(name)
    definition = defs.resolve_assets_def(key)
    return any(s.asset_key == key and s.io_manager_key == "io_manager" for s in definition.outputs.values())


def load_through_io_manager(defs: Definitions, name: str, resources: Mapping[str, Any]) -> Any:
    """Load asset ``name`` with its IO manager (opened for the call and torn down after it)."""
    key = AssetKey.from_user_string(name)
    definition = defs.resolve_assets_def(key)
    spec = next(s for s in definition.outputs.values() if s.asset_key == key)
    scope = ResourceScope(resources)
    input_name = key.path[-1]
    try:
        manager = scope.open([spec.io_manager_key])[spec.io_manager_key]
        upstream = OutputContext(definition.node_name, spec.name, key, None, spec.metadata)
        return manager.load_input(InputContext(input_name, "asset_value", key, upstream))
    except IOManagerError as exc:
        detail = str(exc).split(f" (input '{input_name}' of 'asset_value')")[0].strip().rstrip(".")
        raise IOManagerError(
            f"Cannot load asset '{name}' via its IO manager '{spec.io_manager_key}': {detail}. It was "
            f"not materialized in this kernel either: run %materialize {name} to compute it."
        ) from exc
    finally:
        scope.close(stacklevel=user_stacklevel(below=1))
