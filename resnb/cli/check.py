"""``resnb check TARGET``: validate definitions without running them and list every problem once."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from resnb.cli.check_run import run_problems
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
    problems.update(run_problems(defs, target))
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


def _print_problems(target: str, problems: list[str]) -> int:
    print(f"{target}: {count(len(problems), 'problem')}")
    for problem in problems:
        print(f"  - {problem}")
    return EXIT_FAILURE


def _describe(defs: Any) -> str:
    counts = [(len(defs.assets), "asset"), (len(defs.jobs), "job"), (len(defs.resources), "resource")]
    return ", ".join(count(number, noun) for number, noun in counts)
