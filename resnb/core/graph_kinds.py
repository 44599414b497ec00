"""The kinds of node in a :class:`~resnb.core.graph.DependencyGraph`, and how messages name them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from resnb.errors import listing

__all__ = [
    "DEFAULT_SELECT_KINDS",
    "KIND_BY_VALUE",
    "KindLike",
    "Kinds",
    "NodeKind",
    "PLURAL",
    "WITH_ARTICLE",
    "describe_kinds",
    "plural_of",
    "to_kind",
    "to_kinds",
]


class NodeKind(str, Enum):
    """What a node stands for. Compares equal to its value: ``NodeKind.ASSET == "asset"``."""

    ASSET = "asset"
    OP = "op"
    RESOURCE = "resource"

    def __str__(self) -> str:
        return self.value


KindLike = NodeKind | str
Kinds = Iterable[KindLike] | None

#: ``"assets"``, ``"ops"``, ``"resources"``.
PLURAL = {NodeKind.ASSET: "assets", NodeKind.OP: "ops", NodeKind.RESOURCE: "resources"}
#: ``"an asset"``, ``"an op"``, ``"a resource"``.
WITH_ARTICLE = {NodeKind.ASSET: "an asset", NodeKind.OP: "an op", NodeKind.RESOURCE: "a resource"}
#: What :meth:`~resnb.core.graph.DependencyGraph.select` selects by default.
DEFAULT_SELECT_KINDS = (NodeKind.ASSET, NodeKind.OP)
#: Each kind by its value; a member is found too, as it is equal to (and hashes like) its value.
KIND_BY_VALUE: dict[str, NodeKind] = {k.value: k for k in NodeKind}


def to_kind(kind: KindLike) -> NodeKind:
    """The :class:`NodeKind` of ``kind`` (a member or its value), else :class:`ValueError`."""
    node_kind = KIND_BY_VALUE.get(kind) if isinstance(kind, str) else None
    if node_kind is None:
        raise ValueError(f"Unknown node kind {kind!r}; use one of {listing(KIND_BY_VALUE)}.")
    return node_kind


def to_kinds(kinds: Kinds) -> frozenset[NodeKind] | None:
    """``None`` for every kind, else the set of kinds (a single string counts as one kind)."""
    if kinds is None:
        return None
    if isinstance(kinds, str):
        kinds = (kinds,)
    normalized = frozenset(to_kind(k) for k in kinds)
    return None if len(normalized) == len(NodeKind) else normalized


def describe_kinds(kinds: frozenset[NodeKind] | None) -> str:
    """``"node"``, ``"asset or op"``... for messages."""
    if kinds is None:
        return "node"
    return " or ".join(k.value for k in NodeKind if k in kinds)


def plural_of(kinds: frozenset[NodeKind] | None) -> str:
    """``"nodes"``, ``"assets and ops"``... for messages."""
    if kinds is None:
        return "nodes"
    return " and ".join(PLURAL[k] for k in NodeKind if k in kinds)
