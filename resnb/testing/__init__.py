"""Test notebooks and magics: :func:`run_notebook`, a pytest plugin, and a shell for magics.

- :func:`run_notebook` executes a notebook headless (nbclient, a kernel of this interpreter, in the
  notebook's own directory) and returns a :class:`NotebookReport` whose failure names the cell
  ("cell 4 (code cell 2)"), its source and the ANSI-free traceback. ``resnb run NOTEBOOK...`` is its command line.
- The pytest plugin (:mod:`resnb.testing.plugin`, registered as ``resnb``) collects notebooks as test
  items when asked: ``pytest --resnb-notebooks=notebooks`` or ``resnb_notebooks`` in the ini file.
  It also provides the ``resnb_shell`` fixture for testing magics in-process.
- :func:`make_testing_shell` returns a :class:`TestingShell`: an in-process IPython shell whose
  failing cell raises its error, for testing magics without a kernel.

Importing this package is cheap: nbclient, IPython and pytest are imported only when used
(``TestingShell`` and ``make_testing_shell`` import IPython on first access).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from resnb.testing.report import CellFailure, NotebookFailure, NotebookReport, strip_ansi
from resnb.testing.runner import DEFAULT_TIMEOUT, find_notebooks, run_notebook

if TYPE_CHECKING:
    from resnb.testing.shell import TestingShell, make_testing_shell

__all__ = [
    "DEFAULT_TIMEOUT",
    "CellFailure",
    "NotebookFailure",
    "NotebookReport",
    "TestingShell",
    "find_notebooks",
    "make_testing_shell",
    "run_notebook",
    "strip_ansi",
]

_FROM_SHELL = ("TestingShell", "make_testing_shell")


def __getattr__(name: str) -> Any:
    """``TestingShell`` and ``make_testing_shell``, imported (with IPython) on first access."""
    if name in _FROM_SHELL:
        from resnb.testing import shell

        value = getattr(shell, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_FROM_SHELL})
