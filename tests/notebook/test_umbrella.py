"""``%resnb SUBCOMMAND ...``: every magic under one name, with the magic's own parsing and errors."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from resnb.notebook.magics import MAGIC_NAMES, SUBCOMMANDS

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

counter = Counter(start=4)
defs = dg.Definitions(assets=[first, second], resources={"counter": counter})
"""


@pytest.fixture
def nb(ip):
    ip.run_cell(CELL).raise_error()
    return ip


def test_every_subcommand_runs_a_registered_magic(ip) -> None:
    assert set(SUBCOMMANDS.values()) <= set(MAGIC_NAMES)
    assert "resnb" in ip.magics_manager.magics["line"]


def test_subcommands_do_what_their_magics_do(nb) -> None:
    loaded = nb.run_line_magic("resnb", "load defs")
    assert "first" in repr(loaded)
    result = nb.run_line_magic("resnb", "materialize second --upstream")
    assert result == 50
    assert nb.run_line_magic("resnb", "value first") == 5
    assert "materialized" in repr(nb.run_line_magic("resnb", "status"))
    assert nb.run_line_magic("resnb", "resource_graph --format dot").dot.startswith("digraph")
    nb.run_line_magic("resnb", "teardown")


def test_help_lists_the_subcommands_and_a_subcommand_shows_its_magics_usage(nb) -> None:
    for line in ("", "help", "--help"):
        text = repr(nb.run_line_magic("resnb", line))
        assert text.startswith("usage: %resnb SUBCOMMAND [ARGS]")
        assert "  graph        %resource_graph" in text
    assert repr(nb.run_line_magic("resnb", "materialize -h")).lstrip().startswith("%materialize [-u]")


def test_an_unknown_subcommand_is_a_usage_error_with_a_suggestion(nb) -> None:
    with pytest.raises(UsageError) as info:
        nb.run_line_magic("resnb", "materialise first")
    assert "%resnb has no subcommand 'materialise'. Did you mean 'materialize'?" in str(info.value)
    assert "Subcommands: load, reload, resources, graph" in str(info.value)


def test_a_subcommands_bad_input_fails_as_the_magic_would(nb) -> None:
    nb.run_line_magic("resnb", "load defs")
    with pytest.raises(UsageError, match="'secnod'"):
        nb.run_line_magic("resnb", "materialize secnod")


def test_variables_expand_only_for_the_magics_that_expand_them(nb) -> None:
    nb.run_cell("target = 'defs'\nasset_name = 'first'").raise_error()
    assert "first" in repr(nb.run_line_magic("resnb", "load $target"))
    assert nb.run_line_magic("resnb", "materialize first") == 5
    assert nb.run_line_magic("resnb", "value $asset_name") == 5
    cell = nb.run_cell('%resnb build counter --config-json \'{"counter": {"start": 1}}\'')
    cell.raise_error()  # braces reach the parser unexpanded, as with %build_resources


def test_a_failing_subcommand_fails_the_cell(nb) -> None:
    with pytest.raises(UsageError, match="no module named 'no_such_module_xyz'"):
        nb.run_cell("%resnb load no_such_module_xyz")


def test_a_tab_between_subcommand_and_arguments_is_fine(nb) -> None:
    nb.run_line_magic("resnb", "load\tdefs")
    assert nb.run_line_magic("resnb", "materialize\tfirst") == 5


def test_a_trailing_semicolon_silences_and_quotes_around_the_subcommand_are_fine(nb) -> None:
    nb.run_line_magic("resnb", "load defs")
    assert nb.run_cell("%resnb status;").result is None
    assert nb.run_cell("%resnb help ;").result is None
    assert nb.run_cell("%resnb materialize second;").result is None
    assert nb.run_cell("%resnb 'value' first").result == 5
