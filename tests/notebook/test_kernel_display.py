"""``%materialize`` in a real Jupyter kernel: the live progress leaves exactly one output behind."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from resnb.testing import run_notebook

ASSETS = """
import resnb as dg

@dg.asset
def a() -> int:
    return 1

@dg.asset
def b(a: int) -> int:
    return a + 1
"""

CELLS = [ASSETS, "%load_ext resnb", "%load_defs ;", "%materialize a b", "%materialize b;", "%materialize b"]


def _shown(cell: nbformat.NotebookNode) -> list[dict[str, str]]:
    """The outputs of ``cell`` that show something (an emptied display shows nothing)."""
    return [dict(o.get("data", {})) for o in cell.outputs if o.get("data")]


def test_materialize_shows_one_output_in_a_kernel(tmp_path):
    path = tmp_path / "progress.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(source) for source in CELLS]), path)

    report = run_notebook(path, timeout=120, output_path=tmp_path / "out.ipynb")

    assert report.ok, str(report)
    cells = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
    several, silenced, single = _shown(cells[3]), _shown(cells[4]), _shown(cells[5])
    assert len(several) == 1 and several[0]["text/plain"].startswith("materialize (done): 2 succeeded")
    assert silenced == []
    assert single == [{"text/plain": "2"}]
