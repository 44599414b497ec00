"""``materialize`` / ``materialize_to_memory`` and the in-process run (issue 3 section 2, DESIGN.md section 2).

resnb-specific behaviour: step records and their accessors, ``hooks=``, teardown problems on the result,
``resource_error`` with ``raise_on_error=False``, values kept in memory (deviation 5), the exact exception object
re-raised, and the messages of config, selection and lookup errors. Lifecycle counts that Dagster shares are
compared side by side in tests/compat/test_execution_compat.py; the ones here also record *when* steps run.
"""

import threading
import traceback
import warnings

import pytest

import resnb as dg
from resnb.errors import (
    ConfigError,
    DefinitionError,
    InvalidSubsetError,
    InvariantViolationError,
    ResourceFunctionError,
    ResourceTeardownWarning,
)


def _recorder(log):
    class Rec(dg.ConfigurableResource):
        tag: str

        def setup_for_execution(self, context) -> None:
            log.append(("setup", self.tag))

        def teardown_after_execution(self, context) -> None:
            log.append(("teardown", self.tag))

    return Rec


# --------------------------------------------------------------------------------------------------
# which resources are initialised, when, and how often
# --------------------------------------------------------------------------------------------------


def test_only_required_resources_are_initialised(monkeypatch):
    monkeypatch.delenv("RESNB_TEST_NEVER_SET", raising=False)
    log = []
    Rec = _recorder(log)

    class NeedsEnv(dg.ConfigurableResource):
        token: str

    class Exploding(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            raise AssertionError("must never be set up")

    @dg.asset
    def a(used: Rec):
        return used.tag

    result = dg.materialize(
        [a],
        resources={
            "used": Rec(tag="used"),
            "unused": Rec(tag="unused"),
            "env": NeedsEnv(token=dg.EnvVar("RESNB_TEST_NEVER_SET")),
            "boom": Exploding(),
        },
    )
    assert result.success
    assert result.asset_value("a") == "used"
    assert log == [("setup", "used"), ("teardown", "used")]


def test_all_setups_before_first_step_and_teardowns_after_last_in_reverse():
    log = []
    Rec = _recorder(log)

    @dg.asset
    def first(alpha: Rec):
        log.append(("step", "first"))
        return 1

    @dg.asset
    def second(first, beta: Rec):
        log.append(("step", "second"))
        return first + 1

    @dg.asset
    def third(second, alpha: Rec, beta: Rec):
        log.append(("step", "third"))
        return second + 1

    result = dg.materialize(
        [first, second, third], resources={"alpha": Rec(tag="alpha"), "beta": Rec(tag="beta")}
    )
    assert result.asset_value("third") == 3
    assert log == [
        ("setup", "alpha"),
        ("setup", "beta"),
        ("step", "first"),
        ("step", "second"),
        ("step", "third"),
        ("teardown", "beta"),
        ("teardown", "alpha"),
    ]


def test_per_run_copy_is_shared_by_every_step_and_renewed_per_run():
    seen = []

    class Cache(dg.ConfigurableResource):
        name: str

        def setup_for_execution(self, context) -> None:
            self._hits = []

    @dg.asset
    def a(cache: Cache):
        cache._hits.append("a")
        seen.append(cache)
        return 1

    @dg.asset
    def b(a, cache: Cache):
        cache._hits.append("b")
        seen.append(cache)
        return list(cache._hits)

    original = Cache(name="c")
    first = dg.materialize([a, b], resources={"cache": original})
    assert first.asset_value("b") == ["a", "b"]
    assert seen[0] is seen[1]
    assert seen[0] is not original
    assert seen[0].name == "c"
    assert not hasattr(original, "_hits")  # the constructed object is never mutated

    second = dg.materialize([a, b], resources={"cache": original})
    assert second.asset_value("b") == ["a", "b"]  # fresh state, not ["a", "b", "a", "b"]


# --------------------------------------------------------------------------------------------------
# the result: step records and accessors
# --------------------------------------------------------------------------------------------------


def test_result_basics_and_step_records():
    @dg.asset
    def a():
        return 1

    @dg.asset(key_prefix="pre")
    def b(a):
        return a + 1

    result = dg.materialize([a, b])
    assert result.success is True
    assert isinstance(result.run_id, str) and result.run_id
    assert result.job_def.name == "__ephemeral_asset_job__"
    assert [(r.step_key, r.status) for r in result.step_records] == [
        ("a", "succeeded"),
        ("pre__b", "succeeded"),
    ]
    assert all(r.duration >= 0 for r in result.step_records)
    assert all(r.error is None and not r.is_failure for r in result.step_records)
    assert result.step_records[1].asset_keys == (dg.AssetKey(["pre", "b"]),)
    assert result.get_failed_step_keys() == set()
    assert result.get_skipped_step_keys() == set()
    assert [r.step_key for r in result.get_step_success_events()] == ["a", "pre__b"]
    assert "success=True" in repr(result)


def test_asset_value_accepts_string_list_and_key():
    @dg.asset(key_prefix=["x", "y"])
    def deep():
        return "v"

    result = dg.materialize([deep])
    assert result.asset_value("x/y/deep") == "v"
    assert result.asset_value(["x", "y", "deep"]) == "v"
    assert result.asset_value(dg.AssetKey(["x", "y", "deep"])) == "v"
    assert result.output_for_node("x__y__deep") == "v"


def test_asset_value_unknown_key_suggests_the_closest():
    @dg.asset
    def orders():
        return 1

    result = dg.materialize([orders])
    with pytest.raises(InvariantViolationError) as info:
        result.asset_value("order")
    message = str(info.value)
    assert "Asset 'order' was not materialised in this run" in message
    assert "'orders'" in message
    assert "Did you mean 'orders'?" in message


def test_output_for_node_unknown_node_suggests_the_closest():
    @dg.asset
    def orders():
        return 1

    result = dg.materialize([orders])
    with pytest.raises(InvariantViolationError) as info:
        result.output_for_node("ordrs")
    message = str(info.value)
    assert "No step named 'ordrs' in the assets given to materialize()" in message
    assert "__ephemeral" not in message
    assert "Did you mean 'orders'?" in message


def test_materialize_rejects_something_that_is_not_an_asset():
    def plain():
        return 1

    with pytest.raises(DefinitionError, match="Did you forget the @asset decorator"):
        dg.materialize([plain])


# --------------------------------------------------------------------------------------------------
# failures
# --------------------------------------------------------------------------------------------------


class UserBoom(Exception):
    pass


def _failing_graph(calls):
    @dg.asset
    def fails():
        calls.append("fails")
        raise UserBoom("user boom")

    @dg.asset
    def after(fails):
        calls.append("after")
        return 1

    @dg.asset
    def after_after(after):
        calls.append("after_after")
        return 2

    @dg.asset
    def indep():
        calls.append("indep")
        return 3

    return [fails, after, after_after, indep]


def test_raise_on_error_false_runs_independent_steps_and_skips_downstream():
    calls = []
    result = dg.materialize(_failing_graph(calls), raise_on_error=False)
    assert result.success is False
    assert sorted(calls) == ["fails", "indep"]
    statuses = {r.step_key: r.status for r in result.step_records}
    assert statuses == {"fails": "failed", "after": "skipped", "after_after": "skipped", "indep": "succeeded"}
    assert result.get_failed_step_keys() == {"fails"}
    assert result.get_skipped_step_keys() == {"after", "after_after"}
    [failure] = result.get_step_failure_events()
    assert isinstance(failure.error, UserBoom)
    assert failure.is_failure
    assert all(r.duration == 0.0 for r in result.step_records if r.status == "skipped")
    assert result.asset_value("indep") == 3
    assert "success=False" in repr(result)


def test_outputs_of_failed_and_skipped_steps_say_why():
    result = dg.materialize(_failing_graph([]), raise_on_error=False)
    with pytest.raises(InvariantViolationError, match="No output 'result' from step 'fails': it failed"):
        result.asset_value("fails")
    with pytest.raises(
        InvariantViolationError, match="step 'after': it was skipped because a step upstream of it failed"
    ):
        result.output_for_node("after")


def test_raise_on_error_true_reraises_the_identical_exception_object():
    raised = []

    @dg.asset
    def user_fn():
        exc = UserBoom("mine")
        raised.append(exc)
        raise exc

    with pytest.raises(UserBoom) as info:
        dg.materialize([user_fn])
    assert info.value is raised[0]
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].name == "user_fn"
    assert frames[-1].filename == __file__


def test_raise_on_error_true_stops_at_the_first_failure_and_tears_down():
    calls = []
    log = []
    Rec = _recorder(log)
    assets = _failing_graph(calls)

    @dg.asset
    def z_uses(rec: Rec):
        calls.append("z_uses")
        return 1

    with pytest.raises(UserBoom):
        dg.materialize([*assets, z_uses], resources={"rec": Rec(tag="r")})
    assert "after" not in calls and "after_after" not in calls
    assert log == [("setup", "r"), ("teardown", "r")]


def test_resource_init_failure_with_raise_on_error_false_is_on_the_result():
    log = []
    Rec = _recorder(log)

    class Broken(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            raise ValueError("cannot connect")

    @dg.asset
    def a(aaa: Rec, broken: Broken):
        return 1

    result = dg.materialize(
        [a], resources={"aaa": Rec(tag="first"), "broken": Broken()}, raise_on_error=False
    )
    assert result.success is False
    assert isinstance(result.resource_error, ResourceFunctionError)
    assert "'broken'" in str(result.resource_error)
    assert isinstance(result.resource_error.__cause__, ValueError)
    assert result.resource_error.user_exception is result.resource_error.__cause__
    assert result.step_records == []
    assert log == [("setup", "first"), ("teardown", "first")]  # what was set up is torn down


def test_resource_init_failure_with_raise_on_error_true_names_the_key():
    class Broken(dg.ConfigurableResource):
        def setup_for_execution(self, context) -> None:
            raise ValueError("cannot connect")

    @dg.asset
    def a(broken: Broken):
        return 1

    with pytest.raises(dg.DagsterResourceFunctionError) as info:
        dg.materialize([a], resources={"broken": Broken()})
    assert "Error initialising resource 'broken'" in str(info.value)
    assert "ValueError: cannot connect" in str(info.value)


def test_teardown_failure_warns_is_recorded_and_run_still_succeeds():
    log = []
    Rec = _recorder(log)

    class BadTeardown(dg.ConfigurableResource):
        def teardown_after_execution(self, context) -> None:
            raise RuntimeError("teardown boom")

    @dg.asset
    def a(bad: BadTeardown, ok: Rec):
        return 1

    with pytest.warns(ResourceTeardownWarning) as warned:
        result = dg.materialize([a], resources={"bad": BadTeardown(), "ok": Rec(tag="ok")})
    assert result.success is True
    assert result.asset_value("a") == 1
    [problem] = result.teardown_problems
    assert problem.key == "bad"
    assert isinstance(problem.error, RuntimeError)
    messages = [str(w.message) for w in warned]
    assert any("'bad'" in m and "teardown boom" in m for m in messages)
    assert ("teardown", "ok") in log  # the other resource was still torn down


def test_teardown_warning_of_a_failed_run_does_not_claim_the_work_succeeded():
    class BadTeardown(dg.ConfigurableResource):
        def teardown_after_execution(self, context) -> None:
            raise RuntimeError("teardown boom")

    @dg.asset
    def fails(bad: BadTeardown):
        raise ValueError("step boom")

    for raise_on_error in (True, False):
        with pytest.warns(ResourceTeardownWarning) as warned:
            try:
                dg.materialize([fails], resources={"bad": BadTeardown()}, raise_on_error=raise_on_error)
            except ValueError:
                assert raise_on_error
        [message] = [str(w.message) for w in warned if issubclass(w.category, ResourceTeardownWarning)]
        assert "teardown boom" in message and "succeeded" not in message


def test_no_teardown_problems_on_a_clean_run():
    @dg.asset
    def a():
        return 1

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceTeardownWarning)
        result = dg.materialize([a])
    assert result.teardown_problems == []


# --------------------------------------------------------------------------------------------------
# values stay in memory by default (DESIGN.md deviation 5)
# --------------------------------------------------------------------------------------------------


def test_unpicklable_values_work_with_the_default_io_manager():
    lock = threading.Lock()

    @dg.asset
    def fn_value():
        return lambda x: x * 2

    @dg.asset
    def lock_value():
        return lock

    @dg.asset
    def uses(fn_value, lock_value):
        return fn_value(21), lock_value is lock

    result = dg.materialize([fn_value, lock_value, uses])
    assert result.asset_value("fn_value")(5) == 10
    assert result.asset_value("lock_value") is lock
    assert result.asset_value("uses") == (42, True)


def test_downstream_receives_the_same_object():
    marker = object()
    received = []

    @dg.asset
    def a():
        return marker

    @dg.asset
    def b(a):
        received.append(a)
        return 1

    dg.materialize([a, b])
    assert received == [marker] and received[0] is marker


def test_materialize_to_memory_rejects_an_explicit_io_manager():
    @dg.asset
    def a():
        return 1

    with pytest.raises(InvariantViolationError) as info:
        dg.materialize_to_memory([a], resources={"io_manager": dg.InMemoryIOManager()})
    assert "'io_manager'" in str(info.value)
    assert "materialize()" in str(info.value)


def test_materialize_to_memory_rejects_a_custom_io_manager_key_and_replaces_it():
    @dg.asset(io_manager_key="warehouse_io")
    def a():
        return threading.Lock()

    with pytest.raises(InvariantViolationError, match="'warehouse_io'"):
        dg.materialize_to_memory([a], resources={"warehouse_io": dg.InMemoryIOManager()})
    result = dg.materialize_to_memory([a])  # the key is served from memory, nothing to provide
    assert result.success


# --------------------------------------------------------------------------------------------------
# run config
# --------------------------------------------------------------------------------------------------


class Size(dg.Config):
    n: int
    label: str = "x"


@dg.asset
def sized(config: Size):
    return config.n


def test_run_config_dict_and_run_config_object():
    assert (
        dg.materialize([sized], run_config={"ops": {"sized": {"config": {"n": 3}}}}).asset_value("sized") == 3
    )
    assert (
        dg.materialize([sized], run_config=dg.RunConfig(ops={"sized": Size(n=4)})).asset_value("sized") == 4
    )


def test_run_config_unknown_op_suggests_the_closest():
    with pytest.raises(ConfigError) as info:
        dg.materialize([sized], run_config={"ops": {"size": {"config": {"n": 1}}}})
    message = str(info.value)
    assert "'size'" in message
    assert "which is not one of the assets given to materialize()" in message
    assert "__ephemeral" not in message
    assert "Did you mean 'sized'?" in message


def test_run_config_unknown_section_suggests_ops():
    with pytest.raises(ConfigError, match="unknown section 'opz'.*Did you mean 'ops'\\?"):
        dg.materialize([sized], run_config={"opz": {}})


def test_invalid_config_names_the_asset_and_the_field():
    with pytest.raises(ConfigError) as info:
        dg.materialize([sized], run_config={"ops": {"sized": {"config": {"n": "many"}}}})
    message = str(info.value)
    assert "asset 'sized'" in message
    assert "Size" in message
    assert "field 'n'" in message
    assert "run_config={'ops': {'sized'" in message


def test_missing_config_names_the_field_and_nothing_runs():
    calls = []

    @dg.asset
    def before():
        calls.append("before")
        return 1

    with pytest.raises(dg.DagsterInvalidConfigError, match="field 'n'"):
        dg.materialize([before, sized])
    assert calls == []  # config is validated before any step runs


def test_config_errors_raise_even_with_raise_on_error_false():
    with pytest.raises(ConfigError):
        dg.materialize([sized], run_config={"ops": {"sized": {"config": {"n": "x"}}}}, raise_on_error=False)


# --------------------------------------------------------------------------------------------------
# hooks, partitions, executors
# --------------------------------------------------------------------------------------------------


def test_hooks_receive_started_and_final_events_in_order():
    events = []

    @dg.asset
    def a():
        return 1

    @dg.asset
    def b(a):
        return a

    result = dg.materialize([a, b], hooks=lambda event, step, record: events.append((event, step, record)))
    assert [(e, s) for e, s, _ in events] == [
        ("started", "a"),
        ("succeeded", "a"),
        ("started", "b"),
        ("succeeded", "b"),
    ]
    assert events[0][2] is None
    assert events[1][2] is result.step_records[0]


def test_hooks_report_failures_and_skips():
    events = []
    dg.materialize(_failing_graph([]), raise_on_error=False, hooks=lambda e, s, r: events.append((e, s)))
    assert ("started", "fails") in events
    assert ("failed", "fails") in events
    assert ("skipped", "after") in events
    assert ("started", "after") not in events
    assert events.index(("started", "fails")) < events.index(("failed", "fails"))


def test_partition_key_reaches_the_context():
    @dg.asset
    def part(context):
        return (context.has_partition_key, context.partition_key)

    assert dg.materialize([part], partition_key="2024-01-01").asset_value("part") == (True, "2024-01-01")


def test_reading_partition_key_without_one_is_an_invariant_violation():
    @dg.asset
    def part(context):
        assert context.has_partition_key is False
        return context.partition_key

    with pytest.raises(
        InvariantViolationError, match="Cannot access partition_key for a non-partitioned run"
    ):
        dg.materialize([part])


def test_explicit_in_process_executor():
    @dg.asset
    def a():
        return threading.get_ident()

    assert dg.materialize([a], executor=dg.in_process_executor).asset_value("a") == threading.get_ident()


# --------------------------------------------------------------------------------------------------
# selection
# --------------------------------------------------------------------------------------------------


@dg.asset(group_name="raw")
def s_a():
    return 1


@dg.asset(group_name="raw")
def s_b(s_a):
    return s_a + 1


@dg.asset(group_name="mart")
def s_c(s_b):
    return s_b + 1


@dg.asset(group_name="mart")
def s_d(s_c):
    return s_c + 1


@dg.asset
def s_other():
    return 0


CHAIN = [s_a, s_b, s_c, s_d, s_other]


def _steps(selection):
    result = dg.materialize(CHAIN, selection=selection, raise_on_error=False)
    return [r.step_key for r in result.step_records]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("s_c", ["s_c"]),
        ("*s_c", ["s_a", "s_b", "s_c"]),
        ("+s_c", ["s_b", "s_c"]),
        ("++s_c", ["s_a", "s_b", "s_c"]),
        ("s_b+", ["s_b", "s_c"]),
        ("s_b*", ["s_b", "s_c", "s_d"]),
        ("+s_c+", ["s_b", "s_c", "s_d"]),
        (["s_a", "s_other"], ["s_a", "s_other"]),
        ("s_a, s_other", ["s_a", "s_other"]),
        ("*", ["s_a", "s_b", "s_c", "s_d", "s_other"]),
    ],
)
def test_selection_string_syntax(selection, expected):
    assert sorted(_steps(selection)) == sorted(expected)


def test_selected_steps_run_in_dependency_order_and_unselected_are_not_run():
    result = dg.materialize(CHAIN, selection="*s_c")
    assert [r.step_key for r in result.step_records] == ["s_a", "s_b", "s_c"]
    assert result.asset_value("s_c") == 3
    with pytest.raises(InvariantViolationError, match="'s_d' was not materialised"):
        result.asset_value("s_d")


def test_selection_by_keys_and_definitions():
    assert _steps([dg.AssetKey("s_b"), s_a]) == ["s_a", "s_b"]
    assert _steps(s_other) == ["s_other"]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (dg.AssetSelection.keys("s_b"), ["s_b"]),
        (dg.AssetSelection.keys("s_b").upstream(), ["s_a", "s_b"]),
        (dg.AssetSelection.keys("s_b").downstream(), ["s_b", "s_c", "s_d"]),
        (dg.AssetSelection.keys("s_b").downstream(depth=1), ["s_b", "s_c"]),
        (dg.AssetSelection.groups("mart"), ["s_c", "s_d"]),
        (dg.AssetSelection.groups("mart").upstream(depth=1), ["s_b", "s_c", "s_d"]),
        (dg.AssetSelection.groups("raw") | dg.AssetSelection.keys("s_other"), ["s_a", "s_b", "s_other"]),
        (dg.AssetSelection.assets(s_d), ["s_d"]),
        (dg.AssetSelection.all(), ["s_a", "s_b", "s_c", "s_d", "s_other"]),
    ],
)
def test_asset_selection_objects(selection, expected):
    assert sorted(_steps(selection)) == sorted(expected)


def test_asset_selection_assets_takes_keys_and_strings_as_in_dagster():
    assert _steps(dg.AssetSelection.assets("s_b", dg.AssetKey("s_c"), ["s_d"], s_a)) == [
        "s_a",
        "s_b",
        "s_c",
        "s_d",
    ]


@pytest.mark.parametrize("bad", [42, None, 3.5, {"s_a": 1}])
def test_asset_selection_assets_rejects_other_types_naming_them(bad):
    with pytest.raises(DefinitionError) as info:
        dg.AssetSelection.assets("s_a", bad)
    message = str(info.value)
    assert f"got {bad!r} ({type(bad).__name__}) as argument 2" in message
    assert "asset definitions, AssetKeys, strings" in message


@pytest.mark.parametrize(
    ("selection", "named"),
    [(42, "42 (int)"), (3.5, "3.5 (float)"), (["s_a", 7], "a list holding 7 (int)")],
)
def test_selection_of_the_wrong_type_names_it_and_what_is_accepted(selection, named):
    with pytest.raises(DefinitionError) as info:
        dg.materialize(CHAIN, selection=selection)
    message = str(info.value)
    assert f"selection= got {named}" in message
    assert "AssetSelection.assets('orders')" in message


def test_asset_key_from_an_uncoercible_value_names_it():
    with pytest.raises(TypeError, match=r"Cannot make an asset key from 42 \(int\)"):
        dg.AssetKey.from_coercible(42)


def test_unknown_name_in_selection_is_named_with_a_suggestion():
    with pytest.raises(DefinitionError) as info:
        dg.materialize(CHAIN, selection=["s_c", "s_dd"])
    message = str(info.value)
    assert "selection for the assets given to materialize()" in message
    assert "__ephemeral" not in message
    assert "'s_dd'" in message
    assert "Did you mean 's_d'?" in message
    assert isinstance(info.value.__cause__, InvalidSubsetError)


def test_unknown_name_in_selection_syntax_is_named():
    with pytest.raises(DefinitionError, match="'s_x'"):
        dg.materialize(CHAIN, selection="*s_x")
    with pytest.raises(DefinitionError, match="'nope'"):
        dg.materialize(CHAIN, selection=dg.AssetSelection.keys("nope"))


def test_selection_shrinks_the_resources_initialised():
    log = []
    Rec = _recorder(log)

    @dg.asset
    def uses_one(one: Rec):
        return 1

    @dg.asset
    def uses_two(two: Rec):
        return 2

    dg.materialize(
        [uses_one, uses_two], selection="uses_two", resources={"one": Rec(tag="1"), "two": Rec(tag="2")}
    )
    assert log == [("setup", "2"), ("teardown", "2")]
