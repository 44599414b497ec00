"""``AssetKey``, ``Output`` and the small value types shared by assets and ops."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

__all__ = [
    "AssetIn",
    "AssetKey",
    "AssetOut",
    "CoercibleToAssetKey",
    "GraphOut",
    "In",
    "Out",
    "Output",
    "RunConfig",
]


class AssetKey:
    """The key of an asset: a path such as ``AssetKey(["warehouse", "orders"])`` (``warehouse/orders``)."""

    __slots__ = ("path", "_hash")

    def __init__(self, path: str | Sequence[str]) -> None:
        parts = (path,) if isinstance(path, str) else tuple(path)
        if not parts or not all(isinstance(p, str) and p for p in parts):
            raise TypeError(f"An asset key is a non-empty string or list of strings, got {path!r}.")
        object.__setattr__(self, "path", parts)
        object.__setattr__(self, "_hash", hash(parts))

    @classmethod
    def from_user_string(cls, text: str) -> AssetKey:
        """``"pre/e"`` -> ``AssetKey(["pre", "e"])``."""
        return cls(text.split("/"))

    @classmethod
    def from_coercible(cls, value: CoercibleToAssetKey) -> AssetKey:
        """An AssetKey from a key, a ``"a/b"`` string, a list of parts, or an asset definition."""
        if isinstance(value, AssetKey):
            return value
        if isinstance(value, str):
            return cls.from_user_string(value)
        key = getattr(value, "key", None)
        if isinstance(key, AssetKey):
            return key
        if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
            return cls(list(value))
        raise TypeError(
            f"Cannot make an asset key from {value!r} ({type(value).__name__}). Give an AssetKey, "
            "a string ('orders' or 'warehouse/orders'), a list of strings or an asset definition."
        )

    def to_user_string(self) -> str:
        """``pre/e``."""
        return "/".join(self.path)

    def to_python_identifier(self) -> str:
        """``pre__e``: the node name of the asset's step."""
        return "__".join(self.path)

    def with_prefix(self, prefix: str | Sequence[str]) -> AssetKey:
        """This key with ``prefix`` in front."""
        parts = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        return AssetKey((*parts, *self.path))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AssetKey is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetKey) and other.path == self.path

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, AssetKey):
            return NotImplemented
        return self.path < other.path

    def __le__(self, other: object) -> bool:
        if not isinstance(other, AssetKey):
            return NotImplemented
        return self.path <= other.path

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, AssetKey):
            return NotImplemented
        return self.path > other.path

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, AssetKey):
            return NotImplemented
        return self.path >= other.path

    def __repr__(self) -> str:
        return f"AssetKey({list(self.path)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (AssetKey, (self.path,))


CoercibleToAssetKey = Union[AssetKey, str, Sequence[str]]


class AssetIn:
    """Where an asset input comes from: ``ins={"x": AssetIn("upstream")}``."""

    __slots__ = ("key", "metadata", "input_manager_key")

    def __init__(
        self,
        key: CoercibleToAssetKey | None = None,
        metadata: Mapping[str, Any] | None = None,
        key_prefix: str | Sequence[str] | None = None,
        input_manager_key: str | None = None,
    ) -> None:
        asset_key = AssetKey.from_coercible(key) if key is not None else None
        if asset_key is not None and key_prefix:
            asset_key = asset_key.with_prefix(key_prefix)
        self.key = asset_key
        self.metadata = dict(metadata or {})
        self.input_manager_key = input_manager_key


class AssetOut:
    """One output of a ``@multi_asset``: its key (default: the output name) and IO manager."""

    __slots__ = ("key", "key_prefix", "description", "io_manager_key", "metadata", "group_name")

    def __init__(
        self,
        key: CoercibleToAssetKey | None = None,
        key_prefix: str | Sequence[str] | None = None,
        description: str | None = None,
        io_manager_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        group_name: str | None = None,
        **_ignored: Any,
    ) -> None:
        self.key = AssetKey.from_coercible(key) if key is not None else None
        self.key_prefix = key_prefix
        self.description = description
        self.io_manager_key = io_manager_key
        self.metadata = dict(metadata or {})
        self.group_name = group_name


class _NoDefault:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_DEFAULT"


#: ``In(default_value=...)`` not given (``None`` is a valid default).
NO_DEFAULT: Any = _NoDefault()


class In:
    """An op input: ``ins={"x": In(description=..., default_value=...)}``."""

    __slots__ = ("dagster_type", "description", "default_value", "metadata")

    def __init__(
        self,
        dagster_type: Any = None,
        description: str | None = None,
        default_value: Any = NO_DEFAULT,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.dagster_type = dagster_type
        self.description = description
        self.default_value = default_value
        self.metadata = dict(metadata or {})

    @property
    def has_default_value(self) -> bool:
        """Whether ``default_value`` was given; the input may then be left unconnected."""
        return self.default_value is not NO_DEFAULT


class Out:
    """An op output: ``out=Out(io_manager_key=...)`` or ``out={"a": Out(), "b": Out()}``."""

    __slots__ = ("dagster_type", "description", "io_manager_key", "is_required", "metadata")

    def __init__(
        self,
        dagster_type: Any = None,
        description: str | None = None,
        io_manager_key: str | None = None,
        is_required: bool = True,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.dagster_type = dagster_type
        self.description = description
        self.io_manager_key = io_manager_key or "io_manager"
        self.is_required = is_required
        self.metadata = dict(metadata or {})


class GraphOut:
    """A graph output: ``@graph(out={"a": GraphOut(), "b": GraphOut()})`` for a graph returning a dict."""

    __slots__ = ("description",)

    def __init__(self, description: str | None = None) -> None:
        self.description = description


class Output:
    """A value returned or yielded by an asset or op, with its output name and metadata."""

    __slots__ = ("value", "output_name", "metadata")

    def __init__(
        self, value: Any, output_name: str = "result", metadata: Mapping[str, Any] | None = None
    ) -> None:
        self.value = value
        self.output_name = output_name
        self.metadata = dict(metadata or {})

    def __repr__(self) -> str:
        return f"Output(output_name={self.output_name!r})"


class _NoValue:
    """The ``value`` of a :class:`MaterializeResult` that carries none."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __reduce__(self) -> str:
        return "NO_VALUE"  # copies and unpickled results are the module's one sentinel


NO_VALUE: Any = _NoValue()


class MaterializeResult:
    """What an asset returns when it stores its data itself: metadata, and no value for the IO manager.

    As in Dagster, the IO manager is not called unless ``value`` is given; an asset downstream
    loads the upstream through its IO manager. ``metadata``, ``check_results``, ``data_version``
    and ``tags`` are accepted and kept on the object (resnb keeps no event log).
    """

    __slots__ = ("asset_key", "metadata", "check_results", "data_version", "tags", "value")

    def __init__(
        self,
        asset_key: Any = None,
        metadata: Mapping[str, Any] | None = None,
        check_results: Sequence[Any] | None = None,
        data_version: Any = None,
        tags: Mapping[str, str] | None = None,
        value: Any = NO_VALUE,
    ) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self.metadata = dict(metadata or {})
        self.check_results = list(check_results or ())
        self.data_version = data_version
        self.tags = dict(tags or {})
        self.value = value

    @property
    def has_value(self) -> bool:
        """Whether a value was given (then the IO manager stores it)."""
        return self.value is not NO_VALUE

    def __repr__(self) -> str:
        key = f"asset_key={self.asset_key.to_user_string()!r}, " if self.asset_key else ""
        return f"MaterializeResult({key}metadata keys={sorted(self.metadata)})"


class RunConfig:
    """Run config as objects: ``RunConfig(ops={"asset": MyConfig(n=4)}, resources={...})``."""

    __slots__ = ("ops", "resources", "loggers", "execution")

    def __init__(
        self,
        ops: Mapping[str, Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        loggers: Mapping[str, Any] | None = None,
        execution: Mapping[str, Any] | None = None,
    ) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})
        self.loggers = dict(loggers or {})
        self.execution = dict(execution or {})

    def to_config_dict(self) -> dict[str, Any]:
        """The plain-dict form ``{"ops": {...}, "resources": {...}}`` (plus ``execution``/``loggers`` when given)."""
        config: dict[str, Any] = {
            "ops": {name: _as_config_entry(value) for name, value in self.ops.items()},
            "resources": {key: _as_config_entry(value) for key, value in self.resources.items()},
        }
        if self.execution:
            config["execution"] = self.execution
        if self.loggers:
            config["loggers"] = self.loggers
        return config


def _as_config_entry(value: Any) -> Any:
    from resnb.core.config import Config

    if isinstance(value, Config):
        return {"config": value}
    return value


def as_key_list(values: Iterable[CoercibleToAssetKey]) -> list[AssetKey]:
    """Coerce each value to an AssetKey."""
    return [AssetKey.from_coercible(v) for v in values]
