"""``EnvVar`` and ``EnvVar.int`` (reference section 2).

Never resolved at definition time, resolved at every build (a changed variable gives a changed value), the
constructed object never mutated. An unset variable is a config error naming the variable, the resource key and
the field; a non-integer for ``EnvVar.int`` says so.
"""

import pickle

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


def test_no_env_var_hint_for_a_plain_string_or_another_field_type():
    class Other(dg.ConfigurableResource):
        port: int = 1
        ratio: float = 1.0

    for kwargs in ({"port": "not a number"}, {"ratio": dg.EnvVar("R")}):
        with pytest.raises(ValidationError) as info:
            Other(**kwargs)
        assert "EnvVar.int" not in str(info.value)


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
    assert "Set it" in text


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
    assert events == [("setup", "a"), ("teardown", "a")]


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
