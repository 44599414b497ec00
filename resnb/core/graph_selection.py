"""Dagster-style selection text for :meth:`~resnb.core.graph.DependencyGraph.select`.

A selection is a string or a list of strings; each string holds clauses separated by commas or
whitespace (``"+name"``, ``"name*"``, ``"*"``...). This module turns them into names and hop counts
and words the message for names the graph does not have; the graph does the traversal.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from typing import NamedTuple

from resnb.core.graph_kinds import WITH_ARTICLE, NodeKind, describe_kinds, plural_of
from resnb.errors import InvalidSubsetError, did_you_mean

__all__ = [
    "Clause",
    "ParsedSelection",
    "as_names",
    "parse_clause",
    "parse_selection",
    "split_clauses",
    "unknown_names_message",
]

_SEPARATORS = re.compile(r"[,\s]+")

Clause = tuple[int | None, str, int | None]


class ParsedSelection(NamedTuple):
    """The clauses of a selection grouped for traversal: every name picked, the names to walk
    upstream and downstream from by hop count (``None``: all the way), and whether ``*`` occurred."""

    picked: dict[str, None]
    upstream: dict[int | None, list[str]]
    downstream: dict[int | None, list[str]]
    everything: bool


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


def as_names(names: str | Iterable[str]) -> list[str]:
    """``names`` as a list; a single string is one name."""
    return [names] if isinstance(names, str) else list(names)


def split_clauses(text: str, known: Container[str]) -> list[Clause]:
    """The clauses of one selection string; one that is a ``known`` name (or such a name with
    operators around it) is one clause by itself, so names may contain spaces, commas, ``+``, ``*``."""
    stripped = text.strip()
    if stripped in known:
        return [(0, stripped, 0)]
    if stripped == "*":
        return [(0, "*", 0)]
    if not stripped:
        return []
    whole = parse_clause(stripped)
    if whole[1] in known:
        return [whole]
    return [
        (0, "*", 0) if part == "*" else parse_clause(part) for part in _SEPARATORS.split(stripped) if part
    ]


def parse_selection(selection: str | Iterable[str], known: Container[str]) -> ParsedSelection:
    """Every clause of ``selection`` (see :func:`split_clauses`), grouped by hop count."""
    picked: dict[str, None] = {}
    upstream: dict[int | None, list[str]] = {}
    downstream: dict[int | None, list[str]] = {}
    everything = False
    for text in as_names(selection):
        if not isinstance(text, str):
            raise TypeError(f"A selection is a string or a list of strings; got {text!r}.")
        for up, name, down in split_clauses(text, known):
            if name == "*":
                everything = True
                continue
            picked[name] = None
            upstream.setdefault(up, []).append(name)
            downstream.setdefault(down, []).append(name)
    return ParsedSelection(picked, upstream, downstream, everything)


def unknown_names_message(
    missing: list[str],
    kind_of: Mapping[str, NodeKind],
    allowed: frozenset[NodeKind] | None,
    selection: object = None,
) -> str:
    """Why ``missing`` cannot be used: not in the graph (with suggestions) or not of ``allowed`` kinds."""
    what = describe_kinds(allowed)
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
                f"{name!r} is {WITH_ARTICLE[kind]}, and this selection covers only {plural_of(allowed)}; "
                "pass kinds=None to select every kind."
            )
    return " ".join(problems)
