"""Run several notebooks one after another and report like a terminal program: ``resnb run``.

::

    notebooks = expand_paths(["notebooks/"])          # FileNotFoundError / ValueError on bad paths
    reports = run_notebooks(notebooks, timeout=300)   # one status line per notebook on stdout

While a notebook runs, a progress line (notebook, cell, elapsed time) is redrawn on stderr about
once a second when stderr is a terminal. After the status lines come the details of every failure
and a summary; Ctrl-C ends the batch with ``interrupted: N of M notebooks run`` and re-raises.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from resnb.testing.report import NotebookReport
from resnb.testing.runner import DEFAULT_TIMEOUT, find_notebooks, run_notebook

__all__ = [
    "Progress",
    "expand_paths",
    "interrupted_line",
    "output_paths",
    "run_notebooks",
    "status_line",
    "summary_line",
]

_CLEAR_LINE = "\r\x1b[K"
_DETAIL_WIDTH = 90
_RULE = "-" * 70


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The notebooks that ``paths`` name, in order, each once (directories: their ``*.ipynb``, sorted).

    Raises ``FileNotFoundError`` for a missing path and ``ValueError`` for a file that is not a
    ``.ipynb`` or a directory without notebooks, naming the path.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if Path(path).is_file() and Path(path).suffix != ".ipynb":
            raise ValueError(f"'{path}' is not a notebook (expected a .ipynb file or a directory)")
        notebooks = find_notebooks(path)
        if not notebooks:
            raise ValueError(f"no notebooks (*.ipynb) in '{path}'")
        found.update(dict.fromkeys(notebooks))
    return list(found)


def output_paths(notebooks: Sequence[Path], output_dir: str | os.PathLike[str]) -> list[Path]:
    """Where ``--output-dir`` writes each executed notebook: ``output_dir/<file name>``.

    Two notebooks with the same file name would overwrite each other: ``ValueError`` naming both.
    """
    targets: dict[str, Path] = {}
    for notebook in notebooks:
        if notebook.name in targets:
            raise ValueError(
                f"'{targets[notebook.name]}' and '{notebook}' would both be written to "
                f"'{Path(output_dir) / notebook.name}': run them with different --output-dir values"
            )
        targets[notebook.name] = notebook
    return [Path(output_dir) / notebook.name for notebook in notebooks]


class Progress:
    """A one-line progress display redrawn in place on ``stream``, silent unless it is a terminal.

    On a terminal a timer thread redraws the line every ``interval`` seconds (``None``: only when
    something starts), so the elapsed time moves during a long cell. :meth:`close` stops it.
    """

    def __init__(
        self,
        stream: TextIO,
        total: int,
        *,
        interval: float | None = 1.0,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.stream = stream
        self.total = total
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.interval = interval
        self.clock = clock
        self.position = 0
        self.notebook = ""
        self.started = clock()
        self._what: str | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._timer: threading.Thread | None = None

    def start(self, notebook: Path) -> None:
        """A new notebook begins."""
        self.position += 1
        self.notebook = str(notebook)
        self.started = self.clock()
        self._draw("starting the kernel")
        if self.enabled and self.interval is not None and self._timer is None:
            self._timer = threading.Thread(
                target=self._redraw_until_closed, name="resnb-progress", daemon=True
            )
            self._timer.start()

    def cell(self, cell_index: int, step: int, steps: int) -> None:
        """A cell begins (a :data:`resnb.testing.runner.CellProgress` callback); shown 1-based."""
        self._draw(f"cell {cell_index + 1} ({step}/{steps})")

    def tick(self) -> None:
        """Redraw the current line with the elapsed time now (what the timer calls)."""
        with self._lock:
            what = self._what
        if what is not None:
            self._draw(what)

    def clear(self) -> None:
        """Erase the progress line (before printing a status line)."""
        with self._lock:
            self._what = None
            if self.enabled:
                self.stream.write(_CLEAR_LINE)
                self.stream.flush()

    def close(self) -> None:
        """Erase the line and stop the timer."""
        self._stopped.set()
        if self._timer is not None:
            self._timer.join()
            self._timer = None
        self.clear()

    def _redraw_until_closed(self) -> None:
        assert self.interval is not None
        while not self._stopped.wait(self.interval):
            self.tick()

    def _draw(self, what: str) -> None:
        with self._lock:
            self._what = what
            if self.enabled:
                elapsed = self.clock() - self.started
                prefix = f"[{self.position}/{self.total}] " if self.total > 1 else ""
                self.stream.write(f"{_CLEAR_LINE}{prefix}{self.notebook}: {what}, {elapsed:.0f} s")
                self.stream.flush()


def run_notebooks(
    notebooks: Sequence[Path],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    output_dir: str | os.PathLike[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> list[NotebookReport]:
    """Run ``notebooks`` in order; print a status line per notebook, then failures and a summary.

    ``out`` (default ``sys.stdout``) gets the status lines, details and summary; ``err`` (default
    ``sys.stderr``) the progress line when it is a terminal. Executed notebooks are written to
    ``output_dir`` (see :func:`output_paths`) when given.
    """
    out = out if out is not None else sys.stdout
    progress = Progress(err if err is not None else sys.stderr, len(notebooks))
    targets = output_paths(notebooks, output_dir) if output_dir is not None else [None] * len(notebooks)
    width = max(len(str(notebook)) for notebook in notebooks) if notebooks else 0
    started = time.perf_counter()
    reports: list[NotebookReport] = []
    try:
        for notebook, target in zip(notebooks, targets):
            progress.start(notebook)
            try:
                report = run_notebook(notebook, timeout=timeout, output_path=target, on_cell=progress.cell)
            finally:
                progress.clear()
            print(status_line(report, width), file=out, flush=True)
            reports.append(report)
    except KeyboardInterrupt as exc:
        _print_failures(reports, out)
        print(interrupted_line(reports, notebooks, str(exc)), file=out, flush=True)
        raise
    finally:
        progress.close()
    _print_failures(reports, out)
    print(summary_line(reports, time.perf_counter() - started), file=out, flush=True)
    return reports


def status_line(report: NotebookReport, width: int = 0) -> str:
    """``"ok      nbs/a.ipynb   3.1 s  12 cells"`` or ``"FAILED  ...  cell 4 (code cell 2): KeyError: 'k'"``."""
    if report.failure is None:
        word, detail = "ok", f"{report.cells_executed} cell{'' if report.cells_executed == 1 else 's'}"
    else:
        word, detail = "FAILED", f"{report.failure.where}: {_first_line(report.failure.summary)}"
    return f"{word:<6}  {str(report.path):<{width}}  {report.duration:6.1f} s  {detail}"


def summary_line(reports: Sequence[NotebookReport], seconds: float) -> str:
    """``"3 notebooks ok in 9.2 s"`` or ``"1 of 3 notebooks FAILED (9.2 s)"``."""
    failed = sum(not report.ok for report in reports)
    noun = "notebook" if len(reports) == 1 else "notebooks"
    if failed:
        return f"{failed} of {len(reports)} {noun} FAILED ({seconds:.1f} s)"
    return f"{len(reports)} {noun} ok in {seconds:.1f} s"


def interrupted_line(reports: Sequence[NotebookReport], notebooks: Sequence[Path], detail: str = "") -> str:
    """``"interrupted: 1 of 3 notebooks run (stopped in b.ipynb, cell 4 (code cell 2))"``.

    ``detail`` is the runner's ``"interrupted while running cell 4 (code cell 2)"`` (or empty).
    """
    line = f"interrupted: {len(reports)} of {len(notebooks)} notebook{'' if len(notebooks) == 1 else 's'} run"
    if len(reports) < len(notebooks):
        where = detail.replace("interrupted while running ", "", 1).strip()
        line += f" (stopped in {notebooks[len(reports)]}{', ' + where if where else ''})"
    return line


def _print_failures(reports: Sequence[NotebookReport], out: TextIO) -> None:
    for report in reports:
        if not report.ok:
            print(f"\n{_RULE}\n{report}", file=out)
    if any(not report.ok for report in reports):
        print(file=out)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= _DETAIL_WIDTH else line[: _DETAIL_WIDTH - 3] + "..."
