"""What every ``resnb`` command shares: exit statuses, usage problems, subcommand setup, targets.

Only the standard library is imported here at module level, so ``resnb --help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TypeAlias

    #: What ``ArgumentParser.add_subparsers`` returns: each command module adds its parser to it.
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Handler",
    "UsageProblem",
    "UserCodeProblem",
    "add_command",
    "bound_resources",
    "command_line_text",
    "count",
    "load_defs",
    "reporting",
    "user_traceback",
]

#: How the commands print log records: ``INFO resnb.step.my_asset: message``. A step's
#: ``context.log`` logs to ``resnb.step.<step name>``, a resource's to ``resnb.resource.<key>``.
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# resnb's own files: left out of the tracebacks of the user's code
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_IMPORTLIB_DIR = os.path.dirname(os.path.abspath(importlib.__file__)) + os.sep

# Phrases of shared messages written for Python and notebooks (see command_line_text)
_MAGIC_HINT = re.compile(r" \(try %[a-z_]+\b[^)]*\)")
_SEE_ABOVE = "see the exception above"
_SEE_ABOVE_CLAUSE = re.compile(r"(; | \()see the exception above( for where it was raised)?\)?")

#: A command's implementation: takes the parsed arguments, returns the exit status.
Handler = Callable[[argparse.Namespace], int]


class UsageProblem(Exception):
    """Bad input to a command (a missing path, an unknown asset): printed without a traceback, exit 2."""


class UserCodeProblem(Exception):
    """The user's code raised while the target was loaded: printed with the user's frames only, exit 1."""


def add_command(
    commands: Commands,
    name: str,
    handler: Handler,
    *,
    summary: str,
    description: str,
    target: bool = True,
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` (with a ``TARGET`` argument unless ``target`` is false) run by ``handler``.

    ``summary`` is the line in ``resnb --help``, ``description`` the text of ``resnb NAME --help``.
    The caller adds the command's other arguments to the returned parser.
    """
    parser = commands.add_parser(name, help=summary, description=description)
    if target:
        parser.add_argument("target", metavar="TARGET")
    parser.set_defaults(handler=handler)
    return parser


def _make_cwd_importable() -> None:
    """Put the current directory on ``sys.path`` as ``python -m`` does, so ``shop.defs`` finds ./shop."""
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


def load_defs(target: str) -> Any:
    """The ``Definitions`` ``target`` names; a ``TargetError`` becomes a usage problem."""
    from resnb.errors import ResnbError
    from resnb.notebook.loading import TargetError, load_target

    _make_cwd_importable()
    try:
        return load_target(target).defs
    except TargetError as exc:
        raise UsageProblem(str(exc)) from None
    except ResnbError:
        raise
    except Exception as exc:  # noqa: BLE001 - the user's module (or its @definitions) raised
        summary = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
        message = f"loading '{target}' raised {summary}{user_traceback(exc)}"
        raise UserCodeProblem(message) from None


def user_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` without resnb's and importlib's frames ("" when none is left)."""
    if exc.__traceback__ is None:
        return ""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if _is_user_frame(frame.filename)]
    if not frames and not isinstance(exc, SyntaxError):
        return ""
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "\n\nTraceback (most recent call last):\n" + "".join(lines).rstrip("\n")


def command_line_text(message: str, traceback: str = "") -> str:
    """``message`` (a resnb error's) worded for a terminal, where ``traceback`` ("" if none) follows it.

    Messages shared with Python and notebooks say "see the exception above" (Python prints the
    user's exception before resnb's) and may suggest a notebook magic ("Fix it (try
    %build_resources db) and ..."). Here the traceback comes after the message: the phrase
    points below, or goes when no traceback is printed; the magic's hint goes.
    """
    message = _MAGIC_HINT.sub("", message)
    if traceback:
        return message.replace(_SEE_ABOVE, "see the traceback below")
    return _SEE_ABOVE_CLAUSE.sub("", message)


def _is_user_frame(filename: str) -> bool:
    return not filename.startswith((_PACKAGE_DIR, _IMPORTLIB_DIR, "<frozen "))


def bound_resources(defs: Any) -> dict[str, Any]:
    """The resources ``defs``' assets run with: theirs and the Definitions', plus the default IO manager."""
    from resnb.execution.materialize import bind_asset_resources, default_io_manager

    resources: dict[str, Any] = bind_asset_resources(defs.assets, defs.resources)
    resources.setdefault("io_manager", default_io_manager())
    return resources


@contextlib.contextmanager
def reporting(command: str) -> Iterator[None]:
    """While a command runs: resnb's INFO log records and every warning go to stderr, named.

    Log lines name their logger (so the step or resource); a warning shows its category and
    message, prefixed ``resnb COMMAND:``, and the file and line only when they are the user's
    (not resnb's own, nor the line that called the command, such as the ``resnb`` entry script's).
    The ``resnb`` logger and the warning filters are restored afterwards.
    """
    import logging
    import warnings

    callers = _calling_lines()

    def show(message: Any, category: type[Warning], filename: str, lineno: int, *_: Any) -> None:
        where = f" (at {filename}:{lineno})" if _is_user_line(filename, lineno, callers) else ""
        print(f"resnb {command}: {category.__name__}: {message}{where}", file=sys.stderr)

    logger = logging.getLogger("resnb")
    handler = _stderr_handler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    previous = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        with warnings.catch_warnings():  # restores showwarning afterwards
            warnings.showwarning = show
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _calling_lines() -> frozenset[tuple[str, int]]:
    """(file, line) of every frame on the stack now: the command's callers, such as the entry script.

    A warning whose stacklevel climbs out of resnb lands on one of these lines, which are not
    the user's code (``sys.exit(main())`` in ``bin/resnb``, a test calling ``main``).
    """
    return frozenset((frame.f_code.co_filename, lineno) for frame, lineno in traceback.walk_stack(None))


def _is_user_line(filename: str, lineno: int, callers: frozenset[tuple[str, int]]) -> bool:
    """Whether a warning's location is the user's code: not resnb's, not ``<...>``, not a caller's."""
    if filename.startswith("<") or (filename, lineno) in callers:
        return False
    return not os.path.abspath(filename).startswith(_PACKAGE_DIR)


def _stderr_handler() -> Any:
    """A logging handler writing to whatever ``sys.stderr`` is when a record comes (tests swap it)."""
    from resnb._stderr import CurrentStderrHandler

    return CurrentStderrHandler()


def count(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural unless ``number`` is 1: ``count(2, 'asset') == '2 assets'``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
