"""Run a notebook headless with nbclient and report the first cell that failed.

::

    report = run_notebook("notebooks/00_tour.ipynb", timeout=120)
    print(report)                 # one line when ok; cell index, source and traceback when not
    report.raise_for_failure()    # NotebookFailure (an AssertionError) in tests

Cells tagged ``raises-exception`` must raise (one that does not is a failure too), cells tagged
``skip-execution`` are not run. nbclient is imported only when a notebook runs, so importing this
module is cheap.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resnb.testing.report import CellFailure, NotebookReport, cell_position, strip_ansi

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbformat import NotebookNode

__all__ = [
    "DEFAULT_TIMEOUT",
    "RAISES_TAG",
    "SKIP_TAG",
    "CellProgress",
    "find_notebooks",
    "run_notebook",
]

#: Seconds a single cell may run before the notebook fails (``run_notebook``'s default).
DEFAULT_TIMEOUT = 600
#: Tag of a cell that must raise (nbclient's convention).
RAISES_TAG = "raises-exception"
#: Tag of a cell that is not executed (nbclient's convention).
SKIP_TAG = "skip-execution"

#: ``on_cell(cell_index, step, steps)``: the cell about to run (0-based index in the notebook's
#: cells), its 1-based position among the cells that will run, and how many will run.
CellProgress = Callable[[int, int, int], None]

_OUTPUT_LINES = 20  # lines of a failing cell's printed output kept in the report
_CHECKPOINTS = ".ipynb_checkpoints"


class _Unreadable(Exception):
    """The file is not a notebook nbformat can read; ``cause`` says why."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _NoErrorRaised(Exception):
    """A ``raises-exception`` cell ran without raising (a control signal inside the runner)."""


class _TimedOut(Exception):
    """A cell ran past the timeout and was interrupted (a control signal inside the runner)."""


# nbclient interrupts a cell that runs too long and then reports this error in its place, so the
# cell's output shows where it was stuck (KeyboardInterrupt) and the kernel can shut down cleanly.
_TIMEOUT_REPLY = {"ename": "CellTimeoutError", "evalue": "resnb: the cell timed out", "traceback": []}


def run_notebook(
    path: str | os.PathLike[str],
    timeout: float | None = DEFAULT_TIMEOUT,
    kernel_name: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    output_path: str | os.PathLike[str] | None = None,
    on_cell: CellProgress | None = None,
) -> NotebookReport:
    """Execute the notebook at ``path`` from top to bottom and return a :class:`NotebookReport`.

    Args:
        path: the ``.ipynb`` file. A missing file raises ``FileNotFoundError``; a file that is not a
            readable notebook gives a failed report.
        timeout: seconds each cell may run (``None``: no limit). A cell that runs longer fails the
            notebook, naming the cell.
        kernel_name: a kernelspec name (see ``jupyter kernelspec list``); ``None`` runs IPython on the
            current interpreter (``sys.executable -m ipykernel_launcher``), whatever the notebook's
            metadata says.
        cwd: the kernel's working directory; default: the notebook's own directory.
        env: variables added to (or replacing those in) the kernel's environment, which is otherwise
            this process's ``os.environ``.
        output_path: where to write the executed notebook (outputs included), also when it failed.
        on_cell: called before each cell that runs; see :data:`CellProgress`.

    The kernel is always shut down before this returns.
    """
    notebook_path = Path(path)
    if not notebook_path.is_file():
        raise FileNotFoundError(f"no notebook at '{notebook_path}': check the path")
    started = time.perf_counter()
    try:
        notebook = _read_notebook(notebook_path)
    except _Unreadable as exc:
        return _unreadable_report(notebook_path, exc, started)
    directory = Path(cwd) if cwd is not None else notebook_path.resolve().parent
    execution = _Execution(notebook, on_cell)
    client = _client(notebook, execution, timeout, kernel_name, directory)
    failure = execution.run(client, _kernel_env(notebook_path, env), timeout, kernel_name)
    return _report(notebook_path, notebook, started, client.code_cells_executed, failure, output_path)


def _unreadable_report(notebook_path: Path, exc: _Unreadable, started: float) -> NotebookReport:
    """The failed report of a file nbformat cannot read (no cell ran)."""
    reason = f"'{notebook_path}' is not a readable notebook: {exc.cause}"
    failure = CellFailure(None, "", type(exc.cause).__name__, reason)
    return NotebookReport(notebook_path, time.perf_counter() - started, 0, failure)


def _report(
    notebook_path: Path,
    notebook: NotebookNode,
    started: float,
    executed: int,
    failure: CellFailure | None,
    output_path: str | os.PathLike[str] | None,
) -> NotebookReport:
    """The report of a notebook that ran; the executed notebook is written to ``output_path`` first."""
    written = _write(notebook, output_path) if output_path is not None else None
    return NotebookReport(notebook_path, time.perf_counter() - started, executed, failure, written)


def find_notebooks(path: str | os.PathLike[str]) -> list[Path]:
    """``path`` itself if it is a file, else the ``*.ipynb`` files directly in it, sorted by name.

    Files in ``.ipynb_checkpoints`` are never returned. A missing path raises ``FileNotFoundError``.
    """
    root = Path(path)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise FileNotFoundError(f"no such file or directory: '{root}'")
    if root.name == _CHECKPOINTS:
        return []
    return sorted(p for p in root.glob("*.ipynb") if p.is_file())


def _read_notebook(path: Path) -> NotebookNode:
    """The notebook at ``path``; ``_Unreadable`` (with the cause) when it is not one."""
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as exc:  # not UTF-8, not JSON, unknown version, wrong structure, ...
        raise _Unreadable(exc) from exc
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise _Unreadable(ValueError("its 'cells' is not a list of cells"))
    return notebook


def _client(
    notebook: NotebookNode, execution: _Execution, timeout: float | None, kernel_name: str | None, cwd: Path
) -> NotebookClient:
    from nbclient import NotebookClient

    options: dict[str, Any] = {"kernel_name": kernel_name} if kernel_name else _current_interpreter()
    return NotebookClient(
        notebook,
        timeout=_whole_seconds(timeout),
        allow_errors=False,
        interrupt_on_timeout=True,
        error_on_timeout=_TIMEOUT_REPLY,
        skip_cells_with_tag=SKIP_TAG,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=execution.on_cell_start,
        on_cell_executed=execution.on_cell_executed,
        on_cell_error=execution.on_cell_error,
        **options,
    )


def _current_interpreter() -> dict[str, Any]:
    from resnb.testing.kernel import CurrentInterpreterKernelManager

    return {"kernel_name": "python3", "kernel_manager_class": CurrentInterpreterKernelManager}


def _whole_seconds(timeout: float | None) -> int | None:
    """nbclient takes whole seconds; round up so that 0.5 s still means "a limit"."""
    return None if timeout is None or timeout <= 0 else max(1, math.ceil(timeout))


def _kernel_env(notebook_path: Path, env: Mapping[str, str] | None) -> dict[str, str]:
    # JPY_SESSION_NAME tells ipykernel which notebook it runs (``__session__`` in the kernel)
    return {**os.environ, "JPY_SESSION_NAME": str(notebook_path.resolve()), **(env or {})}


def _write(notebook: NotebookNode, output_path: str | os.PathLike[str]) -> Path:
    import nbformat

    target = Path(output_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(_without_emptied_displays(notebook), target)
    return target


def _without_emptied_displays(notebook: NotebookNode) -> NotebookNode:
    """The notebook without display outputs an update emptied (a finished live progress display)."""
    for cell in notebook.cells:
        outputs = cell.get("outputs")
        if outputs:
            cell["outputs"] = [
                o for o in outputs if not (o.get("output_type") == "display_data" and not o.get("data"))
            ]
    return notebook


def _tags(cell: NotebookNode) -> list[str]:
    tags: list[str] = cell.get("metadata", {}).get("tags", [])
    return tags


def _runs(cell: NotebookNode) -> bool:
    """Whether nbclient sends this cell to the kernel."""
    return cell.cell_type == "code" and bool(cell.source.strip()) and SKIP_TAG not in _tags(cell)


class _Execution:
    """One notebook run: nbclient's hooks record the current cell and the last error reply here."""

    def __init__(self, notebook: NotebookNode, on_cell: CellProgress | None) -> None:
        self.notebook = notebook
        self.on_cell = on_cell
        self.steps = sum(_runs(cell) for cell in notebook.cells)
        self.step = 0
        self.cell_index: int | None = None
        self.error: dict[str, Any] | None = None

    def on_cell_start(self, cell: NotebookNode, cell_index: int, **_: Any) -> None:
        self.cell_index = cell_index
        if _runs(cell):
            self.step += 1
            if self.on_cell is not None:
                self.on_cell(cell_index, self.step, self.steps)

    def on_cell_executed(self, cell: NotebookNode, cell_index: int, execute_reply: Any, **_: Any) -> None:
        content = (execute_reply or {}).get("content", {})
        if all(content.get(key) == value for key, value in _TIMEOUT_REPLY.items()):
            raise _TimedOut(cell_index)  # even in a raises-exception cell
        if RAISES_TAG in _tags(cell) and content.get("status") != "error":
            raise _NoErrorRaised(cell_index)

    def on_cell_error(self, cell: NotebookNode, cell_index: int, execute_reply: Any, **_: Any) -> None:
        self.error = dict(execute_reply.get("content", {}))

    def run(
        self, client: NotebookClient, env: dict[str, str], timeout: float | None, kernel_name: str | None
    ) -> CellFailure | None:
        """Execute every cell; return the failure, or None. The kernel is stopped in every case.

        Raises ``KeyboardInterrupt`` when the run was interrupted (Ctrl-C, SIGTERM).
        """
        manager = client.create_kernel_manager()  # nbclient's own; kept here to stop the kernel at the end
        try:
            client.execute(env=env)
        except Exception as exc:
            failure: CellFailure | None = self._failure(exc, timeout, kernel_name)
        else:
            failure = None
        finally:
            _stop_kernel(manager)
        if _interrupted(client):
            raise KeyboardInterrupt(f"interrupted while running {self.where()}")
        return failure

    def where(self) -> str:
        """``"cell 4 (code cell 2)"``, or ``"before the first cell"``."""
        if self.cell_index is None:
            return "before the first cell"
        return cell_position(self.cell_index, self._code_index(self.cell_index))

    def _code_index(self, cell_index: int) -> int:
        """How many code cells come before cell ``cell_index``."""
        return sum(cell.cell_type == "code" for cell in self.notebook.cells[:cell_index])

    def _failure(self, exc: Exception, timeout: float | None, kernel_name: str | None) -> CellFailure:
        from jupyter_client.kernelspec import NoSuchKernel
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        if isinstance(exc, CellExecutionError):
            return self._cell_failure(exc.ename, exc.evalue, _traceback(self.error))
        if isinstance(exc, _NoErrorRaised):
            reason = f"the cell is tagged '{RAISES_TAG}' but ran without raising"
            return self._cell_failure("NoErrorRaised", f"{reason}; make it fail or remove the tag")
        if isinstance(exc, (_TimedOut, CellTimeoutError)):
            reason = f"the cell did not finish within {_whole_seconds(timeout)} s and was interrupted"
            evalue = f"{reason}; raise the timeout or make the cell faster"
            return self._cell_failure("CellTimeoutError", evalue, self._interrupted_at())
        if isinstance(exc, DeadKernelError):
            reason = "the kernel died while running the cell (a crash in native code, os._exit or no memory)"
            return self._cell_failure("DeadKernelError", reason)
        if isinstance(exc, NoSuchKernel):
            hint = "see `jupyter kernelspec list`, or leave the kernel name unset to use this interpreter"
            return CellFailure(None, "", "NoSuchKernel", f"no kernel named '{kernel_name}': {hint}")
        if self.cell_index is None:
            return CellFailure(None, "", type(exc).__name__, f"the kernel did not start: {exc}")
        return self._cell_failure(type(exc).__name__, str(exc))

    def _interrupted_at(self) -> str:
        """The traceback the interrupted cell printed (where it was stuck), if any."""
        cell = self.notebook.cells[self.cell_index] if self.cell_index is not None else None
        errors = [out for out in (cell or {}).get("outputs", []) if out.get("output_type") == "error"]
        return _traceback(errors[-1]) if errors else ""

    def _cell_failure(self, ename: str, evalue: str, traceback: str = "") -> CellFailure:
        index = self.cell_index
        cell = self.notebook.cells[index] if index is not None else None
        source = cell.source if cell is not None else ""
        code_index = self._code_index(index) if index is not None else None
        return CellFailure(index, source, ename, evalue, traceback, _printed(cell), code_index)


def _traceback(reply: dict[str, Any] | None) -> str:
    lines = (reply or {}).get("traceback") or []
    return strip_ansi("\n".join(lines))


def _printed(cell: NotebookNode | None) -> str:
    """The last lines a cell printed (stdout and stderr), without ANSI codes."""
    if cell is None:
        return ""
    text = "".join(_stream_texts(cell))
    return "\n".join(strip_ansi(text).rstrip("\n").splitlines()[-_OUTPUT_LINES:])


def _stream_texts(cell: NotebookNode) -> Iterator[str]:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            yield output.get("text", "")


def _interrupted(client: NotebookClient) -> bool:
    """Whether nbclient's SIGINT/SIGTERM handler (installed while it runs) stopped the kernel.

    nbclient swallows the signal: it shuts the kernel down and the run fails on whatever cell was
    running. The handler leaves this attribute behind, and only the handler sets it.
    """
    return getattr(client, "_async_cleanup_kernel_future", None) is not None


def _stop_kernel(manager: KernelManager) -> None:
    """Shut the kernel down if nbclient did not (when it failed while starting, or was interrupted)."""
    from jupyter_core.utils import run_sync

    if manager.has_kernel:
        run_sync(manager.shutdown_kernel)(now=True)
