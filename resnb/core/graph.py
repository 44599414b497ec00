"""The dependency graph as plain data: assets, ops and resources, and who depends on whom.

Nodes have a unique name and a kind (:class:`NodeKind`). Edges point from upstream to downstream:
resource -> resource (a resource needs another), resource -> asset/op (the step uses it),
asset -> asset and op -> op (data flows along the edge). Execution uses the graph for ordering and
selection; the notebook layer renders it with :meth:`DependencyGraph.to_dot`.

Everything is iterative (no recursion, so a chain of 100,000 nodes is fine) and linear in nodes plus
edges, apart from sorting each topological level by name::

    graph = DependencyGraph()
    graph.add_node("db", "resource")
    graph.add_node("raw", "asset", group="ingest")
    graph.add_node("clean", "asset")
    graph.add_edge("db", "raw")
    graph.add_edge("raw", "clean")
    graph.toposort()                          # ['db', 'raw', 'clean']
    graph.select("+clean")                    # ['raw', 'clean']
    graph.select("raw*", kinds=None)          # ['raw', 'clean'] (every kind selectable)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, KeysView, Mapping, Sequence
from enum import Enum
from types import MappingProxyType
from typing import Any

from resnb.errors import DefinitionError, DependencyCycleError, InvalidSubsetError, did_you_mean, listing

__all__ = ["DOT_KIND_ATTRS", "DependencyGraph", "NodeKind", "parse_clause"]


class NodeKind(str, Enum):
    """What a node stands for. Compares equal to its value: ``NodeKind.ASSET == "asset"``."""

    ASSET = "asset"
    OP = "op"
    RESOURCE = "resource"

    def __str__(self) -> str:
        return self.value


KindLike = NodeKind | str
Kinds = Iterable[KindLike] | None

_PLURAL = {NodeKind.ASSET: "assets", NodeKind.OP: "ops", NodeKind.RESOURCE: "resources"}
_A = {NodeKind.ASSET: "an asset", NodeKind.OP: "an op", NodeKind.RESOURCE: "a resource"}

#: The default DOT attributes of each kind; per-node ``node_attrs`` in :meth:`to_dot` override them.
DOT_KIND_ATTRS: Mapping[NodeKind, Mapping[str, str]] = MappingProxyType(
    {
        NodeKind.RESOURCE: MappingProxyType({"shape": "ellipse"}),
        NodeKind.ASSET: MappingProxyType({"shape": "box"}),
        NodeKind.OP: MappingProxyType({"shape": "box", "style": "rounded"}),
    }
)

_DEFAULT_SELECT_KINDS = (NodeKind.ASSET, NodeKind.OP)
_SEPARATORS = re.compile(r"[,\s]+")
_DOT_ATTR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

Clause = tuple[int | None, str, int | None]


def parse_clause(clause: str) -> Clause:
    """Split one selection clause into ``(upstream_depth, name, downstream_depth)``.

    ``*`` means every hop (depth ``None``); each ``+`` is one hop; no operator is depth 0::

        parse_clause("name")     # (0, 'name', 0)
        parse_clause("++name*")  # (2, 'name', None)

    Raises :class:`InvalidSubsetError` when no name is left once the operators are stripped.
    """
    text = clause.strip()
    name = text.lstrip("*+")
    prefix = text[: len(text) - len(name)]
    name = name.rstrip("*+")
    suffix = text[len(prefix) + len(name) :]
    if not name:
        raise InvalidSubsetError(
            f"The selection clause {clause!r} names nothing. Write a name with optional operators: "
            "'name', '+name' (one hop upstream), '*name' (all upstream), 'name+', 'name*'."
        )
    return _depth(prefix), name, _depth(suffix)


def _depth(operators: str) -> int | None:
    return None if "*" in operators else len(operators)


_KIND_BY_VALUE: dict[str, NodeKind] = {k.value: k for k in NodeKind}  # also finds the members


def _kind(kind: KindLike) -> NodeKind:
    node_kind = _KIND_BY_VALUE.get(kind) if isinstance(kind, str) else None
    if node_kind is None:
        raise ValueError(f"Unknown node kind {kind!r}; use one of {listing(_KIND_BY_VALUE)}.")
    return node_kind


def _kinds(kinds: Kinds) -> frozenset[NodeKind] | None:
    """``None`` for every kind, else the set of kinds (a single string counts as one kind)."""
    if kinds is None:
        return None
    if isinstance(kinds, str):
        kinds = (kinds,)
    normalized = frozenset(_kind(k) for k in kinds)
    return None if len(normalized) == len(NodeKind) else normalized


def _names(names: str | Iterable[str]) -> list[str]:
    return [names] if isinstance(names, str) else list(names)


def _describe(kinds: frozenset[NodeKind] | None) -> str:
    """``"node"``, ``"asset or op"``... for messages."""
    if kinds is None:
        return "node"
    return " or ".join(k.value for k in NodeKind if k in kinds)


def _quote(text: str) -> str:
    """A DOT double-quoted string whose label rendering is ``text`` itself.

    Every backslash is doubled (so graphviz sees no ``\\N``/``\\l`` escapes), quotes are escaped, and
    line feeds and carriage returns become ``\\n`` and ``\\r`` (line breaks in a label). The encoding
    is injective, so it serves for node IDs as well as labels.
    """
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{text}"'


def _dot_attrs(attrs: Mapping[str, Any]) -> str:
    parts = []
    for key in sorted(attrs):
        if not _DOT_ATTR_NAME.match(key):
            raise ValueError(f"{key!r} is not a valid DOT attribute name (letters, digits and '_').")
        parts.append(f"{key}={_quote(str(attrs[key]))}")
    return ", ".join(parts)


class DependencyGraph:
    """A directed graph of named assets, ops and resources; edges point upstream -> downstream.

    Build it with :meth:`add_node` and :meth:`add_edge`; query it with :meth:`toposort`,
    :meth:`levels`, :meth:`find_cycle`, :meth:`ancestors`, :meth:`descendants` and :meth:`select`.
    Orders are deterministic: Kahn levels, each sorted by name, whatever the insertion order.
    Methods that take ``kinds`` work on the subgraph of those kinds (edges to other kinds ignored);
    ``None`` means every kind.
    """

    __slots__ = ("_attrs", "_cache", "_counts", "_down", "_kind", "_up")

    def __init__(self) -> None:
        self._kind: dict[str, NodeKind] = {}
        self._attrs: dict[str, dict[str, Any]] = {}  # only nodes that have attributes
        self._up: dict[str, dict[str, None]] = {}  # node -> its upstream nodes (an ordered set)
        self._down: dict[str, dict[str, None]] = {}  # node -> its downstream nodes
        self._counts: dict[NodeKind, int] = dict.fromkeys(NodeKind, 0)
        self._cache: dict[frozenset[NodeKind] | None, _Order] = {}

    # ------------------------------------------------------------------------------------------
    # building
    # ------------------------------------------------------------------------------------------

    def add_node(self, name: str, kind: KindLike, **attrs: Any) -> None:
        """Add ``name`` as a node of ``kind``, with free-form ``attrs`` (group, description...).

        Adding an existing name again with the same kind merges ``attrs`` into the node's; with a
        different kind it raises :class:`DefinitionError` (names are shared by every kind).
        """
        if not isinstance(name, str) or not name:
            raise TypeError(f"A node name must be a non-empty string; got {name!r}.")
        node_kind = _KIND_BY_VALUE.get(kind) if isinstance(kind, str) else None
        if node_kind is None:
            node_kind = _kind(kind)  # raises
        existing = self._kind.get(name)
        if existing is None:
            self._kind[name] = node_kind
            self._counts[node_kind] += 1
            if self._cache:
                self._cache.clear()
        elif existing is not node_kind:
            raise DefinitionError(
                f"{name!r} is already in the graph as {_A[existing]} and cannot also be added as "
                f"{_A[node_kind]}. Assets, ops and resources share one namespace: rename one of them."
            )
        if attrs:
            self._attrs.setdefault(name, {}).update(attrs)

    def add_edge(self, upstream: str, downstream: str) -> None:
        """Record that ``downstream`` depends on ``upstream``. Adding the same edge again is a no-op.

        Both nodes must exist, and nothing but a resource may be upstream of a resource; otherwise
        :class:`DefinitionError`.
        """
        kinds = self._kind
        up_kind = kinds.get(upstream)
        down_kind = kinds.get(downstream)
        if up_kind is None or down_kind is None:
            role, name = ("upstream", upstream) if up_kind is None else ("downstream", downstream)
            raise DefinitionError(
                f"Cannot add the edge {upstream!r} -> {downstream!r}: the {role} node {name!r} is not "
                f"in the graph.{did_you_mean(name, kinds)} Add it with add_node first."
            )
        if down_kind is NodeKind.RESOURCE and up_kind is not NodeKind.RESOURCE:
            raise DefinitionError(
                f"Cannot add the edge {upstream!r} -> {downstream!r}: a resource can depend only on other "
                f"resources, and {upstream!r} is {_A[up_kind]}."
            )
        ups = self._up.get(downstream)
        if ups is None:
            self._up[downstream] = {upstream: None}
        elif upstream in ups:
            return
        else:
            ups[upstream] = None
        downs = self._down.get(upstream)
        if downs is None:
            self._down[upstream] = {downstream: None}
        else:
            downs[downstream] = None
        if self._cache:
            self._cache.clear()

    # ------------------------------------------------------------------------------------------
    # looking things up
    # ------------------------------------------------------------------------------------------

    @property
    def nodes(self) -> KeysView[str]:
        """Every node name, in insertion order (a live, read-only view)."""
        return self._kind.keys()

    @property
    def edges(self) -> list[tuple[str, str]]:
        """Every ``(upstream, downstream)`` pair, grouped by upstream in insertion order."""
        return [(up, down) for up, downs in self._down.items() for down in downs]

    def kind_of(self, name: str) -> NodeKind:
        """The kind of ``name``; :class:`InvalidSubsetError` (with a suggestion) when unknown."""
        self._check_known([name])
        return self._kind[name]

    def attrs_of(self, name: str) -> Mapping[str, Any]:
        """The attributes given to ``name`` by :meth:`add_node` (a read-only view)."""
        self._check_known([name])
        return MappingProxyType(self._attrs.get(name, {}))

    def upstream_of(self, name: str) -> list[str]:
        """The direct upstream nodes of ``name`` (what it depends on), sorted by name."""
        self._check_known([name])
        return sorted(self._up.get(name, ()))

    def downstream_of(self, name: str) -> list[str]:
        """The direct downstream nodes of ``name`` (what depends on it), sorted by name."""
        self._check_known([name])
        return sorted(self._down.get(name, ()))

    def __contains__(self, name: object) -> bool:
        return name in self._kind

    def __len__(self) -> int:
        return len(self._kind)

    def __iter__(self) -> Iterator[str]:
        return iter(self._kind)

    def __repr__(self) -> str:
        parts = ", ".join(f"{self._counts[k]} {_PLURAL[k]}" for k in NodeKind)
        edges = sum(len(downs) for downs in self._down.values())
        return f"<DependencyGraph: {parts}, {edges} edges>"

    # ------------------------------------------------------------------------------------------
    # order
    # ------------------------------------------------------------------------------------------

    def toposort(self, kinds: Kinds = None) -> list[str]:
        """Every node (of ``kinds``) after everything it depends on.

        The order is Kahn's levels, each sorted by name: Dagster's resource init order (teardown is
        its exact reverse). A cycle raises :class:`DependencyCycleError` listing it.
        """
        order = self._order(_kinds(kinds), strict=True)
        return list(order.names)

    def levels(self, kinds: Kinds = None) -> list[list[str]]:
        """The topological levels: level 0 depends on nothing, level k only on earlier levels."""
        order = self._order(_kinds(kinds), strict=True)
        names, bounds = order.names, order.bounds
        return [names[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]

    def find_cycle(self, kinds: Kinds = None) -> list[str] | None:
        """One cycle as a path along the edges, ``['a', 'b', 'a']``, starting at its smallest name.

        ``None`` when the graph (of ``kinds``) is acyclic. Deterministic.
        """
        allowed = _kinds(kinds)
        order = self._order(allowed, strict=False)
        return self._cycle(order.stuck) if order.stuck else None

    # ------------------------------------------------------------------------------------------
    # traversal and selection
    # ------------------------------------------------------------------------------------------

    def ancestors(
        self, names: str | Iterable[str], depth: int | None = None, *, kinds: Kinds = None
    ) -> set[str]:
        """The nodes upstream of ``names`` within ``depth`` hops (``None``: all), excluding ``names``.

        With ``kinds``, only nodes of those kinds are visited and returned; the starting nodes may be
        of any kind, so ``ancestors(["report"], kinds="resource")`` gives the resources the asset
        ``report`` uses, directly or through other resources.
        """
        return self._reach(names, depth, _kinds(kinds), self._up)

    def descendants(
        self, names: str | Iterable[str], depth: int | None = None, *, kinds: Kinds = None
    ) -> set[str]:
        """The nodes downstream of ``names`` within ``depth`` hops (``None``: all), excluding ``names``.

        ``kinds`` restricts the nodes visited and returned, as in :meth:`ancestors`.
        """
        return self._reach(names, depth, _kinds(kinds), self._down)

    def subgraph(self, names: str | Iterable[str]) -> DependencyGraph:
        """A new graph of ``names`` (with their attributes) and the edges between them."""
        keep = dict.fromkeys(_names(names))
        self._check_known(keep)
        graph = DependencyGraph()
        for name, kind in self._kind.items():
            if name in keep:
                graph._kind[name] = kind
                graph._counts[kind] += 1
                if name in self._attrs:
                    graph._attrs[name] = dict(self._attrs[name])
        for up, downs in self._down.items():
            if up in keep:
                for down in downs:
                    if down in keep:
                        graph._up.setdefault(down, {})[up] = None
                        graph._down.setdefault(up, {})[down] = None
        return graph

    def select(self, selection: str | Iterable[str], *, kinds: Kinds = _DEFAULT_SELECT_KINDS) -> list[str]:
        """The nodes a Dagster-style selection picks, as a list in topological order.

        ``selection`` is a string or a list of strings; each string holds clauses separated by
        commas or whitespace, and the result is their union:

        - ``name``: the node; ``*``: every node;
        - ``*name`` / ``name*``: the node and everything upstream / downstream of it;
        - ``+name`` / ``name+``: the node and one hop upstream / downstream (``++`` two hops...);
        - combinations such as ``+name+`` or ``*name+``.

        A string that is exactly a node name selects that node, so names containing spaces,
        commas, ``+`` or ``*`` can still be selected (``"+my asset"`` works too).

        Only nodes of ``kinds`` are selected and traversed (default: assets and ops; ``None``:
        every kind, so resources can be selected by name too). An unknown name raises
        :class:`InvalidSubsetError` naming it with a suggestion. The order is that of
        :meth:`toposort` for ``kinds``; if the graph has a cycle, the nodes that cannot be ordered
        come last, sorted by name.
        """
        allowed = _kinds(kinds)
        kind_of = self._kind
        up_by_depth: dict[int | None, list[str]] = {}
        down_by_depth: dict[int | None, list[str]] = {}
        picked: dict[str, None] = {}
        everything = False
        for text in _names(selection):
            if not isinstance(text, str):
                raise TypeError(f"A selection is a string or a list of strings; got {text!r}.")
            for up, name, down in self._clauses(text):
                if name == "*":
                    everything = True
                    continue
                picked[name] = None
                up_by_depth.setdefault(up, []).append(name)
                down_by_depth.setdefault(down, []).append(name)
        self._check_known(picked, allowed, selection if isinstance(selection, str) else None)
        order = self._order(allowed, strict=False)
        if everything:
            return list(order.names)
        for depth, starts in up_by_depth.items():
            if depth != 0:
                picked.update(dict.fromkeys(self._reach(starts, depth, allowed, self._up)))
        for depth, starts in down_by_depth.items():
            if depth != 0:
                picked.update(dict.fromkeys(self._reach(starts, depth, allowed, self._down)))
        if len(picked) * 8 < len(kind_of):
            position = order.position
            return sorted(picked, key=position.__getitem__)
        return [name for name in order.names if name in picked]

    # ------------------------------------------------------------------------------------------
    # rendering
    # ------------------------------------------------------------------------------------------

    def to_dot(
        self,
        *,
        rankdir: str = "LR",
        node_attrs: Mapping[str, Mapping[str, Any]] | None = None,
        graph_name: str = "resnb",
        graph_attrs: Mapping[str, Any] | None = None,
        extra_lines: Sequence[str] = (),
    ) -> str:
        """The graph as DOT text (no graphviz needed), the same text for the same graph.

        Resources are ellipses, assets boxes, ops rounded boxes (:data:`DOT_KIND_ATTRS`), each
        labelled with its ``label`` attribute (from :meth:`add_node`) or else its name.
        ``node_attrs`` maps node names to DOT attributes that override those
        (``{"a": {"label": "a\\nbuilt", "style": "filled", "fillcolor": "palegreen"}}``); entries
        for names not in the graph are ignored, so one mapping can serve every subgraph.
        ``graph_attrs`` adds graph attributes (``{"nslimit": 2}``), written as a second ``graph``
        statement after the one that sets ``rankdir``; ``extra_lines`` (DOT statements, such as a
        legend subgraph) are written as given just before the closing brace.
        Every name and value is quoted and escaped (quotes, backslashes, line breaks), so any
        string is safe: a line feed in a label is a line break, a backslash is just a backslash.
        Nodes come in the order of :meth:`toposort` (a graph with a cycle is rendered too), then
        the edges, by upstream node.
        Attribute names must be DOT identifiers, else :class:`ValueError`.
        """
        lines = [f"digraph {_quote(graph_name)} {{", f"  graph [rankdir={_quote(rankdir)}];"]
        if graph_attrs:
            lines.append(f"  graph [{_dot_attrs(graph_attrs)}];")
        lines.append('  node [fontname="Helvetica", fontsize="11"];')
        order = self._order(None, strict=False).names
        quoted = {name: _quote(name) for name in order}
        lines.extend(self._dot_node_lines(order, quoted, node_attrs or {}))
        down = self._down
        for name in order:
            downs = down.get(name)
            if downs:
                source = quoted[name]
                lines.extend([f"  {source} -> {quoted[other]};" for other in sorted(downs)])
        lines.extend(extra_lines)
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _dot_node_lines(
        self, order: list[str], quoted: Mapping[str, str], extra: Mapping[str, Mapping[str, Any]]
    ) -> list[str]:
        """One DOT statement per node, in ``order``: label and kind shape, overridden by ``extra``."""
        kind_of = self._kind
        by_kind = {kind: _dot_attrs(attrs) for kind, attrs in DOT_KIND_ATTRS.items()}
        labels = {name: str(attrs["label"]) for name, attrs in self._attrs.items() if "label" in attrs}
        lines = []
        for name in order:
            more = extra.get(name)
            if more:
                attrs = _dot_attrs({"label": labels.get(name, name), **DOT_KIND_ATTRS[kind_of[name]], **more})
            else:
                label = _quote(labels[name]) if name in labels else quoted[name]
                attrs = f"label={label}, {by_kind[kind_of[name]]}"  # the keys sorted, as above
            lines.append(f"  {quoted[name]} [{attrs}];")
        return lines

    # ------------------------------------------------------------------------------------------
    # internals
    # ------------------------------------------------------------------------------------------

    def _effective(self, allowed: frozenset[NodeKind] | None) -> frozenset[NodeKind] | None:
        """``None`` when ``allowed`` covers every kind present (so no per-node kind checks)."""
        if allowed is None or all(kind in allowed for kind, count in self._counts.items() if count):
            return None
        return allowed

    def _order(self, allowed: frozenset[NodeKind] | None, *, strict: bool) -> _Order:
        """Kahn's algorithm on the subgraph of ``allowed`` kinds; cached until the graph changes."""
        allowed = self._effective(allowed)
        order = self._cache.get(allowed)
        if order is None:
            order = self._cache[allowed] = self._kahn(allowed)
        if strict and order.stuck:
            cycle = self._cycle(order.stuck)
            raise DependencyCycleError(self._cycle_message(cycle), cycle)
        return order

    def _kahn(self, allowed: frozenset[NodeKind] | None) -> _Order:
        kind_of, up, down = self._kind, self._up, self._down
        if allowed is None:
            indegree = dict.fromkeys(kind_of, 0)
            for name, ups in up.items():
                indegree[name] = len(ups)
        else:
            indegree = {name: 0 for name, kind in kind_of.items() if kind in allowed}
            for name, ups in up.items():
                if name in indegree:
                    indegree[name] = sum(1 for u in ups if u in indegree)
        # ``names`` grows level by level; ``bounds`` marks where each level starts. Reusing one
        # ``following`` list keeps a long chain (one node per level) free of per-level allocations.
        names = sorted([name for name, count in indegree.items() if not count])
        bounds = [0]
        following: list[str] = []
        no_edges: dict[str, None] = {}
        start = 0
        while start < len(names):
            end = len(names)
            bounds.append(end)
            for index in range(start, end):
                for dependent in down.get(names[index], no_edges):
                    count = indegree.get(dependent)
                    if count == 1:
                        following.append(dependent)
                    elif count is None:  # a kind outside ``allowed``
                        continue
                    indegree[dependent] = count - 1
            if len(following) > 1:
                following.sort()
            names.extend(following)
            following.clear()
            start = end
        stuck: list[str] = []
        if len(names) != len(indegree):
            stuck = sorted(name for name, count in indegree.items() if count > 0)
            names.extend(stuck)
        return _Order(names, bounds, stuck)

    def _cycle(self, stuck: list[str]) -> list[str]:
        """A cycle among the nodes Kahn could not order; each of them has an upstream among them.

        Walk upstream from the smallest name, always to the smallest stuck upstream, until a node
        repeats; linear in the edges walked.
        """
        remaining = set(stuck)
        position: dict[str, int] = {}
        path: list[str] = []
        node = stuck[0]
        while node not in position:
            position[node] = len(path)
            path.append(node)
            node = min(u for u in self._up[node] if u in remaining)
        loop = path[position[node] :][::-1]  # now along the edges: each node is upstream of the next
        start = loop.index(min(loop))
        loop = loop[start:] + loop[:start]
        return [*loop, loop[0]]

    def _cycle_message(self, cycle: list[str]) -> str:
        kinds = {self._kind[name] for name in cycle}
        what = _PLURAL[next(iter(kinds))] if len(kinds) == 1 else "nodes"
        return (
            f"The {what} {' -> '.join(cycle)} depend on each other in a cycle (each arrow points from a "
            "dependency to what depends on it). Break the cycle: remove one of these dependencies."
        )

    def _reach(
        self,
        names: str | Iterable[str],
        depth: int | None,
        allowed: frozenset[NodeKind] | None,
        adjacency: dict[str, dict[str, None]],
    ) -> set[str]:
        """Breadth-first search from ``names`` along ``adjacency``, ``depth`` hops (``None``: all)."""
        starts = _names(names)
        self._check_known(starts)
        if depth is not None and depth < 0:
            raise ValueError(f"depth must be None or a non-negative integer; got {depth}.")
        allowed = self._effective(allowed)
        kind_of = self._kind
        no_edges: dict[str, None] = {}
        seen = set(starts)
        frontier = starts
        hops = 0
        while frontier and (depth is None or hops < depth):
            following = []
            for name in frontier:
                for other in adjacency.get(name, no_edges):
                    if other not in seen and (allowed is None or kind_of[other] in allowed):
                        seen.add(other)
                        following.append(other)
            frontier = following
            hops += 1
        seen.difference_update(starts)
        return seen

    def _clauses(self, text: str) -> list[Clause]:
        """The clauses of one selection string (an exact node name is one clause by itself)."""
        stripped = text.strip()
        if stripped in self._kind:
            return [(0, stripped, 0)]
        if stripped == "*":
            return [(0, "*", 0)]
        if not stripped:
            return []
        whole = parse_clause(stripped)
        if whole[1] in self._kind:
            return [whole]
        return [
            (0, "*", 0) if part == "*" else parse_clause(part) for part in _SEPARATORS.split(stripped) if part
        ]

    def _check_known(
        self,
        names: Iterable[str],
        allowed: frozenset[NodeKind] | None = None,
        selection: object = None,
    ) -> None:
        """Raise :class:`InvalidSubsetError` for names not in the graph (or not of ``allowed`` kinds)."""
        kind_of = self._kind
        if allowed is None:
            missing = [name for name in names if name not in kind_of]
        else:
            missing = [name for name in names if kind_of.get(name) not in allowed]
        if not missing:
            return
        what = _describe(allowed)
        context = f" in the selection {selection!r}" if selection is not None else ""
        candidates = kind_of if allowed is None else [n for n, k in kind_of.items() if k in allowed]
        unknown = [name for name in missing if name not in kind_of]
        problems = []
        if len(unknown) == 1:
            name = unknown[0]
            problems.append(f"No {what} is named {name!r}{context}.{did_you_mean(name, candidates)}")
        elif unknown:
            described = []
            for name in unknown:
                hint = did_you_mean(name, candidates).strip()
                described.append(f"{name!r} (d{hint[1:]})" if hint else repr(name))
            problems.append(f"No {what} is named {', '.join(described)}{context}.")
        for name in missing:
            kind = kind_of.get(name)
            if kind is not None:
                problems.append(
                    f"{name!r} is {_A[kind]}, and this selection covers only {_plural_of(allowed)}; "
                    "pass kinds=None to select every kind."
                )
        raise InvalidSubsetError(" ".join(problems))


def _plural_of(kinds: frozenset[NodeKind] | None) -> str:
    if kinds is None:
        return "nodes"
    return " and ".join(_PLURAL[k] for k in NodeKind if k in kinds)


class _Order:
    """A cached Kahn result: names in order (stuck nodes last), level i is
    ``names[bounds[i]:bounds[i + 1]]``, and the nodes on or after a cycle."""

    __slots__ = ("_position", "bounds", "names", "stuck")

    def __init__(self, names: list[str], bounds: list[int], stuck: list[str]) -> None:
        self.names = names
        self.bounds = bounds
        self.stuck = stuck
        self._position: dict[str, int] | None = None

    @property
    def position(self) -> dict[str, int]:
        """Name -> index in :attr:`names`, built on first use."""
        if self._position is None:
            self._position = {name: index for index, name in enumerate(self.names)}
        return self._position
