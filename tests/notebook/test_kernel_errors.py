"""Every documented error path of the magics fails its cell in a real Jupyter kernel (so nbclient fails).

One notebook holds one cell per error, each tagged ``raises-exception``: the runner fails the notebook if a
tagged cell does not raise (the kernel's reply says the cell failed), and the executed notebook tells which
error each cell showed. IPython shows a ``UsageError`` as one line on stderr, without a traceback.
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from resnb.testing import run_notebook

SETUP = """
import resnb as dg

class Counter(dg.ConfigurableResource):
    start: int = 0

@dg.asset
def first(counter: Counter) -> int:
    return counter.start + 1

@dg.asset
def broken(first: int) -> int:
    raise ValueError("broken on purpose")

counter = Counter()
"""

#: cell source -> the error it must raise in the kernel
ERRORS = {
    "%materialize frist": "UsageError",
    "%materialize --no-such-flag first": "UsageError",
    "%build_resources countr": "UsageError",
    "%build_resources counter --config counter.start=many": "UsageError",
    "%build_resources counter --config-json '{not json'": "UsageError",
    "%resource_graph --select +nowhere": "UsageError",
    "%resource_graph --format gif": "UsageError",
    "%asset_value first": "UsageError",
    "%load_defs no_such_module_anywhere:defs": "UsageError",
    "%teardown_resources nothing_open_here": "UsageError",
    "%materialize broken": "StepExecutionError",
}


def test_every_magic_error_fails_its_cell_in_a_kernel(tmp_path):
    cells = [new_code_cell(SETUP), new_code_cell("%load_ext resnb\n%load_defs ;")]
    for source in ERRORS:
        cell = new_code_cell(source)
        cell.metadata["tags"] = ["raises-exception"]
        cells.append(cell)
    path = tmp_path / "errors.ipynb"
    nbformat.write(new_notebook(cells=cells), path)

    report = run_notebook(path, timeout=120, output_path=tmp_path / "out.ipynb")

    assert report.ok, str(report)  # every tagged cell raised
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[2:]
    assert {cell.source: _error_name(cell) for cell in executed} == ERRORS


def _error_name(cell: nbformat.NotebookNode) -> str:
    """The error a cell raised: an ``error`` output, or IPython's one-line ``UsageError: ...`` on stderr."""
    for output in cell.outputs:
        if output.output_type == "error":
            return str(output.ename)
        if (
            output.output_type == "stream"
            and output.name == "stderr"
            and output.text.startswith("UsageError:")
        ):
            return "UsageError"
    return "no error shown"
