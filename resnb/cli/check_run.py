"""What ``resnb check`` finds that would stop a run of valid definitions.

Unset environment variables read by the resources in use (names only, never values), and asset
or op config with required fields and no default (with the flags or run config that give it).
"""

from __future__ import annotations

import contextlib
from typing import Any

from resnb.cli.common import bound_resources

__all__ = ["run_problems"]


def run_problems(defs: Any, target: str) -> dict[Any, str]:
    """What stops a run of valid definitions: unset env vars of resources in use, config with no default."""
    from resnb.errors import ResnbError

    problems: dict[Any, str] = {}
    with contextlib.suppress(ResnbError):  # resources bound twice: a definition problem
        problems.update(_env_var_problems(defs))
    problems.update(_asset_config_problems(defs, target))
    for job in defs.jobs:
        problems.update(_op_config_problems(job))
    return problems


def _env_var_problems(defs: Any) -> dict[Any, str]:
    """Each unset env var a resource in use reads: the variable, the resource and field, its users.

    Only names are shown, never values. A resource is in use when an asset or an op of a job
    needs it, or a resource in use depends on it.
    """
    readers: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for resources, users_by_key in _resources_in_use(defs):
        for key, users in users_by_key.items():
            for variable, where in _unset_env_vars(resources[key], key):
                _, known = readers.setdefault((variable, where), (key, []))
                known.extend(user for user in users if user not in known)
    return {
        ("env", variable, where): f'Environment variable "{variable}" is not set, but {where} reads it '
        f"(EnvVar(\"{variable}\")); resource '{key}' is used by {_some(users)}. Set it in the environment "
        f"before running (export {variable}=...) or pass a value directly."
        for (variable, where), (key, users) in readers.items()
    }


def _resources_in_use(defs: Any) -> list[tuple[dict[str, Any], dict[str, list[str]]]]:
    """Per resource scope (the Definitions', each op job's): its resources, and key -> what uses it."""
    resources = bound_resources(defs)
    scopes = [(resources, {f"asset '{d.node_name}'": d.required_resource_keys for d in defs.assets})]
    for job in defs.jobs:
        nodes = getattr(job, "nodes", {})
        if nodes:
            needs = {
                f"op '{name}' of job '{job.name}'": node.op.required_resource_keys
                for name, node in nodes.items()
            }
            scopes.append(({**resources, **getattr(job, "resource_defs", {})}, needs))
    return [(scope, _users_by_key(scope, needs)) for scope, needs in scopes]


def _users_by_key(resources: dict[str, Any], needs: dict[str, frozenset[str]]) -> dict[str, list[str]]:
    """Key -> the users (``asset 'a'``) that need it, directly or through another resource.

    Keys that are not provided are left out: they are reported as missing.
    """
    from resnb.build.scope import ResourceScope
    from resnb.errors import ResnbError

    scope = ResourceScope(resources)
    users_by_key: dict[str, list[str]] = {}
    for user, keys in needs.items():
        todo = [key for key in sorted(keys) if key in resources]
        while todo:
            key = todo.pop()
            users = users_by_key.setdefault(key, [])
            if user in users:
                continue
            users.append(user)
            try:
                todo.extend(sorted(scope.dependencies(key) & resources.keys()))
            except ResnbError:  # a nested configure_at_launch() resource not provided: listed above
                continue
    return users_by_key


def _unset_env_vars(resource: Any, key: str) -> list[tuple[str, str]]:
    """(variable, what reads it) for each unset env var initialising ``resource`` (no run config) reads."""
    from resnb.build.resolve import apply_run_config, unset_env_vars
    from resnb.core.legacy import ResourceDefinition
    from resnb.core.resources import ConfigurableResourceFactory, PartialResource

    if isinstance(resource, ResourceDefinition):
        found: list[tuple[str, str]] = resource.unset_env_vars(None, f"resource '{key}'")
        return found
    if not isinstance(resource, (ConfigurableResourceFactory, PartialResource)):
        return []
    try:
        configured = apply_run_config(key, resource, None)
    except Exception:  # noqa: BLE001 - config given at launch: not an env var question
        return []
    return unset_env_vars(configured, key)


def _some(users: list[str], shown: int = 3) -> str:
    """``asset 'a', asset 'b'``; past ``shown`` users, ``... and 2 more``."""
    rest = len(users) - shown
    return ", ".join(users[:shown]) + (f" and {rest} more" if rest > 0 else "")


def _asset_config_problems(defs: Any, target: str) -> dict[Any, str]:
    """Each asset whose config has required fields with no default, with the flags that give them."""
    from resnb.notebook.asset_config import AssetConfigError, asset_run_config, config_models

    models = config_models(defs.assets)
    given_by_jobs = _nodes_configured_by_jobs(defs)
    problems: dict[Any, str] = {}
    for name, info in models.items():
        if info.node in given_by_jobs:
            continue
        try:
            asset_run_config({}, models, [name], f"resnb materialize {target} {name}")
        except AssetConfigError as exc:
            fields = [problem.field for problem in exc.problems]
            flags = str(exc).splitlines()[-1]  # its message ends with the flags that give the config
            problems.setdefault(
                ("config", info.node),
                f"Asset '{name}' needs run config: {_fields_without_default(fields)}. {flags}",
            )
    return problems


def _nodes_configured_by_jobs(defs: Any) -> set[str]:
    """Nodes (assets) whose config a job's own ``config=`` gives (``define_asset_job(config=...)``)."""
    from resnb.core.keys import RunConfig

    nodes: set[str] = set()
    for job in defs.jobs:
        config = getattr(job, "config", None)
        if isinstance(config, RunConfig):
            config = config.to_config_dict()
        if isinstance(config, dict) and isinstance(config.get("ops"), dict):
            nodes.update(config["ops"])
    return nodes


def _op_config_problems(job: Any) -> dict[Any, str]:
    """Each op of ``job`` whose config has required fields with no default, with the run config to give."""
    from resnb.execution.run_config import config_address

    if getattr(job, "config", None) is not None:  # the job gives its ops' config
        return {}
    problems: dict[Any, str] = {}
    for name, node in getattr(job, "nodes", {}).items():
        fields = _required_fields(node.op)
        if fields:
            config = "{'config': {" + ", ".join(f"{field!r}: ..." for field in fields) + "}}"
            problems[("config", job.name, name)] = (
                f"Op '{name}' of job '{job.name}' needs run config: {_fields_without_default(fields)}. "
                f"Give it when running the job: run_config={config_address(name, config)}."
            )
    return problems


def _required_fields(op: Any) -> list[str]:
    """The fields of ``op``'s config with no default ([] for an op configured with ``configured``)."""
    from resnb.core.legacy_config import ConfigSchema

    if getattr(op, "config_mapping", None) is not None:
        return []
    if op.params.config is not None:
        model = op.params.config[1]
    elif op.config_schema is not None:
        model = ConfigSchema(op.config_schema).model
    else:
        return []
    if model is None:  # a single value, not fields
        return []
    return [name for name, field in model.model_fields.items() if field.is_required()]


def _fields_without_default(fields: list[str]) -> str:
    names = ", ".join(f"'{field}'" for field in fields)
    return (
        f"its config field {names} has no default"
        if len(fields) == 1
        else f"its config fields {names} have no default"
    )
