"""The errors resnb raises, rooted at :class:`ResnbError`.

Every message names the thing at fault (asset, op, resource key, field, env var) and says what to
do next. Dagster's class names are exported from :mod:`resnb` as aliases of these classes, so
``except dg.DagsterInvalidDefinitionError`` and ``pytest.raises(dg.DagsterInvalidConfigError)``
port unchanged::

    ResnbError                                   (DagsterError)
    ├── DefinitionError                          (DagsterInvalidDefinitionError)
    │   ├── MissingResourceError
    │   ├── DuplicateDefinitionError
    │   └── DependencyCycleError                 (also InvariantViolationError)
    ├── ConfigError                              (DagsterInvalidConfigError)
    │   ├── UnknownFieldError                    (also TypeError)
    │   └── EnvVarError
    ├── InvocationError                          (DagsterInvalidInvocationError)
    │   └── FrozenFieldError
    ├── InvariantViolationError                  (DagsterInvariantViolationError)
    ├── InvalidSubsetError                       (DagsterInvalidSubsetError)
    ├── UnknownPartitionError                    (DagsterUnknownPartitionError)
    ├── UnknownResourceError                     (DagsterUnknownResourceError; also AttributeError)
    ├── IOManagerError                           (a value could not be stored or loaded)
    ├── GraphRenderError                         (Graphviz failed to draw the graph, or none found)
    ├── TypeCheckError                           (DagsterTypeCheckDidNotPass)
    └── UserCodeExecutionError                   (DagsterUserCodeExecutionError)
        ├── ResourceFunctionError                (DagsterResourceFunctionError)
        └── StepExecutionError                   (DagsterExecutionStepExecutionError)

    ResourceTeardownWarning (UserWarning): a teardown failed; the run or block still succeeds.

In IPython and Jupyter a resnb error is shown without resnb's own frames (see
:meth:`ResnbError._render_traceback_`): the user's code, the cell and the message. The
exception itself is unchanged, so ``%debug`` and ``sys.last_value`` see everything.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable

__all__ = [
    "ConfigError",
    "DefinitionError",
    "DependencyCycleError",
    "DuplicateDefinitionError",
    "EnvVarError",
    "FrozenFieldError",
    "GraphRenderError",
    "IOManagerError",
    "InvalidSubsetError",
    "InvariantViolationError",
    "InvocationError",
    "MissingResourceError",
    "ResnbError",
    "ResourceFunctionError",
    "ResourceTeardownWarning",
    "StepExecutionError",
    "TypeCheckError",
    "UnknownFieldError",
    "UnknownPartitionError",
    "UnknownResourceError",
    "UserCodeExecutionError",
    "did_you_mean",
    "exception_summary",
    "listing",
]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest candidate, or ``""`` when none is close."""
    import difflib

    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean '{matches[0]}'?" if matches else ""


def exception_summary(exc: BaseException) -> str:
    """``"ValueError: boom"`` for use inside a sentence (no trailing period)."""
    text = str(exc).strip().rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def listing(names: Iterable[str]) -> str:
    """Format names for a message: ``'a', 'b'`` sorted, or ``(none)``."""
    items = sorted(names)
    return ", ".join(repr(n) for n in items) if items else "(none)"


class ResnbError(Exception):
    """Base class of every error resnb raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for this error: no frames inside resnb, IPython or importlib.

        A cause that is not a resnb error (the user's exception) comes first with the user's
        frames, then "The above exception was the direct cause ..." and this error's short
        traceback, as Python prints a chain. Under ``%xmode Minimal`` only the error line.

        The result is one string holding every line: IPython joins the elements with ``"\n"``
        in Context and Verbose mode but with ``""`` in Plain and Minimal mode, and Jupyter front
        ends join them with ``"\n"``, so only a single element reads right everywhere.
        """
        parts = [_error_line(self)] if _minimal_xmode() else _short_chain(self)
        return ["".join(parts).rstrip("\n")]


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_CAUSE_HEADER = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT_HEADER = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _minimal_xmode() -> bool:
    """True when IPython is running with ``%xmode Minimal`` (never imports IPython)."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)()
    return getattr(getattr(shell, "InteractiveTB", None), "mode", None) == "Minimal"


def _short_chain(exc: BaseException, seen: set[int] | None = None) -> list[str]:
    """``exc`` and its causes formatted as Python would, without the frames :func:`_shown` hides."""
    seen = seen if seen is not None else set()
    seen.add(id(exc))
    lines: list[str] = []
    earlier, header = exc.__cause__, _CAUSE_HEADER
    if earlier is None and not exc.__suppress_context__:
        earlier, header = exc.__context__, _CONTEXT_HEADER
    if earlier is not None and id(earlier) not in seen:
        lines += [*_short_chain(earlier, seen), header]
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if _shown(frame.filename)]
    if frames:
        lines += ["Traceback (most recent call last):\n", *traceback.StackSummary.from_list(frames).format()]
    return [*lines, *_error_lines(exc)]


def _error_lines(exc: BaseException) -> list[str]:
    """The last lines of ``exc``'s traceback: a resnb error short, others as Python prints them."""
    if isinstance(exc, ResnbError):
        return [_error_line(exc)]
    return traceback.format_exception_only(type(exc), exc)


def _error_line(exc: BaseException) -> str:
    """``ClassName: message`` plus any notes, without the module path Python would add."""
    text = str(exc)
    notes = "".join(f"{note}\n" for note in getattr(exc, "__notes__", None) or ())
    return f"{type(exc).__name__}{': ' if text else ''}{text}\n{notes}"


def _shown(filename: str) -> bool:
    """False for frames of resnb itself, of IPython's and importlib's machinery, of decorators."""
    if filename.startswith((_PACKAGE_DIR, "<decorator-gen-", "<frozen importlib.")):
        return False
    importlib = sys.modules.get("importlib")
    if filename == getattr(importlib, "__file__", None):  # importlib.import_module itself
        return False
    ipython = sys.modules.get("IPython")
    location = getattr(ipython, "__file__", None)
    return not (location and filename.startswith(os.path.dirname(location) + os.sep))


class DefinitionError(ResnbError):
    """A definition (asset, op, job, resource, Definitions) is invalid."""


class MissingResourceError(DefinitionError):
    """Something requires a resource key that was not provided."""


class DuplicateDefinitionError(DefinitionError):
    """Two definitions claim the same key or name."""


class InvariantViolationError(ResnbError):
    """An API was used in a way that cannot work (unknown job, output of a failed step, ...)."""


class DependencyCycleError(DefinitionError, InvariantViolationError):
    """Resources or assets depend on each other in a cycle; the message lists it."""

    def __init__(self, message: str, cycle: list[str]) -> None:
        super().__init__(message)
        self.cycle = cycle


class ConfigError(ResnbError):
    """Configuration (run config, resource config, an env var) is invalid or missing."""


class UnknownFieldError(ConfigError, TypeError):
    """A keyword argument or config entry names no field of the class."""


class EnvVarError(ConfigError):
    """An ``EnvVar`` is unset, or its value cannot be converted. Never carries the value."""


class InvocationError(ResnbError):
    """A definition was called or used in a way it does not support."""


class FrozenFieldError(InvocationError):
    """A public field of a Config or resource object was assigned; these objects are frozen."""


class InvalidSubsetError(ResnbError):
    """A selection names assets or ops that do not exist."""


class UnknownPartitionError(ResnbError):
    """A partition key that the asset does not have."""


class UnknownResourceError(ResnbError, AttributeError):
    """A resource key that is not available here (also an ``AttributeError`` for ``hasattr``)."""


class IOManagerError(ResnbError):
    """An IO manager could not store or load a value; names the asset or step output."""


class GraphRenderError(ResnbError):
    """The Graphviz renderer failed (its error output is in the message) or none is installed."""


class TypeCheckError(ResnbError):
    """A value given for a graph input is not of the type the op input it feeds is annotated with."""


class UserCodeExecutionError(ResnbError):
    """User code raised; the user's exception is chained as ``__cause__``."""

    @property
    def user_exception(self) -> BaseException | None:
        """The exception raised by user code."""
        return self.__cause__


class ResourceFunctionError(UserCodeExecutionError):
    """Initialising a resource raised; names the resource key (also as :attr:`key` when known)."""

    def __init__(self, *args: object, key: str | None = None) -> None:
        super().__init__(*args)
        self.key = key


class StepExecutionError(UserCodeExecutionError):
    """An asset or op raised; names the step."""


class ResourceTeardownWarning(UserWarning):
    """A resource's teardown failed. The run (or ``build_resources`` block) still succeeds."""
