"""Fields whose *name* looks secret are masked in the notebook's displays, whatever their type.

``password: str`` given a literal is not a declared secret (no ``SecretStr``, no ``exclude``, no
``EnvVar``), but it is one: ``%resources``, ``%build_resources``, the form and ``%resnb_status``
show it as ``'********'`` with a note saying it was masked by name. A planted sentinel is searched
for in every output. Also: ``%resources`` shows the config an open resource was built with.
"""

import pytest
from IPython.core.displaypub import CapturingDisplayPublisher

from resnb.notebook.describe import NAME_MASK, looks_secret

SENTINEL = "literal-SENTINEL-4b7e"

PROJECT = f"""
import resnb as dg


class Pg(dg.ConfigurableResource):
    host: str = "localhost"
    port: int = 5432
    password: str = ""
    api_key: str = ""
    cache_key: str = ""
    max_tokens: int = 100


@dg.asset
def uses_pg(pg: Pg) -> int:
    return pg.port


defs = dg.Definitions(
    assets=[uses_pg],
    resources={{"pg": Pg(password="{SENTINEL}", api_key="{SENTINEL}", cache_key="{SENTINEL}")}},
)
"""


@pytest.fixture
def pg(ip, make_package):
    package = make_package(project=PROJECT)
    ip.display_pub = CapturingDisplayPublisher()
    ip.run_line_magic("load_defs", f"{package}.project")
    return ip


def _everything(result) -> str:
    bundle = result._repr_mimebundle_()
    return "\n".join([repr(result), *map(str, bundle.values())])


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("password", "x", True),
        ("DB_Password", "x", True),
        ("passwd", "x", True),
        ("client_secret", "x", True),
        ("access_token", "x", True),
        ("apiKey", "x", True),
        ("api_key", "x", True),
        ("private_key", "x", True),
        ("credentials", "x", True),
        ("cache_key", "x", True),
        ("cache_key", 3, False),
        ("max_tokens", 100, False),
        ("host", "x", False),
        ("keyboard", "x", False),
    ],
)
def test_names_that_look_secret(name, value, secret):
    assert looks_secret(name, value) is secret


def test_resources_table_masks_by_name_with_a_note(pg):
    table = pg.run_line_magic("resources", "")
    text = _everything(table)
    assert SENTINEL not in text
    assert f"password={NAME_MASK}" in repr(table) and "port=5432" in repr(table)
    assert "max_tokens=100" in repr(table)
    assert "masked by name" in repr(table) and "masked by name" in table._repr_html_()


def test_built_resources_and_status_mask_by_name(pg):
    built = pg.run_line_magic("build_resources", "pg")
    status = pg.run_line_magic("resnb_status", "")
    shown = _everything(built) + _everything(status)
    assert SENTINEL not in shown
    assert "password=" in repr(built) and "masked by name" in repr(built)
    published = "\n".join(str(o["data"]) for o in pg.display_pub.outputs)
    assert SENTINEL not in published


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_the_form_masks_by_name(pg):
    form = pg.run_line_magic("build_resources", "pg --form")
    states = [repr(w.get_state()) for w in _walk(form.widget)]
    assert SENTINEL not in repr(form) and SENTINEL not in str(form._repr_mimebundle_())
    assert SENTINEL not in "\n".join(states)
    password = next(w for w in _walk(form.widget) if getattr(w, "description", "") == "password")
    assert type(password).__name__ == "Password" and "masked by name" in password.tooltip


def test_building_through_the_form_keeps_a_name_masked_value(pg):
    form = pg.run_line_magic("build_resources", "pg --form")
    form.fill("pg", port=6000)
    built = form.build()
    assert built.pg.port == 6000 and built.pg.password == SENTINEL  # kept, never shown


# -- %resources shows what was built ----------------------------------------------------------------
def test_resources_show_the_built_config_and_mark_overrides(pg):
    pg.run_line_magic("build_resources", "pg --config pg.port=5433 pg.password=other")
    table = pg.run_line_magic("resources", "")
    config = table["pg"].config
    assert "port=5433 (built; declared 5432)" in config
    assert f"password={NAME_MASK} (built; changed)" in config
    assert "host='localhost'" in config and "(built" not in config.split("host=")[1].split(",")[0]
    assert "other" not in _everything(table) and SENTINEL not in _everything(table)


def test_rebuilding_an_open_key_says_it_replaced_the_previous_build(pg):
    first = pg.run_line_magic("build_resources", "pg")
    assert "replaced" not in repr(first)
    again = pg.run_line_magic("build_resources", "pg --config pg.port=1")
    assert "replaced the previous build of pg" in repr(again)
    assert "replaced the previous build of pg" in again._repr_html_()
