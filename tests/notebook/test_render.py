"""Drawing the resource/asset graph: DOT text, selection, static SVG/PNG, and the display object."""

from __future__ import annotations

import importlib.metadata
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pydantic import Field, SecretStr

import resnb as dg
from resnb.build.lineage import dependency_graph
from resnb.core.graph import DependencyGraph
from resnb.errors import InvalidSubsetError, ResnbError
from resnb.notebook import renderer as render_module
from resnb.notebook.render import (
    INSTALL_HINT,
    STATE_COLORS,
    STATES,
    GraphRenderError,
    GraphView,
    find_renderer,
    graph_to_dot,
    graph_view,
    layout_size,
    render,
    select_graph,
    static_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="uses a shell script as a fake renderer")


class Warehouse(dg.ConfigurableResource):
    url: str


class Api(dg.ConfigurableResource):
    warehouse: Warehouse


def _defs() -> dg.Definitions:
    """warehouse -> api -> raw -> clean -> {report, other}; report needs a key nobody provides;
    a job ping -> pong uses warehouse."""

    @dg.asset
    def raw(api: Api) -> int:
        return 1

    @dg.asset
    def clean(raw: int, warehouse: Warehouse) -> int:
        return raw

    @dg.asset(required_resource_keys={"missing_key"})
    def report(context, clean: int) -> int:
        return clean

    @dg.asset
    def other(clean: int) -> int:
        return clean

    @dg.op
    def ping(warehouse: Warehouse) -> int:
        return 1

    @dg.op
    def pong(x: int) -> None:
        return None

    @dg.job
    def ping_job():
        pong(ping())

    return dg.Definitions(
        assets=[raw, clean, report, other],
        jobs=[ping_job],
        resources={
            "warehouse": Warehouse(url="sqlite://"),
            "api": Api(warehouse=dg.ResourceParam("warehouse")),
        },
    )


@pytest.fixture
def graph() -> DependencyGraph:
    return dependency_graph(_defs())


@pytest.fixture
def no_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_module, "find_renderer", lambda: None)


def node_line(dot: str, name: str) -> str:
    """The DOT statement that declares node ``name``."""
    lines = [line for line in dot.splitlines() if line.strip().startswith(f'"{name}" [')]
    assert len(lines) == 1, (name, lines)
    return lines[0]


def svg_node_titles(svg: str) -> list[str]:
    """The title (node name) of every ``<g class="node">`` in an SVG document."""
    root = ET.fromstring(svg)
    return [group.findtext(f"{SVG}title") for group in root.iter(f"{SVG}g") if group.get("class") == "node"]


def fake_renderer(tmp_path: Path, name: str, body: str) -> Path:
    """An executable shell script standing in for ``dot``."""
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


# ----------------------------------------------------------------------------------------------
# DOT
# ----------------------------------------------------------------------------------------------


def test_dot_is_left_to_right_with_a_shape_per_kind(graph):
    dot = graph_to_dot(graph)
    assert dot.startswith('digraph "resnb" {\n  graph [rankdir="LR"];')
    assert 'shape="ellipse"' in node_line(dot, "resource:warehouse")
    assert 'shape="box"' in node_line(dot, "raw") and "style=" not in node_line(dot, "raw")
    assert 'shape="box"' in node_line(dot, "ping_job.ping")
    assert 'style="rounded"' in node_line(dot, "ping_job.ping")


def test_resources_are_labelled_with_key_and_type_and_steps_with_their_names(graph):
    dot = graph_to_dot(graph)
    assert 'label="warehouse\\nWarehouse"' in node_line(dot, "resource:warehouse")
    assert 'label="api\\nApi"' in node_line(dot, "resource:api")
    assert 'label="clean"' in node_line(dot, "clean")
    assert 'label="ping"' in node_line(dot, "ping_job.ping")


def test_edges_run_from_resources_and_upstream_assets(graph):
    dot = graph_to_dot(graph)
    for edge in [("resource:warehouse", "resource:api"), ("resource:api", "raw"), ("raw", "clean")]:
        assert f'"{edge[0]}" -> "{edge[1]}";' in dot


def test_states_fill_nodes_with_their_colour(graph):
    states = {
        "raw": "materialized",
        "resource:warehouse": "built",
        "ping_job.ping": "failed",
        "other": "stale",
    }
    dot = graph_to_dot(graph, states=states)
    for name, state in states.items():
        line = node_line(dot, name)
        assert f'fillcolor="{STATE_COLORS[state]}"' in line
        assert "filled" in re.search(r'style="([^"]*)"', line).group(1)
    assert 'style="rounded,filled"' in node_line(dot, "ping_job.ping")
    assert "fillcolor" not in node_line(dot, "clean")


def test_every_state_has_its_own_colour():
    assert set(STATE_COLORS) == set(STATES) == {"built", "materialized", "failed", "stale", "skipped"}
    assert len(set(STATE_COLORS.values())) == len(STATES)


def test_an_unknown_state_names_the_node_and_the_states(graph):
    with pytest.raises(ValueError, match=r"'done' for 'raw'.*'built', 'failed', 'materialized', 'skipped'"):
        graph_to_dot(graph, states={"raw": "done"})


def test_states_of_nodes_outside_the_graph_are_ignored(graph):
    assert graph_to_dot(graph, states={"not-here": "built"}) == graph_to_dot(graph)


def test_a_missing_resource_is_dashed_red_and_says_missing(graph):
    line = node_line(graph_to_dot(graph), "resource:missing_key")
    assert 'label="missing_key\\n(missing)"' in line
    assert 'style="dashed"' in line
    assert 'color="#c62828"' in line and 'fontcolor="#c62828"' in line


def test_the_legend_lists_the_kinds_and_the_states_present(graph):
    dot = graph_to_dot(graph, states={"raw": "failed"})
    legend = dot[dot.index('subgraph "cluster_legend"') :]
    names = re.findall(r'"legend:([^"]+)" \[', legend)
    assert names == ["kind:resource", "kind:asset", "kind:op", "missing", "state:failed"]
    assert f'fillcolor="{STATE_COLORS["failed"]}"' in legend
    assert 'label="missing resource"' in legend


def test_the_legend_leaves_out_kinds_that_are_absent():
    graph = dependency_graph(_defs(), include_resources=False)
    dot = graph_to_dot(graph)
    assert "legend:kind:resource" not in dot and "legend:missing" not in dot
    assert "legend:kind:asset" in dot


def test_legend_false_draws_no_legend(graph):
    assert "cluster_legend" not in graph_to_dot(graph, legend=False)


def test_legend_nodes_never_merge_with_graph_nodes():
    graph = DependencyGraph()
    graph.add_node("legend:kind:asset", "asset")
    dot = graph_to_dot(graph)
    assert node_line(dot, "legend:kind:asset").count('label="legend:kind:asset"') == 1
    assert '"_legend:kind:asset" [' in dot


def test_dot_is_deterministic():
    states = {"raw": "built", "clean": "stale"}
    first = graph_to_dot(dependency_graph(_defs()), states=states)
    assert graph_to_dot(dependency_graph(_defs()), states=dict(reversed(states.items()))) == first


# ----------------------------------------------------------------------------------------------
# selection
# ----------------------------------------------------------------------------------------------


def test_no_selection_is_the_whole_graph(graph):
    assert select_graph(graph, None) is graph
    assert select_graph(graph, "  ") is graph


def test_upstream_selection_brings_the_resources_that_feed_it(graph):
    selected = select_graph(graph, "+clean")
    assert set(selected) == {"raw", "clean", "resource:warehouse", "resource:api"}
    assert ("resource:warehouse", "resource:api") in selected.edges
    assert ("raw", "clean") in selected.edges


def test_downstream_selection(graph):
    assert set(select_graph(graph, "clean+")) == {
        "clean",
        "report",
        "other",
        "resource:warehouse",
        "resource:missing_key",
    }


def test_all_upstream_selection(graph):
    assert set(select_graph(graph, "*report")) == {
        "report",
        "clean",
        "raw",
        "resource:warehouse",
        "resource:api",
        "resource:missing_key",
    }


def test_a_resource_selection_is_the_resource_and_what_uses_it(graph):
    assert set(select_graph(graph, "resource:warehouse+")) == {
        "resource:warehouse",
        "resource:api",
        "clean",
        "ping_job.ping",
    }


def test_several_clauses_are_a_union(graph):
    assert set(select_graph(graph, "raw, ping_job.pong")) == {
        "raw",
        "ping_job.pong",
        "resource:api",
        "resource:warehouse",
    }


def test_an_unknown_name_is_named_with_a_suggestion(graph):
    with pytest.raises(InvalidSubsetError, match=r"'claen'.*Did you mean 'clean'\?"):
        select_graph(graph, "+claen")


def test_a_bare_resource_key_suggests_the_resource_node(graph):
    with pytest.raises(InvalidSubsetError, match=r"'warehouse'.*Did you mean 'resource:warehouse'\?"):
        select_graph(graph, "warehouse+")


def test_graph_view_applies_the_selection():
    view = graph_view(_defs(), select="raw", render_svg=False)
    assert view.kind_counts == {"resource": 2, "asset": 1}
    assert '"clean" [' not in view.dot


# ----------------------------------------------------------------------------------------------
# finding and running the renderer
# ----------------------------------------------------------------------------------------------


def test_the_renderer_is_found():
    renderer = find_renderer()
    assert renderer is not None
    assert os.access(renderer, os.X_OK)


@POSIX_ONLY
def test_a_system_dot_on_path_comes_first(tmp_path, monkeypatch):
    dot = fake_renderer(tmp_path, "dot", "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer() == str(dot)


def test_without_dot_on_path_the_graphviz_pure_binary_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    renderer = find_renderer()
    assert renderer is not None
    assert Path(renderer).name in ("graphviz-pure", "graphviz-pure.exe")


def test_no_renderer_at_all_is_none(tmp_path, monkeypatch):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    assert find_renderer() is None


def test_svg_has_a_node_group_per_node(graph):
    svg = render(graph_to_dot(graph)).decode("utf-8")
    titles = svg_node_titles(svg)
    assert sorted(titles) == sorted(
        [*graph, "legend:kind:resource", "legend:kind:asset", "legend:kind:op", "legend:missing"]
    )


def test_png_bytes(graph):
    assert render(graph_to_dot(graph), "png").startswith(PNG_SIGNATURE)


def test_other_formats_are_refused_naming_the_allowed_ones():
    with pytest.raises(ValueError, match=r"'pdf'.*'png', 'svg'"):
        render("digraph {}", "pdf")


def test_render_without_a_renderer_is_none(no_renderer):
    assert render("digraph {}") is None


def test_a_renderer_failure_carries_its_error_output():
    with pytest.raises(GraphRenderError, match=r"exit status \d+\).*syntax error") as caught:
        render("digraph { a -> }")
    assert isinstance(caught.value, ResnbError)


@POSIX_ONLY
def test_a_failing_renderer_is_named_with_its_status_and_stderr(tmp_path, monkeypatch):
    script = fake_renderer(tmp_path, "dot", "echo 'cannot lay out: out of memory' >&2\nexit 3")
    monkeypatch.setattr(render_module, "find_renderer", lambda: str(script))
    with pytest.raises(GraphRenderError, match=r"\(exit status 3\): cannot lay out: out of memory"):
        render("digraph {}")


# ----------------------------------------------------------------------------------------------
# static SVG
# ----------------------------------------------------------------------------------------------


def test_rendered_svg_is_static(graph):
    svg = graph_view(_defs()).svg
    assert svg.startswith("<svg")
    assert "<script" not in svg and "<!DOCTYPE" not in svg and "<?xml" not in svg
    assert "foreignObject" not in svg
    assert not re.search(r"""href=["'](?!#)""", svg)
    assert not re.search(r"\son\w+=", svg)


def test_static_svg_removes_scripts_handlers_and_external_references():
    hostile = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
        "<script>alert(1)</script>"
        '<g class="node"><title>a</title><a xlink:href="https://evil.example/">'
        '<text xml:space="preserve" onclick="y()">a</text></a><use xlink:href="#a"/></g>'
        '<image href="https://evil.example/p.png"/><foreignObject><div/></foreignObject>'
        '<other:widget xmlns:other="urn:example:other"/>'
        '<rect style="fill:url(https://evil.example/f)" fill="url(#grad)"/>'
        "</svg>"
    )
    cleaned = static_svg(hostile)
    banned = ["script", "alert", "onload", "onclick", "evil.example", "DOCTYPE", "foreignObject", "<image"]
    for text in [*banned, "widget", "urn:example", "ns0:"]:
        assert text not in cleaned
    root = ET.fromstring(cleaned)
    assert root.tag == f"{SVG}svg"
    assert cleaned.startswith("<svg ")
    for kept in ['xlink:href="#a"', 'fill="url(#grad)"', 'xml:space="preserve"', '<g class="node">']:
        assert kept in cleaned


def test_static_svg_refuses_what_is_not_svg():
    with pytest.raises(GraphRenderError, match="not valid SVG"):
        static_svg("<svg><unclosed></svg>")
    with pytest.raises(GraphRenderError, match="root element is 'html'"):
        static_svg("<html></html>")


# ----------------------------------------------------------------------------------------------
# the display object
# ----------------------------------------------------------------------------------------------

SUMMARY = "resource graph: 3 resources, 4 assets, 2 ops, 9 edges"


def test_view_counts_and_summary(graph):
    view = graph_view(_defs())
    assert view.node_count == len(graph) == 9
    assert view.edge_count == len(graph.edges) == 9
    assert view.summary == SUMMARY


def test_mimebundle_with_svg():
    view = graph_view(_defs())
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/svg+xml"}
    assert bundle["text/plain"] == SUMMARY
    assert bundle["image/svg+xml"] == view.svg == view._repr_svg_()
    assert view.renderer == find_renderer()


def test_mimebundle_include_and_exclude():
    view = graph_view(_defs())
    assert set(view._repr_mimebundle_(include=["image/svg+xml"])) == {"image/svg+xml"}
    assert set(view._repr_mimebundle_(exclude=["image/svg+xml"])) == {"text/plain"}


def test_without_a_renderer_the_dot_text_and_an_install_hint_are_shown(no_renderer):
    view = graph_view(_defs())
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/plain"] == f"{SUMMARY}\n{INSTALL_HINT}"
    assert "<pre>digraph &quot;resnb&quot; {" in bundle["text/html"]
    assert "&quot;resource:api&quot; -&gt; &quot;raw&quot;;" in bundle["text/html"]
    assert INSTALL_HINT in bundle["text/html"]
    assert view.svg is None and view._repr_svg_() is None and view.renderer is None


def test_render_svg_false_shows_dot_without_an_install_hint():
    view = graph_view(_defs(), render_svg=False)
    assert view.svg is None
    assert view._repr_mimebundle_()["text/plain"] == SUMMARY


def test_a_graph_too_large_to_lay_out_quickly_is_not_rendered_and_says_why():
    view = graph_view(_defs(), max_layout_size=5)
    assert view.svg is None
    plain = view._repr_mimebundle_()["text/plain"]
    assert plain.startswith(SUMMARY + "\ntoo large to draw inline")
    assert "select=" in plain


def test_repr():
    assert repr(graph_view(_defs())) == "<GraphView 3 resources, 4 assets, 2 ops, 9 edges; svg>"
    assert repr(graph_view(_defs(), render_svg=False)).endswith("; dot only>")


@pytest.mark.parametrize("suffix", [".svg", ".dot", ".gv", ".png"])
def test_save_picks_the_format_from_the_suffix(tmp_path, suffix):
    view = graph_view(_defs(), render_svg=False)
    path = view.save(tmp_path / f"graph{suffix}")
    assert path == tmp_path / f"graph{suffix}"
    data = path.read_bytes()
    if suffix == ".png":
        assert data.startswith(PNG_SIGNATURE)
    elif suffix == ".svg":
        assert len(svg_node_titles(data.decode("utf-8"))) == view.node_count + 4  # and the legend
        assert b"<script" not in data
    else:
        assert data.decode("utf-8") == view.dot


def test_save_writes_the_shown_svg(tmp_path):
    view = graph_view(_defs())
    assert view.save(str(tmp_path / "g.svg")).read_text(encoding="utf-8") == view.svg


def test_save_with_an_explicit_format(tmp_path):
    view = graph_view(_defs(), render_svg=False)
    assert view.save(tmp_path / "graph.txt", fmt="dot").read_text(encoding="utf-8") == view.dot


def test_save_refuses_an_unknown_suffix_or_format(tmp_path):
    view = graph_view(_defs(), render_svg=False)
    with pytest.raises(ValueError, match=r"graph\.pdf.*'\.dot', '\.gv', '\.png', '\.svg'"):
        view.save(tmp_path / "graph.pdf")
    with pytest.raises(ValueError, match=r"'jpeg'.*'dot', 'gv', 'png', 'svg'"):
        view.save(tmp_path / "graph.svg", fmt="jpeg")


def test_save_as_an_image_without_a_renderer_says_how_to_get_one(tmp_path, no_renderer):
    view = graph_view(_defs())
    with pytest.raises(GraphRenderError, match="pip install graphviz-pure"):
        view.save(tmp_path / "graph.png")
    assert view.save(tmp_path / "graph.dot").read_text(encoding="utf-8") == view.dot


def test_svg_is_deterministic():
    states = {"raw": "materialized"}
    assert graph_view(_defs(), states=states).svg == graph_view(_defs(), states=states).svg


def test_view_from_a_graph_built_by_hand():
    graph = DependencyGraph()
    graph.add_node("db", "resource")
    graph.add_node("table", "asset")
    graph.add_edge("db", "table")
    view = GraphView.from_graph(graph, legend=False)
    assert sorted(svg_node_titles(view.svg)) == ["db", "table"]
    assert view.summary == "resource graph: 1 resource, 1 asset, 1 edge"


# ----------------------------------------------------------------------------------------------
# secrets
# ----------------------------------------------------------------------------------------------

PLANTED = "hunter2-PLANTED-7f3a"
ENV_PLANTED = "envsecret-PLANTED-91c2"


class Database(dg.ConfigurableResource):
    host: str
    password: str = Field(exclude=True)
    token: SecretStr
    env_password: str = "unset"


def test_no_config_value_reaches_dot_svg_or_text(monkeypatch):
    monkeypatch.setenv("RESNB_TEST_RENDER_PW", ENV_PLANTED)

    @dg.asset
    def table(database: Database) -> int:
        return 1

    database = Database(
        host=f"host-{PLANTED}",
        password=PLANTED,
        token=SecretStr(PLANTED),
        env_password=dg.EnvVar("RESNB_TEST_RENDER_PW"),
    )
    defs = dg.Definitions(assets=[table], resources={"database": database})
    view = graph_view(defs)
    assert 'label="database\\nDatabase"' in view.dot
    texts = [view.dot, view.svg, repr(view), *view._repr_mimebundle_().values()]
    monkeypatch.setattr(render_module, "find_renderer", lambda: None)
    texts.extend(graph_view(defs)._repr_mimebundle_().values())
    for text in texts:
        assert PLANTED not in text
        assert ENV_PLANTED not in text
        assert "RESNB_TEST_RENDER_PW" not in text


# ----------------------------------------------------------------------------------------------
# scale
# ----------------------------------------------------------------------------------------------


class Store(dg.ConfigurableResource):
    url: str


def _many_assets(count: int, chain: int) -> dg.Definitions:
    """``count`` assets in chains of ``chain``, every one using the ``store`` resource."""
    assets = []
    for index in range(count):
        deps = [f"a{index - 1:05d}"] if index % chain else []

        def compute(store: Store) -> None:
            return None

        assets.append(dg.asset(name=f"a{index:05d}", deps=deps)(compute))
    return dg.Definitions(assets=assets, resources={"store": Store(url="memory://")})


def test_two_thousand_assets_are_drawn():
    defs = _many_assets(2000, chain=5)
    view = graph_view(defs, states={"a00000": "materialized"})
    assert view.node_count == 2001
    assert view.svg is not None
    assert len(svg_node_titles(view.svg)) == 2001 + 3  # the legend: resource, asset, materialized


def test_a_graph_whose_layout_would_take_minutes_is_only_described():
    defs = _many_assets(2000, chain=100)  # every asset, deep in a long chain, uses one resource
    assert layout_size(dependency_graph(defs)) > render_module.MAX_LAYOUT_SIZE
    view = graph_view(defs)
    assert view.svg is None
    assert view.dot.split('subgraph "cluster_legend"')[0].count(" -> ") == view.edge_count
    assert "too large to draw inline" in view._repr_mimebundle_()["text/plain"]
    narrowed = graph_view(defs, select="+a00150")
    assert narrowed.svg is not None and narrowed.node_count == 3


def test_to_source_hands_the_dot_text_to_the_graphviz_package():
    import graphviz

    @dg.asset
    def a() -> int:
        return 1

    view = graph_view(dg.Definitions(assets=[a]), render_svg=False)
    source = view.to_source()
    assert isinstance(source, graphviz.Source)
    assert source.source == view.dot


def test_a_skipped_asset_has_its_colour_and_a_legend_entry(graph):
    dot = graph_to_dot(graph, states={"raw": "failed", "clean": "skipped"})
    assert f'fillcolor="{STATE_COLORS["skipped"]}"' in node_line(dot, "clean")
    assert '"legend:state:skipped" [' in dot


def _legend_text_rows(svg: str) -> set[str]:
    """The y coordinates of the legend nodes' labels in a rendered SVG."""
    root = ET.fromstring(svg)
    rows = set()
    for group in root.iter(f"{SVG}g"):
        title = group.findtext(f"{SVG}title") or ""
        if group.get("class") == "node" and title.startswith("legend:"):
            rows.update(text.get("y") for text in group.iter(f"{SVG}text"))
    return rows


def test_the_legend_is_one_row_no_taller_than_a_small_graph():
    graph = dependency_graph(_defs())
    states = {"raw": "materialized", "clean": "failed", "other": "skipped", "resource:api": "built"}
    dot = graph_to_dot(graph, states=states)
    legend = dot[dot.index('subgraph "cluster_legend"') :]
    assert 'edge [style="invis"];' in legend
    assert '"legend:kind:resource" -> "legend:kind:asset";' in legend
    svg = render(dot, "svg")
    if svg is None:
        pytest.skip("no Graphviz renderer")
    assert len(_legend_text_rows(svg.decode())) == 1, "every legend entry on one row"
    small = DependencyGraph()
    small.add_node("a", "asset")
    with_legend = ET.fromstring(render(graph_to_dot(small, states={"a": "skipped"}), "svg").decode())
    without = ET.fromstring(render(graph_to_dot(small, legend=False), "svg").decode())
    assert _cluster_height(with_legend) <= float(without.get("height").rstrip("pt"))


def _cluster_height(root: ET.Element) -> float:
    """The height of the legend's dashed box in a rendered SVG."""
    (cluster,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"]
    points = cluster.find(f"{SVG}polygon").get("points").split()
    ys = [float(point.split(",")[1]) for point in points]
    return max(ys) - min(ys)
