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
        "line per asset.",
    )
    materialize.add_argument("target", metavar="TARGET")
    materialize.add_argument("assets", nargs="+", metavar="ASSET")
    materialize.add_argument(
        "-u", "--upstream", action="store_true", help="also materialize their upstream assets"
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
    reports = run_notebooks(notebooks, timeout=_timeout(args.timeout), output_dir=args.output_dir)
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
    from resnb.notebook.loading import TargetError
    from resnb.notebook.session import Session

    _make_cwd_importable()
    session = Session()
    try:
        session.load(args.target)
    except TargetError as exc:
        raise UsageProblem(str(exc)) from None
    lines = _StepLines()
    try:
        result = session.materialize(args.assets, upstream=args.upstream, on_progress=lines.update)
    except InvalidSubsetError as exc:
        raise UsageProblem(str(exc)) from None
    except ResnbError as exc:
        lines.update(getattr(exc, "result", None))
        print(f"resnb materialize: {exc}{_user_traceback(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        session.close()
    lines.update(result)
    print(f"materialized {_count(len(result.asset_names), 'asset')} of {args.target}")
    return EXIT_OK


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
    """What ``Definitions.validate_loadable`` finds, job by job, so that every problem is listed."""
    from resnb.errors import ResnbError

    problems: dict[str, None] = {}
    for name in defs.job_names:
        try:
            defs.resolve_job_def(name)
        except ResnbError as exc:
            problems[str(exc)] = None
    if not problems:  # whatever else validate_loadable checks
        try:
            type(defs).validate_loadable(defs)
        except ResnbError as exc:
            problems[str(exc)] = None
    return list(problems)


def _print_problems(target: str, problems: list[str]) -> int:
    print(f"{target}: {_count(len(problems), 'problem')}")
    for problem in problems:
        print(f"  - {problem}")
    return EXIT_FAILURE


def _describe(defs: Any) -> str:
    counts = [(len(defs.assets), "asset"), (len(defs.jobs), "job"), (len(defs.resources), "resource")]
    return ", ".join(_count(count, noun) for count, noun in counts)
