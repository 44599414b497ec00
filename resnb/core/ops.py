"""``@op``, ``@graph`` and ``@job``: graphs of ops, composed by calling ops inside a function."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from resnb.core.assets import OutputSpec
from resnb.core.keys import In, Out
from resnb.core.params import ComputeNode, FunctionParams, check_resource_keys_combination, classify_params
from resnb.errors import DefinitionError, InvocationError, MissingResourceError, did_you_mean, listing

__all__ = ["GraphDefinition", "JobDefinition", "OpDefinition", "graph", "job", "op"]

_COMPOSING = threading.local()


class OutputHandle(NamedTuple):
    """What calling an op inside a graph returns: a reference to one of its outputs."""

    node_name: str
    output_name: str


class NodeInvocation(NamedTuple):
    """One use of an op in a graph: its node name and where each input comes from."""

    name: str
    op: OpDefinition
    inputs: dict[str, OutputHandle]


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

    def __repr__(self) -> str:
        return f"<OpDefinition {self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        composition = getattr(_COMPOSING, "current", None)
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
        composition = getattr(_COMPOSING, "current", None)
        if composition is None:
            raise InvocationError(f"op alias '{self.name}' can only be called inside @job/@graph.")
        return composition.add(self.op, args, kwargs, name=self.name)


def _op_outputs(out: Any) -> dict[str, OutputSpec]:
    if out is None:
        out = Out()
    if isinstance(out, Out):
        return {"result": OutputSpec("result", None, out.io_manager_key, out.description)}
    return {
        name: OutputSpec(name, None, spec.io_manager_key, spec.description)
        for name, spec in dict(out).items()
    }


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
        return OpDefinition(
            fn,
            op_name,
            params,
            _op_outputs(out),
            required_resource_keys or (),
            description or inspect.getdoc(fn),
            in_specs,
            config_schema,
        )

    return decorate(compute_fn) if compute_fn is not None else decorate


class _Composition:
    """Records the op calls made while a graph function runs (nested graphs are inlined)."""

    def __init__(self, graph_name: str) -> None:
        self.graph_name = graph_name
        self.nodes: dict[str, NodeInvocation] = {}
        self.aliases: dict[tuple[str, str], OutputHandle] = {}
        self._uses: dict[str, int] = {}
        self._prefix = ""

    def add_graph(self, graph_def: GraphDefinition, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        assert graph_def.compose_fn is not None
        try:
            inspect.signature(graph_def.compose_fn).bind(*args, **kwargs)
        except TypeError as exc:
            raise DefinitionError(
                f"In graph '{self.graph_name}', graph '{graph_def.name}' was called with the wrong "
                f"inputs ({exc}). Its inputs: {listing(graph_inputs(graph_def))}."
            ) from None
        node_name = self._fresh_name(graph_def.name)
        outer_prefix, self._prefix = self._prefix, f"{self._prefix}{node_name}."
        try:
            returned = graph_def.compose_fn(*args, **kwargs)
        finally:
            self._prefix = outer_prefix
        single = isinstance(returned, OutputHandle) or not isinstance(returned, tuple)
        handles = (returned,) if single else returned
        names = ["result"] if len(handles) == 1 else [f"result_{i}" for i in range(len(handles))]
        if isinstance(returned, dict):
            handles, names = tuple(returned.values()), list(returned)
        for name, handle in zip(names, handles):
            if isinstance(handle, OutputHandle):
                self.aliases[(f"{outer_prefix}{node_name}", name)] = handle
        return returned

    def add(
        self, op_def: OpDefinition, args: tuple[Any, ...], kwargs: dict[str, Any], name: str | None = None
    ) -> Any:
        node_name = self._prefix + (name or self._fresh_name(op_def.name))
        inputs = self._bind_inputs(op_def, node_name, args, kwargs)
        self.nodes[node_name] = NodeInvocation(node_name, op_def, inputs)
        handles = [OutputHandle(node_name, out) for out in op_def.outputs]
        return handles[0] if len(handles) == 1 else tuple(handles)

    def _fresh_name(self, base: str) -> str:
        scoped = self._prefix + base
        count = self._uses.get(scoped, 0) + 1
        self._uses[scoped] = count
        return base if count == 1 else f"{base}_{count}"

    def _bind_inputs(
        self, op_def: OpDefinition, node_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> dict[str, OutputHandle]:
        names = op_def.params.inputs
        if len(args) > len(names):
            raise DefinitionError(
                f"In graph '{self.graph_name}', op '{node_name}' was called with {len(args)} "
                f"positional input{'' if len(args) == 1 else 's'} but takes {len(names)}"
                f"{f' ({listing(names)})' if names else ''}."
            )
        bound = dict(zip(names, args))
        bound.update(kwargs)
        for input_name, value in bound.items():
            if input_name not in names:
                raise DefinitionError(
                    f"In graph '{self.graph_name}', op '{node_name}' has no input '{input_name}'. "
                    f"Its inputs: {listing(names)}."
                )
            if not isinstance(value, OutputHandle):
                raise DefinitionError(
                    f"In graph '{self.graph_name}', input '{input_name}' of op '{node_name}' must "
                    "be the output of another op call (values are passed at run time)."
                )
        return bound


def graph_inputs(graph_def: GraphDefinition) -> list[str]:
    """The parameters of a graph's composition function (its inputs)."""
    if graph_def.compose_fn is None:
        return []
    return [
        p.name
        for p in inspect.signature(graph_def.compose_fn).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def check_inputs_connected(job_def: JobDefinition) -> None:
    """Every op input is fed by another op's output or has a default (else DefinitionError).

    Checked when the job is resolved or run, not when it is defined (Dagster could still load
    such inputs from run config; resnb does not).
    """
    needed = graph_inputs(job_def.graph)
    if needed:
        raise DefinitionError(
            f"Job '{job_def.name}' is made from graph '{job_def.graph.name}', which takes inputs "
            f"({listing(needed)}). resnb runs only graphs without inputs as jobs: call this graph "
            "inside a @job or @graph and pass it the outputs of other ops."
        )
    for node in job_def.nodes.values():
        params = node.op.params
        for input_name in params.inputs:
            if input_name not in node.inputs and input_name not in params.defaults:
                raise DefinitionError(
                    f"Input '{input_name}' of op '{node.name}' in job '{job_def.name}' is not "
                    "connected: no op output is passed to it and it has no default value. Pass "
                    f"one where the op is called ({node.op.name}({input_name}=other_op())) or give "
                    f"it a default (a Python default, or ins={{'{input_name}': In(default_value=...)}}). "
                    "resnb does not load op inputs from run config."
                )


class GraphDefinition:
    """A set of op invocations wired by their outputs. Turn it into jobs with :meth:`to_job`."""

    def __init__(
        self,
        name: str,
        nodes: Mapping[str, NodeInvocation],
        description: str | None = None,
        compose_fn: Callable[..., Any] | None = None,
        aliases: Mapping[tuple[str, str], OutputHandle] | None = None,
    ) -> None:
        self.name = name
        self.nodes = dict(nodes)
        self.description = description
        self.compose_fn = compose_fn
        self.aliases = dict(aliases or {})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        composition = getattr(_COMPOSING, "current", None)
        if composition is None or self.compose_fn is None:
            raise InvocationError(
                f"Graph '{self.name}' can only be called inside @job/@graph; run it with "
                ".execute_in_process() or turn it into a job with .to_job()."
            )
        return composition.add_graph(self, args, kwargs)

    def to_job(
        self,
        name: str | None = None,
        description: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        config: Any = None,
        executor_def: Any = None,
        **_ignored: Any,
    ) -> JobDefinition:
        """A job running this graph with ``resource_defs``; one graph can make several jobs."""
        job_def = JobDefinition(
            name or self.name,
            self,
            resource_defs or {},
            executor_def,
            description or self.description,
            config,
        )
        if resource_defs is not None:
            job_def.check_resources_provided()
        return job_def

    def execute_in_process(
        self,
        run_config: Any = None,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Run this graph as an anonymous job in this process."""
        return self.to_job(resource_defs=resources).execute_in_process(
            run_config=run_config, raise_on_error=raise_on_error, **kwargs
        )

    def __repr__(self) -> str:
        return f"<GraphDefinition {self.name}>"


class JobDefinition:
    """A graph plus the resources and executor to run it with."""

    def __init__(
        self,
        name: str,
        graph_def: GraphDefinition,
        resource_defs: Mapping[str, Any],
        executor_def: Any = None,
        description: str | None = None,
        config: Any = None,
    ) -> None:
        from resnb.build.scope import check_resource_mapping

        self.name = name
        self.graph = graph_def
        self.resource_defs = check_resource_mapping(resource_defs)
        self.executor_def = executor_def
        self.description = description
        self.config = config
        self.assets: tuple[Any, ...] = ()  # asset jobs: the assets in scope ...
        self.asset_selection: Any = None  # ... and which of them run

    @property
    def nodes(self) -> dict[str, NodeInvocation]:
        """The op invocations of the job's graph."""
        return self.graph.nodes

    def check_resources_provided(self) -> None:
        """Raise :class:`MissingResourceError` when an op needs a key the job's resources lack.

        As in Dagster, a job given ``resource_defs`` is checked when it is defined; the default
        ``io_manager`` counts as provided.
        """
        provided = {**self.resource_defs, "io_manager": None}
        for node in self.nodes.values():
            missing = sorted(node.op.required_resource_keys - provided.keys())
            if missing:
                raise MissingResourceError(
                    f"Resource '{missing[0]}' required by op '{node.name}' of job '{self.name}' was "
                    f"not provided. Its resource_defs hold: {listing(provided)}."
                    f"{did_you_mean(missing[0], provided)} Add it to the job's resource_defs or "
                    "fix the name."
                )

    def with_resources(self, resource_defs: Mapping[str, Any]) -> JobDefinition:
        """A copy whose resources are ``resource_defs`` overlaid by the job's own."""
        copy = JobDefinition(
            self.name,
            self.graph,
            {**resource_defs, **self.resource_defs},
            self.executor_def,
            self.description,
            self.config,
        )
        copy.assets = self.assets
        copy.asset_selection = self.asset_selection
        return copy

    def execute_in_process(
        self,
        run_config: Any = None,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Run the job in this process (whatever its executor) and return the result."""
        from resnb.execution.run import execute_job_definition

        return execute_job_definition(self, run_config, resources, raise_on_error, executor=None, **kwargs)

    def execute(
        self, run_config: Any = None, resources: Mapping[str, Any] | None = None, raise_on_error: bool = True
    ) -> Any:
        """Run the job with its own ``executor_def`` (multiprocess jobs run in subprocesses)."""
        from resnb.execution.run import execute_job_definition

        return execute_job_definition(self, run_config, resources, raise_on_error, executor=self.executor_def)

    def __repr__(self) -> str:
        return f"<JobDefinition {self.name}>"


def _compose(fn: Callable[..., Any], name: str, description: str | None) -> GraphDefinition:
    composition = _Composition(name)
    previous = getattr(_COMPOSING, "current", None)
    _COMPOSING.current = composition
    try:
        if not inspect.signature(fn).parameters:
            fn()
    finally:
        _COMPOSING.current = previous
    return GraphDefinition(name, composition.nodes, description, fn, composition.aliases)


def graph(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    **_ignored: Any,
) -> Any:
    """Define a graph by calling ops inside a function (bare or called)."""

    def decorate(fn: Callable[..., Any]) -> GraphDefinition:
        return _compose(fn, name or fn.__name__, description or inspect.getdoc(fn))

    return decorate(compose_fn) if compose_fn is not None else decorate


def job(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    executor_def: Any = None,
    description: str | None = None,
    config: Any = None,
    **_ignored: Any,
) -> Any:
    """Define a job by calling ops inside a function, with its resources and executor."""

    def decorate(fn: Callable[..., Any]) -> JobDefinition:
        job_name = name or fn.__name__
        graph_def = _compose(fn, job_name, description or inspect.getdoc(fn))
        job_def = JobDefinition(
            job_name, graph_def, resource_defs or {}, executor_def, graph_def.description, config
        )
        if resource_defs is not None:
            job_def.check_resources_provided()
        return job_def

    return decorate(compose_fn) if compose_fn is not None else decorate
