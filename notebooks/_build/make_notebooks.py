"""Write the tutorial notebooks 01-07 from their Python sources: ``python notebooks/_build/make_notebooks.py``.

Each ``nbNN_*.py`` module next to this script defines ``FILENAME`` and ``CELLS`` (see :mod:`cells`).
Notebooks are written without outputs, with stable cell ids. ``--check`` writes nothing and exits
with status 1 when a committed notebook differs from what its source would produce.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent
SOURCES = sorted(path.stem for path in HERE.glob("nb[0-9][0-9]_*.py"))

sys.path.insert(0, str(HERE))
from cells import Cell, number_cells  # noqa: E402

__all__ = ["SOURCES", "main", "notebook_json", "render"]

METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def _lines(text: str) -> list[str]:
    """A cell source as nbformat stores it: lines that keep their newline, the last one without."""
    return text.splitlines(keepends=True)


def _cell_json(cell_id: str, cell: Cell) -> dict:
    metadata = {"tags": list(cell.tags)} if cell.tags else {}
    data: dict = {"cell_type": cell.kind, "id": cell_id, "metadata": metadata, "source": _lines(cell.source)}
    if cell.kind == "code":
        data["execution_count"] = None
        data["outputs"] = []
    return data


def notebook_json(cells: list[Cell]) -> dict:
    """The nbformat 4.5 document for ``cells``."""
    return {
        "cells": [_cell_json(cell_id, cell) for cell_id, cell in number_cells(cells)],
        "metadata": METADATA,
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(source_module: str) -> tuple[Path, str]:
    """The path of the notebook that ``source_module`` describes, and its text."""
    module = importlib.import_module(source_module)
    text = json.dumps(notebook_json(module.CELLS), sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    return NOTEBOOKS / module.FILENAME, text


def _validate(text: str) -> None:
    try:
        import nbformat
    except ImportError:  # pragma: no cover - nbformat is a dependency of resnb
        return
    nbformat.validate(nbformat.reads(text, as_version=4))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale notebooks, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for source in SOURCES:
        path, text = render(source)
        _validate(text)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(NOTEBOOKS.parent)}")
    if args.check and stale:
        print(f"stale notebooks (run {Path(__file__).name}): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
