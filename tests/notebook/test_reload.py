"""``%reload_defs`` after edits outside the asset functions, fingerprints of what functions read, stale reuse."""

from __future__ import annotations

import sys
import textwrap
import uuid
import warnings
from pathlib import Path

import pytest

import resnb as dg
from resnb.notebook.fingerprint import asset_fingerprint
from resnb.notebook.reloading import modules_to_reimport, source_hashes
from resnb.notebook.session_state import StaleUpstreamWarning


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


# -- a .py target importing a module next to it --------------------------------------------------------
@pytest.fixture
def file_target(tmp_path, monkeypatch):
    """``d.py`` doing ``from helper_<id> import K``; yields (path of d.py, path of the helper)."""
    helper = f"helper_{uuid.uuid4().hex[:8]}"
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"{helper}.py").write_text("K = 1\n")
    (tmp_path / "d.py").write_text(
        f"import resnb as dg\nfrom {helper} import K\n\n@dg.asset\ndef v() -> int:\n    return K * 100\n\n"
        "defs = dg.Definitions(assets=[v])\n"
    )
    yield tmp_path / "d.py", tmp_path / f"{helper}.py"
    for name in [n for n in sys.modules if n.startswith((helper, "resnb_file_d_"))]:
        del sys.modules[name]


def test_reload_of_a_file_target_picks_up_an_edited_helper(ip, file_target):
    _, helper = file_target
    ip.run_line_magic("load_defs", "d.py")
    assert ip.run_line_magic("materialize", "v") == 100
    edit(helper, "K = 1", "K = 2")
    report = ip.run_line_magic("reload_defs", "")
    assert report.changed["assets"] == ["v"]
    assert ip.run_line_magic("resnb_status", "").stale == {"v": ["code changed"]}
    assert ip.run_line_magic("materialize", "v") == 200


def test_reload_keeps_the_relative_path_the_user_typed(ip, file_target):
    ip.run_line_magic("load_defs", "d.py")
    assert ip.run_line_magic("reload_defs", "").source == "d.py"
    assert ip.run_line_magic("resnb_status", "").source == "d.py"


# -- a package target whose assets read other modules ---------------------------------------------------
PACKAGE = dict(
    helpers="""
    FACTOR = 2

    def scale(x):
        return x * FACTOR
    """,
    mid="""
    from .helpers import FACTOR

    MID = FACTOR * 10
    """,
    state="""
    LOG = []
    """,
    defs="""
    import resnb as dg

    from . import helpers
    from .helpers import FACTOR
    from .mid import MID
    from .state import LOG

    @dg.asset
    def one() -> int:
        LOG.append("one")
        return FACTOR

    @dg.asset
    def scaled() -> int:
        return helpers.scale(1)

    @dg.asset
    def from_mid() -> int:
        return MID

    @dg.asset
    def two(one: int) -> int:
        return one + 1

    defs = dg.Definitions(assets=[one, scaled, from_mid, two])
    """,
)


@pytest.fixture
def package(ip, make_package):
    name = make_package(**PACKAGE)
    ip.run_line_magic("load_defs", f"{name}.defs")
    ip.run_line_magic("materialize", "one scaled from_mid two")
    return name, Path(sys.modules[f"{name}.helpers"].__file__)


def test_editing_a_helper_module_marks_the_assets_reading_it_as_changed(ip, package):
    name, helpers = package
    edit(helpers, "FACTOR = 2", "FACTOR = 3")
    report = ip.run_line_magic("reload_defs", "")
    assert sorted(report.changed["assets"]) == ["from_mid", "one", "scaled"]
    stale = ip.run_line_magic("resnb_status", "").stale
    assert stale["one"] == ["code changed"] and stale["two"] == ["upstream 'one' is stale"]
    assert ip.run_line_magic("materialize", "scaled") == 3
    assert ip.run_line_magic("materialize", "from_mid") == 30  # mid imports helpers: re-imported too


def test_unchanged_modules_are_not_reimported(ip, package):
    name, helpers = package
    state = sys.modules[f"{name}.state"]
    edit(helpers, "FACTOR = 2", "FACTOR = 3")
    ip.run_line_magic("reload_defs", "")
    assert sys.modules[f"{name}.state"] is state and state.LOG == ["one"]


def test_materialize_warns_when_it_reuses_a_stale_upstream_value(ip, package):
    _, helpers = package
    edit(helpers, "FACTOR = 2", "FACTOR = 3")
    ip.run_line_magic("reload_defs", "")
    with pytest.warns(
        StaleUpstreamWarning, match=r"Asset 'two' reuses .* upstream asset 'one'.*stale"
    ) as seen:
        assert ip.run_line_magic("materialize", "two") == 3
    assert seen[0].filename == __file__  # points at the caller, not at resnb
    assert ip.run_line_magic("materialize", "two --upstream") == 4


def test_modules_to_reimport_are_the_changed_ones_and_their_importers_in_order(make_package):
    name = make_package(**PACKAGE)
    __import__(f"{name}.defs")
    directory = Path(sys.modules[name].__file__).parent
    before = source_hashes(directory)
    assert modules_to_reimport(directory, before, 0.0) == []
    edit(directory / "helpers.py", "FACTOR = 2", "FACTOR = 5")
    order = modules_to_reimport(directory, before, 0.0, f"{name}.defs")
    assert set(order) == {f"{name}.helpers", f"{name}.mid", f"{name}.defs"}
    assert order.index(f"{name}.helpers") < order.index(f"{name}.mid") < order.index(f"{name}.defs")


# -- fingerprints -------------------------------------------------------------------------------------
def _asset(source: str, **globals_: object) -> dg.AssetsDefinition:
    namespace = {"__name__": "__main__", **globals_}
    exec(textwrap.dedent(source), namespace)
    return dg.asset(namespace["a"])


READS_GLOBALS = """
def helper(x):
    return x * FACTOR

def a() -> int:
    return helper(LIMIT) + len(CACHE)
"""


def test_the_fingerprint_covers_constants_and_helper_functions_it_reads():
    base = asset_fingerprint(_asset(READS_GLOBALS, FACTOR=2, LIMIT=(1, "x"), CACHE=[]))
    assert asset_fingerprint(_asset(READS_GLOBALS, FACTOR=2, LIMIT=(1, "x"), CACHE=[])) == base
    assert asset_fingerprint(_asset(READS_GLOBALS, FACTOR=3, LIMIT=(1, "x"), CACHE=[])) != base
    assert asset_fingerprint(_asset(READS_GLOBALS, FACTOR=2, LIMIT=(1, "y"), CACHE=[])) != base
    changed_helper = READS_GLOBALS.replace("x * FACTOR", "x + FACTOR")
    assert asset_fingerprint(_asset(changed_helper, FACTOR=2, LIMIT=(1, "x"), CACHE=[])) != base


def test_the_fingerprint_ignores_the_contents_of_mutable_globals():
    cache: list[int] = []
    definition = _asset(READS_GLOBALS, FACTOR=2, LIMIT=1, CACHE=cache)
    before = asset_fingerprint(definition)
    cache.append(1)
    assert asset_fingerprint(definition) == before


def test_recursive_helpers_are_fingerprinted_once():
    source = """
    def ping(n):
        return pong(n - 1) if n else 0

    def pong(n):
        return ping(n - 1) if n else 1

    def a() -> int:
        return ping(3)
    """
    assert len(asset_fingerprint(_asset(source))) == 64


def test_the_fingerprint_covers_a_class_of_the_project_it_uses():
    source = """
    class Scaler:
        def scale(self, x):
            return x * 2

    def a() -> int:
        return Scaler().scale(1)
    """
    base = asset_fingerprint(_asset(source))
    assert asset_fingerprint(_asset(source)) == base
    assert asset_fingerprint(_asset(source.replace("x * 2", "x * 3"))) != base


def test_a_failed_asset_fixed_and_reloaded_is_stale_not_failed(ip, make_package):
    name = make_package(
        defs="""
        import resnb as dg

        @dg.asset
        def weather() -> int:
            raise RuntimeError("api down")

        defs = dg.Definitions(assets=[weather])
        """
    )
    ip.run_line_magic("load_defs", f"{name}.defs")
    with pytest.raises(Exception, match="api down"):
        ip.run_line_magic("materialize", "weather")
    assert ip.run_line_magic("resnb_status", "").failed == {"weather": "RuntimeError: api down"}
    edit(Path(sys.modules[f"{name}.defs"].__file__), 'raise RuntimeError("api down")', "return 1")
    assert ip.run_line_magic("reload_defs", "").changed["assets"] == ["weather"]
    status = ip.run_line_magic("resnb_status", "")
    assert "weather" not in status.failed
    assert status.stale["weather"][0] == "code changed since it failed"
    row = next(line for line in repr(status).splitlines() if line.strip().startswith("weather"))
    assert "stale" in row and "code changed since it failed" in row and "RuntimeError: api down" in row
    assert magics_state(ip)["weather"] == "stale"
    assert ip.run_line_magic("materialize", "weather") == 1
    assert "weather" not in ip.run_line_magic("resnb_status", "").stale


def magics_state(ip) -> dict:
    return ip.magics_manager.registry["ResnbMagics"].session.graph_states()


# -- plain-object resources and IO managers ----------------------------------------------------------------
PLAIN = dict(
    defs="""
    import resnb as dg

    CALLS = []

    class Client:
        def __init__(self, url="http://localhost"):
            self.url = url

        def get(self):
            return 1

    class Memory(dg.InMemoryIOManager):
        version = 1

    @dg.asset
    def fetched(client: dg.ResourceParam[Client]) -> int:
        CALLS.append("fetched")
        return client.get()

    @dg.asset
    def doubled(fetched: int) -> int:
        return fetched * 2

    defs = dg.Definitions(
        assets=[fetched, doubled], resources={"client": Client(), "limit": 5, "io_manager": Memory()}
    )
    """
)


def test_an_unedited_reload_keeps_plain_object_resources_open(ip, make_package):
    name = make_package(**PLAIN)
    ip.run_line_magic("load_defs", f"{name}.defs")
    ip.run_line_magic("build_resources", "")
    ip.run_line_magic("materialize", "fetched")

    report = ip.run_line_magic("reload_defs", "")

    assert report.changed["resources"] == [] and report.torn_down == []
    assert ip.run_line_magic("resnb_status", "").stale == {}


def test_a_plain_object_resource_whose_class_or_state_changed_is_rebuilt(ip, make_package):
    name = make_package(**PLAIN)
    ip.run_line_magic("load_defs", f"{name}.defs")
    ip.run_line_magic("build_resources", "client")
    defs_file = Path(sys.modules[f"{name}.defs"].__file__)

    edit(defs_file, 'url="http://localhost"', 'url="http://example.test"')
    report = ip.run_line_magic("reload_defs", "")

    assert report.changed["resources"] == ["client"] and report.torn_down == ["client"]


def test_values_stored_by_a_replaced_io_manager_are_recomputed_not_reused(ip, make_package):
    name = make_package(**PLAIN)
    ip.run_line_magic("load_defs", f"{name}.defs")
    ip.run_line_magic("materialize", "fetched")
    defs_file = Path(sys.modules[f"{name}.defs"].__file__)

    edit(defs_file, "version = 1", "version = 2")
    assert ip.run_line_magic("reload_defs", "").changed["resources"] == ["io_manager"]

    with warnings.catch_warnings():
        warnings.simplefilter("error", StaleUpstreamWarning)
        assert ip.run_line_magic("materialize", "doubled") == 2
    assert sys.modules[f"{name}.defs"].CALLS == ["fetched"], "recomputed with the new IO manager"


def test_reusing_a_value_whose_upstream_this_run_recomputes_warns(ip):
    ip.run_cell(
        "import resnb as dg\n"
        "@dg.asset\ndef up() -> int:\n    return 1\n"
        "@dg.asset\ndef mid(up: int) -> int:\n    return up + 1\n"
        "@dg.asset\ndef low(mid: int) -> int:\n    return mid + 1\n"
    )
    ip.run_line_magic("load_defs", "")
    ip.run_line_magic("materialize", "low")

    with pytest.warns(
        StaleUpstreamWarning, match=r"reuses .* asset 'mid'.*this run recomputes its upstream 'up'"
    ):
        result = ip.run_line_magic("materialize", "up low")
    assert result.value("low") == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", StaleUpstreamWarning)
        ip.run_line_magic("materialize", "up mid low")  # nothing reused: no warning


def test_plain_object_fingerprints_survive_raising_reprs_and_stay_cheap_on_large_state():
    from resnb.notebook.fingerprint import resource_fingerprint

    class Handle:
        def __repr__(self):
            raise AttributeError("only printable once connected")

    class Client:
        def __init__(self, size=100_000, url="http://a"):
            self.handle = Handle()
            self.cache = dict.fromkeys(range(size))
            self.url = url

    assert resource_fingerprint(Client()) == resource_fingerprint(Client())
    assert resource_fingerprint(Client(url="http://b")) != resource_fingerprint(Client())
    assert resource_fingerprint(Client(size=10)) != resource_fingerprint(Client(size=11))
