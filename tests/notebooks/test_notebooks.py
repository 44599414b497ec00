"""The tutorials in notebooks/ run through resnb's pytest plugin; these tests check that wiring.

The notebooks themselves are test items of their own (``notebooks/00_tour.ipynb::00_tour``, ...):
``python -m pytest`` runs them because pyproject.toml sets ``resnb_notebooks = ["notebooks"]``, and
``pytest notebooks`` runs only them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_is_a_tour() -> None:
    assert any(p.name == "00_tour.ipynb" for p in NOTEBOOKS)


def test_the_project_collects_every_tutorial_through_the_plugin() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    items = [line for line in done.stdout.splitlines() if "::" in line]
    assert items == [f"notebooks/{path.name}::{path.stem}" for path in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_tutorials_are_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    with_outputs = [
        index
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert with_outputs == [], f"{path.name}: clear the outputs of cells {with_outputs} before committing"


def test_a_broken_tutorial_fails_the_suite_naming_the_cell(pytester: pytest.Pytester) -> None:
    nbformat = pytest.importorskip("nbformat")
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    pytester.makeini("[pytest]\ntestpaths = tests\nresnb_notebooks = notebooks\n")  # as pyproject.toml
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_unit.py").write_text("def test_unit():\n    pass\n")
    pytester.mkdir("notebooks")
    cells = [new_markdown_cell("# Broken"), new_code_cell("total = undefined_name + 1")]
    nbformat.write(new_notebook(cells=cells), pytester.path / "notebooks" / "01_broken.ipynb")

    result = pytester.runpytest_subprocess()  # its kernel and event loop stay out of this process

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "notebooks/01_broken.ipynb: FAILED at cell 2 (code cell 1) (NameError: name 'undefined_name' is not defined)*",
            "cell 2 (code cell 1) source:",
            "    total = undefined_name + 1",
            "traceback:",
            "*----> 1 total = undefined_name + 1*",
            "FAILED notebooks/01_broken.ipynb::01_broken - notebooks/01_broken.ipynb: FAIL*",
        ],
        consecutive=False,
    )
    assert "\x1b[" not in result.stdout.str()
