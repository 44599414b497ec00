"""``@op`` and :class:`OpDefinition`: a function run as one step of a job.

Graphs and jobs live in :mod:`resnb.core.graphs` and :mod:`resnb.core.jobs`; their public names
are re-exported here, so ``from resnb.core.ops import JobDefinition`` keeps working.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from resnb.core.assets import OutputSpec
from resnb.core.configured import ConfigMapping
from resnb.core.graphs import GraphDefinition, current_composition, graph
from resnb.core.input_config import InputLoader, loader_for
from resnb.core.jobs import JobDefinition, check_inputs_connected, job
from resnb.core.keys import In, Out
from resnb.core.params import ComputeNode, FunctionParams, check_resource_keys_combination, classify_params
from resnb.errors import DefinitionError, InvocationError, did_you_mean, listing

__all__ = [
    "GraphDefinition",
    "JobDefinition",
    "OpDefinition",
    "check_inputs_connected",
    "graph",
    "job",
    "op",
]


class OpDefinition(ComputeNode):
    """An op: a function run as one step of a job. Call it inside ``@job``/``@graph`` to compose."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str,
        params: FunctionParams,
        outputs: Mapping[str, OutputSpec],
        required_resource_keys: Iterable[str],
        description: str | None,
        ins: Mapping[str, In],
        config_schema: Any = None,
    ) -> None:
        self.fn = fn
        self.name = name
        self.node_name = name
        self.params = params
        self.outputs = dict(outputs)
        self.declared_resource_keys = frozenset(required_resource_keys)
        self.description = description
        self.ins = dict(ins)
        self.config_schema = config_schema
        self.config_mapping: ConfigMapping | None = None  # set by configured()
        self.input_loaders = _input_loaders(params, self.ins)

    def configured(
        self,
        config_or_config_fn: Any,
        name: str,
        config_schema: Any = None,
        description: str | None = None,
    ) -> OpDefinition:
        """A new op ``name`` running this one with its config given (or mapped from a smaller one).

        ``config_or_config_fn`` is this op's config, or a function of the new op's run config
        (validated by ``config_schema`` when given) that returns it.
        """
        copy = OpDefinition(
            self.fn,
            name,
            self.params,
            self.outputs,
            self.declared_resource_keys,
            description or self.description,
            self.ins,
            self.config_schema,
        )
        copy.config_mapping = ConfigMapping(config_or_config_fn, config_schema, self.config_mapping)
        return copy

    def __repr__(self) -> str:
        return f"<OpDefinition {self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        composition = current_composition()
        if composition is not None:
            return composition.add(self, args, kwargs)
        from resnb.execution.invocation import invoke_directly

        return invoke_directly(self, args, kwargs)

    def alias(self, name: str) -> _AliasedOp:
        """Use this op under another node name inside a graph."""
        return _AliasedOp(self, name)


class _AliasedOp:
    def __init__(self, op: OpDefinition, name: str) -> None:
        self.op = op
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        composition = current_composition()
        if composition is None:
            raise InvocationError(f"op alias '{self.name}' can only be called inside @job/@graph.")
        return composition.add(self.op, args, kwargs, name=self.name)


def _input_loaders(params: FunctionParams, ins: Mapping[str, In]) -> dict[str, InputLoader | None]:
    """How run config may give each input (``None``: it cannot), from ``In(dagster_type)`` or the annotation."""
    loaders = {}
    for input_name in params.inputs:
        spec = ins.get(input_name)
        annotation = spec.dagster_type if spec is not None and spec.dagster_type is not None else None
        if annotation is None:
            annotation = params.annotations.get(input_name, inspect.Parameter.empty)
        loaders[input_name] = loader_for(annotation)
    return loaders


def _op_outputs(out: Any) -> dict[str, OutputSpec]:
    if out is None:
        out = Out()
    if isinstance(out, Out):
        return {"result": OutputSpec("result", None, out.io_manager_key, out.description)}
    return {
        name: OutputSpec(name, None, spec.io_manager_key, spec.description)
        for name, spec in dict(out).items()
    }


def _with_in_defaults(params: FunctionParams, in_specs: Mapping[str, In], where: str) -> FunctionParams:
    """``params`` with the ``In(default_value=...)`` defaults added; every ``ins`` name must be an input."""
    unknown = sorted(set(in_specs) - set(params.inputs))
    if unknown:
        raise DefinitionError(
            f"{where}: ins= names {listing(unknown)}, which {'is' if len(unknown) == 1 else 'are'} "
            f"not an input parameter of the function. Its inputs: {listing(params.inputs)}."
            f"{did_you_mean(unknown[0], params.inputs)}"
        )
    in_defaults = {
        input_name: spec.default_value
        for input_name, spec in in_specs.items()
        if spec.has_default_value and input_name not in params.defaults
    }
    if in_defaults:
        params = params._replace(defaults={**params.defaults, **in_defaults})
    return params


def op(
    compute_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    description: str | None = None,
    config_schema: Any = None,
    **_ignored: Any,
) -> Any:
    """Define an op, bare (``@op``) or called (``@op(required_resource_keys={"db"})``)."""

    def decorate(fn: Callable[..., Any]) -> OpDefinition:
        op_name = name or fn.__name__
        where = f"@op '{op_name}'"
        params = classify_params(fn, where)
        check_resource_keys_combination(params, required_resource_keys, where)
        in_specs = dict(ins or {})
        return OpDefinition(
            fn,
            op_name,
            _with_in_defaults(params, in_specs, where),
            _op_outputs(out),
            required_resource_keys or (),
            description or inspect.getdoc(fn),
            in_specs,
            config_schema,
        )

    return decorate(compute_fn) if compute_fn is not None else decorate
