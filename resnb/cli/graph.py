"""``resnb graph TARGET [-o FILE] [--format svg|dot|png] [--select SEL] [--no-resources]``."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import TYPE_CHECKING, Any

from resnb.cli.common import EXIT_FAILURE, EXIT_OK, UsageProblem, add_command, load_defs

if TYPE_CHECKING:
    from resnb.cli.common import Commands

__all__ = ["GRAPH_FORMATS", "add_graph", "graph"]

GRAPH_FORMATS = ("svg", "dot", "png")


def add_graph(commands: Commands) -> None:
    """Add the ``graph`` command to ``commands``."""
    parser = add_command(
        commands,
        "graph",
        graph,
        summary="draw the resource and asset graph",
        description="Draw the graph of resources and assets as DOT, SVG or PNG. Without -o, DOT "
        "(or SVG with --format svg) goes to stdout.",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write here (format from the suffix by default)"
    )
    parser.add_argument("-f", "--format", choices=GRAPH_FORMATS, help="svg, dot or png")
    parser.add_argument(
        "-s", "--select", metavar="SEL", help="only part of the graph, e.g. 'raw+' or '+report'"
    )
    parser.add_argument("--no-resources", action="store_true", help="leave resources out")


def graph(args: argparse.Namespace) -> int:
    """Draw the graph of ``args.target`` to a file or stdout; 1 if it cannot be drawn or written.

    An ``-o`` whose directory does not exist is a usage problem (2), found before any work.
    """
    from resnb.errors import InvalidSubsetError
    from resnb.notebook.render import GraphRenderError, graph_view

    fmt = _graph_format(args.output, args.format)
    if args.output is not None:
        _check_output_dir(args.output)
    defs = load_defs(args.target)
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


def _check_output_dir(output: str) -> None:
    """Raise a usage problem when the directory ``-o`` names does not exist (before any work)."""
    directory = os.path.dirname(os.path.abspath(output))
    if os.path.isdir(directory):
        return
    if os.path.exists(directory):
        problem, fix = f"'{directory}' is not a directory", "Give -o a path in a directory"
    else:
        problem = f"the directory '{directory}' does not exist"
        fix = (
            f"Create it first (mkdir -p {shlex.quote(directory)}) or give -o a path in an existing directory"
        )
    raise UsageProblem(f"cannot write '{output}': {problem}. {fix}.")


def _svg_of(view: Any) -> str:
    from resnb.notebook.render import INSTALL_HINT, GraphRenderError

    if view.svg is None:
        raise GraphRenderError(f"cannot draw SVG: {INSTALL_HINT}; or use --format dot")
    svg: str = view.svg
    return svg if svg.endswith("\n") else svg + "\n"
