"""``EnvVar`` and ``EnvVar.int`` (reference section 2).

Never resolved at definition time, resolved at every build (a changed variable gives a changed value), the
constructed object never mutated. An unset variable is a config error naming the variable, the resource key and
the field; a non-integer for ``EnvVar.int`` says so.
"""

import pickle
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

import resnb as dg
from resnb.core.env import IntEnvVar
from resnb.errors import ConfigError, EnvVarError

VAR = "RESNB_TEST_ENV_VAR"
INT_VAR = "RESNB_TEST_ENV_INT"


class Conn(dg.ConfigurableResource):
    url: str
    port: int = 5432


# --------------------------------------------------------------------------------------------------
# the objects
# --------------------------------------------------------------------------------------------------


def test_env_var_is_a_str_holding_the_name():
    e = dg.EnvVar("MY_VAR")
    assert isinstance(e, str)
    assert e.env_var_name == "MY_VAR"
    assert e.name == "MY_VAR"
    assert e == "MY_VAR"


def test_env_var_int_is_an_int_with_a_name():
    e = dg.EnvVar.int("MY_INT")
    assert isinstance(e, int)
    assert isinstance(e, dg.IntEnvVar)
    assert e.env_var_name == "MY_INT"
    assert e.name == "MY_INT"


def test_get_value(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    e = dg.EnvVar(VAR)
    assert e.get_value() is None
    assert e.get_value("fallback") == "fallback"
    monkeypatch.setenv(VAR, "v1")
    assert e.get_value() == "v1"
    assert e.get_value("fallback") == "v1"


def test_int_get_value(monkeypatch):
    monkeypatch.delenv(INT_VAR, raising=False)
    e = dg.EnvVar.int(INT_VAR)
    assert e.get_value() is None
    assert e.get_value(7) == 7
    monkeypatch.setenv(INT_VAR, "42")
    assert e.get_value() == 42
    assert type(e.get_value()) is int


def test_str_raises_runtime_error_but_repr_does_not():
    e = dg.EnvVar("MY_VAR")
    with pytest.raises(RuntimeError) as info:
        str(e)
    assert "MY_VAR" in str(info.value)
    assert "get_value()" in str(info.value)
    with pytest.raises(RuntimeError):
        f"{e}"
    assert repr(e) == "EnvVar('MY_VAR')"
    assert repr(dg.EnvVar.int("MY_INT")) == "EnvVar.int('MY_INT')"


@pytest.mark.parametrize("ref", [dg.EnvVar("PICKLED"), dg.EnvVar.int("PICKLED_INT")])
def test_pickling_round_trip(ref):
    back = pickle.loads(pickle.dumps(ref))
    assert type(back) is type(ref)
    assert back.env_var_name == ref.env_var_name
    assert repr(back) == repr(ref)


def test_resource_with_env_var_pickles(monkeypatch):
    conn = Conn(url=dg.EnvVar(VAR), port=dg.EnvVar.int(INT_VAR))
    back = pickle.loads(pickle.dumps(conn))
    assert repr(back) == repr(conn)
    assert type(back.__dict__["url"]) is dg.EnvVar
    assert type(back.__dict__["port"]) is IntEnvVar


# --------------------------------------------------------------------------------------------------
# definition time vs build time
# --------------------------------------------------------------------------------------------------


def test_never_resolved_at_definition_time(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    monkeypatch.delenv(INT_VAR, raising=False)
    conn = Conn(url=dg.EnvVar(VAR), port=dg.EnvVar.int(INT_VAR))  # no error with the vars unset
    assert type(conn.url) is dg.EnvVar
    assert conn.url.env_var_name == VAR
    assert type(conn.port) is IntEnvVar
    assert repr(conn) == f"Conn(url=EnvVar('{VAR}'), port=EnvVar.int('{INT_VAR}'))"


def test_resolved_at_every_build(monkeypatch):
    conn = Conn(url=dg.EnvVar(VAR), port=dg.EnvVar.int(INT_VAR))
    monkeypatch.setenv(VAR, "first")
    monkeypatch.setenv(INT_VAR, "1")
    with dg.build_resources({"conn": conn}) as res:
        assert res.conn.url == "first"
        assert res.conn.port == 1
        assert type(res.conn.url) is str
        assert type(res.conn.port) is int
    monkeypatch.setenv(VAR, "second")
    monkeypatch.setenv(INT_VAR, "2")
    with dg.build_resources({"conn": conn}) as res:
        assert (res.conn.url, res.conn.port) == ("second", 2)


def test_constructed_object_is_never_mutated(monkeypatch):
    monkeypatch.setenv(VAR, "value")
    conn = Conn(url=dg.EnvVar(VAR))
    before = repr(conn)
    with dg.build_resources({"conn": conn}) as res:
        assert res.conn is not conn
        assert res.conn.url == "value"
        assert type(conn.url) is dg.EnvVar
    assert type(conn.url) is dg.EnvVar
    assert conn.url.env_var_name == VAR
    assert repr(conn) == before


def test_int_value_is_stripped(monkeypatch):
    monkeypatch.setenv(INT_VAR, " 17 ")
    with dg.build_resources({"c": Conn(url="u", port=dg.EnvVar.int(INT_VAR))}) as res:
        assert res.c.port == 17


def test_env_var_on_an_int_field_is_a_validation_error_at_construction():
    """Reference 2.7: EnvVar only validates for str fields (the name is not an int)."""
    with pytest.raises(ValidationError):
        Conn(url="u", port=dg.EnvVar("NOT_AN_INT_NAME"))


def test_env_var_on_an_int_field_hints_at_env_var_int():
    with pytest.raises(ValidationError) as info:
        Conn(url="u", port=dg.EnvVar("PORT_VAR"))
    message = str(info.value)
    assert "use EnvVar.int('PORT_VAR') for an integer field" in message
    assert "Input should be a valid integer" in message  # pydantic's own text is kept
    assert info.value.errors()[0]["loc"] == ("port",)


def test_env_var_hint_also_for_an_optional_int_field():
    class MaybePort(dg.ConfigurableResource):
        port: int | None = None

    with pytest.raises(ValidationError, match=r"use EnvVar\.int\('P'\)"):
        MaybePort(port=dg.EnvVar("P"))


def test_no_env_var_hint_for_a_plain_string():
    with pytest.raises(ValidationError) as info:
        Conn(url="u", port="not a number")
    assert "EnvVar" not in str(info.value)


class Tuned(dg.ConfigurableResource):
    timeout_s: float = 1.0
    verbose: bool = False
    ratios: list[float] = []
    weights: dict[str, float] | None = None
    limit: int | float = 1


def test_env_var_on_a_float_field_says_to_declare_it_str_and_convert():
    with pytest.raises(ValidationError) as info:
        Tuned(timeout_s=dg.EnvVar("TIMEOUT"))
    message = str(info.value)
    assert "Input should be a valid number" in message  # pydantic's own text is kept
    assert "EnvVar('TIMEOUT') is read as text (environment variables hold strings)" in message
    assert "use EnvVar.int('TIMEOUT') for an int field" in message
    assert (
        "declare 'timeout_s' as str and convert the value in code (for example float(self.timeout_s))"
        in message
    )
    assert info.value.errors()[0]["loc"] == ("timeout_s",)


def test_env_var_on_a_bool_field_and_in_a_list_of_floats_get_the_hint():
    with pytest.raises(ValidationError, match="declare 'verbose' as str and convert the value in code"):
        Tuned(verbose=dg.EnvVar("VERBOSE"))
    with pytest.raises(ValidationError) as info:
        Tuned(ratios=[1.0, dg.EnvVar("RATIO")])
    assert "declare the items of 'ratios' as str" in str(info.value)
    assert info.value.errors()[0]["loc"] == ("ratios", 1)
    with pytest.raises(ValidationError, match="declare the items of 'weights' as str"):
        Tuned(weights={"a": dg.EnvVar("WEIGHT")})  # the value type counts, not the str keys


def test_env_var_hint_is_given_once_for_a_union_field():
    with pytest.raises(ValidationError) as info:
        Tuned(limit=dg.EnvVar("LIMIT"))
    assert len(info.value.errors()) == 2  # one per union member
    assert str(info.value).count("EnvVar('LIMIT') is read as text") == 1
    assert "use EnvVar.int('LIMIT') for an integer field" in str(info.value)


def test_run_config_env_form_on_a_float_field_gets_the_hint(monkeypatch):
    monkeypatch.setenv(VAR, "2.5")
    with pytest.raises(ConfigError, match="declare 'timeout_s' as str and convert the value in code"):
        with dg.build_resources(
            {"t": Tuned()}, resource_config={"t": {"config": {"timeout_s": {"env": VAR}}}}
        ):
            pass


def test_fields_that_accept_text_still_take_a_plain_env_var(monkeypatch):
    class Loose(dg.ConfigurableResource):
        maybe: str | None = None
        anything: Any = None

    monkeypatch.setenv(VAR, "v")
    with dg.build_resources({"l": Loose(maybe=dg.EnvVar(VAR), anything=dg.EnvVar(VAR))}) as res:
        assert (res.l.maybe, res.l.anything) == ("v", "v")


# --------------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------------


def test_unset_is_an_env_var_error_naming_variable_key_and_field(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"warehouse": Conn(url=dg.EnvVar(VAR))}):
            pass
    text = str(info.value)
    assert VAR in text
    assert "'warehouse'" in text
    assert "'url'" in text
    assert (
        f"Set it in the environment (export {VAR}=... in a shell, or os.environ['{VAR}'] = ... in Python)"
        in text
    )
    assert "or pass a value directly" in text


def test_env_var_error_is_a_config_error_and_dagster_invalid_config_error(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert issubclass(EnvVarError, ConfigError)
    with pytest.raises(dg.DagsterInvalidConfigError):
        with dg.build_resources({"c": Conn(url=dg.EnvVar(VAR))}):
            pass


def test_unset_int_is_an_env_var_error(monkeypatch):
    monkeypatch.delenv(INT_VAR, raising=False)
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"c": Conn(url="u", port=dg.EnvVar.int(INT_VAR))}):
            pass
    text = str(info.value)
    assert INT_VAR in text and "'c'" in text and "'port'" in text
    assert "not set" in text


def test_non_integer_for_env_var_int_says_so(monkeypatch):
    monkeypatch.setenv(INT_VAR, "five")
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"db": Conn(url="u", port=dg.EnvVar.int(INT_VAR))}):
            pass
    text = str(info.value)
    assert INT_VAR in text
    assert "'db'" in text and "'port'" in text
    assert "int" in text
    assert "whole number" in text
    assert "five" not in text


def test_unset_variable_does_not_initialise_anything(monkeypatch):
    """As in Dagster, env vars are checked before any resource is set up."""
    monkeypatch.delenv(VAR, raising=False)
    events = []

    class Tracked(dg.ConfigurableResource):
        name: str

        def setup_for_execution(self, context):
            events.append(("setup", self.name))

        def teardown_after_execution(self, context):
            events.append(("teardown", self.name))

    with pytest.raises(EnvVarError):
        with dg.build_resources({"a": Tracked(name="a"), "b": Tracked(name=dg.EnvVar(VAR))}):
            pass
    assert events == []


def test_every_unset_variable_of_the_resources_built_is_reported_at_once(monkeypatch):
    for name in ("RESNB_T_PW", "RESNB_T_USER", "RESNB_T_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    class Login(dg.ConfigurableResource):
        user: str
        password: str

    class Api(dg.ConfigurableResource):
        token: str
        login: Login

    login = Login(user=dg.EnvVar("RESNB_T_USER"), password=dg.EnvVar("RESNB_T_PW"))
    resources = {
        "conn": Conn(url=dg.EnvVar("RESNB_T_PW")),
        "api": Api(token=dg.EnvVar("RESNB_T_TOKEN"), login=login),
    }
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources(resources):
            pass
    lines = str(info.value).splitlines()
    assert lines[0].startswith("Environment variables RESNB_T_TOKEN, RESNB_T_USER, RESNB_T_PW are not set")
    assert sorted(lines[1:5]) == [
        "  RESNB_T_PW: resource 'api.login', field 'password'",
        "  RESNB_T_PW: resource 'conn', field 'url'",
        "  RESNB_T_TOKEN: resource 'api', field 'token'",
        "  RESNB_T_USER: resource 'api.login', field 'user'",
    ]
    assert "export RESNB_T_TOKEN=... in a shell" in lines[5] and "pass values directly" in lines[5]


def test_legacy_resources_unset_variables_are_reported_with_the_others_before_any_setup(monkeypatch):
    for name in ("RESNB_T_USER", "RESNB_T_PW", "RESNB_T_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    calls: list[str] = []

    @dg.resource(config_schema={"user": str, "password": str, "port": int})
    def db(context):
        calls.append("db")
        return dict(context.resource_config)

    @dg.resource(config_schema={"token": str})
    def api(context):
        calls.append("api")

    resources = {"db": db, "api": api.configured({"token": {"env": "RESNB_T_TOKEN"}}), "conn": Conn(url="u")}
    run_config = {
        "db": {"config": {"user": {"env": "RESNB_T_USER"}, "password": {"env": "RESNB_T_PW"}, "port": 1}}
    }
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources(resources, resource_config=run_config):
            pass
    lines = str(info.value).splitlines()
    assert lines[0].startswith("Environment variables ") and lines[0].endswith(
        "are not set, but the resources being built read them:"
    )
    assert sorted(lines[1:4]) == [
        "  RESNB_T_PW: resource 'db', entry 'password'",
        "  RESNB_T_TOKEN: resource 'api', entry 'token'",
        "  RESNB_T_USER: resource 'db', entry 'user'",
    ]
    assert calls == []

    monkeypatch.setenv("RESNB_T_USER", "me")
    monkeypatch.setenv("RESNB_T_PW", "pw")
    monkeypatch.setenv("RESNB_T_TOKEN", "t")
    with dg.build_resources(resources, resource_config=run_config) as built:
        assert built.db == {"user": "me", "password": "pw", "port": 1}


def test_legacy_config_processed_directly_reports_every_unset_variable(monkeypatch):
    from resnb.core.legacy_config import ConfigSchema

    monkeypatch.delenv("RESNB_T_A", raising=False)
    monkeypatch.delenv("RESNB_T_B", raising=False)
    schema = ConfigSchema({"a": str, "b": [str]})
    with pytest.raises(EnvVarError) as info:
        schema.process({"a": {"env": "RESNB_T_A"}, "b": [{"env": "RESNB_T_B"}]}, "resource 'x'")
    assert "RESNB_T_A: resource 'x', entry 'a'" in str(info.value)
    assert "RESNB_T_B: resource 'x', entry 'b'" in str(info.value)


def test_a_run_reports_only_the_unset_variables_of_the_resources_it_needs(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    monkeypatch.delenv(INT_VAR, raising=False)

    @dg.asset
    def uses_conn(conn: Conn) -> str:
        return conn.url

    resources = {
        "conn": Conn(url=dg.EnvVar(VAR), port=dg.EnvVar.int(INT_VAR)),
        "unused": Conn(url=dg.EnvVar("NOT_NEEDED")),
    }
    with pytest.raises(EnvVarError) as info:
        dg.materialize([uses_conn], resources=resources)
    text = str(info.value)
    assert f"{VAR}: resource 'conn', field 'url'" in text
    assert f"{INT_VAR}: resource 'conn', field 'port'" in text
    assert "NOT_NEEDED" not in text


def test_one_variable_read_in_two_places_is_named_once_with_both_readers(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"a": Conn(url=dg.EnvVar(VAR)), "b": Conn(url=dg.EnvVar(VAR))}):
            pass
    text = str(info.value)
    assert text.startswith(f'Environment variable "{VAR}" is not set, but the resources being built read it:')
    assert f"{VAR}: resource 'a', field 'url'" in text and f"{VAR}: resource 'b', field 'url'" in text
    assert "Set it in the environment" in text


def test_unset_in_nested_resource_names_the_path(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)

    class Outer(dg.ConfigurableResource):
        conn: Conn

    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"outer": Outer(conn=Conn(url=dg.EnvVar(VAR)))}):
            pass
    text = str(info.value)
    assert VAR in text and "outer" in text and "'url'" in text


# --------------------------------------------------------------------------------------------------
# containers, nested Config, SecretStr, run config
# --------------------------------------------------------------------------------------------------


def test_env_var_inside_list_and_dict(monkeypatch):
    class Multi(dg.ConfigurableResource):
        hosts: list[str]
        headers: dict[str, str]

    declared = Multi(hosts=["fixed", dg.EnvVar(VAR)], headers={"x": "1", "auth": dg.EnvVar(VAR)})
    assert type(declared.hosts[1]) is dg.EnvVar
    assert type(declared.headers["auth"]) is dg.EnvVar
    monkeypatch.setenv(VAR, "one")
    with dg.build_resources({"m": declared}) as res:
        assert res.m.hosts == ["fixed", "one"]
        assert res.m.headers == {"x": "1", "auth": "one"}
    monkeypatch.setenv(VAR, "two")
    with dg.build_resources({"m": declared}) as res:
        assert res.m.hosts == ["fixed", "two"]
    assert type(declared.hosts[1]) is dg.EnvVar


def test_env_var_inside_dict_unset_names_the_entry(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)

    class Headers(dg.ConfigurableResource):
        headers: dict[str, str]

    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"h": Headers(headers={"auth": dg.EnvVar(VAR)})}):
            pass
    text = str(info.value)
    assert VAR in text and "'h'" in text and "'headers'" in text and "'auth'" in text


def test_env_var_inside_nested_config(monkeypatch):
    class Creds(dg.Config):
        user: str
        password: str

    class Client(dg.ConfigurableResource):
        creds: Creds

    declared = Client(creds=Creds(user="u", password=dg.EnvVar(VAR)))
    monkeypatch.setenv(VAR, "pw1")
    with dg.build_resources({"client": declared}) as res:
        assert res.client.creds.password == "pw1"
        assert res.client.creds.user == "u"
    assert type(declared.creds.password) is dg.EnvVar
    monkeypatch.delenv(VAR)
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources({"client": declared}):
            pass
    assert VAR in str(info.value) and "'client'" in str(info.value)


def test_env_var_in_secret_str_field_resolves_to_secret_str(monkeypatch):
    class Api(dg.ConfigurableResource):
        key: SecretStr

    declared = Api(key=dg.EnvVar(VAR))
    monkeypatch.setenv(VAR, "k-123")
    with dg.build_resources({"api": declared}) as res:
        assert isinstance(res.api.key, SecretStr)
        assert res.api.key.get_secret_value() == "k-123"
    assert type(declared.__dict__["key"]) is dg.EnvVar


def test_run_config_env_form(monkeypatch):
    monkeypatch.setenv(VAR, "from-env")
    monkeypatch.setenv(INT_VAR, "99")
    with dg.build_resources(
        {"c": Conn(url="default")},
        resource_config={"c": {"config": {"url": {"env": VAR}, "port": {"env": INT_VAR}}}},
    ) as res:
        assert res.c.url == "from-env"
        assert res.c.port == 99


def test_run_config_env_form_for_a_partial(monkeypatch):
    monkeypatch.setenv(VAR, "launch-value")
    with dg.build_resources(
        {"c": Conn.configure_at_launch()}, resource_config={"c": {"config": {"url": {"env": VAR}}}}
    ) as res:
        assert res.c.url == "launch-value"


def test_run_config_env_form_unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources(
            {"c": Conn(url="x")}, resource_config={"c": {"config": {"url": {"env": VAR}}}}
        ):
            pass
    assert VAR in str(info.value) and "'c'" in str(info.value)


def test_run_config_env_form_for_legacy_resource(monkeypatch):
    monkeypatch.setenv(VAR, "legacy-value")

    @dg.resource(config_schema={"url": str})
    def legacy(init_context):
        return init_context.resource_config["url"]

    with dg.build_resources(
        {"legacy": legacy}, resource_config={"legacy": {"config": {"url": {"env": VAR}}}}
    ) as res:
        assert res.legacy == "legacy-value"

    monkeypatch.delenv(VAR)
    with pytest.raises(EnvVarError) as info:
        with dg.build_resources(
            {"legacy": legacy}, resource_config={"legacy": {"config": {"url": {"env": VAR}}}}
        ):
            pass
    assert VAR in str(info.value) and "'legacy'" in str(info.value)


def test_process_config_and_initialize_resolves_env(monkeypatch):
    monkeypatch.setenv(VAR, "direct")
    value = Conn(url=dg.EnvVar(VAR)).process_config_and_initialize()
    assert value.url == "direct"


def test_env_var_inside_nested_config_given_as_dict(monkeypatch):
    class Creds(dg.Config):
        user: str = "u"
        password: str

    class Client(dg.ConfigurableResource):
        creds: Creds

    declared = Client(creds={"password": dg.EnvVar(VAR)})
    assert type(declared.creds.password) is dg.EnvVar
    monkeypatch.setenv(VAR, "pw-dict")
    with dg.build_resources({"client": declared}) as res:
        assert res.client.creds.password == "pw-dict"


def test_run_config_env_form_inside_nested_config(monkeypatch):
    class Creds(dg.Config):
        password: str

    class Client(dg.ConfigurableResource):
        creds: Creds

    monkeypatch.setenv(VAR, "pw-run")
    with dg.build_resources(
        {"client": Client(creds=Creds(password="constructed"))},
        resource_config={"client": {"config": {"creds": {"password": {"env": VAR}}}}},
    ) as res:
        assert res.client.creds.password == "pw-run"
        assert "pw-run" not in repr(res)


def test_optional_fields_take_env_vars(monkeypatch):

    class Opt(dg.ConfigurableResource):
        s: str | None = None
        n: int | None = None

    monkeypatch.setenv(VAR, "text")
    monkeypatch.setenv(INT_VAR, "8")
    with dg.build_resources({"o": Opt(s=dg.EnvVar(VAR), n=dg.EnvVar.int(INT_VAR))}) as res:
        assert (res.o.s, res.o.n) == ("text", 8)
    with dg.build_resources({"o": Opt()}, resource_config={"o": {"config": {"n": {"env": INT_VAR}}}}) as res:
        assert res.o.n == 8


def test_env_var_int_inside_list(monkeypatch):
    class Ports(dg.ConfigurableResource):
        ports: list[int]

    monkeypatch.setenv(INT_VAR, "81")
    declared = Ports(ports=[80, dg.EnvVar.int(INT_VAR)])
    with dg.build_resources({"p": declared}) as res:
        assert res.p.ports == [80, 81]
    assert type(declared.ports[1]) is IntEnvVar


def test_a_legacy_resource_without_a_schema_gets_env_forms_as_plain_dicts(monkeypatch):
    monkeypatch.delenv("RESNB_T_UNSET", raising=False)

    @dg.resource
    def raw(context):
        return context.resource_config

    with dg.build_resources(
        {"raw": raw}, resource_config={"raw": {"config": {"env": "RESNB_T_UNSET"}}}
    ) as built:
        assert built.raw == {"env": "RESNB_T_UNSET"} and type(built.raw) is dict
