"""The ``resnb`` pytest plugin: notebooks as test items, and a shell fixture for testing magics.

Installed with resnb (entry point ``pytest11: resnb``) and idle unless asked. To run notebooks, name
them on the command line or in the ini file (files or directories; ``.ipynb_checkpoints`` ignored)::

    pytest --resnb-notebooks=notebooks --resnb-timeout=300

    [tool.pytest.ini_options]
    resnb_notebooks = ["notebooks"]     # relative to the ini file
    resnb_timeout = "300"               # seconds per cell (default 600)

Each notebook is one test item, executed by :func:`resnb.testing.run_notebook` (a kernel of this
interpreter, in the notebook's directory, honouring the ``raises-exception`` and ``skip-execution``
tags). A failure is reported as the notebook, the failing cell ("cell 4 (code cell 2)") and source, and its traceback
without ANSI codes. Paths given with ``--resnb-notebooks`` always run; paths from the ini file run
when pytest is started without path arguments (like ``testpaths``) or when a path argument
contains them, so ``pytest tests/core`` stays fast.

The ``resnb_shell`` fixture gives an in-process IPython shell whose failing cells raise, with
``%load_ext resnb`` already loaded (see :mod:`resnb.testing.shell`)::

    def test_my_magic(resnb_shell):
        resnb_shell.run_cell("%load_defs my_project.definitions:defs")
        with pytest.raises(UsageError, match="Did you mean"):
            resnb_shell.run_cell("%materialize ordrs")
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from resnb.testing.report import NotebookFailure, NotebookReport
from resnb.testing.runner import DEFAULT_TIMEOUT, run_notebook

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = ["NotebookFile", "NotebookItem", "resnb_shell"]

_PATHS = pytest.StashKey[tuple[Path, ...]]()
_TIMEOUT = pytest.StashKey[float | None]()
_CHECKPOINTS = ".ipynb_checkpoints"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--resnb-notebooks``, ``--resnb-timeout`` and their ini twins."""
    group = parser.getgroup("resnb", "resnb notebooks")
    group.addoption(
        "--resnb-notebooks",
        action="append",
        default=[],
        metavar="PATH",
        help="run this notebook, or the notebooks in this directory, as tests (repeatable)",
    )
    group.addoption(
        "--resnb-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"seconds each notebook cell may run, 0: no limit (default: ini resnb_timeout, else {DEFAULT_TIMEOUT})",
    )
    parser.addini(
        "resnb_notebooks", type="linelist", default=[], help="notebooks or directories to run as tests"
    )
    parser.addini(
        "resnb_timeout", type="string", default="", help="seconds each notebook cell may run (0: no limit)"
    )


def pytest_configure(config: pytest.Config) -> None:
    """Resolve the notebook paths and add the ones this run should visit to the collection."""
    typed = _existing(_option_paths(config), "--resnb-notebooks")
    configured = _existing(_ini_paths(config), f"resnb_notebooks (in {config.inipath})")
    config.stash[_PATHS] = tuple(typed + configured)
    config.stash[_TIMEOUT] = _timeout(config)
    for path in typed if _has_path_arguments(config) else typed + configured:
        if str(path) not in config.args:
            config.args.append(str(path))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> NotebookFile | None:
    """Collect ``file_path`` as a notebook when it is one of the enabled notebooks."""
    if file_path.suffix != ".ipynb" or _CHECKPOINTS in file_path.parts:
        return None
    if not _is_within(file_path, parent.config.stash.get(_PATHS, ())):
        return None
    notebook: NotebookFile = NotebookFile.from_parent(parent, path=file_path)
    return notebook


class NotebookFile(pytest.File):
    """A ``.ipynb`` file: one :class:`NotebookItem`."""

    def collect(self) -> Iterator[NotebookItem]:
        yield NotebookItem.from_parent(self, name=self.path.stem)


class NotebookItem(pytest.Item):
    """Runs a whole notebook; fails naming the failing cell, its source and traceback."""

    report: NotebookReport | None = None

    def runtest(self) -> None:
        report = run_notebook(self.path, timeout=self.config.stash.get(_TIMEOUT, DEFAULT_TIMEOUT))
        self.report = dataclasses.replace(report, path=_shown(self.path, self.config.rootpath))
        self.user_properties.append(("cells_executed", self.report.cells_executed))
        self.report.raise_for_failure()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The report's message for a notebook failure; pytest's usual traceback for anything else."""
        if isinstance(excinfo.value, NotebookFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"notebook {self.path.name}"


@pytest.fixture
def resnb_shell() -> Iterator[InteractiveShell]:
    """An in-process IPython shell whose failing cells raise, with ``%load_ext resnb`` loaded.

    The extension is unloaded afterwards (tearing down anything the test built).
    """
    from resnb.testing.shell import make_testing_shell

    shell = make_testing_shell()
    shell.run_line_magic("load_ext", "resnb")
    try:
        yield shell
    finally:
        shell.extension_manager.unload_extension("resnb")  # "not loaded" if the test unloaded it


def _has_path_arguments(config: pytest.Config) -> bool:
    """Whether pytest was given paths to test (rather than using ``testpaths`` or the current dir)."""
    source = getattr(config, "args_source", None)  # pytest >= 7.2
    return source is not None and source.name == "ARGS"


def _option_paths(config: pytest.Config) -> list[Path]:
    base = config.invocation_params.dir
    return [_absolute(base, value) for value in config.getoption("resnb_notebooks") or []]


def _ini_paths(config: pytest.Config) -> list[Path]:
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return [_absolute(base, value) for value in config.getini("resnb_notebooks")]


def _absolute(base: Path, value: str) -> Path:
    return Path(os.path.abspath(base / os.path.expanduser(value)))


def _existing(paths: list[Path], source: str) -> list[Path]:
    for path in paths:
        if not path.exists():
            raise pytest.UsageError(f"{source}: no such notebook or directory: '{path}'; check the path")
    return paths


def _shown(path: Path, root: Path) -> Path:
    """``path`` relative to the rootdir when inside it (as in node ids), else as it is."""
    return path.relative_to(root) if root in path.parents else path


def _is_within(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _timeout(config: pytest.Config) -> float | None:
    option = config.getoption("resnb_timeout")
    if option is not None:
        return float(option)
    text = str(config.getini("resnb_timeout")).strip()
    try:
        return float(text) if text else DEFAULT_TIMEOUT
    except ValueError:
        raise pytest.UsageError(f"resnb_timeout: expected a number of seconds, got '{text}'") from None
