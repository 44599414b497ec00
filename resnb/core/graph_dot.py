"""DOT text for :meth:`~resnb.core.graph.DependencyGraph.to_dot`: quoting, attributes and statements.

No graphviz is needed: this only writes text. Every name and value is quoted and escaped, so any
string is safe in a node ID or a label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from resnb.core.graph_kinds import NodeKind

__all__ = ["DOT_KIND_ATTRS", "dot_attrs", "edge_lines", "node_lines", "quote", "write_dot"]

#: The default DOT attributes of each kind; per-node ``node_attrs`` in ``to_dot`` override them.
DOT_KIND_ATTRS: Mapping[NodeKind, Mapping[str, str]] = MappingProxyType(
    {
        NodeKind.RESOURCE: MappingProxyType({"shape": "ellipse"}),
        NodeKind.ASSET: MappingProxyType({"shape": "box"}),
        NodeKind.OP: MappingProxyType({"shape": "box", "style": "rounded"}),
    }
)

_DOT_ATTR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def quote(text: str) -> str:
    """A DOT double-quoted string whose label rendering is ``text`` itself.

    Every backslash is doubled (so graphviz sees no ``\\N``/``\\l`` escapes), quotes are escaped, and
    line feeds and carriage returns become ``\\n`` and ``\\r`` (line breaks in a label). The encoding
    is injective, so it serves for node IDs as well as labels.
    """
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{text}"'


def dot_attrs(attrs: Mapping[str, Any]) -> str:
    """``key="value", ...`` sorted by key; :class:`ValueError` for a key that is not a DOT identifier."""
    parts = []
    for key in sorted(attrs):
        if not _DOT_ATTR_NAME.match(key):
            raise ValueError(f"{key!r} is not a valid DOT attribute name (letters, digits and '_').")
        parts.append(f"{key}={quote(str(attrs[key]))}")
    return ", ".join(parts)


def write_dot(
    order: Sequence[str],
    kind_of: Mapping[str, NodeKind],
    labels: Mapping[str, str],
    dependents: Mapping[str, Mapping[str, None]],
    *,
    rankdir: str,
    node_attrs: Mapping[str, Mapping[str, Any]],
    graph_name: str,
    graph_attrs: Mapping[str, Any] | None,
    extra_lines: Sequence[str],
) -> str:
    """The whole ``digraph``: graph settings, the nodes in ``order``, their edges, ``extra_lines``."""
    lines = [f"digraph {quote(graph_name)} {{", f"  graph [rankdir={quote(rankdir)}];"]
    if graph_attrs:
        lines.append(f"  graph [{dot_attrs(graph_attrs)}];")
    lines.append('  node [fontname="Helvetica", fontsize="11"];')
    quoted = {name: quote(name) for name in order}
    lines.extend(node_lines(order, quoted, kind_of, labels, node_attrs))
    lines.extend(edge_lines(order, quoted, dependents))
    lines.extend(extra_lines)
    lines.append("}")
    return "\n".join(lines) + "\n"


def node_lines(
    order: Sequence[str],
    quoted: Mapping[str, str],
    kind_of: Mapping[str, NodeKind],
    labels: Mapping[str, str],
    extra: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """One DOT statement per node, in ``order``: label and kind shape, overridden by ``extra``."""
    by_kind = {kind: dot_attrs(attrs) for kind, attrs in DOT_KIND_ATTRS.items()}
    lines = []
    for name in order:
        more = extra.get(name)
        if more:
            attrs = dot_attrs({"label": labels.get(name, name), **DOT_KIND_ATTRS[kind_of[name]], **more})
        else:
            label = quote(labels[name]) if name in labels else quoted[name]
            attrs = f"label={label}, {by_kind[kind_of[name]]}"  # the keys sorted, as dot_attrs does
        lines.append(f"  {quoted[name]} [{attrs}];")
    return lines


def edge_lines(
    order: Sequence[str], quoted: Mapping[str, str], dependents: Mapping[str, Mapping[str, None]]
) -> list[str]:
    """One DOT statement per edge, grouped by upstream node in ``order``, each group sorted."""
    lines = []
    for name in order:
        downs = dependents.get(name)
        if downs:
            source = quoted[name]
            lines.extend([f"  {source} -> {quoted[other]};" for other in sorted(downs)])
    return lines
