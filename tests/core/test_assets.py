"""``@asset`` / ``@multi_asset`` declarations and ``AssetKey`` (DESIGN.md section 2, issue 3 section 1).

Parameter classification follows Dagster (reference 9.1): a first parameter named ``context`` or annotated with a
context type is the context; a ``ConfigurableResource`` or ``ResourceParam[T]`` annotation makes a resource keyed by
the parameter name; a ``Config`` annotation is run config; everything else is an upstream asset. resnb-specific
parts tested here: the error messages, string annotations resolved one by one, and the ``AssetKey`` API.

No ``from __future__ import annotations``: string annotations are written explicitly where a test is about them,
and the classes they name live at module level (that is where annotations are looked up).
"""

import pickle
from typing import Any

import pytest

import resnb as dg
from resnb.errors import DefinitionError, InvocationError


class ModResource(dg.ConfigurableResource):
    v: int = 1


class ModConfig(dg.Config):
    n: int = 2


class ModFactory(dg.ConfigurableResourceFactory):
    prefix: str = "p"

    def create_resource(self, context) -> str:
        return f"{self.prefix}-made"


# --------------------------------------------------------------------------------------------------
# parameter classification
# --------------------------------------------------------------------------------------------------


def test_each_parameter_kind_is_classified():
    @dg.asset
    def a(context, r: ModResource, s: dg.ResourceParam[str], config: ModConfig, up, other: int = 3):
        return 1

    params = a.params
    assert params.context == "context"
    assert params.resources == ("r", "s")
    assert params.config == ("config", ModConfig)
    assert params.inputs == ("up", "other")
    assert params.defaults == {"other": 3}
    assert a.input_keys == {"up": dg.AssetKey("up"), "other": dg.AssetKey("other")}
    assert a.resource_keys == {"r", "s"}
    assert a.required_resource_keys == {"r", "s", "io_manager"}


def test_context_recognised_by_annotation_under_another_name():
    @dg.asset
    def a(ctx: dg.AssetExecutionContext, up):
        return ctx

    assert a.params.context == "ctx"
    assert a.params.inputs == ("up",)


def test_context_name_without_annotation_and_no_context():
    @dg.asset
    def with_context(context):
        return 1

    @dg.asset
    def without():
        return 1

    assert with_context.params.context == "context"
    assert without.params.context is None
    assert without.params.inputs == ()


def test_unannotated_resource_like_name_is_an_upstream_asset():
    # reference 9.1: ``def f(r)`` depends on asset ``r``; it is not a resource
    @dg.asset
    def f(r):
        return r

    assert f.params.resources == ()
    assert f.input_keys == {"r": dg.AssetKey("r")}


def test_string_annotations_resolve_from_module_globals():
    @dg.asset
    def a(
        context: "dg.AssetExecutionContext",
        r: "ModResource",
        s: "dg.ResourceParam[str]",
        cfg: "ModConfig",
        up: "int",
    ):
        return 1

    assert a.params.context == "context"
    assert a.params.resources == ("r", "s")
    assert a.params.config == ("cfg", ModConfig)
    assert a.params.inputs == ("up",)


def test_string_annotated_asset_materializes_end_to_end():
    @dg.asset
    def up():
        return 10

    @dg.asset
    def down(up: "int", r: "ModResource", cfg: "ModConfig"):
        return up + r.v + cfg.n

    result = dg.materialize(
        [up, down],
        resources={"r": ModResource(v=5)},
        run_config={"ops": {"down": {"config": {"n": 100}}}},
    )
    assert result.asset_value("down") == 115


def test_unresolvable_string_annotation_is_a_definition_error_naming_it():
    # Dagster refuses it at decoration too; resnb must not silently turn ``r`` into an upstream asset.
    with pytest.raises(DefinitionError) as info:

        @dg.asset
        def a(r: "ModResource", up: "NoSuchType"):  # noqa: F821
            return 1

    message = str(info.value)
    assert "'NoSuchType'" in message
    assert "parameter 'up'" in message
    assert "@asset 'a'" in message
    assert "module level" in message


def test_string_annotation_naming_a_local_class_is_a_definition_error():
    class LocalResource(dg.ConfigurableResource):
        v: int = 1

    with pytest.raises(DefinitionError, match="'LocalResource'.*parameter 'r'"):

        @dg.asset
        def a(r: "LocalResource"):
            return r

    assert LocalResource(v=2).v == 2


def test_unresolvable_context_annotation_on_first_parameter_named_context_is_fine():
    @dg.asset
    def a(context: "UnknownContextType"):  # noqa: F821
        return 1

    assert a.params.context == "context"


@pytest.mark.parametrize("decorator", ["asset", "op"])
def test_context_named_parameter_must_come_first(decorator):
    with pytest.raises(DefinitionError) as info:

        @getattr(dg, decorator)
        def f(x, context):
            return x

    message = str(info.value)
    assert "'context'" in message
    assert "must be the first parameter" in message
    assert f"@{decorator} 'f'" in message


def test_context_annotated_parameter_must_come_first():
    with pytest.raises(DefinitionError, match=r"context parameter 'ctx' must be the first parameter"):

        @dg.asset
        def f(x, ctx: dg.AssetExecutionContext):
            return x


def test_resource_params_and_required_resource_keys_rejected_at_decoration():
    # reference 9.3: raised when the decorator runs, not later
    with pytest.raises(DefinitionError) as info:

        @dg.asset(required_resource_keys={"db"})
        def a(r: ModResource):
            return 1

    message = str(info.value)
    assert "@asset 'a'" in message
    assert "(r)" in message
    assert "required_resource_keys" in message


def test_resource_params_and_required_resource_keys_rejected_for_multi_asset_and_op():
    with pytest.raises(DefinitionError, match="@multi_asset 'm'.*required_resource_keys"):

        @dg.multi_asset(outs={"x": dg.AssetOut()}, required_resource_keys={"db"})
        def m(r: ModResource):
            return 1

    with pytest.raises(DefinitionError, match="@op 'o'.*required_resource_keys"):

        @dg.op(required_resource_keys={"db"})
        def o(r: ModResource):
            return 1


def test_required_resource_keys_alone_is_fine():
    @dg.asset(required_resource_keys={"db"})
    def a(context):
        return context.resources.db

    assert a.resource_keys == {"db"}
    assert a.required_resource_keys == {"db", "io_manager"}
    assert dg.materialize([a], resources={"db": "conn"}).asset_value("a") == "conn"


def test_factory_annotation_is_rejected_with_resource_param_suggestion():
    with pytest.raises(DefinitionError) as info:

        @dg.asset
        def a(f: ModFactory):
            return f

    message = str(info.value)
    assert "Parameter 'f'" in message
    assert "ModFactory" in message
    assert "create_resource" in message
    assert "ResourceParam[" in message


def test_factory_through_resource_param_gets_the_created_value():
    @dg.asset
    def a(f: dg.ResourceParam[str]):
        return f

    assert dg.materialize([a], resources={"f": ModFactory(prefix="q")}).asset_value("a") == "q-made"


def test_ins_naming_a_non_parameter_is_rejected():
    with pytest.raises(DefinitionError, match=r"ins= names \['nope'\]"):

        @dg.asset(ins={"nope": dg.AssetIn("x")})
        def a(x):
            return x


# --------------------------------------------------------------------------------------------------
# keys, prefixes and node names
# --------------------------------------------------------------------------------------------------


def test_key_prefix_string_gives_key_and_node_name():
    @dg.asset(key_prefix="pre")
    def e():
        return 1

    assert e.key == dg.AssetKey(["pre", "e"])
    assert e.node_name == "pre__e"
    assert e.name == "pre__e"
    assert e.op is e


def test_key_prefix_list_with_name():
    @dg.asset(key_prefix=["a", "b"], name="renamed")
    def fn():
        return 1

    assert fn.key == dg.AssetKey(["a", "b", "renamed"])
    assert fn.node_name == "a__b__renamed"
    assert fn.keys == [fn.key]
    assert "a/b/renamed" in repr(fn)


def test_explicit_key_and_prefix_combine():
    @dg.asset(key=["x", "y"], key_prefix="top")
    def fn():
        return 1

    assert fn.key.path == ("top", "x", "y")


def test_prefixed_asset_node_name_is_the_step_name():
    @dg.asset(key_prefix="pre")
    def e():
        return 7

    @dg.asset(ins={"e": dg.AssetIn(key_prefix="pre", key="e")})
    def f(e):
        return e * 2

    result = dg.materialize([e, f])
    assert [r.step_key for r in result.step_records] == ["pre__e", "f"]
    assert result.output_for_node("pre__e") == 7
    assert result.asset_value(["pre", "e"]) == 7
    assert result.asset_value("pre/e") == 7
    assert result.asset_value("f") == 14


def test_multi_asset_keys_and_key_property():
    @dg.multi_asset(outs={"m1": dg.AssetOut(), "m2": dg.AssetOut(key_prefix="p")})
    def m():
        return 1, 2

    assert m.keys == [dg.AssetKey("m1"), dg.AssetKey(["p", "m2"])]
    assert m.node_name == "m"
    with pytest.raises(InvocationError, match="defines 2 assets; use .keys"):
        m.key


def test_group_description_metadata_and_deps():
    @dg.asset
    def up():
        """Upstream docs."""
        return 1

    @dg.asset(group_name="g", metadata={"owner": "me"}, deps=[up, "other/thing"])
    def down():
        return 2

    assert up.description == "Upstream docs."
    assert up.group_name == "default"
    assert down.group_name == "g"
    assert down.metadata == {"owner": "me"}
    assert down.deps == (dg.AssetKey("up"), dg.AssetKey(["other", "thing"]))
    assert down.upstream_keys == [dg.AssetKey("up"), dg.AssetKey(["other", "thing"])]


def test_location_names_module_function_and_line():
    @dg.asset
    def located():
        return 1

    assert "located" in located.location
    assert "test_assets.py:" in located.location


# --------------------------------------------------------------------------------------------------
# AssetKey
# --------------------------------------------------------------------------------------------------


def test_asset_key_user_string_round_trip():
    key = dg.AssetKey.from_user_string("warehouse/orders")
    assert key.path == ("warehouse", "orders")
    assert key.to_user_string() == "warehouse/orders"
    assert dg.AssetKey.from_user_string("single") == dg.AssetKey("single")
    assert key.to_python_identifier() == "warehouse__orders"


def test_asset_key_equality_and_hash():
    a1 = dg.AssetKey(["a", "b"])
    a2 = dg.AssetKey(("a", "b"))
    assert a1 == a2
    assert hash(a1) == hash(a2)
    assert len({a1, a2, dg.AssetKey("a")}) == 2
    assert dg.AssetKey("a") == dg.AssetKey(["a"])
    assert dg.AssetKey("a") != "a"
    assert dg.AssetKey(["a", "b"]) != dg.AssetKey(["b", "a"])
    assert {dg.AssetKey("x"): 1}[dg.AssetKey(["x"])] == 1


def test_asset_key_ordering():
    keys = [dg.AssetKey("b"), dg.AssetKey(["a", "z"]), dg.AssetKey("a")]
    assert sorted(keys) == [dg.AssetKey("a"), dg.AssetKey(["a", "z"]), dg.AssetKey("b")]
    assert dg.AssetKey("a") < dg.AssetKey("b")
    assert dg.AssetKey("b") > dg.AssetKey("a")
    assert dg.AssetKey("a") <= dg.AssetKey("a")
    assert dg.AssetKey("b") >= dg.AssetKey("a")
    assert max(keys) == dg.AssetKey("b")


def test_asset_key_ordering_against_other_types_is_a_type_error():
    with pytest.raises(TypeError):
        dg.AssetKey("a") < "b"  # noqa: B015
    with pytest.raises(TypeError):
        sorted([dg.AssetKey("a"), "b"])


def test_asset_key_pickles():
    key = dg.AssetKey(["pre", "e"])
    copy = pickle.loads(pickle.dumps(key))
    assert copy == key
    assert hash(copy) == hash(key)
    assert copy.to_user_string() == "pre/e"
    assert pickle.loads(pickle.dumps({key: 1})) == {key: 1}


def test_asset_key_with_prefix():
    key = dg.AssetKey("e")
    assert key.with_prefix("pre") == dg.AssetKey(["pre", "e"])
    assert key.with_prefix(["a", "b"]).path == ("a", "b", "e")
    assert key.path == ("e",)  # unchanged


def test_asset_key_is_immutable():
    key = dg.AssetKey("a")
    with pytest.raises(AttributeError, match="immutable"):
        key.path = ("b",)  # type: ignore[misc]


@pytest.mark.parametrize("bad", ["", [], ["a", ""], [1], ["a", None]])
def test_asset_key_rejects_empty_or_non_string_parts(bad: Any):
    with pytest.raises(TypeError, match="non-empty string"):
        dg.AssetKey(bad)


def test_asset_key_from_coercible_values():
    @dg.asset(key_prefix="pre")
    def e():
        return 1

    assert dg.AssetKey.from_coercible("pre/e") == e.key
    assert dg.AssetKey.from_coercible(["pre", "e"]) == e.key
    assert dg.AssetKey.from_coercible(e.key) is e.key
    assert dg.AssetKey.from_coercible(e) == e.key


def test_asset_key_repr():
    assert repr(dg.AssetKey(["a", "b"])) == "AssetKey(['a', 'b'])"
