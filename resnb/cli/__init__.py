"""The ``resnb`` command line.

::

    resnb run NOTEBOOK_OR_DIR ... [--output-dir DIR] [--timeout S | --no-timeout]   # headless
    resnb graph TARGET [-o FILE] [--format svg|dot|png] [--select SEL] [--no-resources]
    resnb materialize TARGET ASSET ... [--upstream] [--config ASSET.FIELD=VALUE ...] [--config-json JSON]
    resnb check TARGET                                              # validate, list problems

TARGET names a ``Definitions`` as ``%load_defs`` does: ``package.module:attr``, ``package.module``
or ``path/to/file.py[:attr]``; the current directory is importable, as with ``python -m``.

Exit status: 0 success, 1 a notebook, asset or check failed, 2 a usage error (bad arguments, a
missing path, a target that names no ``Definitions``), 130 interrupted. Only argparse is imported
at start, so ``--help`` and ``--version`` are fast; each command imports what it needs.

While a command runs, resnb's log records (INFO and up, so ``context.log.info`` in an asset) go
to stderr naming their logger, and warnings show their category (``common.reporting``).

One module per command (``run``, ``graph``, ``materialize``, ``check``), each adding its parser
with ``add_<command>``; ``common`` holds the exit statuses, ``UsageProblem`` and target loading.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from resnb._version import __version__
from resnb.cli.check import add_check
from resnb.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Handler,
    UsageProblem,
    UserCodeProblem,
    reporting,
)
from resnb.cli.graph import add_graph
from resnb.cli.materialize import add_materialize
from resnb.cli.run import add_run

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageProblem",
    "build_parser",
    "main",
]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``resnb`` command."""
    parser = argparse.ArgumentParser(
        prog="resnb",
        description="Dagster-compatible resources, assets and jobs, fast and notebook-friendly.",
        epilog="In a notebook: %load_ext resnb. TARGET: package.module[:attr] or path/to/file.py[:attr].",
    )
    parser.add_argument("--version", action="version", version=f"resnb {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (add_run, add_graph, add_materialize, add_check):
        add(commands)
    return parser


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
    handler: Handler = args.handler
    try:
        with reporting(args.command):
            return handler(args)
    except UsageProblem as exc:
        print(f"resnb {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UserCodeProblem as exc:
        print(f"resnb {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"resnb {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
