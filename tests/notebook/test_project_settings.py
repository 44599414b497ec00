"""``[tool.resnb]`` in pyproject.toml: settings defaults for the extension, checked at %load_ext."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from resnb.notebook.magic_support import Resnb
from resnb.notebook.project_settings import apply_project_settings, find_pyproject
from resnb.testing.shell import make_testing_shell


def write_pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture
def shell():
    shell = make_testing_shell()
    yield shell
    if "resnb" in shell.extension_manager.loaded:
        shell.run_line_magic("unload_ext", "resnb")


def settings_of(shell) -> Resnb:
    return shell.magics_manager.registry["ResnbMagics"].settings


def test_the_nearest_pyproject_sets_the_extension_settings(tmp_path, monkeypatch, shell) -> None:
    path = write_pyproject(
        tmp_path,
        """
        [project]
        name = "demo"

        [tool.resnb]
        graph_format = "dot"
        show_progress = false
        progress_interval = 0.5
        """,
    )
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.chdir(notebooks)

    shell.run_line_magic("load_ext", "resnb")

    settings = settings_of(shell)
    assert (settings.graph_format, settings.show_progress, settings.progress_interval) == ("dot", False, 0.5)
    assert settings.project_file == path
    shell.run_line_magic("config", "Resnb.graph_format = 'svg'")  # %config still changes them
    assert settings.graph_format == "svg"


def test_ipython_configuration_wins_over_the_pyproject(tmp_path, monkeypatch) -> None:
    from traitlets.config import Config

    write_pyproject(tmp_path, '[tool.resnb]\ngraph_format = "dot"\nlog_level = "DEBUG"\n')
    monkeypatch.chdir(tmp_path)
    config = Config()
    config.Resnb.graph_format = "png"
    settings = Resnb(config=config)

    assert apply_project_settings(settings, config) == tmp_path / "pyproject.toml"
    assert (settings.graph_format, settings.log_level) == ("png", "DEBUG")
    logging.getLogger("resnb").setLevel("INFO")


def test_an_unknown_key_fails_the_load_naming_the_file_and_the_closest_setting(
    tmp_path, monkeypatch, shell
) -> None:
    path = write_pyproject(tmp_path, '[tool.resnb]\ngraph_fromat = "dot"\n')
    monkeypatch.chdir(tmp_path)
    level = logging.getLogger("resnb").level

    with pytest.raises(UsageError) as info:
        shell.run_line_magic("load_ext", "resnb")

    message = str(info.value)
    assert f"[tool.resnb] in {path} has an unknown setting 'graph_fromat'." in message
    assert "Did you mean 'graph_format'?" in message and "'log_level'" in message
    assert "ResnbMagics" not in shell.magics_manager.registry, "nothing is registered"
    assert logging.getLogger("resnb").level == level


def test_a_bad_value_names_the_key_what_it_takes_and_what_it_does(tmp_path, monkeypatch, shell) -> None:
    write_pyproject(tmp_path, '[tool.resnb]\ngraph_format = "jpg"\n')
    monkeypatch.chdir(tmp_path)

    with pytest.raises(UsageError) as info:
        shell.run_line_magic("load_ext", "resnb")

    message = str(info.value)
    assert "graph_format = 'jpg' is not valid (expected any of ['svg', 'dot', 'png']" in message
    assert "Format of %resource_graph" in message


def test_a_broken_toml_file_is_a_usage_error(tmp_path, monkeypatch, shell) -> None:
    write_pyproject(tmp_path, "[tool.resnb\ngraph_format = 1\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"Cannot read the resnb settings in .*pyproject.toml"):
        shell.run_line_magic("load_ext", "resnb")


def test_a_pyproject_without_the_section_changes_nothing(tmp_path, monkeypatch, shell) -> None:
    write_pyproject(tmp_path, '[project]\nname = "demo"\n')
    monkeypatch.chdir(tmp_path)
    shell.run_line_magic("load_ext", "resnb")
    assert settings_of(shell).graph_format == "svg"
    assert settings_of(shell).project_file is None


def test_the_search_stops_at_the_nearest_file(tmp_path) -> None:
    outer = write_pyproject(tmp_path, "[tool.resnb]\n")
    inner_folder = tmp_path / "sub" / "deeper"
    inner_folder.mkdir(parents=True)
    assert find_pyproject(inner_folder) == outer
    inner = write_pyproject(tmp_path / "sub", "")
    assert find_pyproject(inner_folder) == inner
