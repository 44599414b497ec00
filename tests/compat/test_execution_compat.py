"""Side-by-side execution scenarios: valid programs give the same observable results on resnb and dagster.

Every test takes the ``dg`` fixture (``resnb`` or ``dagster``, see ``tests/conftest.py``) and uses only the
Dagster 1.13 public API. Assertions cover values, ``success``, resource setup/teardown counts and order, and the
*type* of exception that reaches the caller. They never check message text, event lists or reprs, which differ
on purpose. Comments cite shared/reference/dagster-behaviour.md ("ref N.M").

No ``from __future__ import annotations`` here: the resource and config classes are local to each test, and
Dagster resolves parameter annotations at decoration time, so string annotations would not resolve.
"""

import pytest

# --------------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------------


def _recording_resource(dg, log):
    """A ConfigurableResource class that appends ("setup"|"teardown", tag) to ``log``."""

    class Rec(dg.ConfigurableResource):
        tag: str
        v: int = 0

        def setup_for_execution(self, context) -> None:
            log.append(("setup", self.tag))

        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", self.tag))

    return Rec


def _value_resource(dg):
    class R(dg.ConfigurableResource):
        v: int

    return R


# --------------------------------------------------------------------------------------------------------------
# @asset: declaration forms and dependencies
# --------------------------------------------------------------------------------------------------------------


def test_asset_bare_and_called_with_name(dg):
    # ref 9.5
    @dg.asset
    def a():
        return 1

    @dg.asset(name="renamed")
    def b(a):
        return a + 1

    result = dg.materialize([a, b])
    assert result.success is True
    assert result.asset_value("a") == 1
    assert result.asset_value("renamed") == 2
    assert result.asset_value(dg.AssetKey("renamed")) == 2
    assert result.output_for_node("renamed") == 2


def test_asset_key_prefix_value_by_list_and_assetkey(dg):
    # ref 9.5
    @dg.asset(key_prefix=["pre"])
    def e():
        return "E"

    result = dg.materialize([e])
    assert result.success
    assert result.asset_value(["pre", "e"]) == "E"
    assert result.asset_value(dg.AssetKey(["pre", "e"])) == "E"
    assert result.output_for_node("pre__e") == "E"


def test_asset_key_prefix_downstream_uses_asset_in_key(dg):
    # ref 9.5
    @dg.asset(key_prefix=["pre"])
    def e():
        return 2

    @dg.asset(ins={"x": dg.AssetIn(key=dg.AssetKey(["pre", "e"]))})
    def f(x):
        return x * 10

    result = dg.materialize([e, f])
    assert result.asset_value("f") == 20


def test_asset_deps_orders_without_passing_value(dg):
    # ref 9.5
    order = []

    @dg.asset
    def a():
        order.append("a")
        return 1

    @dg.asset(deps=[a])
    def b():
        order.append("b")
        return 2

    result = dg.materialize([b, a])
    assert result.success
    assert order == ["a", "b"]
    assert result.asset_value("b") == 2


def test_asset_deps_by_string_key(dg):
    # ref 9.5
    order = []

    @dg.asset
    def a():
        order.append("a")

    @dg.asset(deps=["a"])
    def b():
        order.append("b")

    assert dg.materialize([b, a]).success
    assert order == ["a", "b"]


def test_asset_ins_asset_in_renames_input(dg):
    # ref 9.5
    @dg.asset
    def a():
        return 3

    @dg.asset(ins={"x": dg.AssetIn("a")})
    def b(x):
        return x + 1

    result = dg.materialize([a, b])
    assert result.asset_value("b") == 4


def test_asset_description_group_metadata_accepted(dg):
    # ref 9.5
    @dg.asset(description="the a", group_name="grp", metadata={"owner": "me", "n": 1})
    def a():
        return 1

    result = dg.materialize([a])
    assert result.success
    assert result.asset_value("a") == 1


def test_asset_chain_diamond_values(dg):
    # ref 9.5
    @dg.asset
    def top():
        return 1

    @dg.asset
    def left(top):
        return top + 1

    @dg.asset
    def right(top):
        return top + 2

    @dg.asset
    def bottom(left, right):
        return left * right

    result = dg.materialize([bottom, right, left, top])
    assert result.asset_value("bottom") == 6


# --------------------------------------------------------------------------------------------------------------
# parameter classification
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # dagster deprecates context.run_id
def test_context_first_param_and_configurable_resource_param(dg):
    # ref 9.1
    R = _value_resource(dg)
    seen = {}

    @dg.asset
    def a(context, r: R):
        seen["key"] = context.asset_key
        seen["run_id"] = context.run_id
        context.log.info("hello")
        return r.v

    result = dg.materialize([a], resources={"r": R(v=7)})
    assert result.asset_value("a") == 7
    assert seen["key"] == dg.AssetKey("a")
    assert isinstance(seen["run_id"], str)
    assert seen["run_id"] == result.run_id


def test_context_annotated_with_asset_execution_context(dg):
    # ref 9.1
    seen = {}

    @dg.asset
    def a(context: dg.AssetExecutionContext):
        seen["key"] = context.asset_key
        return 1

    assert dg.materialize([a]).success
    assert seen["key"] == dg.AssetKey(["a"])


def test_resource_param_plain_string_resource(dg):
    # ref 3.7, 3.8
    @dg.asset
    def a(data_url: dg.ResourceParam[str]):
        return data_url.upper()

    result = dg.materialize([a], resources={"data_url": "https://example.invalid/x"})
    assert result.asset_value("a") == "HTTPS://EXAMPLE.INVALID/X"


def test_plain_object_resource_reaches_user_code_identically(dg):
    # ref 3.8
    class Client:
        pass

    client = Client()
    seen = []

    @dg.asset
    def a(client: dg.ResourceParam[Client]):
        seen.append(client)

    assert dg.materialize([a], resources={"client": client}).success
    assert seen[0] is client


def test_config_param_from_run_config_dict(dg):
    # ref 10.11
    class AC(dg.Config):
        n: int
        label: str = "x"

    @dg.asset
    def a(config: AC):
        return f"{config.label}{config.n}"

    result = dg.materialize([a], run_config={"ops": {"a": {"config": {"n": 4}}}})
    assert result.asset_value("a") == "x4"


def test_config_param_from_run_config_object(dg):
    # ref 10.11
    class AC(dg.Config):
        n: int

    @dg.asset
    def a(config: AC):
        return config.n * 2

    result = dg.materialize([a], run_config=dg.RunConfig(ops={"a": AC(n=4)}))
    assert result.asset_value("a") == 8


def test_context_config_resource_and_upstream_together(dg):
    # ref 9.1
    R = _value_resource(dg)

    class AC(dg.Config):
        n: int

    @dg.asset
    def up():
        return 100

    @dg.asset
    def down(context, config: AC, r: R, up):
        assert context.asset_key == dg.AssetKey("down")
        return up + config.n + r.v

    result = dg.materialize(
        [up, down],
        resources={"r": R(v=10)},
        run_config={"ops": {"down": {"config": {"n": 1}}}},
    )
    assert result.asset_value("down") == 111


def test_required_resource_keys_via_context_resources(dg):
    # ref 9.2, 9.4
    R = _value_resource(dg)
    seen = {}

    @dg.asset(required_resource_keys={"r"})
    def a(context):
        seen["has_other"] = hasattr(context.resources, "other")
        return context.resources.r.v

    result = dg.materialize([a], resources={"r": R(v=3), "other": R(v=4)})
    assert result.asset_value("a") == 3
    assert seen["has_other"] is False


def test_resource_param_also_visible_on_context_resources(dg):
    # ref 9.4
    R = _value_resource(dg)
    seen = {}

    @dg.asset
    def a(context, r: R):
        seen["same"] = context.resources.r is r
        return r.v

    assert dg.materialize([a], resources={"r": R(v=1)}).asset_value("a") == 1
    assert seen["same"] is True


# --------------------------------------------------------------------------------------------------------------
# @multi_asset
# --------------------------------------------------------------------------------------------------------------


def test_multi_asset_yields_outputs_by_name(dg):
    # ref 9.5
    @dg.multi_asset(outs={"m1": dg.AssetOut(), "m2": dg.AssetOut()})
    def m():
        yield dg.Output(1, output_name="m1")
        yield dg.Output(2, output_name="m2")

    @dg.asset
    def after(m1, m2):
        return m1 + m2

    result = dg.materialize([m, after])
    assert result.asset_value("m1") == 1
    assert result.asset_value("m2") == 2
    assert result.output_for_node("m", "m2") == 2
    assert result.asset_value("after") == 3


def test_multi_asset_returns_tuple_with_resource_param(dg):
    # ref 9.5
    R = _value_resource(dg)

    @dg.multi_asset(outs={"t1": dg.AssetOut(), "t2": dg.AssetOut()})
    def m(r: R):
        return r.v, r.v * 2

    result = dg.materialize([m], resources={"r": R(v=5)})
    assert result.asset_value("t1") == 5
    assert result.asset_value(dg.AssetKey("t2")) == 10
    assert result.output_for_node("m", "t1") == 5


# --------------------------------------------------------------------------------------------------------------
# direct invocation and build_*_context
# --------------------------------------------------------------------------------------------------------------


def test_direct_invocation_asset_positional_and_keyword(dg):
    # ref 9.16
    R = _value_resource(dg)

    @dg.asset
    def b(a, r: R):
        return a + r.v

    assert b(1, R(v=2)) == 3
    assert b(a=1, r=R(v=3)) == 4


def test_direct_invocation_asset_with_build_asset_context(dg):
    # ref 9.16
    R = _value_resource(dg)

    @dg.asset
    def b(context, a, r: R):
        return a + r.v

    assert b(dg.build_asset_context(resources={"r": R(v=5)}), 1) == 6


def test_direct_invocation_context_accepted_without_context_param(dg):
    # ref 9.16
    R = _value_resource(dg)

    @dg.asset
    def b(a, r: R):
        return a + r.v

    assert b(dg.build_asset_context(resources={"r": R(v=5)}), 1) == 6


def test_direct_invocation_required_resource_keys_with_build_asset_context(dg):
    # ref 9.16
    @dg.asset(required_resource_keys={"s"})
    def a(context):
        return context.resources.s + "!"

    assert a(dg.build_asset_context(resources={"s": "hi"})) == "hi!"


def test_direct_invocation_op_with_resource(dg):
    # ref 9.16
    R = _value_resource(dg)

    @dg.op
    def op1(r: R):
        return r.v

    assert op1(R(v=11)) == 11
    assert op1(r=R(v=12)) == 12


def test_build_op_context_resources_and_config(dg):
    # ref 9.16
    R = _value_resource(dg)

    class OC(dg.Config):
        n: int

    @dg.op(required_resource_keys={"r"})
    def o(context, config: OC):
        return context.resources.r.v + config.n

    assert o(dg.build_op_context(resources={"r": R(v=3)}), OC(n=1)) == 4


def test_build_op_context_legacy_config(dg):
    # ref 9.16
    @dg.op(config_schema={"n": int})
    def o(context):
        return context.op_config["n"] + 1

    assert o(dg.build_op_context(config={"n": 3})) == 4


def test_build_op_context_with_resource_param(dg):
    # ref 9.16
    R = _value_resource(dg)

    @dg.op
    def o(context, r: R):
        return r.v

    assert o(dg.build_op_context(resources={"r": R(v=9)})) == 9


# --------------------------------------------------------------------------------------------------------------
# IO managers
# --------------------------------------------------------------------------------------------------------------


def test_custom_io_manager_via_io_manager_key(dg):
    # ref 6.3
    calls = []

    class MemIO(dg.IOManager):
        def __init__(self):
            self.store = {}

        def handle_output(self, context, obj):
            calls.append(("handle", context.asset_key))
            self.store[context.asset_key] = obj

        def load_input(self, context):
            calls.append(("load", context.asset_key))
            return self.store[context.asset_key]

    mem = MemIO()

    @dg.asset(io_manager_key="mem")
    def a():
        return [1, 2]

    @dg.asset
    def b(a):
        return sum(a)

    result = dg.materialize([a, b], resources={"mem": mem})
    assert result.success
    assert result.asset_value("b") == 3
    assert mem.store == {dg.AssetKey("a"): [1, 2]}
    assert calls[0] == ("handle", dg.AssetKey("a"))
    assert ("load", dg.AssetKey("a")) in calls
    assert [c for c in calls if c[0] == "handle"] == [("handle", dg.AssetKey("a"))]


def test_configurable_io_manager_as_default_io_manager(dg):
    # ref 6.3
    store = {}

    class PrefixIO(dg.ConfigurableIOManager):
        prefix: str

        def handle_output(self, context, obj):
            store[(self.prefix, *context.asset_key.path)] = obj

        def load_input(self, context):
            return store[(self.prefix, *context.asset_key.path)]

    @dg.asset
    def a():
        return 2

    @dg.asset
    def b(a):
        return a * 3

    result = dg.materialize([a, b], resources={"io_manager": PrefixIO(prefix="p")})
    assert result.success
    assert store == {("p", "a"): 2, ("p", "b"): 6}
    assert result.asset_value("b") == 6


def test_configurable_io_manager_under_custom_key_in_definitions(dg):
    # ref 6.3
    store = {}

    class DictIO(dg.ConfigurableIOManager):
        def handle_output(self, context, obj):
            store[context.asset_key.to_user_string()] = obj

        def load_input(self, context):
            return store[context.asset_key.to_user_string()]

    @dg.asset(io_manager_key="dict_io", key_prefix=["pre"])
    def a():
        return "A"

    @dg.asset(ins={"x": dg.AssetIn(key=["pre", "a"])})
    def b(x):
        return x + "B"

    defs = dg.Definitions(assets=[a, b], resources={"dict_io": DictIO()})
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert store == {"pre/a": "A"}
    assert result.asset_value("b") == "AB"


def test_filesystem_io_manager_round_trip_across_two_materialize_calls(dg, tmp_path):
    # ref 10.2, 10.3
    calls = []

    @dg.asset
    def a():
        calls.append("a")
        return {"n": 41}

    @dg.asset
    def b(a):
        calls.append("b")
        return a["n"] + 1

    first = dg.materialize([a, b], resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))})
    assert first.success
    assert calls == ["a", "b"]

    second = dg.materialize(
        [a, b],
        selection=["b"],
        resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))},
    )
    assert second.success
    assert calls == ["a", "b", "b"]
    assert second.asset_value("b") == 42


def test_filesystem_io_manager_writes_one_pickle_per_asset_key_path(dg, tmp_path):
    # ref 10.2
    import pickle

    @dg.asset(key_prefix=["pre"])
    def e():
        return [1, 2, 3]

    result = dg.materialize([e], resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))})
    assert result.success
    with open(tmp_path / "pre" / "e", "rb") as fh:
        assert pickle.load(fh) == [1, 2, 3]


def test_materialize_to_memory_values(dg):
    # ref 10.2
    @dg.asset
    def a():
        return "obj"

    @dg.asset
    def b(a):
        return a + "!"

    result = dg.materialize_to_memory([a, b])
    assert result.success
    assert result.asset_value("b") == "obj!"
    assert result.output_for_node("a") == "obj"


def test_materialize_to_memory_with_resources(dg):
    # ref 10.2
    R = _value_resource(dg)

    @dg.asset
    def a(r: R):
        return r.v

    assert dg.materialize_to_memory([a], resources={"r": R(v=6)}).asset_value("a") == 6


# --------------------------------------------------------------------------------------------------------------
# materialize selection
# --------------------------------------------------------------------------------------------------------------


def test_materialize_selection_with_upstream_in_same_call(dg):
    # ref 10.3
    ran = []

    @dg.asset
    def a():
        ran.append("a")
        return 1

    @dg.asset
    def b(a):
        ran.append("b")
        return a + 1

    @dg.asset
    def c(b):
        ran.append("c")
        return b + 1

    result = dg.materialize([a, b, c], selection=["a", "b"])
    assert result.success
    assert ran == ["a", "b"]
    assert result.asset_value("b") == 2


def test_materialize_selection_by_assetkey(dg):
    # ref 10.3
    ran = []

    @dg.asset
    def a():
        ran.append("a")
        return 1

    @dg.asset
    def z():
        ran.append("z")
        return 2

    result = dg.materialize([a, z], selection=[dg.AssetKey("z")])
    assert ran == ["z"]
    assert result.asset_value("z") == 2


# --------------------------------------------------------------------------------------------------------------
# resource lifecycle in a run (in-process executor)
# --------------------------------------------------------------------------------------------------------------


def test_resources_set_up_once_before_first_step_and_torn_down_after_last_in_reverse(dg):
    # ref 5.4, 10.6
    log = []
    Rec = _recording_resource(dg, log)

    @dg.asset
    def s1(z: Rec, a: Rec):
        log.append(("step", "s1"))
        return 1

    @dg.asset
    def s2(s1, m: Rec, b: Rec):
        log.append(("step", "s2"))
        return s1 + 1

    @dg.asset
    def s3(s2, a: Rec):
        log.append(("step", "s3"))
        return s2 + 1

    result = dg.materialize(
        [s1, s2, s3],
        resources={"z": Rec(tag="z"), "a": Rec(tag="a"), "m": Rec(tag="m"), "b": Rec(tag="b")},
    )
    assert result.success
    assert log == [
        ("setup", "a"),
        ("setup", "b"),
        ("setup", "m"),
        ("setup", "z"),
        ("step", "s1"),
        ("step", "s2"),
        ("step", "s3"),
        ("teardown", "z"),
        ("teardown", "m"),
        ("teardown", "b"),
        ("teardown", "a"),
    ]


def test_resource_init_order_follows_dependency_levels_then_key(dg):
    # ref 5.4, 7.8, 10.5
    log = []

    @dg.resource
    def z_base(init_context):
        log.append(("setup", "z_base"))
        try:
            yield "base"
        finally:
            log.append(("teardown", "z_base"))

    @dg.resource(required_resource_keys={"z_base"})
    def a_top(init_context):
        log.append(("setup", "a_top"))
        try:
            yield init_context.resources.z_base + "+top"
        finally:
            log.append(("teardown", "a_top"))

    @dg.resource
    def m_solo(init_context):
        log.append(("setup", "m_solo"))
        try:
            yield "solo"
        finally:
            log.append(("teardown", "m_solo"))

    @dg.asset(required_resource_keys={"a_top", "m_solo"})
    def x(context):
        log.append(("step", "x"))
        return context.resources.a_top + "/" + context.resources.m_solo

    result = dg.materialize([x], resources={"a_top": a_top, "z_base": z_base, "m_solo": m_solo})
    assert result.asset_value("x") == "base+top/solo"
    assert log == [
        ("setup", "m_solo"),
        ("setup", "z_base"),
        ("setup", "a_top"),
        ("step", "x"),
        ("teardown", "a_top"),
        ("teardown", "z_base"),
        ("teardown", "m_solo"),
    ]


def test_partial_nested_resource_initialised_before_parent_key(dg):
    # ref 3.6, 5.4
    log = []

    class Inner(dg.ConfigurableResource):
        s: str = "in"

        def setup_for_execution(self, context) -> None:
            log.append(("setup", "inner"))

    class Outer(dg.ConfigurableResource):
        inner: Inner

        def setup_for_execution(self, context) -> None:
            log.append(("setup", "outer"))

    inner = Inner.configure_at_launch()

    @dg.asset
    def a(a_outer: Outer):
        return a_outer.inner.s

    result = dg.materialize(
        [a],
        resources={"a_outer": Outer(inner=inner), "z_inner": inner},
        run_config={"resources": {"z_inner": {"config": {"s": "cfg"}}}},
    )
    assert result.asset_value("a") == "cfg"
    assert log == [("setup", "inner"), ("setup", "outer")]


def test_each_resource_set_up_once_per_run_even_if_used_by_many_steps(dg):
    # ref 10.6
    log = []
    Rec = _recording_resource(dg, log)

    @dg.asset
    def a1(r1: Rec):
        return 1

    @dg.asset
    def a2(a1, r1: Rec):
        return a1 + 1

    @dg.asset
    def a3(a2):
        return a2 + 1

    @dg.asset
    def a4(r1: Rec):
        return 4

    result = dg.materialize([a1, a2, a3, a4], resources={"r1": Rec(tag="r1"), "r2": Rec(tag="r2")})
    assert result.success
    assert log == [("setup", "r1"), ("teardown", "r1")]


def test_every_run_sets_up_and_tears_down_again(dg):
    # ref 10.6
    log = []
    Rec = _recording_resource(dg, log)
    rec = Rec(tag="r")

    @dg.asset
    def a(r: Rec):
        return 1

    assert dg.materialize([a], resources={"r": rec}).success
    assert dg.materialize([a], resources={"r": rec}).success
    assert log == [("setup", "r"), ("teardown", "r"), ("setup", "r"), ("teardown", "r")]


def test_per_run_copy_shared_by_every_step(dg):
    # ref 3.3, 10.6
    R = _value_resource(dg)
    seen = []

    @dg.asset
    def a(r: R):
        seen.append(r)
        return id(r)

    @dg.asset
    def b(r: R):
        seen.append(r)
        return id(r)

    constructed = R(v=1)
    result = dg.materialize([a, b], resources={"r": constructed})
    assert result.success
    assert result.asset_value("a") == result.asset_value("b")
    assert seen[0] is seen[1]
    assert seen[0] is not constructed
    assert seen[0] == constructed


def test_setup_state_visible_to_every_step(dg):
    # ref 1.5, 10.6
    class Counter(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            self._hits = []

        def hit(self, name):
            self._hits.append(name)
            return len(self._hits)

    @dg.asset
    def a(counter: Counter):
        return counter.hit("a")

    @dg.asset
    def b(a, counter: Counter):
        return counter.hit("b")

    result = dg.materialize([a, b], resources={"counter": Counter()})
    assert result.asset_value("a") == 1
    assert result.asset_value("b") == 2


def test_only_required_resources_are_initialised(dg, env):
    # ref 2.8, 10.5
    log = []
    Rec = _recording_resource(dg, log)

    class NeedsEnv(dg.ConfigurableResource):
        secret: str

    class NeedsConfig(dg.ConfigurableResource):
        required_field: str

    env.delenv("RESNB_COMPAT_SURELY_UNSET", raising=False)

    @dg.asset
    def a(used: Rec):
        return 1

    result = dg.materialize(
        [a],
        resources={
            "used": Rec(tag="used"),
            "unused": Rec(tag="unused"),
            "unused_env": NeedsEnv(secret=dg.EnvVar("RESNB_COMPAT_SURELY_UNSET")),
            "unused_partial": NeedsConfig.configure_at_launch(),
        },
    )
    assert result.success
    assert log == [("setup", "used"), ("teardown", "used")]


def test_selection_shrinks_the_initialised_resources(dg):
    # ref 10.5
    log = []
    Rec = _recording_resource(dg, log)

    @dg.asset
    def a(r1: Rec):
        return 1

    @dg.asset
    def b(r2: Rec):
        return 2

    result = dg.materialize([a, b], resources={"r1": Rec(tag="r1"), "r2": Rec(tag="r2")}, selection=["b"])
    assert result.success
    assert log == [("setup", "r2"), ("teardown", "r2")]


def test_envvar_resolved_at_run_time(dg, env):
    # ref 2.3, 2.4
    class Holder(dg.ConfigurableResource):
        value: str

    env.delenv("RESNB_COMPAT_RUNTIME_VAR", raising=False)
    holder = Holder(value=dg.EnvVar("RESNB_COMPAT_RUNTIME_VAR"))

    @dg.asset
    def a(holder: Holder):
        return holder.value

    env.setenv("RESNB_COMPAT_RUNTIME_VAR", "first")
    assert dg.materialize([a], resources={"holder": holder}).asset_value("a") == "first"
    env.setenv("RESNB_COMPAT_RUNTIME_VAR", "second")
    assert dg.materialize([a], resources={"holder": holder}).asset_value("a") == "second"


def test_configure_at_launch_resource_with_run_config(dg):
    # ref 4.1, 4.3
    class Two(dg.ConfigurableResource):
        a: str
        b: int = 1

    @dg.asset
    def x(t: Two):
        return f"{t.a}{t.b}"

    result = dg.materialize(
        [x],
        resources={"t": Two.configure_at_launch(a="preset")},
        run_config={"resources": {"t": {"config": {"b": 9}}}},
    )
    assert result.asset_value("x") == "preset9"


# --------------------------------------------------------------------------------------------------------------
# failures: which exception reaches the caller
# --------------------------------------------------------------------------------------------------------------


def test_user_exception_reraised_unwrapped(dg):
    # ref 10.8
    class Boom(ValueError):
        pass

    @dg.asset
    def boom():
        raise Boom("user boom")

    with pytest.raises(Boom):
        dg.materialize([boom])


def test_resources_torn_down_when_user_step_raises(dg):
    # ref 5.8, 10.8
    log = []
    Rec = _recording_resource(dg, log)

    @dg.asset
    def boom(r: Rec):
        raise ValueError("user boom")

    with pytest.raises(ValueError):
        dg.materialize([boom], resources={"r": Rec(tag="r")})
    assert log == [("setup", "r"), ("teardown", "r")]


def test_raise_on_error_false_runs_independent_skips_downstream(dg):
    # ref 10.9
    ran = []

    @dg.asset
    def boom():
        ran.append("boom")
        raise ValueError("user boom")

    @dg.asset
    def after_boom(boom):
        ran.append("after_boom")
        return 1

    @dg.asset
    def indep():
        ran.append("indep")
        return 5

    result = dg.materialize([boom, after_boom, indep], raise_on_error=False)
    assert result.success is False
    assert "indep" in ran
    assert "boom" in ran
    assert "after_boom" not in ran
    assert result.asset_value("indep") == 5
    assert result.output_for_node("indep") == 5


def test_raise_on_error_false_in_job(dg):
    # ref 10.9
    ran = []

    @dg.op
    def boom():
        raise ValueError("op boom")

    @dg.op
    def after(x):
        ran.append("after")
        return x

    @dg.op
    def indep():
        ran.append("indep")
        return 1

    @dg.job
    def j():
        after(boom())
        indep()

    result = j.execute_in_process(raise_on_error=False)
    assert result.success is False
    assert ran == ["indep"]
    assert result.output_for_node("indep") == 1


def test_op_user_exception_reraised_from_execute_in_process(dg):
    # ref 10.8
    @dg.op
    def boom():
        raise KeyError("op boom")

    @dg.job
    def j():
        boom()

    with pytest.raises(KeyError):
        j.execute_in_process()


def test_failing_resource_setup_raises_resource_function_error(dg):
    # ref 5.5, 10.8, 11 #11
    log = []

    class Bad(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            log.append(("setup", "b_bad"))
            raise ValueError("cannot connect")

        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", "b_bad"))

    Rec = _recording_resource(dg, log)

    @dg.asset
    def a(a_ok: Rec, b_bad: Bad, c_later: Rec):
        log.append(("step", "a"))

    with pytest.raises(dg.DagsterResourceFunctionError) as info:
        dg.materialize(
            [a], resources={"a_ok": Rec(tag="a_ok"), "b_bad": Bad(), "c_later": Rec(tag="c_later")}
        )
    assert isinstance(info.value.__cause__, ValueError)
    assert log == [("setup", "a_ok"), ("setup", "b_bad"), ("teardown", "a_ok")]


def test_failing_legacy_resource_raises_resource_function_error_in_job(dg):
    # ref 5.5, 10.8
    @dg.resource
    def bad(_):
        raise RuntimeError("nope")

    @dg.op(required_resource_keys={"bad"})
    def o(context):
        return 1

    @dg.job(resource_defs={"bad": bad})
    def j():
        o()

    with pytest.raises(dg.DagsterResourceFunctionError):
        j.execute_in_process()


def test_failing_resource_setup_with_raise_on_error_false(dg):
    # ref 5.5
    class Bad(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            raise ValueError("cannot connect")

    @dg.asset
    def a(bad: Bad):
        return 1

    result = dg.materialize([a], resources={"bad": Bad()}, raise_on_error=False)
    assert result.success is False


def test_unset_envvar_of_used_resource_raises_invalid_config(dg, env):
    # ref 2.5, 11 #4
    class Holder(dg.ConfigurableResource):
        value: str

    env.delenv("RESNB_COMPAT_SURELY_UNSET", raising=False)

    @dg.asset
    def a(holder: Holder):
        return holder.value

    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([a], resources={"holder": Holder(value=dg.EnvVar("RESNB_COMPAT_SURELY_UNSET"))})


def test_bad_run_config_raises_invalid_config(dg):
    # ref 10.11, 11 #3
    class AC(dg.Config):
        n: int

    @dg.asset
    def a(config: AC):
        return config.n

    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([a], run_config={"ops": {"a": {"config": {"n": "not-an-int"}}}})


def test_missing_config_for_used_partial_resource_raises_invalid_config(dg):
    # ref 4.2
    class NeedsConfig(dg.ConfigurableResource):
        s: str

    @dg.asset
    def a(r: NeedsConfig):
        return r.s

    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([a], resources={"r": NeedsConfig.configure_at_launch()})


def test_missing_resource_key_raises_invalid_definition_in_materialize(dg):
    # ref 9.7, 11 #1
    R = _value_resource(dg)

    @dg.asset
    def needs_r(r: R):
        return r.v

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([needs_r])


def test_missing_resource_key_raises_invalid_definition_in_validate_loadable(dg):
    # ref 9.7
    @dg.asset(required_resource_keys={"r"})
    def needs_r(context):
        return 1

    defs = dg.Definitions(assets=[needs_r])  # lazy: constructing is fine
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.Definitions.validate_loadable(defs)


def test_missing_resource_key_raises_invalid_definition_in_execute_in_process(dg):
    # ref 9.7
    @dg.op
    def needs_s(s: dg.ResourceParam[str]):
        return s

    @dg.job
    def j():
        needs_s()

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        j.execute_in_process()


def test_job_with_resource_defs_missing_a_key_fails_when_defined(dg):
    # a job given resource_defs is checked at definition time; one without them is not
    R = _value_resource(dg)

    @dg.op
    def uses_r(r: R):
        return r.v

    @dg.job
    def unbound():
        uses_r()

    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.job(resource_defs={"other": R(v=1)})
        def bound():
            uses_r()

    @dg.graph
    def g():
        uses_r()

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        g.to_job(name="g_job", resource_defs={"other": R(v=1)})
    assert g.to_job(name="ok", resource_defs={"r": R(v=1)}).execute_in_process().success


# --------------------------------------------------------------------------------------------------------------
# ops, graphs, jobs
# --------------------------------------------------------------------------------------------------------------


def test_op_outputs_feed_op_inputs(dg):
    # ref 9.6
    @dg.op
    def one():
        return 1

    @dg.op(ins={"x": dg.In(int)}, out=dg.Out(int))
    def plus_one(x):
        return x + 1

    @dg.op
    def add(x, y):
        return x + y

    @dg.job
    def j():
        a = one()
        add(plus_one(a), a)

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("one") == 1
    assert result.output_for_node("plus_one") == 2
    assert result.output_for_node("add") == 3


def test_op_reused_twice_in_job_gets_aliased_names(dg):
    # ref 9.6
    @dg.op
    def one():
        return 1

    @dg.op
    def inc(x):
        return x + 1

    @dg.job
    def j():
        inc(inc(one()))

    result = j.execute_in_process()
    assert result.output_for_node("inc") == 2
    assert result.output_for_node("inc_2") == 3


def test_op_required_resource_keys_with_job_resource_defs(dg):
    # ref 9.6, seed 000
    log = []

    @dg.resource
    def database(init_context):
        log.append("init")
        return {"url": "sqlite://"}

    @dg.op(required_resource_keys={"database"})
    def op_requires_resources(context):
        return context.resources.database["url"]

    @dg.job(resource_defs={"database": database})
    def do_database_stuff_job():
        op_requires_resources()

    result = do_database_stuff_job.execute_in_process()
    assert result.success
    assert result.output_for_node("op_requires_resources") == "sqlite://"
    assert log == ["init"]


def test_graph_to_job_two_jobs_with_different_resources(dg):
    # ref 9.6, seed 000
    R = _value_resource(dg)

    @dg.op
    def use_r(r: R):
        return r.v

    @dg.graph
    def g():
        use_r()

    dev = g.to_job(name="dev_job", resource_defs={"r": R(v=1)})
    prod = g.to_job(name="prod_job", resource_defs={"r": R(v=2)})
    assert dev.name == "dev_job"
    assert prod.name == "prod_job"
    assert dev.execute_in_process().output_for_node("use_r") == 1
    assert prod.execute_in_process().output_for_node("use_r") == 2


def test_graph_with_inputs_and_outputs_inside_job(dg):
    # ref 9.6
    @dg.op
    def one():
        return 1

    @dg.op
    def double(x):
        return x * 2

    @dg.graph
    def inner(x):
        return double(x)

    @dg.job
    def j():
        inner(one())

    result = j.execute_in_process()
    assert result.output_for_node("inner") == 2
    assert result.output_for_node("inner.double") == 2


def test_execute_in_process_run_config_and_resources(dg):
    # ref 9.6, 10.11
    R = _value_resource(dg)

    class OC(dg.Config):
        n: int

    @dg.op
    def o(config: OC, r: R):
        return config.n + r.v

    @dg.job
    def j():
        o()

    result = j.execute_in_process(run_config={"ops": {"o": {"config": {"n": 5}}}}, resources={"r": R(v=10)})
    assert result.success
    assert result.output_for_node("o") == 15


def test_execute_in_process_resources_override_job_resource_defs(dg):
    # ref 9.6
    R = _value_resource(dg)

    @dg.op
    def o(r: R):
        return r.v

    @dg.job(resource_defs={"r": R(v=1)})
    def j():
        o()

    assert j.execute_in_process().output_for_node("o") == 1
    assert j.execute_in_process(resources={"r": R(v=2)}).output_for_node("o") == 2


def test_execute_in_process_op_config_from_legacy_config_schema(dg):
    # ref 9.6
    @dg.op(config_schema={"n": int})
    def o(context):
        return context.op_config["n"] * 3

    @dg.job
    def j():
        o()

    assert j.execute_in_process(run_config={"ops": {"o": {"config": {"n": 2}}}}).output_for_node("o") == 6


def test_job_resource_defs_win_over_definitions_resources(dg):
    # ref 9.6
    R = _value_resource(dg)

    @dg.op
    def use_r(r: R):
        return r.v

    @dg.job(resource_defs={"r": R(v=1)})
    def j():
        use_r()

    defs = dg.Definitions(jobs=[j], resources={"r": R(v=2)})
    assert defs.resolve_job_def("j").execute_in_process().output_for_node("use_r") == 1


def test_definitions_resources_bound_to_job_without_resource_defs(dg):
    # ref 9.6, seed 003
    @dg.op
    def print_data_from_resource(data_url: dg.ResourceParam[str]):
        return data_url

    @dg.job
    def print_data_from_url_job():
        print_data_from_resource()

    defs = dg.Definitions(jobs=[print_data_from_url_job], resources={"data_url": "https://dagster.io"})
    result = defs.resolve_job_def("print_data_from_url_job").execute_in_process()
    assert result.output_for_node("print_data_from_resource") == "https://dagster.io"


def test_job_with_in_process_executor_def(dg):
    # ref 10.6
    log = []
    Rec = _recording_resource(dg, log)

    @dg.op
    def o1(r: Rec):
        log.append(("step", "o1"))
        return 1

    @dg.op
    def o2(x, r: Rec):
        log.append(("step", "o2"))
        return x + 1

    @dg.job(executor_def=dg.in_process_executor, resource_defs={"r": Rec(tag="r")})
    def j():
        o2(o1())

    result = j.execute_in_process()
    assert result.output_for_node("o2") == 2
    assert log == [("setup", "r"), ("step", "o1"), ("step", "o2"), ("teardown", "r")]


def test_job_with_multiprocess_executor_def_still_in_process_under_execute_in_process(dg):
    # ref 10.6
    log = []
    Rec = _recording_resource(dg, log)

    @dg.op
    def o1(r: Rec):
        return 1

    @dg.op
    def o2(x, r: Rec):
        return x + 1

    @dg.job(executor_def=dg.multiprocess_executor, resource_defs={"r": Rec(tag="r")})
    def j():
        o2(o1())

    assert j.execute_in_process().output_for_node("o2") == 2
    assert log == [("setup", "r"), ("teardown", "r")]


def test_definitions_with_in_process_executor(dg):
    # ref 10.6
    R = _value_resource(dg)

    @dg.asset
    def a(r: R):
        return r.v

    @dg.asset
    def b(a):
        return a + 1

    defs = dg.Definitions(assets=[a, b], resources={"r": R(v=1)}, executor=dg.in_process_executor)
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.asset_value("b") == 2


# --------------------------------------------------------------------------------------------------------------
# op inputs from run config, nested graph addressing, configured ops
# --------------------------------------------------------------------------------------------------------------


def _lonely_add_job(dg):
    @dg.op
    def add(x: int) -> int:
        return x + 1

    @dg.job
    def j():
        add()

    return j


def test_unconnected_op_input_from_run_config(dg):
    j = _lonely_add_job(dg)
    assert j.execute_in_process(run_config={"ops": {"add": {"inputs": {"x": 3}}}}).output_for_node("add") == 4
    value_form = {"ops": {"add": {"inputs": {"x": {"value": 3}}}}}
    assert j.execute_in_process(run_config=value_form).output_for_node("add") == 4


def test_unconnected_op_input_is_loadable_without_run_config(dg):
    dg.Definitions.validate_loadable(dg.Definitions(jobs=[_lonely_add_job(dg)]))


def test_unconnected_op_input_missing_from_run_config_is_invalid_config(dg):
    with pytest.raises(dg.DagsterInvalidConfigError):
        _lonely_add_job(dg).execute_in_process()


def test_unknown_op_input_in_run_config_is_invalid_config(dg):
    with pytest.raises(dg.DagsterInvalidConfigError):
        _lonely_add_job(dg).execute_in_process(run_config={"ops": {"add": {"inputs": {"x": 3, "y": 4}}}})


def test_wrong_type_op_input_in_run_config_is_invalid_config(dg):
    with pytest.raises(dg.DagsterInvalidConfigError):
        _lonely_add_job(dg).execute_in_process(run_config={"ops": {"add": {"inputs": {"x": "three"}}}})


def test_connected_op_input_in_run_config_is_invalid_config(dg):
    @dg.op
    def one():
        return 1

    @dg.op
    def add(x: int) -> int:
        return x + 1

    @dg.job
    def j():
        add(one())

    with pytest.raises(dg.DagsterInvalidConfigError):
        j.execute_in_process(run_config={"ops": {"add": {"inputs": {"x": 3}}}})


def test_untyped_op_input_takes_the_value_form_only(dg):
    @dg.op
    def echo(x):
        return x

    @dg.job
    def j():
        echo()

    result = j.execute_in_process(run_config={"ops": {"echo": {"inputs": {"x": {"value": [1, 2]}}}}})
    assert result.output_for_node("echo") == [1, 2]
    with pytest.raises(dg.DagsterInvalidConfigError):
        j.execute_in_process(run_config={"ops": {"echo": {"inputs": {"x": [1, 2]}}}})


def test_op_input_default_overridden_by_run_config(dg):
    @dg.op
    def add(x: int = 4) -> int:
        return x + 1

    @dg.job
    def j():
        add()

    assert j.execute_in_process().output_for_node("add") == 5
    assert (
        j.execute_in_process(run_config={"ops": {"add": {"inputs": {"x": 10}}}}).output_for_node("add") == 11
    )


def test_collection_op_inputs_from_run_config(dg):
    @dg.op
    def collect(xs: list, scores: dict, count: int = 0) -> tuple:
        return xs, scores, count

    @dg.job
    def j():
        collect()

    inputs = {"xs": [{"value": 1}, {"value": "a"}], "scores": {"k": 1.5}}
    result = j.execute_in_process(run_config={"ops": {"collect": {"inputs": inputs}}})
    assert result.output_for_node("collect") == ([1, "a"], {"k": 1.5}, 0)


def test_unconnected_input_of_a_custom_type_fails_when_the_job_is_defined(dg):
    class Frame:
        pass

    @dg.op
    def use(frame: Frame):
        return 1  # pragma: no cover

    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.job
        def j():
            use()


def test_nested_op_input_and_config_addressed_through_the_graph(dg):
    class Scale(dg.Config):
        by: int

    @dg.op
    def scale(config: Scale, x: int) -> int:
        return x * config.by

    @dg.graph
    def g():
        return scale()

    @dg.job
    def j():
        g()

    entry = {"config": {"by": 3}, "inputs": {"x": 2}}
    result = j.execute_in_process(run_config={"ops": {"g": {"ops": {"scale": entry}}}})
    assert result.output_for_node("g.scale") == 6
    assert result.output_for_node("g") == 6
    for wrong in ({"scale": entry}, {"g.scale": entry}):
        with pytest.raises(dg.DagsterInvalidConfigError):
            j.execute_in_process(run_config={"ops": wrong})


def test_unknown_key_in_an_op_entry_is_invalid_config(dg):
    with pytest.raises(dg.DagsterInvalidConfigError):
        _lonely_add_job(dg).execute_in_process(run_config={"ops": {"add": {"inputs": {"x": 1}, "zz": 1}}})


def test_asset_run_config_has_no_inputs_and_assets_still_materialize(dg):
    @dg.asset
    def up():
        return 1

    @dg.asset
    def down(up):
        return up + 1

    assert dg.materialize([up, down]).output_for_node("down") == 2
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([up, down], run_config={"ops": {"down": {"inputs": {"up": {"value": 5}}}}})


def test_configured_op_maps_its_config(dg):
    class Scale(dg.Config):
        by: int
        offset: int = 0

    @dg.op
    def scaled(config: Scale) -> int:
        return config.by * 10 + config.offset

    @dg.configured(scaled, config_schema={"m": int})
    def doubled(config):
        return {"by": config["m"] * 2}

    @dg.op(config_schema={"n": int})
    def legacy(context):
        return context.op_config["n"]

    fixed = legacy.configured({"n": 7}, name="fixed")

    @dg.job
    def j():
        doubled()
        fixed()

    assert isinstance(doubled, dg.OpDefinition)
    assert doubled.name == "doubled"
    result = j.execute_in_process(run_config={"ops": {"doubled": {"config": {"m": 2}}}})
    assert result.output_for_node("doubled") == 40
    assert result.output_for_node("fixed") == 7


# --------------------------------------------------------------------------------------------------------------
# Definitions, asset jobs, with_resources, @repository
# --------------------------------------------------------------------------------------------------------------


def test_definitions_assets_resources_jobs_and_define_asset_job(dg):
    # ref 9.9
    R = _value_resource(dg)
    ran = []

    @dg.asset
    def a(r: R):
        ran.append("a")
        return r.v

    @dg.asset
    def b(a):
        ran.append("b")
        return a + 1

    @dg.asset
    def c(b):
        ran.append("c")
        return b + 1

    @dg.op
    def o(r: R):
        return r.v * 100

    @dg.job
    def op_job():
        o()

    defs = dg.Definitions(
        assets=[a, b, c],
        resources={"r": R(v=1)},
        jobs=[dg.define_asset_job("ab_job", selection=["a", "b"]), op_job],
    )
    result = defs.resolve_job_def("ab_job").execute_in_process()
    assert result.success
    assert ran == ["a", "b"]
    assert result.asset_value("b") == 2
    assert result.output_for_node("a") == 1
    assert defs.resolve_job_def("op_job").execute_in_process().output_for_node("o") == 100


def test_define_asset_job_without_selection_runs_all_assets(dg):
    # ref 9.9
    @dg.asset
    def a():
        return 1

    @dg.asset
    def b(a):
        return a + 1

    defs = dg.Definitions(assets=[a, b], jobs=[dg.define_asset_job("all_job")])
    assert defs.resolve_job_def("all_job").execute_in_process().asset_value("b") == 2


def test_define_asset_job_with_in_process_executor_def(dg):
    # ref 9.9
    @dg.asset
    def a():
        return 1

    defs = dg.Definitions(
        assets=[a], jobs=[dg.define_asset_job("aj", selection=["a"], executor_def=dg.in_process_executor)]
    )
    assert defs.resolve_job_def("aj").execute_in_process().asset_value("a") == 1


def test_implicit_global_asset_job_executes_all_assets(dg):
    # ref 9.9
    R = _value_resource(dg)

    @dg.asset
    def a(r: R):
        return r.v

    @dg.asset
    def b(a):
        return a * 2

    defs = dg.Definitions(assets=[a, b], resources={"r": R(v=4)})
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.asset_value("a") == 4
    assert result.asset_value(dg.AssetKey("b")) == 8


def test_validate_loadable_passes_for_valid_definitions(dg):
    # ref 9.7
    R = _value_resource(dg)

    @dg.asset
    def a(r: R):
        return r.v

    @dg.op
    def o(s: dg.ResourceParam[str]):
        return s

    @dg.job
    def j():
        o()

    defs = dg.Definitions(assets=[a], jobs=[j], resources={"r": R(v=1), "s": "x", "spare": R(v=2)})
    dg.Definitions.validate_loadable(defs)


def test_definitions_merge_disjoint(dg):
    # ref 9.11
    R = _value_resource(dg)

    @dg.asset
    def a(r: R):
        return r.v

    @dg.asset
    def b(a, s: dg.ResourceParam[str]):
        return f"{a}{s}"

    left = dg.Definitions(assets=[a], resources={"r": R(v=1)})
    right = dg.Definitions(assets=[b], resources={"s": "!"})
    merged = dg.Definitions.merge(left, right)
    dg.Definitions.validate_loadable(merged)
    assert merged.resolve_implicit_global_asset_job_def().execute_in_process().asset_value("b") == "1!"


def test_definitions_merge_same_resource_object_is_fine(dg):
    # ref 9.11
    R = _value_resource(dg)
    shared = R(v=3)

    @dg.asset
    def a(r: R):
        return r.v

    @dg.asset
    def b(r: R):
        return r.v + 1

    merged = dg.Definitions.merge(
        dg.Definitions(assets=[a], resources={"r": shared}),
        dg.Definitions(assets=[b], resources={"r": shared}),
    )
    result = merged.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.asset_value("a") == 3
    assert result.asset_value("b") == 4


def test_with_resources_bound_assets_materialize_without_resources(dg):
    # ref 9.13
    R = _value_resource(dg)

    @dg.asset
    def a(r: R):
        return r.v

    @dg.asset
    def b(a):
        return a + 1

    bound = dg.with_resources([a, b], {"r": R(v=7)})
    assert len(bound) == 2
    result = dg.materialize(bound)
    assert result.success
    assert result.asset_value("b") == 8


def test_with_resources_resource_config_by_key(dg):
    # ref 9.13
    class Cfg(dg.ConfigurableResource):
        s: str

    @dg.asset
    def a(r: Cfg):
        return r.s

    bound = dg.with_resources(
        [a], {"r": Cfg.configure_at_launch()}, resource_config_by_key={"r": {"config": {"s": "from-key"}}}
    )
    assert dg.materialize(bound).asset_value("a") == "from-key"


def test_repository_with_with_resources_list(dg):
    # ref 9.14, seed 000
    R = _value_resource(dg)

    @dg.asset
    def asset_requires_resource(foo: R):
        return foo.v

    @dg.repository
    def repo():
        return [
            *dg.with_resources(definitions=[asset_requires_resource], resource_defs={"foo": R(v=3)}),
            dg.define_asset_job("repo_job", selection=["asset_requires_resource"]),
        ]

    result = repo.get_job("repo_job").execute_in_process()
    assert result.success
    assert result.asset_value("asset_requires_resource") == 3


def test_definitions_decorator_returns_loadable_definitions(dg):
    # ref 9.15, seed 003
    @dg.asset
    def data_from_url(data_url: dg.ResourceParam[str]):
        return data_url + "/data"

    @dg.definitions
    def resources():
        return dg.Definitions(assets=[data_from_url], resources={"data_url": "https://api.example.invalid"})

    defs = resources()
    assert isinstance(defs, dg.Definitions)
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.asset_value("data_from_url") == "https://api.example.invalid/data"


def test_seed_003_testing_with_resources(dg):
    # ref 10.1, seed 003
    class MyResource(dg.ConfigurableResource):
        value: str

        def get_value(self) -> str:
            return self.value

    @dg.asset
    def data_asset(my_resource: MyResource):
        return my_resource.get_value()

    result = dg.materialize([data_asset], resources={"my_resource": MyResource(value="test_value")})
    assert result.success
    assert result.asset_value("data_asset") == "test_value"


def test_asset_selection_assets_takes_definitions_keys_and_strings(dg):
    # AssetSelection.assets(*assets): asset definitions and anything coercible to an AssetKey
    ran = []

    @dg.asset
    def a():
        ran.append("a")
        return 1

    @dg.asset(key_prefix="pre")
    def b():
        ran.append("pre/b")
        return 2

    @dg.asset
    def c():
        ran.append("c")
        return 3

    for selection in (
        dg.AssetSelection.assets(a, "pre/b"),
        dg.AssetSelection.assets("a", dg.AssetKey(["pre", "b"])),
        dg.AssetSelection.assets(dg.AssetKey("a"), ["pre", "b"]),
    ):
        ran.clear()
        assert dg.materialize([a, b, c], selection=selection).success
        assert sorted(ran) == ["a", "pre/b"]


def test_selection_of_the_wrong_type_is_an_error(dg):
    @dg.asset
    def a():
        return 1

    with pytest.raises(dg.DagsterError):
        dg.materialize([a], selection=42)


# --------------------------------------------------------------------------------------------------------------
# a graph's own inputs and outputs
# --------------------------------------------------------------------------------------------------------------


def _graph_with_inputs(dg):
    @dg.op
    def add_one(x: int) -> int:
        return x + 1

    @dg.op
    def times(x: int, y: int) -> int:
        return x * y

    @dg.graph
    def inner(a):
        return add_one(a)

    @dg.graph
    def outer(x, y):
        return times(inner(x), y)

    return outer


def test_graph_inputs_from_input_values_reach_nested_ops(dg):
    outer = _graph_with_inputs(dg)
    result = outer.to_job().execute_in_process(input_values={"x": 2, "y": 5})
    assert result.success
    assert result.output_for_node("inner.add_one") == 3
    assert result.output_value() == 15
    assert outer.execute_in_process(input_values={"x": 1, "y": 3}).output_value() == 6


def test_graph_inputs_from_run_config_in_both_forms(dg):
    job = _graph_with_inputs(dg).to_job()
    assert job.execute_in_process(run_config={"inputs": {"x": 2, "y": 2}}).output_value() == 6
    assert job.execute_in_process(run_config={"inputs": {"x": {"value": 3}, "y": 2}}).output_value() == 8


def test_graph_inputs_split_between_input_values_and_run_config(dg):
    job = _graph_with_inputs(dg).to_job()
    assert job.execute_in_process(input_values={"x": 1}, run_config={"inputs": {"y": 7}}).output_value() == 14


def test_graph_inputs_bound_by_to_job(dg):
    job = _graph_with_inputs(dg).to_job(name="bound", input_values={"x": 4, "y": 1})
    assert job.execute_in_process().output_value() == 5


def test_a_graph_input_left_out_is_a_config_error(dg):
    job = _graph_with_inputs(dg).to_job()
    with pytest.raises(dg.DagsterInvalidConfigError):
        job.execute_in_process(input_values={"x": 1})
    with pytest.raises(dg.DagsterInvalidConfigError):
        job.execute_in_process(run_config={"inputs": {"x": 1}})


def test_bad_graph_input_run_config_is_a_config_error(dg):
    job = _graph_with_inputs(dg).to_job()
    with pytest.raises(dg.DagsterInvalidConfigError):  # wrong type
        job.execute_in_process(run_config={"inputs": {"x": "a", "y": 1}})
    with pytest.raises(dg.DagsterInvalidConfigError):  # unknown input
        job.execute_in_process(run_config={"inputs": {"x": 1, "y": 1, "z": 1}})
    with pytest.raises(dg.DagsterInvalidConfigError):  # given twice
        job.execute_in_process(input_values={"x": 1, "y": 1}, run_config={"inputs": {"x": 1, "y": 1}})
    with pytest.raises(dg.DagsterInvalidConfigError):  # a mapped op input is not set per op
        job.execute_in_process(
            run_config={"inputs": {"x": 1, "y": 1}, "ops": {"times": {"inputs": {"y": 3}}}}
        )


def test_input_values_for_a_name_the_graph_does_not_take_is_a_definition_error(dg):
    job = _graph_with_inputs(dg).to_job()
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        job.execute_in_process(input_values={"x": 1, "y": 1, "nope": 1})


def test_a_graph_input_of_a_class_run_config_cannot_carry_comes_from_input_values(dg):
    class Thing:
        def __init__(self, n):
            self.n = n

    @dg.op
    def unwrap(thing: Thing) -> int:
        return thing.n

    @dg.graph
    def g(thing):
        return unwrap(thing)

    assert g.to_job().execute_in_process(input_values={"thing": Thing(9)}).output_value() == 9


def test_graph_outputs_by_name(dg):
    @dg.op(out={"a": dg.Out(), "b": dg.Out()})
    def two():
        return 1, 2

    @dg.graph(out={"first": dg.GraphOut(), "second": dg.GraphOut()})
    def g():
        a, b = two()
        return {"first": a, "second": b}

    result = g.execute_in_process()
    assert (result.output_value("first"), result.output_value("second")) == (1, 2)
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_value()  # no output named 'result'


def test_a_result_without_top_level_outputs_has_no_output_value(dg):
    @dg.op
    def one() -> int:
        return 1

    @dg.asset
    def an_asset() -> int:
        return 1

    @dg.job
    def j():
        one()

    with pytest.raises(dg.DagsterInvariantViolationError):
        j.execute_in_process().output_value()
    with pytest.raises(dg.DagsterInvariantViolationError):
        dg.materialize([an_asset]).output_value()


def test_a_job_function_returning_an_output_is_a_definition_error(dg):
    @dg.op
    def one() -> int:
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.job
        def j():
            return one()


def test_a_graph_input_left_out_falls_back_to_the_defaults_of_the_ops_it_feeds(dg):
    @dg.op
    def doubled(x: int = 5) -> int:
        return x * 2

    @dg.graph
    def g(x):
        return doubled(x)

    assert g.execute_in_process().output_value() == 10
    assert g.execute_in_process(input_values={"x": 1}).output_value() == 2


def test_an_input_value_of_the_wrong_type_fails_its_step(dg):
    @dg.op
    def add_one(x: int) -> int:
        return x + 1

    @dg.op
    def half(x: float) -> float:
        return x / 2

    @dg.graph
    def g(x):
        return add_one(x)

    @dg.graph
    def f(x):
        return half(x)

    result = g.execute_in_process(input_values={"x": "s"}, raise_on_error=False)
    assert not result.success and result.get_failed_step_keys() == {"add_one"}
    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        g.execute_in_process(input_values={"x": "s"})
    with pytest.raises(dg.DagsterTypeCheckDidNotPass):  # an int is no float
        f.execute_in_process(input_values={"x": 1})


def test_declared_graph_outputs_take_a_single_or_tuple_return_in_order(dg):
    @dg.op
    def const() -> int:
        return 10

    @dg.op
    def add1(x: int) -> int:
        return x + 1

    @dg.graph(out={"a": dg.GraphOut()})
    def single():
        return const()

    @dg.graph(out={"a": dg.GraphOut(), "b": dg.GraphOut()})
    def pair():
        return const(), add1(const())

    assert single.execute_in_process().output_value("a") == 10
    result = pair.execute_in_process()
    assert (result.output_value("a"), result.output_value("b")) == (10, 11)


def test_a_nested_multi_output_graph_by_attribute_and_unpacked(dg):
    @dg.op
    def add1(x: int) -> int:
        return x + 1

    @dg.op
    def add(a: int, b: int) -> int:
        return a + b

    @dg.graph(out={"a": dg.GraphOut(), "b": dg.GraphOut()})
    def inner(x):
        return {"a": add1(x), "b": add1(add1(x))}

    @dg.graph
    def by_attribute(x):
        r = inner(x)
        return add(r.a, r.b)

    @dg.graph
    def unpacked(x):
        a, b = inner(x)
        return add(a, b)

    assert by_attribute.execute_in_process(input_values={"x": 1}).output_value() == 5
    assert unpacked.execute_in_process(input_values={"x": 1}).output_value() == 5


def test_a_graph_input_no_op_uses_is_a_definition_error(dg):
    @dg.op
    def const() -> int:
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.graph
        def g(x):
            return const()


# --------------------------------------------------------------------------------------------------------------
# MaterializeResult, context extras, IO manager contexts
# --------------------------------------------------------------------------------------------------------------


def _recording_io_manager(dg, calls):
    class Recording(dg.ConfigurableIOManager):
        def handle_output(self, context, obj):
            context.log.info("storing %s", context.asset_key.to_user_string())
            calls.append(("handle", context.asset_key.to_user_string(), obj))

        def load_input(self, context):
            context.log.info("loading %s", context.asset_key.to_user_string())
            calls.append(("load", context.asset_key.to_user_string()))
            return 7

    return Recording


def test_a_materialize_result_without_value_skips_the_io_manager(dg):
    calls = []

    @dg.asset
    def stored_elsewhere():
        return dg.MaterializeResult(metadata={"rows": 3})

    @dg.asset
    def downstream(stored_elsewhere):
        return stored_elsewhere + 1

    @dg.asset
    def with_value():
        return dg.MaterializeResult(metadata={"rows": 1}, value=5)

    result = dg.materialize(
        [stored_elsewhere, downstream, with_value],
        resources={"io_manager": _recording_io_manager(dg, calls)()},
    )
    assert result.success
    assert ("handle", "with_value", 5) in calls
    assert ("load", "stored_elsewhere") in calls and ("handle", "downstream", 8) in calls
    assert not any(call[0] == "handle" and call[1] == "stored_elsewhere" for call in calls)


def test_materialize_results_of_a_multi_asset_by_asset_key(dg):
    calls = []

    @dg.multi_asset(outs={"left": dg.AssetOut(), "right": dg.AssetOut()})
    def pair():
        yield dg.MaterializeResult(asset_key="left", value=1)
        yield dg.MaterializeResult(asset_key="right", metadata={"n": 2})

    result = dg.materialize([pair], resources={"io_manager": _recording_io_manager(dg, calls)()})
    assert result.success
    assert calls == [("handle", "left", 1)]


def test_the_asset_context_knows_its_job_selection_and_outputs(dg):
    seen = {}

    @dg.asset
    def described(context: dg.AssetExecutionContext):
        context.add_output_metadata({"rows": 2})
        seen["job"] = context.job_name
        seen["selected"] = context.selected_asset_keys
        seen["for_output"] = context.asset_key_for_output()
        seen["retry"] = context.retry_number
        seen["metadata"] = context.get_output_metadata("result")
        return 1

    assert dg.materialize([described]).success
    assert seen == {
        "job": "__ephemeral_asset_job__",
        "selected": {dg.AssetKey("described")},
        "for_output": dg.AssetKey("described"),
        "retry": 0,
        "metadata": {"rows": 2},
    }


def test_io_manager_contexts_can_be_built_for_tests(dg):
    calls = []
    manager = _recording_io_manager(dg, calls)()

    manager.handle_output(dg.build_output_context(asset_key="table"), 3)
    assert manager.load_input(dg.build_input_context(asset_key="table")) == 7
    assert calls == [("handle", "table", 3), ("load", "table")]


def test_a_jobs_own_config_is_its_default_run_config_replaced_per_op(dg):
    class C(dg.Config):
        n: int
        k: int = 0

    @dg.op
    def o(config: C) -> int:
        return config.n * 10 + config.k

    @dg.op
    def p(config: C) -> int:
        return config.n * 10 + config.k

    @dg.job(config={"ops": {"o": {"config": {"n": 4, "k": 1}}, "p": {"config": {"n": 7}}}})
    def configured_job():
        o()
        p()

    def outputs(run_config):
        result = configured_job.execute_in_process(run_config=run_config)
        return result.output_for_node("o"), result.output_for_node("p")

    assert outputs(None) == (41, 70)
    assert outputs({}) == (41, 70)
    assert outputs({"ops": {"o": {"config": {"n": 5}}}}) == (50, 70)  # o's entry replaced whole

    @dg.graph
    def pair():
        o()
        p()

    from_graph = pair.to_job(name="from_graph", config=dg.RunConfig(ops={"o": C(n=2), "p": C(n=3)}))
    result = from_graph.execute_in_process()
    assert (result.output_for_node("o"), result.output_for_node("p")) == (20, 30)


def test_a_tuple_of_materialize_results_is_matched_by_asset_key(dg):
    @dg.multi_asset(outs={"x": dg.AssetOut(), "y": dg.AssetOut()})
    def pair():
        return dg.MaterializeResult(asset_key="y", value=2), dg.MaterializeResult(asset_key="x", value=1)

    @dg.asset
    def both(x, y):
        return (x, y)

    assert dg.materialize([pair, both]).asset_value("both") == (1, 2)


def test_an_op_returning_a_materialize_result_fails(dg):
    @dg.op
    def not_an_asset():
        return dg.MaterializeResult(metadata={"a": 1})

    @dg.job
    def job_of_op():
        not_an_asset()

    with pytest.raises(dg.DagsterInvariantViolationError):
        job_of_op.execute_in_process()
    assert job_of_op.execute_in_process(raise_on_error=False).success is False


def test_a_materialize_result_survives_copies(dg):
    import copy
    import pickle

    result = dg.MaterializeResult(metadata={"rows": 1})
    assert copy.deepcopy(result).value is result.value
    assert pickle.loads(pickle.dumps(result)).value is result.value


def test_built_io_contexts_give_back_what_they_were_built_with(dg):
    class Conn(dg.ConfigurableResource):
        n: int = 3

    output = dg.build_output_context(
        asset_key="table", definition_metadata={"k": 1}, resources={"conn": Conn()}
    )
    assert output.definition_metadata == {"k": 1}
    assert output.resources.conn.n == 3
    assert output.get_asset_identifier() == ["table"]
    given = dg.build_input_context(asset_key=["pre", "table"])
    assert given.get_asset_identifier() == ["pre", "table"] and given.definition_metadata == {}
    with pytest.raises(TypeError):
        dg.build_output_context(asset_ky="table")


def test_a_directly_invoked_asset_knows_its_key(dg):
    @dg.asset
    def keyed(context: dg.AssetExecutionContext):
        return context.selected_asset_keys, context.asset_key

    assert keyed(dg.build_asset_context()) == ({dg.AssetKey("keyed")}, dg.AssetKey("keyed"))


def test_metadata_for_an_output_the_asset_does_not_have_is_an_error(dg):
    @dg.asset
    def with_metadata(context: dg.AssetExecutionContext):
        context.add_output_metadata({"rows": 1}, output_name="nope")
        return 1

    with pytest.raises(dg.DagsterInvariantViolationError):
        dg.materialize([with_metadata])
