"""The magics in an in-process shell: results, ``UsageError`` for every bad input, live progress, config.

The ``ip`` fixture (conftest.py) is a TestingShell with ``%load_ext resnb``; failing cells raise.
"""

import logging
import sys
import textwrap
from pathlib import Path

import pytest
from IPython.core.completer import provisionalcompleter
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import resnb as dg
from resnb.errors import StepExecutionError
from resnb.notebook.display import BuiltResources, DefsSummary, MaterializeResult, ResourceTable
from resnb.notebook.magics import MAGIC_NAMES, ResnbMagics

NOTEBOOK_CELL = """
import resnb as dg

class Counter(dg.ConfigurableResource):
    start: int = 0
    label: str = "c"

@dg.asset
def first(counter: Counter) -> int:
    return counter.start + 1

@dg.asset
def second(first: int) -> int:
    return first * 10

@dg.asset
def broken(first: int) -> int:
    raise ValueError("broken on purpose")

counter = Counter()
"""


@pytest.fixture
def nb(ip):
    """A shell whose notebook defines loose assets and a resource, loaded with %load_defs."""
    ip.run_cell(NOTEBOOK_CELL)
    ip.run_line_magic("load_defs", "")
    return ip


def magics_of(ip) -> ResnbMagics:
    return ip.magics_manager.registry["ResnbMagics"]


# -- extension lifecycle ----------------------------------------------------------------------------
def test_load_registers_every_magic_once(ip):
    import resnb

    resnb.load_ipython_extension(ip)  # a second load is harmless
    table = ip.magics_manager.magics["line"]
    assert all(name in table for name in MAGIC_NAMES)
    assert list(ip.magics_manager.magics["cell"]).count("build_resources") == 1
    assert sum(1 for c in ip.configurables if type(c).__name__ == "Resnb") == 1
    assert (
        sum(1 for m in ip.Completer.custom_matchers if getattr(m, "matcher_identifier", "") == "resnb.magics")
        == 1
    )


def test_unload_removes_magics_completer_settings_and_tears_down(nb, monkeypatch):
    unregistered = []
    monkeypatch.setattr("atexit.unregister", unregistered.append)
    nb.run_line_magic("build_resources", "")
    session = magics_of(nb).session
    nb.run_line_magic("unload_ext", "resnb")
    table = nb.magics_manager.magics["line"]
    assert not any(name in table for name in MAGIC_NAMES)
    assert "build_resources" not in nb.magics_manager.magics["cell"]
    assert "ResnbMagics" not in nb.magics_manager.registry
    assert not any(type(c).__name__ == "Resnb" for c in nb.configurables)
    assert not any(
        getattr(m, "matcher_identifier", "") == "resnb.magics" for m in nb.Completer.custom_matchers
    )
    assert session.built()._asdict() == {}
    assert unregistered == [session.close]


def test_unload_restores_the_resnb_logger_level(ip):
    import logging

    logger = logging.getLogger("resnb")
    ip.run_line_magic("config", "Resnb.log_level = 'ERROR'")
    assert logger.level == logging.ERROR
    ip.run_line_magic("unload_ext", "resnb")
    assert logger.level == logging.NOTSET


def test_reload_ext_is_clean(nb):
    nb.run_line_magic("build_resources", "")
    old = magics_of(nb).session
    nb.run_line_magic("reload_ext", "resnb")
    assert old.built()._asdict() == {}
    assert magics_of(nb).session is not old
    assert (
        sum(1 for m in nb.Completer.custom_matchers if getattr(m, "matcher_identifier", "") == "resnb.magics")
        == 1
    )
    with pytest.raises(UsageError, match="No Definitions are loaded"):
        nb.run_cell("%resources")


def test_help_shows_usage():
    assert "%materialize [-u] [-s SELECT]" in ResnbMagics.materialize.__doc__
    assert "[-c ASSET.FIELD=VALUE [ASSET.FIELD=VALUE ...]] [-j JSON]" in ResnbMagics.materialize.__doc__
    assert "--config-json" in ResnbMagics.build_resources.__doc__


# -- results and display ----------------------------------------------------------------------------
def test_load_defs_returns_a_summary(nb):
    summary = nb.run_line_magic("load_defs", "")
    assert isinstance(summary, DefsSummary)
    assert summary.assets == {"first": "default", "second": "default", "broken": "default"}
    assert summary.resources == {"counter": "Counter"}
    bundle = summary._repr_mimebundle_()
    assert "3 asset(s), 1 resource(s)" in bundle["text/plain"] and "<table" in bundle["text/html"]


def test_results_land_in_underscore_and_semicolon_silences(nb):
    nb.run_cell("%resources")
    assert isinstance(nb.user_ns["_"], ResourceTable)
    assert nb.run_cell("%resnb_status ;").result is None
    assert nb.run_cell("%materialize second;").result is None
    assert nb.run_cell("%materialize second").result == 10
    nb.run_cell("x = %materialize second")
    assert nb.user_ns["x"] == 10


def test_materialize_returns_the_value_or_a_result(nb):
    assert nb.run_line_magic("materialize", "first") == 1
    result = nb.run_line_magic("materialize", "first second")
    assert isinstance(result, MaterializeResult) and result.value("second") == 10
    selected = nb.run_line_magic("materialize", "--select +second -o run")
    assert nb.user_ns["run"] is selected and selected.asset_names == ["first", "second"]


def test_materialize_binds_with_o(nb):
    nb.run_line_magic("materialize", "second -o value")
    assert nb.user_ns["value"] == 10


def test_build_resources_keeps_them_open(nb):
    built = nb.run_line_magic("build_resources", "counter --config counter.start=41 -o res")
    assert isinstance(built, BuiltResources) and nb.user_ns["res"] is built
    assert built.counter.start == 41 and built["counter"].label == "c"
    assert nb.run_line_magic("materialize", "first") == 42
    report = nb.run_line_magic("teardown_resources", "")
    assert report.torn_down == ["counter"]


def test_a_key_after_config_items_is_a_key_not_config(nb):
    built = nb.run_line_magic("build_resources", "--config counter.start=3 counter")
    assert built.counter.start == 3
    with pytest.raises(UsageError, match="cannot read config 'counter.strat'"):
        nb.run_line_magic("build_resources", "counter --config counter.strat")


def test_build_resources_config_json_and_flags(nb):
    built = nb.run_line_magic(
        "build_resources",
        """counter --config-json '{"counter": {"start": 5, "label": "j"}}' -c counter.start=6""",
    )
    assert (built.counter.start, built.counter.label) == (6, "j")


def test_build_resources_config_from_a_variable(nb):
    nb.run_cell('cfg = {"counter": {"start": 7}}')
    built = nb.run_line_magic("build_resources", "counter --config-var cfg -c counter.label=v")
    assert (built.counter.start, built.counter.label) == (7, "v")
    with pytest.raises(UsageError, match="no notebook variable named 'cgf'.*Did you mean 'cfg'"):
        nb.run_line_magic("build_resources", "counter --config-var cgf")
    nb.run_cell('bad = {"counter": {"strat": 1}}')
    with pytest.raises(UsageError, match="strat"):
        nb.run_line_magic("build_resources", "counter --config-var bad")
    with pytest.raises(UsageError, match="two ways"):
        nb.run_line_magic("build_resources", "counter --config-var cfg --form")


def test_build_resources_cell_takes_toml_or_json(nb):
    built = nb.run_cell('%%build_resources\n[counter]\nstart = 3\nlabel = "toml"\n').result
    assert (built.counter.start, built.counter.label) == (3, "toml")
    built = nb.run_cell("%%build_resources counter\nstart = 4\n").result  # one key: its fields alone
    assert (built.counter.start, built.counter.label) == (4, "c")
    built = nb.run_cell('%%build_resources counter -o res\n  {"counter": {"start": 5}}\n').result
    assert built.counter.start == 5 and nb.user_ns["res"] is built
    built = nb.run_cell("%%build_resources\n[resources.counter.config]\nstart = 6\n").result  # run config
    assert built.counter.start == 6


def test_build_resources_cell_sits_between_the_flags_and_a_variable(nb):
    nb.run_cell('cfg = {"counter": {"start": 7, "label": "var"}}')
    built = nb.run_cell('%%build_resources --config-var cfg\n[counter]\nlabel = "cell"\n').result
    assert (built.counter.start, built.counter.label) == (7, "cell")
    built = nb.run_cell('%%build_resources -c counter.label=flag\n[counter]\nlabel = "cell"\n').result
    assert built.counter.label == "flag"


def test_build_resources_cell_errors_name_the_line_or_field(nb):
    with pytest.raises(
        UsageError, match=r"TOML is not valid: .*line 3 of the cell.*\[warehouse\]"
    ) as bad_toml:
        nb.run_cell("%%build_resources\n[counter]\nlabel = hunter2-secret\n")
    assert "hunter2" not in str(bad_toml.value)
    with pytest.raises(UsageError, match="JSON is not valid: .*line 2 of the cell") as bad_json:
        nb.run_cell('%%build_resources\n{"counter": {"label": hunter2}}\n')
    assert "hunter2" not in str(bad_json.value)
    with pytest.raises(UsageError, match="strat.*Did you mean 'start'"):
        nb.run_cell("%%build_resources\n[counter]\nstrat = 1\n")
    with pytest.raises(UsageError, match="config names resource 'countr'.*Did you mean 'counter'"):
        nb.run_cell("%%build_resources\n[countr]\nstart = 1\n")
    with pytest.raises(UsageError, match="two ways"):
        nb.run_cell("%%build_resources --form\n[counter]\nstart = 1\n")
    assert magics_of(nb).session.built()._asdict() == {}, "nothing was built"


def test_loading_another_target_says_which_open_resources_it_tore_down(nb):
    nb.run_line_magic("build_resources", "")
    nb.run_cell("other = dg.Definitions(assets=[first], resources={'counter': Counter(start=9)})")

    summary = nb.run_line_magic("load_defs", "other")

    assert "tore down the open resources counter" in repr(summary)
    assert magics_of(nb).session.built()._asdict() == {}


def test_asset_value_and_status(nb):
    nb.run_line_magic("materialize", "second")
    assert nb.run_line_magic("asset_value", "first") == 1
    status = nb.run_line_magic("resnb_status", "")
    assert list(status.materialized) == ["first", "second"]


def test_notebook_redefinition_and_reload(nb):
    nb.run_line_magic("materialize", "second")
    nb.run_cell("@dg.asset\ndef second(first: int) -> int:\n    return first * 100\n")
    report = nb.run_line_magic("reload_defs", "")
    assert report.changed["assets"] == ["second"]
    assert magics_of(nb).session.stale()["second"] == ["code changed"]
    assert nb.run_line_magic("materialize", "second") == 100


def test_shop_example_end_to_end(ip, shop):
    summary = ip.run_line_magic("load_defs", shop)
    assert summary.jobs == ["shop_job"] and summary.ok
    table = ip.run_line_magic("resources", "")
    assert table["warehouse"].env_vars == ("SHOP_DB_PASSWORD",)
    assert table["warehouse"].used_by == ("clean_orders", "raw_orders")
    ip.run_line_magic("build_resources", "warehouse")
    assert ip.run_line_magic("materialize", "daily_revenue") == {"2026-11-01": 16.5, "2026-11-02": 12.0}
    assert ip.run_line_magic("reload_defs", "").unchanged
    assert ip.run_line_magic("resnb_status", "").open["warehouse"].type == "Warehouse"


def test_resource_graph_shows_states_and_saves(nb, tmp_path):
    nb.run_line_magic("build_resources", "")
    nb.run_line_magic("materialize", "first")
    view = nb.run_line_magic("resource_graph", "--format dot")
    assert "counter" in view.dot and "first" in view.dot
    assert "materialized" in view.dot and "built" in view.dot
    target = tmp_path / "graph.dot"
    nb.run_line_magic("resource_graph", f"--no-resources -s +second -O {target}")
    assert "counter" not in target.read_text() and "second" in target.read_text()


def test_resource_graph_svg_when_a_renderer_exists(nb):
    from resnb.notebook.render import find_renderer

    if find_renderer() is None:
        pytest.skip("no dot and no graphviz-pure")
    view = nb.run_line_magic("resource_graph", "")
    assert view.svg is not None and "<script" not in view.svg
    assert nb.run_line_magic("resource_graph", "-f png").png[:4] == b"\x89PNG"


def test_build_form_builds_through_the_session(nb):
    form = nb.run_line_magic("build_resources", "counter --form")
    form.fill("counter", start=7)
    form.build()
    assert magics_of(nb).session.built().counter.start == 7


# -- live progress ----------------------------------------------------------------------------------
def test_progress_is_one_display_updated_in_place(nb):
    nb.display_pub = CapturingDisplayPublisher()
    magics_of(nb).settings.progress_interval = 0.0
    nb.run_line_magic("materialize", "second")
    outputs = nb.display_pub.outputs
    ids = {o["transient"]["display_id"] for o in outputs}
    assert len(ids) == 1 and len(outputs) >= 3
    assert [o["update"] for o in outputs] == [False] + [True] * (len(outputs) - 1)
    assert "materialize (done): 2 succeeded" in outputs[-2]["data"]["text/plain"]
    assert "<table" in outputs[-2]["data"]["text/html"]
    assert outputs[-1]["data"] == {}  # emptied at the end: the cell's result is its only output


def test_progress_shows_the_failure(nb):
    nb.display_pub = CapturingDisplayPublisher()
    with pytest.raises(StepExecutionError):
        nb.run_line_magic("materialize", "broken")
    assert "ValueError: broken on purpose" in nb.display_pub.outputs[-1]["data"]["text/plain"]


def test_no_live_display_outside_a_kernel_or_when_disabled(nb, capsys):
    assert nb.run_line_magic("materialize", "second") == 10
    assert "materialize (" not in capsys.readouterr().out
    nb.display_pub = CapturingDisplayPublisher()
    nb.run_line_magic("config", "Resnb.show_progress = False")
    nb.run_line_magic("materialize", "second")
    assert nb.display_pub.outputs == []


# -- failures of user code --------------------------------------------------------------------------
def test_failing_asset_raises_a_chained_error_naming_it(nb):
    with pytest.raises(StepExecutionError, match="Materializing asset 'broken' failed: ValueError") as info:
        nb.run_cell("%materialize broken")
    assert isinstance(info.value.__cause__, ValueError)
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert tb.tb_frame.f_code.co_name == "broken"  # where %debug opens


# -- usage errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "magic", [m for m in MAGIC_NAMES if m not in ("load_defs", "teardown_resources", "resnb_status", "resnb")]
)
def test_magics_need_loaded_definitions(ip, magic):
    argument = "x" if magic == "asset_value" else ("x" if magic == "materialize" else "")
    with pytest.raises(UsageError, match="No Definitions are loaded: run %load_defs"):
        ip.run_line_magic(magic, argument)


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ("materialize --upstrem first", r"unrecognized arguments: --upstrem\. Did you mean '--upstream'\?"),
        ("materialize --up first", "unrecognized arguments: --up"),  # no abbreviations
        ("materialize", "name at least one asset"),
        ("materialize frist", r"No asset named 'frist'.*Did you mean 'first'\?"),
        ("materialize -s +secnd", r"secnd.*Did you mean 'second'\?"),
        ("materialize first -o 1x", "is not a Python identifier"),
        ("materialize first -o for", "'for': the name to bind is a Python keyword"),
        ("""build_resources counter -j '{"counter": {"start": 1, "start": 2}}'""", "gives 'start' twice"),
        ("resource_graph --output ''", "--output is empty"),
        ("materialize first --config-json -h", "--config-json: expected one argument"),
        ("materialize 'first", "cannot split the arguments"),
        ("asset_value scond", r"Did you mean 'second'\?"),
        ("asset_value second", "'second' has not been materialized in this kernel"),
        ("asset_value", "the following arguments are required: ASSET"),
        ("build_resources countr", r"No resource with key 'countr'.*Did you mean 'counter'\?"),
        ("build_resources counter --config counter.strt=1", r"field 'strt'.*'start'"),
        ("build_resources counter --config counter.start=abc", "counter.*start"),
        ("build_resources counter --config-json '{bad'", "not valid"),
        ("build_resources counter.start=1", "looks like config.*--config counter.start=1"),
        ("build_resources counter --form -c counter.start=1", "--form and --config"),
        ("teardown_resources countr", r"Did you mean 'counter'\?"),
        ("resources extra", "unrecognized arguments: extra"),
        ("resnb_status --verbose", "unrecognized arguments: --verbose"),
        ("reload_defs now", "unrecognized arguments: now"),
        ("resource_graph --select frist", r"Did you mean 'first'\?"),
        ("resource_graph --format jpg", "invalid choice: 'jpg'"),
        ("resource_graph -O graph.bmp", "graph.bmp"),
        ("load_defs no_such_module_xyz", "no module named 'no_such_module_xyz'"),
        ("load_defs a b", "unrecognized arguments: b"),
    ],
)
def test_bad_input_is_a_usage_error(nb, line, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    magic, _, rest = line.partition(" ")
    with pytest.raises(UsageError, match=match):
        nb.run_line_magic(magic, rest)


def test_usage_errors_fail_the_cell(nb):
    result = InteractiveShell.run_cell(nb, "%materialize frist")  # the plain run_cell: no raising
    assert result.success is False and isinstance(result.error_in_exec, UsageError)


# -- settings and completion ------------------------------------------------------------------------
def test_config_settings(nb):
    nb.run_line_magic("config", "Resnb.log_level = 'DEBUG'")
    assert logging.getLogger("resnb").level == logging.DEBUG
    assert nb.run_line_magic("config", "Resnb.log_level") == "DEBUG"
    nb.run_line_magic("config", "Resnb.log_level = 'WARNING'")
    nb.run_line_magic("config", "Resnb.graph_format = 'dot'")
    assert nb.run_line_magic("resource_graph", "").svg is None


def complete(ip, line: str) -> list[str]:
    with provisionalcompleter():
        return sorted({c.text for c in ip.Completer.completions(line, len(line))})


def test_completion_of_names_fields_and_flags(nb):
    assert complete(nb, "%materialize se") == ["second"]
    assert complete(nb, "x = %materialize f") == ["first"]
    assert complete(nb, "%materialize --select +sec") == ["second"]
    assert complete(nb, "%asset_value b") == ["broken"]
    assert complete(nb, "%build_resources cou") == ["counter"]
    assert complete(nb, "%build_resources --config cou") == ["counter."]
    assert complete(nb, "%build_resources --config counter.") == ["counter.label=", "counter.start="]
    assert complete(nb, "%materialize --ups") == ["--upstream"]
    assert complete(nb, "%resource_graph -f ") == ["dot", "png", "svg"]
    nb.run_line_magic("build_resources", "")
    assert complete(nb, "%teardown_resources ") == ["counter"]


def test_completion_needs_no_definitions_and_leaves_other_lines_alone(ip):
    assert "second" not in complete(ip, "%materialize se")
    assert "%timeit" in complete(ip, "%timei")


# -- module targets through the magics --------------------------------------------------------------
def test_reload_defs_after_editing_a_module(ip, make_package):
    package = make_package(
        defs="""
        import resnb as dg

        @dg.asset
        def answer() -> int:
            return 41
        defs = dg.Definitions(assets=[answer])
        """
    )
    ip.run_line_magic("load_defs", f"{package}.defs")
    assert ip.run_line_magic("materialize", "answer") == 41
    path = Path(sys.modules[f"{package}.defs"].__file__)
    path.write_text(textwrap.dedent(path.read_text()).replace("41", "42 "))
    report = ip.run_line_magic("reload_defs", "")
    assert report.changed["assets"] == ["answer"]
    assert ip.run_line_magic("materialize", "answer") == 42


def test_definitions_errors_in_user_code_are_not_usage_errors(ip, make_package):
    package = make_package(defs="raise KeyError('in the user module')\n")
    with pytest.raises(KeyError, match="in the user module"):
        ip.run_line_magic("load_defs", f"{package}.defs")


def test_loaded_definitions_variable(ip):
    ip.user_ns["project"] = dg.Definitions()
    assert ip.run_line_magic("load_defs", "project").source == "the notebook variable 'project'"


# -- lifecycle counts -------------------------------------------------------------------------------
LIFECYCLE_CELL = """
import resnb as dg

events = []

class Tracked(dg.ConfigurableResource):
    tag: str = "v1"

    def setup_for_execution(self, context):
        events.append(("setup", self.tag))

    def teardown_after_execution(self, context):
        events.append(("teardown", self.tag))

@dg.asset
def uses(tracked: Tracked) -> str:
    return tracked.tag

tracked = Tracked()
"""


def test_teardown_counts_across_build_rebuild_reload_and_unload(ip):
    ip.run_cell(LIFECYCLE_CELL)
    events = ip.user_ns["events"]
    ip.run_line_magic("load_defs", "")
    ip.run_line_magic("build_resources", "")
    ip.run_line_magic("build_resources", "tracked -c tracked.tag=v2")  # rebuild: v1 torn down first
    assert events == [("setup", "v1"), ("teardown", "v1"), ("setup", "v2")]
    assert ip.run_line_magic("reload_defs", "").kept_open == ["tracked"]  # declaration unchanged
    ip.run_cell("tracked = Tracked(tag='v3')")
    assert ip.run_line_magic("reload_defs", "").torn_down == ["tracked"]
    ip.run_line_magic("build_resources", "")
    ip.run_line_magic("materialize", "uses")  # uses the open resource: no setup, no teardown
    ip.run_line_magic("unload_ext", "resnb")
    assert events[3:] == [("teardown", "v2"), ("setup", "v3"), ("teardown", "v3")]


def test_a_failed_rebuild_says_which_open_resources_it_left_closed(ip):
    ip.run_cell(
        "import resnb as dg\n"
        "class Base(dg.ConfigurableResource):\n"
        "    fail: bool = False\n"
        "    def setup_for_execution(self, context):\n"
        "        if self.fail:\n"
        "            raise RuntimeError('base refused')\n"
        "class Top(dg.ConfigurableResource):\n"
        "    base: dg.ResourceDependency[Base]\n"
        "base = Base()\n"
        "defs = dg.Definitions(resources={'base': base, 'top': Top(base=dg.ResourceParam('base'))})\n"
    )
    ip.run_line_magic("load_defs", "defs")
    ip.run_line_magic("build_resources", "")

    with pytest.raises(dg.ResourceFunctionError, match="'base'.*'top' were torn down to be rebuilt"):
        ip.run_line_magic("build_resources", "base -c base.fail=true")
    assert magics_of(ip).session.built()._asdict() == {}


def test_an_asset_storing_its_data_itself_materializes_without_a_value(ip):
    ip.run_cell(
        "import resnb as dg\n"
        "@dg.asset\ndef stored() -> None:\n    return dg.MaterializeResult(metadata={'rows': 3})\n"
        "@dg.asset\ndef plain() -> int:\n    return 1\n"
    )
    ip.run_line_magic("load_defs", "")

    result = ip.run_line_magic("materialize", "stored plain")

    assert result.value("plain") == 1 and not result.has_value("stored")
    with pytest.raises(dg.DagsterInvariantViolationError, match="'stored' succeeded without a value"):
        result.value("stored")
    assert sorted(ip.run_line_magic("resnb_status", "").materialized) == ["plain", "stored"]
    assert ip.run_line_magic("materialize", "stored").statuses() == {"stored": "succeeded"}


def test_upstream_flag_recomputes_upstream(ip):
    ip.run_cell(
        "import resnb as dg\nruns = []\n"
        "@dg.asset\ndef base() -> int:\n    runs.append('base')\n    return 1\n"
        "@dg.asset\ndef top(base: int) -> int:\n    runs.append('top')\n    return base + 1\n"
    )
    ip.run_line_magic("load_defs", "")
    ip.run_line_magic("materialize", "top")
    ip.run_line_magic("materialize", "top")
    assert ip.user_ns["runs"] == ["base", "top", "top"]
    assert ip.run_line_magic("materialize", "top --upstream") == 2
    ip.run_line_magic("materialize", "-u top")
    assert ip.user_ns["runs"][3:] == ["base", "top", "base", "top"]


def test_html_and_text_escape_names():
    from resnb.notebook.display import DefsSummary, StatusReport

    summary = DefsSummary("<script>x</script>", {"a&b": "g<1>"}, {}, [], ["bad <tag>"])
    html = summary._repr_mimebundle_()["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html and "a&amp;b" in html and "&lt;tag&gt;" in html
    assert "<script>x</script>" in repr(summary)  # plain text stays readable
    assert StatusReport(None, None, {}, {}, {}, {})._repr_mimebundle_()["text/plain"] == "Nothing loaded yet."


# -- help, logging, loose assets ---------------------------------------------------------------------
@pytest.mark.parametrize("magic", MAGIC_NAMES)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_flag_returns_the_usage_as_a_result(ip, magic, flag):
    result = ip.run_line_magic(magic, flag)
    assert result._repr_mimebundle_() == {"text/plain": repr(result)}
    if magic == "resnb":  # the umbrella lists its subcommands
        assert repr(result).startswith("usage: %resnb SUBCOMMAND")
        return
    usage = getattr(magics_of(ip), magic).__doc__  # what %magic? shows, as a reST literal block
    assert usage.startswith("::") and repr(result) == usage[2:].strip("\n").rstrip()
    assert repr(result).lstrip().startswith(f"%{magic}")


def test_help_flag_after_other_arguments(nb):
    assert "--upstream" in repr(nb.run_line_magic("materialize", "second -u --help"))


def test_context_log_info_shows_by_default(ip, capsys):
    ip.run_cell(
        "import resnb as dg\n"
        "@dg.asset\ndef talk(context) -> int:\n    context.log.info('hello from talk')\n    return 1\n"
    )
    ip.run_line_magic("load_defs", "")
    assert magics_of(ip).settings.log_level == "INFO"
    ip.run_line_magic("materialize", "talk")
    err = capsys.readouterr().err
    assert "hello from talk" in err and "talk" in err.split("hello from talk")[0]


def test_load_defs_says_which_loose_assets_defs_leaves_out(ip):
    ip.run_cell(
        "import resnb as dg\n"
        "@dg.asset\ndef kept() -> int:\n    return 1\n"
        "@dg.asset\ndef loose_one() -> int:\n    return 2\n"
        "defs = dg.Definitions(assets=[kept])\n"
    )
    summary = ip.run_line_magic("load_defs", "")
    assert list(summary.assets) == ["kept"]
    assert "not in 'defs' and was not loaded: loose_one" in repr(summary)
    assert "loose_one" in summary._repr_html_()
