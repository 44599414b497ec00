"""The pytest plugin: off unless asked, one item per notebook, failures reported as the runner's message.

These tests replace the runner with a fake (no kernel); tests/notebooks runs real notebooks through
the plugin end to end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import resnb.testing.plugin as plugin
from resnb.testing import CellFailure, NotebookReport

pytest_plugins = ["pytester"]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float | None]]:
    """Replace the runner: record (notebook name, timeout); notebooks named broken* fail at cell 1."""
    calls: list[tuple[str, float | None]] = []

    def fake_run_notebook(path: Path, timeout: float | None = None) -> NotebookReport:
        calls.append((Path(path).name, timeout))
        failure = None
        if Path(path).name.startswith("broken"):
            traceback = "ZeroDivisionError                         Traceback (most recent call last)\n"
            failure = CellFailure(
                1, "total = 1 / 0", "ZeroDivisionError", "division by zero", traceback, code_index=0
            )
        return NotebookReport(Path(path), 0.5, 2, failure)

    monkeypatch.setattr(plugin, "run_notebook", fake_run_notebook)
    return calls


def make_files(pytester: pytest.Pytester, *names: str) -> None:
    for name in names:
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("def test_ok():\n    pass\n" if name.endswith(".py") else "{}", encoding="utf-8")


def collected(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "::" in line]


def test_notebooks_are_not_collected_unless_asked(pytester: pytest.Pytester, runs: list) -> None:
    make_files(pytester, "nbs/a.ipynb")

    result = pytester.runpytest("nbs")

    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert runs == []


def test_each_notebook_is_one_item_and_checkpoints_are_ignored(pytester: pytest.Pytester, runs: list) -> None:
    pytester.makeini("[pytest]\nnorecursedirs = build\n")  # so .ipynb_checkpoints is visited
    make_files(
        pytester,
        "nbs/a.ipynb",
        "nbs/sub/b.ipynb",
        "nbs/.ipynb_checkpoints/a-checkpoint.ipynb",
        "other/c.ipynb",
    )

    result = pytester.runpytest("--resnb-notebooks=nbs", "--collect-only", "-q")

    assert collected(result) == ["nbs/a.ipynb::a", "nbs/sub/b.ipynb::b"]


def test_a_failure_is_reported_as_the_notebook_cell_and_traceback(
    pytester: pytest.Pytester, runs: list
) -> None:
    make_files(pytester, "nbs/broken.ipynb", "nbs/fine.ipynb")

    result = pytester.runpytest("--resnb-notebooks", "nbs", "--resnb-timeout=7")

    result.assert_outcomes(passed=1, failed=1)
    assert sorted(runs) == [("broken.ipynb", 7.0), ("fine.ipynb", 7.0)]
    result.stdout.fnmatch_lines(
        [
            "*_ notebook broken.ipynb _*",
            "nbs/broken.ipynb: FAILED at cell 2 (code cell 1) (ZeroDivisionError: division by zero) after 0.5 s",
            "",
            "cell 2 (code cell 1) source:",
            "    total = 1 / 0",
            "",
            "traceback:",
            "    ZeroDivisionError*Traceback (most recent call last)",
            "*short test summary info*",
            "FAILED nbs/broken.ipynb::broken - nbs/broken.ipynb: FAILED at cell 2 (code c*",
        ]
    )
    assert "raise_for_failure" not in result.stdout.str(), "no pytest or resnb internals in the report"


def test_ini_paths_run_like_testpaths_and_option_paths_always_run(
    pytester: pytest.Pytester, runs: list
) -> None:
    pytester.makeini("[pytest]\ntestpaths = tests\nresnb_notebooks = nbs\nresnb_timeout = 42\n")
    make_files(pytester, "tests/test_a.py", "nbs/a.ipynb", "more/b.ipynb")

    pytester.runpytest().assert_outcomes(passed=2)  # tests/ and nbs/: no path arguments
    assert runs == [("a.ipynb", 42.0)]
    pytester.runpytest("tests").assert_outcomes(passed=1)  # only what was asked for
    pytester.runpytest("nbs/a.ipynb").assert_outcomes(passed=1)
    pytester.runpytest("tests", "--resnb-notebooks=more").assert_outcomes(passed=2)
    assert runs[-2:] == [("a.ipynb", 42.0), ("b.ipynb", 42.0)]


@pytest.mark.parametrize(
    ("ini", "args", "message"),
    [
        ("", ["--resnb-notebooks=missing"], "--resnb-notebooks: no such notebook or directory: '*missing'"),
        ("resnb_notebooks = gone\n", [], "resnb_notebooks (in *): no such notebook or directory: '*gone'"),
        ("resnb_timeout = soon\n", [], "resnb_timeout: expected a number of seconds, got 'soon'"),
    ],
)
def test_bad_settings_are_usage_errors(
    pytester: pytest.Pytester, ini: str, args: list[str], message: str
) -> None:
    pytester.makeini(f"[pytest]\n{ini}")

    result = pytester.runpytest(*args)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


def test_resnb_shell_has_the_extension_loaded_and_unloads_it_afterwards(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_magics="""
        import pytest
        from IPython.core.error import UsageError

        shells = []

        def test_magics_run_in_process_and_failing_cells_raise(resnb_shell):
            shells.append(resnb_shell)
            assert "resnb" in resnb_shell.extension_manager.loaded
            with pytest.raises(UsageError, match="no_such_module_xyz"):
                resnb_shell.run_cell("%load_defs no_such_module_xyz")

        def test_the_extension_was_unloaded_after_the_test():
            assert shells and "resnb" not in shells[0].extension_manager.loaded
        """
    )

    pytester.runpytest().assert_outcomes(passed=2)
