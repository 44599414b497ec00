"""Secrets never leak (DESIGN.md section 2 and 3, issue 2 section 2).

A value given through ``Field(exclude=True)``, ``pydantic.SecretStr`` or an ``EnvVar`` is planted, and every place
resnb writes text is checked for it: repr/str of the declared object, of the built per-run copy and of the
``Resources`` object; pydantic ValidationError text; ConfigError and EnvVarError text; ResourceTeardownWarning text;
log records.
"""

import logging
import warnings

import pytest
from pydantic import Field, SecretStr, ValidationError

import resnb as dg
from resnb.errors import ConfigError, EnvVarError, ResourceTeardownWarning

PLANTED = "hunter2-PLANTED-7f3a"
ENV_PLANTED = "envsecret-PLANTED-91c2"


class Database(dg.ConfigurableResource):
    host: str
    port: int = 5432
    password: str = Field(exclude=True)
    token: SecretStr = SecretStr("default-token")
    env_password: str = "unset"


class Nested(dg.Config):
    api_key: str = Field(exclude=True)
    retries: int


class UsesNested(dg.ConfigurableResource):
    settings: Nested


def _texts_of(exc: BaseException) -> str:
    return f"{exc!s}\n{exc!r}"


def assert_no_secret(text: str) -> None:
    assert PLANTED not in text
    assert ENV_PLANTED not in text


@pytest.fixture
def secret_env(monkeypatch):
    monkeypatch.setenv("RESNB_TEST_PW", ENV_PLANTED)
    return "RESNB_TEST_PW"


def _db(secret_env):
    return Database(
        host="db.local",
        password=PLANTED,
        token=SecretStr(PLANTED),
        env_password=dg.EnvVar(secret_env),
    )


# --------------------------------------------------------------------------------------------------
# repr / str
# --------------------------------------------------------------------------------------------------


def test_declared_object_repr_and_str_mask_secrets(secret_env):
    db = _db(secret_env)
    for text in (repr(db), str(db), f"{db}", f"{db!r}"):
        assert_no_secret(text)
        assert "db.local" in text
        assert "**********" in text
    assert "EnvVar('RESNB_TEST_PW')" in repr(db)  # the variable's name is fine, its value is not


def test_values_remain_usable(secret_env):
    db = _db(secret_env)
    assert db.password == PLANTED
    assert db.token.get_secret_value() == PLANTED


def test_built_copy_and_resources_repr_mask_secrets(secret_env):
    with dg.build_resources({"db": _db(secret_env)}) as res:
        assert res.db.env_password == ENV_PLANTED
        assert res.db.password == PLANTED
        for text in (repr(res.db), str(res.db), repr(res), str(res)):
            assert_no_secret(text)
        assert "EnvVar('RESNB_TEST_PW')" in repr(res.db)
        assert repr(res).startswith("Resources(db=Database(")


def test_env_var_values_in_list_and_dict_fields_are_masked(secret_env):
    class Multi(dg.ConfigurableResource):
        hosts: list[str]
        headers: dict[str, str]

    with dg.build_resources(
        {"m": Multi(hosts=["a", dg.EnvVar(secret_env)], headers={"auth": dg.EnvVar(secret_env)})}
    ) as res:
        assert res.m.hosts == ["a", ENV_PLANTED]
        assert res.m.headers == {"auth": ENV_PLANTED}
        assert_no_secret(repr(res.m))
        assert_no_secret(repr(res))


def test_env_var_value_in_nested_config_is_masked(secret_env):
    class Creds(dg.Config):
        user: str
        pw: str

    class Client(dg.ConfigurableResource):
        creds: Creds

    with dg.build_resources({"c": Client(creds=Creds(user="u", pw=dg.EnvVar(secret_env)))}) as res:
        assert res.c.creds.pw == ENV_PLANTED
        assert_no_secret(repr(res.c))
        assert_no_secret(repr(res))


def test_env_var_value_in_nested_resource_is_masked(secret_env):
    class Inner(dg.ConfigurableResource):
        key: str

    class Outer(dg.ConfigurableResource):
        inner: Inner

    with dg.build_resources({"o": Outer(inner=Inner(key=dg.EnvVar(secret_env)))}) as res:
        assert res.o.inner.key == ENV_PLANTED
        assert_no_secret(repr(res.o))
        assert_no_secret(repr(res))


def test_secret_str_field_from_env_var_is_masked(secret_env):
    class Api(dg.ConfigurableResource):
        key: SecretStr

    with dg.build_resources({"api": Api(key=dg.EnvVar(secret_env))}) as res:
        assert res.api.key.get_secret_value() == ENV_PLANTED
        assert_no_secret(repr(res))


def test_partial_resource_repr_masks_secrets():
    partial = Database.configure_at_launch(password=PLANTED)
    assert_no_secret(repr(partial))
    assert "Database.configure_at_launch(" in repr(partial)


# --------------------------------------------------------------------------------------------------
# validation errors
# --------------------------------------------------------------------------------------------------


def test_wrong_type_for_the_secret_field_does_not_show_the_value():
    with pytest.raises(ValidationError) as info:
        Database(host="h", password=[PLANTED])
    assert_no_secret(_texts_of(info.value))
    assert "password" in str(info.value)
    assert_no_secret(str(info.value.errors()))
    assert "input_value='**********', input_type=list" in str(info.value), "the type given is kept"


def test_a_missing_secret_shows_the_other_inputs_not_a_mask():
    with pytest.raises(ValidationError) as info:
        Database(host="h")
    assert "Field required [type=missing, input_value={'host': 'h'}, input_type=dict]" in str(info.value)


def test_wrong_type_for_a_secret_str_field_does_not_show_the_value():
    class Api(dg.ConfigurableResource):
        key: SecretStr

    with pytest.raises(ValidationError) as info:
        Api(key={"v": PLANTED})
    assert_no_secret(_texts_of(info.value))
    assert "key" in str(info.value)


def test_missing_other_field_while_secret_given_does_not_show_the_secret():
    with pytest.raises(ValidationError) as info:
        Database(password=PLANTED, token=SecretStr(PLANTED))
    text = _texts_of(info.value)
    assert_no_secret(text)
    assert "Field required" in text
    assert "host" in text


def test_wrong_other_field_while_secret_given_does_not_show_the_secret():
    with pytest.raises(ValidationError) as info:
        Database(host="h", port="notint", password=PLANTED)
    assert_no_secret(_texts_of(info.value))
    assert "port" in str(info.value)


def test_unknown_field_error_does_not_show_the_secret():
    with pytest.raises(dg.errors.UnknownFieldError) as info:
        Database(host="h", pasword=PLANTED)
    assert_no_secret(_texts_of(info.value))
    assert "Did you mean 'password'?" in str(info.value)


def test_nested_config_secret_not_shown_in_validation_error():
    with pytest.raises(ValidationError) as info:
        UsesNested(settings={"api_key": PLANTED})
    assert_no_secret(_texts_of(info.value))
    assert "retries" in str(info.value)

    with pytest.raises(ValidationError) as info:
        UsesNested(settings={"api_key": PLANTED, "retries": "many"})
    assert_no_secret(_texts_of(info.value))


# --------------------------------------------------------------------------------------------------
# ConfigError / EnvVarError
# --------------------------------------------------------------------------------------------------


def test_run_config_with_wrong_type_for_secret_is_a_config_error_without_the_value(secret_env):
    with pytest.raises(ConfigError) as info:
        with dg.build_resources(
            {"db": _db(secret_env)},
            resource_config={"db": {"config": {"host": "h", "password": [PLANTED]}}},
        ):
            pass
    assert_no_secret(_texts_of(info.value))
    assert "password" in str(info.value)


def test_run_config_missing_field_while_secret_given(secret_env):
    with pytest.raises(ConfigError) as info:
        with dg.build_resources(
            {"db": _db(secret_env)}, resource_config={"db": {"config": {"password": PLANTED}}}
        ):
            pass
    assert_no_secret(_texts_of(info.value))
    assert "host" in str(info.value)


def test_partial_with_secret_and_missing_field_is_a_config_error_without_the_value():
    with pytest.raises(ConfigError) as info:
        with dg.build_resources({"db": Database.configure_at_launch(password=PLANTED)}):
            pass
    assert_no_secret(_texts_of(info.value))
    assert "host" in str(info.value)


def test_env_var_with_wrong_type_is_a_config_error_without_the_value(monkeypatch):
    monkeypatch.setenv("RESNB_TEST_INT", ENV_PLANTED)

    class Pool(dg.ConfigurableResource):
        size: int

    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"pool": Pool(size=dg.EnvVar.int("RESNB_TEST_INT"))}):
            pass
    assert_no_secret(_texts_of(info.value))
    assert "RESNB_TEST_INT" in str(info.value)


def test_env_var_value_failing_validation_is_not_shown(monkeypatch):
    monkeypatch.setenv("RESNB_TEST_LIT", ENV_PLANTED)
    from typing import Literal

    class Mode(dg.ConfigurableResource):
        mode: Literal["a", "b"] = "a"

    with pytest.raises(ConfigError) as info:
        with dg.build_resources(
            {"m": Mode()}, resource_config={"m": {"config": {"mode": {"env": "RESNB_TEST_LIT"}}}}
        ):
            pass
    assert_no_secret(_texts_of(info.value))
    assert "mode" in str(info.value)


def test_legacy_config_error_does_not_show_env_value(monkeypatch):
    monkeypatch.setenv("RESNB_TEST_PORT", ENV_PLANTED)

    @dg.resource(config_schema={"port": int})
    def conn(init_context):
        return init_context.resource_config

    with pytest.raises(ConfigError) as info:
        with dg.build_resources(
            {"conn": conn}, resource_config={"conn": {"config": {"port": {"env": "RESNB_TEST_PORT"}}}}
        ):
            pass
    assert_no_secret(_texts_of(info.value))
    assert "port" in str(info.value)


def test_unset_env_var_error_names_variable_not_other_secrets():
    db = Database(host="h", password=PLANTED, env_password=dg.EnvVar("RESNB_TEST_SURELY_UNSET"))
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"db": db}):
            pass
    assert_no_secret(_texts_of(info.value))
    assert "RESNB_TEST_SURELY_UNSET" in str(info.value)


# --------------------------------------------------------------------------------------------------
# teardown warnings and logs
# --------------------------------------------------------------------------------------------------


class FailingTeardown(dg.ConfigurableResource):
    password: str = Field(exclude=True)
    token: SecretStr
    from_env: str

    def setup_for_execution(self, context):
        context.log.warning("connecting as %s", "someone")

    def teardown_after_execution(self, context):
        raise RuntimeError("could not close the connection")


def _failing(secret_env):
    return FailingTeardown(password=PLANTED, token=SecretStr(PLANTED), from_env=dg.EnvVar(secret_env))


def test_teardown_warning_text_has_no_secret(secret_env):
    with pytest.warns(ResourceTeardownWarning) as record:
        with dg.build_resources({"conn": _failing(secret_env)}) as res:
            assert res.conn.from_env == ENV_PLANTED
    messages = [str(w.message) for w in record]
    assert any("'conn'" in m for m in messages)
    for m in messages:
        assert_no_secret(m)


def test_log_records_have_no_secret(secret_env, caplog):
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceTeardownWarning)
        with dg.build_resources({"conn": _failing(secret_env), "db": _db(secret_env)}) as res:
            assert res.db.env_password == ENV_PLANTED
    assert any("connecting as" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert_no_secret(record.getMessage())
    assert_no_secret(caplog.text)


def test_setup_error_message_has_no_secret(secret_env):
    class Boom(dg.ConfigurableResource):
        password: str = Field(exclude=True)
        from_env: str

        def setup_for_execution(self, context):
            raise ValueError("cannot connect")

    with pytest.raises(dg.ResourceFunctionError) as info:
        with dg.build_resources({"b": Boom(password=PLANTED, from_env=dg.EnvVar(secret_env))}):
            pass
    assert_no_secret(_texts_of(info.value))


def test_init_context_repr_has_no_secret(secret_env):
    seen = []

    class Spy(dg.ConfigurableResource):
        password: str = Field(exclude=True)

        def setup_for_execution(self, context):
            seen.append(repr(context))

    with dg.build_resources({"s": Spy(password=PLANTED)}):
        pass
    assert seen and all(PLANTED not in text for text in seen)


def test_an_env_var_value_is_checked_against_the_fields_constraints(monkeypatch):
    monkeypatch.setenv("RESNB_LG", ENV_PLANTED)

    class Short(dg.ConfigurableResource):
        code: str = Field(max_length=8)  # the name is checked at construction too, as in Dagster

    with pytest.raises(
        ConfigError, match=r"(?s)EnvVar\('RESNB_LG'\).*field 'code': String should have at most 8"
    ) as info:
        with dg.build_resources({"s": Short(code=dg.EnvVar("RESNB_LG"))}):
            pass
    assert_no_secret(_texts_of(info.value))
    monkeypatch.setenv("RESNB_LG", "ok")
    with dg.build_resources({"s": Short(code=dg.EnvVar("RESNB_LG"))}) as built:
        assert built.s.code == "ok"
