"""The legacy API: ``@resource``, ``ResourceDefinition``, ``InitResourceContext`` (reference section 7)."""

import logging
from contextlib import contextmanager
from unittest import mock

import pytest

import resnb as dg
from resnb.errors import (
    ConfigError,
    DefinitionError,
    InvocationError,
    MissingResourceError,
    ResourceFunctionError,
    ResourceTeardownWarning,
    UnknownResourceError,
)

# --------------------------------------------------------------------------------------------------
# the decorator
# --------------------------------------------------------------------------------------------------


def test_bare_decorator_returns_a_resource_definition():
    @dg.resource
    def plain(init_context):
        return "value"

    assert isinstance(plain, dg.ResourceDefinition)
    with dg.build_resources({"plain": plain}) as res:
        assert res.plain == "value"


def test_called_decorator_with_description():
    @dg.resource(description="A thing.")
    def thing():
        return 1

    assert isinstance(thing, dg.ResourceDefinition)
    assert thing.description == "A thing."
    with dg.build_resources({"thing": thing}) as res:
        assert res.thing == 1


def test_docstring_is_the_default_description():
    @dg.resource
    def documented(init_context):
        """Documented resource."""
        return None

    assert documented.description == "Documented resource."


def test_resource_definition_constructor():
    definition = dg.ResourceDefinition(lambda ctx: ctx.resource_config * 2, config_schema=int)
    with dg.build_resources({"d": definition}, resource_config={"d": {"config": 21}}) as res:
        assert res.d == 42


def test_resource_function_with_two_arguments_is_a_definition_error():
    with pytest.raises(DefinitionError):

        @dg.resource
        def two(a, b):
            return None


def test_no_config_schema_means_resource_config_is_none():
    seen = []

    @dg.resource
    def spy(init_context):
        seen.append(init_context.resource_config)

    with dg.build_resources({"spy": spy}):
        pass
    assert seen == [None]


# --------------------------------------------------------------------------------------------------
# config_schema
# --------------------------------------------------------------------------------------------------


def test_config_schema_dict_of_types():
    @dg.resource(config_schema={"url": str, "port": int, "tags": [str]})
    def conn(init_context):
        return init_context.resource_config

    with dg.build_resources(
        {"conn": conn}, resource_config={"conn": {"config": {"url": "u", "port": "5", "tags": ["a"]}}}
    ) as res:
        assert res.conn == {"url": "u", "port": 5, "tags": ["a"]}


def test_config_schema_with_field_defaults():
    @dg.resource(config_schema={"url": str, "port": dg.Field(int, default_value=5432, description="p")})
    def conn(init_context):
        return init_context.resource_config

    with dg.build_resources({"conn": conn}, resource_config={"conn": {"config": {"url": "u"}}}) as res:
        assert res.conn == {"url": "u", "port": 5432}


def test_config_schema_missing_required_field_is_a_config_error():
    @dg.resource(config_schema={"url": str})
    def conn(init_context):
        return init_context.resource_config

    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"conn": conn}):
            pass
    text = str(info.value)
    assert "'conn'" in text and "url" in text and "Field required" in text


def test_config_schema_wrong_type_and_unknown_entry():
    @dg.resource(config_schema={"port": int})
    def conn(init_context):
        return init_context.resource_config

    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        with dg.build_resources({"conn": conn}, resource_config={"conn": {"config": {"port": "x"}}}):
            pass
    assert "port" in str(info.value)
    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"conn": conn}, resource_config={"conn": {"config": {"port": 1, "zz": 2}}}):
            pass
    assert "zz" in str(info.value)


def test_config_schema_as_config_class():
    class ConnConfig(dg.Config):
        url: str
        port: int = 5432

    @dg.resource(config_schema=ConnConfig)
    def conn(init_context):
        return init_context.resource_config

    with dg.build_resources({"conn": conn}, resource_config={"conn": {"config": {"url": "u"}}}) as res:
        assert res.conn == {"url": "u", "port": 5432}


def test_config_schema_as_scalar_type():
    @dg.resource(config_schema=int)
    def number(init_context):
        return init_context.resource_config + 1

    with dg.build_resources({"n": number}, resource_config={"n": {"config": 41}}) as res:
        assert res.n == 42
    with pytest.raises(ConfigError):
        with dg.build_resources({"n": number}, resource_config={"n": {"config": "nope"}}):
            pass


def test_unsupported_config_schema_is_a_definition_error():
    class NotAType:
        pass

    with pytest.raises(DefinitionError):

        @dg.resource(config_schema=NotAType())
        def bad(init_context):
            return None


# --------------------------------------------------------------------------------------------------
# required_resource_keys and InitResourceContext
# --------------------------------------------------------------------------------------------------


def test_required_resource_keys_initialise_first_and_are_scoped():
    log = []

    @dg.resource
    def z_base():
        log.append("base")
        return "BASE"

    @dg.resource(required_resource_keys={"z_base"})
    def a_user(init_context):
        log.append("user")
        return ("user", init_context.resources.z_base)

    with dg.build_resources({"a_user": a_user, "z_base": z_base, "other": 1}) as res:
        assert res.a_user == ("user", "BASE")
    assert log == ["base", "user"]


def test_scoped_resources_refuse_undeclared_keys():
    seen = {}

    @dg.resource(required_resource_keys={"c"})
    def user(init_context):
        seen["hasattr_d"] = hasattr(init_context.resources, "d")
        seen["hasattr_c"] = hasattr(init_context.resources, "c")
        seen["in"] = ("d" in init_context.resources, "c" in init_context.resources)
        try:
            init_context.resources.d
        except UnknownResourceError as exc:
            seen["error"] = exc
        return None

    with dg.build_resources({"c": 1, "d": 2, "user": user}):
        pass
    assert seen["hasattr_d"] is False
    assert seen["hasattr_c"] is True
    assert seen["in"] == (False, True)
    assert isinstance(seen["error"], AttributeError)
    assert isinstance(seen["error"], dg.DagsterUnknownResourceError)
    assert "'d'" in str(seen["error"])
    assert "required_resource_keys" in str(seen["error"])


def test_undeclared_access_propagates_unwrapped():
    @dg.resource(required_resource_keys={"c"})
    def user(init_context):
        return init_context.resources.d

    with pytest.raises(UnknownResourceError):
        with dg.build_resources({"c": 1, "d": 2, "user": user}):
            pass


def test_init_context_log_instance_and_run():
    seen = {}

    @dg.resource
    def spy(init_context):
        seen["log"] = init_context.log
        seen["instance"] = init_context.instance
        seen["run"] = init_context.run
        seen["key"] = init_context.resource_key
        seen["def"] = init_context.resource_def

    with dg.build_resources({"spy": spy}):
        pass
    assert isinstance(seen["log"], logging.Logger)
    assert seen["instance"] is None
    assert seen["run"] is None
    assert seen["key"] == "spy"
    assert seen["def"] is spy


def test_init_context_log_records(caplog):
    caplog.set_level(logging.INFO)

    @dg.resource
    def chatty(init_context):
        init_context.log.info("opening chatty")

    with dg.build_resources({"chatty": chatty}):
        pass
    assert any(r.getMessage() == "opening chatty" for r in caplog.records)


# --------------------------------------------------------------------------------------------------
# generator and context-manager resources
# --------------------------------------------------------------------------------------------------


def test_generator_resource_setup_value_teardown():
    log = []

    @dg.resource
    def conn(init_context):
        log.append("open")
        try:
            yield "connection"
        finally:
            log.append("close")

    with dg.build_resources({"conn": conn}) as res:
        log.append(("body", res.conn))
    assert log == ["open", ("body", "connection"), "close"]


def test_generator_resource_teardown_runs_when_body_raises():
    log = []

    @dg.resource
    def conn():
        try:
            yield "c"
        finally:
            log.append("close")

    with pytest.raises(ZeroDivisionError):
        with dg.build_resources({"conn": conn}):
            1 / 0
    assert log == ["close"]


def test_contextmanager_resource():
    log = []

    @dg.resource
    @contextmanager
    def managed(init_context):
        log.append("enter")
        yield "managed-value"
        log.append("exit")

    with dg.build_resources({"managed": managed}) as res:
        assert res.managed == "managed-value"
        log.append("body")
    assert log == ["enter", "body", "exit"]


def test_zero_yields_is_a_resource_function_error_naming_the_resource():
    @dg.resource
    def never(init_context):
        return
        yield

    with pytest.raises(ResourceFunctionError) as info:
        with dg.build_resources({"never_yields": never}):
            pass
    text = str(info.value)
    assert "'never_yields'" in text
    assert "yield" in text


def test_second_yield_is_a_teardown_warning_naming_the_resource():
    log = []

    @dg.resource
    def twice(init_context):
        yield 1
        log.append("after-first")
        yield 2
        log.append("never")

    with pytest.warns(ResourceTeardownWarning) as record:
        with dg.build_resources({"twice": twice}) as res:
            assert res.twice == 1
            log.append("body")
    assert log == ["body", "after-first"]
    messages = [str(w.message) for w in record if issubclass(w.category, ResourceTeardownWarning)]
    assert len(messages) == 1
    assert "'twice'" in messages[0]
    assert "more than once" in messages[0]


def test_second_yield_does_not_stop_other_teardowns():
    log = []

    @dg.resource
    def a_first():
        yield "a"
        log.append("a-closed")

    @dg.resource
    def b_twice():
        yield "b"
        yield "b2"

    with pytest.warns(ResourceTeardownWarning):
        with dg.build_resources({"a_first": a_first, "b_twice": b_twice}):
            pass
    assert log == ["a-closed"]


# --------------------------------------------------------------------------------------------------
# built-in definitions
# --------------------------------------------------------------------------------------------------


def test_hardcoded_resource_is_the_identical_value():
    value = object()
    with dg.build_resources({"h": dg.ResourceDefinition.hardcoded_resource(value, "desc")}) as res:
        assert res.h is value


def test_mock_resource_is_a_magic_mock():
    with dg.build_resources({"m": dg.ResourceDefinition.mock_resource()}) as res:
        assert isinstance(res.m, mock.MagicMock)
        res.m.anything(1)
        res.m.anything.assert_called_once_with(1)


def test_none_resource():
    with dg.build_resources({"n": dg.ResourceDefinition.none_resource()}) as res:
        assert res.n is None
        assert "n" in res


def test_string_resource():
    with dg.build_resources(
        {"s": dg.ResourceDefinition.string_resource()}, resource_config={"s": {"config": "hello"}}
    ) as res:
        assert res.s == "hello"
    with pytest.raises(ConfigError):
        with dg.build_resources(
            {"s": dg.ResourceDefinition.string_resource()}, resource_config={"s": {"config": 5}}
        ):
            pass


# --------------------------------------------------------------------------------------------------
# .configured()
# --------------------------------------------------------------------------------------------------


@dg.resource(config_schema={"url": str, "port": dg.Field(int, default_value=1)})
def _conn(init_context):
    return init_context.resource_config


def test_configured_applies_config():
    configured = _conn.configured({"url": "preset"})
    assert isinstance(configured, dg.ResourceDefinition)
    assert configured is not _conn
    with dg.build_resources({"c": configured}) as res:
        assert res.c == {"url": "preset", "port": 1}


def test_configured_ignores_later_run_config():
    configured = _conn.configured({"url": "preset", "port": 2})
    with dg.build_resources(
        {"c": configured}, resource_config={"c": {"config": {"url": "from-run", "port": 9}}}
    ) as res:
        assert res.c == {"url": "preset", "port": 2}


def test_configured_leaves_the_original_unconfigured():
    _conn.configured({"url": "preset"})
    with pytest.raises(ConfigError):
        with dg.build_resources({"c": _conn}):
            pass


def test_bad_config_in_configured_fails_at_build_not_before():
    bad = _conn.configured({"url": 123})  # no error yet
    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"c": bad}):
            pass
    assert "'c'" in str(info.value) and "url" in str(info.value)


def test_configured_with_a_mapping_function():
    mapped = _conn.configured(lambda outer: {"url": f"host-{outer['n']}"}, config_schema={"n": int})
    with dg.build_resources({"c": mapped}, resource_config={"c": {"config": {"n": 7}}}) as res:
        assert res.c == {"url": "host-7", "port": 1}


# --------------------------------------------------------------------------------------------------
# direct invocation
# --------------------------------------------------------------------------------------------------


def test_direct_call_without_arguments():
    @dg.resource
    def noarg():
        return "direct"

    assert noarg() == "direct"


def test_direct_call_with_build_init_resource_context():
    assert _conn(dg.build_init_resource_context(config={"url": "u"})) == {"url": "u", "port": 1}


def test_direct_call_validates_config():
    with pytest.raises(ConfigError) as info:
        _conn(dg.build_init_resource_context(config={"url": 1}))
    assert "url" in str(info.value)


def test_direct_call_missing_context_is_an_invocation_error():
    with pytest.raises(InvocationError) as info:
        _conn()
    assert "build_init_resource_context" in str(info.value)
    assert isinstance(info.value, dg.DagsterInvalidInvocationError)


def test_direct_call_missing_required_key():
    @dg.resource(required_resource_keys={"c"})
    def needs_c(init_context):
        return init_context.resources.c + 1

    with pytest.raises(MissingResourceError) as info:
        needs_c(dg.build_init_resource_context())
    assert "'c'" in str(info.value)
    assert isinstance(info.value, dg.DagsterInvalidDefinitionError)
    assert needs_c(dg.build_init_resource_context(resources={"c": 1})) == 2


def test_direct_call_of_generator_returns_a_context_manager():
    log = []

    @dg.resource
    def gen(init_context):
        log.append("open")
        yield "g"
        log.append("close")

    cm = gen(dg.build_init_resource_context())
    assert log == []
    with cm as value:
        assert value == "g"
        assert log == ["open"]
    assert log == ["open", "close"]


def test_build_init_resource_context_refuses_an_instance():
    with pytest.raises(TypeError):
        dg.build_init_resource_context(instance=object())


def test_build_init_resource_context_contents():
    ctx = dg.build_init_resource_context(config={"a": 1}, resources={"r": 5})
    assert isinstance(ctx, dg.InitResourceContext)
    assert ctx.resource_config == {"a": 1}
    assert ctx.resources.r == 5
    assert ctx.instance is None
