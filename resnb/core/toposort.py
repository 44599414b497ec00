"""Kahn's topological order and cycle finding: one implementation for every dependency graph in resnb.

:func:`kahn_levels` and :func:`walk_cycle` work on plain adjacency dicts. :class:`~resnb.core.graph.
DependencyGraph` calls them on its own (cached, filtered by kind); :func:`toposort_mapping` and
:func:`find_cycle` call them on a ``key -> keys it depends on`` mapping (resource init order, plan
steps). Both are iterative and linear in nodes plus edges, apart from sorting each level by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from resnb.errors import DependencyCycleError

__all__ = ["find_cycle", "kahn_levels", "toposort_mapping", "walk_cycle"]


def kahn_levels(
    indegree: dict[str, int], dependents: Mapping[str, Iterable[str]]
) -> tuple[list[str], list[int], list[str]]:
    """Kahn's algorithm: ``(names, bounds, stuck)``.

    ``indegree`` maps every node to be ordered to its number of upstream nodes, and is used up (the counts
    go down); ``dependents`` maps a node to its downstream nodes, and those absent from ``indegree``
    are skipped (so a caller can order a subgraph). Level ``i`` is ``names[bounds[i]:bounds[i + 1]]``,
    sorted by name. ``stuck`` holds the nodes on or downstream of a cycle, sorted, and is also
    appended to ``names`` (after the last level).
    """
    # ``names`` grows level by level; ``bounds`` marks where each level starts. Reusing one
    # ``following`` list keeps a long chain (one node per level) free of per-level allocations.
    names = sorted([name for name, count in indegree.items() if not count])
    bounds = [0]
    following: list[str] = []
    no_edges: tuple[str, ...] = ()
    start = 0
    while start < len(names):
        end = len(names)
        bounds.append(end)
        for index in range(start, end):
            for dependent in dependents.get(names[index], no_edges):
                count = indegree.get(dependent)
                if count == 1:
                    following.append(dependent)
                elif count is None:  # not a node being ordered
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
    return names, bounds, stuck


def walk_cycle(stuck: list[str], upstream: Mapping[str, Iterable[str]]) -> list[str]:
    """A cycle among the ``stuck`` nodes of :func:`kahn_levels`, each depending on the next.

    Every stuck node has an upstream node that is stuck too, so walking upstream from the smallest
    name, always to the smallest stuck upstream, must repeat a node; the loop from that node on is
    returned (without repeating it). Linear in the edges walked.
    """
    remaining = set(stuck)
    position: dict[str, int] = {}
    path: list[str] = []
    node = stuck[0]
    while node not in position:
        position[node] = len(path)
        path.append(node)
        node = min(u for u in upstream[node] if u in remaining)
    return path[position[node] :]


def toposort_mapping(dependencies: Mapping[str, Iterable[str]], what: str = "node") -> list[str]:
    """Keys in dependency order: Kahn levels, each level sorted by key (Dagster's init order).

    Every dependency must itself be a key (else :class:`KeyError`). A cycle raises
    :class:`DependencyCycleError`.
    """
    indegree, dependents = _counts_and_dependents(dependencies)
    for dep in dependents.keys() - indegree.keys():
        raise KeyError(dep)
    order, _, stuck = kahn_levels(indegree, dependents)
    if stuck:
        loop = walk_cycle(stuck, _upstream_of(stuck, dependents))
        cycle = [*loop, loop[0]]
        raise DependencyCycleError(
            f"The {what}s {' -> '.join(cycle)} depend on each other in a cycle. Break the cycle: "
            f"one of these {what}s must not depend on the next.",
            cycle,
        )
    return order


def find_cycle(dependencies: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, a]`` (each depending on the next), or ``None``. Iterative.

    A dependency that is not a key counts as a key without dependencies.
    """
    indegree, dependents = _counts_and_dependents(dependencies)
    for dep in dependents.keys() - indegree.keys():
        indegree[dep] = 0
    _, _, stuck = kahn_levels(indegree, dependents)
    if not stuck:
        return None
    loop = walk_cycle(stuck, _upstream_of(stuck, dependents))
    return [*loop, loop[0]]


def _counts_and_dependents(
    dependencies: Mapping[str, Iterable[str]],
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Each key's number of distinct dependencies, and the keys depending on each dependency."""
    indegree: dict[str, int] = {}
    dependents: dict[str, list[str]] = {}
    for key, deps in dependencies.items():
        unique = deps if isinstance(deps, (set, frozenset)) else set(deps)
        indegree[key] = len(unique)
        for dep in unique:
            listed = dependents.get(dep)
            if listed is None:
                dependents[dep] = [key]
            else:
                listed.append(key)
    return indegree, dependents


def _upstream_of(stuck: list[str], dependents: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The dependencies of each ``stuck`` key, rebuilt from ``dependents`` (so the caller's values,
    which may be one-shot iterators, are read only once)."""
    upstream: dict[str, list[str]] = {key: [] for key in stuck}
    for dep, keys in dependents.items():
        for key in keys:
            if key in upstream:
                upstream[key].append(dep)
    return upstream
