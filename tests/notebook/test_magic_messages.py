"""What the magics say: errors naming what the user typed, suggestions, values in tables, warning locations."""

from __future__ import annotations

import datetime
import enum
import pathlib

import pytest
from IPython.core.error import UsageError

import resnb as dg
from resnb.errors import ResourceFunctionError, ResourceTeardownWarning, StepExecutionError
from resnb.notebook import magic_support
from resnb.notebook.display_resources import BuiltResources
from resnb.notebook.tables import Displayable


# -- errors and suggestions ---------------------------------------------------------------------------
def test_a_missing_attribute_of_a_file_names_the_file(ip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "defsfile.py").write_text("import resnb as dg\nmydefs = dg.Definitions()\n")
    with pytest.raises(UsageError, match=r"^File 'defsfile.py' has no attribute 'nope'") as info:
        ip.run_line_magic("load_defs", "defsfile.py:nope")
    assert "resnb_file_" not in str(info.value) and "Definitions in it: 'mydefs'" in str(info.value)
    (tmp_path / "empty.py").write_text("X = 1\n")
    with pytest.raises(
        UsageError, match=r"File 'empty.py' \(target 'empty.py'\) defines no .* 'empty.py:NAME'"
    ):
        ip.run_line_magic("load_defs", "empty.py")


def test_an_unknown_target_suggests_a_definitions_variable_one_keystroke_away(ip):
    ip.run_cell("import resnb as dg\nd1 = dg.Definitions()\nd2 = dg.Definitions()")
    with pytest.raises(UsageError, match="Did you mean 'd1'?"):
        ip.run_line_magic("load_defs", "d3")


ASSETS_CELL = """
import resnb as dg

class Bad(dg.ConfigurableResource):
    def setup_for_execution(self, context):
        raise ConnectionError("cannot connect")

@dg.asset
def a() -> int:
    return 1

@dg.asset(key_prefix=["sales"])
def b(a: int) -> int:
    return a + 1

@dg.asset
def needs_bad(bad: Bad) -> int:
    return 1

@dg.asset(io_manager_key="fs")
def stored() -> int:
    return 42

@dg.asset
def reads_missing(nowhere: int) -> int:
    return nowhere
"""


@pytest.fixture
def assets(ip, tmp_path):
    ip.run_cell(ASSETS_CELL)
    ip.run_cell(
        "defs = dg.Definitions(assets=[a, b, needs_bad, stored, reads_missing], resources={'bad': Bad(), "
        f"'fs': dg.FilesystemIOManager(base_dir={str(tmp_path)!r})}})"
    )
    ip.run_line_magic("load_defs", "")
    return ip


def test_an_asset_named_by_the_last_part_of_its_key_is_suggested(assets):
    with pytest.raises(UsageError, match="No asset named 'b'.* Did you mean 'sales/b'?"):
        assets.run_line_magic("materialize", "b")
    with pytest.raises(UsageError, match="Did you mean 'sales/b'?"):
        assets.run_line_magic("asset_value", "b")


def test_a_resource_failure_names_the_assets_that_needed_it(assets):
    with pytest.raises(ResourceFunctionError, match="asset 'needs_bad' needs resource 'bad'") as info:
        assets.run_line_magic("materialize", "needs_bad")
    assert isinstance(info.value.__cause__, ConnectionError)
    assert "%build_resources bad" in str(info.value)


def test_asset_value_names_the_io_manager_it_loaded_through(assets):
    with pytest.raises(UsageError, match=r"Cannot load asset 'stored' via its IO manager 'fs': ") as info:
        assets.run_line_magic("asset_value", "stored")
    assert "of 'asset_value'" not in str(info.value)
    assert "run %materialize stored" in str(info.value)


def test_a_value_missing_in_the_session_says_what_to_run(assets):
    with pytest.raises(StepExecutionError, match="not materialized in this kernel") as info:
        assets.run_line_magic("materialize", "reads_missing")
    assert "only for the run" not in str(info.value.__cause__)
    assert "No asset of the loaded Definitions produces it" in str(info.value.__cause__)


# -- %resources ---------------------------------------------------------------------------------------
class Color(enum.Enum):
    RED = "red"


class Settings(dg.ConfigurableResource):
    color: Color = Color.RED
    folder: pathlib.Path = pathlib.Path("/data/in")
    since: datetime.date = datetime.date(2024, 5, 1)


def test_resources_show_enum_path_and_date_values_and_missing_keys(ip):
    @dg.asset
    def uses(settings: Settings, ghost: dg.ResourceParam[str]) -> int:
        return 1

    ip.user_ns["defs"] = dg.Definitions(assets=[uses], resources={"settings": Settings()})
    ip.run_line_magic("load_defs", "")
    table = ip.run_line_magic("resources", "")
    assert table["settings"].config == "color=Color.RED, folder=/data/in, since=2024-05-01"
    assert table.missing == ["ghost"] and table["ghost"].used_by == ("uses",)
    assert "1 resource(s) (1 missing)" in repr(table)
    assert "missing: not provided" in table._repr_mimebundle_()["text/html"]


# -- warnings point at the caller -----------------------------------------------------------------------
TEARDOWN_CELL = """
import resnb as dg

class Flaky(dg.ConfigurableResource):
    def teardown_after_execution(self, context):
        raise OSError("disk gone")

flaky = Flaky()
"""


def test_teardown_warnings_point_at_the_callers_line(ip):
    ip.run_cell(TEARDOWN_CELL)
    ip.run_line_magic("load_defs", "")
    ip.run_line_magic("build_resources", "")
    with pytest.warns(ResourceTeardownWarning) as rebuilt:
        ip.run_line_magic("build_resources", "flaky")
        ip.run_line_magic("build_resources", "")
    with pytest.warns(ResourceTeardownWarning) as unloaded:
        ip.run_line_magic("unload_ext", "resnb")
    assert [w.filename for w in [*rebuilt, *unloaded]] == [__file__] * 3


def test_a_warning_from_a_cell_points_at_the_cell(ip):
    ip.run_cell(TEARDOWN_CELL)
    ip.run_line_magic("load_defs", "")
    ip.run_line_magic("build_resources", "")
    with pytest.warns(ResourceTeardownWarning) as seen:
        ip.run_cell("%teardown_resources")
    assert "resnb" not in pathlib.Path(seen[0].filename).parts
    assert "IPython" not in pathlib.Path(seen[0].filename).parts


# -- small contracts ------------------------------------------------------------------------------------
def test_built_resources_use_the_displayable_mixin():
    built = BuiltResources({"a": 1}, {})
    assert isinstance(built, Displayable) and not hasattr(built, "__dict__")
    assert repr(built) == built._repr_mimebundle_()["text/plain"]
    assert list(built._repr_mimebundle_(include=["text/html"])) == ["text/html"]


def test_check_variable_name_is_public():
    assert "check_variable_name" in magic_support.__all__
