"""``load_target`` / ``reload_target``: every target form, the errors, and re-importing after edits."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

import resnb as dg
from resnb.notebook.loading import LoadedDefs, TargetError, load_target, reload_target

DEFS_SOURCE = """
    import resnb as dg

    @dg.asset
    def numbers():
        return [1, 2, 3]

    defs = dg.Definitions(assets=[numbers])
"""


def _write(path: Path, source: str) -> Path:
    path.write_text(textwrap.dedent(source))
    return path


def _asset_names(loaded: LoadedDefs) -> list[str]:
    return [k.to_user_string() for d in loaded.defs.assets for k in d.keys]


# -- module targets --------------------------------------------------------------------------------
def test_module_attr_target(shop):
    loaded = load_target(f"{shop}:defs")
    assert loaded.origin == "module"
    assert loaded.target == "shop.definitions:defs"
    assert _asset_names(loaded) == ["raw_orders", "clean_orders", "daily_revenue"]
    assert "shop.definitions" in loaded.modules


def test_module_target_uses_its_defs(shop):
    loaded = load_target(shop)
    assert loaded.target == "shop.definitions:defs"
    assert loaded.defs is sys.modules["shop.definitions"].defs


def test_module_target_uses_its_only_definitions_when_not_named_defs(make_package):
    package = make_package(project="import resnb as dg\nproject = dg.Definitions()\n")
    loaded = load_target(f"{package}.project")
    assert loaded.target == f"{package}.project:project"


def test_module_with_several_definitions_asks_which(make_package):
    package = make_package(m="import resnb as dg\nfirst = dg.Definitions()\nsecond = dg.Definitions()\n")
    with pytest.raises(TargetError, match=r"several Definitions: 'first', 'second'.*'first'"):
        load_target(f"{package}.m")


def test_module_without_definitions_says_how_to_define_them(make_package):
    package = make_package(empty="x = 1\n")
    with pytest.raises(
        TargetError, match=rf"Module '{package}.empty'.*defines no Definitions.*defs = Definitions"
    ):
        load_target(f"{package}.empty")


def test_unknown_module_suggests_the_closest(shop):
    load_target(shop)  # 'shop' is imported now
    with pytest.raises(TargetError, match=r"no module named 'shp'.*Did you mean 'shop'\?"):
        load_target("shp.definitions")


def test_unknown_attribute_suggests_the_closest(shop):
    with pytest.raises(
        TargetError, match=r"no attribute 'dfs'.*Did you mean 'defs'\?.*Definitions in it: 'defs'"
    ):
        load_target(f"{shop}:dfs")


def test_attribute_that_is_not_definitions(shop):
    with pytest.raises(TargetError, match=r"'shop.definitions:ORDERS' is a list, not a Definitions"):
        load_target(f"{shop}:ORDERS")


def test_invalid_target_syntax():
    with pytest.raises(TargetError, match="is not a valid target"):
        load_target("not a/module:x y")


def test_missing_import_inside_the_module_propagates(make_package):
    package = make_package(broken="import module_that_does_not_exist_xyz\n")
    with pytest.raises(ModuleNotFoundError, match="module_that_does_not_exist_xyz"):
        load_target(f"{package}.broken")


def test_error_in_module_code_propagates_unchanged(make_package):
    package = make_package(boom="raise RuntimeError('user code failed')\n")
    with pytest.raises(RuntimeError, match="user code failed"):
        load_target(f"{package}.boom")


def test_lazy_definitions_and_repositories_are_resolved(make_package):
    package = make_package(
        lazy="""
        import resnb as dg

        @dg.asset
        def a():
            return 1

        @dg.definitions
        def defs():
            return dg.Definitions(assets=[a])

        @dg.repository
        def repo():
            return [a]
        """
    )
    assert _asset_names(load_target(f"{package}.lazy")) == ["a"]
    assert _asset_names(load_target(f"{package}.lazy:repo")) == ["a"]


def test_target_is_a_target_error_and_a_value_error():
    assert issubclass(TargetError, dg.ResnbError) and issubclass(TargetError, ValueError)


# -- file targets ----------------------------------------------------------------------------------
def test_file_target_imports_under_a_stable_name(tmp_path, monkeypatch):
    path = _write(tmp_path / "my_defs.py", DEFS_SOURCE)
    monkeypatch.chdir(tmp_path)
    first = load_target("my_defs.py")
    second = load_target(str(path))
    assert first.origin == "file" and first.path == path.resolve()
    assert first.modules == second.modules and first.modules[0].startswith("resnb_file_my_defs_")
    assert _asset_names(first) == ["numbers"]
    sys.modules.pop(first.modules[0])


def test_file_target_with_attribute(tmp_path):
    path = _write(tmp_path / "two.py", textwrap.dedent(DEFS_SOURCE) + "\nother = dg.Definitions()\n")
    loaded = load_target(f"{path}:other")
    assert loaded.defs.assets == [] and loaded.target.endswith("two.py:other")
    sys.modules.pop(loaded.modules[0])


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(TargetError, match=r"file '.*nowhere.py' does not exist"):
        load_target(str(tmp_path / "nowhere.py"))


# -- namespace targets -----------------------------------------------------------------------------
def _namespace() -> dict:
    @dg.asset
    def raw():
        return 1

    @dg.asset
    def clean(raw):
        return raw + 1

    return {"raw": raw, "clean": clean}


def test_no_target_uses_the_namespace_defs():
    namespace = {"defs": dg.Definitions(), "other": dg.Definitions()}
    loaded = load_target(None, namespace)
    assert loaded.defs is namespace["defs"] and loaded.origin == "variable"


def test_no_target_uses_the_only_definitions_ignoring_underscore_names():
    namespace = {"project": dg.Definitions(), "_": dg.Definitions(), "_3": dg.Definitions()}
    assert load_target(None, namespace).defs is namespace["project"]


def test_no_target_with_several_definitions_lists_them():
    with pytest.raises(TargetError, match=r"several Definitions: 'a', 'b'"):
        load_target(None, {"a": dg.Definitions(), "b": dg.Definitions()})


def test_no_target_collects_loose_assets_and_resources():
    class Store(dg.ConfigurableResource):
        name: str

    namespace = {**_namespace(), "store": Store(name="x"), "greeting": "hello", "_hidden": Store(name="y")}
    loaded = load_target("", namespace)
    assert loaded.origin == "namespace"
    assert sorted(_asset_names(loaded)) == ["clean", "raw"]
    assert list(loaded.defs.resources) == ["store"]  # plain values are not resources


def test_no_target_and_nothing_defined():
    with pytest.raises(TargetError, match="Nothing to load.*Definitions"):
        load_target(None, {"x": 1})


def test_variable_target():
    defs = dg.Definitions()
    assert load_target("my_defs", {"my_defs": defs}).defs is defs
    with pytest.raises(TargetError, match="'x' is a int, not a Definitions"):
        load_target("x", {"x": 3})


def test_variable_holding_a_module_loads_that_module(shop):
    import shop.definitions as module

    assert load_target("m", {"m": module}).target == "shop.definitions:defs"


def test_unknown_name_suggests_a_notebook_variable():
    with pytest.raises(TargetError, match=r"Did you mean 'my_defs'\?"):
        load_target("my_def", {"my_defs": dg.Definitions()})


# -- reload ----------------------------------------------------------------------------------------
def test_reload_reimports_the_package_modules(make_package):
    package = make_package(
        helpers="FACTOR = 2\n",
        defs="""
        import resnb as dg
        from .helpers import FACTOR

        @dg.asset
        def doubled():
            return 21 * FACTOR

        defs = dg.Definitions(assets=[doubled])
        """,
    )
    loaded = load_target(f"{package}.defs")
    helpers = Path(sys.modules[f"{package}.helpers"].__file__)
    helpers.write_text("FACTOR = 100  # changed\n")
    again = reload_target(loaded)
    assert again.defs is not loaded.defs
    assert dg.materialize(again.defs.assets).asset_value("doubled") == 2100


def test_reload_that_fails_keeps_the_previous_modules(make_package):
    package = make_package(defs=DEFS_SOURCE)
    loaded = load_target(f"{package}.defs")
    module = sys.modules[f"{package}.defs"]
    Path(module.__file__).write_text("def broken(:\n")
    with pytest.raises(SyntaxError):
        reload_target(loaded)
    assert sys.modules[f"{package}.defs"] is module


def test_reload_of_a_file_target(tmp_path):
    path = _write(tmp_path / "script_defs.py", DEFS_SOURCE)
    loaded = load_target(str(path))
    path.write_text(textwrap.dedent(DEFS_SOURCE).replace("[1, 2, 3]", "[4, 5, 6, 7]"))
    again = reload_target(loaded)
    assert dg.materialize(again.defs.assets).asset_value("numbers") == [4, 5, 6, 7]
    sys.modules.pop(again.modules[0])


def test_reload_of_a_namespace_target_reads_the_namespace_again():
    namespace = _namespace()
    loaded = load_target(None, namespace)

    @dg.asset
    def extra():
        return 0

    namespace["extra"] = extra
    assert "extra" in _asset_names(reload_target(loaded, namespace))


# -- messages that depend on where the target is looked up -----------------------------------------
def test_an_unknown_module_mentions_notebook_variables_only_with_a_namespace():
    with pytest.raises(TargetError) as without:
        load_target("no_such_module_xyz")
    assert "notebook variable" not in str(without.value)
    with pytest.raises(TargetError, match="no notebook variable of that name"):
        load_target("no_such_module_xyz", {})


def test_no_target_with_defs_and_loose_assets_says_which_were_left_out():
    namespace = _namespace()
    namespace["defs"] = dg.Definitions(assets=[namespace["raw"]])
    loaded = load_target(None, namespace)
    assert loaded.defs is namespace["defs"]
    (note,) = loaded.notes
    assert "1 loose @asset in the notebook is not in 'defs' and was not loaded: clean" in note
    assert "%load_defs" in note
    assert load_target(None, {"defs": dg.Definitions(assets=[namespace["raw"]])}).notes == ()


def test_a_file_that_is_not_python_is_named_as_such(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not python")

    with pytest.raises(TargetError, match="'notes.txt': it is a file, but not a Python file"):
        load_target("notes.txt")
    with pytest.raises(TargetError, match="it is a file, but not a Python file"):
        load_target(f"{tmp_path / 'notes.txt'}:defs")
