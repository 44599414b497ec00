"""``Session``: open resources across calls, teardown exactly once, runs reusing them, reload diffs, status.

Also ``PreBuilt`` (resnb.build.scope), which lets a run use what the session already opened.
"""

import sys
import textwrap
import traceback
import types
from pathlib import Path

import pytest

import resnb as dg
from resnb.build.scope import PreBuilt, ResourceScope
from resnb.errors import (
    ConfigError,
    InvalidSubsetError,
    IOManagerError,
    ResourceFunctionError,
    StepExecutionError,
    UnknownResourceError,
)
from resnb.notebook.display import BuiltResources, MaterializeResult
from resnb.notebook.session import NotLoadedError, Session


def recorder(log: list):
    """A resource class that logs its setup and teardown as ("setup"/"teardown", tag)."""

    class Rec(dg.ConfigurableResource):
        tag: str = "r"
        port: int = 1

        def setup_for_execution(self, context) -> None:
            log.append(("setup", self.tag))

        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", self.tag))

    return Rec


def count(log: list, event: str, tag: str) -> int:
    return log.count((event, tag))


@pytest.fixture
def log() -> list:
    return []


@pytest.fixture
def project(log):
    """Namespace definitions: db <- cache (nested by key), assets raw -> clean -> report."""
    Rec = recorder(log)

    class Cache(dg.ConfigurableResource):
        db: dg.ResourceDependency[Rec]
        size: int = 10

        def setup_for_execution(self, context) -> None:
            log.append(("setup", "cache"))

        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", "cache"))

    calls: list[str] = []

    @dg.asset
    def raw(db: Rec) -> int:
        calls.append("raw")
        return db.port

    @dg.asset
    def clean(raw: int, cache: Cache) -> int:
        calls.append("clean")
        return raw + cache.size

    @dg.asset
    def report(clean: int) -> str:
        calls.append("report")
        return f"total={clean}"

    defs = dg.Definitions(
        assets=[raw, clean, report],
        resources={"db": Rec(tag="db"), "cache": Cache(db=dg.ResourceParam("db"))},
    )
    session = Session({"defs": defs})
    session.load()
    session.calls = calls  # type: ignore[attr-defined]
    yield session
    session.close()


# -- PreBuilt ---------------------------------------------------------------------------------------
def test_prebuilt_is_used_as_is_and_never_torn_down(log):
    Rec = recorder(log)
    scope = ResourceScope({"a": PreBuilt("built-a", Rec(tag="a")), "b": Rec(tag="b")})
    values = scope.open()
    scope.close()
    assert values == {"a": "built-a", "b": values["b"]}
    assert log == [("setup", "b"), ("teardown", "b")]


def test_prebuilt_has_no_dependencies_and_serves_dependents(log):
    Rec = recorder(log)

    class Outer(dg.ConfigurableResource):
        inner: dg.ResourceDependency[str]

        def create_resource(self, context):
            return self

    partial = Rec.configure_at_launch()
    scope = ResourceScope(
        {"inner": PreBuilt("shared", partial), "outer": Outer(inner=partial), "x": PreBuilt(1, None)}
    )
    assert scope.dependencies("inner") == frozenset()
    assert scope.dependencies("outer") == {"inner"}
    assert scope.open(["outer"])["outer"].inner == "shared"
    assert log == []


# -- build / teardown -------------------------------------------------------------------------------
def test_nothing_loaded():
    session = Session({})
    with pytest.raises(NotLoadedError, match="No Definitions are loaded.*%load_defs"):
        session.build()
    assert session.status().source is None
    session.close()  # nothing to do, no error


def test_build_opens_dependencies_and_keeps_them_open(project, log):
    built = project.build(["cache"])
    assert isinstance(built, BuiltResources) and isinstance(built, dg.Resources)
    assert list(built) == ["db", "cache"]
    assert built.cache.db is built["db"]
    assert log == [("setup", "db"), ("setup", "cache")]
    project.build(["db"])  # rebuild: the dependent is torn down first, then both rebuilt
    assert log[2:] == [("teardown", "cache"), ("teardown", "db"), ("setup", "db"), ("setup", "cache")]


def test_teardown_exactly_once(project, log):
    project.build()
    report = project.teardown(["db"])
    assert report.torn_down == ["cache", "db"]
    assert project.teardown().torn_down == []
    project.close()
    assert count(log, "teardown", "db") == 1 and count(log, "teardown", "cache") == 1


def test_teardown_of_a_known_key_that_is_not_open(project):
    report = project.teardown(["db"])
    assert report.torn_down == [] and report.not_open == ["db"]
    assert "Nothing was open" in repr(report)


def test_unknown_key_suggests_the_closest(project):
    with pytest.raises(UnknownResourceError, match=r"No resource with key 'dbb'.*Did you mean 'db'\?"):
        project.build(["dbb"])
    with pytest.raises(UnknownResourceError, match="'cach'"):
        project.teardown(["cach"])


def test_build_with_config_is_typed_and_merged(project, log):
    built = project.build(["db"], {"db": {"port": "5433"}})
    assert built.db.port == 5433 and built.db.tag == "db"


def test_config_for_a_key_not_being_built(project):
    with pytest.raises(ConfigError, match="resource 'cache'.*not being built"):
        project.build(["db"], {"cache": {"size": 3}})


def test_failed_build_tears_down_what_it_opened(log):
    Rec = recorder(log)

    class Broken(dg.ConfigurableResource):
        db: dg.ResourceDependency[Rec]

        def setup_for_execution(self, context) -> None:
            raise RuntimeError("cannot connect")

    session = Session(
        {"defs": dg.Definitions(resources={"db": Rec(tag="db"), "b": Broken(db=dg.ResourceParam("db"))})}
    )
    session.load()
    with pytest.raises(ResourceFunctionError, match="resource 'b'") as info:
        session.build(["b"])
    assert log == [("setup", "db"), ("teardown", "db")]
    assert traceback.extract_tb(info.value.__traceback__)[-1].name == "setup_for_execution"


# -- materialize ------------------------------------------------------------------------------------
def test_built_resources_are_reused_and_not_torn_down_by_runs(project, log):
    project.build(["db"])
    project.materialize(["raw"])
    project.materialize(["raw"], upstream=True)
    assert count(log, "setup", "db") == 1 and count(log, "teardown", "db") == 0
    assert count(log, "setup", "cache") == 0


def test_unbuilt_resources_are_built_for_the_run_only(project, log):
    project.materialize(["clean"])
    assert log == [("setup", "db"), ("setup", "cache"), ("teardown", "cache"), ("teardown", "db")]
    assert project.built()._asdict() == {}


def test_upstream_never_materialized_is_added_then_reused(project):
    result = project.materialize(["report"])
    assert isinstance(result, MaterializeResult)
    assert result.asset_names == ["raw", "clean", "report"] and result.value("report") == "total=11"
    project.materialize(["report"])
    assert project.calls == ["raw", "clean", "report", "report"]
    project.materialize(["report"], upstream=True)
    assert project.calls[-3:] == ["raw", "clean", "report"]


def test_select_adds_a_selection(project):
    result = project.materialize(select="raw+")
    assert result.asset_names == ["raw", "clean"]
    assert project.materialize().asset_names == ["raw", "clean", "report"]


def test_unknown_asset_suggests_the_closest(project):
    with pytest.raises(InvalidSubsetError, match=r"No asset named 'claen'.*Did you mean 'clean'\?"):
        project.materialize(["claen"])
    with pytest.raises(InvalidSubsetError, match="reprt"):
        project.materialize(select="+reprt")


def test_failure_names_the_asset_and_chains_the_user_exception():
    @dg.asset
    def ok() -> int:
        return 1

    @dg.asset
    def divide(ok: int) -> float:
        return ok / 0

    @dg.asset
    def after(divide: float) -> float:
        return divide

    session = Session({"defs": dg.Definitions(assets=[ok, divide, after])})
    session.load()
    with pytest.raises(
        StepExecutionError, match=r"asset 'divide' failed: ZeroDivisionError.*1 downstream"
    ) as info:
        session.materialize(["after"])
    error = info.value
    assert isinstance(error.__cause__, ZeroDivisionError)
    assert traceback.extract_tb(error.__traceback__)[-1].name == "divide"  # %debug opens there
    assert error.result.statuses() == {"ok": "succeeded", "divide": "failed", "after": "skipped"}
    assert session.graph_states() == {"ok": "materialized", "divide": "failed", "after": "skipped"}
    assert session.asset_value("ok") == 1
    with pytest.raises(StepExecutionError):  # the failed upstream is run again, not reused
        session.materialize(["after"])


def test_progress_is_reported_per_step(project):
    seen = []
    project.materialize(["clean"], on_progress=lambda r: seen.append((r.finished, r.statuses())))
    assert seen[0] == (False, {"raw": "pending", "clean": "pending"})
    assert (False, {"raw": "running", "clean": "pending"}) in seen
    assert seen[-1] == (True, {"raw": "succeeded", "clean": "succeeded"})


def test_asset_value(project):
    with pytest.raises(IOManagerError, match="'raw' has not been materialized in this kernel"):
        project.asset_value("raw")
    with pytest.raises(InvalidSubsetError, match="Did you mean 'raw'"):
        project.asset_value("rw")
    project.materialize(["raw"])
    assert project.asset_value("raw") == 1


def test_asset_value_loads_through_a_persistent_io_manager(tmp_path):
    @dg.asset
    def stored() -> dict:
        return {"a": 1}

    manager = dg.FilesystemIOManager(base_dir=str(tmp_path))
    defs = dg.Definitions(assets=[stored], resources={"io_manager": manager})
    first = Session({"defs": defs})
    first.load()
    first.materialize(["stored"])
    fresh = Session({"defs": defs})
    fresh.load()
    assert fresh.asset_value("stored") == {"a": 1}


# -- status and staleness ---------------------------------------------------------------------------
def test_stale_when_upstream_rematerialized_or_resource_config_changed(project):
    project.materialize(["report"])
    assert project.stale() == {}
    project.materialize(["raw"])
    stale = project.stale()
    assert stale["clean"] == ["upstream 'raw' re-materialized after it"]
    assert stale["report"] == ["upstream 'clean' is stale"]
    project.build(["db"], {"db": {"port": 2}})
    assert "resource 'db' config changed" in project.stale()["raw"]
    project.build(["db"])  # same config as declared again: not stale for that reason
    assert "resource 'db' config changed" not in project.stale().get("raw", [])
    assert project.graph_states()["clean"] == "stale"
    assert project.graph_states()["resource:db"] == "built"


def test_status_report(project):
    project.build(["db"])
    project.materialize(["raw"])
    status = project.status()
    assert list(status.open) == ["db"] and list(status.materialized) == ["raw"]
    text = repr(status)
    assert "Loaded the notebook variable 'defs'" in text and "materialized" in text
    assert "<table" in status._repr_mimebundle_()["text/html"]


# -- reload -----------------------------------------------------------------------------------------
PROJECT_SOURCE = """
    import resnb as dg
    import resnb_test_log

    class Rec(dg.ConfigurableResource):
        tag: str

        def setup_for_execution(self, context):
            resnb_test_log.events.append(("setup", self.tag))

        def teardown_after_execution(self, context):
            resnb_test_log.events.append(("teardown", self.tag))

    @dg.asset
    def a(keep: Rec) -> int:
        return 1

    @dg.asset
    def b(a: int, change: Rec) -> int:
        return a + 1

    defs = dg.Definitions(assets=[a, b], resources={"keep": Rec(tag="keep"), "change": Rec(tag="change")})
"""


@pytest.fixture
def events(monkeypatch) -> list:
    module = types.ModuleType("resnb_test_log")
    module.events = []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "resnb_test_log", module)
    return module.events  # type: ignore[attr-defined]


def test_reload_reports_changes_and_keeps_unchanged_resources_open(make_package, events):
    package = make_package(project=PROJECT_SOURCE)
    session = Session({})
    session.load(f"{package}.project")
    session.build()
    session.materialize(["b"])
    source = textwrap.dedent(PROJECT_SOURCE)
    source = source.replace("return a + 1", "return a + 2").replace('tag="change"', 'tag="changed"')
    source += "\n@dg.asset\ndef c(b: int) -> int:\n    return b\n\ndefs = dg.Definitions(assets=[a, b, c], resources={'keep': Rec(tag='keep'), 'change': Rec(tag='changed')})\n"
    Path(sys.modules[f"{package}.project"].__file__).write_text(source)
    report = session.reload()
    assert report.added["assets"] == ["c"] and report.changed["assets"] == ["b"]
    assert report.changed["resources"] == ["change"] and report.torn_down == ["change"]
    assert report.kept_open == ["keep"]
    assert events == [("setup", "change"), ("setup", "keep"), ("teardown", "change")]
    assert session.stale()["b"] == ["code changed", "resource 'change' config changed"]
    assert "assets added: c" in repr(report)
    assert session.reload().unchanged
    session.close()
    assert events.count(("teardown", "keep")) == 1


def test_reload_forgets_removed_assets(make_package, events):
    package = make_package(project=PROJECT_SOURCE)
    session = Session({})
    session.load(f"{package}.project")
    session.materialize(["b"])
    source = textwrap.dedent(PROJECT_SOURCE).replace("assets=[a, b]", "assets=[a]")
    Path(sys.modules[f"{package}.project"].__file__).write_text(source + "\n# shorter\n")
    report = session.reload()
    assert report.removed["assets"] == ["b"]
    assert list(session.status().materialized) == ["a"]


def test_summary_lists_problems():
    @dg.asset
    def needs(warehouse: dg.ResourceParam[str]) -> str:
        return warehouse

    session = Session({"defs": dg.Definitions(assets=[needs], resources={"warehous": "x"})})
    summary = session.load()
    assert not summary.ok
    assert (
        "Asset 'needs' needs resource 'warehouse', which is not provided. Did you mean 'warehous'?"
        in summary.problems[0]
    )
