"""``%resource_graph`` output files and formats: --format and --output agree, errors name the path."""

from __future__ import annotations

import base64

import pytest
from IPython.core.error import UsageError

from resnb.notebook.render import find_renderer

CELL = """
import resnb as dg

class Store(dg.ConfigurableResource):
    path: str = "x"

@dg.asset
def first(store: Store) -> int:
    return 1

store = Store()
"""

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no dot and no graphviz-pure")


@pytest.fixture
def nb(ip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ip.run_cell(CELL)
    ip.run_line_magic("load_defs", "")
    return ip


@pytest.mark.parametrize(
    "line", ["--format dot --output g.svg", "-f svg -O g.png", "-f png -O g.dot", "-f dot -O g.png"]
)
def test_format_and_output_that_disagree_are_refused_naming_both(nb, tmp_path, line):
    fmt, output = line.split()[1], line.split()[3]
    with pytest.raises(UsageError, match=f"--format {fmt} and --output {output} disagree"):
        nb.run_line_magic("resource_graph", line)
    assert not (tmp_path / output).exists()


def test_output_alone_follows_its_suffix(nb, tmp_path):
    view = nb.run_line_magic("resource_graph", "--output g.dot")
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert view.svg is None and "digraph" in view._repr_mimebundle_()["text/html"]


@needs_renderer
def test_output_alone_as_svg_and_png(nb, tmp_path):
    nb.run_line_magic("resource_graph", "--output g.svg")
    nb.run_line_magic("resource_graph", "--output g.png")
    nb.run_line_magic("resource_graph", "--format dot --output g.gv")
    assert (tmp_path / "g.svg").read_text().lstrip().startswith(("<svg", "<?xml"))
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "g.gv").read_text().startswith("digraph")


def test_an_unwritable_output_is_a_usage_error_naming_the_path(nb, tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "f.dot"
    with pytest.raises(UsageError, match=f"--output {missing}: cannot write the file"):
        nb.run_line_magic("resource_graph", f"--output {missing}")


def test_an_unknown_suffix_says_to_give_format(nb):
    with pytest.raises(UsageError, match="give --format svg, png or dot") as info:
        nb.run_line_magic("resource_graph", "--output f.jpg")
    assert "fmt=" not in str(info.value)


def test_an_unknown_suffix_with_a_format_is_written_in_that_format(nb, tmp_path):
    nb.run_line_magic("resource_graph", "--format dot --output graph.txt")
    assert (tmp_path / "graph.txt").read_text().startswith("digraph")


@needs_renderer
def test_png_is_a_graph_view_with_a_meaningful_text(nb):
    view = nb.run_line_magic("resource_graph", "--format png")
    bundle = view._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    assert bundle["text/plain"] == "resource graph: 1 resource, 1 asset, 1 edge"
    assert "image/svg+xml" not in bundle and repr(view).endswith("; png>")
