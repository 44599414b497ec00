"""What running a notebook produced: :class:`NotebookReport`, :class:`CellFailure`, :class:`NotebookFailure`.

Plain data with readable text: a failure names the notebook, the cell as a reader finds it
(``cell 4 (code cell 2)``: its 1-based position in the notebook, markdown cells counted, and its
rank among the code cells), the cell's source and the traceback with its ANSI colour codes
removed, so it reads the same in a terminal, a CI log and a pytest report.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CellFailure", "NotebookFailure", "NotebookReport", "cell_position", "strip_ansi"]

# CSI sequences (colours, cursor moves), OSC sequences (hyperlinks, titles) and two-byte escapes
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")

_INDENT = "    "


def strip_ansi(text: str) -> str:
    """``text`` without ANSI escape sequences (colours, hyperlinks, cursor movement)."""
    return _ANSI.sub("", text)


def cell_position(cell_index: int, code_index: int | None = None) -> str:
    """``"cell 4 (code cell 2)"`` for 0-based indexes 3 and 1; ``"cell 4"`` without ``code_index``."""
    code = f" (code cell {code_index + 1})" if code_index is not None else ""
    return f"cell {cell_index + 1}{code}"


def _indented(text: str) -> str:
    return textwrap.indent(text.rstrip("\n"), _INDENT, lambda line: True)


@dataclass(frozen=True)
class CellFailure:
    """Why a notebook run stopped.

    ``cell_index`` is the index of the cell in the notebook's ``cells`` list (0-based, markdown
    cells counted, as ``nbformat`` stores them), or ``None`` when the run failed before any cell
    (unreadable file, kernel that did not start). ``code_index`` is its index among the code
    cells (0-based), when known. Text shows both 1-based (:attr:`where`). ``traceback`` and
    ``output`` (the cell's printed text, last lines only) are free of ANSI codes.
    """

    cell_index: int | None
    source: str
    ename: str
    evalue: str
    traceback: str = ""
    output: str = ""
    code_index: int | None = None

    @property
    def where(self) -> str:
        """``"cell 4 (code cell 2)"`` (1-based, as a reader counts), or ``"before the first cell"``."""
        if self.cell_index is None:
            return "before the first cell"
        return cell_position(self.cell_index, self.code_index)

    @property
    def summary(self) -> str:
        """``"ZeroDivisionError: division by zero"``."""
        return f"{self.ename}: {self.evalue}" if self.evalue else self.ename

    def details(self) -> str:
        """The cell source, its output and the traceback (when there is one), as indented blocks."""
        blocks = []
        if self.cell_index is not None:
            blocks.append(f"{self.where} source:\n{_indented(self.source or '(empty)')}")
        if self.output.strip():
            blocks.append(f"{self.where} output (last lines):\n{_indented(self.output)}")
        if self.traceback.strip():
            blocks.append(f"traceback:\n{_indented(self.traceback)}")
        return "\n\n".join(blocks)


@dataclass(frozen=True)
class NotebookReport:
    """The result of :func:`resnb.testing.run_notebook`.

    ``ok`` is true when every cell ran as expected (errors only where a cell is tagged
    ``raises-exception``). ``cells_executed`` counts the code cells sent to the kernel,
    ``duration`` is in seconds, and ``output_path`` is where the executed notebook was written, if
    it was.
    """

    path: Path
    duration: float
    cells_executed: int
    failure: CellFailure | None = None
    output_path: Path | None = None

    @property
    def ok(self) -> bool:
        """True when the notebook ran to the end without an unexpected error."""
        return self.failure is None

    @property
    def headline(self) -> str:
        """One line: ``"<path>: ok, 12 cells in 3.1 s"`` or ``"<path>: FAILED at cell 4 (code cell 2) (...)"``."""
        if self.failure is None:
            return f"{self.path}: ok, {_cells(self.cells_executed)} in {self.duration:.1f} s"
        return f"{self.path}: FAILED {_at(self.failure)} ({self.failure.summary}) after {self.duration:.1f} s"

    def __str__(self) -> str:
        details = self.failure.details() if self.failure is not None else ""
        return f"{self.headline}\n\n{details}" if details else self.headline

    def raise_for_failure(self) -> None:
        """Raise :class:`NotebookFailure` (an ``AssertionError``) if the run failed; else do nothing."""
        if self.failure is not None:
            raise NotebookFailure(self)


class NotebookFailure(AssertionError):
    """A notebook did not run cleanly; the message names the notebook, cell, source and traceback."""

    def __init__(self, report: NotebookReport) -> None:
        super().__init__(str(report))
        self.report = report

    def __reduce__(self) -> tuple[type[NotebookFailure], tuple[NotebookReport]]:
        return type(self), (self.report,)


def _cells(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


def _at(failure: CellFailure) -> str:
    return failure.where if failure.cell_index is None else f"at {failure.where}"
