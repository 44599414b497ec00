"""The dependency graph model: building, order, cycles, traversal, selection and DOT output."""

from __future__ import annotations

import html
import random
import re
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from resnb.core.graph import DOT_KIND_ATTRS, DependencyGraph, NodeKind, parse_clause
from resnb.errors import (
    DefinitionError,
    DependencyCycleError,
    InvalidSubsetError,
    InvariantViolationError,
    ResnbError,
)


@pytest.fixture
def pipeline() -> DependencyGraph:
    """Two resources, five assets and one op::

    credentials -> warehouse -> raw_orders -> orders -----> report
                             \\-> raw_customers -> customers -/
    """
    graph = DependencyGraph()
    graph.add_node("credentials", "resource")
    graph.add_node("warehouse", NodeKind.RESOURCE, description="the DWH")
    for name in ("raw_orders", "raw_customers", "orders", "customers", "report"):
        graph.add_node(name, "asset", group="sales")
    graph.add_node("notify", "op")
    for upstream, downstream in [
        ("credentials", "warehouse"),
        ("warehouse", "raw_orders"),
        ("warehouse", "raw_customers"),
        ("raw_orders", "orders"),
        ("raw_customers", "customers"),
        ("orders", "report"),
        ("customers", "report"),
    ]:
        graph.add_edge(upstream, downstream)
    return graph


def chain(names: list[str], kind: str = "asset") -> DependencyGraph:
    graph = DependencyGraph()
    for name in names:
        graph.add_node(name, kind)
    for upstream, downstream in pairwise(names):
        graph.add_edge(upstream, downstream)
    return graph


# --------------------------------------------------------------------------------------------------
# building and looking up
# --------------------------------------------------------------------------------------------------


def test_node_kind_is_a_string():
    assert NodeKind.ASSET == "asset"
    assert str(NodeKind.RESOURCE) == "resource"
    assert f"{NodeKind.OP}" == "op"


def test_lookups(pipeline):
    assert len(pipeline) == 8
    assert "orders" in pipeline and "nope" not in pipeline
    assert list(pipeline)[:2] == ["credentials", "warehouse"]
    assert list(pipeline.nodes) == list(pipeline)
    assert pipeline.kind_of("warehouse") is NodeKind.RESOURCE
    assert pipeline.kind_of("notify") == "op"
    assert pipeline.upstream_of("report") == ["customers", "orders"]
    assert pipeline.downstream_of("warehouse") == ["raw_customers", "raw_orders"]
    assert pipeline.upstream_of("credentials") == []
    assert dict(pipeline.attrs_of("warehouse")) == {"description": "the DWH"}
    assert dict(pipeline.attrs_of("credentials")) == {}
    assert ("orders", "report") in pipeline.edges and len(pipeline.edges) == 7
    assert repr(pipeline) == "<DependencyGraph: 5 assets, 1 ops, 2 resources, 7 edges>"


def test_unknown_node_in_lookups_names_it_with_a_suggestion(pipeline):
    with pytest.raises(InvalidSubsetError, match=r"No node is named 'ordrs'\. Did you mean 'orders'\?"):
        pipeline.kind_of("ordrs")
    for method in (pipeline.upstream_of, pipeline.downstream_of, pipeline.attrs_of):
        with pytest.raises(InvalidSubsetError, match="'zzz'"):
            method("zzz")


def test_re_adding_a_node_merges_attributes():
    graph = DependencyGraph()
    graph.add_node("a", "asset", group="g")
    graph.add_node("a", NodeKind.ASSET, description="d")
    graph.add_node("a", "asset")
    assert len(graph) == 1
    assert dict(graph.attrs_of("a")) == {"group": "g", "description": "d"}


def test_re_adding_a_node_with_another_kind_is_an_error():
    graph = DependencyGraph()
    graph.add_node("db", "resource")
    message = r"'db' is already in the graph as a resource and cannot also be added as an asset"
    with pytest.raises(DefinitionError, match=message):
        graph.add_node("db", "asset")
    assert graph.kind_of("db") == "resource"


def test_bad_kind_and_bad_name():
    graph = DependencyGraph()
    with pytest.raises(ValueError, match=r"Unknown node kind 'sensor'; use one of 'asset', 'op', 'resource'"):
        graph.add_node("s", "sensor")
    with pytest.raises(TypeError, match="non-empty string"):
        graph.add_node("", "asset")
    with pytest.raises(TypeError, match="non-empty string"):
        graph.add_node(3, "asset")  # type: ignore[arg-type]


def test_add_edge_needs_both_nodes_and_names_the_missing_one():
    graph = DependencyGraph()
    graph.add_node("orders", "asset")
    with pytest.raises(DefinitionError, match=r"the upstream node 'raw' is not in the graph.*add_node first"):
        graph.add_edge("raw", "orders")
    message = r"the downstream node 'ordres' is not in the graph\. Did you mean 'orders'\?"
    with pytest.raises(DefinitionError, match=message):
        graph.add_edge("orders", "ordres")
    assert graph.edges == []


def test_only_resources_can_be_upstream_of_a_resource():
    graph = DependencyGraph()
    graph.add_node("a", "asset")
    graph.add_node("r", "resource")
    graph.add_node("o", "op")
    with pytest.raises(
        DefinitionError, match=r"a resource can depend only on other resources, and 'a' is an asset"
    ):
        graph.add_edge("a", "r")
    with pytest.raises(DefinitionError, match="'o' is an op"):
        graph.add_edge("o", "r")
    graph.add_edge("r", "a")
    graph.add_edge("r", "o")
    assert graph.downstream_of("r") == ["a", "o"]


def test_duplicate_edges_are_ignored():
    graph = chain(["a", "b"])
    graph.add_edge("a", "b")
    assert graph.edges == [("a", "b")]
    assert graph.downstream_of("a") == ["b"]


def test_errors_are_resnb_errors():
    assert issubclass(DependencyCycleError, ResnbError)
    assert issubclass(DependencyCycleError, InvariantViolationError)
    assert issubclass(InvalidSubsetError, ResnbError)


# --------------------------------------------------------------------------------------------------
# order
# --------------------------------------------------------------------------------------------------


def test_independent_nodes_come_in_name_order_and_teardown_is_the_reverse():
    graph = DependencyGraph()
    for name in ("z", "a", "m", "b"):
        graph.add_node(name, "resource")
    init = graph.toposort()
    assert init == ["a", "b", "m", "z"]
    assert init[::-1] == ["z", "m", "b", "a"]
    assert graph.levels() == [["a", "b", "m", "z"]]


def test_each_level_is_sorted_by_name():
    graph = DependencyGraph()
    for name in ("z", "a", "m", "b"):
        graph.add_node(name, "resource")
    graph.add_edge("z", "a")  # a needs z
    graph.add_edge("b", "m")  # m needs b
    assert graph.levels() == [["b", "z"], ["a", "m"]]
    assert graph.toposort() == ["b", "z", "a", "m"]


def test_levels_follow_the_longest_path(pipeline):
    assert pipeline.levels() == [
        ["credentials", "notify"],
        ["warehouse"],
        ["raw_customers", "raw_orders"],
        ["customers", "orders"],
        ["report"],
    ]
    assert pipeline.toposort() == [name for level in pipeline.levels() for name in level]


def test_toposort_of_some_kinds_uses_only_their_edges(pipeline):
    assert pipeline.toposort(kinds=["resource"]) == ["credentials", "warehouse"]
    assert pipeline.toposort(kinds="resource") == ["credentials", "warehouse"]
    # Among assets alone, the raw assets have no upstream: they share level 0 with nothing else.
    assert pipeline.levels(kinds=[NodeKind.ASSET]) == [
        ["raw_customers", "raw_orders"],
        ["customers", "orders"],
        ["report"],
    ]
    expected = ["notify", "raw_customers", "raw_orders", "customers", "orders", "report"]
    assert pipeline.toposort(kinds=["asset", "op"]) == expected
    assert pipeline.toposort(kinds=[]) == []


def test_order_does_not_depend_on_insertion_order(pipeline):
    names = list(pipeline)
    edges = pipeline.edges
    for seed in range(5):
        rng = random.Random(seed)
        shuffled_names, shuffled_edges = names[:], edges[:]
        rng.shuffle(shuffled_names)
        rng.shuffle(shuffled_edges)
        graph = DependencyGraph()
        for name in shuffled_names:
            graph.add_node(name, pipeline.kind_of(name))
        for upstream, downstream in shuffled_edges:
            graph.add_edge(upstream, downstream)
        assert graph.toposort() == pipeline.toposort()
        assert graph.levels() == pipeline.levels()
        assert graph.select("*report") == pipeline.select("*report")


def test_order_is_recomputed_after_a_change():
    graph = chain(["b", "c"])
    assert graph.toposort() == ["b", "c"]
    graph.add_node("a", "asset")
    assert graph.toposort() == ["a", "b", "c"]
    graph.add_edge("c", "a")
    assert graph.toposort() == ["b", "c", "a"]


def test_returned_lists_are_copies():
    graph = chain(["a", "b"])
    graph.toposort().append("x")
    graph.levels()[0].append("x")
    graph.select("*").append("x")
    assert graph.toposort() == ["a", "b"]
    assert graph.levels() == [["a"], ["b"]]


def test_empty_graph():
    graph = DependencyGraph()
    assert graph.toposort() == [] and graph.levels() == [] and graph.find_cycle() is None
    assert graph.select("*") == [] and graph.select([]) == [] and graph.select("") == []
    assert graph.to_dot().startswith('digraph "resnb" {')


# --------------------------------------------------------------------------------------------------
# cycles
# --------------------------------------------------------------------------------------------------


def test_find_cycle_returns_a_path_from_its_smallest_name():
    graph = chain(["c", "a", "b"], kind="resource")
    assert graph.find_cycle() is None
    graph.add_edge("b", "c")  # c -> a -> b -> c
    assert graph.find_cycle() == ["a", "b", "c", "a"]


def test_toposort_raises_with_the_cycle_listed():
    graph = chain(["a", "b", "c"], kind="resource")
    graph.add_edge("c", "a")
    graph.add_node("after", "resource")
    graph.add_edge("c", "after")
    with pytest.raises(DependencyCycleError) as info:
        graph.toposort()
    assert info.value.cycle == ["a", "b", "c", "a"]
    message = str(info.value)
    assert "The resources a -> b -> c -> a depend on each other in a cycle" in message
    assert "Break the cycle: remove one of these dependencies." in message
    with pytest.raises(DependencyCycleError):
        graph.levels()


def test_cycle_of_mixed_kinds_says_nodes_and_self_loops_are_cycles():
    graph = chain(["x", "y"], kind="op")
    graph.add_edge("y", "x")
    graph.add_node("s", "asset")
    graph.add_edge("s", "s")
    assert graph.find_cycle() == ["s", "s"]
    with pytest.raises(DependencyCycleError, match=r"The assets s -> s depend"):
        graph.toposort()
    assert graph.find_cycle(kinds="op") == ["x", "y", "x"]
    with pytest.raises(DependencyCycleError, match=r"The ops x -> y -> x depend"):
        graph.toposort(kinds="op")


def test_a_cycle_elsewhere_does_not_matter_for_other_kinds(pipeline):
    pipeline.add_edge("report", "raw_orders")
    with pytest.raises(DependencyCycleError, match="orders -> report -> raw_orders -> orders"):
        pipeline.toposort()
    assert pipeline.toposort(kinds="resource") == ["credentials", "warehouse"]
    assert pipeline.find_cycle(kinds="resource") is None


def test_selection_and_dot_still_work_on_a_cyclic_graph(pipeline):
    pipeline.add_edge("report", "raw_orders")
    # The nodes that cannot be ordered come last, sorted by name.
    assert pipeline.select("*") == ["notify", "raw_customers", "customers", "orders", "raw_orders", "report"]
    assert '"report" -> "raw_orders";' in pipeline.to_dot()


# --------------------------------------------------------------------------------------------------
# traversal
# --------------------------------------------------------------------------------------------------


def test_ancestors_and_depth(pipeline):
    assert pipeline.ancestors("report", depth=0) == set()
    assert pipeline.ancestors("report", depth=1) == {"orders", "customers"}
    assert pipeline.ancestors(["report"], depth=2) == {"orders", "customers", "raw_orders", "raw_customers"}
    everything_upstream = {"orders", "customers", "raw_orders", "raw_customers", "warehouse", "credentials"}
    assert pipeline.ancestors("report") == everything_upstream
    assert pipeline.ancestors("report", kinds="asset") == {
        "orders",
        "customers",
        "raw_orders",
        "raw_customers",
    }


def test_ancestors_of_some_kinds_can_start_anywhere(pipeline):
    assert pipeline.ancestors("raw_orders", kinds="resource") == {"warehouse", "credentials"}
    assert pipeline.ancestors("raw_orders", depth=1, kinds="resource") == {"warehouse"}


def test_descendants_and_depth(pipeline):
    assert pipeline.descendants("credentials", depth=1) == {"warehouse"}
    assert pipeline.descendants("warehouse", depth=2) == {
        "raw_orders",
        "raw_customers",
        "orders",
        "customers",
    }
    assert pipeline.descendants(["raw_orders", "raw_customers"]) == {"orders", "customers", "report"}
    assert pipeline.descendants("report") == set()
    assert pipeline.descendants("credentials", kinds=["resource"]) == {"warehouse"}


def test_traversal_excludes_the_start_nodes(pipeline):
    assert pipeline.ancestors(["report", "orders"], depth=1) == {"customers", "raw_orders"}


def test_traversal_errors(pipeline):
    with pytest.raises(InvalidSubsetError, match=r"'reprt'\. Did you mean 'report'\?"):
        pipeline.ancestors("reprt")
    with pytest.raises(ValueError, match="depth must be None or a non-negative integer; got -1"):
        pipeline.descendants("report", depth=-1)


def test_subgraph(pipeline):
    sub = pipeline.subgraph(["warehouse", "raw_orders", "orders", "report"])
    assert list(sub) == ["warehouse", "raw_orders", "orders", "report"]
    assert sub.toposort() == ["warehouse", "raw_orders", "orders", "report"]
    assert sorted(sub.edges) == [("orders", "report"), ("raw_orders", "orders"), ("warehouse", "raw_orders")]
    assert dict(sub.attrs_of("orders")) == {"group": "sales"}
    assert repr(sub) == "<DependencyGraph: 3 assets, 0 ops, 1 resources, 3 edges>"
    assert sub.select("*") == ["raw_orders", "orders", "report"]
    sub.add_node("extra", "asset", group="other")
    assert "extra" not in pipeline
    assert pipeline.attrs_of("orders")["group"] == "sales"
    with pytest.raises(InvalidSubsetError, match="'nope'"):
        pipeline.subgraph(["orders", "nope"])


# --------------------------------------------------------------------------------------------------
# selection
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "parsed"),
    [
        ("a", (0, "a", 0)),
        ("*a", (None, "a", 0)),
        ("a*", (0, "a", None)),
        ("+a", (1, "a", 0)),
        ("++a", (2, "a", 0)),
        ("a+", (0, "a", 1)),
        ("a+++", (0, "a", 3)),
        ("+a+", (1, "a", 1)),
        ("*a++", (None, "a", 2)),
        ("  pre/a  ", (0, "pre/a", 0)),
    ],
)
def test_parse_clause(clause, parsed):
    assert parse_clause(clause) == parsed


@pytest.mark.parametrize("clause", ["+", "*", "++*", ""])
def test_parse_clause_without_a_name(clause):
    with pytest.raises(InvalidSubsetError, match="names nothing"):
        parse_clause(clause)


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("orders", ["orders"]),
        ("*report", ["raw_customers", "raw_orders", "customers", "orders", "report"]),
        ("+report", ["customers", "orders", "report"]),
        ("++report", ["raw_customers", "raw_orders", "customers", "orders", "report"]),
        ("raw_orders*", ["raw_orders", "orders", "report"]),
        ("raw_orders+", ["raw_orders", "orders"]),
        ("raw_orders++", ["raw_orders", "orders", "report"]),
        ("+orders+", ["raw_orders", "orders", "report"]),
        ("*orders*", ["raw_orders", "orders", "report"]),
        ("*orders+", ["raw_orders", "orders", "report"]),
        ("+customers*", ["raw_customers", "customers", "report"]),
        ("report, notify", ["notify", "report"]),
        ("report notify", ["notify", "report"]),
        ("  report ,, \tnotify\n", ["notify", "report"]),
        (["report", "notify"], ["notify", "report"]),
        (["+orders", "customers+"], ["raw_orders", "customers", "orders", "report"]),
        ("*", ["notify", "raw_customers", "raw_orders", "customers", "orders", "report"]),
        ("orders *", ["notify", "raw_customers", "raw_orders", "customers", "orders", "report"]),
        ("orders, +orders, orders+", ["raw_orders", "orders", "report"]),
        ("", []),
        ([], []),
    ],
)
def test_select(pipeline, selection, expected):
    assert pipeline.select(selection) == expected


def test_select_stops_at_other_kinds_by_default(pipeline):
    assert "warehouse" not in pipeline.select("*raw_orders")
    assert pipeline.select("+raw_orders", kinds=None) == ["warehouse", "raw_orders"]
    assert pipeline.select("*raw_orders", kinds=None) == ["credentials", "warehouse", "raw_orders"]
    assert pipeline.select("warehouse+", kinds=None) == ["warehouse", "raw_customers", "raw_orders"]
    assert pipeline.select("credentials*", kinds=["resource"]) == ["credentials", "warehouse"]
    assert pipeline.select("*", kinds="resource") == ["credentials", "warehouse"]


def test_select_a_resource_without_its_kind_says_how(pipeline):
    with pytest.raises(InvalidSubsetError) as info:
        pipeline.select("warehouse+")
    assert str(info.value) == (
        "'warehouse' is a resource, and this selection covers only assets and ops; "
        "pass kinds=None to select every kind."
    )


def test_select_unknown_name_suggests_the_closest(pipeline):
    with pytest.raises(InvalidSubsetError) as info:
        pipeline.select("+reprt")
    assert (
        str(info.value) == "No asset or op is named 'reprt' in the selection '+reprt'. Did you mean 'report'?"
    )
    with pytest.raises(InvalidSubsetError, match=r"'zzzz'[^?]*$"):
        pipeline.select(["zzzz"])


def test_select_reports_every_unknown_name(pipeline):
    with pytest.raises(InvalidSubsetError) as info:
        pipeline.select("ordrs+, report, custmers")
    assert str(info.value) == (
        "No asset or op is named 'ordrs' (did you mean 'orders'?), 'custmers' (did you mean 'customers'?) "
        "in the selection 'ordrs+, report, custmers'."
    )


def test_select_rejects_empty_clauses_and_non_strings(pipeline):
    with pytest.raises(InvalidSubsetError, match=r"The selection clause '\+\+' names nothing"):
        pipeline.select("orders ++")
    with pytest.raises(TypeError, match="string or a list of strings"):
        pipeline.select([3])  # type: ignore[list-item]


def test_select_names_with_spaces_operators_and_slashes():
    graph = chain(["my asset", "a+b", "pre/c", "x,y"])
    assert graph.select("my asset") == ["my asset"]
    assert graph.select("a+b") == ["a+b"]
    assert graph.select("+a+b") == ["my asset", "a+b"]  # the whole string names a node
    assert graph.select("my asset*") == ["my asset", "a+b", "pre/c", "x,y"]
    assert graph.select(["x,y"]) == ["x,y"]
    assert graph.select(["+pre/c", "my asset"]) == ["my asset", "a+b", "pre/c"]
    with pytest.raises(InvalidSubsetError, match="'my', 'asset'"):
        graph.select("+pre/c, my asset")  # split into clauses: spaces separate them


def test_select_is_in_topological_order_not_name_order():
    graph = chain(["z", "y", "x"])
    assert graph.select("x, z") == ["z", "x"]
    assert graph.select("*x") == ["z", "y", "x"]


# --------------------------------------------------------------------------------------------------
# DOT
# --------------------------------------------------------------------------------------------------


def test_to_dot(pipeline):
    dot = pipeline.to_dot()
    lines = dot.splitlines()
    assert lines[:3] == [
        'digraph "resnb" {',
        '  graph [rankdir="LR"];',
        '  node [fontname="Helvetica", fontsize="11"];',
    ]
    assert '  "credentials" [label="credentials", shape="ellipse"];' in lines
    assert '  "orders" [label="orders", shape="box"];' in lines
    assert '  "notify" [label="notify", shape="box", style="rounded"];' in lines
    assert '  "warehouse" -> "raw_customers";' in lines
    assert lines[-1] == "}" and dot.endswith("}\n")
    node_lines = [line for line in lines if "[label=" in line]
    edge_lines = [line for line in lines if " -> " in line]
    assert len(node_lines) == 8 and len(edge_lines) == 7
    assert lines.index(node_lines[-1]) < lines.index(edge_lines[0])  # nodes first, then edges
    assert [line.split('"')[1] for line in node_lines] == pipeline.toposort()


def test_to_dot_options_and_node_attrs(pipeline):
    dot = pipeline.to_dot(
        rankdir="TB",
        graph_name="my graph",
        node_attrs={
            "orders": {"label": "orders\nmaterialized", "style": "filled", "fillcolor": "palegreen"},
            "warehouse": {"shape": "cylinder", "penwidth": 2},
            "not_in_this_graph": {"color": "red"},
        },
    )
    assert dot.startswith('digraph "my graph" {\n  graph [rankdir="TB"];')
    assert (
        '  "orders" [fillcolor="palegreen", label="orders\\nmaterialized", shape="box", style="filled"];'
        in dot
    )
    assert '  "warehouse" [label="warehouse", penwidth="2", shape="cylinder"];' in dot
    assert "not_in_this_graph" not in dot
    with pytest.raises(ValueError, match="not a valid DOT attribute name"):
        pipeline.to_dot(node_attrs={"orders": {"bad key": "x"}})


WEIRD_NAMES = [
    'say "hi"',
    "back\\slash",
    "trailing\\",
    "\\N",
    "two\nlines",
    "cr\rhere",
    'quote-at-end\\"',
    "ünïcödé ✓",
    "{braces};[brackets]",
    "-> arrow",
]


def _unquote_ids(dot: str) -> list[str]:
    """The node IDs of the node statements, decoded (the inverse of resnb's quoting)."""
    ids = []
    for line in dot.splitlines():
        match = re.match(r'  "((?:[^"\\]|\\.)*)" \[', line)
        if match:
            ids.append(re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), match[1]))
    return ids


def test_dot_escapes_weird_names():
    graph = chain(WEIRD_NAMES)
    dot = graph.to_dot()
    assert _unquote_ids(dot) == WEIRD_NAMES
    assert '"say \\"hi\\""' in dot
    assert '"back\\\\slash"' in dot
    assert '"trailing\\\\"' in dot
    assert '"two\\nlines"' in dot
    assert "\n\n" not in dot and "\r" not in dot
    assert len(dot.splitlines()) == 3 + len(WEIRD_NAMES) + len(WEIRD_NAMES) - 1 + 1


def _graphviz_binary() -> str | None:
    local = Path(sys.executable).parent / "graphviz-pure"
    return shutil.which("dot") or (str(local) if local.exists() else None)


@pytest.mark.skipif(_graphviz_binary() is None, reason="needs the dot or graphviz-pure binary")
def test_dot_with_weird_names_renders_each_name_as_its_label():
    binary = _graphviz_binary()
    assert binary is not None
    graph = chain(WEIRD_NAMES)
    result = subprocess.run(
        [binary, "-Tsvg"], input=graph.to_dot(), capture_output=True, text=True, check=True
    )
    texts = [html.unescape(text) for text in re.findall(r"<text[^>]*>(.*?)</text>", result.stdout)]
    # One <text> per label line: line feeds and carriage returns are line breaks, nothing else is.
    assert texts == [line for name in WEIRD_NAMES for line in re.split(r"[\n\r]", name)]
    assert result.stdout.count('class="edge"') == len(WEIRD_NAMES) - 1


def test_to_dot_is_deterministic(pipeline):
    names = list(pipeline)
    edges = pipeline.edges
    rng = random.Random(7)
    rng.shuffle(names)
    rng.shuffle(edges)
    other = DependencyGraph()
    for name in names:
        other.add_node(name, pipeline.kind_of(name))
    for upstream, downstream in edges:
        other.add_edge(upstream, downstream)
    assert other.to_dot() == pipeline.to_dot() == pipeline.to_dot()


def test_a_label_attribute_is_the_default_label():
    graph = DependencyGraph()
    graph.add_node("resource:db", "resource", label="db")
    graph.add_node("a", "asset")
    graph.add_edge("resource:db", "a")
    dot = graph.to_dot()
    assert '  "resource:db" [label="db", shape="ellipse"];' in dot
    assert '"resource:db" -> "a";' in dot
    assert '"resource:db" [label="db (built)", shape="ellipse"]' in graph.to_dot(
        node_attrs={"resource:db": {"label": "db (built)"}}
    )
    assert '"resource:db" [color="green", label="db", shape="ellipse"]' in graph.to_dot(
        node_attrs={"resource:db": {"color": "green"}}
    )


def test_kind_styles_are_exposed():
    assert DOT_KIND_ATTRS[NodeKind.RESOURCE]["shape"] == "ellipse"
    assert DOT_KIND_ATTRS[NodeKind.ASSET]["shape"] == "box"
    assert dict(DOT_KIND_ATTRS[NodeKind.OP]) == {"shape": "box", "style": "rounded"}


# --------------------------------------------------------------------------------------------------
# scale: 100,000 nodes, iteratively (no timing here; see benchmarks/graph_scaling.py)
# --------------------------------------------------------------------------------------------------

N = 100_000


def test_a_chain_of_100k_nodes():
    names = [f"n{i:06d}" for i in range(N)]
    graph = chain(names)
    assert graph.toposort() == names
    assert len(graph.levels()) == N
    assert graph.find_cycle() is None
    middle = names[N // 2]
    assert graph.select(f"*{middle}") == names[: N // 2 + 1]
    assert graph.select(f"{middle}*") == names[N // 2 :]
    assert graph.select(f"++{middle}++") == names[N // 2 - 2 : N // 2 + 3]
    assert len(graph.ancestors(names[-1])) == N - 1
    assert len(graph.descendants(names[0], depth=10)) == 10
    dot = graph.to_dot()
    assert dot.count(" -> ") == N - 1
    graph.add_edge(names[-1], names[0])
    cycle = graph.find_cycle()
    assert cycle is not None and len(cycle) == N + 1 and cycle[0] == cycle[-1] == names[0]
    with pytest.raises(DependencyCycleError):
        graph.toposort()


def test_a_chain_of_100k_nodes_in_reverse_name_order():
    names = [f"n{i:06d}" for i in range(N)][::-1]
    graph = chain(names)
    assert graph.toposort() == names
    assert graph.select(f"{names[1]}+") == names[1:3]


def test_100k_independent_nodes():
    graph = DependencyGraph()
    names = [f"n{i:06d}" for i in range(N)]
    for name in reversed(names):
        graph.add_node(name, "asset")
    assert graph.toposort() == names
    assert graph.levels() == [names]
    assert graph.select("*") == names
    assert graph.select(names[::-1]) == names
    assert graph.select(f"*{names[5]}*, {names[7]}") == [names[5], names[7]]
    assert graph.to_dot().count("[label=") == N
