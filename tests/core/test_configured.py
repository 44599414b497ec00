"""``@configured`` (Dagster's legacy ``dagster.configured``): resources, ConfigurableResource classes and ops.

Side-by-side scenarios are in tests/compat/test_resources_compat.py and test_execution_compat.py; these tests cover
resnb's messages and the cases the comparison does not reach.
"""

from __future__ import annotations

import pytest

import resnb as dg
from resnb.errors import ConfigError, DefinitionError, UserCodeExecutionError

calls: list[object] = []


@dg.resource(config_schema={"url": str, "port": dg.Field(int, default_value=5432)})
def database(init_context):
    return f"{init_context.resource_config['url']}:{init_context.resource_config['port']}"


@dg.configured(database, config_schema={"host": str})
def local_database(config):
    calls.append(config)
    return {"url": f"http://{config['host']}"}


class Client(dg.ConfigurableResource):
    url: str
    retries: int = 3


class Scale(dg.Config):
    by: int
    offset: int = 0


@dg.op
def scaled(config: Scale) -> int:
    return config.by * 10 + config.offset


@dg.op(config_schema={"n": int})
def legacy_n(context) -> int:
    return context.op_config["n"]


def _build(definition, config=None):
    resource_config = {"r": {"config": config}} if config is not None else None
    with dg.build_resources({"r": definition}, resource_config=resource_config) as resources:
        return resources.r


# --------------------------------------------------------------------------------------------------
# resources
# --------------------------------------------------------------------------------------------------


def test_resource_function_maps_the_outer_config():
    assert isinstance(local_database, dg.ResourceDefinition)
    assert local_database.name == "local_database"
    assert _build(local_database, {"host": "db"}) == "http://db:5432"


def test_mapping_function_runs_only_when_the_resource_is_initialised():
    calls.clear()

    @dg.asset
    def plain() -> int:
        return 1

    assert dg.materialize([plain], resources={"unused": local_database}).success
    assert calls == []


def test_outer_config_is_validated_with_the_resource_key_named():
    with pytest.raises(ConfigError) as info:
        _build(local_database, {"hots": "db"})
    assert "resource 'r'" in str(info.value)
    assert "host" in str(info.value)


def test_no_outer_schema_passes_the_run_config_or_an_empty_dict():
    seen = []

    @dg.configured(database)
    def fixed(config):
        seen.append(config)
        return {"url": "u"}

    assert _build(fixed) == "u:5432"
    assert _build(fixed, {"anything": 1}) == "u:5432"
    assert seen == [{}, {"anything": 1}]


def test_a_config_dict_instead_of_a_function():
    assert _build(dg.configured(database)({"url": "v", "port": 1})) == "v:1"


def test_a_failing_mapping_function_is_a_user_code_error_naming_it():
    @dg.configured(database, config_schema=str)
    def broken(config):
        raise ValueError("no such host")

    with pytest.raises(UserCodeExecutionError) as info:
        _build(broken, "h")
    message = str(info.value)
    assert (
        "The config function 'broken' of the configured resource 'r' raised ValueError: no such host"
        in message
    )
    assert isinstance(info.value.__cause__, ValueError)


def test_configured_resource_can_be_configured_again():
    @dg.configured(local_database, config_schema={"n": int})
    def numbered(config):
        return {"host": f"db{config['n']}"}

    assert _build(numbered, {"n": 2}) == "http://db2:5432"


def test_configurable_resource_class_gives_a_resource_definition_of_instances():
    @dg.configured(Client, config_schema={"host": str})
    def client(config):
        return {"url": f"https://{config['host']}"}

    assert isinstance(client, dg.ResourceDefinition)
    value = _build(client, {"host": "api"})
    assert value == Client(url="https://api", retries=3)


def test_an_instance_is_refused_with_what_to_do():
    with pytest.raises(DefinitionError) as info:
        dg.configured(Client(url="u"))
    message = str(info.value)
    assert "That is an instance of Client: pass the class (configured(Client, ...))" in message
    assert "'u'" not in message  # config values (possibly secret) are not shown


def test_graphs_and_other_values_are_refused():
    @dg.graph
    def g():
        scaled()

    with pytest.raises(DefinitionError, match="cannot pre-configure graph 'g'"):
        dg.configured(g)
    with pytest.raises(DefinitionError, match="configured\\(\\) takes a ResourceDefinition .* got int"):
        dg.configured(5)


# --------------------------------------------------------------------------------------------------
# ops
# --------------------------------------------------------------------------------------------------


def test_op_named_after_the_function_with_mapped_config():
    @dg.configured(scaled, config_schema={"m": int})
    def doubled(config):
        return {"by": config["m"] * 2}

    assert isinstance(doubled, dg.OpDefinition)
    assert doubled.name == "doubled"

    @dg.job
    def j():
        doubled()

    result = j.execute_in_process(run_config={"ops": {"doubled": {"config": {"m": 2}}}})
    assert result.output_for_node("doubled") == 40


def test_op_configured_with_a_dict_needs_a_name():
    with pytest.raises(DefinitionError, match="needs a name: configured\\(op, name='new_name'\\)"):
        dg.configured(scaled)({"by": 1})
    fixed = dg.configured(scaled, name="fixed")({"by": 1})
    fixed_too = legacy_n.configured({"n": 4}, name="fixed_too")

    @dg.job
    def j():
        fixed()
        fixed_too()

    result = j.execute_in_process(run_config={"ops": {"fixed": {"config": {"by": 9}}}})  # ignored
    assert result.output_for_node("fixed") == 10
    assert result.output_for_node("fixed_too") == 4


def test_configured_op_called_directly_maps_the_context_config():
    legacy_plus = dg.configured(legacy_n, name="legacy_plus", config_schema={"x": int})(
        lambda config: {"n": config["x"] + 1}
    )
    assert legacy_plus(dg.build_op_context(op_config={"x": 4})) == 5
    no_context = dg.configured(scaled, name="no_context")(lambda config: {"by": 2, "offset": 1})
    assert no_context() == 21


def test_invalid_inner_config_of_an_op_names_the_op():
    bad = dg.configured(scaled, name="bad")(lambda config: {"by": "x"})

    @dg.job
    def j():
        bad()

    with pytest.raises(ConfigError, match="Config for op 'bad' \\(Scale\\) is invalid"):
        j.execute_in_process()
