"""Cells for the tutorial notebooks, written as Python: ``section``, ``md``, ``code``, ``fails``.

Every notebook is a list of cells that starts with a ``section``. A section is a markdown cell
with an explicit id (``"envvar"``); the cells after it are numbered within it (``"envvar-1"``,
``"envvar-2"``, ...), so ids stay stable when a cell is added to another section, and
``notebooks/README.md`` can point at sections by id.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

__all__ = ["Cell", "code", "fails", "md", "number_cells", "section"]

#: nbclient's tag for a cell whose error is the point of the cell.
RAISES = "raises-exception"


@dataclass(frozen=True)
class Cell:
    """One notebook cell; ``cell_id`` is set for sections only (see :func:`number_cells`)."""

    kind: str  # "markdown" or "code"
    source: str
    tags: tuple[str, ...] = ()
    cell_id: str | None = None


def _text(source: str) -> str:
    return textwrap.dedent(source).strip("\n")


def section(cell_id: str, source: str) -> Cell:
    """A markdown cell opening a section; ``cell_id`` names it in README.md's checklist."""
    return Cell("markdown", _text(source), cell_id=cell_id)


def md(source: str) -> Cell:
    """A markdown cell."""
    return Cell("markdown", _text(source))


def code(source: str) -> Cell:
    """A code cell that must run without error."""
    return Cell("code", _text(source))


def fails(source: str) -> Cell:
    """A code cell that demonstrates an error: tagged ``raises-exception``."""
    return Cell("code", _text(source), tags=(RAISES,))


def number_cells(cells: list[Cell]) -> list[tuple[str, Cell]]:
    """Pair each cell with its id: a section's own id, or ``<section>-<n>`` for the cells after it."""
    if not cells or cells[0].cell_id is None:
        raise ValueError("a notebook must start with a section(...) cell")
    numbered: list[tuple[str, Cell]] = []
    seen: set[str] = set()
    current, counter = "", 0
    for cell in cells:
        if cell.cell_id is not None:
            current, counter = cell.cell_id, 0
            cell_id = cell.cell_id
        else:
            counter += 1
            cell_id = f"{current}-{counter}"
        if cell_id in seen:
            raise ValueError(f"duplicate cell id {cell_id!r}: give the section another id")
        seen.add(cell_id)
        numbered.append((cell_id, cell))
    return numbered
