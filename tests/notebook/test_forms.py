"""``ResourceForm``: widgets generated from resource models, and their headless twins."""

import enum
from typing import Literal

import pytest
from pydantic import Field, SecretStr

import resnb as dg
from resnb.notebook.config_args import ConfigArgError, to_resource_config
from resnb.notebook.forms import ResourceForm

ipywidgets = pytest.importorskip("ipywidgets")

SENTINEL = "SENTINEL-9f3c"


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Retry(dg.Config):
    attempts: int = Field(3, gt=0, description="how many tries")
    mode: Literal["fast", "safe"] = "fast"


class Warehouse(dg.ConfigurableResource):
    host: str
    port: int = Field(5432, description="TCP port")
    ratio: float = 1.0
    verbose: bool = False
    password: SecretStr = SecretStr(SENTINEL + "-pw")
    token: str = Field(SENTINEL + "-tok", exclude=True)
    color: Color = Color.RED
    tags: list[str] = []
    limit: int | None = None
    retry: Retry = Retry()
    user: str = "anon"


class Inner(dg.ConfigurableResource):
    x: int


class Outer(dg.ConfigurableResource):
    shared: Inner
    inline: Inner
    y: int = 2


class Small(dg.ConfigurableResource):
    host: str
    port: int = 5432
    password: SecretStr = Field(SecretStr("initial-secret"), min_length=8)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _inputs(form):
    """Editable widgets by description (field name), as a user sees them."""
    skip = (ipywidgets.Box, ipywidgets.HTML, ipywidgets.Button)
    return {w.description: w for w in _walk(form.widget) if not isinstance(w, skip)}


def _labels(dropdown):
    return [label for label, _ in dropdown.options]


def _html_texts(form):
    return [w.value for w in _walk(form.widget) if isinstance(w, ipywidgets.HTML)]


def _everything_shown(form):
    """Every synced trait of every widget, plus the display bundle and repr."""
    states = [repr(w.get_state()) for w in _walk(form.widget)]
    return "\n".join([*states, repr(form._repr_mimebundle_()), repr(form), form.describe()])


@pytest.fixture
def built():
    return []


@pytest.fixture
def form(env, built):
    env.setenv("WH_USER", SENTINEL + "-env")
    definitions = {"wh": Warehouse(host="db.local", user=dg.EnvVar("WH_USER"))}
    return ResourceForm(definitions, ["wh"], on_build=lambda config: built.append(config) or "done")


# -- widgets by field type -------------------------------------------------------------------------
def test_widget_kind_per_field_type(form):
    kinds = {name: type(w).__name__ for name, w in _inputs(form).items()}

    assert kinds == {
        "host": "Text",
        "port": "IntText",
        "ratio": "FloatText",
        "verbose": "Checkbox",
        "password": "Password",
        "token": "Password",
        "color": "Dropdown",
        "tags": "Text",
        "limit": "Text",
        "attempts": "IntText",
        "mode": "Dropdown",
        "user": "Text",
    }


def test_widgets_show_the_definition_values(form):
    inputs = _inputs(form)

    assert (inputs["host"].value, inputs["port"].value, inputs["ratio"].value) == ("db.local", 5432, 1.0)
    assert inputs["color"].value is Color.RED and _labels(inputs["mode"]) == ["fast", "safe"]
    assert inputs["tags"].value == "[]" and inputs["limit"].value == ""


def test_descriptions_become_tooltips(form):
    inputs = _inputs(form)

    assert "TCP port" in inputs["port"].tooltip and "how many tries" in inputs["attempts"].tooltip


def test_secret_widgets_start_empty_and_secrets_are_shown_nowhere(form):
    inputs = _inputs(form)

    assert inputs["password"].value == "" and inputs["token"].value == ""
    assert SENTINEL not in _everything_shown(form)


def test_envvar_field_shows_the_name_only(form):
    user = _inputs(form)["user"]

    assert user.value == "" and user.placeholder == "from $WH_USER"
    assert "from $WH_USER" in user.tooltip
    assert "user[from $WH_USER]" in form.describe()
    assert SENTINEL not in _everything_shown(form)


def test_one_section_per_key_and_nested_resources_as_links():
    partial = Inner.configure_at_launch()
    definitions = {"inner": partial, "outer": Outer(shared=partial, inline=Inner(x=1))}

    form = ResourceForm(definitions, ["inner", "outer"], on_build=lambda config: None)

    texts = " ".join(_html_texts(form))
    assert "inner <code>Inner.configure_at_launch()</code>" in texts and "outer <code>Outer</code>" in texts
    anchor = form._anchor("inner")
    assert f"<h4 id='{anchor}'" in texts
    assert f"<b>shared</b>: uses resource <a href='#{anchor}'>inner</a>" in texts
    assert "<b>inline</b>: inline Inner" in texts
    assert set(_inputs(form)) == {"x", "y"}


def test_nested_resource_shared_by_object_or_reference_names_its_key():
    inner = Inner(x=2)
    definitions = {
        "inner": inner,
        "by_object": Outer(shared=inner, inline=Inner(x=1)),
        "by_key": Outer(shared=dg.ResourceParam("inner"), inline=Inner(x=1)),
    }

    linked = " ".join(_html_texts(ResourceForm(definitions, ["inner", "by_object"], on_build=print)))
    alone = " ".join(_html_texts(ResourceForm(definitions, ["by_key"], on_build=print)))

    assert "<b>shared</b>: uses resource <a href='#resnb-form-" in linked
    assert "<b>shared</b>: uses resource inner (build it with %build_resources inner)" in alone


def test_optional_choice_and_bool_offer_none():
    class Opt(dg.ConfigurableResource):
        level: Literal["a", "b"] | None = None
        strict: bool | None = None

    form = ResourceForm({"opt": Opt()}, ["opt"], on_build=lambda config: None)

    inputs = _inputs(form)
    assert _labels(inputs["level"]) == ["(none)", "a", "b"] and inputs["level"].value is None
    assert type(inputs["strict"]).__name__ == "Dropdown" and inputs["strict"].value is None


def test_resource_without_config_says_why():
    form = ResourceForm({"plain": 5}, ["plain"], on_build=lambda config: None)

    assert any("No config to set: it is a plain value" in text for text in _html_texts(form))
    assert form.describe() == "form for plain ()"


# -- text/plain and the display bundle -----------------------------------------------------------
def test_text_plain_describes_the_form():
    form = ResourceForm({"warehouse": Small(host="h")}, ["warehouse"], on_build=lambda config: None)

    bundle = form._repr_mimebundle_()

    assert bundle["text/plain"] == "form for warehouse (host, port, password[secret])"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_mimebundle_honours_include_and_exclude(form):
    assert set(form._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert "text/plain" not in form._repr_mimebundle_(exclude=["text/plain"])


def test_text_plain_marks_nested_config_and_resources():
    definitions = {"inner": Inner(x=1), "outer": Outer(shared=dg.ResourceParam("inner"), inline=Inner(x=1))}

    form = ResourceForm(definitions, ["outer"], on_build=lambda config: None)

    assert form.describe() == "form for outer (shared[uses resource inner], inline[inline Inner], y)"


# -- fill and build ------------------------------------------------------------------------------
def test_values_are_only_what_differs_from_the_definition(form):
    assert form.values() == {}

    form.fill("wh", port=5433, host="db.local", retry={"mode": "safe"})

    assert form.values() == {"wh": {"port": 5433, "retry": {"mode": "safe"}}}


def test_fill_and_build_call_on_build_with_typed_config(form, built):
    form.fill("wh", port="6000", verbose=True, color="blue", tags='["a"]', limit="7", password="new-secret")
    form.fill("wh", retry={"attempts": 4}, user="alice")

    result = form.build()

    assert result == "done" and form.last_result == "done" and form.errors == {}
    config = built[-1]["wh"]
    assert {k: v for k, v in config.items() if k != "password"} == {
        "port": 6000,
        "verbose": True,
        "color": Color.BLUE,
        "tags": ["a"],
        "limit": 7,
        "retry": {"attempts": 4},
        "user": "alice",
    }
    assert config["password"].get_secret_value() == "new-secret"


def test_typed_secrets_leave_the_widgets_at_build_and_are_kept_for_the_next(form, built):
    form.fill("wh", password=SENTINEL + "-typed", user=SENTINEL + "-user", tags="[oops")
    with pytest.raises(ConfigArgError):
        form.build()

    assert SENTINEL not in _everything_shown(form), "saved widget state must not hold a typed secret"
    password = _inputs(form)["password"]
    assert password.value == "" and "kept" in password.placeholder
    form.fill("wh", tags='["ok"]')
    form.build()
    config = built[-1]["wh"]
    assert (
        config["password"].get_secret_value() == SENTINEL + "-typed" and config["user"] == SENTINEL + "-user"
    )
    form.fill("wh", password="replaced-secret")
    form.build()
    assert built[-1]["wh"]["password"].get_secret_value() == "replaced-secret"
    assert SENTINEL not in _everything_shown(form)


def test_built_config_completes_over_the_definition(form, built):
    form.fill("wh", port=1)
    form.build()

    resource_config = to_resource_config(form.definitions, built[-1])

    values = resource_config["wh"]["config"]
    assert values["port"] == 1 and values["host"] == "db.local"
    assert values["user"] == dg.EnvVar("WH_USER")


def test_optional_text_emptied_is_none():
    class Opt(dg.ConfigurableResource):
        limit: int | None = 5

    built = []
    form = ResourceForm({"opt": Opt()}, ["opt"], on_build=built.append)
    form.fill("opt", limit="")
    form.build()

    assert built == [{"opt": {"limit": None}}]


def test_validation_errors_are_per_field_and_block_the_build(form, built):
    form.fill("wh", tags="[not json", retry={"attempts": 0})

    with pytest.raises(ConfigArgError) as info:
        form.build()

    assert built == []
    assert set(form.errors) == {("wh", "tags"), ("wh", "retry.attempts")}
    assert "Give a JSON list" in form.errors[("wh", "tags")]
    assert "greater than 0" in form.errors[("wh", "retry.attempts")]
    assert {p.field for p in info.value.problems} == {"tags", "retry.attempts"}
    shown = " ".join(_html_texts(form))
    assert "greater than 0" in shown and "Not built: 2 problems" in shown


def test_errors_clear_after_a_successful_build(form, built):
    form.fill("wh", tags="[oops")
    with pytest.raises(ConfigArgError):
        form.build()

    form.fill("wh", tags='["ok"]')
    form.build()

    assert form.errors == {} and not any("Give a JSON list" in text for text in _html_texts(form))


def test_secret_validation_error_does_not_leak_the_value():
    built = []
    form = ResourceForm({"warehouse": Small(host="h")}, ["warehouse"], on_build=built.append)
    form.fill("warehouse", password="short7!")

    with pytest.raises(ConfigArgError) as info:
        form.build()

    message = form.errors[("warehouse", "password")]
    assert "at least 8" in message and "short7!" not in message and "not 7" not in message
    assert "short7!" not in str(info.value)
    assert "short7!" not in " ".join(_html_texts(form))


def test_required_fields_without_value_are_flagged_next_to_the_widget():
    built = []
    form = ResourceForm({"wh": Small.configure_at_launch()}, ["wh"], on_build=built.append)

    with pytest.raises(ConfigArgError):
        form.build()
    assert "required" in form.errors[("wh", "host")] and built == []

    form.fill("wh", host="h")
    form.build()
    assert built == [{"wh": {"host": "h"}}]


def test_fill_rejects_unknown_fields_and_values_a_widget_cannot_hold(form):
    with pytest.raises(ConfigArgError, match=r"field 'prot'.*Did you mean 'port'"):
        form.fill("wh", prot=1)
    with pytest.raises(ConfigArgError, match=r"field 'port': 'abc' cannot be typed into its IntText widget"):
        form.fill("wh", port="abc")
    with pytest.raises(ConfigArgError, match=r"field 'color'.*Dropdown"):
        form.fill("wh", color="green")
    with pytest.raises(ConfigArgError, match="no section for it"):
        form.fill("whh", port=1)


def test_fill_of_a_nested_resource_field_is_an_error():
    definitions = {"inner": Inner(x=1), "outer": Outer(shared=dg.ResourceParam("inner"), inline=Inner(x=1))}
    form = ResourceForm(definitions, ["outer"], on_build=lambda config: None)

    with pytest.raises(
        ConfigArgError, match=r"field 'shared': it is a nested resource \(uses resource inner\)"
    ):
        form.fill("outer", shared=1)


def test_unknown_key_is_an_error_with_a_suggestion():
    with pytest.raises(ConfigArgError, match="Did you mean 'wh'"):
        ResourceForm({"wh": Small(host="h")}, ["whh"], on_build=lambda config: None)


# -- the Build button ------------------------------------------------------------------------------
def test_button_click_builds_and_shows_success(form, built):
    form.fill("wh", port=7000)

    form.button.click()

    assert built == [{"wh": {"port": 7000}}] and form.last_result == "done"
    assert any("Built wh." in text for text in _html_texts(form))


def test_button_click_with_invalid_fields_shows_them_without_raising(form, built):
    form.fill("wh", tags="[")

    form.button.click()

    assert built == [] and isinstance(form.last_error, ConfigArgError)
    assert ("wh", "tags") in form.errors


def test_button_click_shows_a_failing_build_instead_of_raising(env):
    def fail(config):
        raise RuntimeError("database unreachable")

    form = ResourceForm({"wh": Small(host="h")}, ["wh"], on_build=fail)

    form.button.click()

    assert isinstance(form.last_error, RuntimeError)
    assert any("Build failed: RuntimeError: database unreachable" in text for text in _html_texts(form))
    with pytest.raises(RuntimeError):
        form.build()  # the headless twin raises
