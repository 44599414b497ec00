"""``resnb run NOTEBOOK_OR_DIR ... [--output-dir DIR] [--timeout S | --no-timeout]``: notebooks headless."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from resnb.cli.common import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageProblem, add_command

if TYPE_CHECKING:
    from resnb.cli.common import Commands

__all__ = ["add_run", "run"]


def add_run(commands: Commands) -> None:
    """Add the ``run`` command to ``commands``."""
    parser = add_command(
        commands,
        "run",
        run,
        summary="run notebooks headless and report the failing cell",
        description="Execute notebooks top to bottom with a kernel of this Python, each in its own "
        "directory; print one status line per notebook and the failures at the end. Cells tagged "
        "raises-exception must raise; cells tagged skip-execution are skipped.",
        target=False,
    )
    parser.add_argument(
        "paths", nargs="+", metavar="NOTEBOOK_OR_DIR", help="a .ipynb file or a directory of them"
    )
    parser.add_argument(
        "--output-dir", metavar="DIR", help="write the executed notebooks (with outputs) here"
    )
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument(
        "--timeout",
        type=_seconds,
        default=600,
        metavar="S",
        help="seconds each cell may run, more than 0 (default: 600)",
    )
    limit.add_argument(
        "--no-timeout",
        dest="timeout",
        action="store_const",
        const=None,
        help="let each cell run as long as it takes",
    )


def _seconds(text: str) -> float:
    """``--timeout``'s value: a finite number of seconds above 0 (argparse names the flag on error)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(
            f"give the seconds each cell may run as a number above 0, not {text!r} "
            "(for no limit, use --no-timeout instead)"
        )
    return seconds


def run(args: argparse.Namespace) -> int:
    """Run the notebooks ``args.paths`` names; 1 if one failed, 130 if interrupted."""
    from resnb.testing.batch import expand_paths, output_paths, run_notebooks

    try:
        notebooks = expand_paths(args.paths)
        if args.output_dir is not None:
            output_paths(notebooks, args.output_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise UsageProblem(str(exc)) from None
    try:
        reports = run_notebooks(notebooks, timeout=args.timeout, output_dir=args.output_dir)
    except KeyboardInterrupt:  # run_notebooks printed "interrupted: N of M notebooks run"
        return EXIT_INTERRUPTED
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILURE
