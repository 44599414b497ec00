"""How resnb errors look in IPython: ``ResnbError._render_traceback_`` hides resnb's own frames."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

import resnb as dg
from resnb.errors import DefinitionError, MissingResourceError, ResnbError

RESNB_DIR = os.path.dirname(os.path.abspath(dg.__file__)) + os.sep

CELL_DEFINITIONS = """
import resnb as dg

class Db(dg.ConfigurableResource):
    url: str = "x"

class Flaky(dg.ConfigurableResource):
    def setup_for_execution(self, context):
        raise ValueError("connection refused")

@dg.asset
def needs_db(db: Db) -> int:
    return 1

@dg.asset
def needs_flaky(flaky: Flaky) -> int:
    return 1
"""


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A plain IPython shell (tracebacks printed, not raised) with the cell definitions run."""
    import IPython
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])  # the shell replaces it
    settings = Config()
    settings.HistoryManager.enabled = False
    settings.HistoryManager.hist_file = ":memory:"
    settings.InteractiveShell.colors = "nocolor"
    ip = InteractiveShell(config=settings)
    monkeypatch.setattr(IPython, "get_ipython", lambda: ip)  # as in a kernel, where it is the instance
    assert ip.run_cell(CELL_DEFINITIONS).success
    yield ip


def _missing_resource_error() -> MissingResourceError:
    @dg.asset
    def needs_db(db: dg.ResourceParam[str]) -> int:
        return 1

    try:
        dg.materialize([needs_db])
    except MissingResourceError as exc:
        return exc
    raise AssertionError("materialize did not raise")


def test_render_shows_the_callers_frames_and_the_error_without_resnb_frames() -> None:
    error = _missing_resource_error()
    assert any(f.filename.startswith(RESNB_DIR) for f in traceback.extract_tb(error.__traceback__))
    rendered = error._render_traceback_()
    assert len(rendered) == 1  # one string: IPython joins elements with "" in some xmodes
    lines = rendered[0].split("\n")
    assert lines[0] == "Traceback (most recent call last):"
    assert not any(RESNB_DIR in line for line in lines)
    assert any("_missing_resource_error" in line for line in lines)  # the caller's frame
    assert lines[-1].startswith("MissingResourceError: Resource 'db' required by asset 'needs_db'")


def test_render_of_an_error_that_was_never_raised_is_its_line() -> None:
    assert DefinitionError("bad thing")._render_traceback_() == ["DefinitionError: bad thing"]


def test_cell_raising_a_resnb_error_shows_the_cell_and_the_message_only(shell: Any, capsys: Any) -> None:
    result = shell.run_cell("dg.materialize([needs_db])")
    assert isinstance(result.error_in_exec, MissingResourceError)
    shown = capsys.readouterr().out
    assert "dg.materialize([needs_db])" in shown  # the cell's line
    assert "MissingResourceError: Resource 'db' required by asset 'needs_db'" in shown
    assert RESNB_DIR not in shown and "interactiveshell.py" not in shown
    assert len(shown.strip().splitlines()) <= 5


def test_a_user_exception_as_cause_is_shown_in_full_first(shell: Any, capsys: Any) -> None:
    shell.run_cell("dg.materialize([needs_flaky], resources={'flaky': Flaky()})")
    shown = capsys.readouterr().out
    user_part, _, resnb_part = shown.partition(
        "The above exception was the direct cause of the following exception:"
    )
    assert 'raise ValueError("connection refused")' in user_part
    assert "ValueError: connection refused" in user_part
    assert "ResourceFunctionError: Error initialising resource 'flaky'" in resnb_part
    assert "dg.materialize([needs_flaky]" in resnb_part
    assert RESNB_DIR not in resnb_part


def test_the_users_exception_is_shown_without_resnb_frames(shell: Any, capsys: Any) -> None:
    shell.run_cell("dg.materialize([needs_flaky], resources={'flaky': Flaky()})")
    user_part = capsys.readouterr().out.partition("The above exception was the direct cause")[0]
    assert user_part.startswith("Traceback (most recent call last):")
    assert "in setup_for_execution" in user_part  # the user's own frame stays
    assert RESNB_DIR not in user_part and "interactiveshell.py" not in user_part
    assert "_run_steps" not in user_part


def test_importlib_frames_are_hidden_and_the_imported_modules_frame_kept(
    shell: Any, capsys: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "resnb_broken_module.py").write_text("raise ValueError('broken at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "resnb_broken_module", raising=False)
    cell = (
        "import importlib\n"
        "class Importer(dg.ConfigurableResource):\n"
        "    def setup_for_execution(self, context):\n"
        "        importlib.import_module('resnb_broken_module')\n"
        "dg.build_resources({'importer': Importer()}).__enter__()"
    )
    shell.run_cell(cell)
    user_part = capsys.readouterr().out.partition("The above exception was the direct cause")[0]
    assert "importlib.import_module('resnb_broken_module')" in user_part  # the cell's frame
    assert "resnb_broken_module.py" in user_part  # the frame that raised
    assert "ValueError: broken at import" in user_part
    assert "<frozen importlib" not in user_part and "importlib/__init__.py" not in user_part


@pytest.mark.parametrize("mode", ["Context", "Verbose", "Plain"])
def test_every_xmode_shows_the_traceback_one_frame_line_per_line(shell: Any, capsys: Any, mode: str) -> None:
    shell.run_line_magic("xmode", mode)
    capsys.readouterr()
    shell.run_cell("dg.materialize([needs_db])")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert any(line.strip() == "dg.materialize([needs_db])" for line in lines)  # the cell's line alone
    assert lines[-1].startswith("MissingResourceError: Resource 'db' required by asset 'needs_db'")
    assert "" not in lines  # no blank line between frames (elements joined with "\n")


def test_minimal_xmode_shows_only_the_error_line(shell: Any, capsys: Any) -> None:
    shell.run_line_magic("xmode", "Minimal")
    capsys.readouterr()
    shell.run_cell("dg.materialize([needs_flaky], resources={'flaky': Flaky()})")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ResourceFunctionError: Error initialising resource 'flaky'")
    assert "ValueError: connection refused" in lines[0]


def test_debugger_state_keeps_the_full_exception(shell: Any, capsys: Any) -> None:
    shell.run_cell("dg.materialize([needs_db])")
    capsys.readouterr()
    assert isinstance(sys.last_value, MissingResourceError)
    frames = traceback.extract_tb(sys.last_traceback)
    assert any(f.filename.startswith(RESNB_DIR) for f in frames)  # %debug can step into resnb


def test_debugger_state_keeps_resnb_frames_of_the_users_exception(shell: Any, capsys: Any) -> None:
    shell.run_cell("dg.materialize([needs_flaky], resources={'flaky': Flaky()})")
    capsys.readouterr()
    cause = sys.last_value.__cause__
    assert isinstance(cause, ValueError)
    assert any(f.filename.startswith(RESNB_DIR) for f in traceback.extract_tb(cause.__traceback__))


def test_usage_errors_are_not_resnb_errors_and_still_shown_by_ipython(shell: Any, capsys: Any) -> None:
    from IPython.core.error import UsageError

    assert not issubclass(UsageError, ResnbError)
    shell.run_cell("from IPython.core.error import UsageError\nraise UsageError('bad usage')")
    assert "UsageError: bad usage" in capsys.readouterr().err
