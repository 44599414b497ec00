"""run_notebook: a kernel of this interpreter, in the notebook's directory, failures named by cell.

Each test that starts a kernel checks several things at once: a kernel start costs about a second.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from resnb.testing import (
    CellFailure,
    NotebookFailure,
    NotebookReport,
    find_notebooks,
    run_notebook,
    strip_ansi,
)


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (and is not a zombie)."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        return "State:\tZ" not in status.read_text()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_clean_notebook_runs_in_its_directory_with_env_and_tags(tmp_path: Path, write_notebook) -> None:
    folder = tmp_path / "notebooks"
    notebook = write_notebook(
        folder / "clean.ipynb",
        "# md A tutorial",
        "import os, pathlib\n"
        "pathlib.Path('seen.txt').write_text(f\"{os.getcwd()}|{os.environ['RESNB_TEST_VALUE']}|{os.getpid()}\")",
        ("1 / 0", ["raises-exception"]),
        ("import pathlib\npathlib.Path('skipped.txt').write_text('ran')", ["skip-execution"]),
        "",
        "answer = 42",
    )
    progress: list[tuple[int, int, int]] = []
    output = tmp_path / "out" / "executed.ipynb"

    report = run_notebook(
        notebook,
        env={"RESNB_TEST_VALUE": "from-env"},
        output_path=output,
        on_cell=lambda *step: progress.append(step),
    )

    assert report.ok and report.failure is None, str(report)
    report.raise_for_failure()  # nothing to raise
    cwd, value, pid = (folder / "seen.txt").read_text().split("|")
    assert Path(cwd).resolve() == folder.resolve()
    assert value == "from-env"
    assert not (folder / "skipped.txt").exists()
    assert report.cells_executed == 3
    assert progress == [(1, 1, 3), (2, 2, 3), (5, 3, 3)]
    assert report.output_path == output
    nbformat = pytest.importorskip("nbformat")
    executed = nbformat.read(output, as_version=4)
    assert [out["ename"] for out in executed.cells[2].outputs if out["output_type"] == "error"] == [
        "ZeroDivisionError"
    ]
    assert str(report).startswith(f"{notebook}: ok, 3 cells in ")
    assert not alive(int(pid)), "the kernel must be shut down"


def test_a_failing_cell_is_named_with_its_source_output_and_ansi_free_traceback(
    tmp_path: Path, write_notebook
) -> None:
    source = "print('before the error')\ndef boom():\n    raise ValueError('no good')\nboom()"
    notebook = write_notebook(
        tmp_path / "broken.ipynb",
        "# md Setup",
        "x = 1",
        source,
        "import pathlib\npathlib.Path('after.txt').write_text('ran')",
    )
    output = tmp_path / "executed.ipynb"

    report = run_notebook(notebook, output_path=output)

    failure = report.failure
    assert failure is not None and not report.ok
    assert (failure.cell_index, failure.code_index, failure.source, failure.ename, failure.evalue) == (
        2,
        1,
        source,
        "ValueError",
        "no good",
    )
    assert "----> 4 boom()" in failure.traceback and "ValueError: no good" in failure.traceback
    assert "\x1b" not in failure.traceback and "\x1b" not in str(report)
    assert failure.output == "before the error"
    assert report.cells_executed == 2 and not (tmp_path / "after.txt").exists()
    nbformat = pytest.importorskip("nbformat")
    raw = [
        out for out in nbformat.read(output, as_version=4).cells[2].outputs if out["output_type"] == "error"
    ]
    assert any("\x1b[" in line for line in raw[0]["traceback"]), "the kernel's traceback had colours"

    with pytest.raises(NotebookFailure) as raised:
        report.raise_for_failure()
    message = str(raised.value)
    assert isinstance(raised.value, AssertionError)
    assert message.startswith(f"{notebook}: FAILED at cell 3 (code cell 2) (ValueError: no good)")
    assert "cell 3 (code cell 2) source:\n    print('before the error')\n    def boom():" in message
    assert "traceback:\n" in message and "ValueError: no good" in message


def test_a_raises_exception_cell_that_does_not_raise_fails_and_cwd_can_be_chosen(
    tmp_path: Path, write_notebook
) -> None:
    notebook = write_notebook(
        tmp_path / "notebooks" / "expects.ipynb",
        "import os, pathlib\npathlib.Path('where.txt').write_text(os.getcwd())",
        ("value = 1", ["raises-exception"]),
        "never = True",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    report = run_notebook(notebook, cwd=elsewhere)

    assert Path((elsewhere / "where.txt").read_text()).resolve() == elsewhere.resolve()
    assert report.failure is not None
    assert (report.failure.cell_index, report.failure.source) == (1, "value = 1")
    assert report.failure.ename == "NoErrorRaised"
    assert "tagged 'raises-exception' but ran without raising" in report.failure.evalue
    assert report.cells_executed == 2


def test_a_cell_past_the_timeout_fails_naming_the_cell_and_the_kernel_stops(
    tmp_path: Path, write_notebook
) -> None:
    notebook = write_notebook(
        tmp_path / "slow.ipynb",
        "import os, pathlib\npathlib.Path('pid.txt').write_text(str(os.getpid()))",
        ("import time\ntime.sleep(120)", ["raises-exception"]),  # the tag must not excuse a timeout
    )

    report = run_notebook(notebook, timeout=1)

    failure = report.failure
    assert failure is not None
    assert (failure.cell_index, failure.ename) == (1, "CellTimeoutError")
    assert "did not finish within 1 s" in failure.evalue
    assert "time.sleep(120)" in str(report)
    assert "KeyboardInterrupt" in failure.traceback, "the interrupted cell shows where it was stuck"
    assert not alive(int((tmp_path / "pid.txt").read_text()))


def test_an_unknown_kernel_fails_before_the_first_cell(tmp_path: Path, write_notebook) -> None:
    notebook = write_notebook(tmp_path / "a.ipynb", "x = 1")

    report = run_notebook(notebook, kernel_name="no-such-kernel-resnb")

    assert report.failure is not None and report.failure.cell_index is None
    assert "no kernel named 'no-such-kernel-resnb'" in report.failure.evalue
    assert "FAILED before the first cell (NoSuchKernel" in report.headline
    assert report.cells_executed == 0


def test_an_unreadable_notebook_is_a_failed_report_and_a_missing_one_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")

    report = run_notebook(broken)

    assert report.failure is not None and report.failure.cell_index is None
    assert "is not a readable notebook" in report.failure.evalue
    with pytest.raises(FileNotFoundError, match="missing.ipynb"):
        run_notebook(tmp_path / "missing.ipynb")


def test_find_notebooks_lists_a_directory_sorted_without_checkpoints(tmp_path: Path) -> None:
    for name in ("b.ipynb", "a.ipynb", "notes.txt", ".ipynb_checkpoints/a-checkpoint.ipynb"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")

    assert find_notebooks(tmp_path) == [tmp_path / "a.ipynb", tmp_path / "b.ipynb"]
    assert find_notebooks(tmp_path / "b.ipynb") == [tmp_path / "b.ipynb"]
    assert find_notebooks(tmp_path / ".ipynb_checkpoints") == []
    with pytest.raises(FileNotFoundError, match="nope"):
        find_notebooks(tmp_path / "nope")


def test_strip_ansi_removes_colours_and_hyperlinks() -> None:
    coloured = "\x1b[0;31mValueError\x1b[0m: \x1b]8;;file:///x.py\x1b\\x.py\x1b]8;;\x1b\\ line 1"
    assert strip_ansi(coloured) == "ValueError: x.py line 1"


def test_report_text_without_a_cell_and_pickling_of_the_failure() -> None:
    failure = CellFailure(None, "", "RuntimeError", "the kernel did not start: boom")
    report = NotebookReport(Path("nb.ipynb"), 0.25, 0, failure)

    assert (
        str(report)
        == "nb.ipynb: FAILED before the first cell (RuntimeError: the kernel did not start: boom) after 0.2 s"
    )
    error = pickle.loads(pickle.dumps(NotebookFailure(report)))
    assert error.report == report and str(error) == str(report)


def test_a_cell_is_named_by_its_position_and_its_rank_among_code_cells() -> None:
    failure = CellFailure(4, "1 / 0", "ZeroDivisionError", "division by zero", code_index=2)
    assert failure.where == "cell 5 (code cell 3)"
    assert failure.cell_index == 4, "the attribute stays 0-based"
    report = NotebookReport(Path("nb.ipynb"), 1.0, 3, failure)
    assert str(report).startswith("nb.ipynb: FAILED at cell 5 (code cell 3) (ZeroDivisionError")
    assert "cell 5 (code cell 3) source:\n    1 / 0" in str(report)
    assert CellFailure(0, "x", "E", "v").where == "cell 1"


def test_the_written_notebook_leaves_out_displays_an_update_emptied(tmp_path: Path, write_notebook) -> None:
    nbformat = pytest.importorskip("nbformat")
    source = (
        "from IPython.display import display, update_display\n"
        "display('kept')\n"
        "display('live progress', display_id='progress')\n"
        "update_display({}, raw=True, display_id='progress')"
    )
    output = tmp_path / "executed.ipynb"

    report = run_notebook(write_notebook(tmp_path / "nb.ipynb", source), output_path=output, timeout=120)

    assert report.ok, report
    outputs = nbformat.read(output, as_version=4).cells[0].outputs
    assert [out["data"]["text/plain"] for out in outputs] == ["'kept'"]
