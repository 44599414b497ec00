"""Test notebooks and magics: :func:`run_notebook`, a pytest plugin, and a shell for magics.

- :func:`run_notebook` executes a notebook headless (nbclient, a kernel of this interpreter, in the
  notebook's own directory) and returns a :class:`NotebookReport` whose failure names the cell
  index, its source and the ANSI-free traceback. ``resnb run NOTEBOOK...`` is its command line.
- The pytest plugin (:mod:`resnb.testing.plugin`, registered as ``resnb``) collects notebooks as test
  items when asked: ``pytest --resnb-notebooks=notebooks`` or ``resnb_notebooks`` in the ini file.
  It also provides the ``resnb_shell`` fixture for testing magics in-process.

Importing this package is cheap: nbclient, IPython and pytest are imported only when used.
"""

from __future__ import annotations

from resnb.testing.report import CellFailure, NotebookFailure, NotebookReport, strip_ansi
from resnb.testing.runner import DEFAULT_TIMEOUT, find_notebooks, run_notebook

__all__ = [
    "DEFAULT_TIMEOUT",
    "CellFailure",
    "NotebookFailure",
    "NotebookReport",
    "find_notebooks",
    "run_notebook",
    "strip_ansi",
]
