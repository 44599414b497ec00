"""``materialize`` and ``materialize_to_memory``: run assets with resources, in memory by default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from resnb.build.scope import check_resource_mapping
from resnb.core.assets import AssetsDefinition
from resnb.core.job_names import EPHEMERAL_ASSET_JOB, describe_job, describe_job_assets
from resnb.core.jobs import check_inputs_connected
from resnb.errors import (
    DefinitionError,
    InvalidSubsetError,
    InvariantViolationError,
    InvocationError,
    did_you_mean,
    listing,
)
from resnb.execution.io_managers import InMemoryIOManager
from resnb.execution.plan import Plan, plan_for_assets, plan_for_job
from resnb.execution.result import ExecuteInProcessResult
from resnb.execution.run import RunHooks, execute_plan
from resnb.execution.selection import select_assets

__all__ = [
    "bind_asset_resources",
    "default_io_manager",
    "materialize",
    "materialize_to_memory",
    "plan_for_job_definition",
]


def default_io_manager() -> InMemoryIOManager:
    """The IO manager used when none is given: values stay in memory for the run."""
    return InMemoryIOManager()


def _check_assets(assets: Any) -> list[AssetsDefinition]:
    items = list(assets)
    for item in items:
        if not isinstance(item, AssetsDefinition):
            raise DefinitionError(
                f"materialize() takes asset definitions (functions decorated with @asset), got "
                f"{item!r}. Did you forget the @asset decorator?"
            )
    return items


def bind_asset_resources(assets: Sequence[AssetsDefinition], resources: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level resources plus those bound to assets with ``with_resources``; overlaps are errors."""
    bound = dict(resources)
    for definition in assets:
        overlap = sorted(set(definition.resource_defs) & set(resources))
        if overlap:
            raise InvocationError(
                f"Asset '{definition.node_name}' already has resources bound for "
                f"{', '.join(overlap)} (with_resources or resource_defs=), and they were given "
                "again. Remove them from one place."
            )
        bound.update(definition.resource_defs)
    return bound


def materialize(
    assets: Sequence[AssetsDefinition],
    run_config: Any = None,
    instance: None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    selection: Any = None,
    executor: Any = None,
    hooks: RunHooks | None = None,
) -> ExecuteInProcessResult:
    """Materialise ``assets`` (or the ``selection`` of them) with ``resources``.

    Only the resources the selected assets need are initialised: each once, before the first
    step, torn down after the last in reverse order. Values stay in memory unless an
    ``io_manager`` resource is given. With ``raise_on_error=True`` the asset's own exception
    propagates; with ``False`` independent assets still run and the result reports failures.
    """
    definitions = _check_assets(assets)
    bound = bind_asset_resources(definitions, check_resource_mapping(resources or {}))
    bound.setdefault("io_manager", default_io_manager())
    plan = _asset_plan(EPHEMERAL_ASSET_JOB, definitions, selection, bound)
    return execute_plan(
        plan, run_config, raise_on_error, executor=executor, partition_key=partition_key, hooks=hooks
    )


def materialize_to_memory(
    assets: Sequence[AssetsDefinition],
    run_config: Any = None,
    instance: None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    selection: Any = None,
) -> ExecuteInProcessResult:
    """Like :func:`materialize`, with every IO manager replaced by an in-memory one."""
    definitions = _check_assets(assets)
    resources = dict(resources or {})
    manager_keys = {spec.io_manager_key for d in definitions for spec in d.outputs.values()}
    given = sorted(manager_keys & set(resources))
    if given:
        raise InvariantViolationError(
            f"materialize_to_memory() was given a resource for IO manager key '{given[0]}'; it "
            "replaces every IO manager with an in-memory one. Use materialize() to keep yours."
        )
    memory = default_io_manager()
    resources.update({key: memory for key in manager_keys | {"io_manager"}})
    return materialize(
        definitions, run_config, None, resources, partition_key, raise_on_error, tags, selection
    )


def _asset_plan(
    name: str, definitions: Sequence[AssetsDefinition], selection: Any, resources: Mapping[str, Any]
) -> Plan:
    try:
        selected = select_assets(definitions, selection)
    except InvalidSubsetError as exc:
        raise DefinitionError(
            f"Failed to resolve the asset selection for {describe_job(name)}: {exc}"
        ) from exc
    plan = plan_for_assets(name, definitions, selected, resources)
    _check_upstream_assets(definitions, plan)
    return plan


def _check_upstream_assets(definitions: Sequence[AssetsDefinition], plan: Plan) -> None:
    """Every asset input is produced by one of ``definitions`` (as in Dagster); else DefinitionError."""
    produced: dict[Any, None] | None = None
    for step in plan.steps:
        for param, source in step.inputs.items():
            if source.step is not None:
                continue
            if produced is None:
                produced = dict.fromkeys(k for d in definitions for k in d.keys)
            if source.asset_key in produced:
                continue
            wanted = source.asset_key.to_user_string()
            names = [k.to_user_string() for k in produced]
            raise DefinitionError(
                f"Input '{param}' of asset '{step.name}' is asset '{wanted}', which none of "
                f"{describe_job_assets(plan.name)} produces. Assets: {listing(names)}."
                f"{did_you_mean(wanted, names)} Pass the asset that produces it (use selection= "
                "to run only some), or point the input elsewhere with ins={...: AssetIn(...)}. "
                f"If '{param}' is meant to be a resource, annotate the parameter with its resource "
                "class or ResourceParam[...]; unannotated parameters are upstream assets."
            )


def plan_for_job_definition(job_def: Any, resources: Mapping[str, Any]) -> Plan:
    """The plan of an op job or an asset job (``define_asset_job``)."""
    if job_def.assets:
        return _asset_plan(job_def.name, job_def.assets, job_def.asset_selection, resources)
    check_inputs_connected(job_def)
    return plan_for_job(job_def, resources)
