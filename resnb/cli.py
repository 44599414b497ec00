"""The ``resnb`` command line.

::

    resnb run NOTEBOOK_OR_DIR ... [--output-dir DIR] [--timeout S]   # notebooks headless
    resnb graph TARGET [-o FILE] [--format svg|dot|png] [--select SEL] [--no-resources]
    resnb materialize TARGET ASSET ... [--upstream]
    resnb check TARGET                                              # validate, list problems

TARGET names a ``Definitions`` as ``%load_defs`` does: ``package.module:attr``, ``package.module``
or ``path/to/file.py[:attr]``; the current directory is importable, as with ``python -m``.

Exit status: 0 success, 1 a notebook, asset or check failed, 2 a usage error (bad arguments, a
missing path, a target that names no ``Definitions``), 130 interrupted. Only argparse is imported
at start, so ``--help`` and ``--version`` are fast; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from resnb._version import __version__

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageProblem",
    "build_parser",
    "main",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

GRAPH_FORMATS = ("svg", "dot", "png")


class UsageProblem(Exception):
    """Bad input to a command (a missing path, an unknown asset): printed without a traceback, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``resnb`` command."""
    parser = argparse.ArgumentParser(
        prog="resnb",
        description="Dagster-compatible resources, assets and jobs, fast and notebook-friendly.",
        epilog="In a notebook: %load_ext resnb. TARGET: package.module[:attr] or path/to/file.py[:attr].",
    )
    parser.add_argument("--version", action="version", version=f"resnb {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_run(commands)
    _add_graph(commands)
    _add_materialize(commands)
    _add_check(commands)
    return parser


def _add_run(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="run notebooks headless and report the failing cell",
        description="Execute notebooks top to bottom with a kernel of this Python, each in its own "
        "directory; print one status line per notebook and the failures at the end. Cells tagged "
        "raises-exception must raise; cells tagged skip-execution are skipped.",
    )
    run.add_argument(
        "paths", nargs="+", metavar="NOTEBOOK_OR_DIR", help="a .ipynb file or a directory of them"
    )
    run.add_argument("--output-dir", metavar="DIR", help="write the executed notebooks (with outputs) here")
    run.add_argument(
        "--timeout",
        type=float,
        default=600,
        metavar="S",
        help="seconds each cell may run, 0: no limit (default: 600)",
    )
    run.set_defaults(handler=_run)


def _add_graph(commands: Any) -> None:
    graph = commands.add_parser(
        "graph",
        help="draw the resource and asset graph",
        description="Draw the graph of resources and assets as DOT, SVG or PNG. Without -o, DOT "
        "(or SVG with --format svg) goes to stdout.",
    )
    graph.add_argument("target", metavar="TARGET")
    graph.add_argument(
        "-o", "--output", metavar="FILE", help="write here (format from the suffix by default)"
    )
    graph.add_argument("-f", "--format", choices=GRAPH_FORMATS, help="svg, dot or png")
    graph.add_argument(
        "-s", "--select", metavar="SEL", help="only part of the graph, e.g. 'raw+' or '+report'"
    )
    graph.add_argument("--no-resources", action="store_true", help="leave resources out")
    graph.set_defaults(handler=_graph)


def _add_materialize(commands: Any) -> None:
    materialize = commands.add_parser(
        "materialize",
        help="materialize assets",
        description="Materialize the named assets with the target's resources and print one status "
        "line per asset. Upstream values are loaded through their IO managers (a FilesystemIOManager, "
        "say); an upstream asset whose IO manager keeps values in memory (the default) is "
        "materialized too, and a line says so.",
    )
    materialize.add_argument("target", metavar="TARGET")
    materialize.add_argument("assets", nargs="+", metavar="ASSET")
    materialize.add_argument(
        "-u",
        "--upstream",
        action="store_true",
        help="recompute every upstream asset instead of loading stored values",
    )
    materialize.set_defaults(handler=_materialize)


def _add_check(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="validate definitions without running them",
        description="Load the definitions, resolve every job and check resources, selections and "
        "cycles; list the problems found.",
    )
    check.add_argument("target", metavar="TARGET")
    check.set_defaults(handler=_check)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``resnb`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    With no subcommand it prints the help and returns 0.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors: return instead of exiting
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UsageProblem as exc:
        print(f"resnb {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"resnb {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


# -- run -------------------------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    from resnb.testing.batch import expand_paths, output_paths, run_notebooks

    try:
        notebooks = expand_paths(args.paths)
        if args.output_dir is not None:
            output_paths(notebooks, args.output_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise UsageProblem(str(exc)) from None
    try:
        reports = run_notebooks(notebooks, timeout=_timeout(args.timeout), output_dir=args.output_dir)
    except KeyboardInterrupt:  # run_notebooks printed "interrupted: N of M notebooks run"
        return EXIT_INTERRUPTED
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILURE


def _timeout(seconds: float) -> float | None:
    return seconds if seconds > 0 else None


# -- targets ---------------------------------------------------------------------------------------


def _make_cwd_importable() -> None:
    """Put the current directory on ``sys.path`` as ``python -m`` does, so ``shop.defs`` finds ./shop."""
    import os

    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


def _load(target: str) -> Any:
    """The ``Definitions`` ``target`` names; a ``TargetError`` becomes a usage problem."""
    from resnb.notebook.loading import TargetError, load_target

    _make_cwd_importable()
    try:
        return load_target(target).defs
    except TargetError as exc:
        raise UsageProblem(str(exc)) from None


# -- graph -----------------------------------------------------------------------------------------


def _graph(args: argparse.Namespace) -> int:
    from resnb.errors import InvalidSubsetError
    from resnb.notebook.render import GraphRenderError, graph_view

    fmt = _graph_format(args.output, args.format)
    defs = _load(args.target)
    try:
        view = graph_view(
            defs,
            select=args.select,
            include_resources=not args.no_resources,
            render_svg=args.output is None and fmt == "svg",
            max_layout_size=None,  # SVG was asked for explicitly: draw it however large
        )
        if args.output is not None:
            written = view.save(args.output, fmt)
            print(f"wrote {written} ({view.summary})")
        elif fmt == "dot":
            print(view.dot, end="" if view.dot.endswith("\n") else "\n")
        else:
            sys.stdout.write(_svg_of(view))
    except InvalidSubsetError as exc:
        raise UsageProblem(f"--select {args.select!r}: {exc}") from None
    except (GraphRenderError, OSError) as exc:
        print(f"resnb graph: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def _graph_format(output: str | None, fmt: str | None) -> str | None:
    """The format to write; ``None`` lets ``GraphView.save`` take it from the file's suffix."""
    if output is None:
        if fmt == "png":
            raise UsageProblem("--format png writes binary data: give a file with -o FILE.png")
        return fmt or "dot"
    if fmt is None and not output.lower().endswith((".svg", ".png", ".dot", ".gv")):
        raise UsageProblem(f"cannot tell the format of '{output}' from its suffix: add --format svg|dot|png")
    return fmt


def _svg_of(view: Any) -> str:
    from resnb.notebook.render import INSTALL_HINT, GraphRenderError

    if view.svg is None:
        raise GraphRenderError(f"cannot draw SVG: {INSTALL_HINT}; or use --format dot")
    svg: str = view.svg
    return svg if svg.endswith("\n") else svg + "\n"


# -- materialize -----------------------------------------------------------------------------------


def _materialize(args: argparse.Namespace) -> int:
    from resnb.errors import InvalidSubsetError, ResnbError
    from resnb.notebook import runs

    defs = _load_or_report(args.target)
    if defs is None:
        return EXIT_FAILURE
    try:
        plan, note = _materialize_plan(defs, args.assets, args.upstream)
        if note:
            print(note, flush=True)
        needs = _resource_keys_by_step(plan)
        live, result = runs.run_plan(plan, _StepLines().update)
    except InvalidSubsetError as exc:
        raise UsageProblem(str(exc)) from None
    except ResnbError as exc:
        print(f"resnb materialize: {exc}{_user_traceback(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    error = runs.failure_error(live, result, needs)
    if error is not None:
        hint = "" if args.upstream else _load_hint(error, plan)
        print(f"resnb materialize: {error}{hint}{_user_traceback(error)}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"materialized {_count(len(live.asset_names), 'asset')} of {args.target}")
    return EXIT_OK


def _load_or_report(target: str) -> Any:
    """The Definitions ``target`` names, or None after printing the error raised building them."""
    from resnb.errors import ResnbError

    try:
        return _load(target)
    except ResnbError as exc:
        print(f"resnb: cannot build the Definitions of '{target}': {exc}", file=sys.stderr)
        return None


def _materialize_plan(defs: Any, names: list[str], upstream: bool) -> tuple[Any, str]:
    """The plan running ``names``, and a line saying which upstream assets were added and why.

    Without ``upstream``, an upstream asset is loaded through its IO manager when that manager
    keeps values beyond this process (not the in-memory one); otherwise it runs too.
    """
    from resnb.execution.materialize import bind_asset_resources, default_io_manager
    from resnb.execution.selection import asset_graph
    from resnb.notebook import runs

    resources = bind_asset_resources(defs.assets, defs.resources)
    resources.setdefault("io_manager", default_io_manager())
    graph = asset_graph(defs.assets)
    loadable = _loadable(defs, resources)
    wanted = runs.selection(graph, names, None, upstream=upstream, available=loadable)
    added = [name for name in wanted if name not in names]
    note = ""
    if added and not upstream:
        note = (
            f"also materializing upstream {_names(added)}: {'its' if len(added) == 1 else 'their'} "
            "IO manager keeps values in memory only, so no earlier run's value can be loaded"
        )
    return runs.plan_run(defs.assets, wanted, resources), note


def _loadable(defs: Any, resources: dict[str, Any]) -> Callable[[str], bool]:
    """Whether asset ``name``'s stored value can be loaded: its IO manager is not an in-memory one."""
    from resnb.core.keys import AssetKey
    from resnb.execution.io_managers import InMemoryIOManager

    def loadable(name: str) -> bool:
        key = AssetKey.from_user_string(name)
        outputs = defs.resolve_assets_def(key).outputs.values()
        manager_key = next(spec.io_manager_key for spec in outputs if spec.asset_key == key)
        manager = resources.get(manager_key)
        return manager is not None and not isinstance(manager, InMemoryIOManager)

    return loadable


def _load_hint(error: BaseException, plan: Any) -> str:
    """A hint when an IO manager failed in a run that loads upstream values instead of computing them."""
    from resnb.errors import IOManagerError

    loads = any(source.step is None for step in plan.steps for source in step.inputs.values())
    if not loads or not isinstance(error.__cause__, IOManagerError):
        return ""
    return " To compute the upstream values in this run instead of loading them, add --upstream."


def _resource_keys_by_step(plan: Any) -> dict[str, list[str]]:
    """Step -> the resource keys it needs, dependencies included (to name them when one fails)."""
    from resnb.build.scope import ResourceScope

    scope = ResourceScope(plan.resources)
    return {step.name: scope.init_order(step.required_keys & plan.resources.keys()) for step in plan.steps}


def _names(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


class _StepLines:
    """Prints one line per step of a run as soon as it ends: status, asset(s), duration, error."""

    def __init__(self) -> None:
        self.printed: set[str] = set()

    def update(self, result: Any) -> None:
        for row in getattr(result, "rows", []):
            if row.step not in self.printed and row.status not in ("pending", "running"):
                self.printed.add(row.step)
                duration = f"{row.duration * 1000:9.2f} ms" if row.duration is not None else " " * 12
                print(f"{row.status:<10} {row.label:<24} {duration}  {row.error}".rstrip(), flush=True)


def _user_traceback(error: BaseException) -> str:
    """The traceback of the user's exception behind ``error``, without resnb's own frames."""
    import os
    import traceback

    cause = error.__cause__
    if cause is None or cause.__traceback__ is None:
        return ""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frames = [
        frame for frame in traceback.extract_tb(cause.__traceback__) if not frame.filename.startswith(package)
    ]
    if not frames:  # raised by resnb itself (an IO manager that cannot load): the message says it all
        return ""
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(cause), cause)
    return "\n\nTraceback (most recent call last):\n" + "".join(lines).rstrip("\n")


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- check -----------------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    from resnb.errors import ResnbError

    try:
        defs = _load(args.target)
    except ResnbError as exc:  # raised while building the Definitions (duplicates, bad resources)
        return _print_problems(args.target, [str(exc)])
    problems = _problems(defs)
    if problems:
        return _print_problems(args.target, problems)
    print(f"{args.target}: ok ({_describe(defs)})")
    return EXIT_OK


def _problems(defs: Any) -> list[str]:
    """Every problem found without running anything, each once.

    Each key an asset or op needs and each key a resource depends on that is not provided,
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
    return list(problems.values())


def _problem_key(error: Exception) -> Any:
    """What makes two problems the same: the members of a cycle (whichever it starts at), else the text."""
    cycle = getattr(error, "cycle", None)
    return ("cycle", frozenset(cycle)) if cycle else str(error)


def _resource_problems(defs: Any) -> dict[Any, str]:
    """Missing keys of assets, ops and resources, and resource cycles (key -> message)."""
    from resnb.execution.materialize import bind_asset_resources, default_io_manager

    resources = bind_asset_resources(defs.assets, defs.resources)
    resources.setdefault("io_manager", default_io_manager())
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
    print(f"{target}: {_count(len(problems), 'problem')}")
    for problem in problems:
        print(f"  - {problem}")
    return EXIT_FAILURE


def _describe(defs: Any) -> str:
    counts = [(len(defs.assets), "asset"), (len(defs.jobs), "job"), (len(defs.resources), "resource")]
    return ", ".join(_count(count, noun) for count, noun in counts)
