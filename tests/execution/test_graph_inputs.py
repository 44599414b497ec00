"""A job graph's own inputs and outputs: resnb's messages and what Dagster parity tests cannot see."""

from __future__ import annotations

import pickle

import pytest

import resnb as dg
from resnb.errors import ConfigError, DefinitionError, InvariantViolationError
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


def test_an_input_value_of_the_wrong_class_fails_before_anything_runs() -> None:
    ran: list[str] = []

    @dg.op
    def record(x: int) -> int:
        ran.append("record")
        return x

    @dg.graph
    def g(x):
        return record(x)

    with pytest.raises(ConfigError) as info:
        g.execute_in_process(input_values={"x": "3"})
    assert "input_values gives input 'x' of job 'g' a str" in str(info.value)
    assert "input 'x' of op 'record', annotated int" in str(info.value)
    assert ran == []


def test_an_int_is_accepted_for_a_float_input_and_a_bool_is_not() -> None:
    assert fan.execute_in_process(input_values={"x": 1}).output_value() == 4.0
    with pytest.raises(ConfigError, match="a bool"):

        @dg.graph
        def g(f):
            return scale(two(), f)

        g.execute_in_process(input_values={"f": True})


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


def test_a_graph_input_passed_to_a_plain_value_position_still_needs_an_op_call() -> None:
    with pytest.raises(
        DefinitionError, match="must be the output of another op call or an input of the graph"
    ):

        @dg.graph
        def g(x):
            return add_one(3)


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
