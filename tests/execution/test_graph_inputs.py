"""A job graph's own inputs and outputs: resnb's messages and what Dagster parity tests cannot see."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import resnb as dg
from resnb.errors import ConfigError, DefinitionError, InvariantViolationError, TypeCheckError
from resnb.execution.graph_input_values import AS_GIVEN


@dg.op
def add_one(x: int) -> int:
    return x + 1


@dg.op
def scale(x: float, factor: float) -> float:
    return x * factor


@dg.op
def describe(x) -> str:
    return f"got {x!r}"


@dg.op
def two() -> float:
    return 2.0


@dg.graph
def factor_graph():
    return two()


@dg.graph
def fan(x):
    """One graph input feeding two ops, one of them through a nested graph."""
    return scale(add_one(x), factor_graph())


@dg.graph
def both(x):
    return {"plus": add_one(x), "text": describe(x)}


def test_one_graph_input_feeds_every_op_input_it_is_passed_to() -> None:
    result = both.execute_in_process(input_values={"x": 4})
    assert result.output_value("plus") == 5
    assert result.output_value("text") == "got 4"


def test_the_missing_input_message_names_the_input_the_ops_and_the_ways_to_give_it() -> None:
    with pytest.raises(ConfigError) as info:
        both.to_job(name="both_job").execute_in_process()
    message = str(info.value)
    assert "Input 'x' of job 'both_job' was not given" in message
    assert "input 'x' of op 'add_one'" in message and "input 'x' of op 'describe'" in message
    assert "input_values={'x': ...}" in message and "run_config={'inputs': {'x': ...}}" in message


def test_an_input_value_of_the_wrong_class_fails_the_step_it_feeds() -> None:
    ran: list[str] = []

    @dg.op
    def record(x: int) -> int:
        ran.append("record")
        return x

    @dg.graph
    def g(x):
        return record(x)

    with pytest.raises(TypeCheckError) as info:
        g.execute_in_process(input_values={"x": "3"})
    assert "Graph input 'x' is of type str, but it feeds input 'x' of op 'record', annotated int" in str(
        info.value
    )
    result = g.execute_in_process(input_values={"x": True}, raise_on_error=False)
    assert not result.success and result.get_failed_step_keys() == {"record"}
    assert isinstance(result.get_step_failure_events()[0].error, TypeCheckError)
    assert ran == []


def test_scalars_are_checked_as_dagster_does_no_int_for_a_float_no_bool_for_an_int() -> None:
    @dg.graph
    def g(f):
        return scale(two(), f)

    assert g.execute_in_process(input_values={"f": 1.5}).output_value() == 3.0
    with pytest.raises(
        TypeCheckError, match="is of type int, but it feeds input 'factor' of op 'scale', annotated float"
    ):
        g.execute_in_process(input_values={"f": 1})
    with pytest.raises(TypeCheckError, match="is of type bool"):
        both.execute_in_process(input_values={"x": True})


def test_annotations_isinstance_cannot_check_are_not_checked() -> None:
    @dg.op
    def anything(x: Any) -> str:
        return type(x).__name__

    @dg.op
    def numbers(xs: list[int]) -> int:
        return len(xs)

    @dg.graph(out={"kind": dg.GraphOut(), "count": dg.GraphOut()})
    def g(x, xs):
        return {"kind": anything(x), "count": numbers(xs)}

    result = g.execute_in_process(input_values={"x": 3, "xs": ["not", "ints"]})
    assert (result.output_value("kind"), result.output_value("count")) == ("int", 2)


def test_a_missing_input_whose_ops_all_have_defaults_uses_the_defaults() -> None:
    @dg.op
    def doubled(x: int = 5) -> int:
        return x * 2

    @dg.op(ins={"y": dg.In(default_value=7)})
    def same(y: int) -> int:
        return y

    @dg.graph(out={"a": dg.GraphOut(), "b": dg.GraphOut()})
    def with_defaults(x):
        return {"a": doubled(x), "b": same(x)}

    result = with_defaults.execute_in_process()
    assert (result.output_value("a"), result.output_value("b")) == (10, 7)
    assert with_defaults.execute_in_process(input_values={"x": 1}).output_value("b") == 1

    @dg.graph(out={"a": dg.GraphOut(), "b": dg.GraphOut()})
    def one_without(x):
        return {"a": doubled(x), "b": add_one(x)}

    with pytest.raises(ConfigError, match="Input 'x' of job 'one_without' was not given"):
        one_without.execute_in_process()


def test_unknown_input_values_name_suggests_the_close_one() -> None:
    with pytest.raises(DefinitionError) as info:
        both.execute_in_process(input_values={"xx": 1})
    assert "has no top-level input with that name. Its inputs: 'x'." in str(info.value)
    assert "Did you mean 'x'?" in str(info.value)
    with pytest.raises(DefinitionError, match="input_values gives 'y'"):
        both.to_job(input_values={"y": 1})


def test_run_config_inputs_for_a_job_without_inputs_points_at_op_inputs() -> None:
    with pytest.raises(ConfigError) as info:
        factor_graph.execute_in_process(run_config={"inputs": {"x": 1}})
    assert "It takes no top-level inputs." in str(info.value)
    assert "run_config={'ops': {op_name: {'inputs': {...}}}}" in str(info.value)


class Frame:
    pass


def test_a_class_input_in_run_config_says_to_use_input_values() -> None:
    @dg.op
    def use(frame: Frame) -> str:
        return type(frame).__name__

    @dg.graph
    def g(frame):
        return use(frame)

    with pytest.raises(ConfigError, match=r"run config cannot carry. Give it as a Python value"):
        g.execute_in_process(run_config={"inputs": {"frame": {"value": 1}}})
    assert g.execute_in_process(input_values={"frame": Frame()}).output_value() == "Frame"


def test_call_time_input_values_override_the_jobs_own() -> None:
    job = both.to_job(name="bound", input_values={"x": 1})
    assert job.execute_in_process().output_value("plus") == 2
    assert job.execute_in_process(input_values={"x": 10}).output_value("plus") == 11
    assert job.with_resources({}).input_values == {"x": 1}


def test_positional_only_graph_inputs() -> None:
    def body(x, /):
        return add_one(x)

    g = dg.graph(name="positional")(body)
    assert g.execute_in_process(input_values={"x": 1}).output_value() == 2


def test_a_plain_value_as_op_input_and_an_unused_graph_input_are_definition_errors() -> None:
    with pytest.raises(
        DefinitionError, match="must be the output of another op call or an input of the graph"
    ):

        @dg.graph
        def g(x):
            return add_one(3)

    with pytest.raises(DefinitionError, match=r"@graph 'unused' has input 'x', which no op uses"):

        @dg.graph
        def unused(x):
            return two()


def test_indexing_a_graph_input_says_it_has_no_value_yet() -> None:
    with pytest.raises(DefinitionError, match=r"Graph input 'xs' has no value while the graph is composed"):

        @dg.graph
        def g(xs):
            return add_one(xs[0])


def test_nested_graph_outputs_by_name_by_position_and_one_named_output_as_a_handle() -> None:
    @dg.graph(out={"low": dg.GraphOut(), "high": dg.GraphOut()})
    def bounds(x):
        return add_one(x), add_one(add_one(x))

    @dg.graph(out={"only": dg.GraphOut()})
    def one(x):
        return add_one(x)

    @dg.op
    def span(low: int, high: int) -> int:
        return high - low

    @dg.graph(out={"by_name": dg.GraphOut(), "unpacked": dg.GraphOut(), "single": dg.GraphOut()})
    def outer(x):
        named = bounds(x)
        low, high = bounds(x)
        return {
            "by_name": span(named.low, named["high"]),
            "unpacked": span(low, high),
            "single": add_one(one(x)),
        }

    result = outer.execute_in_process(input_values={"x": 1})
    assert [result.output_value(n) for n in ("by_name", "unpacked", "single")] == [1, 1, 3]
    assert result.output_for_node("bounds", "high") == 3

    with pytest.raises(
        AttributeError, match=r"Graph 'bounds' has no output 'hihg'. .* Did you mean 'high'\?"
    ):

        @dg.graph
        def typo(x):
            return add_one(bounds(x).hihg)


def test_declared_outputs_must_match_in_number() -> None:
    with pytest.raises(DefinitionError, match=r"declares 2 output\(s\) \('a', 'b'\) in out=, but returns 1"):

        @dg.graph(out={"a": dg.GraphOut(), "b": dg.GraphOut()})
        def g(x):
            return add_one(x)


def test_declared_outputs_must_match_what_the_graph_returns() -> None:
    with pytest.raises(DefinitionError) as info:

        @dg.graph(out={"plus": dg.GraphOut(), "missing": dg.GraphOut()})
        def g(x):
            return {"plus": add_one(x)}

    assert "declares outputs 'missing', 'plus' in out=, but returns 'plus'" in str(info.value)


def test_output_value_of_a_failed_step_says_it_failed() -> None:
    @dg.op
    def boom(x: int) -> int:
        raise ValueError("no")

    @dg.graph
    def g(x):
        return boom(x)

    result = g.execute_in_process(input_values={"x": 1}, raise_on_error=False)
    with pytest.raises(InvariantViolationError, match="No output 'result' from step 'boom': it failed"):
        result.output_value()


def test_the_as_given_loader_stays_one_object_through_pickle() -> None:
    assert pickle.loads(pickle.dumps(AS_GIVEN)) is AS_GIVEN


def test_an_unpicklable_input_value_under_spawn_names_the_input() -> None:
    import multiprocessing
    import threading

    if "spawn" not in multiprocessing.get_all_start_methods():
        pytest.skip("no spawn start method here")
    executor = dg.multiprocess_executor.configured({"start_method": "spawn"})
    job = both.to_job(name="both_lock", executor_def=executor)
    with pytest.raises(InvariantViolationError) as info:
        job.execute(input_values={"x": threading.Lock()})
    assert "The value given for input 'x' of op " in str(info.value)
    assert "cannot be pickled" in str(info.value) and "'fork' start method" in str(info.value)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_graph_inputs_and_outputs_under_the_multiprocess_executor(method: str) -> None:
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    executor = dg.multiprocess_executor.configured({"start_method": method})
    job = both.to_job(name=f"both_{method}", executor_def=executor)

    result = job.execute(input_values={"x": 3})
    assert (result.output_value("plus"), result.output_value("text")) == (4, "got 3")
    from_config = job.execute(run_config={"inputs": {"x": {"value": 7}}})
    assert from_config.output_value("text") == "got 7"


def test_run_config_inputs_for_assets_is_a_config_error_naming_them() -> None:
    @dg.asset
    def an_asset() -> int:
        return 1

    with pytest.raises(ConfigError) as info:
        dg.materialize([an_asset], run_config={"inputs": {"x": 1}})
    assert (
        "run_config['inputs'] gives 'x', which is not a top-level input of the assets given to materialize()"
        in (str(info.value))
    )
