"""Ordering, cycles and reachability on the adjacency dicts of a :class:`~resnb.core.graph.DependencyGraph`.

The graph keeps ``up`` and ``down``: node -> ordered set (a dict of ``None``) of its upstream or
downstream nodes, and ``kind_of``: node -> :class:`NodeKind`. ``allowed`` restricts a computation
to nodes of those kinds (``None``: every kind). Everything is iterative and linear in nodes plus
edges (apart from sorting each topological level by name), via :mod:`resnb.core.toposort`.
"""

from __future__ import annotations

from collections.abc import Mapping

from resnb.core.graph_kinds import PLURAL, NodeKind
from resnb.core.toposort import kahn_levels, walk_cycle

__all__ = ["Adjacency", "GraphOrder", "cycle_along_edges", "cycle_message", "order_nodes", "reach"]

Adjacency = Mapping[str, Mapping[str, None]]


class GraphOrder:
    """A Kahn result: names in order (stuck nodes last), level i is ``names[bounds[i]:bounds[i + 1]]``,
    and the nodes on or after a cycle (``stuck``)."""

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


def order_nodes(
    kind_of: Mapping[str, NodeKind], up: Adjacency, down: Adjacency, allowed: frozenset[NodeKind] | None
) -> GraphOrder:
    """Kahn's algorithm on the subgraph of ``allowed`` kinds (edges to other kinds ignored)."""
    if allowed is None:
        indegree = dict.fromkeys(kind_of, 0)
        for name, ups in up.items():
            indegree[name] = len(ups)
    else:
        indegree = {name: 0 for name, kind in kind_of.items() if kind in allowed}
        for name, ups in up.items():
            if name in indegree:
                indegree[name] = sum(1 for u in ups if u in indegree)
    return GraphOrder(*kahn_levels(indegree, down))


def cycle_along_edges(stuck: list[str], up: Adjacency) -> list[str]:
    """A cycle among the nodes Kahn could not order, as a path along the edges from its smallest name:
    ``['a', 'b', 'a']`` when ``a -> b -> a``."""
    loop = walk_cycle(stuck, up)[::-1]  # now each node is upstream of the next
    start = loop.index(min(loop))
    loop = loop[start:] + loop[:start]
    return [*loop, loop[0]]


def cycle_message(cycle: list[str], kind_of: Mapping[str, NodeKind]) -> str:
    """The :class:`DependencyCycleError` message for ``cycle``, naming its kind when it has one."""
    kinds = {kind_of[name] for name in cycle}
    what = PLURAL[next(iter(kinds))] if len(kinds) == 1 else "nodes"
    return (
        f"The {what} {' -> '.join(cycle)} depend on each other in a cycle (each arrow points from a "
        "dependency to what depends on it). Break the cycle: remove one of these dependencies."
    )


def reach(
    starts: list[str],
    depth: int | None,
    adjacency: Adjacency,
    kind_of: Mapping[str, NodeKind],
    allowed: frozenset[NodeKind] | None,
) -> set[str]:
    """Breadth-first search from ``starts`` along ``adjacency``, ``depth`` hops (``None``: all),
    visiting only nodes of ``allowed`` kinds; the nodes reached, ``starts`` excluded."""
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
