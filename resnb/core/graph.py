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

from collections.abc import Iterable, Iterator, KeysView, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from resnb.core.graph_algorithms import GraphOrder, cycle_along_edges, cycle_message, order_nodes, reach
from resnb.core.graph_dot import DOT_KIND_ATTRS, write_dot
from resnb.core.graph_kinds import (
    DEFAULT_SELECT_KINDS,
    KIND_BY_VALUE,
    PLURAL,
    WITH_ARTICLE,
    KindLike,
    Kinds,
    NodeKind,
    to_kind,
    to_kinds,
)
from resnb.core.graph_selection import as_names, parse_clause, parse_selection, unknown_names_message
from resnb.errors import DefinitionError, DependencyCycleError, InvalidSubsetError, did_you_mean

__all__ = ["DOT_KIND_ATTRS", "DependencyGraph", "NodeKind", "parse_clause"]


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
        self._cache: dict[frozenset[NodeKind] | None, GraphOrder] = {}

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
        node_kind = KIND_BY_VALUE.get(kind) if isinstance(kind, str) else None
        if node_kind is None:
            node_kind = to_kind(kind)  # raises
        existing = self._kind.get(name)
        if existing is None:
            self._kind[name] = node_kind
            self._counts[node_kind] += 1
            if self._cache:
                self._cache.clear()
        elif existing is not node_kind:
            raise DefinitionError(
                f"{name!r} is already in the graph as {WITH_ARTICLE[existing]} and cannot also be added "
                f"as {WITH_ARTICLE[node_kind]}. Assets, ops and resources share one namespace: rename one "
                "of them."
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
                f"resources, and {upstream!r} is {WITH_ARTICLE[up_kind]}."
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
        parts = ", ".join(f"{self._counts[k]} {PLURAL[k]}" for k in NodeKind)
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
        order = self._order(to_kinds(kinds), strict=True)
        return list(order.names)

    def levels(self, kinds: Kinds = None) -> list[list[str]]:
        """The topological levels: level 0 depends on nothing, level k only on earlier levels."""
        order = self._order(to_kinds(kinds), strict=True)
        names, bounds = order.names, order.bounds
        return [names[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]

    def find_cycle(self, kinds: Kinds = None) -> list[str] | None:
        """One cycle as a path along the edges, ``['a', 'b', 'a']``, starting at its smallest name.

        ``None`` when the graph (of ``kinds``) is acyclic. Deterministic.
        """
        allowed = to_kinds(kinds)
        order = self._order(allowed, strict=False)
        return cycle_along_edges(order.stuck, self._up) if order.stuck else None

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
        return self._reach(names, depth, to_kinds(kinds), self._up)

    def descendants(
        self, names: str | Iterable[str], depth: int | None = None, *, kinds: Kinds = None
    ) -> set[str]:
        """The nodes downstream of ``names`` within ``depth`` hops (``None``: all), excluding ``names``.

        ``kinds`` restricts the nodes visited and returned, as in :meth:`ancestors`.
        """
        return self._reach(names, depth, to_kinds(kinds), self._down)

    def subgraph(self, names: str | Iterable[str]) -> DependencyGraph:
        """A new graph of ``names`` (with their attributes) and the edges between them."""
        keep = dict.fromkeys(as_names(names))
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

    def select(self, selection: str | Iterable[str], *, kinds: Kinds = DEFAULT_SELECT_KINDS) -> list[str]:
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
        allowed = to_kinds(kinds)
        parsed = parse_selection(selection, self._kind)
        picked = parsed.picked
        self._check_known(picked, allowed, selection if isinstance(selection, str) else None)
        order = self._order(allowed, strict=False)
        if parsed.everything:
            return list(order.names)
        for adjacency, starts_by_depth in ((self._up, parsed.upstream), (self._down, parsed.downstream)):
            for depth, starts in starts_by_depth.items():
                if depth != 0:
                    picked.update(dict.fromkeys(self._reach(starts, depth, allowed, adjacency)))
        if len(picked) * 8 < len(self._kind):
            return sorted(picked, key=order.position.__getitem__)
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
        labels = {name: str(attrs["label"]) for name, attrs in self._attrs.items() if "label" in attrs}
        return write_dot(
            self._order(None, strict=False).names,
            self._kind,
            labels,
            self._down,
            rankdir=rankdir,
            node_attrs=node_attrs or {},
            graph_name=graph_name,
            graph_attrs=graph_attrs,
            extra_lines=extra_lines,
        )

    # ------------------------------------------------------------------------------------------
    # internals
    # ------------------------------------------------------------------------------------------

    def _effective(self, allowed: frozenset[NodeKind] | None) -> frozenset[NodeKind] | None:
        """``None`` when ``allowed`` covers every kind present (so no per-node kind checks)."""
        if allowed is None or all(kind in allowed for kind, count in self._counts.items() if count):
            return None
        return allowed

    def _order(self, allowed: frozenset[NodeKind] | None, *, strict: bool) -> GraphOrder:
        """Kahn's algorithm on the subgraph of ``allowed`` kinds; cached until the graph changes."""
        allowed = self._effective(allowed)
        order = self._cache.get(allowed)
        if order is None:
            order = self._cache[allowed] = order_nodes(self._kind, self._up, self._down, allowed)
        if strict and order.stuck:
            cycle = cycle_along_edges(order.stuck, self._up)
            raise DependencyCycleError(cycle_message(cycle, self._kind), cycle)
        return order

    def _reach(
        self,
        names: str | Iterable[str],
        depth: int | None,
        allowed: frozenset[NodeKind] | None,
        adjacency: dict[str, dict[str, None]],
    ) -> set[str]:
        """Breadth-first search from ``names`` along ``adjacency``, ``depth`` hops (``None``: all)."""
        starts = as_names(names)
        self._check_known(starts)
        if depth is not None and depth < 0:
            raise ValueError(f"depth must be None or a non-negative integer; got {depth}.")
        return reach(starts, depth, adjacency, self._kind, self._effective(allowed))

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
        raise InvalidSubsetError(unknown_names_message(missing, kind_of, allowed, selection))
