"""Typed resource config from ``KEY.FIELD=VALUE`` arguments, JSON and mappings."""

import enum
from typing import Literal, Optional

import pytest
from pydantic import Field, SecretStr

import resnb as dg
from resnb.build.scope import ResourceScope
from resnb.errors import ConfigError, ResnbError
from resnb.notebook.config_args import (
    MISSING,
    ConfigArgError,
    NestedOverride,
    fields_of,
    merge_configs,
    parse_config_args,
    parse_config_json,
    parse_config_mapping,
    to_resource_config,
    validate_config,
)

SECRET = "s3cr3t-SENTINEL"


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Retry(dg.Config):
    attempts: int = Field(3, gt=0)
    mode: Literal["fast", "safe"] = "fast"


class Warehouse(dg.ConfigurableResource):
    """A warehouse connection."""

    host: str
    port: int = 5432
    ratio: float = 1.0
    verbose: bool = False
    password: SecretStr = SecretStr("default-pw")
    token: str = Field("tok", exclude=True)
    color: Color = Color.RED
    level: Literal["low", "high"] = "low"
    tags: list[str] = []
    labels: dict[str, int] = {}
    limit: Optional[int] = None  # noqa: UP045 (typing.Optional on purpose; forms test X | None)
    retry: Retry = Retry()
    user: str = Field("anon", description="login name")


class Inner(dg.ConfigurableResource):
    x: int


class Outer(dg.ConfigurableResource):
    shared: Inner
    inline: Inner
    y: int = 2


class WithPin(dg.ConfigurableResource):
    pin: int = Field(1234, exclude=True, ge=1000)
    code: SecretStr = Field(SecretStr("abcdefgh"), min_length=8)


@dg.resource(
    config_schema={
        "url": str,
        "port": dg.Field(int, default_value=5432, description="server port"),
        "shape": {"width": int},
    }
)
def legacy_db(init_context):
    return dict(init_context.resource_config)


class LegacyConfig(dg.Config):
    name: str
    count: int = 1


@dg.resource(config_schema=LegacyConfig)
def legacy_typed(init_context):
    return dict(init_context.resource_config)


def _warehouse(**kwargs):
    return Warehouse(host="db.local", **kwargs)


def _defs(**extra):
    return {"wh": _warehouse(), **extra}


# -- typing by field kind ------------------------------------------------------------------------
def test_scalars_are_typed_by_the_model():
    result = parse_config_args(["port=5433", "ratio=0.25", "verbose=true", "host=5433"], ["wh"], _defs())

    assert result == {"wh": {"port": 5433, "ratio": 0.25, "verbose": True, "host": "5433"}}
    assert type(result["wh"]["port"]) is int and type(result["wh"]["host"]) is str


def test_false_is_a_bool_not_a_truthy_string():
    assert parse_config_args(["verbose=false"], ["wh"], _defs()) == {"wh": {"verbose": False}}


def test_literal_and_enum_by_value_and_enum_by_name():
    by_value = parse_config_args(["color=blue", "level=high"], ["wh"], _defs())
    by_name = parse_config_args(["color=BLUE"], ["wh"], _defs())

    assert by_value == {"wh": {"color": Color.BLUE, "level": "high"}}
    assert by_name == {"wh": {"color": Color.BLUE}}


def test_list_and_dict_are_given_as_json():
    result = parse_config_args(['tags=["a", "b"]', 'labels={"x": 1}'], ["wh"], _defs())

    assert result == {"wh": {"tags": ["a", "b"], "labels": {"x": 1}}}


def test_optional_takes_empty_or_null_as_none():
    assert parse_config_args(["limit="], ["wh"], _defs()) == {"wh": {"limit": None}}
    assert parse_config_args(["limit=null"], ["wh"], _defs()) == {"wh": {"limit": None}}
    assert parse_config_args(["limit=7"], ["wh"], _defs()) == {"wh": {"limit": 7}}


def test_secretstr_stays_secret():
    result = parse_config_args([f"password={SECRET}"], ["wh"], _defs())

    value = result["wh"]["password"]
    assert isinstance(value, SecretStr) and value.get_secret_value() == SECRET
    assert SECRET not in repr(result)


def test_nested_config_sub_field_by_dotted_path():
    result = parse_config_args(["wh.retry.attempts=5"], ["wh"], _defs())

    assert result == {"wh": {"retry": {"attempts": 5}}}
    assert isinstance(result["wh"]["retry"], NestedOverride)


def test_value_after_the_first_equals_sign_is_kept_whole():
    assert parse_config_args(["host=a=b"], ["wh"], _defs()) == {"wh": {"host": "a=b"}}


# -- keys --------------------------------------------------------------------------------------------
def test_key_prefix_is_required_when_several_keys_are_built():
    defs = _defs(other=_warehouse())

    assert parse_config_args(["other.port=1"], ["wh", "other"], defs) == {"other": {"port": 1}}
    with pytest.raises(ConfigArgError, match=r"does not say which resource.*Write KEY\.port=VALUE"):
        parse_config_args(["port=1"], ["wh", "other"], defs)


def test_unknown_key_suggests_the_closest():
    with pytest.raises(ConfigArgError) as info:
        parse_config_args(["whh.port=1"], ["wh"], _defs())

    assert "resource 'whh'" in str(info.value) and "Did you mean 'wh'?" in str(info.value)
    assert info.value.key == "whh"


def test_key_defined_but_not_built_says_to_add_it():
    defs = _defs(other=_warehouse())

    with pytest.raises(ConfigArgError, match="defined but not being built.*Add 'other'"):
        parse_config_args(["other.port=1"], ["wh"], defs)


# -- errors --------------------------------------------------------------------------------------------
def test_unknown_field_suggests_the_closest_and_lists_fields():
    with pytest.raises(ConfigArgError) as info:
        parse_config_args(["wh.prot=1"], ["wh"], _defs())

    message = str(info.value)
    assert "resource 'wh', field 'prot'" in message
    assert "Did you mean 'port'?" in message and "'host'" in message
    assert (info.value.key, info.value.field) == ("wh", "prot")


def test_unknown_nested_field_names_the_nested_model():
    with pytest.raises(
        ConfigArgError, match=r"field 'retry.mod'.*Retry has no field 'mod'.*Did you mean 'mode'"
    ):
        parse_config_args(["retry.mod=safe"], ["wh"], _defs())


def test_sub_field_of_a_plain_field_is_an_error():
    with pytest.raises(ConfigArgError, match=r"field 'port': it is a field of type int, not a nested config"):
        parse_config_args(["port.x=1"], ["wh"], _defs())


def test_bad_value_names_field_type_value_and_what_to_do():
    with pytest.raises(ConfigArgError) as info:
        parse_config_args(["port=abc"], ["wh"], _defs())

    message = str(info.value)
    assert message.startswith("resource 'wh', field 'port': 'abc' is not a valid int")
    assert "Give a whole number" in message


def test_bad_choice_lists_the_choices():
    with pytest.raises(ConfigArgError, match=r"field 'color'.*Give one of 'red', 'blue'"):
        parse_config_args(["color=green"], ["wh"], _defs())


def test_bad_list_asks_for_json_and_says_to_quote_it_on_a_line():
    with pytest.raises(ConfigArgError, match=r"field 'tags'.*Give a JSON list.*quote the whole item"):
        parse_config_args(["tags=a,b"], ["wh"], _defs())


def test_a_bad_value_of_an_optional_field_says_how_to_give_none():
    with pytest.raises(
        ConfigArgError, match=r"field 'limit'.*Give a whole number.*Leave it empty \(FIELD=\)"
    ):
        parse_config_args(["limit=lots"], ["wh"], _defs())
    with pytest.raises(ConfigArgError) as info:
        parse_config_args(["port=abc"], ["wh"], _defs())
    assert "Leave it empty" not in str(info.value), "not for a required field"


def test_constraint_violation_says_change_the_value():
    with pytest.raises(
        ConfigArgError, match=r"field 'retry.attempts': '0' is not allowed.*greater than 0.*Change the value"
    ):
        parse_config_args(["retry.attempts=0"], ["wh"], _defs())


def test_secret_values_are_never_echoed_in_errors():
    defs = {"pins": WithPin()}

    with pytest.raises(ConfigArgError) as bad_type:
        parse_config_args([f"pin={SECRET}"], ["pins"], defs)
    with pytest.raises(ConfigArgError) as too_short:
        parse_config_args(["code=shrt"], ["pins"], defs)

    assert "field 'pin'" in str(bad_type.value) and "not shown" in str(bad_type.value)
    assert SECRET not in str(bad_type.value)
    assert "field 'code'" in str(too_short.value) and "at least 8" in str(too_short.value)
    assert "shrt" not in str(too_short.value) and "not 4" not in str(too_short.value)


def test_every_bad_item_is_reported_at_once():
    with pytest.raises(ConfigArgError) as info:
        parse_config_args(["port=abc", "colr=red", "verbose=maybe"], ["wh"], _defs())

    assert [p.field for p in info.value.problems] == ["port", "colr", "verbose"]
    assert str(info.value).startswith("3 config problems:")


def test_item_without_equals_sign_shows_the_expected_form():
    with pytest.raises(ConfigArgError, match=r"cannot read config 'port'.*KEY\.FIELD=VALUE"):
        parse_config_args(["port"], ["wh"], _defs())


def test_error_is_a_resnb_config_error_and_a_value_error():
    with pytest.raises(ConfigArgError) as info:
        parse_config_args(["port=abc"], ["wh"], _defs())

    assert isinstance(info.value, ConfigError) and isinstance(info.value, ResnbError)
    assert isinstance(info.value, ValueError)


# -- EnvVar fields ------------------------------------------------------------------------------------
def test_envvar_field_can_be_overridden_with_a_literal(env):
    env.setenv("WH_USER", SECRET)
    defs = {"wh": _warehouse(user=dg.EnvVar("WH_USER"))}

    config = to_resource_config(defs, parse_config_args(["user=alice"], ["wh"], defs))
    scope = ResourceScope(defs, config)
    try:
        assert scope.open()["wh"].user == "alice"
    finally:
        scope.close()


def test_untouched_envvar_fields_stay_references_and_are_read_at_build(env):
    env.setenv("WH_USER", "from-env")
    defs = {"wh": _warehouse(user=dg.EnvVar("WH_USER"))}

    config = to_resource_config(defs, parse_config_args(["port=5433"], ["wh"], defs))
    assert config["wh"]["config"]["user"] == dg.EnvVar("WH_USER")
    assert type(config["wh"]["config"]["user"]) is dg.EnvVar
    scope = ResourceScope(defs, config)
    try:
        built = scope.open()["wh"]
        assert (built.user, built.port, built.host) == ("from-env", 5433, "db.local")
    finally:
        scope.close()


def test_bad_literal_for_an_int_envvar_field_does_not_echo_it(env):
    class Svc(dg.ConfigurableResource):
        port: int

    env.setenv("SVC_PORT", "1")
    defs = {"svc": Svc(port=dg.EnvVar.int("SVC_PORT"))}

    with pytest.raises(ConfigArgError) as info:
        parse_config_args([f"port={SECRET}"], ["svc"], defs)
    assert "field 'port'" in str(info.value) and SECRET not in str(info.value)


# -- completing into resource_config --------------------------------------------------------------
def test_partial_update_keeps_the_constructed_values():
    defs = {"wh": _warehouse(port=6000, retry=Retry(mode="safe"))}

    config = to_resource_config(defs, parse_config_args(["retry.attempts=9", "verbose=true"], ["wh"], defs))
    scope = ResourceScope(defs, config)
    try:
        built = scope.open()["wh"]
    finally:
        scope.close()
    assert (built.host, built.port, built.verbose) == ("db.local", 6000, True)
    assert (built.retry.attempts, built.retry.mode) == (9, "safe")


def test_validate_config_returns_every_field_of_a_configurable_resource():
    config = validate_config("wh", _warehouse(), {"port": "7000"})

    assert config["port"] == 7000 and config["host"] == "db.local"
    assert set(config) == set(Warehouse.model_fields)


def test_validate_config_reports_every_problem_by_field():
    with pytest.raises(ConfigArgError) as info:
        validate_config("wh", _warehouse(), {"port": "x", "retry": {"attempts": -1}})

    assert [p.field for p in info.value.problems] == ["port", "retry.attempts"]


def test_partial_resource_is_completed_from_config():
    defs = {"inner": Inner.configure_at_launch()}

    config = to_resource_config(defs, parse_config_args(["x=4"], ["inner"], defs))
    scope = ResourceScope(defs, config)
    try:
        assert scope.open()["inner"].x == 4
    finally:
        scope.close()


def test_partial_resource_missing_field_is_named_when_completing():
    defs = {"wh": Warehouse.configure_at_launch(port=1)}

    overrides = parse_config_args(["verbose=true"], ["wh"], defs)  # host may still come from elsewhere
    with pytest.raises(ConfigArgError, match=r"resource 'wh', field 'host': required"):
        to_resource_config(defs, overrides)


def test_legacy_dict_schema_is_typed_and_builds():
    defs = {"db": legacy_db}

    overrides = parse_config_args(["url=sqlite://", "port=1", "shape.width=3"], ["db"], defs)
    assert overrides == {"db": {"url": "sqlite://", "port": 1, "shape": {"width": 3}}}
    scope = ResourceScope(defs, to_resource_config(defs, overrides))
    try:
        assert scope.open()["db"] == {"url": "sqlite://", "port": 1, "shape": {"width": 3}}
    finally:
        scope.close()


def test_legacy_config_class_schema_is_typed_and_builds():
    defs = {"typed": legacy_typed}

    scope = ResourceScope(defs, to_resource_config(defs, parse_config_args(["name=n"], ["typed"], defs)))
    try:
        assert scope.open()["typed"] == {"name": "n", "count": 1}
    finally:
        scope.close()
    with pytest.raises(ConfigArgError, match=r"field 'count': 'many' is not a valid int"):
        parse_config_args(["count=many"], ["typed"], defs)


def test_resources_without_field_config_say_why():
    defs = {
        "plain": 5,
        "text": dg.ResourceDefinition.string_resource(),
        "fixed": legacy_db.configured({"url": "u", "shape": {"width": 1}}),
    }

    for key, reason in [("plain", "plain value"), ("text", "single value"), ("fixed", r"\.configured")]:
        with pytest.raises(ConfigArgError, match=f"resource '{key}': it takes no config here: .*{reason}"):
            parse_config_args([f"{key}.x=1"], list(defs), defs)


def test_nested_resource_fields_are_not_editable():
    partial = Inner.configure_at_launch()
    defs = {"inner": partial, "outer": Outer(shared=partial, inline=Inner(x=1)), "ref": None}
    defs["ref"] = Outer(shared=dg.ResourceParam("inner"), inline=Inner(x=1))

    with pytest.raises(
        ConfigArgError, match=r"field 'shared': it is a nested resource \(uses resource 'inner'\)"
    ):
        parse_config_args(["outer.shared=1"], list(defs), defs)
    with pytest.raises(ConfigArgError, match=r"field 'inline': it is a nested resource \(inline Inner\)"):
        parse_config_args(["ref.inline.x=1"], list(defs), defs)


# -- JSON and mappings ------------------------------------------------------------------------------
def test_json_keyed_and_single_key_forms():
    defs = _defs()

    keyed = parse_config_json('{"wh": {"port": 5433, "color": "blue"}}', ["wh"], defs)
    bare = parse_config_json('{"port": "5433", "retry": {"mode": "safe"}}', ["wh"], defs)

    assert keyed == {"wh": {"port": 5433, "color": Color.BLUE}}
    assert bare == {"wh": {"port": 5433, "retry": {"mode": "safe"}}}


def test_json_accepts_the_run_config_form_and_env_references():
    defs = _defs()

    result = parse_config_json('{"wh": {"config": {"user": {"env": "OTHER_USER"}}}}', ["wh"], defs)

    assert result == {"wh": {"user": dg.EnvVar("OTHER_USER")}}
    assert type(result["wh"]["user"]) is dg.EnvVar


def test_json_with_several_keys_needs_the_keyed_form():
    defs = _defs(other=_warehouse())

    result = parse_config_json('{"other": {"tags": ["x"]}}', ["wh", "other"], defs)
    assert result == {"other": {"tags": ["x"]}}
    with pytest.raises(ConfigArgError, match="'port' is given a value, but with several resources built"):
        parse_config_json('{"port": 1}', ["wh", "other"], defs)
    with pytest.raises(ConfigArgError, match="config names resource 'nope'"):
        parse_config_json('{"nope": {"port": 1}}', ["wh", "other"], defs)


def test_one_key_built_a_misspelt_or_unbuilt_key_table_is_named_as_a_key():
    defs = _defs(other=_warehouse())

    with pytest.raises(ConfigArgError, match="config names resource 'whx'.*Did you mean 'wh'"):
        parse_config_mapping({"whx": {"port": 1}}, ["wh"], defs)
    with pytest.raises(ConfigArgError, match="'other', which is defined but not being built"):
        parse_config_mapping({"other": {"port": 1}}, ["wh"], defs)
    assert parse_config_mapping({"port": 1}, ["wh"], defs) == {"wh": {"port": 1}}
    assert parse_config_mapping({"config": {"port": 2}}, ["wh"], defs) == {"wh": {"port": 2}}


def test_dagsters_run_config_shape_is_accepted():
    defs = _defs(other=_warehouse())

    result = parse_config_mapping({"resources": {"wh": {"config": {"port": 3}}}}, ["wh"], defs)
    assert result == {"wh": {"port": 3}}


def test_invalid_json_gives_line_and_column_without_echoing_the_text():
    text = '{"password": "' + SECRET + '",\n "port": }'

    with pytest.raises(ConfigArgError) as info:
        parse_config_json(text, ["wh"], _defs())

    assert "line 2, column 10" in str(info.value) and SECRET not in str(info.value)


def test_json_errors_name_the_field():
    with pytest.raises(ConfigArgError, match=r"field 'retry.attempts': 'x' is not a valid int"):
        parse_config_json('{"retry": {"attempts": "x"}}', ["wh"], _defs())
    with pytest.raises(ConfigArgError, match=r"field 'prot'.*Did you mean 'port'"):
        parse_config_json('{"prot": 1}', ["wh"], _defs())


def test_mapping_entry_must_be_an_object():
    with pytest.raises(ConfigArgError, match="resource 'wh': its config must be an object"):
        parse_config_mapping({"wh": 5}, ["wh"], _defs())


# -- merging -------------------------------------------------------------------------------------------
def test_merge_later_wins_per_field():
    merged = merge_configs({"wh": {"port": 1, "host": "a"}}, {"wh": {"port": 2}}, {"other": {"x": 1}})

    assert merged == {"wh": {"port": 2, "host": "a"}, "other": {"x": 1}}


def test_merge_nested_config_per_sub_field_and_plain_dicts_replace():
    first = parse_config_args(["retry.attempts=5", 'labels={"a": 1}'], ["wh"], _defs())
    second = parse_config_json('{"retry": {"mode": "safe"}, "labels": {"b": 2}}', ["wh"], _defs())

    merged = merge_configs(first, second)

    assert merged == {"wh": {"retry": {"attempts": 5, "mode": "safe"}, "labels": {"b": 2}}}


# -- fields_of -------------------------------------------------------------------------------------------
def test_fields_of_reports_kind_and_state_of_every_field(env):
    env.setenv("WH_USER", SECRET)
    fields = fields_of(Warehouse(host="h", user=dg.EnvVar("WH_USER")))

    kinds = {name: spec.kind for name, spec in fields.items()}
    assert kinds == {
        "host": "str",
        "port": "int",
        "ratio": "float",
        "verbose": "bool",
        "password": "secret",
        "token": "secret",
        "color": "choice",
        "level": "choice",
        "tags": "text",
        "labels": "text",
        "limit": "int",
        "retry": "config",
        "user": "str",
    }
    assert fields["limit"].optional and not fields["port"].optional
    assert fields["user"].env_var == "WH_USER" and fields["user"].sensitive
    assert fields["user"].description == "login name"
    assert fields["level"].choices == ("low", "high")
    assert set(fields["retry"].fields) == {"attempts", "mode"}
    assert fields["retry"].fields["attempts"].path == "retry.attempts"
    assert SECRET not in repr(fields) and "default-pw" not in repr(fields)


def test_fields_of_class_and_partial_show_required_fields():
    assert fields_of(Warehouse)["host"].current is MISSING
    assert fields_of(Warehouse)["host"].required
    partial = fields_of(Warehouse.configure_at_launch(host="h"))
    assert partial["host"].current == "h" and not partial["host"].required


def test_fields_of_nested_resources_say_what_they_use():
    partial = Inner.configure_at_launch()
    shared = {"inner": partial}

    by_partial = fields_of(Outer(shared=partial, inline=Inner(x=1)), shared=shared)
    by_param = fields_of(Outer(shared=dg.ResourceParam("inner"), inline=Inner(x=1)))

    assert by_partial["shared"].kind == "resource" and not by_partial["shared"].editable
    assert by_partial["shared"].uses == "resource inner"
    assert by_param["shared"].uses == "resource inner"
    assert by_param["inline"].uses == "inline Inner"


def test_fields_of_legacy_schema_carries_descriptions_and_defaults():
    fields = fields_of(legacy_db)

    assert fields["port"].description == "server port" and fields["port"].current == 5432
    assert fields["url"].required and fields["shape"].kind == "config"
    assert fields_of(legacy_db.configured({"url": "u", "shape": {"width": 1}})) == {}
    assert fields_of(5) == {}
