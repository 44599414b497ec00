"""Fixtures for the notebook runner tests: small notebooks written with nbformat."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

# a code cell: its source, or (source, tags); a cell whose source starts with "# md" is markdown
CellSpec = str | tuple[str, list[str]]
WriteNotebook = Callable[..., Path]


@pytest.fixture
def write_notebook() -> WriteNotebook:
    """``write_notebook(path, *cells)``: write a notebook (parents created) and return its path."""
    nbformat = pytest.importorskip("nbformat")
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def write(path: Path, *cells: CellSpec) -> Path:
        notebook_cells = []
        for cell in cells:
            source, tags = (cell, []) if isinstance(cell, str) else cell
            if source.startswith("# md"):
                notebook_cells.append(new_markdown_cell(source))
            else:
                notebook_cells.append(new_code_cell(source, metadata={"tags": tags} if tags else {}))
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(new_notebook(cells=notebook_cells), path)
        return path

    return write
