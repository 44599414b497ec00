"""Execution contexts (issue 3 section 1): what ``context`` holds during a run, ``build_asset_context`` /
``build_op_context`` for tests, and direct invocation of assets and ops.

Basic direct invocation forms are compared with Dagster in tests/compat/test_execution_compat.py; here: resource
lifecycle of the built contexts, the restricted ``context.resources`` and its message, the logger,
``IAttachDifferentObjectToOpContext``, and the invocation errors.
"""

import logging

import pytest

import resnb as dg
from resnb.errors import InvariantViolationError, InvocationError, UnknownResourceError


def _recorder(log):
    class Rec(dg.ConfigurableResource):
        tag: str = "t"

        def setup_for_execution(self, context) -> None:
            log.append(("setup", self.tag))
            self._ready = True

        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", self.tag))

    return Rec


class Value(dg.ConfigurableResource):
    v: int = 1


class Attaching(dg.ConfigurableResource, dg.IAttachDifferentObjectToOpContext):
    label: str = "attached"

    def get_object_to_set_on_execution_context(self):
        return {"attached": self.label}


# --------------------------------------------------------------------------------------------------
# build_asset_context / build_op_context
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [dg.build_asset_context, dg.build_op_context])
def test_built_context_initialises_resources_and_tears_them_down_on_exit(build):
    log = []
    Rec = _recorder(log)
    original = Rec(tag="a")
    with build(resources={"rec": original, "plain": "value"}) as context:
        assert log == [("setup", "a")]
        built = context.resources.rec
        assert built is not original  # a per-context copy, set up
        assert built.tag == "a"
        assert built._ready is True
        assert context.resources.plain == "value"
        assert set(context.resources) == {"rec", "plain"}
    assert log == [("setup", "a"), ("teardown", "a")]


def test_built_context_without_with_is_set_up_once_and_not_torn_down():
    log = []
    Rec = _recorder(log)
    context = dg.build_op_context(resources={"rec": Rec(tag="b")})
    assert isinstance(context, dg.OpExecutionContext)
    assert log == [("setup", "b")]
    context.__exit__(None, None, None)
    context.__exit__(None, None, None)  # a second exit does nothing
    assert log == [("setup", "b"), ("teardown", "b")]


def test_built_context_types_and_defaults():
    asset_context = dg.build_asset_context()
    op_context = dg.build_op_context(op_config={"k": 1}, partition_key="p1")
    assert isinstance(asset_context, dg.AssetExecutionContext)
    assert isinstance(op_context, dg.OpExecutionContext)
    assert len(asset_context.resources) == 0
    assert op_context.op_config == {"k": 1}
    assert op_context.partition_key == "p1"
    assert asset_context.instance is None
    assert isinstance(asset_context.log, logging.Logger)
    with pytest.raises(InvariantViolationError, match="non-partitioned"):
        asset_context.partition_key


def test_built_context_resources_config_for_legacy_resource():
    @dg.resource(config_schema={"n": int})
    def counter(init_context):
        return init_context.resource_config["n"] * 2

    with dg.build_op_context(
        resources={"counter": counter}, resources_config={"counter": {"config": {"n": 4}}}
    ) as context:
        assert context.resources.counter == 8


def test_built_context_unknown_resource_suggests_the_closest():
    with dg.build_asset_context(resources={"warehouse": Value()}) as context:
        with pytest.raises(UnknownResourceError) as info:
            context.resources.warehous
        assert "Unknown resource 'warehous'" in str(info.value)
        assert "Did you mean 'warehouse'?" in str(info.value)
        assert isinstance(info.value, AttributeError)
        assert not hasattr(context.resources, "nothing")
        with pytest.raises(UnknownResourceError):
            context.resources["nothing"]


def test_context_resources_are_read_only():
    with dg.build_asset_context(resources={"r": Value()}) as context:
        with pytest.raises(AttributeError, match="read-only"):
            context.resources.r = Value(v=2)


# --------------------------------------------------------------------------------------------------
# the context during a run
# --------------------------------------------------------------------------------------------------


def test_run_context_resources_hold_only_declared_keys():
    @dg.asset(required_resource_keys={"declared"})
    def by_keys(context):
        return sorted(context.resources)

    @dg.asset
    def by_param(context, typed: Value):
        return sorted(context.resources)

    result = dg.materialize(
        [by_keys, by_param], resources={"declared": "d", "typed": Value(), "extra": Value()}
    )
    assert result.asset_value("by_keys") == ["declared", "io_manager"]
    assert result.asset_value("by_param") == ["io_manager", "typed"]


def test_undeclared_resource_in_a_run_is_unknown_with_suggestion_and_hint():
    @dg.asset(required_resource_keys={"database"})
    def a(context):
        return context.resources.databse

    with pytest.raises(UnknownResourceError) as info:
        dg.materialize([a], resources={"database": "db", "databse_unused": "x"})
    message = str(info.value)
    assert "Unknown resource 'databse'" in message
    assert "Did you mean 'database'?" in message
    assert "Asset 'a' can only use the resources it declares" in message
    assert "required_resource_keys" in message
    assert isinstance(info.value, AttributeError)
    assert isinstance(info.value, dg.DagsterUnknownResourceError)


def test_undeclared_resource_access_via_hasattr_is_false():
    @dg.op
    def o(context):
        return hasattr(context.resources, "other")

    @dg.job(resource_defs={"other": "x"})
    def j():
        o()

    assert j.execute_in_process().output_for_node("o") is False


def test_run_context_attributes():
    @dg.asset(key_prefix="pre")
    def a(context: dg.AssetExecutionContext):
        return {
            "type": type(context).__name__,
            "logger": isinstance(context.log, logging.Logger),
            "logger_name": context.log.name,
            "asset_key": context.asset_key,
            "asset_keys": context.asset_keys,
            "run_id": context.run_id,
            "step": context.op_execution_context is context,
        }

    result = dg.materialize([a])
    value = result.asset_value("pre/a")
    assert value["type"] == "AssetExecutionContext"
    assert value["logger"] is True
    assert "pre__a" in value["logger_name"]
    assert value["asset_key"] == dg.AssetKey(["pre", "a"])
    assert value["asset_keys"] == [dg.AssetKey(["pre", "a"])]
    assert value["run_id"] == result.run_id
    assert value["step"] is True


def test_op_context_in_a_job_and_logging_works(caplog):
    @dg.op
    def o(context: dg.OpExecutionContext):
        context.log.info("hello from o")
        return type(context).__name__

    @dg.job
    def j():
        o()

    with caplog.at_level(logging.INFO):
        result = j.execute_in_process()
    assert result.output_for_node("o") == "OpExecutionContext"
    assert "hello from o" in caplog.text


def test_multi_asset_context_asset_key_is_an_error_but_asset_keys_work():
    @dg.multi_asset(outs={"x": dg.AssetOut(), "y": dg.AssetOut()})
    def m(context):
        keys = context.asset_keys
        try:
            context.asset_key
        except InvariantViolationError as exc:
            return keys, str(exc)
        return keys, ""

    result = dg.materialize([m], raise_on_error=False)
    # the asset returned a 2-tuple, which is exactly its two outputs
    assert result.asset_value("x") == [dg.AssetKey("x"), dg.AssetKey("y")]
    assert "materialises 2 assets" in result.asset_value("y")


# --------------------------------------------------------------------------------------------------
# IAttachDifferentObjectToOpContext
# --------------------------------------------------------------------------------------------------


def test_attached_object_on_context_resource_itself_on_typed_parameter():
    @dg.asset
    def a(context, att: Attaching):
        return context.resources.att, type(att).__name__, att.label

    result = dg.materialize([a], resources={"att": Attaching(label="L")})
    assert result.asset_value("a") == ({"attached": "L"}, "Attaching", "L")


def test_original_resource_dict_in_a_run_gives_the_resource_itself():
    @dg.asset(required_resource_keys={"att", "plain"})
    def a(context):
        original = context.resources.original_resource_dict
        return type(original["att"]).__name__, original["plain"], context.resources.att

    result = dg.materialize([a], resources={"att": Attaching(label="O"), "plain": "p"})
    assert result.asset_value("a") == ("Attaching", "p", {"attached": "O"})


def test_attached_object_with_required_resource_keys():
    @dg.asset(required_resource_keys={"att"})
    def a(context):
        return context.resources.att

    assert dg.materialize([a], resources={"att": Attaching()}).asset_value("a") == {"attached": "attached"}


@pytest.mark.parametrize("build", [dg.build_asset_context, dg.build_op_context])
def test_attached_object_on_built_contexts(build):
    with build(resources={"att": Attaching(label="B"), "plain": Value(v=2)}) as context:
        assert context.resources.att == {"attached": "B"}
        assert context.resources.plain.v == 2
        original = context.resources.original_resource_dict
        assert isinstance(original["att"], Attaching)
        assert original["plain"] is context.resources.plain


def test_direct_invocation_passes_the_resource_itself_to_a_typed_parameter():
    @dg.asset
    def a(context, att: Attaching):
        return context.resources.att, type(att).__name__

    with dg.build_asset_context(resources={"att": Attaching(label="D")}) as context:
        assert a(context) == ({"attached": "D"}, "Attaching")


# --------------------------------------------------------------------------------------------------
# direct invocation
# --------------------------------------------------------------------------------------------------


@dg.asset
def combine(context, up, r: Value):
    return up + r.v


def test_direct_invocation_initialises_and_tears_down_keyword_resources():
    log = []
    Rec = _recorder(log)

    @dg.asset
    def uses(rec: Rec):
        log.append(("call", rec._ready))
        return rec.tag

    assert uses(rec=Rec(tag="k")) == "k"
    assert log == [("setup", "k"), ("call", True), ("teardown", "k")]


def test_direct_invocation_resources_both_in_context_and_kwargs():
    with dg.build_asset_context(resources={"r": Value(v=5)}) as context:
        with pytest.raises(
            InvocationError,
            match="Cannot provide resources both in the context and as arguments to 'combine'",
        ):
            combine(context, 1, r=Value(v=6))
        assert combine(context, 1) == 6


def test_direct_invocation_missing_resource_names_it():
    with pytest.raises(InvocationError) as info:
        combine(dg.build_asset_context(), 1)
    message = str(info.value)
    assert "'combine' needs resource 'r'" in message
    assert "r=..." in message
    assert "build_asset_context(resources={'r': ...})" in message
    with pytest.raises(InvocationError, match="needs resource 'r'"):
        combine(1)


def test_direct_invocation_context_is_optional_when_declared():
    assert combine(1, r=Value(v=2)) == 3
    assert combine(up=1, r=Value(v=3)) == 4


def test_direct_invocation_argument_errors():
    with pytest.raises(InvocationError, match="'combine' is missing inputs 'up'"):
        combine(r=Value())
    with pytest.raises(InvocationError, match="'combine' has no parameter 'upp'. Parameters: 'r', 'up'"):
        combine(upp=1, r=Value())
    with pytest.raises(InvocationError, match="'combine' takes 2 arguments besides the context"):
        combine(1, Value(), 3)


def test_direct_invocation_config_from_the_context_or_an_argument():
    class Factor(dg.Config):
        k: int = 1

    @dg.op
    def scaled(context, x, config: Factor):
        return x * config.k

    assert scaled(dg.build_op_context(op_config={"k": 3}), 2) == 6
    assert scaled(dg.build_op_context(), 2) == 2
    assert scaled(dg.build_op_context(), 2, config=Factor(k=5)) == 10


def test_direct_invocation_of_an_op_with_required_resource_keys_uses_the_context():
    @dg.op(required_resource_keys={"greeting"})
    def greet(context, name):
        return f"{context.resources.greeting}, {name}"

    with dg.build_op_context(resources={"greeting": "hi"}) as context:
        assert greet(context, "ann") == "hi, ann"
