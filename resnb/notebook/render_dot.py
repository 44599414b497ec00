"""The resource/asset graph as DOT text, and the part of it a selection picks.

Resources are ellipses, assets boxes, ops rounded boxes; a node's fill colour is its state
(:data:`STATES`), a resource that is needed but not provided is dashed and red, and a legend lists
the kinds and states present, on one row (small sample nodes chained by invisible edges) so that
it never makes a small graph taller than one extra row. Labels hold names and type names only, never configuration values,
so secrets cannot reach the picture. :mod:`resnb.notebook.render` draws the text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from resnb.core.graph import DOT_KIND_ATTRS, DependencyGraph, NodeKind
from resnb.errors import listing

__all__ = ["KIND_ORDER", "STATES", "STATE_COLORS", "graph_to_dot", "select_graph"]

#: The states a node can be drawn in; each has a fill colour (:data:`STATE_COLORS`) in the legend.
#: ``skipped``: the asset's last run was skipped because something upstream failed.
STATES = ("built", "materialized", "failed", "stale", "skipped")

#: The fill colour of each state: light enough for black text.
STATE_COLORS: Mapping[str, str] = MappingProxyType(
    {
        "built": "#cfe3fc",
        "materialized": "#c8e6c9",
        "failed": "#ffcdd2",
        "stale": "#ffe8a3",
        "skipped": "#e0e0e0",
    }
)

#: The node kinds from upstream to downstream: the order of the legend and of summaries.
KIND_ORDER = (NodeKind.RESOURCE, NodeKind.ASSET, NodeKind.OP)

_MISSING_COLOR = "#c62828"
# No title: a cluster label would add a line of text to its height; the dashed box and the
# samples' own labels say what it is.
_LEGEND_GRAPH = {"label": "", "style": "dashed", "color": "gray60", "margin": "4"}
_LEGEND_NODE = {"fontsize": "9", "height": "0.3", "margin": "0.06,0.03"}
_LEGEND_EDGE = {"style": "invis"}
# Bounds the network-simplex passes that place nodes (iterations per node): without it, a resource
# used by assets deep in long chains can take Graphviz minutes; small graphs converge well within it.
_LAYOUT_LIMITS = {"nslimit": "2"}


def graph_to_dot(
    graph: DependencyGraph, *, states: Mapping[str, str] | None = None, legend: bool = True
) -> str:
    """The graph as DOT text, drawn left to right; the same text for the same graph and states.

    Resources are ellipses labelled with their key and type name, assets boxes, ops rounded boxes.
    ``states`` maps node names to one of :data:`STATES` (the node is filled with its colour); names
    not in the graph are ignored, so one mapping serves every selection, and an unknown state is a
    :class:`ValueError`. A resource needed but not provided (``missing=True``) is dashed and red
    with "(missing)" in its label. With ``legend``, a cluster lists the kinds and states present.
    The layout's node-placement work is bounded (``nslimit``): small graphs come out exactly as
    without the bound, large ones stay quick to lay out.
    """
    node_states = _checked_states(states)
    node_attrs = {name: _node_attrs(graph, name, node_states.get(name)) for name in graph}
    legend_lines = _legend_lines(graph, node_states) if legend else []
    return graph.to_dot(
        rankdir="LR", node_attrs=node_attrs, graph_attrs=_LAYOUT_LIMITS, extra_lines=legend_lines
    )


def select_graph(graph: DependencyGraph, select: str | None) -> DependencyGraph:
    """The part of ``graph`` a Dagster-style selection picks, with the resources that feed it.

    ``None`` (or a blank string) returns ``graph`` itself. Otherwise the selection (``+name``,
    ``name+``, ``*name``, ``++name``, several clauses separated by commas or spaces) picks nodes
    of every kind, so resources can be named too (``"resource:warehouse+"`` is the resource and
    what uses it); then every resource that feeds a picked node, directly or through other
    resources, is added. Unknown names raise :class:`~resnb.errors.InvalidSubsetError` naming them.
    """
    if select is None or not select.strip():
        return graph
    picked = graph.select(select, kinds=None)
    feeding = graph.ancestors(picked, kinds=NodeKind.RESOURCE) if picked else set()
    keep = set(picked) | feeding
    return graph.subgraph([name for name in graph if name in keep])


def _checked_states(states: Mapping[str, str] | None) -> dict[str, str]:
    for name, state in (states or {}).items():
        if state not in STATE_COLORS:
            raise ValueError(
                f"Unknown state {state!r} for {name!r}: use one of {listing(STATES)} "
                "(or leave the node out of states to draw it unfilled)."
            )
    return dict(states or {})


def _node_attrs(graph: DependencyGraph, name: str, state: str | None) -> dict[str, str]:
    """The label, and the style and colours that state and missing-ness add to the kind's shape."""
    kind = graph.kind_of(name)
    attrs = graph.attrs_of(name)
    styles = [DOT_KIND_ATTRS[kind]["style"]] if "style" in DOT_KIND_ATTRS[kind] else []
    result = {"label": _label(kind, name, attrs)}
    if state is not None:
        styles.append("filled")
        result["fillcolor"] = STATE_COLORS[state]
    if attrs.get("missing"):
        styles.append("dashed")
        result.update(color=_MISSING_COLOR, fontcolor=_MISSING_COLOR)
    if styles:
        result["style"] = ",".join(styles)
    return result


def _label(kind: NodeKind, name: str, attrs: Mapping[str, Any]) -> str:
    """A name, or for a resource ``key\\nType`` (``key\\n(missing)``): never a configuration value."""
    label = str(attrs.get("label", name))
    if kind is not NodeKind.RESOURCE:
        return label
    if attrs.get("missing"):
        return f"{label}\n(missing)"
    type_name = attrs.get("type")
    return f"{label}\n{type_name}" if type_name else label


def _legend_lines(graph: DependencyGraph, node_states: Mapping[str, str]) -> list[str]:
    """A ``cluster_legend`` subgraph of small sample nodes on one row, read left to right.

    Invisible edges chain the entries, so each takes the next rank of the left-to-right layout:
    the legend is one row high however many entries it has. None when there is nothing to show.
    """
    entries = _legend_entries(graph, node_states)
    if not entries:
        return []
    prefix = _legend_prefix(graph)
    names = [_dot_string(prefix + entry) for entry, _ in entries]
    lines = ['  subgraph "cluster_legend" {', f"    graph [{_dot_attr_list(_LEGEND_GRAPH)}];"]
    lines.append(f"    edge [{_dot_attr_list(_LEGEND_EDGE)}];")
    for name, (_, attrs) in zip(names, entries):
        lines.append(f"    {name} [{_dot_attr_list({**_LEGEND_NODE, **attrs})}];")
    lines.extend(f"    {before} -> {after};" for before, after in zip(names, names[1:]))
    lines.append("  }")
    return lines


def _legend_entries(
    graph: DependencyGraph, node_states: Mapping[str, str]
) -> list[tuple[str, dict[str, str]]]:
    """``(entry name, DOT attributes)`` for each kind, missing resources, and each state present."""
    kinds = Counter(graph.kind_of(name) for name in graph)
    entries = [
        (f"kind:{kind}", {"label": str(kind), **DOT_KIND_ATTRS[kind]}) for kind in KIND_ORDER if kinds[kind]
    ]
    if any(graph.attrs_of(name).get("missing") for name in graph if graph.kind_of(name) == "resource"):
        missing = {"color": _MISSING_COLOR, "fontcolor": _MISSING_COLOR, "style": "dashed"}
        entries.append(("missing", {"label": "missing resource", "shape": "ellipse", **missing}))
    present = {node_states[name] for name in graph if name in node_states}
    for state in STATES:
        if state in present:
            fill = {"style": "filled", "fillcolor": STATE_COLORS[state]}
            entries.append((f"state:{state}", {"label": state, "shape": "note", **fill}))
    return entries


def _legend_prefix(graph: DependencyGraph) -> str:
    """A node-name prefix no graph node starts with, so legend nodes never merge with real ones."""
    prefix = "legend:"
    while any(name.startswith(prefix) for name in graph):
        prefix = "_" + prefix
    return prefix


def _dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _dot_attr_list(attrs: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={_dot_string(attrs[key])}" for key in sorted(attrs))
