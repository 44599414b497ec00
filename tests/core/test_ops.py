"""``@op``, ``@graph`` and ``@job`` composition (issue 3 section 1): node names, aliases, multiple outputs,
nested graphs, and the errors a wrong composition gives.

Side-by-side basics (an op used twice, ``to_job`` with different resources, a graph with inputs inside a job) are
in tests/compat/test_execution_compat.py; these tests cover resnb's node naming and messages.
"""

import pytest

import resnb as dg
from resnb.errors import ConfigError, DefinitionError, InvariantViolationError, InvocationError


@dg.op
def one():
    return 1


@dg.op
def inc(x):
    return x + 1


@dg.op
def add(x, y):
    return x + y


@dg.op(out={"a": dg.Out(), "b": dg.Out()})
def two():
    return 10, 20


@dg.graph
def inner(x):
    return inc(x)


# --------------------------------------------------------------------------------------------------
# node names and aliases
# --------------------------------------------------------------------------------------------------


def test_reused_op_gets_numbered_node_names():
    @dg.job
    def j():
        inc(inc(inc(one())))

    assert list(j.nodes) == ["one", "inc", "inc_2", "inc_3"]
    result = j.execute_in_process()
    assert [result.output_for_node(n) for n in ["one", "inc", "inc_2", "inc_3"]] == [1, 2, 3, 4]
    assert [r.step_key for r in result.step_records] == ["one", "inc", "inc_2", "inc_3"]


def test_alias_gives_the_node_its_name():
    @dg.job
    def j():
        first = inc.alias("first")(one())
        inc.alias("second")(first)
        inc(first)

    assert set(j.nodes) == {"one", "first", "second", "inc"}
    assert j.nodes["first"].op is inc
    result = j.execute_in_process()
    assert result.output_for_node("first") == 2
    assert result.output_for_node("second") == 3
    assert result.output_for_node("inc") == 3


def test_alias_called_outside_a_job_is_an_invocation_error():
    with pytest.raises(InvocationError, match="op alias 'x' can only be called inside @job/@graph"):
        inc.alias("x")(1)


def test_op_called_outside_a_job_runs_directly():
    assert inc(41) == 42
    assert add(1, y=2) == 3


# --------------------------------------------------------------------------------------------------
# multiple outputs
# --------------------------------------------------------------------------------------------------


def test_multiple_outputs_returned_as_a_tuple():
    @dg.job
    def j():
        a, b = two()
        add(a, b)
        inc(b)

    result = j.execute_in_process()
    assert result.output_for_node("two", "a") == 10
    assert result.output_for_node("two", "b") == 20
    assert result.output_for_node("add") == 30
    assert result.output_for_node("inc") == 21


def test_multiple_outputs_default_output_name_is_an_error_listing_the_outputs():
    @dg.job
    def j():
        two()

    result = j.execute_in_process()
    with pytest.raises(InvariantViolationError) as info:
        result.output_for_node("two")
    message = str(info.value)
    assert "no output named 'result'" in message
    assert "'a', 'b'" in message


def test_multiple_outputs_yielded_as_output_objects():
    @dg.op(out={"small": dg.Out(), "big": dg.Out()})
    def split():
        yield dg.Output(1, output_name="small")
        yield dg.Output(100, output_name="big")

    @dg.job
    def j():
        small, big = split()
        add(small, big)

    assert j.execute_in_process().output_for_node("add") == 101


def test_multiple_outputs_wrong_arity_names_the_outputs():
    @dg.op(out={"a": dg.Out(), "b": dg.Out()})
    def bad():
        return 1

    @dg.job
    def j():
        bad()

    with pytest.raises(InvariantViolationError) as info:
        j.execute_in_process()
    message = str(info.value)
    assert "Op 'bad'" in message
    assert "'a', 'b'" in message
    assert "tuple of 2 values" in message


def test_yielding_an_undeclared_output_suggests_the_closest():
    @dg.op(out={"alpha": dg.Out(), "beta": dg.Out()})
    def bad():
        yield dg.Output(1, output_name="alpah")

    @dg.job
    def j():
        bad()

    with pytest.raises(InvariantViolationError, match="produced output 'alpah'.*Did you mean 'alpha'"):
        j.execute_in_process()


def test_missing_yielded_output_is_named():
    @dg.op(out={"alpha": dg.Out(), "beta": dg.Out()})
    def partial():
        yield dg.Output(1, output_name="alpha")

    @dg.job
    def j():
        partial()

    with pytest.raises(InvariantViolationError, match="did not yield outputs 'beta'"):
        j.execute_in_process()


# --------------------------------------------------------------------------------------------------
# nested graphs
# --------------------------------------------------------------------------------------------------


def test_nested_graph_nodes_are_prefixed_and_its_output_is_addressable():
    @dg.job
    def j():
        inner(one())

    assert list(j.nodes) == ["one", "inner.inc"]
    result = j.execute_in_process()
    assert result.output_for_node("inner") == 2
    assert result.output_for_node("inner.inc") == 2


def test_graph_used_twice_gets_numbered_prefixes():
    @dg.job
    def j():
        inner(inner(one()))

    assert list(j.nodes) == ["one", "inner.inc", "inner_2.inc"]
    result = j.execute_in_process()
    assert result.output_for_node("inner") == 2
    assert result.output_for_node("inner_2") == 3


def test_graph_inside_graph_inside_job():
    @dg.graph
    def outer(x):
        return inner(inc(x))

    @dg.job
    def j():
        inc(outer(one()))

    assert list(j.nodes) == ["one", "outer.inc", "outer.inner.inc", "inc"]
    result = j.execute_in_process()
    assert result.output_for_node("outer") == 3
    assert result.output_for_node("outer.inner.inc") == 3
    assert result.output_for_node("inc") == 4


def test_graph_returning_a_tuple_unpacks_in_the_job():
    @dg.graph
    def pair():
        return one(), one.alias("other")()

    @dg.job
    def j():
        a, b = pair()
        add(a, b)

    assert list(j.nodes) == ["pair.one", "pair.other", "add"]
    result = j.execute_in_process()
    assert result.output_for_node("add") == 2
    assert result.output_for_node("pair", "result_0") == 1


def test_graph_returning_a_dict_exposes_named_outputs():
    @dg.graph
    def named():
        return {"first": one(), "second": inc(one.alias("seed")())}

    @dg.job
    def j():
        outs = named()
        add(outs["first"], outs["second"])

    result = j.execute_in_process()
    assert result.output_for_node("named", "first") == 1
    assert result.output_for_node("named", "second") == 2
    assert result.output_for_node("add") == 3


def test_graph_without_inputs_executes_in_process():
    @dg.graph
    def g():
        inc(one())

    result = g.execute_in_process()
    assert result.success
    assert result.output_for_node("inc") == 2


def test_calling_a_graph_outside_a_job_is_an_invocation_error():
    with pytest.raises(InvocationError) as info:
        inner(1)
    message = str(info.value)
    assert "Graph 'inner' can only be called inside @job/@graph" in message
    assert "execute_in_process" in message
    assert "to_job" in message

    @dg.graph
    def no_inputs():
        one()

    with pytest.raises(InvocationError, match="Graph 'no_inputs'"):
        no_inputs()


# --------------------------------------------------------------------------------------------------
# bad composition
# --------------------------------------------------------------------------------------------------


def test_plain_value_as_op_input_is_a_definition_error():
    with pytest.raises(DefinitionError) as info:

        @dg.job
        def j():
            inc(5)

    message = str(info.value)
    assert "graph 'j'" in message
    assert "input 'x' of op 'inc'" in message
    assert "output of another op call" in message


def test_unknown_input_name_lists_the_inputs():
    with pytest.raises(DefinitionError, match=r"op 'add' has no input 'z'\. Its inputs: 'x', 'y'\."):

        @dg.job
        def j():
            add(x=one(), z=one())


def test_too_many_positional_inputs():
    with pytest.raises(
        DefinitionError, match=r"op 'inc' was called with 2 positional inputs but takes 1 \('x'\)"
    ):

        @dg.job
        def j():
            inc(one(), one())

    with pytest.raises(DefinitionError, match=r"op 'one_2' was called with 1 positional input but takes 0\."):

        @dg.job
        def k():
            one(one())


def test_graph_called_with_wrong_inputs_is_a_definition_error():
    with pytest.raises(DefinitionError) as info:

        @dg.job
        def j():
            inner()

    message = str(info.value)
    assert "graph 'inner' was called with the wrong inputs" in message
    assert "Its inputs: 'x'" in message


def test_unconnected_untyped_input_must_come_from_run_config_when_the_job_runs():
    @dg.job
    def j():
        add(one())

    assert list(j.nodes) == ["one", "add"]  # defining it is fine: run config may give 'y'
    dg.Definitions.validate_loadable(dg.Definitions(jobs=[j]))  # and so is loading it
    with pytest.raises(ConfigError) as info:
        j.execute_in_process()
    message = str(info.value)
    assert "Input 'y' of op 'add' in job 'j' is not connected and has no default" in message
    assert "run_config={'ops': {'add': {'inputs': {'y': ...}}}}" in message
    assert "{'value': ...}" in message  # an unannotated input takes the value form
    result = j.execute_in_process(run_config={"ops": {"add": {"inputs": {"y": {"value": 5}}}}})
    assert result.output_for_node("add") == 6


def test_input_with_python_default_may_stay_unconnected():
    @dg.op
    def add_default(x, y=5):
        return x + y

    @dg.job
    def j():
        add_default(one())

    assert j.execute_in_process().output_for_node("add_default") == 6


def test_input_with_in_default_value_may_stay_unconnected():
    @dg.op(ins={"x": dg.In(default_value=3), "y": dg.In(default_value=None)})
    def takes(x, y):
        return (x, y)

    @dg.job
    def j():
        takes()

    assert j.execute_in_process().output_for_node("takes") == (3, None)
    assert takes() == (3, None)  # direct invocation uses the default too
    assert takes(x=4) == (4, None)


def test_in_without_default_value_is_still_required():
    assert dg.In().has_default_value is False
    assert dg.In(default_value=None).has_default_value is True

    @dg.op(ins={"x": dg.In(description="needed")})
    def needs(x):
        return x

    @dg.job
    def j():
        needs()

    with pytest.raises(ConfigError, match="Input 'x' of op 'needs'"):
        j.execute_in_process()


def test_ins_naming_a_non_parameter_is_rejected():
    with pytest.raises(
        DefinitionError, match=r"@op 'f': ins= names 'xx'.*Its inputs: 'x'\. Did you mean 'x'\?"
    ):

        @dg.op(ins={"xx": dg.In()})
        def f(x):
            return x


def test_job_with_op_resources_and_config():
    class Factor(dg.Config):
        k: int

    class Store(dg.ConfigurableResource):
        base: int

    @dg.op
    def scaled(context, x, store: Store, config: Factor):
        context.log.info("scaling")
        return store.base + x * config.k

    @dg.job(resource_defs={"store": Store(base=100)})
    def j():
        scaled(one())

    result = j.execute_in_process(run_config={"ops": {"scaled": {"config": {"k": 7}}}})
    assert result.output_for_node("scaled") == 107
