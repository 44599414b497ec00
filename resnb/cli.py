"""The ``resnb`` command line.

Only ``--version`` and ``--help`` work today. The subcommands below are reserved for later
releases: they appear in ``--help`` and, when called, say they are not available yet.
This module imports nothing heavy (no IPython, graphviz, nbclient or pytest) at import time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from resnb._version import __version__

# name -> one-line description, for subcommands not implemented yet
PLANNED_COMMANDS: dict[str, str] = {
    "run": "run notebooks headless",
    "graph": "render the resource and asset graph",
    "materialize": "materialize assets",
    "check": "validate definitions without running them",
}

EXIT_NOT_AVAILABLE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``resnb`` command."""
    parser = argparse.ArgumentParser(
        prog="resnb",
        description="Dagster-compatible resources, assets and jobs, fast and notebook-friendly.",
        epilog="In a notebook: %load_ext resnb",
    )
    parser.add_argument("--version", action="version", version=f"resnb {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in PLANNED_COMMANDS.items():
        sub = commands.add_parser(
            name, help=f"(not yet available) {summary}", description=f"{summary} (not yet available)"
        )
        sub.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``resnb`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    With no subcommand it prints the help and returns 0.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors: return instead of exiting
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if args.command is None:
        parser.print_help()
        return 0
    print(
        f"resnb {args.command}: not yet available in resnb {__version__}; see `resnb --help` for what is.",
        file=sys.stderr,
    )
    return EXIT_NOT_AVAILABLE
