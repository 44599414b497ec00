"""Secrets never appear in any output of any magic: a planted value is searched for everywhere.

The resource below holds the sentinel three ways: ``Field(exclude=True)``, ``SecretStr`` and an
``EnvVar`` whose value is the sentinel; a partial and a configured ``@resource`` hold it too.
Every magic is run, successfully and with errors, and everything it produced is searched: return
values in every MIME type, reprs, printed text, display publications, logs, error messages and
the widgets of the form.
"""

import logging

import pytest
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.error import UsageError

from resnb.errors import ResnbError

SENTINEL = "Sentinel-Value-7f3a9c"
ENV_NAME = "RESNB_TEST_SECRET_VAR"

PROJECT = f'''
import resnb as dg
from pydantic import Field, SecretStr


class Api(dg.ConfigurableResource):
    url: str = "https://example.invalid"
    key: str = Field(exclude=True)
    token: SecretStr
    password: str
    pin: int = Field(default=0, exclude=True)


class Inner(dg.Config):
    secret: SecretStr


class Holder(dg.ConfigurableResource):
    inner: Inner
    later: str = Field(default="", exclude=True)


@dg.resource(config_schema={{"password": str}})
def legacy(context):
    return context.resource_config["password"]


@dg.asset
def data(api: Api) -> int:
    return len(api.key) + len(api.token.get_secret_value()) + len(api.password)


@dg.asset
def uses_all(data: int, holder: Holder, legacy: dg.ResourceParam[str], partial: Holder) -> int:
    return data + 1


defs = dg.Definitions(
    assets=[data, uses_all],
    resources={{
        "api": Api(key="{SENTINEL}", token="{SENTINEL}", password=dg.EnvVar("{ENV_NAME}")),
        "holder": Holder(inner=Inner(secret="{SENTINEL}"), later="{SENTINEL}"),
        "legacy": legacy.configured({{"password": "{SENTINEL}"}}),
        "partial": Holder.configure_at_launch(inner={{"secret": "{SENTINEL}"}}, later="{SENTINEL}"),
    }},
)
'''


class Outputs:
    """Everything the magics produced, as text."""

    def __init__(self, ip):
        self.ip = ip
        self.texts: list[str] = []

    def add_value(self, value) -> None:
        data, metadata = self.ip.display_formatter.format(value)
        self.texts.extend(str(item) for item in data.values())
        self.texts.append(repr(value))
        form_widget = getattr(value, "widget", None)
        if form_widget is not None:
            self.texts.extend(widget_texts(form_widget))

    def run(self, line: str) -> None:
        magic, _, rest = line.partition(" ")
        try:
            self.add_value(self.ip.run_line_magic(magic, rest))
        except (UsageError, ResnbError) as exc:
            self.texts.append(str(exc))
            self.texts.append(repr(exc))


def widget_texts(widget) -> list[str]:
    texts = []
    for name in ("value", "placeholder", "description", "tooltip"):
        texts.append(str(getattr(widget, name, "")))
    for child in getattr(widget, "children", ()):
        texts.extend(widget_texts(child))
    return texts


@pytest.fixture
def project(ip, make_package, monkeypatch):
    monkeypatch.setenv(ENV_NAME, SENTINEL)
    package = make_package(project=PROJECT)
    ip.display_pub = CapturingDisplayPublisher()
    return f"{package}.project"


def test_the_sentinel_appears_in_no_output(ip, project, capsys, caplog):
    caplog.set_level(logging.DEBUG, logger="resnb")
    outputs = Outputs(ip)
    ip.run_line_magic("config", "Resnb.log_level = 'DEBUG'")
    for line in [
        f"load_defs {project}",
        "resources",
        "resource_graph --format dot",
        "resource_graph",
        "build_resources api holder legacy",
        f"build_resources api --config api.url=https://other.invalid api.pin={SENTINEL}",
        f"build_resources api --config api.pin={SENTINEL}x",
        f'build_resources api --config-json \'{{"api": {{"pin": "{SENTINEL}"}}}}\'',
        "build_resources api --config api.nope=1",
        "build_resources partial",
        "build_resources --form",
        "build_resources api --form",
        "materialize data",
        "materialize uses_all",
        "asset_value data",
        "resnb_status",
        "reload_defs",
        "teardown_resources api",
        "teardown_resources",
    ]:
        outputs.run(line)
    ip.run_cell("%resources")  # through the display hook too
    ip.run_cell("%resnb_status")
    printed = capsys.readouterr()
    published = [str(o["data"]) for o in ip.display_pub.outputs]
    everything = "\n".join([*outputs.texts, printed.out, printed.err, *published, caplog.text])
    assert "api" in everything and ENV_NAME in everything  # the outputs are really there
    assert SENTINEL not in everything


def test_unset_env_var_error_names_the_variable_only(ip, project, monkeypatch):
    ip.run_line_magic("load_defs", project)
    monkeypatch.delenv(ENV_NAME)
    with pytest.raises(UsageError, match=ENV_NAME) as info:
        ip.run_line_magic("build_resources", "api")
    assert SENTINEL not in str(info.value)


def test_bad_config_holding_the_secret_is_not_echoed(ip, project, monkeypatch):
    ip.run_line_magic("load_defs", project)
    monkeypatch.setenv(ENV_NAME, SENTINEL)
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("build_resources", f"api --config api.token={SENTINEL} api.url=1 api.pin=x")
    assert SENTINEL not in str(info.value)
