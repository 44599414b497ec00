"""What the magics share: strict argument parsing, error translation, settings and the live display.

- :func:`magic_args` builds the parser from IPython's ``@argument`` decorators with
  :class:`StrictParser`: unknown or abbreviated flags are rejected with a ``UsageError`` that
  suggests the closest flag, never a ``SystemExit``.
- :func:`usage_errors` turns resnb's input errors (unknown names, bad config, bad targets) into a
  ``UsageError``: a short message, no traceback, and the cell still fails (so does nbclient).
  Errors raised by user code (``UserCodeExecutionError``) pass through with their traceback.
- ``-h``/``--help`` on any magic returns its usage as a :class:`MagicHelp` (what ``%name?`` shows).
- :class:`Resnb` holds the ``%config Resnb.<option>`` settings.
- :class:`LiveDisplay` shows one output, updates it in place, and empties it at the end.
"""

from __future__ import annotations

import functools
import keyword
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from IPython.core.displaypub import DisplayPublisher
from IPython.core.error import UsageError
from IPython.core.magic_arguments import MagicArgumentParser, real_name
from traitlets import Bool, Enum, Float, observe
from traitlets.config import Configurable

from resnb.errors import ResnbError, UserCodeExecutionError, did_you_mean

__all__ = [
    "LiveDisplay",
    "MagicHelp",
    "Resnb",
    "StrictParser",
    "check_variable_name",
    "magic_args",
    "names_after_config",
    "usage_errors",
]

F = TypeVar("F", bound=Callable[..., Any])

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_UNKNOWN = re.compile(r"unrecognized arguments: (?P<args>.*)")
_HELP_FLAGS = ("-h", "--help")


class MagicHelp:
    """A magic's usage, returned by ``%name -h`` / ``%name --help``: shown as plain text, not an error."""

    def __init__(self, text: str) -> None:
        text = text.strip()
        if text.startswith("::"):  # the reST literal-block marker of IPython's magic_arguments docs
            text = text[2:].lstrip("\n").rstrip()
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text}


class _HelpRequested(Exception):
    """``-h``/``--help`` was given: the magic returns its usage instead of running."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Resnb(Configurable):
    """Settings of the resnb extension: ``%config Resnb.log_level = 'DEBUG'``."""

    log_level = Enum(
        LOG_LEVELS,
        default_value="INFO",
        help="Level of resnb's loggers: context.log of an asset or op logs to resnb.step.<name>, "
        "of a resource to resnb.resource.<key>. INFO (the default) shows context.log.info, as Dagster does.",
    ).tag(config=True)
    graph_format = Enum(
        ("svg", "dot", "png"),
        default_value="svg",
        help="Format of %resource_graph when --format is not given.",
    ).tag(config=True)
    show_progress = Bool(
        True,
        help="Show per-asset progress of %materialize in one output updated in place (in a kernel).",
    ).tag(config=True)
    progress_interval = Float(
        0.1,
        help="Minimum seconds between two progress updates of %materialize (the last one always shows).",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: the pyproject.toml whose [tool.resnb] section gave settings, if one did
        self.project_file: Path | None = None
        self._apply_log_level(self.log_level)

    @observe("log_level")
    def _log_level_changed(self, change: Any) -> None:
        self._apply_log_level(change["new"])

    @staticmethod
    def _apply_log_level(level: str) -> None:
        logging.getLogger("resnb").setLevel(level)


class StrictParser(MagicArgumentParser):
    """A magic's argument parser: no abbreviations, intermixed positionals, ``UsageError`` on error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_abbrev = False

    def error(self, message: str) -> Any:
        match = _UNKNOWN.search(message)
        if match:
            first = match["args"].split()[0]
            flags = [s for action in self._actions for s in action.option_strings]
            hint = did_you_mean(first, flags) if first.startswith("-") else ""
            message += f".{hint}" if hint else ""
        usage = self.format_usage().replace("::", "").strip()
        raise UsageError(f"%{self.prog}: {message}\nusage: {usage}")

    def parse_argstring(self, argstring: str, *, partial: bool = False) -> Any:
        """Parse a magic's line; with ``partial=True`` (IPython's completer) return ``(args, extra)``.

        The completer's call never fails on an unclosed quote and leaves unknown words in ``extra``.
        """
        from IPython.utils.process import arg_split

        argstring = argstring.rstrip()
        if argstring.endswith(";"):  # a trailing ';' silences the output (@output_can_be_silenced)
            argstring = argstring[:-1]
        if partial:
            return self.parse_known_args(arg_split(argstring, posix=os.name != "nt", strict=False))
        try:
            argv = arg_split(argstring, posix=os.name != "nt", strict=True)  # quotes removed
        except ValueError as exc:  # an unclosed quote
            raise UsageError(f"%{self.prog}: cannot split the arguments ({exc}).") from None
        if self._asks_for_help(argv):
            raise _HelpRequested(getattr(self, "help_text", None) or self.format_help())
        return self.parse_intermixed_args(argv)

    def _asks_for_help(self, argv: list[str]) -> bool:
        """True when ``-h``/``--help`` is a flag of its own, not the value of an option before it."""
        for index, arg in enumerate(argv):
            if arg not in _HELP_FLAGS:
                continue
            previous = self._option_string_actions.get(argv[index - 1]) if index else None
            if previous is None or previous.nargs == 0:
                return True
        return False


def magic_args(func: F) -> F:
    """Like ``@magic_arguments()``, with :class:`StrictParser`; ``%name?`` shows the usage."""
    parser = StrictParser(prog=real_name(func), description=func.__doc__)
    group = None
    for decorator in getattr(func, "decorators", [])[::-1]:
        result = decorator.add_to_parser(parser, group)
        if result is not None:
            group = result
    func.parser = parser  # type: ignore[attr-defined]
    func.__doc__ = parser.help_text = parser.format_help()  # type: ignore[attr-defined]
    return func


def usage_errors(func: F) -> F:
    """Raise resnb's input errors as ``UsageError`` (user-code errors pass through unchanged).

    A ``-h``/``--help`` flag makes the magic return its usage (:class:`MagicHelp`).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _HelpRequested as help_requested:
            return MagicHelp(help_requested.text)
        except UserCodeExecutionError:
            raise
        except ResnbError as exc:
            raise UsageError(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def names_after_config(items: list[str] | None, names: list[str]) -> tuple[list[str] | None, list[str]]:
    """``args.config`` and the names with the names ``--config`` swallowed given back (``-c a.n=1 b``)."""
    if not items:
        return items, names
    from resnb.notebook.config_args import split_config_words

    kept, more = split_config_words(items)
    return kept or None, [*names, *more]


def check_variable_name(name: str | None) -> None:
    """``-o NAME`` must be a Python identifier that is not a keyword."""
    if name is None:
        return
    if not name.isidentifier() or keyword.iskeyword(name):
        what = "is a Python keyword" if keyword.iskeyword(name) else "is not a Python identifier"
        raise UsageError(f"-o {name!r}: the name to bind {what}; use a variable name such as result.")


class LiveDisplay:
    """One output shown through ``shell``'s display publisher and updated in place.

    Updates closer together than ``interval`` seconds are skipped, except the final one.
    """

    def __init__(self, shell: Any, interval: float) -> None:
        self.shell = shell
        self.interval = interval
        self.display_id = uuid.uuid4().hex
        self._shown = False
        self._last = 0.0

    @staticmethod
    def supported(shell: Any) -> bool:
        """True in a kernel (or any front end with its own display publisher), False in a terminal."""
        publisher = getattr(shell, "display_pub", None)
        return publisher is not None and type(publisher) is not DisplayPublisher

    def update(self, obj: Any, *, final: bool = False) -> None:
        """Show ``obj`` (first call) or replace what was shown."""
        now = time.perf_counter()
        if self._shown and not final and now - self._last < self.interval:
            return
        data, metadata = self.shell.display_formatter.format(obj)
        self.shell.display_pub.publish(
            data, metadata, transient={"display_id": self.display_id}, update=self._shown
        )
        self._shown = True
        self._last = now

    def clear(self) -> None:
        """Empty what was shown (an update to an empty bundle), so the cell keeps only its result."""
        if self._shown:
            self.shell.display_pub.publish({}, {}, transient={"display_id": self.display_id}, update=True)

    def end_failed(self, result: Any) -> None:
        """After a failure: show ``result`` for good if steps ran and one failed, else empty the display.

        The table is worth keeping only when it says what failed and what was skipped; a run that
        stopped before its first step (bad config, a resource that could not start) leaves just
        the error.
        """
        rows = getattr(result, "rows", None) or []
        ran = any(row.status not in ("pending", "running") for row in rows)
        if ran and any(row.status == "failed" for row in rows):
            self.update(result, final=True)
        else:
            self.clear()
