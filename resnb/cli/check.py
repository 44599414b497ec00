"""``resnb check TARGET``: validate definitions without running them and list every problem once."""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING, Any

from resnb.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    add_command,
    bound_resources,
    command_line_text,
    count,
    load_defs,
)

if TYPE_CHECKING:
    from resnb.cli.common import Commands

__all__ = ["add_check", "check"]


def add_check(commands: Commands) -> None:
    """Add the ``check`` command to ``commands``."""
    add_command(
        commands,
        "check",
        check,
        summary="validate definitions without running them",
        description="Load the definitions, resolve every job and check resources, selections and "
        "cycles, the environment variables the resources in use read, and the config runs would "
        "need; list the problems found.",
    )


def check(args: argparse.Namespace) -> int:
    """Print ``ok`` with counts for ``args.target``, or its problems and return 1."""
    from resnb.errors import ResnbError

    try:
        defs = load_defs(args.target)
    except ResnbError as exc:  # raised while building the Definitions (duplicates, bad resources)
        return _print_problems(args.target, [command_line_text(str(exc))])
    problems = _problems(defs, args.target)
    if problems:
        return _print_problems(args.target, problems)
    print(f"{args.target}: ok ({_describe(defs)})")
    return EXIT_OK


def _problems(defs: Any, target: str) -> list[str]:
    """Every problem found without running anything, each once: the definitions', then a run's."""
    problems = _definition_problems(defs)
    problems.update(_run_problems(defs, target))
    return list(problems.values())


def _definition_problems(defs: Any) -> dict[Any, str]:
    """Each key an asset or op needs and each key a resource depends on that is not provided,
    resource cycles, then what resolving each job finds (bad selections, asset cycles).
    """
    from resnb.errors import MissingResourceError, ResnbError

    problems: dict[Any, str] = {}
    try:
        problems.update(_resource_problems(defs))
    except ResnbError as exc:  # resources bound twice (with_resources and Definitions)
        problems[str(exc)] = str(exc)
    listed_missing = any(isinstance(key, tuple) and key[0] == "missing" for key in problems)
    for name in defs.job_names:
        try:
            defs.resolve_job_def(name)
        except MissingResourceError as exc:
            if not listed_missing:  # a case the listing above does not cover
                problems.setdefault(str(exc), str(exc))
        except ResnbError as exc:
            problems.setdefault(_problem_key(exc), str(exc))
    return problems


def _run_problems(defs: Any, target: str) -> dict[Any, str]:
    """What stops a run of valid definitions: unset env vars of resources in use, config with no default."""
    from resnb.errors import ResnbError

    problems: dict[Any, str] = {}
    with contextlib.suppress(ResnbError):  # resources bound twice: a definition problem
        problems.update(_env_var_problems(defs))
    problems.update(_asset_config_problems(defs, target))
    for job in defs.jobs:
        problems.update(_op_config_problems(job))
    return problems


def _problem_key(error: Exception) -> Any:
    """What makes two problems the same: the members of a cycle (whichever it starts at), else the text."""
    cycle = getattr(error, "cycle", None)
    return ("cycle", frozenset(cycle)) if cycle else str(error)


def _resource_problems(defs: Any) -> dict[Any, str]:
    """Missing keys of assets, ops and resources, and resource cycles (key -> message)."""
    resources = bound_resources(defs)
    problems: dict[Any, str] = {}
    for definition in defs.assets:
        problems.update(_missing_for(f"asset '{definition.node_name}'", definition, resources))
    scopes: list[tuple[dict[str, Any], list[str]]] = [(resources, list(resources))]
    for job in defs.jobs:
        job_resources = {**resources, **getattr(job, "resource_defs", {})}
        for node_name, node in getattr(job, "nodes", {}).items():
            what = f"op '{node_name}' of job '{job.name}'"
            problems.update(_missing_for(what, node.op, job_resources))
        if getattr(job, "resource_defs", None):
            scopes.append((job_resources, list(job.resource_defs)))
    for scope_resources, keys in scopes:
        problems.update(_dependency_problems(scope_resources, keys))
    return problems


def _missing_for(what: str, definition: Any, resources: dict[str, Any]) -> dict[Any, str]:
    from resnb.errors import did_you_mean, listing

    return {
        ("missing", what, key): f"Resource '{key}' required by {what} was not provided. Available "
        f"resource keys: {listing(resources)}.{did_you_mean(key, resources)} Provide it "
        "(Definitions(resources=...) or the job's resource_defs) or fix the name."
        for key in sorted(definition.required_resource_keys - resources.keys())
    }


def _dependency_problems(resources: dict[str, Any], keys: list[str]) -> dict[Any, str]:
    """For ``keys``: each dependency not in ``resources``, a dependency that cannot be found, cycles."""
    from resnb.build.scope import ResourceScope
    from resnb.errors import DefinitionError, did_you_mean, listing

    scope = ResourceScope(resources)
    problems: dict[Any, str] = {}
    graph: dict[str, set[str]] = {}
    for key in keys:
        try:
            dependencies = scope.dependencies(key)
        except DefinitionError as exc:  # a configure_at_launch() resource nested but not provided
            problems[str(exc)] = str(exc)
            continue
        graph[key] = set(dependencies & resources.keys())
        for dependency in sorted(dependencies - resources.keys()):
            problems[("missing", f"resource '{key}'", dependency)] = (
                f"Resource '{key}' depends on resource '{dependency}', which was not provided. "
                f"Available resource keys: {listing(resources)}.{did_you_mean(dependency, resources)} "
                f"Add a resource under '{dependency}' or fix the reference."
            )
    for cycle_error in _cycles(graph):
        problems[_problem_key(cycle_error)] = str(cycle_error)
    return problems


def _cycles(graph: dict[str, set[str]]) -> list[Exception]:
    """One error per dependency cycle among ``graph``'s keys (each cycle's members then set aside)."""
    from resnb.core.toposort import toposort_mapping
    from resnb.errors import DependencyCycleError

    found: list[Exception] = []
    remaining = {key: {dep for dep in deps if dep in graph} for key, deps in graph.items()}
    while remaining:
        try:
            toposort_mapping(remaining, what="resource")
            break
        except DependencyCycleError as exc:
            found.append(exc)
            members = set(exc.cycle)
            remaining = {k: deps - members for k, deps in remaining.items() if k not in members}
    return found


# -- what would stop a run: unset env vars, config with no default --------------------------------
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
    problems: dict[Any, str] = {}
    for name, info in models.items():
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


def _print_problems(target: str, problems: list[str]) -> int:
    print(f"{target}: {count(len(problems), 'problem')}")
    for problem in problems:
        print(f"  - {problem}")
    return EXIT_FAILURE


def _describe(defs: Any) -> str:
    counts = [(len(defs.assets), "asset"), (len(defs.jobs), "job"), (len(defs.resources), "resource")]
    return ", ".join(count(number, noun) for number, noun in counts)
