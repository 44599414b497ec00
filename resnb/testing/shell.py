"""An in-process IPython shell for testing magics: a failing cell raises its error.

::

    shell = make_testing_shell()
    shell.run_line_magic("load_ext", "resnb")
    shell.run_cell("%load_defs my_project.definitions:defs")
    with pytest.raises(UsageError, match="Did you mean"):
        shell.run_cell("%materialize ordrs")

No kernel, no history file, plain-text tracebacks. IPython is imported when this module is.
"""

from __future__ import annotations

from typing import Any

from IPython.core.interactiveshell import ExecutionResult, InteractiveShell
from traitlets.config import Config

__all__ = ["TestingShell", "make_testing_shell"]


class TestingShell(InteractiveShell):
    """An ``InteractiveShell`` whose :meth:`run_cell` raises the cell's error instead of printing it.

    ``UsageError`` from a magic, an exception from user code and a syntax error all propagate,
    so ``pytest.raises`` can check them (the pattern of jupysql's testing shell).
    """

    __test__ = False  # not a pytest test class, despite its name

    def run_cell(self, raw_cell: str, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Run ``raw_cell`` like IPython does; raise its error if it failed."""
        result = super().run_cell(raw_cell, *args, **kwargs)
        result.raise_error()
        return result


def make_testing_shell(**config: Any) -> TestingShell:
    """A new :class:`TestingShell` with history disabled and colourless tracebacks.

    ``config`` entries are set on the ``InteractiveShell`` section, e.g. ``autocall=0``.
    """
    settings = Config()
    settings.HistoryManager.enabled = False
    settings.HistoryManager.hist_file = ":memory:"
    settings.InteractiveShell.colors = "nocolor"
    for name, value in config.items():
        setattr(settings.InteractiveShell, name, value)
    return TestingShell(config=settings)
