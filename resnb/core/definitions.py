"""``Definitions``: assets, jobs and the resources bound to them, plus asset jobs and repositories."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from resnb.core.assets import AssetsDefinition
from resnb.core.graphs import GraphDefinition
from resnb.core.job_names import IMPLICIT_ASSET_JOB
from resnb.core.jobs import JobDefinition
from resnb.errors import DefinitionError, InvariantViolationError, did_you_mean, listing

__all__ = [
    "Definitions",
    "LazyDefinitions",
    "RepositoryDefinition",
    "UnresolvedAssetJobDefinition",
    "define_asset_job",
    "definitions",
    "repository",
    "with_resources",
]


class UnresolvedAssetJobDefinition:
    """A job over assets (from :func:`define_asset_job`), resolved by ``Definitions``."""

    def __init__(
        self,
        name: str,
        selection: Any = None,
        executor_def: Any = None,
        config: Any = None,
        description: str | None = None,
    ) -> None:
        self.name = name
        self.selection = selection
        self.executor_def = executor_def
        self.config = config
        self.description = description

    def resolve(
        self, assets: Sequence[AssetsDefinition], resources: Mapping[str, Any], executor: Any = None
    ) -> JobDefinition:
        """The runnable job for these assets and resources."""
        job_def = JobDefinition(
            self.name,
            GraphDefinition(self.name, {}),
            resources,
            self.executor_def or executor,
            self.description,
            self.config,
        )
        job_def.assets = tuple(assets)
        job_def.asset_selection = self.selection
        return job_def

    def __repr__(self) -> str:
        return f"<UnresolvedAssetJobDefinition {self.name}>"


def define_asset_job(
    name: str,
    selection: Any = None,
    config: Any = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    executor_def: Any = None,
    **_ignored: Any,
) -> UnresolvedAssetJobDefinition:
    """A job that materialises ``selection`` (default: every asset) of the Definitions it is in.

    Resources come from the assets' Definitions; nothing needs to be passed here.
    """
    return UnresolvedAssetJobDefinition(name, selection, executor_def, config, description)


_EXPECTED = {
    "assets": "an asset definition (a function decorated with @asset or @multi_asset)",
    "jobs": "a job (from @job, GraphDefinition.to_job or define_asset_job)",
}


def _check_items(items: Iterable[Any], kind: type | tuple[type, ...], what: str) -> list[Any]:
    checked = list(items or ())
    for item in checked:
        if not isinstance(item, kind):
            raise DefinitionError(f"Definitions({what}=...) got {item!r}, which is not {_EXPECTED[what]}.")
    return checked


class Definitions:
    """Everything a code location defines: assets, jobs and the resources bound to them.

    Resources are bound to every asset and job automatically; a job's own ``resource_defs``
    win over these. Problems such as a missing resource are reported when jobs are resolved
    (``validate_loadable``, ``resolve_job_def``, running), as in Dagster.
    """

    def __init__(
        self,
        assets: Iterable[AssetsDefinition] | None = None,
        schedules: Iterable[Any] | None = None,
        sensors: Iterable[Any] | None = None,
        jobs: Iterable[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        executor: Any = None,
        loggers: Mapping[str, Any] | None = None,
        asset_checks: Iterable[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        from resnb.build.scope import check_resource_mapping

        self.assets = _check_items(assets or (), AssetsDefinition, "assets")
        self.jobs = _check_items(jobs or (), (JobDefinition, UnresolvedAssetJobDefinition), "jobs")
        self.resources = check_resource_mapping(resources or {})
        self.executor = executor
        self.schedules = list(schedules or ())
        self.sensors = list(sensors or ())
        self.metadata = dict(metadata or {})

    # -- resolution ----------------------------------------------------------------------------------
    def _bound_resources(self) -> dict[str, Any]:
        from resnb.execution.materialize import bind_asset_resources, default_io_manager

        bound = bind_asset_resources(self.assets, self.resources)
        bound.setdefault("io_manager", default_io_manager())
        return bound

    def _resolve(self, job: Any) -> JobDefinition:
        if isinstance(job, UnresolvedAssetJobDefinition):
            return job.resolve(self.assets, self._bound_resources(), self.executor)
        resolved = job.with_resources(self._bound_resources())
        if resolved.executor_def is None:
            resolved.executor_def = self.executor
        return resolved

    @property
    def job_names(self) -> list[str]:
        """Names of the jobs, the implicit asset job first when there are assets."""
        names = [IMPLICIT_ASSET_JOB] if self.assets else []
        return names + [job.name for job in self.jobs]

    def resolve_job_def(self, name: str) -> JobDefinition:
        """The job named ``name`` with the resources bound, validated."""
        if name == IMPLICIT_ASSET_JOB and self.assets:
            return self.resolve_implicit_global_asset_job_def()
        for job in self.jobs:
            if job.name == name:
                return _validated(self._resolve(job))
        raise InvariantViolationError(
            f"Could not find job '{name}'. Jobs: {listing(self.job_names)}.{did_you_mean(name, self.job_names)}"
        )

    get_job_def = resolve_job_def

    def resolve_implicit_global_asset_job_def(self) -> JobDefinition:
        """A job materialising every asset."""
        return _validated(
            define_asset_job(IMPLICIT_ASSET_JOB).resolve(self.assets, self._bound_resources(), self.executor)
        )

    get_implicit_global_asset_job_def = resolve_implicit_global_asset_job_def

    def resolve_all_job_defs(self) -> list[JobDefinition]:
        """Every job, the implicit asset job included, resolved and validated."""
        return [self.resolve_job_def(name) for name in self.job_names]

    def resolve_assets_def(self, key: Any) -> AssetsDefinition:
        """The definition of the asset ``key``."""
        from resnb.core.keys import AssetKey

        wanted = AssetKey.from_coercible(key)
        for definition in self.assets:
            if wanted in definition.keys:
                return definition
        names = [k.to_user_string() for d in self.assets for k in d.keys]
        raise InvariantViolationError(
            f"No asset '{wanted.to_user_string()}' in these Definitions. Assets: {listing(names)}."
            f"{did_you_mean(wanted.to_user_string(), names)}"
        )

    get_assets_def = resolve_assets_def

    @staticmethod
    def validate_loadable(defs: Definitions) -> None:
        """Resolve every job and check resources, selections, duplicates and cycles."""
        defs.resolve_all_job_defs()

    @staticmethod
    def merge(*def_sets: Definitions) -> Definitions:
        """One Definitions from several; the same resource key twice must be the same object."""
        resources: dict[str, Any] = {}
        owner: dict[str, int] = {}
        for index, defs in enumerate(def_sets):
            for key, value in defs.resources.items():
                if key in resources and resources[key] is not value:
                    raise InvariantViolationError(
                        f"Definitions objects {owner[key]} and {index} have different resources "
                        f"under the key '{key}'. Give them different keys or pass the same object."
                    )
                resources[key] = value
                owner.setdefault(key, index)
        executors = [d.executor for d in def_sets if d.executor is not None]
        return Definitions(
            assets=list(dict.fromkeys(a for d in def_sets for a in d.assets)),
            jobs=[j for d in def_sets for j in d.jobs],
            resources=resources,
            executor=executors[-1] if executors else None,
        )

    def __repr__(self) -> str:
        return f"<Definitions assets={len(self.assets)} jobs={len(self.jobs)} resources={sorted(self.resources)}>"


def _validated(job_def: JobDefinition) -> JobDefinition:
    from resnb.build.scope import ResourceScope
    from resnb.execution.materialize import plan_for_job_definition

    plan = plan_for_job_definition(job_def, job_def.resource_defs)
    plan.check_resources()
    ResourceScope(job_def.resource_defs).init_order(plan.required_resource_keys)
    return job_def


class LazyDefinitions:
    """What ``@definitions`` returns: call it (or ``.load()``) to build the Definitions."""

    def __init__(self, fn: Callable[[], Definitions]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = getattr(fn, "__name__", "definitions")

    def __call__(self) -> Definitions:
        result = self.fn()
        if not isinstance(result, Definitions):
            raise DefinitionError(
                f"@definitions function '{self.__name__}' must return a Definitions, got {result!r}."
            )
        return result

    load = __call__


def definitions(fn: Callable[[], Definitions]) -> LazyDefinitions:
    """Mark a function returning ``Definitions`` (loaded lazily by tools and the notebook)."""
    return LazyDefinitions(fn)


def with_resources(
    definitions: Iterable[AssetsDefinition],
    resource_defs: Mapping[str, Any],
    resource_config_by_key: Mapping[str, Any] | None = None,
) -> list[AssetsDefinition]:
    """Copies of ``definitions`` bound to the resources they need from ``resource_defs``."""
    from resnb.build.resolve import apply_run_config
    from resnb.build.scope import ResourceScope, check_resource_mapping
    from resnb.core.legacy import ResourceDefinition

    resources = check_resource_mapping(resource_defs)
    for key, entry in (resource_config_by_key or {}).items():
        config = entry.get("config") if isinstance(entry, Mapping) else entry
        value = resources[key]
        resources[key] = (
            value.configured(config)
            if isinstance(value, ResourceDefinition)
            else apply_run_config(key, value, config)
        )
    scope = ResourceScope(resources)
    bound = []
    for definition in definitions:
        needed = definition.resource_keys - {"io_manager"}
        missing = sorted(needed - resources.keys())
        if missing:
            raise DefinitionError(
                f"Resource '{missing[0]}' required by asset '{definition.node_name}' was not provided "
                f"to with_resources. Given: {listing(resources)}.{did_you_mean(missing[0], resources)}"
            )
        keys = scope.init_order(needed | ({"io_manager"} & resources.keys()))
        bound.append(definition.with_resources({key: resources[key] for key in keys}))
    return bound


class RepositoryDefinition:
    """A named set of definitions (the legacy ``@repository`` API)."""

    def __init__(self, name: str, defs: Definitions) -> None:
        self.name = name
        self.definitions = defs

    def get_job(self, name: str) -> JobDefinition:
        """The job named ``name`` (``__ASSET_JOB`` for all assets)."""
        return self.definitions.resolve_job_def(name)

    def get_all_jobs(self) -> list[JobDefinition]:
        """Every job."""
        return self.definitions.resolve_all_job_defs()

    @property
    def assets(self) -> list[AssetsDefinition]:
        """The assets."""
        return self.definitions.assets

    def __repr__(self) -> str:
        return f"<RepositoryDefinition {self.name}>"


def repository(fn: Callable[[], Any] | None = None, *, name: str | None = None, **_ignored: Any) -> Any:
    """Define a repository from a function returning a list (or dict) of definitions; validated now."""

    def decorate(function: Callable[[], Any]) -> RepositoryDefinition:
        items = function()
        if isinstance(items, Mapping):
            items = [
                v
                for group in items.values()
                for v in (group.values() if isinstance(group, Mapping) else group)
            ]
        assets = [i for i in items if isinstance(i, AssetsDefinition)]
        jobs = [i for i in items if isinstance(i, (JobDefinition, UnresolvedAssetJobDefinition))]
        defs = Definitions(assets=assets, jobs=jobs)
        Definitions.validate_loadable(defs)
        return RepositoryDefinition(name or function.__name__, defs)

    return decorate(fn) if fn is not None else decorate
