"""Asset config from ``%materialize --config/--config-json``, and the live display on every failure.

An asset ``needs_cfg(config: Cfg)`` with a required field cannot run without run config: the
magic takes it as ``ASSET.FIELD=VALUE`` (typed by the asset's Config model) or as JSON, and a
missing or bad value is a ``UsageError`` that names the asset and field and says which flag to use.
"""

import pytest
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.error import UsageError

from resnb.errors import ConfigError
from resnb.notebook.asset_config import (
    AssetConfigError,
    asset_run_config,
    config_models,
    parse_asset_config,
    with_flag_hint,
)

PROJECT = """
import enum
import resnb as dg


class Mode(enum.Enum):
    FAST = "fast"
    SAFE = "safe"


class Inner(dg.Config):
    depth: int = 1


class Cfg(dg.Config):
    n: int
    label: str = "x"
    mode: Mode = Mode.SAFE
    inner: Inner = Inner()


@dg.asset
def needs_cfg(config: Cfg) -> str:
    return f"{config.label}{config.n * 2}:{config.mode.value}:{config.inner.depth}"


@dg.asset
def after(needs_cfg: str) -> str:
    return needs_cfg + "!"


@dg.asset(key_prefix="pre")
def prefixed(config: Inner) -> int:
    return config.depth


@dg.asset
def plain() -> int:
    return 1


class Broken(dg.ConfigurableResource):
    url: str = dg.EnvVar("RESNB_TEST_UNSET_VARIABLE")


@dg.asset
def uses_broken(broken: Broken) -> int:
    return 1


defs = dg.Definitions(
    assets=[needs_cfg, after, prefixed, plain, uses_broken], resources={"broken": Broken()}
)
"""


@pytest.fixture
def cfg(ip, make_package, monkeypatch):
    """The shell with the project above loaded."""
    monkeypatch.delenv("RESNB_TEST_UNSET_VARIABLE", raising=False)
    package = make_package(project=PROJECT)
    ip.run_line_magic("load_defs", f"{package}.project")
    return ip


# -- giving config ----------------------------------------------------------------------------------
def test_config_flag_is_typed_by_the_assets_model(cfg):
    assert cfg.run_line_magic("materialize", "needs_cfg --config needs_cfg.n=21") == "x42:safe:1"
    line = "needs_cfg --config needs_cfg.n=2 needs_cfg.mode=FAST needs_cfg.inner.depth=3 needs_cfg.label=y"
    assert cfg.run_line_magic("materialize", line) == "y4:fast:3"


def test_config_json_and_flags_merge_with_the_flag_winning(cfg):
    line = """needs_cfg --config-json '{"needs_cfg": {"n": 1, "label": "j"}}' --config needs_cfg.n=5"""
    assert cfg.run_line_magic("materialize", line) == "j10:safe:1"


def test_with_one_asset_named_its_fields_need_no_prefix(cfg):
    assert cfg.run_line_magic("materialize", "needs_cfg --config n=4 inner.depth=2") == "x8:safe:2"
    # a field named like another asset ('after') is still this asset's field
    with pytest.raises(UsageError, match=r"asset 'needs_cfg', field 'after'"):
        cfg.run_line_magic("materialize", "needs_cfg --config after=1")
    with pytest.raises(UsageError, match=r"asset 'needs_cfg', field 'nn'.*Did you mean 'n'"):
        cfg.run_line_magic("materialize", "needs_cfg --config nn=4")


def test_an_asset_named_after_config_items_is_an_asset_not_config(cfg):
    result = cfg.run_line_magic("materialize", "needs_cfg --config needs_cfg.n=2 after")
    assert result.value("after") == "x4:safe:1!"


def test_config_reaches_an_upstream_asset_added_to_the_run(cfg):
    assert cfg.run_line_magic("materialize", "after --config needs_cfg.n=1") == "x2:safe:1!"


def test_a_prefixed_asset_is_configured_by_its_user_name(cfg):
    assert cfg.run_line_magic("materialize", "pre/prefixed --config pre/prefixed.depth=7") == 7


def test_run_config_is_addressed_by_node_name(cfg):
    from resnb.notebook.magics import ResnbMagics

    session = cfg.magics_manager.registry[ResnbMagics.__name__].session
    models = config_models(session.defs.assets)
    overrides = parse_asset_config(["pre/prefixed.depth=2"], None, models)
    run_config = asset_run_config(overrides, models, ["pre/prefixed"], "%materialize pre/prefixed")
    assert run_config == {"ops": {"pre__prefixed": {"config": {"depth": 2}}}}


# -- errors -----------------------------------------------------------------------------------------
def test_missing_config_says_which_flag_gives_it(cfg):
    with pytest.raises(UsageError) as info:
        cfg.run_line_magic("materialize", "needs_cfg")
    message = str(info.value)
    assert "asset 'needs_cfg', field 'n'" in message
    assert "%materialize needs_cfg --config needs_cfg.n=VALUE" in message
    assert "--config-json" in message and "run_config=" not in message


def test_missing_config_of_an_added_upstream_asset_names_it(cfg):
    with pytest.raises(UsageError, match=r"--config needs_cfg\.n=VALUE"):
        cfg.run_line_magic("materialize", "after")


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ("needs_cf.n=1", r"asset 'needs_cf': there is no asset with this name.*Did you mean 'needs_cfg'"),
        ("needs_cfg.nn=1", r"asset 'needs_cfg', field 'nn': Cfg has no field 'nn'.*Did you mean 'n'"),
        ("needs_cfg.n=abc", r"asset 'needs_cfg', field 'n': 'abc' is not a valid int"),
        ("plain.x=1", r"asset 'plain': it takes no config"),
        ("n=1", r"write ASSET\.FIELD=VALUE"),
        ("after.x=1", r"asset 'after': it takes no config"),
    ],
)
def test_bad_config_is_a_usage_error_naming_asset_and_field(cfg, config, match):
    with pytest.raises(UsageError, match=match):
        cfg.run_line_magic("materialize", f"needs_cfg after --config {config}")


def test_config_for_an_asset_outside_the_run(cfg):
    with pytest.raises(UsageError, match=r"asset 'prefixed'|asset 'pre/prefixed'.*not materialize"):
        cfg.run_line_magic("materialize", "plain --config pre/prefixed.depth=1")


def test_bad_json_names_the_problem_without_echoing_it(cfg):
    with pytest.raises(UsageError, match=r"^asset config: the config JSON is not valid: .* line 1") as info:
        cfg.run_line_magic("materialize", "needs_cfg --config-json '{nope'")
    assert "'?'" not in str(info.value)
    with pytest.raises(UsageError, match=r"asset 'needs': there is no asset with this name"):
        cfg.run_line_magic("materialize", """needs_cfg --config-json '{"needs": {"n": 1}}'""")


def test_the_json_hint_nests_the_missing_fields_of_a_nested_config():
    import resnb as dg

    class Inner(dg.Config):
        depth: int

    class Outer(dg.Config):
        n: int
        inner: Inner

    @dg.asset
    def nested(config: Outer) -> int:
        return config.n

    models = config_models([nested])
    with pytest.raises(AssetConfigError) as info:
        asset_run_config({}, models, ["nested"], "resnb materialize t.py nested")
    hint = str(info.value).splitlines()[-1]
    assert hint == (
        "Give it with: resnb materialize t.py nested --config nested.n=VALUE nested.inner.depth=VALUE "
        """(or --config-json '{"nested": {"n": VALUE, "inner": {"depth": VALUE}}}')."""
    )
    given = hint.split("--config-json '")[1].split("'")[0].replace("VALUE", "2")
    overrides = parse_asset_config([], given, models)
    assert asset_run_config(overrides, models, ["nested"], "") == {
        "ops": {"nested": {"config": {"n": 2, "inner": Inner(depth=2)}}}
    }


def test_a_dotted_key_in_json_says_to_nest_it(cfg):
    line = """needs_cfg --config-json '{"needs_cfg": {"inner.depth": 3}}'"""
    with pytest.raises(
        UsageError, match=r"Cfg has no field 'inner.depth': nest it as \{\"inner\": \{\"depth\": ...\}\}"
    ):
        cfg.run_line_magic("materialize", line)


def test_asset_config_error_is_a_config_error():
    assert issubclass(AssetConfigError, ConfigError)


def test_a_run_config_hint_from_execution_becomes_the_flag_hint():
    error = ConfigError(
        "Config for asset 'a' (Cfg) is invalid:\n  field 'n': bad\n"
        "Provide it as run_config={'ops': {'a': {'config': {...}}}}."
    )
    hinted = with_flag_hint(error, "%materialize a")
    assert str(hinted).startswith("Config for asset 'a' (Cfg) is invalid:\n  field 'n': bad\n")
    assert "%materialize a --config ASSET.FIELD=VALUE" in str(hinted) and "run_config=" not in str(hinted)
    other = ConfigError("Environment variable X is not set.")
    assert with_flag_hint(other, "%materialize a") is other


# -- the live display on failures -------------------------------------------------------------------
def _shown(ip) -> list[str]:
    """What the live display shows at the end (the last publication per display id)."""
    last: dict[str, dict] = {}
    for output in ip.display_pub.outputs:
        last[output["transient"]["display_id"]] = output["data"]
    return [data.get("text/plain", "") for data in last.values() if data]


def test_a_run_that_fails_before_its_first_step_leaves_no_table(cfg):
    cfg.display_pub = CapturingDisplayPublisher()
    with pytest.raises(UsageError):
        cfg.run_line_magic("materialize", "uses_broken")  # its resource's env var is unset
    assert _shown(cfg) == []


def test_a_config_error_leaves_no_table(cfg):
    cfg.display_pub = CapturingDisplayPublisher()
    with pytest.raises(UsageError):
        cfg.run_line_magic("materialize", "needs_cfg")
    assert _shown(cfg) == []


def test_a_failed_step_keeps_the_table_with_what_failed_and_was_skipped(ip):
    ip.run_cell(
        "import resnb as dg\n"
        "@dg.asset\ndef boom() -> int:\n    raise RuntimeError('boom')\n"
        "@dg.asset\ndef later(boom: int) -> int:\n    return boom\n"
    )
    ip.run_line_magic("load_defs", "")
    ip.display_pub = CapturingDisplayPublisher()
    with pytest.raises(Exception, match="boom"):
        ip.run_line_magic("materialize", "later")
    (shown,) = _shown(ip)
    assert "failed" in shown and "skipped" in shown
