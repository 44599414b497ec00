"""Calling an asset or op function directly, as in a unit test: ``my_asset(1, r=R(v=3))``."""

from __future__ import annotations

import copy
import inspect
from typing import Any

from resnb.build.scope import ResourceScope
from resnb.core.context import Resources
from resnb.core.keys import Output
from resnb.errors import InvocationError, listing
from resnb.execution.context import AssetExecutionContext, OpExecutionContext, StepContext

__all__ = ["invoke_directly"]


def _split_args(
    definition: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[StepContext | None, dict[str, Any]]:
    params = definition.params
    context = None
    if args and isinstance(args[0], StepContext):
        context, args = args[0], args[1:]
    elif params.context and params.context in kwargs:
        context = kwargs.pop(params.context)
    names = [*_ordered_names(definition)]
    if len(args) > len(names):
        raise InvocationError(
            f"'{definition.name}' takes {len(names)} arguments besides the context "
            f"({listing(names)}), got {len(args)}."
        )
    bound = dict(zip(names, args))
    for name, value in kwargs.items():
        if name not in names:
            raise InvocationError(
                f"'{definition.name}' has no parameter '{name}'. Parameters: {listing(names)}."
            )
        bound[name] = value
    return context, bound


def _ordered_names(definition: Any) -> list[str]:
    params = definition.params
    wanted = set(params.inputs) | set(params.resources) | ({params.config[0]} if params.config else set())
    return [name for name in inspect.signature(definition.fn).parameters if name in wanted]


def invoke_directly(definition: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Call the function with inputs, resources (initialised for the call) and config."""
    context, bound = _split_args(definition, args, dict(kwargs))
    mapping = getattr(definition, "config_mapping", None)
    if mapping is not None:  # a configured op: its config comes from the context's through the mapping
        raw = context.op_config if context is not None else None
        context = _with_op_config(context, mapping.apply(raw, f"op '{definition.name}'"))
    params = definition.params
    given_resources = {name: bound.pop(name) for name in params.resources if name in bound}
    if given_resources and context is not None and len(context.resources):
        raise InvocationError(
            f"Cannot provide resources both in the context and as arguments to '{definition.name}'."
        )
    scope = ResourceScope(given_resources) if given_resources else None
    try:
        values = scope.open() if scope else {}
        call = _call_arguments(definition, context, bound, values)
        return _unwrap(definition.fn(**call))
    finally:
        if scope is not None:
            scope.close()


def _with_op_config(context: StepContext | None, op_config: Any) -> StepContext:
    """``context`` (or a new op context) with ``op_config``; the caller's context is left as it is."""
    if context is None:
        return OpExecutionContext(Resources({}), op_config=op_config)
    changed = copy.copy(context)
    changed.op_config = op_config
    changed._scope = None  # the caller's context still owns (and closes) its resources
    return changed


def _bound_to_asset(context: StepContext, definition: Any) -> StepContext:
    """For an asset called directly: ``context`` knowing the asset's keys (``selected_asset_keys``).

    The caller's context is left as it is (a copy is bound), as for op config.
    """
    keys = tuple(getattr(definition, "keys", ()) or ())
    if not keys or context._asset_keys:
        return context
    bound = copy.copy(context)
    bound._asset_keys = keys
    bound._scope = None  # the caller's context still owns (and closes) its resources
    return bound


def _call_arguments(
    definition: Any, context: StepContext | None, bound: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    params = definition.params
    call = dict(bound)
    for name in params.resources:
        if name in values:
            call[name] = values[name]
        elif context is not None and name in context.resources:
            call[name] = context.resources.original_resource_dict[name]
        else:
            raise InvocationError(
                f"'{definition.name}' needs resource '{name}': pass it as an argument "
                f"({name}=...) or in the context (build_asset_context(resources={{'{name}': ...}}))."
            )
    if params.config and params.config[0] not in call:
        config = context.op_config if context is not None else None
        cls = params.config[1]
        call[params.config[0]] = config if isinstance(config, cls) else cls(**(config or {}))
    if params.context:
        if context is None:
            kind = AssetExecutionContext if hasattr(definition, "input_keys") else OpExecutionContext
            context = kind(Resources({}))
        call[params.context] = _bound_to_asset(context, definition)
    for name in params.inputs:
        if name not in call and name in params.defaults:
            call[name] = params.defaults[name]  # also In(default_value=...), unknown to the function
    missing = [name for name in params.inputs if name not in call]
    if missing:
        raise InvocationError(f"'{definition.name}' is missing inputs {listing(missing)}.")
    return call


def _unwrap(result: Any) -> Any:
    if isinstance(result, Output):
        return result.value
    if inspect.isgenerator(result):
        return list(result)
    return result
