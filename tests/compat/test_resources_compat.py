"""Side-by-side resource-system scenarios: valid programs give the same observable results on resnb and dagster.

Every test takes the ``dg`` fixture (``resnb`` or ``dagster``, see ``tests/conftest.py``) and uses only the Dagster
1.13 public API (plus ``ConfigurableResourceFactory``, which dagster 1.13.28 keeps in ``dagster._config``). The
assertions cover values, object identity, setup/teardown counts and order, and the *type* of exception that reaches
the caller. They never check message text, reprs or warnings, which differ on purpose, nor the behaviours DESIGN.md
lists as deliberate differences (unknown keyword arguments, the None-fill error text, ``in`` on ``Resources``, the
iteration order of ``Resources``). Comments cite shared/reference/dagster-behaviour.md ("ref N.M").

No ``from __future__ import annotations``: the resource classes are local to each test, and Dagster resolves
parameter annotations at decoration time, so string annotations would not resolve.
"""

import importlib
import warnings
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from pydantic import Field

# --------------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------------


def _configurable_resource_factory(dg):
    """``ConfigurableResourceFactory``: exported by resnb, only in ``dagster._config.pythonic_config`` (ref 6.1)."""
    factory = getattr(dg, "ConfigurableResourceFactory", None)
    if factory is None:
        factory = importlib.import_module(
            f"{dg.__name__}._config.pythonic_config"
        ).ConfigurableResourceFactory
    return factory


def _recording_resource(dg, log):
    """A ConfigurableResource class that appends ("setup"|"teardown", tag) to ``log``."""

    class Rec(dg.ConfigurableResource):
        tag: str

        def setup_for_execution(self, context) -> None:
            log.append(("setup", self.tag))

        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", self.tag))

    return Rec


def _two_field_resource(dg):
    class R(dg.ConfigurableResource):
        a: str
        b: int = 3

    return R


# --------------------------------------------------------------------------------------------------------------
# ConfigurableResource: the model
# --------------------------------------------------------------------------------------------------------------


def test_field_default_applies(dg):
    # ref 1.2
    R = _two_field_resource(dg)
    assert R(a="hi").b == 3


def test_field_lax_coercion_of_numeric_string(dg):
    # ref 1.6
    R = _two_field_resource(dg)
    r = R(a="hi", b="5")
    assert r.b == 5
    assert isinstance(r.b, int)


def test_wrong_field_type_is_a_value_error_at_construction(dg):
    # ref 1.6: pydantic's ValidationError, a ValueError subclass.
    R = _two_field_resource(dg)
    with pytest.raises(ValueError):
        R(a="hi", b="notint")


def test_construction_is_keyword_only(dg):
    # ref 1.3
    R = _two_field_resource(dg)
    with pytest.raises(TypeError):
        R("hi")


def test_assigning_a_declared_field_raises_invalid_invocation(dg):
    # ref 1.4
    R = _two_field_resource(dg)
    r = R(a="hi")
    with pytest.raises(dg.DagsterInvalidInvocationError):
        r.a = "other"
    assert r.a == "hi"


def test_assigning_an_undeclared_public_attribute_raises_invalid_invocation(dg):
    # ref 1.4
    R = _two_field_resource(dg)
    r = R(a="hi")
    with pytest.raises(dg.DagsterInvalidInvocationError):
        r.extra = 1


def test_assigning_a_field_inside_setup_for_execution_raises_invalid_invocation(dg):
    # ref 1.4: also on the per-run copy; DagsterErrors raised in init are not wrapped (ref 5.6).
    class R(dg.ConfigurableResource):
        a: str

        def setup_for_execution(self, context) -> None:
            self.a = "changed"

    with pytest.raises(dg.DagsterInvalidInvocationError), dg.build_resources({"r": R(a="hi")}):
        pass  # pragma: no cover


def test_underscore_attribute_writable_on_copy_in_setup_for_execution(dg):
    # ref 1.5, DESIGN.md deviation 2 (which dagster also allows)
    class Conn(dg.ConfigurableResource):
        url: str

        def setup_for_execution(self, context) -> None:
            self._conn = f"connected to {self.url}"

    original = Conn(url="db://x")
    with dg.build_resources({"conn": original}) as resources:
        assert resources.conn._conn == "connected to db://x"
    assert not hasattr(original, "_conn")


def test_equal_resources_compare_equal_and_hash_equal(dg):
    # ref 1.8
    R = _two_field_resource(dg)
    assert R(a="hi") == R(a="hi", b=3)
    assert R(a="hi") != R(a="hi", b=4)
    assert hash(R(a="hi")) == hash(R(a="hi"))
    assert len({R(a="hi"), R(a="hi"), R(a="ho")}) == 2


def test_model_dump_and_model_copy(dg):
    # ref 1.8
    R = _two_field_resource(dg)
    r = R(a="hi")
    assert r.model_dump() == {"a": "hi", "b": 3}
    updated = r.model_copy(update={"b": 9})
    assert (updated.a, updated.b) == ("hi", 9)
    assert r.b == 3


def test_field_description_is_kept_on_model_fields(dg):
    # ref 1.9
    class R(dg.ConfigurableResource):
        c: str = Field(default="x", description="the c")

    assert R.model_fields["c"].description == "the c"
    assert R().c == "x"


def test_excluded_field_absent_from_model_dump(dg):
    # ref 1.10
    class R(dg.ConfigurableResource):
        user: str
        password: str = Field(exclude=True)

    r = R(user="u", password="p")
    assert r.model_dump() == {"user": "u"}
    assert r.password == "p"


def test_optional_field_without_default_is_optional(dg):
    # ref 1.7
    class O(dg.ConfigurableResource):
        a: str | None

    assert O().a is None
    assert O(a="x").a == "x"


def test_subclass_inherits_fields(dg):
    # ref 1.16
    class Base(dg.ConfigurableResource):
        a: str

    class Child(Base):
        b: int = 1

    c = Child(a="x")
    assert (c.a, c.b) == ("x", 1)
    assert isinstance(c, Base)


def test_resource_subclass_is_a_configurable_resource_not_a_resource_definition(dg):
    # ref 1.1
    R = _two_field_resource(dg)
    r = R(a="hi")
    assert isinstance(r, dg.ConfigurableResource)
    assert not isinstance(r, dg.ResourceDefinition)


# --------------------------------------------------------------------------------------------------------------
# EnvVar
# --------------------------------------------------------------------------------------------------------------


def test_env_var_is_not_resolved_at_construction(dg, env):
    # ref 2.3
    env.delenv("RESNB_T_UNSET", raising=False)
    R = _two_field_resource(dg)
    r = R(a=dg.EnvVar("RESNB_T_UNSET"))
    assert isinstance(r.a, dg.EnvVar)
    assert r.a.env_var_name == "RESNB_T_UNSET"


def test_env_var_name_and_get_value(dg, env):
    # ref 2.2
    env.setenv("RESNB_T_V", "value")
    env.delenv("RESNB_T_UNSET", raising=False)
    assert dg.EnvVar("RESNB_T_V").env_var_name == "RESNB_T_V"
    assert dg.EnvVar("RESNB_T_V").get_value() == "value"
    assert dg.EnvVar("RESNB_T_UNSET").get_value() is None
    assert dg.EnvVar("RESNB_T_UNSET").get_value(default="d") == "d"


def test_env_var_resolved_at_each_build(dg, env):
    # ref 2.4: a changed variable between two builds gives a changed value; the object is never mutated.
    R = _two_field_resource(dg)
    r = R(a=dg.EnvVar("RESNB_T_V"))

    env.setenv("RESNB_T_V", "first")
    with dg.build_resources({"r": r}) as resources:
        assert resources.r.a == "first"
        assert not isinstance(resources.r.a, dg.EnvVar)

    env.setenv("RESNB_T_V", "second")
    with dg.build_resources({"r": r}) as resources:
        assert resources.r.a == "second"

    assert isinstance(r.a, dg.EnvVar)
    assert r.a.env_var_name == "RESNB_T_V"


def test_env_var_resolved_at_each_materialize(dg, env):
    # ref 2.4
    R = _two_field_resource(dg)

    @dg.asset
    def read(r: R):
        return r.a

    resources = {"r": R(a=dg.EnvVar("RESNB_T_V"))}
    env.setenv("RESNB_T_V", "one")
    assert dg.materialize([read], resources=resources).asset_value("read") == "one"
    env.setenv("RESNB_T_V", "two")
    assert dg.materialize([read], resources=resources).asset_value("read") == "two"


def test_env_var_int(dg, env):
    # ref 2.1, 2.2
    class R(dg.ConfigurableResource):
        n: int

    r = R(n=dg.EnvVar.int("RESNB_T_INT"))
    env.setenv("RESNB_T_INT", "42")
    assert dg.EnvVar.int("RESNB_T_INT").get_value() == 42
    with dg.build_resources({"r": r}) as resources:
        assert resources.r.n == 42
        assert isinstance(resources.r.n, int)


def test_env_var_int_non_numeric_is_config_error(dg, env):
    # ref 2.6
    class R(dg.ConfigurableResource):
        n: int

    env.setenv("RESNB_T_INT", "not a number")
    with (
        pytest.raises(dg.DagsterInvalidConfigError),
        dg.build_resources({"r": R(n=dg.EnvVar.int("RESNB_T_INT"))}),
    ):
        pass  # pragma: no cover


def test_env_var_inside_list_of_str(dg, env):
    # ref 2.7
    class R(dg.ConfigurableResource):
        hosts: list[str]

    env.setenv("RESNB_T_HOST", "h2")
    with dg.build_resources({"r": R(hosts=["h1", dg.EnvVar("RESNB_T_HOST")])}) as resources:
        assert resources.r.hosts == ["h1", "h2"]


def test_env_var_unset_at_build_is_config_error(dg, env):
    # ref 2.5
    env.delenv("RESNB_T_UNSET", raising=False)
    R = _two_field_resource(dg)
    with (
        pytest.raises(dg.DagsterInvalidConfigError),
        dg.build_resources({"r": R(a=dg.EnvVar("RESNB_T_UNSET"))}),
    ):
        pass  # pragma: no cover


def test_env_var_unset_at_materialize_is_config_error(dg, env):
    # ref 2.5
    env.delenv("RESNB_T_UNSET", raising=False)
    R = _two_field_resource(dg)

    @dg.asset
    def read(r: R):
        return r.a

    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([read], resources={"r": R(a=dg.EnvVar("RESNB_T_UNSET"))})


def test_env_var_unset_fails_before_any_resource_is_set_up(dg, env):
    # ref 2.4, 8.3: env vars are resolved with the config, before setup
    env.delenv("RESNB_T_UNSET", raising=False)
    log = []
    Rec = _recording_resource(dg, log)
    R = _two_field_resource(dg)

    @dg.asset
    def both(a: Rec, z: R):
        return 1

    resources = {"a": Rec(tag="a"), "z": R(a=dg.EnvVar("RESNB_T_UNSET"))}
    with pytest.raises(dg.DagsterInvalidConfigError), dg.build_resources(resources):
        pass  # pragma: no cover
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([both], resources=resources)
    assert log == []


def test_env_var_in_unused_resource_does_not_break_materialize(dg, env):
    # ref 2.8, 10.5
    env.delenv("RESNB_T_UNSET", raising=False)
    R = _two_field_resource(dg)

    @dg.asset
    def plain():
        return 1

    result = dg.materialize([plain], resources={"unused": R(a=dg.EnvVar("RESNB_T_UNSET"))})
    assert result.success


def test_env_var_in_nested_resource_resolved(dg, env):
    # ref 2.7
    class Inner(dg.ConfigurableResource):
        token: str

    class Outer(dg.ConfigurableResource):
        inner: Inner

    env.setenv("RESNB_T_TOKEN", "tok")
    with dg.build_resources({"outer": Outer(inner=Inner(token=dg.EnvVar("RESNB_T_TOKEN")))}) as resources:
        assert resources.outer.inner.token == "tok"


# --------------------------------------------------------------------------------------------------------------
# Nested resources, ResourceDependency, plain values
# --------------------------------------------------------------------------------------------------------------


def test_nested_resource_setup_inner_first_teardown_outer_first(dg):
    # ref 3.2
    log = []

    class Inner(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            log.append("setup inner")

        def teardown_after_execution(self, context) -> None:
            log.append("teardown inner")

    class Outer(dg.ConfigurableResource):
        inner: Inner

        def setup_for_execution(self, context) -> None:
            log.append("setup outer")

        def teardown_after_execution(self, context) -> None:
            log.append("teardown outer")

    with dg.build_resources({"outer": Outer(inner=Inner())}):
        log.append("body")

    assert log == ["setup inner", "setup outer", "body", "teardown outer", "teardown inner"]


def test_nested_resources_are_copies(dg):
    # ref 3.3
    class Inner(dg.ConfigurableResource):
        v: int

    class Outer(dg.ConfigurableResource):
        inner: Inner

    inner = Inner(v=1)
    outer = Outer(inner=inner)
    with dg.build_resources({"outer": outer}) as resources:
        assert resources.outer is not outer
        assert resources.outer.inner is not inner
        assert resources.outer.inner.v == 1
    assert outer.inner is inner


def test_parent_setup_sees_initialised_nested_copy(dg):
    # ref 3.3: inside the parent's setup_for_execution, self.inner already went through its own setup.
    class Inner(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            self._ready = True

    class Outer(dg.ConfigurableResource):
        inner: Inner

        def setup_for_execution(self, context) -> None:
            self._inner_ready = getattr(self.inner, "_ready", False)

    with dg.build_resources({"outer": Outer(inner=Inner())}) as resources:
        assert resources.outer._inner_ready is True


def test_nested_resource_in_materialize(dg):
    # ref 3.2
    class Inner(dg.ConfigurableResource):
        v: str

    class Outer(dg.ConfigurableResource):
        inner: Inner
        w: str

        def combined(self):
            return f"{self.inner.v}-{self.w}"

    @dg.asset
    def use(outer: Outer):
        return outer.combined()

    result = dg.materialize([use], resources={"outer": Outer(inner=Inner(v="a"), w="b")})
    assert result.asset_value("use") == "a-b"


def test_resource_dependency_accepts_literal(dg):
    # ref 3.5
    class UsesStr(dg.ConfigurableResource):
        s: dg.ResourceDependency[str]

    with dg.build_resources({"u": UsesStr(s="literal")}) as resources:
        assert resources.u.s == "literal"


def test_resource_dependency_accepts_resource_definition(dg):
    # ref 3.5: the definition's return value replaces the field. (A *generator* @resource here fails in dagster
    # 1.13.28 with a DagsterResourceFunctionError, so only a returning function is used.)
    calls = []

    @dg.resource
    def make_str(init_context):
        calls.append("called")
        return "from def"

    class UsesStr(dg.ConfigurableResource):
        s: dg.ResourceDependency[str]

    with dg.build_resources({"u": UsesStr(s=make_str)}) as resources:
        assert resources.u.s == "from def"
    assert calls == ["called"]


def test_plain_object_resource_reaches_asset_identically(dg):
    # ref 3.8
    client = object()
    seen = []

    @dg.asset
    def use(client: dg.ResourceParam[Any]):
        seen.append(client)
        return 1

    assert dg.materialize([use], resources={"client": client}).success
    assert seen == [client]
    assert seen[0] is client


# --------------------------------------------------------------------------------------------------------------
# configure_at_launch / run config for resources
# --------------------------------------------------------------------------------------------------------------


def test_configure_at_launch_completed_by_resource_config(dg):
    # ref 4.1, 4.4
    R = _two_field_resource(dg)
    with dg.build_resources(
        {"r": R.configure_at_launch()}, resource_config={"r": {"config": {"a": "x"}}}
    ) as res:
        assert (res.r.a, res.r.b) == ("x", 3)


def test_configure_at_launch_presets_merged_and_run_config_wins(dg):
    # ref 4.1
    class R(dg.ConfigurableResource):
        a: str
        b: int = 0
        c: str = "class default"

    partial = R.configure_at_launch(a="preset", c="preset c")
    with dg.build_resources({"r": partial}, resource_config={"r": {"config": {"a": "over", "b": 9}}}) as res:
        assert (res.r.a, res.r.b, res.r.c) == ("over", 9, "preset c")


def test_configure_at_launch_presets_alone(dg):
    # ref 4.1: keyword args are defaults, so no run config is needed when they cover the required fields.
    R = _two_field_resource(dg)
    with dg.build_resources({"r": R.configure_at_launch(a="preset")}) as res:
        assert (res.r.a, res.r.b) == ("preset", 3)


def test_configure_at_launch_missing_required_is_config_error(dg):
    # ref 4.2
    R = _two_field_resource(dg)
    with pytest.raises(dg.DagsterInvalidConfigError), dg.build_resources({"r": R.configure_at_launch()}):
        pass  # pragma: no cover


def test_configure_at_launch_in_materialize_run_config(dg):
    # ref 4.1, 4.3
    R = _two_field_resource(dg)

    @dg.asset
    def read(r: R):
        return (r.a, r.b)

    result = dg.materialize(
        [read],
        resources={"r": R.configure_at_launch(b=4)},
        run_config={"resources": {"r": {"config": {"a": "run"}}}},
    )
    assert result.asset_value("read") == ("run", 4)


def test_configure_at_launch_via_run_config_object(dg):
    # ref 4.3: RunConfig(resources={key: {"config": {...}}})
    R = _two_field_resource(dg)

    @dg.asset
    def read(r: R):
        return r.a

    result = dg.materialize(
        [read],
        resources={"r": R.configure_at_launch()},
        run_config=dg.RunConfig(resources={"r": {"config": {"a": "from RunConfig"}}}),
    )
    assert result.asset_value("read") == "from RunConfig"


def test_nested_partial_shared_with_top_level_key(dg):
    # ref 3.6: the nested partial and the top-level key are one resource, configured once, set up once.
    log = []

    class Inner(dg.ConfigurableResource):
        v: str

        def setup_for_execution(self, context) -> None:
            log.append("setup inner")

    class Outer(dg.ConfigurableResource):
        inner: Inner

    inner = Inner.configure_at_launch()
    with dg.build_resources(
        {"inner": inner, "outer": Outer(inner=inner)},
        resource_config={"inner": {"config": {"v": "launched"}}},
    ) as res:
        assert res.outer.inner.v == "launched"
        assert res.inner.v == "launched"
        assert res.outer.inner is res.inner
    assert log == ["setup inner"]


def test_nested_partial_not_top_level_fails_materialize(dg):
    # ref 3.6, 11 #12
    class Inner(dg.ConfigurableResource):
        v: str

    class Outer(dg.ConfigurableResource):
        inner: Inner

    @dg.asset
    def use(outer: Outer):
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([use], resources={"outer": Outer(inner=Inner.configure_at_launch())})


def test_run_config_for_constructed_resource_replaces_whole_config(dg):
    # ref 1.15: run config replaces the constructed values as a whole; unset fields fall back to class defaults.
    R = _two_field_resource(dg)
    with dg.build_resources({"r": R(a="x", b=2)}, resource_config={"r": {"config": {"a": "y"}}}) as res:
        assert (res.r.a, res.r.b) == ("y", 3)


def test_resource_config_with_wrong_type_is_config_error(dg):
    # ref 4.3
    R = _two_field_resource(dg)
    with (
        pytest.raises(dg.DagsterInvalidConfigError),
        dg.build_resources(
            {"r": R.configure_at_launch()}, resource_config={"r": {"config": {"a": "x", "b": "s"}}}
        ),
    ):
        pass  # pragma: no cover


# --------------------------------------------------------------------------------------------------------------
# Lifecycle: setup / teardown / yield_for_execution / create_resource
# --------------------------------------------------------------------------------------------------------------


def test_build_resources_sets_up_keys_sorted_and_tears_down_in_reverse(dg):
    # ref 5.4: z, a, m, b set up as a, b, m, z; torn down as z, m, b, a.
    log = []
    Rec = _recording_resource(dg, log)

    with dg.build_resources({key: Rec(tag=key) for key in "zamb"}):
        log.append(("body", ""))

    assert log == [
        ("setup", "a"),
        ("setup", "b"),
        ("setup", "m"),
        ("setup", "z"),
        ("body", ""),
        ("teardown", "z"),
        ("teardown", "m"),
        ("teardown", "b"),
        ("teardown", "a"),
    ]


def test_build_resources_dependency_levels_come_before_sorting(dg):
    # ref 5.4: toposort levels, each sorted by key; "a" needs "z" (legacy dependency), so "a" is in the second level.
    log = []

    def recording(key, deps=()):
        @dg.resource(required_resource_keys=set(deps))
        def res(context):
            log.append(("setup", key))
            yield key
            log.append(("teardown", key))

        return res

    resources = {"z": recording("z"), "a": recording("a", ["z"]), "m": recording("m"), "b": recording("b")}
    with dg.build_resources(resources):
        pass

    assert [key for kind, key in log if kind == "setup"] == ["b", "m", "z", "a"]
    assert [key for kind, key in log if kind == "teardown"] == ["a", "z", "m", "b"]


def test_build_resources_sets_up_and_tears_down_each_key_once(dg):
    # ref 8.3
    log = []
    Rec = _recording_resource(dg, log)

    with dg.build_resources({"x": Rec(tag="x"), "y": Rec(tag="y")}):
        assert sorted(log) == [("setup", "x"), ("setup", "y")]
    assert sorted(log) == [("setup", "x"), ("setup", "y"), ("teardown", "x"), ("teardown", "y")]


def test_materialize_sets_up_resource_once_for_several_assets(dg):
    # ref 10.6
    log = []
    Rec = _recording_resource(dg, log)

    @dg.asset
    def one(r: Rec):
        return 1

    @dg.asset
    def two(one, r: Rec):
        return one + 1

    @dg.asset
    def three(two):
        return two + 1

    assert dg.materialize(
        [one, two, three], resources={"r": Rec(tag="r"), "unused": Rec(tag="unused")}
    ).success
    assert log == [("setup", "r"), ("teardown", "r")]


def test_yield_for_execution_replaces_setup_and_teardown(dg):
    # ref 5.2
    log = []

    class Y(dg.ConfigurableResource):
        v: int = 1

        def setup_for_execution(self, context) -> None:
            log.append("setup_for_execution")  # pragma: no cover - must not run

        def teardown_after_execution(self, context) -> None:
            log.append("teardown_after_execution")  # pragma: no cover - must not run

        @contextmanager
        def yield_for_execution(self, context):
            log.append("before")
            yield self
            log.append("after")

    with dg.build_resources({"y": Y()}) as resources:
        assert resources.y.v == 1
        log.append("body")

    assert log == ["before", "body", "after"]


def test_create_resource_hands_out_a_different_object(dg):
    # ref 6.2: both context.resources.<key> and the annotated parameter receive it.
    class Client:
        def __init__(self, url):
            self.url = url

    class Maker(dg.ConfigurableResource):
        url: str

        def create_resource(self, context):
            return Client(self.url)

    with dg.build_resources({"m": Maker(url="u")}) as resources:
        assert isinstance(resources.m, Client)
        assert resources.m.url == "u"

    seen = []

    @dg.asset(required_resource_keys={"m"})
    def via_context(context):
        seen.append(context.resources.m)
        return 1

    @dg.asset
    def via_param(m: dg.ResourceParam[Any]):
        seen.append(m)
        return 1

    assert dg.materialize([via_context, via_param], resources={"m": Maker(url="u2")}).success
    assert [type(x) for x in seen] == [Client, Client]
    assert [x.url for x in seen] == ["u2", "u2"]


def test_configurable_resource_factory_create_resource(dg):
    # ref 6.1
    ConfigurableResourceFactory = _configurable_resource_factory(dg)

    class Client:
        def __init__(self, url):
            self.url = url

    class ClientFactory(ConfigurableResourceFactory):
        url: str

        def create_resource(self, context):
            return Client(self.url)

    with dg.build_resources({"c": ClientFactory(url="u")}) as resources:
        assert isinstance(resources.c, Client)
        assert resources.c.url == "u"

    @dg.asset
    def use(c: dg.ResourceParam[Any]):
        return c.url

    assert dg.materialize([use], resources={"c": ClientFactory(url="v")}).asset_value("use") == "v"


def test_configurable_resource_factory_without_create_resource_is_abstract(dg):
    # ref 6.1
    ConfigurableResourceFactory = _configurable_resource_factory(dg)

    class NoCreate(ConfigurableResourceFactory):
        url: str

    with pytest.raises(TypeError):
        NoCreate(url="u")


def test_configurable_resource_factory_generator_create_resource_cleans_up(dg):
    # ref 6.1: a generator create_resource is a context manager.
    ConfigurableResourceFactory = _configurable_resource_factory(dg)
    log = []

    class ConnFactory(ConfigurableResourceFactory):
        name: str

        def create_resource(self, context):
            log.append("open")
            yield f"conn {self.name}"
            log.append("close")

    with dg.build_resources({"c": ConnFactory(name="x")}) as resources:
        assert resources.c == "conn x"
        assert log == ["open"]
    assert log == ["open", "close"]


def test_get_resource_context_resource_config(dg, env):
    # ref 6.5: the resolved config dict (env vars already read).
    env.setenv("RESNB_T_V", "resolved")

    class R(dg.ConfigurableResource):
        a: str
        b: int = 3

        def config(self):
            return self.get_resource_context().resource_config

    with dg.build_resources({"r": R(a=dg.EnvVar("RESNB_T_V"))}) as resources:
        assert resources.r.config() == {"a": "resolved", "b": 3}
        assert isinstance(resources.r.get_resource_context(), dg.InitResourceContext)


def test_from_resource_context_builds_initialised_instance(dg):
    # ref 6.7
    R = _two_field_resource(dg)
    r = R.from_resource_context(dg.build_init_resource_context(config={"a": "x"}))
    assert isinstance(r, R)
    assert (r.a, r.b) == ("x", 3)


def test_from_resource_context_inside_legacy_resource(dg):
    # ref 6.7: the intended use, a legacy wrapper over a Pythonic class.
    R = _two_field_resource(dg)

    @dg.resource(config_schema=R.to_config_schema())
    def legacy(init_context):
        return R.from_resource_context(init_context)

    with dg.build_resources({"l": legacy}, resource_config={"l": {"config": {"a": "q"}}}) as resources:
        assert isinstance(resources.l, R)
        assert (resources.l.a, resources.l.b) == ("q", 3)


def test_io_manager_instance_used_as_resource(dg):
    # ref 6.3: ConfigurableIOManager is itself the IO manager.
    stored = {}

    class DictIO(dg.ConfigurableIOManager):
        prefix: str

        def handle_output(self, context, obj):
            stored[self.prefix + context.asset_key.path[-1]] = obj

        def load_input(self, context):
            return stored[self.prefix + context.asset_key.path[-1]]

    @dg.asset
    def up():
        return 2

    @dg.asset
    def down(up):
        return up * 10

    result = dg.materialize([up, down], resources={"io_manager": DictIO(prefix="p/")})
    assert result.success
    assert stored == {"p/up": 2, "p/down": 20}


def test_attach_different_object_to_op_context(dg):
    # ref 6.4
    class Wrapper(dg.ConfigurableResource, dg.IAttachDifferentObjectToOpContext):
        v: str

        def get_object_to_set_on_execution_context(self):
            return f"raw {self.v}"

    seen = {}

    @dg.asset(required_resource_keys={"w"})
    def via_context(context):
        seen["context"] = context.resources.w
        return 1

    @dg.asset
    def via_param(w: Wrapper):
        seen["param"] = w
        return 1

    assert dg.materialize([via_context, via_param], resources={"w": Wrapper(v="x")}).success
    assert seen["context"] == "raw x"
    assert isinstance(seen["param"], Wrapper)


# --------------------------------------------------------------------------------------------------------------
# Legacy @resource and InitResourceContext
# --------------------------------------------------------------------------------------------------------------


def test_resource_decorator_bare_and_called(dg):
    # ref 7.1
    @dg.resource
    def bare(init_context):
        return "bare"

    @dg.resource(description="called")
    def called(init_context):
        return "called"

    @dg.resource
    def no_context():
        return "no context"

    for definition in (bare, called, no_context):
        assert isinstance(definition, dg.ResourceDefinition)
    assert called.description == "called"
    with dg.build_resources({"bare": bare, "called": called, "no_context": no_context}) as resources:
        assert (resources.bare, resources.called, resources.no_context) == ("bare", "called", "no context")


def test_resource_definition_constructor(dg):
    # ref 7.1
    definition = dg.ResourceDefinition(resource_fn=lambda init_context: 5)
    with dg.build_resources({"five": definition}) as resources:
        assert resources.five == 5


def test_resource_config_schema_dict_of_types(dg):
    # ref 7.1, 7.2
    @dg.resource(config_schema={"a": str, "b": int})
    def typed(init_context):
        return init_context.resource_config

    with dg.build_resources({"t": typed}, resource_config={"t": {"config": {"a": "x", "b": 2}}}) as resources:
        assert resources.t == {"a": "x", "b": 2}


def test_resource_config_schema_with_field_default(dg):
    # ref 7.2: resource_config has defaults applied.
    @dg.resource(
        config_schema={
            "a": str,
            "b": dg.Field(int, default_value=3, description="the b"),
            "c": dg.Field(str, is_required=False),
        }
    )
    def typed(init_context):
        return init_context.resource_config

    with dg.build_resources({"t": typed}, resource_config={"t": {"config": {"a": "x"}}}) as resources:
        assert resources.t == {"a": "x", "b": 3}


def test_resource_config_schema_wrong_type_is_config_error(dg):
    # ref 7.7 / 11 #3
    @dg.resource(config_schema={"b": int})
    def typed(init_context):
        return init_context.resource_config  # pragma: no cover

    config = {"t": {"config": {"b": "nope"}}}
    with (
        pytest.raises(dg.DagsterInvalidConfigError),
        dg.build_resources({"t": typed}, resource_config=config),
    ):
        pass  # pragma: no cover


def test_resource_config_is_none_without_schema(dg):
    # ref 7.2
    @dg.resource
    def plain(init_context):
        return init_context.resource_config

    with dg.build_resources({"p": plain}) as resources:
        assert resources.p is None


def test_required_resource_keys_make_dependency_available(dg):
    # ref 7.8
    log = []

    @dg.resource
    def creds():
        log.append("creds")
        return ("user", "pw")

    @dg.resource(required_resource_keys={"creds"})
    def client(init_context):
        log.append("client")
        return f"client {init_context.resources.creds[0]}"

    with dg.build_resources({"client": client, "creds": creds}) as resources:
        assert resources.client == "client user"
    assert log == ["creds", "client"]


def test_init_context_resources_unknown_key_is_unknown_resource_error(dg):
    # ref 7.2: only the required keys are visible.
    @dg.resource
    def other():
        return 1

    @dg.resource
    def peeks(init_context):
        return init_context.resources.other

    with pytest.raises(dg.DagsterUnknownResourceError), dg.build_resources({"other": other, "peeks": peeks}):
        pass  # pragma: no cover


def test_generator_resource_setup_and_teardown_order(dg):
    # ref 7.3
    log = []

    @dg.resource
    def gen(init_context):
        log.append("setup")
        yield "value"
        log.append("teardown")

    with dg.build_resources({"g": gen}) as resources:
        log.append(f"body {resources.g}")

    assert log == ["setup", "body value", "teardown"]


def test_generator_resource_teardown_in_finally_runs_when_body_raises(dg):
    # ref 5.8, 7.3
    log = []

    @dg.resource
    def gen():
        try:
            yield "value"
        finally:
            log.append("finally")

    with pytest.raises(KeyError), dg.build_resources({"g": gen}):
        raise KeyError("boom")
    assert log == ["finally"]


def test_contextmanager_resource_setup_and_teardown_order(dg):
    # ref 7.3: an @contextmanager function works as a resource function.
    log = []

    @dg.resource
    @contextmanager
    def cm(init_context):
        log.append("enter")
        yield "cm value"
        log.append("exit")

    with dg.build_resources({"cm": cm}) as resources:
        log.append(f"body {resources.cm}")

    assert log == ["enter", "body cm value", "exit"]


def test_generator_resource_in_materialize_tears_down_after_last_step(dg):
    # ref 7.3, 10.6
    log = []

    @dg.resource
    def gen():
        log.append("setup")
        yield "g"
        log.append("teardown")

    @dg.asset(required_resource_keys={"g"})
    def first(context):
        log.append("first")
        return 1

    @dg.asset(required_resource_keys={"g"})
    def second(context, first):
        log.append("second")
        return 2

    assert dg.materialize([first, second], resources={"g": gen}).success
    assert log == ["setup", "first", "second", "teardown"]


def test_hardcoded_resource(dg):
    # ref 7.6
    value = {"k": 1}
    with dg.build_resources({"h": dg.ResourceDefinition.hardcoded_resource(value)}) as resources:
        assert resources.h is value


def test_mock_resource(dg):
    # ref 7.6
    with dg.build_resources({"m": dg.ResourceDefinition.mock_resource()}) as resources:
        assert isinstance(resources.m, mock.MagicMock)
        resources.m.anything(1)
        resources.m.anything.assert_called_once_with(1)


def test_none_resource(dg):
    # ref 7.6
    with dg.build_resources({"n": dg.ResourceDefinition.none_resource()}) as resources:
        assert resources.n is None


def test_string_resource(dg):
    # ref 7.6
    definition = dg.ResourceDefinition.string_resource()
    with dg.build_resources({"s": definition}, resource_config={"s": {"config": "hello"}}) as resources:
        assert resources.s == "hello"


def test_configured_applies_config(dg):
    # ref 7.7
    @dg.resource(config_schema={"a": str, "b": dg.Field(int, default_value=3)})
    def typed(init_context):
        return init_context.resource_config

    configured = typed.configured({"a": "pre"})
    assert isinstance(configured, dg.ResourceDefinition)
    assert configured is not typed
    with dg.build_resources({"c": configured}) as resources:
        assert resources.c == {"a": "pre", "b": 3}


def test_configured_bad_value_fails_at_build(dg):
    # ref 7.7: not checked by .configured(), checked when built.
    @dg.resource(config_schema={"b": int})
    def typed(init_context):
        return init_context.resource_config  # pragma: no cover

    configured = typed.configured({"b": "not an int"})
    with pytest.raises(dg.DagsterInvalidConfigError), dg.build_resources({"c": configured}):
        pass  # pragma: no cover


def test_configured_decorator_maps_outer_config(dg):
    # ref 7.7: @configured(base_def, config_schema=...) on fn(cfg) -> dict
    @dg.resource(config_schema={"url": str, "port": dg.Field(int, default_value=5432)})
    def database(init_context):
        return f"{init_context.resource_config['url']}:{init_context.resource_config['port']}"

    @dg.configured(database, config_schema={"host": str})
    def local_database(config):
        return {"url": f"http://{config['host']}"}

    assert isinstance(local_database, dg.ResourceDefinition)
    with dg.build_resources(
        {"db": local_database}, resource_config={"db": {"config": {"host": "h"}}}
    ) as resources:
        assert resources.db == "http://h:5432"

    @dg.asset(required_resource_keys={"db"})
    def uses(context):
        return context.resources.db

    run_config = {"resources": {"db": {"config": {"host": "q"}}}}
    result = dg.materialize([uses], resources={"db": local_database}, run_config=run_config)
    assert result.output_for_node("uses") == "http://q:5432"


def test_configured_decorator_bad_outer_config_is_invalid_config(dg):
    # ref 7.7
    @dg.resource(config_schema={"url": str})
    def database(init_context):
        return init_context.resource_config  # pragma: no cover

    @dg.configured(database, config_schema={"host": str})
    def local_database(config):
        return {"url": config["host"]}  # pragma: no cover

    with pytest.raises(dg.DagsterInvalidConfigError):
        with dg.build_resources({"db": local_database}, resource_config={"db": {"config": {"hots": "h"}}}):
            pass  # pragma: no cover


def test_configured_decorator_without_schema_and_never_called_when_unused(dg):
    # ref 7.7: the mapping function is not invoked if the resource is never initialised
    seen = []

    @dg.resource(config_schema={"url": str})
    def database(init_context):
        return init_context.resource_config["url"]

    @dg.configured(database)
    def fixed(config):
        seen.append(config)
        return {"url": "fixed"}

    @dg.asset
    def plain():
        return 1

    assert dg.materialize([plain], resources={"db": fixed}).success
    assert seen == []
    with dg.build_resources({"db": fixed}) as resources:
        assert resources.db == "fixed"
    assert seen and all(config == {} for config in seen)


def test_configured_decorator_with_a_config_dict(dg):
    @dg.resource(config_schema={"url": str})
    def database(init_context):
        return init_context.resource_config["url"]

    with dg.build_resources({"db": dg.configured(database)({"url": "u"})}) as resources:
        assert resources.db == "u"


def test_configured_decorator_on_a_configurable_resource_class(dg):
    class Client(dg.ConfigurableResource):
        url: str
        retries: int = 3

    @dg.configured(Client, config_schema={"host": str})
    def client(config):
        return {"url": f"https://{config['host']}"}

    assert isinstance(client, dg.ResourceDefinition)
    with dg.build_resources({"c": client}, resource_config={"c": {"config": {"host": "api"}}}) as resources:
        assert isinstance(resources.c, Client)
        assert (resources.c.url, resources.c.retries) == ("https://api", 3)


def test_configured_decorator_mapping_error_is_user_code_error(dg):
    @dg.resource(config_schema={"url": str})
    def database(init_context):
        return init_context.resource_config  # pragma: no cover

    @dg.configured(database, config_schema=str)
    def broken(config):
        raise ValueError("boom")

    @dg.asset(required_resource_keys={"db"})
    def uses(context):
        return context.resources.db  # pragma: no cover

    with pytest.raises(dg.DagsterUserCodeExecutionError) as info:
        dg.materialize([uses], resources={"db": broken}, run_config={"resources": {"db": {"config": "x"}}})
    assert isinstance(info.value.__cause__, ValueError)


def test_direct_invocation_without_context(dg):
    # ref 7.9
    @dg.resource
    def noarg():
        return "value"

    assert noarg() == "value"


def test_direct_invocation_with_init_resource_context(dg):
    # ref 7.9
    @dg.resource(config_schema={"a": str})
    def cfg_res(init_context):
        return init_context.resource_config["a"]

    assert cfg_res(dg.build_init_resource_context(config={"a": "x"})) == "x"


def test_direct_invocation_bad_config_is_config_error(dg):
    # ref 7.9
    @dg.resource(config_schema={"a": int})
    def cfg_res(init_context):
        return init_context.resource_config["a"]  # pragma: no cover

    with pytest.raises(dg.DagsterInvalidConfigError):
        cfg_res(dg.build_init_resource_context(config={"a": "x"}))


def test_direct_invocation_missing_context_is_invalid_invocation(dg):
    # ref 7.9
    @dg.resource
    def needs_context(init_context):
        return 1  # pragma: no cover

    with pytest.raises(dg.DagsterInvalidInvocationError):
        needs_context()


def test_direct_invocation_with_resources_in_context(dg):
    # ref 7.9
    @dg.resource(required_resource_keys={"c"})
    def uses_c(init_context):
        return init_context.resources.c + 1

    assert uses_c(dg.build_init_resource_context(resources={"c": 41})) == 42


def test_direct_invocation_of_generator_resource_is_a_context_manager(dg):
    # ref 7.9: entering runs the setup and gives the yielded value. (What happens after the block is left alone:
    # dagster 1.13.28 does not resume the generator on exit, so code after the yield does not run then.)
    log = []

    @dg.resource
    def gen():
        log.append("setup")
        yield "g"

    with gen() as value:
        assert value == "g"
        assert log == ["setup"]


# --------------------------------------------------------------------------------------------------------------
# build_resources
# --------------------------------------------------------------------------------------------------------------


def test_build_resources_plain_object_is_identical(dg):
    # ref 8.4
    value = object()
    with dg.build_resources({"v": value}) as resources:
        assert resources.v is value


def test_build_resources_plain_scalars(dg):
    # ref 3.8, 8.4
    with dg.build_resources({"s": "text", "n": 5, "nothing": None}) as resources:
        assert (resources.s, resources.n, resources.nothing) == ("text", 5, None)


def test_build_resources_configurable_resource_is_initialised_copy(dg):
    # ref 8.4
    R = _two_field_resource(dg)
    r = R(a="x")
    with dg.build_resources({"r": r}) as resources:
        assert resources.r is not r
        assert isinstance(resources.r, R)
        assert (resources.r.a, resources.r.b) == ("x", 3)


def test_build_resources_attribute_access(dg):
    # ref 8.2
    R = _two_field_resource(dg)
    with dg.build_resources({"first": R(a="1"), "second": 2}) as resources:
        assert resources.first.a == "1"
        assert resources.second == 2


def test_build_resources_unknown_attribute_is_unknown_resource_error(dg):
    # ref 8.2: DagsterUnknownResourceError, which is also an AttributeError.
    with dg.build_resources({"x": 1}) as resources:
        with pytest.raises(dg.DagsterUnknownResourceError):
            resources.nope  # noqa: B018
        assert not hasattr(resources, "nope")


def test_build_resources_body_exception_propagates_and_teardown_runs(dg):
    # ref 5.8
    log = []
    Rec = _recording_resource(dg, log)

    class BodyError(Exception):
        pass

    error = BodyError("from the body")
    with pytest.raises(BodyError) as excinfo, dg.build_resources({"r": Rec(tag="r")}):
        raise error
    assert excinfo.value is error
    assert log == [("setup", "r"), ("teardown", "r")]


def test_build_resources_setup_failure_raises_resource_function_error(dg):
    # ref 5.5: __cause__ is the user's exception; earlier keys are torn down; later keys never set up; the failed
    # resource's own teardown is not called.
    log = []
    Rec = _recording_resource(dg, log)
    boom = ValueError("setup boom")

    class Failing(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            log.append(("setup", "b"))
            raise boom

        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", "b"))  # pragma: no cover - must not run

    resources = {"a": Rec(tag="a"), "b": Failing(), "c": Rec(tag="c")}
    with pytest.raises(dg.DagsterResourceFunctionError) as excinfo, dg.build_resources(resources):
        log.append(("body", ""))  # pragma: no cover - must not run

    assert excinfo.value.__cause__ is boom
    assert log == [("setup", "a"), ("setup", "b"), ("teardown", "a")]


def test_build_resources_legacy_setup_failure_raises_resource_function_error(dg):
    # ref 5.5, 11 #11
    boom = RuntimeError("legacy boom")

    @dg.resource
    def failing():
        raise boom

    with pytest.raises(dg.DagsterResourceFunctionError) as excinfo, dg.build_resources({"f": failing}):
        pass  # pragma: no cover
    assert excinfo.value.__cause__ is boom


def test_build_resources_generator_zero_yields_is_resource_function_error(dg):
    # ref 7.5
    @dg.resource
    def empty():
        return
        yield  # pragma: no cover

    with pytest.raises(dg.DagsterResourceFunctionError), dg.build_resources({"e": empty}):
        pass  # pragma: no cover


def test_build_resources_teardown_failure_does_not_raise(dg):
    # ref 5.7: swallowed (resnb warns, dagster logs; neither is asserted here); other teardowns still run.
    log = []
    Rec = _recording_resource(dg, log)

    class BadTeardown(dg.ConfigurableResource):
        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", "bad"))
            raise RuntimeError("teardown boom")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dg.build_resources({"a": Rec(tag="a"), "bad": BadTeardown(), "z": Rec(tag="z")}) as resources:
            assert resources.a.tag == "a"

    assert ("teardown", "bad") in log
    assert ("teardown", "a") in log
    assert ("teardown", "z") in log


def test_build_resources_generator_yielding_twice_does_not_raise(dg):
    # ref 7.4 (reported, never raised out of the block; the report itself is not asserted)
    @dg.resource
    def twice():
        yield 1
        yield 2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dg.build_resources({"t": twice}) as resources:
            assert resources.t == 1


def test_build_resources_missing_legacy_dependency_raises(dg):
    # ref 8.5: dagster raises a raw KeyError, resnb a DagsterInvalidDefinitionError naming both keys; both refuse to
    # enter the block.
    @dg.resource(required_resource_keys={"c"})
    def needs_c(init_context):
        return 1  # pragma: no cover

    entered = []
    with pytest.raises((KeyError, dg.DagsterInvalidDefinitionError)), dg.build_resources({"n": needs_c}):
        entered.append(True)  # pragma: no cover
    assert entered == []
