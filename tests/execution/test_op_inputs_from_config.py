"""Op inputs given in run config (``{"ops": {op: {"inputs": {...}}}}``) and how run config addresses nested ops.

Side-by-side scenarios are in tests/compat/test_execution_compat.py; these tests cover resnb's messages (each names
the op, the input and what to do), the file forms, and the multiprocess executor.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

import resnb as dg
from resnb.errors import ConfigError, DefinitionError


class Frame:
    """A type run config cannot carry."""


class Step(dg.Config):
    by: int


@dg.op
def add_one(x: int) -> int:
    return x + 1


@dg.op
def one() -> int:
    return 1


@dg.op
def where_am_i(x: int) -> tuple[int, int]:
    return x, os.getpid()


@dg.job
def lonely():
    add_one()


@dg.graph
def wrapper():
    return add_one()


@dg.job
def nested():
    wrapper()


@dg.job(executor_def=dg.multiprocess_executor)
def mp_lonely():
    where_am_i()


def _run(job: Any, inputs: dict[str, Any], op: str = "add_one") -> Any:
    return job.execute_in_process(run_config={"ops": {op: {"inputs": inputs}}}).output_for_node(op)


# --------------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------------


def test_plain_and_value_forms():
    assert _run(lonely, {"x": 3}) == 4
    assert _run(lonely, {"x": {"value": 3}}) == 4


def test_run_config_object_passes_inputs_through():
    result = lonely.execute_in_process(run_config=dg.RunConfig(ops={"add_one": {"inputs": {"x": 5}}}))
    assert result.output_for_node("add_one") == 6


def test_json_and_pickle_files_are_read_when_the_step_runs(tmp_path: Path):
    (tmp_path / "x.json").write_text(json.dumps({"value": 7}))
    (tmp_path / "x.pkl").write_bytes(pickle.dumps(9))
    assert _run(lonely, {"x": {"json": {"path": str(tmp_path / "x.json")}}}) == 8
    assert _run(lonely, {"x": {"pickle": {"path": str(tmp_path / "x.pkl")}}}) == 10
    # a missing file is the step's failure, not a config error: the other checks passed
    result = lonely.execute_in_process(
        run_config={"ops": {"add_one": {"inputs": {"x": {"json": {"path": str(tmp_path / "none")}}}}}},
        raise_on_error=False,
    )
    assert not result.success
    assert isinstance(result.step_records[0].error, FileNotFoundError)


def test_collection_and_optional_inputs():
    @dg.op
    def collect(a: list[int], b: dict[str, float], c: str | None, d: set[int], e: dict) -> tuple:
        return a, b, c, d, e

    @dg.job
    def j():
        collect()

    inputs = {"a": [1, {"value": 2}], "b": {"k": 1}, "c": None, "d": [3, 3], "e": {"value": "as is"}}
    assert _run(j, inputs, "collect") == ([1, 2], {"k": 1.0}, None, {3}, {"value": "as is"})


def test_config_overrides_a_default_and_the_default_applies_otherwise():
    @dg.op(ins={"y": dg.In(int, default_value=6)})
    def pair(y, x: int = 4) -> tuple[int, int]:
        return x, y

    @dg.job
    def j():
        pair()

    assert j.execute_in_process().output_for_node("pair") == (4, 6)
    assert _run(j, {"x": 1, "y": 2}, "pair") == (1, 2)


def test_config_and_inputs_together():
    @dg.op
    def scale(config: Step, x: int) -> int:
        return x * config.by

    @dg.job
    def j():
        scale()

    result = j.execute_in_process(run_config={"ops": {"scale": {"config": {"by": 3}, "inputs": {"x": 2}}}})
    assert result.output_for_node("scale") == 6


def test_inputs_reach_a_step_in_its_own_process():
    result = mp_lonely.execute(run_config={"ops": {"where_am_i": {"inputs": {"x": 5}}}})
    assert result.success
    value, pid = result.output_for_node("where_am_i")
    assert value == 5
    assert pid != os.getpid()


# --------------------------------------------------------------------------------------------------
# nested graphs
# --------------------------------------------------------------------------------------------------


def test_nested_op_is_addressed_through_its_graph():
    result = nested.execute_in_process(
        run_config={"ops": {"wrapper": {"ops": {"add_one": {"inputs": {"x": 2}}}}}}
    )
    assert result.output_for_node("wrapper.add_one") == 3
    assert result.output_for_node("wrapper") == 3


def test_nested_op_config_is_addressed_through_its_graph():
    @dg.op
    def given(config: Step) -> int:
        return config.by

    @dg.graph
    def outer():
        return given()

    @dg.job
    def j():
        outer()

    result = j.execute_in_process(run_config={"ops": {"outer": {"ops": {"given": {"config": {"by": 8}}}}}})
    assert result.output_for_node("outer.given") == 8


def test_dotted_step_name_points_to_the_nested_form():
    with pytest.raises(ConfigError) as info:
        nested.execute_in_process(run_config={"ops": {"wrapper.add_one": {"inputs": {"x": 2}}}})
    message = str(info.value)
    assert "'wrapper.add_one'" in message
    assert "{'ops': {'wrapper': {'ops': {'add_one': {...}}}}}" in message


def test_nested_op_named_at_the_top_level_lists_the_names_there():
    with pytest.raises(ConfigError) as info:
        nested.execute_in_process(run_config={"ops": {"add_one": {"inputs": {"x": 2}}}})
    message = str(info.value)
    assert "names 'add_one', which is not an op, asset or graph of job 'nested'" in message
    assert "Names there: 'wrapper'" in message


def test_unknown_op_inside_a_graph_suggests_the_closest():
    with pytest.raises(ConfigError) as info:
        nested.execute_in_process(run_config={"ops": {"wrapper": {"ops": {"add_on": {}}}}})
    message = str(info.value)
    assert "which is not an op or graph of graph 'wrapper'" in message
    assert "Did you mean 'add_one'?" in message


def test_graph_entry_holds_only_ops():
    with pytest.raises(ConfigError, match="run_config for graph 'wrapper' in job 'nested' has 'inputs'"):
        nested.execute_in_process(run_config={"ops": {"wrapper": {"inputs": {"x": 1}}}})


# --------------------------------------------------------------------------------------------------
# errors: each names the op and the input and says what to do
# --------------------------------------------------------------------------------------------------


def test_missing_input_names_the_nested_address_and_the_type():
    with pytest.raises(ConfigError) as info:
        nested.execute_in_process()
    message = str(info.value)
    assert "Input 'x' of op 'wrapper.add_one' in job 'nested' is not connected and has no default" in message
    assert "(an int)" in message
    assert "run_config={'ops': {'wrapper': {'ops': {'add_one': {'inputs': {'x': ...}}}}}}" in message


def test_unknown_input_suggests_the_closest():
    with pytest.raises(ConfigError) as info:
        _run(lonely, {"x": 1, "xx": 2})
    message = str(info.value)
    assert "run_config gives input 'xx' to op 'add_one' in job 'lonely', which has no such input" in message
    assert "Inputs run config can give it: 'x'." in message
    assert "Did you mean 'x'?" in message


def test_connected_input_names_the_upstream_op():
    @dg.job
    def fed():
        add_one(one())

    with pytest.raises(ConfigError) as info:
        _run(fed, {"x": 3})
    message = str(info.value)
    assert (
        "input 'x' of op 'add_one' in job 'fed', but that input is connected to output 'result' of op 'one'"
        in message
    )
    assert "Remove it from the run config" in message


def test_wrong_value_says_what_the_input_takes():
    with pytest.raises(ConfigError) as info:
        _run(lonely, {"x": "three"})
    message = str(info.value)
    assert "Run config for input 'x' of op 'add_one' is 'three' (str), but it takes an int" in message
    assert "{'value': ...}" in message


def test_wrong_item_names_its_position():
    @dg.op
    def total(xs: list[int]) -> int:
        return sum(xs)

    @dg.job
    def j():
        total()

    with pytest.raises(ConfigError, match=r"input 'xs' of op 'total' \(at \[1\]\) is 'b' \(str\)"):
        _run(j, {"xs": [1, "b"]}, "total")


def test_bad_file_form_shows_the_expected_shape():
    with pytest.raises(ConfigError, match=r"the json form takes \{'path': 'file path'\}"):
        _run(lonely, {"x": {"json": "x.json"}})


def test_inputs_must_be_a_mapping():
    with pytest.raises(ConfigError, match="'inputs' of op 'add_one' must map input names to values, got int"):
        _run(lonely, 3)  # type: ignore[arg-type]


def test_unknown_key_in_a_step_entry_suggests_the_closest():
    with pytest.raises(ConfigError) as info:
        lonely.execute_in_process(run_config={"ops": {"add_one": {"input": {"x": 1}}}})
    message = str(info.value)
    assert "run_config for op 'add_one' has 'input'" in message
    assert "Did you mean 'inputs'?" in message


def test_assets_take_no_inputs_from_run_config():
    @dg.asset
    def up() -> int:
        return 1

    @dg.asset
    def down(up: int) -> int:
        return up

    with pytest.raises(ConfigError, match="run_config gives inputs to asset 'down'; only ops take inputs"):
        dg.materialize([up, down], run_config={"ops": {"down": {"inputs": {"up": {"value": 5}}}}})
    assert dg.materialize([up, down]).asset_value("down") == 1  # nothing else changed for assets


def test_input_of_a_type_run_config_cannot_give_fails_when_the_job_is_defined():
    @dg.op
    def use(frame: Frame) -> None:
        pass  # pragma: no cover

    with pytest.raises(DefinitionError) as info:

        @dg.job
        def j():
            use()

    message = str(info.value)
    assert "Input 'frame' of op 'use' in job 'j' is not connected and has no default" in message
    assert "run config cannot give a value of its type (Frame)" in message
    assert "use(frame=other_op())" in message

    @dg.graph
    def g():
        use()

    with pytest.raises(DefinitionError, match="Input 'frame' of op 'use' in job 'g_job'"):
        g.to_job(name="g_job")


def test_input_of_such_a_type_with_a_default_cannot_be_set_from_run_config():
    @dg.op
    def use(frame: Frame = None) -> bool:  # type: ignore[assignment]
        return frame is None

    @dg.job
    def j():
        use()

    assert j.execute_in_process().output_for_node("use") is True
    with pytest.raises(
        ConfigError, match="input 'frame' of op 'use' in job 'j', but its type cannot come from run"
    ):
        _run(j, {"frame": {"value": 1}}, "use")
