"""Nested resources, ``ResourceDependency``, ``ResourceParam`` and ``configure_at_launch`` (reference 3 and 4).

Deviation 1 (DESIGN.md section 2): ``ResourceParam("key")`` as a field value means "the top-level resource under
that key" (seed 003); Dagster has no such form.
"""

import typing
from typing import Annotated

import pytest

import resnb as dg
from resnb.errors import ConfigError, DefinitionError, MissingResourceError


def _tracked(log):
    class Inner(dg.ConfigurableResource):
        value: str

        def setup_for_execution(self, context):
            log.append(("setup", "inner", self.value))

        def teardown_after_execution(self, context):
            log.append(("teardown", "inner", self.value))

    class Outer(dg.ConfigurableResource):
        inner: Inner
        bar: str = "bar"

        def setup_for_execution(self, context):
            # the nested resource is already initialised (a copy) when the parent sets up
            log.append(("setup", "outer", self.inner.value, self.inner._ready))

        def teardown_after_execution(self, context):
            log.append(("teardown", "outer"))

        def combined(self):
            return f"{self.inner.value}-{self.bar}"

    class ReadyInner(Inner):
        def setup_for_execution(self, context):
            super().setup_for_execution(context)
            self._ready = True

    return ReadyInner, Outer


# --------------------------------------------------------------------------------------------------
# inline initialisation of a fully configured nested resource
# --------------------------------------------------------------------------------------------------


def test_nested_resource_is_initialised_inline_in_order():
    log = []
    Inner, Outer = _tracked(log)
    with dg.build_resources({"outer": Outer(inner=Inner(value="in"))}) as res:
        log.append(("body",))
        assert res.outer.combined() == "in-bar"
    assert log == [
        ("setup", "inner", "in"),
        ("setup", "outer", "in", True),
        ("body",),
        ("teardown", "outer"),
        ("teardown", "inner", "in"),
    ]


def test_nested_resource_has_no_key_of_its_own():
    log = []
    Inner, Outer = _tracked(log)
    with dg.build_resources({"outer": Outer(inner=Inner(value="in"))}) as res:
        assert list(res) == ["outer"]
        assert "inner" not in res


def test_parent_and_nested_are_copies():
    log = []
    Inner, Outer = _tracked(log)
    inner = Inner(value="in")
    outer = Outer(inner=inner)
    with dg.build_resources({"outer": outer}) as res:
        assert res.outer is not outer
        assert res.outer.inner is not inner
        assert res.outer.inner == inner
        assert res.outer.inner._ready is True
        assert res.outer.inner.get_resource_context() is not None
    assert outer.inner is inner
    assert not hasattr(inner, "_ready")


def test_seed_003_nesting_without_build():
    """Seed 003 'Testing with Nested Resources': the declared object exposes its nested config."""

    class StringHolderResource(dg.ConfigurableResource):
        value: str

    class MyResourceRequiresAnother(dg.ConfigurableResource):
        foo: StringHolderResource
        bar: str

    string_holder = StringHolderResource(value="foo")
    resource = MyResourceRequiresAnother(foo=string_holder, bar="bar")
    assert resource.foo.value == "foo"
    assert resource.bar == "bar"


def test_nested_resource_given_as_dict_is_validated():
    class Inner(dg.ConfigurableResource):
        value: str

    class Outer(dg.ConfigurableResource):
        inner: Inner

    outer = Outer(inner={"value": "x"})
    assert isinstance(outer.inner, Inner)
    with dg.build_resources({"o": outer}) as res:
        assert res.o.inner.value == "x"


def test_deeply_nested_teardown_is_reverse_of_setup():
    log = []

    def make(name):
        def setup(self, context):
            log.append(("setup", name))

        def teardown(self, context):
            log.append(("teardown", name))

        return {"setup_for_execution": setup, "teardown_after_execution": teardown}

    Leaf = type("Leaf", (dg.ConfigurableResource,), {"__annotations__": {"n": int}, **make("leaf")})
    Mid = type("Mid", (dg.ConfigurableResource,), {"__annotations__": {"leaf": Leaf}, **make("mid")})
    Top = type("Top", (dg.ConfigurableResource,), {"__annotations__": {"mid": Mid}, **make("top")})
    with dg.build_resources({"top": Top(mid=Mid(leaf=Leaf(n=1)))}) as res:
        assert res.top.mid.leaf.n == 1
    assert log == [
        ("setup", "leaf"),
        ("setup", "mid"),
        ("setup", "top"),
        ("teardown", "top"),
        ("teardown", "mid"),
        ("teardown", "leaf"),
    ]


def test_failing_parent_setup_tears_down_the_nested_resource():
    log = []
    Inner, _ = _tracked(log)

    class Outer(dg.ConfigurableResource):
        inner: Inner

        def setup_for_execution(self, context):
            raise RuntimeError("parent broke")

    with pytest.raises(dg.ResourceFunctionError) as info:
        with dg.build_resources({"outer": Outer(inner=Inner(value="in"))}):
            pass
    assert "'outer'" in str(info.value)
    assert isinstance(info.value.__cause__, RuntimeError)
    assert log == [("setup", "inner", "in"), ("teardown", "inner", "in")]


# --------------------------------------------------------------------------------------------------
# ResourceDependency
# --------------------------------------------------------------------------------------------------


class UsesStr(dg.ConfigurableResource):
    s: dg.ResourceDependency[str]


def test_resource_dependency_with_a_literal():
    assert UsesStr(s="literal").s == "literal"
    with dg.build_resources({"u": UsesStr(s="literal")}) as res:
        assert res.u.s == "literal"


def test_resource_dependency_with_a_resource_definition():
    log = []

    @dg.resource
    def provides_str(init_context):
        log.append(("open", init_context.resource_key))
        yield "from-definition"
        log.append(("close",))

    with dg.build_resources({"u": UsesStr(s=provides_str)}) as res:
        assert res.u.s == "from-definition"
        log.append(("body",))
    assert log == [("open", "u"), ("body",), ("close",)]


def test_resource_dependency_with_a_plain_function_definition():
    @dg.resource
    def returns_str():
        return "returned"

    with dg.build_resources({"u": UsesStr(s=returns_str)}) as res:
        assert res.u.s == "returned"


def test_nested_definition_with_required_keys_depends_on_them():
    log = []

    @dg.resource
    def z_base():
        log.append("z_base")
        return "BASE"

    @dg.resource(required_resource_keys={"z_base"})
    def needs_base(init_context):
        log.append("needs_base")
        return "got-" + init_context.resources.z_base

    # "a" sorts first but its nested definition needs "z_base": z_base is initialised first
    with dg.build_resources({"a": UsesStr(s=needs_base), "z_base": z_base}) as res:
        assert res.a.s == "got-BASE"
    assert log == ["z_base", "needs_base"]


def test_nested_definition_with_missing_required_key_names_both_keys():
    @dg.resource(required_resource_keys={"c"})
    def needs_c(init_context):
        return init_context.resources.c

    with pytest.raises(MissingResourceError) as info:
        with dg.build_resources({"a": UsesStr(s=needs_c)}):
            pass
    assert "'a'" in str(info.value) and "'c'" in str(info.value)


def test_resource_dependency_with_a_resource_object():
    class Provider(dg.ConfigurableResource):
        v: int = 3

    class UsesAny(dg.ConfigurableResource):
        dep: dg.ResourceDependency[Provider]

    with dg.build_resources({"u": UsesAny(dep=Provider())}) as res:
        assert res.u.dep.v == 3
        assert res.u.dep.get_resource_context() is not None


def test_resource_dependency_is_annotated():
    hint = typing.get_type_hints(UsesStr, include_extras=True)["s"]
    assert typing.get_origin(hint) is Annotated
    assert typing.get_args(hint)[0] is str


# --------------------------------------------------------------------------------------------------
# ResourceParam
# --------------------------------------------------------------------------------------------------


def test_resource_param_subscript_is_annotated_str():
    assert dg.ResourceParam[str] == Annotated[str, "resource_param"]
    assert typing.get_args(dg.ResourceParam[int]) == (int, "resource_param")


def test_resource_param_key_refers_to_top_level_resource_shared_and_initialised_once():
    """Seed 003: ``MyResourceRequiresAnother(foo=ResourceParam("string_holder"), bar="world")``."""
    log = []

    class StringHolderResource(dg.ConfigurableResource):
        value: str

        def setup_for_execution(self, context):
            log.append(("setup", self.value))

        def teardown_after_execution(self, context):
            log.append(("teardown", self.value))

    class MyResourceRequiresAnother(dg.ConfigurableResource):
        foo: StringHolderResource
        bar: str

        def get_combined(self):
            return f"{self.foo.value}-{self.bar}"

    with dg.build_resources(
        {
            "string_holder": StringHolderResource(value="hello"),
            "combined": MyResourceRequiresAnother(foo=dg.ResourceParam("string_holder"), bar="world"),
        }
    ) as res:
        assert res.combined.get_combined() == "hello-world"
        assert res.combined.foo is res.string_holder
    assert log == [("setup", "hello"), ("teardown", "hello")]


def test_resource_param_key_is_an_implicit_dependency_for_ordering():
    log = []

    class Named(dg.ConfigurableResource):
        name: str

        def setup_for_execution(self, context):
            log.append(("setup", self.name))

        def teardown_after_execution(self, context):
            log.append(("teardown", self.name))

    class Needs(dg.ConfigurableResource):
        dep: Named

        def setup_for_execution(self, context):
            log.append(("setup", "a_user", self.dep.name))

        def teardown_after_execution(self, context):
            log.append(("teardown", "a_user"))

    # "a_user" sorts before "z_provider" but depends on it: the provider goes first
    with dg.build_resources(
        {"a_user": Needs(dep=dg.ResourceParam("z_provider")), "z_provider": Named(name="z")}
    ):
        pass
    assert log == [
        ("setup", "z"),
        ("setup", "a_user", "z"),
        ("teardown", "a_user"),
        ("teardown", "z"),
    ]


def test_resource_param_key_with_plain_value_and_dependency_field():
    class UsesValue(dg.ConfigurableResource):
        url: dg.ResourceDependency[str]

    with dg.build_resources(
        {"base_url": "http://x", "client": UsesValue(url=dg.ResourceParam("base_url"))}
    ) as res:
        assert res.client.url == "http://x"


def test_resource_param_key_missing_names_both_keys():
    class Inner(dg.ConfigurableResource):
        v: int = 1

    class Outer(dg.ConfigurableResource):
        inner: Inner

    with pytest.raises(MissingResourceError) as info:
        with dg.build_resources({"outer": Outer(inner=dg.ResourceParam("inner_key"))}):
            pass
    assert "'outer'" in str(info.value) and "'inner_key'" in str(info.value)


def test_resource_param_key_must_be_an_identifier():
    with pytest.raises(TypeError) as info:
        dg.ResourceParam("not-valid")
    assert "ResourceParam[T]" in str(info.value)


def test_resource_param_equality_and_repr():
    assert dg.ResourceParam("a") == dg.ResourceParam("a")
    assert dg.ResourceParam("a") != dg.ResourceParam("b")
    assert hash(dg.ResourceParam("a")) == hash(dg.ResourceParam("a"))
    assert repr(dg.ResourceParam("a")) == "ResourceParam('a')"


# --------------------------------------------------------------------------------------------------
# configure_at_launch
# --------------------------------------------------------------------------------------------------


class Inner(dg.ConfigurableResource):
    a: str
    b: int = 1


class Outer(dg.ConfigurableResource):
    inner: Inner


def test_configure_at_launch_returns_a_partial():
    partial = Inner.configure_at_launch(a="preset")
    assert isinstance(partial, dg.PartialResource)
    assert partial.resource_cls is Inner
    assert repr(partial) == "Inner.configure_at_launch(a='preset')"


def test_configure_at_launch_unknown_kwarg_is_an_error():
    with pytest.raises(dg.errors.UnknownFieldError) as info:
        Inner.configure_at_launch(aa="x")
    assert "'aa'" in str(info.value) and "Did you mean 'a'?" in str(info.value)


def test_run_config_merged_over_presets_and_run_config_wins():
    partial = Inner.configure_at_launch(a="preset", b=5)
    with dg.build_resources({"inner": partial}, resource_config={"inner": {"config": {"a": "over"}}}) as res:
        assert (res.inner.a, res.inner.b) == ("over", 5)
    with dg.build_resources({"inner": partial}, resource_config={"inner": {"config": {"b": 9}}}) as res:
        assert (res.inner.a, res.inner.b) == ("preset", 9)
    with dg.build_resources({"inner": partial}) as res:
        assert (res.inner.a, res.inner.b) == ("preset", 5)


def test_partial_missing_required_config_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"inner": Inner.configure_at_launch()}):
            pass
    text = str(info.value)
    assert "'inner'" in text and "'a'" in text and "Field required" in text
    assert "resource_config={'inner': {'config': {...}}}" in text


def test_partial_nested_and_top_level_is_shared():
    log = []

    class Tracked(dg.ConfigurableResource):
        a: str

        def setup_for_execution(self, context):
            log.append(("setup", self.a))

    class Holder(dg.ConfigurableResource):
        inner: Tracked

    partial = Tracked.configure_at_launch()
    with dg.build_resources(
        {"outer": Holder(inner=partial), "the_inner": partial},
        resource_config={"the_inner": {"config": {"a": "launched"}}},
    ) as res:
        assert res.outer.inner is res.the_inner
        assert res.outer.inner.a == "launched"
    assert log == [("setup", "launched")]


def test_partial_nested_but_not_top_level_is_a_definition_error():
    partial = Inner.configure_at_launch(a="x")
    with pytest.raises(DefinitionError) as info:
        with dg.build_resources({"outer": Outer(inner=partial)}):
            pass
    text = str(info.value)
    assert "nested at Outer.inner" in text
    assert "'outer'" in text
    assert "top-level resource" in text
    assert isinstance(info.value, dg.DagsterInvalidDefinitionError)


def test_partial_matched_by_identity_not_equality():
    nested = Inner.configure_at_launch(a="x")
    top = Inner.configure_at_launch(a="x")
    with pytest.raises(DefinitionError):
        with dg.build_resources({"outer": Outer(inner=nested), "inner": top}):
            pass


def test_same_object_top_level_and_nested_is_initialised_twice():
    """Reference 3.4: Dagster does not de-duplicate a fully configured object."""
    log = []

    class Counted(dg.ConfigurableResource):
        n: int = 0

        def setup_for_execution(self, context):
            log.append("setup")

        def teardown_after_execution(self, context):
            log.append("teardown")

    class Holder(dg.ConfigurableResource):
        c: Counted

    shared = Counted()
    with dg.build_resources({"c": shared, "holder": Holder(c=shared)}) as res:
        assert res.holder.c is not res.c
    assert log == ["setup", "setup", "teardown", "teardown"]


def test_run_config_for_parent_keeps_nested_resources():
    class Parent(dg.ConfigurableResource):
        inner: Inner
        label: str = "default"

    with dg.build_resources(
        {"p": Parent(inner=Inner(a="kept"), label="constructed")},
        resource_config={"p": {"config": {"label": "from-run"}}},
    ) as res:
        assert res.p.label == "from-run"
        assert res.p.inner.a == "kept"


def test_run_config_replaces_constructed_values_whole():
    """Reference 1.15: run config for a fully constructed resource replaces the whole default."""

    class Two(dg.ConfigurableResource):
        a: str
        b: int = 1

    with dg.build_resources({"t": Two(a="x", b=7)}, resource_config={"t": {"config": {"a": "y"}}}) as res:
        assert (res.t.a, res.t.b) == ("y", 1)
    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"t": Two(a="x")}, resource_config={"t": {"config": {"b": 5}}}):
            pass
    assert "'a'" in str(info.value) and "Field required" in str(info.value)
