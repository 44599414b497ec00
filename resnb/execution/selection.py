"""Asset selection: names, keys, definitions, ``AssetSelection`` and the ``+name``/``name*`` syntax."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from resnb.core.assets import AssetsDefinition
from resnb.core.keys import AssetKey, CoercibleToAssetKey
from resnb.errors import DefinitionError
from resnb.execution.plan import index_assets

if TYPE_CHECKING:
    from resnb.core.graph import DependencyGraph

__all__ = ["AssetSelection", "asset_graph", "select_assets"]


def asset_graph(assets: Iterable[AssetsDefinition]) -> DependencyGraph:
    """The asset-to-asset graph, nodes named by key (``pre/e``)."""
    from resnb.core.graph import DependencyGraph

    by_key = index_assets(assets)
    graph = DependencyGraph()
    for key in by_key:
        graph.add_node(key.to_user_string(), "asset")
    for key, definition in by_key.items():
        for upstream in definition.upstream_keys:
            if upstream in by_key:
                graph.add_edge(upstream.to_user_string(), key.to_user_string())
    return graph


class AssetSelection:
    """A composable selection: ``AssetSelection.keys("a") | AssetSelection.groups("g")``."""

    def __init__(
        self, clauses: Sequence[str] = (), groups: Sequence[str] = (), everything: bool = False
    ) -> None:
        self.clauses = tuple(clauses)
        self.group_names = tuple(groups)
        self.everything = everything
        self._up: int | None = None
        self._down: int | None = None

    @classmethod
    def all(cls) -> AssetSelection:
        """Every asset."""
        return cls(everything=True)

    @classmethod
    def keys(cls, *keys: Any) -> AssetSelection:
        """The assets with these keys (``"a"``/``"pre/a"`` strings, lists of strings or AssetKeys)."""
        return cls(clauses=_key_strings(keys, "AssetSelection.keys()"))

    @classmethod
    def assets(cls, *assets: AssetsDefinition | CoercibleToAssetKey) -> AssetSelection:
        """The assets given as definitions, AssetKeys, ``"pre/a"`` strings or lists of strings."""
        return cls(clauses=_key_strings(assets, "AssetSelection.assets()"))

    @classmethod
    def groups(cls, *group_names: str) -> AssetSelection:
        """The assets in these groups."""
        return cls(groups=group_names)

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return _Union(self, other)

    def upstream(self, depth: int | None = None) -> AssetSelection:
        """This selection plus its upstream assets (``depth`` hops; all by default)."""
        copy = AssetSelection(self.clauses, self.group_names, self.everything)
        copy._up = -1 if depth is None else depth
        return copy

    def downstream(self, depth: int | None = None) -> AssetSelection:
        """This selection plus its downstream assets (``depth`` hops; all by default)."""
        copy = AssetSelection(self.clauses, self.group_names, self.everything)
        copy._down = -1 if depth is None else depth
        return copy

    def resolve(self, assets: Sequence[AssetsDefinition]) -> set[str]:
        """The selected node names (asset key strings)."""
        graph = asset_graph(assets)
        if self.everything:
            names = {k.to_user_string() for d in assets for k in d.keys}
        else:
            names = set(graph.select(list(self.clauses))) if self.clauses else set()
            names |= {k.to_user_string() for d in assets if d.group_name in self.group_names for k in d.keys}
        if self._up is not None:
            names |= set(graph.ancestors(names, depth=None if self._up < 0 else self._up))
        if self._down is not None:
            names |= set(graph.descendants(names, depth=None if self._down < 0 else self._down))
        return names


class _Union(AssetSelection):
    def __init__(self, left: AssetSelection, right: AssetSelection) -> None:
        super().__init__()
        self.left = left
        self.right = right

    def resolve(self, assets: Sequence[AssetsDefinition]) -> set[str]:
        return self.left.resolve(assets) | self.right.resolve(assets)


def _key_strings(items: Iterable[Any], where: str) -> list[str]:
    """The key strings (``pre/a``) of definitions and coercible keys; a clear error for others."""
    strings: list[str] = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, AssetsDefinition):
            strings.extend(key.to_user_string() for key in item.keys)
        elif _is_coercible_key(item):
            strings.append(AssetKey.from_coercible(item).to_user_string())
        else:
            raise DefinitionError(
                f"{where} got {_shown(item)} as argument {position}. It takes asset definitions, "
                "AssetKeys, strings ('orders' or 'warehouse/orders') and lists of strings, such "
                "as AssetSelection.assets('orders', my_asset)."
            )
    return strings


def _is_coercible_key(item: Any) -> bool:
    if isinstance(item, (str, AssetKey)):
        return True
    return isinstance(item, (list, tuple)) and bool(item) and all(isinstance(p, str) and p for p in item)


def _shown(value: Any) -> str:
    return f"{reprlib.repr(value)} ({type(value).__name__})"


def _selection_items(selection: Any) -> list[Any]:
    """``selection`` as a list of names, keys and definitions; a clear error for anything else."""
    if isinstance(selection, (str, AssetKey, AssetsDefinition)):
        return [selection]
    if isinstance(selection, Iterable) and not isinstance(selection, (bytes, Mapping)):
        items = list(selection)
        bad = [
            item for item in items if not isinstance(item, AssetsDefinition) and not _is_coercible_key(item)
        ]
        if not bad:
            return items
        given = f"a list holding {_shown(bad[0])}"
    else:
        given = _shown(selection)
    raise DefinitionError(
        f"selection= got {given}. It takes an asset name or selection string ('orders', "
        "'+orders', 'orders*'), an AssetKey, an asset definition, a list of those, or an "
        "AssetSelection such as AssetSelection.assets('orders')."
    )


def select_assets(assets: Sequence[AssetsDefinition], selection: Any) -> list[AssetsDefinition] | None:
    """The definitions ``selection`` picks out of ``assets`` (``None`` selection: all)."""
    if selection is None:
        return None
    if isinstance(selection, AssetSelection):
        names = selection.resolve(assets)
    else:
        items = _selection_items(selection)
        direct = [item for item in items if isinstance(item, AssetsDefinition)]
        clauses = [
            item if isinstance(item, str) else AssetKey.from_coercible(item).to_user_string()
            for item in items
            if not isinstance(item, AssetsDefinition)
        ]
        names = set(asset_graph(assets).select(clauses)) if clauses else set()
        names |= {k.to_user_string() for d in direct for k in d.keys}
    return [d for d in index_assets(assets).values() if any(k.to_user_string() in names for k in d.keys)]
