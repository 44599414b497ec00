"""``build_resources`` and ``Resources`` (issue 2 section 2, reference sections 5 and 8)."""

import warnings

import pytest

import resnb as dg
from resnb.build.scope import ResourceScope
from resnb.errors import (
    ConfigError,
    DefinitionError,
    DependencyCycleError,
    EnvVarError,
    FrozenFieldError,
    MissingResourceError,
    ResourceFunctionError,
    ResourceTeardownWarning,
    UnknownResourceError,
)


def recorder(log):
    """A ConfigurableResource class that records setup and teardown by name."""

    class Recorded(dg.ConfigurableResource):
        name: str

        def setup_for_execution(self, context):
            log.append(("setup", self.name))

        def teardown_after_execution(self, context):
            log.append(("teardown", self.name))

    return Recorded


def legacy_recorder(log, name, requires=()):
    @dg.resource(required_resource_keys=set(requires))
    def recorded(init_context):
        log.append(("setup", name))
        try:
            yield name
        finally:
            log.append(("teardown", name))

    return recorded


# --------------------------------------------------------------------------------------------------
# order
# --------------------------------------------------------------------------------------------------


def test_every_key_initialised_ties_broken_by_key_and_torn_down_in_reverse():
    """Reference 5.4: the z,a,m,b example initialises a,b,m,z and tears down z,m,b,a."""
    log = []
    R = recorder(log)
    with dg.build_resources({k: R(name=k) for k in "zamb"}) as res:
        log.append(("body",))
        assert sorted(res) == ["a", "b", "m", "z"]
    assert log == [
        ("setup", "a"),
        ("setup", "b"),
        ("setup", "m"),
        ("setup", "z"),
        ("body",),
        ("teardown", "z"),
        ("teardown", "m"),
        ("teardown", "b"),
        ("teardown", "a"),
    ]


def test_dependency_order_then_key_order():
    log = []
    resources = {
        "a": legacy_recorder(log, "a", requires={"z"}),
        "z": legacy_recorder(log, "z"),
        "m": legacy_recorder(log, "m"),
        "b": legacy_recorder(log, "b", requires={"a", "m"}),
        "c": legacy_recorder(log, "c", requires={"z"}),
    }
    with dg.build_resources(resources):
        pass
    setups = [name for event, name in log if event == "setup"]
    teardowns = [name for event, name in log if event == "teardown"]
    # levels: {m, z} -> {a, c} -> {b}
    assert setups == ["m", "z", "a", "c", "b"]
    assert teardowns == list(reversed(setups))


def test_resources_keeps_the_given_key_order():
    with dg.build_resources({"z": 1, "a": 2, "m": 3}) as res:
        assert list(res) == ["z", "a", "m"]


def test_teardown_exactly_once():
    log = []
    R = recorder(log)
    with dg.build_resources({"a": R(name="a"), "b": legacy_recorder(log, "b")}):
        pass
    assert log.count(("teardown", "a")) == 1
    assert log.count(("teardown", "b")) == 1
    assert len(log) == 4


def test_each_build_gets_fresh_copies():
    R = recorder([])
    declared = R(name="x")
    with dg.build_resources({"r": declared}) as first:
        first_value = first.r
    with dg.build_resources({"r": declared}) as second:
        assert second.r is not first_value
        assert second.r == first_value


# --------------------------------------------------------------------------------------------------
# body exceptions
# --------------------------------------------------------------------------------------------------


def test_teardown_when_the_body_raises_and_exception_propagates_unchanged():
    log = []
    R = recorder(log)
    error = ValueError("body failed")
    with pytest.raises(ValueError) as info:
        with dg.build_resources({"a": R(name="a"), "b": legacy_recorder(log, "b")}):
            raise error
    assert info.value is error
    assert info.value.__cause__ is None
    assert log == [("setup", "a"), ("setup", "b"), ("teardown", "b"), ("teardown", "a")]


def test_base_exception_from_body_also_tears_down():
    log = []
    R = recorder(log)
    with pytest.raises(KeyboardInterrupt):
        with dg.build_resources({"a": R(name="a")}):
            raise KeyboardInterrupt
    assert log == [("setup", "a"), ("teardown", "a")]


# --------------------------------------------------------------------------------------------------
# setup failures
# --------------------------------------------------------------------------------------------------


def test_setup_failure_tears_down_what_was_built_and_names_the_key():
    log = []
    R = recorder(log)
    user_error = RuntimeError("cannot connect")

    class Broken(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise user_error

        def teardown_after_execution(self, context):
            log.append(("teardown", "broken"))

    with pytest.raises(ResourceFunctionError) as info:
        with dg.build_resources({"a": R(name="a"), "broken": Broken(), "z": R(name="z")}):
            log.append(("body",))
    assert info.value.__cause__ is user_error
    assert info.value.user_exception is user_error
    text = str(info.value)
    assert "'broken'" in text
    assert "cannot connect" in text
    # "z" comes after "broken": never initialised; "broken" itself is not torn down
    assert log == [("setup", "a"), ("teardown", "a")]


def test_setup_failure_is_the_dagster_resource_function_error():
    @dg.resource
    def broken(init_context):
        raise KeyError("missing")

    with pytest.raises(dg.DagsterResourceFunctionError) as info:
        with dg.build_resources({"broken": broken}):
            pass
    assert isinstance(info.value.__cause__, KeyError)
    assert "'broken'" in str(info.value)
    assert isinstance(info.value, dg.DagsterUserCodeExecutionError)


def test_legacy_generator_failing_before_yield():
    log = []

    @dg.resource
    def first():
        yield "ok"
        log.append("first-closed")

    @dg.resource
    def second():
        raise OSError("disk")
        yield

    with pytest.raises(ResourceFunctionError) as info:
        with dg.build_resources({"first": first, "second": second}):
            pass
    assert isinstance(info.value.__cause__, OSError)
    assert "'second'" in str(info.value)
    assert log == ["first-closed"]


@pytest.mark.parametrize(
    "error",
    [
        dg.DagsterInvalidDefinitionError("definition"),
        dg.DagsterInvalidConfigError("config"),
        dg.DagsterInvariantViolationError("invariant"),
    ],
)
def test_resnb_errors_raised_in_setup_are_not_wrapped(error):
    log = []
    R = recorder(log)

    class Raises(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise error

    with pytest.raises(type(error)) as info:
        with dg.build_resources({"a": R(name="a"), "b": Raises()}):
            pass
    assert info.value is error
    assert not isinstance(info.value, ResourceFunctionError)
    assert log == [("setup", "a"), ("teardown", "a")]


def test_frozen_field_error_in_setup_is_not_wrapped():
    class Mutates(dg.ConfigurableResource):
        n: int = 0

        def setup_for_execution(self, context):
            self.n = 1

    with pytest.raises(FrozenFieldError):
        with dg.build_resources({"m": Mutates()}):
            pass


# --------------------------------------------------------------------------------------------------
# teardown failures
# --------------------------------------------------------------------------------------------------


def _failing_teardown(log, name):
    class FailsOnClose(dg.ConfigurableResource):
        def teardown_after_execution(self, context):
            log.append(("teardown-attempt", name))
            raise OSError(f"{name} close failed")

    return FailsOnClose()


def test_teardown_failure_is_a_warning_naming_the_key_and_others_still_run():
    log = []
    R = recorder(log)
    with pytest.warns(ResourceTeardownWarning) as record:
        with dg.build_resources({"a": R(name="a"), "b": _failing_teardown(log, "b"), "c": R(name="c")}):
            pass
    assert log == [
        ("setup", "a"),
        ("setup", "c"),
        ("teardown", "c"),
        ("teardown-attempt", "b"),
        ("teardown", "a"),
    ]
    messages = [str(w.message) for w in record if issubclass(w.category, ResourceTeardownWarning)]
    assert len(messages) == 1
    assert "'b'" in messages[0]
    assert "b close failed" in messages[0]


def test_every_failing_teardown_gets_its_own_warning():
    log = []
    with pytest.warns(ResourceTeardownWarning) as record:
        with dg.build_resources({"x": _failing_teardown(log, "x"), "y": _failing_teardown(log, "y")}):
            pass
    messages = [str(w.message) for w in record if issubclass(w.category, ResourceTeardownWarning)]
    assert len(messages) == 2
    assert "'y'" in messages[0] and "'x'" in messages[1]


def test_teardown_failure_never_masks_the_body_exception():
    log = []
    body_error = ValueError("the real problem")
    with pytest.warns(ResourceTeardownWarning):
        with pytest.raises(ValueError) as info:
            with dg.build_resources({"b": _failing_teardown(log, "b")}):
                raise body_error
    assert info.value is body_error
    assert log == [("teardown-attempt", "b")]


def _teardown_messages(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, ResourceTeardownWarning)]


def test_teardown_warning_says_the_work_succeeded_only_when_it_did():
    with pytest.warns(ResourceTeardownWarning) as record:
        with dg.build_resources({"b": _failing_teardown([], "b")}):
            pass
    assert "the work itself succeeded" in _teardown_messages(record)[0]

    with pytest.warns(ResourceTeardownWarning) as record:
        with pytest.raises(ValueError):
            with dg.build_resources({"b": _failing_teardown([], "b")}):
                raise ValueError("body failed")
    [message] = _teardown_messages(record)
    assert "succeeded" not in message
    assert "The other resources were still torn down" in message


def test_teardown_warning_after_a_failed_setup_does_not_claim_success():
    class FailsOnSetup(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise RuntimeError("setup failed")

    # 'a' is set up first, then 'z' fails, so 'a' is torn down (and its teardown fails)
    with pytest.warns(ResourceTeardownWarning) as record:
        with pytest.raises(dg.DagsterResourceFunctionError, match="setup failed"):
            with dg.build_resources({"a": _failing_teardown([], "a"), "z": FailsOnSetup()}):
                pass
    [message] = _teardown_messages(record)
    assert "'a'" in message and "succeeded" not in message


def test_teardown_warning_points_at_the_with_statement():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with dg.build_resources({"b": _failing_teardown([], "b")}):
            pass
    teardown = [w for w in record if issubclass(w.category, ResourceTeardownWarning)]
    assert len(teardown) == 1
    assert teardown[0].filename == __file__


def test_legacy_teardown_failure_is_a_warning():
    @dg.resource
    def leaky():
        yield "v"
        raise RuntimeError("legacy close failed")

    with pytest.warns(ResourceTeardownWarning) as record:
        with dg.build_resources({"leaky": leaky}) as res:
            assert res.leaky == "v"
    assert any("'leaky'" in str(w.message) for w in record)


# --------------------------------------------------------------------------------------------------
# dependency problems and bad mappings
# --------------------------------------------------------------------------------------------------


def test_dependency_cycle_lists_the_cycle():
    @dg.resource(required_resource_keys={"b"})
    def a(init_context):
        return "a"

    @dg.resource(required_resource_keys={"a"})
    def b(init_context):
        return "b"

    with pytest.raises(DependencyCycleError) as info:
        with dg.build_resources({"a": a, "b": b, "c": 1}):
            pass
    assert info.value.cycle == ["a", "b", "a"]
    assert "a -> b -> a" in str(info.value)
    assert isinstance(info.value, dg.DagsterInvalidDefinitionError)
    assert isinstance(info.value, dg.DagsterInvariantViolationError)


def test_resource_param_cycle_is_detected():
    class Holder(dg.ConfigurableResource):
        other: dg.ResourceDependency[object]

    with pytest.raises(DependencyCycleError) as info:
        with dg.build_resources(
            {"x": Holder(other=dg.ResourceParam("y")), "y": Holder(other=dg.ResourceParam("x"))}
        ):
            pass
    assert "x -> y -> x" in str(info.value)


def test_cycle_initialises_nothing():
    log = []
    R = recorder(log)

    @dg.resource(required_resource_keys={"q"})
    def p(init_context):
        return 1

    @dg.resource(required_resource_keys={"p"})
    def q(init_context):
        return 1

    with pytest.raises(DependencyCycleError):
        with dg.build_resources({"a": R(name="a"), "p": p, "q": q}):
            pass
    assert log == []


def test_missing_dependency_names_both_keys():
    @dg.resource(required_resource_keys={"database"})
    def reporter(init_context):
        return None

    with pytest.raises(MissingResourceError) as info:
        with dg.build_resources({"reporter": reporter, "databse": 1}):
            pass
    text = str(info.value)
    assert "'reporter'" in text and "'database'" in text
    assert "Did you mean 'databse'?" in text
    assert isinstance(info.value, dg.DagsterInvalidDefinitionError)


@pytest.mark.parametrize("key", ["bad-key", "with space", "1abc", ""])
def test_non_identifier_key_is_rejected(key):
    with pytest.raises(DefinitionError) as info:
        with dg.build_resources({key: 1}):
            pass
    assert repr(key) in str(info.value)
    assert "identifier" in str(info.value)


def test_non_identifier_key_suggests_a_name():
    with pytest.raises(DefinitionError) as info:
        with dg.build_resources({"my-db": 1}):
            pass
    assert "'my_db'" in str(info.value)


def test_non_str_key_is_rejected():
    with pytest.raises(DefinitionError) as info:
        with dg.build_resources({1: "x"}):
            pass
    assert "1" in str(info.value)


@pytest.mark.parametrize("resources", [[("a", 1)], "abc", None, 5])
def test_non_mapping_is_rejected(resources):
    with pytest.raises(DefinitionError) as info:
        with dg.build_resources(resources):
            pass
    assert "mapping" in str(info.value)


def test_bad_mapping_is_rejected_before_anything_is_initialised():
    log = []
    R = recorder(log)
    with pytest.raises(DefinitionError):
        with dg.build_resources({"a": R(name="a"), "b-c": R(name="b")}):
            pass
    assert log == []


# --------------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------------


def test_plain_object_is_the_identical_object():
    class Client:
        pass

    client = Client()
    values = {"client": client, "number": 5, "text": "s", "nothing": None, "rows": [1, 2]}
    with dg.build_resources(values) as res:
        for key, value in values.items():
            assert getattr(res, key) is value
            assert res[key] is value


@pytest.mark.parametrize("key", ["keys", "values", "items", "get", "pop"])
def test_resource_key_named_like_a_resources_method(key):
    value = object()
    with dg.build_resources({key: value}) as res:
        assert res[key] is value
        assert getattr(res, key) is value


def test_empty_mapping():
    with dg.build_resources({}) as res:
        assert len(res) == 0
        assert list(res) == []


def test_configurable_resource_value_is_an_initialised_copy():
    R = recorder([])
    declared = R(name="r")
    with dg.build_resources({"r": declared}) as res:
        assert res.r is not declared
        assert res.r == declared
        assert isinstance(res.r, R)


# --------------------------------------------------------------------------------------------------
# the Resources object
# --------------------------------------------------------------------------------------------------


def test_resources_object_access():
    with dg.build_resources({"db": "database", "cache": 7}) as res:
        assert isinstance(res, dg.Resources)
        assert res.db == "database"
        assert res["cache"] == 7
        assert "db" in res and "cache" in res
        assert "database" not in res  # `in` tests keys, not values
        assert list(res) == ["db", "cache"]
        assert len(res) == 2
        assert res._asdict() == {"db": "database", "cache": 7}
        assert res.original_resource_dict == {"db": "database", "cache": 7}
        assert dict(res._asdict().items()) == {"db": "database", "cache": 7}
        assert sorted(dir(res)) == ["cache", "db"]


def test_resources_repr():
    with dg.build_resources({"x": 5, "s": "text"}) as res:
        assert repr(res) == "Resources(x=5, s='text')"


def test_resources_repr_masks_secrets():
    from pydantic import Field, SecretStr

    class Db(dg.ConfigurableResource):
        user: str
        password: str = Field(exclude=True)
        token: SecretStr

    with dg.build_resources({"db": Db(user="u", password="pw-123", token=SecretStr("tok-456"))}) as res:
        text = repr(res)
        assert "pw-123" not in text and "tok-456" not in text
        assert "user='u'" in text
        assert "**********" in text


def test_resources_repr_truncates_long_values():
    with dg.build_resources({"big": "x" * 1000}) as res:
        assert len(repr(res)) < 300
        assert repr(res).endswith("...)")


def test_unknown_attribute_is_unknown_resource_error_with_did_you_mean():
    with dg.build_resources({"database": 1, "cache": 2}) as res:
        with pytest.raises(UnknownResourceError) as info:
            res.databse
        text = str(info.value)
        assert "'databse'" in text
        assert "Did you mean 'database'?" in text
        assert "'cache', 'database'" in text
        assert not hasattr(res, "nope")
        with pytest.raises(AttributeError):
            res.nope
        with pytest.raises(UnknownResourceError):
            res["nope"]


def test_resources_are_read_only():
    with dg.build_resources({"a": 1}) as res:
        with pytest.raises(AttributeError):
            res.a = 2
        assert res.a == 1


def test_dunder_lookups_are_plain_attribute_errors():
    with dg.build_resources({"a": 1}) as res:
        with pytest.raises(AttributeError) as info:
            res.__wrapped__
        assert not isinstance(info.value, UnknownResourceError)


# --------------------------------------------------------------------------------------------------
# resource_config and the signature
# --------------------------------------------------------------------------------------------------


class Conn(dg.ConfigurableResource):
    url: str = "default"


def test_resource_config_applies_to_its_key():
    with dg.build_resources({"conn": Conn()}, resource_config={"conn": {"config": {"url": "run"}}}) as res:
        assert res.conn.url == "run"


def test_resource_config_unknown_key_suggests_the_closest():
    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"conn": Conn()}, resource_config={"con": {"config": {"url": "x"}}}):
            pass
    text = str(info.value)
    assert "'con'" in text
    assert "Did you mean 'conn'?" in text


def test_resource_config_missing_config_wrapper():
    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"conn": Conn()}, resource_config={"conn": {"url": "x"}}):
            pass
    text = str(info.value)
    assert "resource_config['conn']" in text
    assert "{'conn': {'config': {...}}}" in text


def test_resource_config_not_a_mapping_entry():
    with pytest.raises(ConfigError):
        with dg.build_resources({"conn": Conn()}, resource_config={"conn": "x"}):
            pass
    with pytest.raises(ConfigError):
        with dg.build_resources({"conn": Conn()}, resource_config={"conn": {"config": "x"}}):
            pass
    with pytest.raises(ConfigError):
        with dg.build_resources(
            {"conn": Conn.configure_at_launch()}, resource_config={"conn": {"config": "x"}}
        ):
            pass


def test_resource_config_unknown_field_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"conn": Conn()}, resource_config={"conn": {"config": {"ulr": "x"}}}):
            pass
    text = str(info.value)
    assert "'conn'" in text and "'ulr'" in text and "Did you mean 'url'?" in text


def test_config_error_initialises_nothing():
    log = []
    R = recorder(log)
    with pytest.raises(ConfigError):
        with dg.build_resources(
            {"a": R(name="a"), "conn": Conn()}, resource_config={"conn": {"config": {"ulr": "x"}}}
        ):
            pass
    assert log == [("setup", "a"), ("teardown", "a")]


def test_second_positional_argument_is_instance_and_must_be_none():
    with pytest.raises(TypeError) as info:
        with dg.build_resources({"conn": Conn()}, {"conn": {"config": {"url": "x"}}}):
            pass
    assert "resource_config=" in str(info.value)
    with dg.build_resources({"conn": Conn()}, None) as res:
        assert res.conn.url == "default"


def test_log_manager_is_the_init_context_log():
    import logging

    logger = logging.getLogger("resnb.tests.custom")
    seen = []

    class Spy(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            seen.append(context.log)

    @dg.resource
    def legacy(init_context):
        seen.append(init_context.log)

    with dg.build_resources({"s": Spy(), "l": legacy}, log_manager=logger):
        pass
    assert seen == [logger, logger]


def test_default_init_context_log_is_named_after_the_key():
    import logging

    seen = []

    @dg.resource
    def legacy(init_context):
        seen.append(init_context.log)

    with dg.build_resources({"my_key": legacy}):
        pass
    assert isinstance(seen[0], logging.Logger)
    assert seen[0].name.endswith("my_key")


# --------------------------------------------------------------------------------------------------
# unset env vars: checked for the keys being opened, after run config, before any setup
# --------------------------------------------------------------------------------------------------


def test_run_config_replacing_an_env_var_field_means_it_is_not_read(monkeypatch):
    monkeypatch.delenv("RESNB_T_SCOPE_UNSET", raising=False)
    log = []
    Recorded = recorder(log)
    scope = ResourceScope(
        {"r": Recorded(name=dg.EnvVar("RESNB_T_SCOPE_UNSET"))},
        resource_config={"r": {"config": {"name": "given"}}},
    )
    assert scope.open()["r"].name == "given"
    scope.close()
    assert log == [("setup", "given"), ("teardown", "given")]


def test_opening_some_keys_checks_only_their_env_vars(monkeypatch):
    monkeypatch.delenv("RESNB_T_SCOPE_A", raising=False)
    monkeypatch.delenv("RESNB_T_SCOPE_B", raising=False)
    log = []
    Recorded = recorder(log)
    scope = ResourceScope(
        {
            "a": Recorded(name=dg.EnvVar("RESNB_T_SCOPE_A")),
            "b": Recorded(name=dg.EnvVar("RESNB_T_SCOPE_B")),
            "c": Recorded(name="c"),
        }
    )
    assert scope.open(["c"])["c"].name == "c"
    with pytest.raises(EnvVarError) as info:
        scope.open(["a"])
    assert "RESNB_T_SCOPE_A" in str(info.value) and "RESNB_T_SCOPE_B" not in str(info.value)
    assert log == [("setup", "c"), ("teardown", "c")]  # a failed open closes the scope, as before


def test_invalid_config_is_still_reported_as_such_when_env_vars_are_set():
    scope = ResourceScope({"r": recorder([])(name="x")}, resource_config={"r": {"config": {"name": 5}}})
    with pytest.raises(ConfigError, match="Config for resource 'r'"):
        scope.open()
