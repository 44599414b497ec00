"""Tab completion through IPython's own completer (``ip.complete``): names, flags, files, no tracebacks."""

from __future__ import annotations

import pytest

from resnb.notebook.magics import ResnbMagics

pytestmark = pytest.mark.filterwarnings("ignore:`Completer.complete` is pending deprecation")

CELL = """
import resnb as dg

class Counter(dg.ConfigurableResource):
    start: int = 0

@dg.asset
def first(counter: Counter) -> int:
    return counter.start + 1

@dg.asset
def second(first: int) -> int:
    return first * 10

class Scale(dg.Config):
    factor: int = 2
    label: str = ""

@dg.asset
def scaled(config: Scale, second: int) -> int:
    return second * config.factor

counter = Counter()
"""


@pytest.fixture
def nb(ip):
    ip.run_cell(CELL)
    ip.run_line_magic("load_defs", "")
    return ip


def complete(ip, line: str) -> list[str]:
    """What IPython offers at the end of ``line``, as a front end asks for it."""
    return ip.complete("", line, len(line))[1]


@pytest.fixture
def in_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "defsfile.py").write_text("")
    (tmp_path / "graph_out.svg").write_text("")
    return tmp_path


def test_the_parser_answers_the_completer_with_args_and_the_rest():
    parser = ResnbMagics.load_defs.parser
    args, extra = parser.parse_argstring("defsf --unknown 'unclosed", partial=True)
    assert args.target == "defsf" and "--unknown" in extra


def test_file_names_complete_after_load_defs_without_a_traceback(ip, in_folder, capfd):
    assert "defsfile.py" in complete(ip, "%load_defs defsf")
    assert capfd.readouterr().err == ""


def test_file_names_complete_after_output_without_a_traceback(nb, in_folder, capfd):
    assert "graph_out.svg" in complete(nb, "%resource_graph --output gr")
    assert "graph_out.svg" in complete(nb, "%resource_graph -O gr")
    assert capfd.readouterr().err == ""


def test_a_flag_with_its_value_given_waits_for_nothing(nb, capfd):
    assert complete(nb, "%materialize -o r se") == ["second"]
    assert complete(nb, "%materialize --out result fi") == ["first"]
    assert complete(nb, "%build_resources --form cou") == ["counter"]
    assert capfd.readouterr().err == ""


def test_config_takes_several_values(nb):
    assert complete(nb, "%build_resources --config counter.start=1 cou") == ["counter."]


def test_materialize_config_offers_assets_that_take_config_then_their_fields(nb):
    assert complete(nb, "%materialize scaled --config ") == ["scaled."]
    assert complete(nb, "%materialize scaled -c scaled.") == ["scaled.factor=", "scaled.label="]
    assert complete(nb, "%materialize sca") == ["scaled"]


def test_graph_selection_offers_assets_and_resources(nb):
    assert complete(nb, "%resource_graph --select resource:cou") == ["resource:counter"]
    assert complete(nb, "%resource_graph --select +se") == ["second"]
    assert "resource:counter" in complete(nb, "%resource_graph -s ")
    assert complete(nb, "%materialize --select +se") == ["second"]


def test_the_umbrella_completes_subcommands_then_as_the_magic_it_runs(nb):
    assert complete(nb, "%resnb ma") == ["materialize"]
    assert set(complete(nb, "%resnb ")) >= {"load", "graph", "build", "status", "help"}
    assert complete(nb, "%resnb materialize sec") == ["second"]
    assert complete(nb, "%resnb value sc") == ["scaled"]
    assert complete(nb, "%resnb build co") == ["counter"]
    assert complete(nb, "%resnb graph --sel") == ["--select"]
    assert complete(nb, "%resnb nonsense sec") == []
    assert complete(nb, "%resnb materialize\tsec") == ["second"]


def test_the_first_line_of_a_build_resources_cell_completes_like_the_line_magic(nb):
    assert complete(nb, "%%build_resources cou") == ["counter"]
    assert complete(nb, "%%build_resources --config counter.st") == ["counter.start="]
    assert "second" not in complete(nb, "%%materialize se"), "no cell form of %materialize"
