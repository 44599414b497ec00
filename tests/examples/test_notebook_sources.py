"""Tutorials 01-07: committed notebooks match their sources in notebooks/_build, carry no outputs, and
every seed section in notebooks/README.md's checklist points at a cell that exists."""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BUILD = NOTEBOOKS / "_build"
REFERENCE = re.compile(r"`(\d\d_[a-z_]+\.ipynb)#([a-z0-9-]+)`")

#: The sections of the two seed documents; each must have a row in the README checklist.
SEED_SECTIONS = {
    "000": [
        "Why use resources",
        "Defining a resource",
        "Using resources with software-defined assets",
        "Using resources with ops",
        "Using resources in jobs",
        "Context manager resources",
        "Initialised once per process",
        "Using resources outside of execution",
        "Resource to resource dependencies",
        "Providing resources to assets with `@repository`",
    ],
    "003": [
        "Resources",
        "Why Resources Matter",
        "Defining Resources",
        "Resource Configuration",
        "Using Resources in Assets",
        "Configurable Resources in Assets",
        "Using Resources in Ops",
        "Environment Variables",
        "Resource Dependencies",
        "Lifecycle Management",
        "Testing with Resources",
        "Testing with Nested Resources",
        "Resource Factory Pattern",
        "Built-in Resources",
        "Per-Environment Configuration",
        "Best Practices",
    ],
}


@pytest.fixture(scope="module")
def generator() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BUILD))
    try:
        yield importlib.import_module("make_notebooks")
    finally:
        sys.path.remove(str(BUILD))


def _notebook(name: str) -> dict:
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))


def _checklist_rows() -> list[tuple[str, str, str]]:
    text = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in SEED_SECTIONS:
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def test_every_source_has_a_committed_notebook_that_matches_it(generator: ModuleType) -> None:
    committed = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert sorted(s.split("_", 1)[0][2:] for s in generator.SOURCES) == [c[:2] for c in committed]
    stale = [
        path.name
        for path, text in map(generator.render, generator.SOURCES)
        if path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run python notebooks/_build/make_notebooks.py"


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
def test_committed_notebook_has_no_outputs_and_unique_ids(name: str) -> None:
    cells = _notebook(name)["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)
    ids = [cell["id"] for cell in cells]
    assert len(ids) == len(set(ids))


def test_error_cells_are_tagged_and_tags_are_known() -> None:
    for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"):
        for cell in _notebook(path.name)["cells"]:
            assert set(cell["metadata"].get("tags", [])) <= {"raises-exception"}, (path.name, cell["id"])


def test_checklist_covers_every_seed_section() -> None:
    rows = _checklist_rows()
    for seed, sections in SEED_SECTIONS.items():
        listed = [section for row_seed, section, _ in rows if row_seed == seed]
        for wanted in sections:
            assert any(section.startswith(wanted) for section in listed), f"seed {seed}: {wanted!r}"


def test_checklist_references_point_at_existing_section_cells() -> None:
    references = [ref for _, _, taught in _checklist_rows() for ref in REFERENCE.findall(taught)]
    assert references
    for notebook, cell_id in references:
        cells = {cell["id"]: cell for cell in _notebook(notebook)["cells"]}
        assert cell_id in cells, f"{notebook}#{cell_id}"
        assert cells[cell_id]["cell_type"] == "markdown", f"{notebook}#{cell_id} is not a section cell"


def test_every_tutorial_appears_in_the_checklist() -> None:
    taught = {ref[0] for _, _, taught in _checklist_rows() for ref in REFERENCE.findall(taught)}
    tutorials = {p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")} - {
        "00_tour.ipynb"
    }  # the tour teaches the magics
    assert taught == tutorials
