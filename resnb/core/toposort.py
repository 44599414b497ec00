"""Deterministic topological order of a small dependency mapping (key -> keys it depends on)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from resnb.errors import DependencyCycleError

__all__ = ["find_cycle", "toposort_mapping"]


def toposort_mapping(dependencies: Mapping[str, Iterable[str]], what: str = "node") -> list[str]:
    """Keys in dependency order: Kahn levels, each level sorted by key (Dagster's init order).

    Every dependency must itself be a key. A cycle raises :class:`DependencyCycleError`.
    """
    remaining = {key: set(deps) for key, deps in dependencies.items()}
    dependents: dict[str, list[str]] = {key: [] for key in remaining}
    for key, deps in remaining.items():
        for dep in deps:
            dependents[dep].append(key)
    level = sorted(key for key, deps in remaining.items() if not deps)
    order: list[str] = []
    while level:
        order.extend(level)
        following = []
        for key in level:
            for dependent in dependents[key]:
                deps = remaining[dependent]
                deps.discard(key)
                if not deps:
                    following.append(dependent)
        level = sorted(following)
    if len(order) != len(remaining):
        cycle = find_cycle({k: v for k, v in remaining.items() if v}) or []
        raise DependencyCycleError(
            f"The {what}s {' -> '.join(cycle)} depend on each other in a cycle. Break the cycle: "
            f"one of these {what}s must not depend on the next.",
            cycle,
        )
    return order


def find_cycle(dependencies: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, a]`` (each depending on the next), or ``None``. Iterative."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(dependencies):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(dependencies.get(start, ())))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(dependencies.get(nxt, ()))))
    return None
