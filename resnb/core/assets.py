"""``@asset``, ``@multi_asset`` and ``AssetsDefinition``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, overload

from resnb.core.keys import AssetIn, AssetKey, AssetOut, CoercibleToAssetKey, as_key_list
from resnb.core.params import ComputeNode, FunctionParams, check_resource_keys_combination, classify_params
from resnb.errors import DefinitionError, InvocationError

__all__ = ["AssetsDefinition", "OutputSpec", "asset", "multi_asset"]


class OutputSpec(NamedTuple):
    """One output of a node: the asset it materialises (if any) and its IO manager key."""

    name: str
    asset_key: AssetKey | None
    io_manager_key: str
    description: str | None = None
    metadata: Mapping[str, Any] | None = None


def _location(fn: Callable[..., Any]) -> str:
    code = getattr(fn, "__code__", None)
    where = f"{code.co_filename}:{code.co_firstlineno}" if code else "?"
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', fn)} ({where})"


class AssetsDefinition(ComputeNode):
    """One or more assets computed by one function (``@asset`` makes one, ``@multi_asset`` several).

    Call it directly to compute the value in a test: ``my_asset(upstream_value, resource=R(...))``.
    """

    def __init__(
        self,
        *,
        fn: Callable[..., Any],
        node_name: str,
        params: FunctionParams,
        outputs: Mapping[str, OutputSpec],
        input_keys: Mapping[str, AssetKey],
        deps: Sequence[AssetKey] = (),
        required_resource_keys: Iterable[str] = (),
        description: str | None = None,
        group_name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        config_schema: Any = None,
    ) -> None:
        self.fn = fn
        self.node_name = node_name
        self.params = params
        self.outputs = dict(outputs)
        self.input_keys = dict(input_keys)
        self.deps = tuple(deps)
        self.declared_resource_keys = frozenset(required_resource_keys)
        self.description = description
        self.group_name = group_name or "default"
        self.metadata = dict(metadata or {})
        self.resource_defs = dict(resource_defs or {})
        self.config_schema = config_schema
        self.location = _location(fn)

    # -- identity --------------------------------------------------------------------------------
    @property
    def keys(self) -> list[AssetKey]:
        """The keys of the assets this definition materialises."""
        return [spec.asset_key for spec in self.outputs.values() if spec.asset_key is not None]

    @property
    def key(self) -> AssetKey:
        """The asset key (only for single-asset definitions)."""
        keys = self.keys
        if len(keys) != 1:
            raise InvocationError(f"{self.node_name} defines {len(keys)} assets; use .keys instead of .key.")
        return keys[0]

    @property
    def op(self) -> AssetsDefinition:
        """The node that computes the assets (this definition itself)."""
        return self

    @property
    def name(self) -> str:
        """The node name (``pre__e`` for key ``pre/e``)."""
        return self.node_name

    @property
    def upstream_keys(self) -> list[AssetKey]:
        """Assets read as inputs, then ``deps=`` (ordering only)."""
        seen = dict.fromkeys([*self.input_keys.values(), *self.deps])
        return list(seen)

    def with_resources(self, resource_defs: Mapping[str, Any]) -> AssetsDefinition:
        """A copy bound to ``resource_defs`` (see :func:`resnb.with_resources`)."""
        copy = object.__new__(AssetsDefinition)
        copy.__dict__.update(self.__dict__)
        copy.resource_defs = {**self.resource_defs, **resource_defs}
        return copy

    def __repr__(self) -> str:
        keys = ", ".join(k.to_user_string() for k in self.keys)
        return f"<AssetsDefinition {keys}>"

    # -- direct invocation ---------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the function directly, resources given as keyword arguments or in a context."""
        from resnb.execution.invocation import invoke_directly

        return invoke_directly(self, args, kwargs)


def _key_for(name: str, key: CoercibleToAssetKey | None, key_prefix: str | Sequence[str] | None) -> AssetKey:
    asset_key = AssetKey.from_coercible(key) if key is not None else AssetKey(name)
    return asset_key.with_prefix(key_prefix) if key_prefix else asset_key


def _input_keys(params: FunctionParams, ins: Mapping[str, AssetIn] | None, where: str) -> dict[str, AssetKey]:
    ins = dict(ins or {})
    unknown = set(ins) - set(params.inputs)
    if unknown:
        raise DefinitionError(
            f"{where}: ins= names {sorted(unknown)}, which are not parameters of the function."
        )
    keys = {}
    for name in params.inputs:
        spec = ins.get(name)
        keys[name] = spec.key if spec is not None and spec.key is not None else AssetKey(name)
    return keys


def _build_asset(fn: Callable[..., Any], options: dict[str, Any]) -> AssetsDefinition:
    name = options.get("name") or fn.__name__
    key = _key_for(name, options.get("key"), options.get("key_prefix"))
    where = f"@asset '{key.to_user_string()}'"
    params = classify_params(fn, where)
    check_resource_keys_combination(params, options.get("required_resource_keys"), where)
    output = OutputSpec(
        "result",
        key,
        options.get("io_manager_key") or "io_manager",
        options.get("description") or inspect.getdoc(fn),
        options.get("metadata"),
    )
    return AssetsDefinition(
        fn=fn,
        node_name=key.to_python_identifier(),
        params=params,
        outputs={"result": output},
        input_keys=_input_keys(params, options.get("ins"), where),
        deps=as_key_list(options.get("deps") or ()),
        required_resource_keys=options.get("required_resource_keys") or (),
        description=output.description,
        group_name=options.get("group_name"),
        metadata=options.get("metadata"),
        resource_defs=options.get("resource_defs"),
        config_schema=options.get("config_schema"),
    )


@overload
def asset(compute_fn: Callable[..., Any]) -> AssetsDefinition: ...
@overload
def asset(
    compute_fn: None = None,
    *,
    name: str | None = None,
    key: CoercibleToAssetKey | None = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    description: str | None = None,
    group_name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...
def asset(compute_fn: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Define an asset from a function, bare (``@asset``) or called (``@asset(name=...)``).

    Parameters typed with a resource class (or ``ResourceParam[T]``) receive resources keyed by
    the parameter name; other parameters receive upstream assets of the same name.
    """
    if compute_fn is not None:
        return _build_asset(compute_fn, options)
    return lambda fn: _build_asset(fn, options)


def multi_asset(
    *,
    outs: Mapping[str, AssetOut],
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    description: str | None = None,
    group_name: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    **_ignored: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Define several assets computed by one function; it returns a tuple or yields ``Output``s."""

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        node_name = name or fn.__name__
        where = f"@multi_asset '{node_name}'"
        params = classify_params(fn, where)
        check_resource_keys_combination(params, required_resource_keys, where)
        outputs = {
            out_name: OutputSpec(
                out_name,
                _key_for(out_name, out.key, out.key_prefix),
                out.io_manager_key or "io_manager",
                out.description,
                out.metadata,
            )
            for out_name, out in outs.items()
        }
        return AssetsDefinition(
            fn=fn,
            node_name=node_name,
            params=params,
            outputs=outputs,
            input_keys=_input_keys(params, ins, where),
            deps=as_key_list(deps or ()),
            required_resource_keys=required_resource_keys or (),
            description=description or inspect.getdoc(fn),
            group_name=group_name,
            resource_defs=resource_defs,
        )

    return decorate
