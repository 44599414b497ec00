"""``@graph``: ops composed by calling them inside a function, and the :class:`GraphDefinition` built.

While a graph (or job) function runs, calling an op records a :class:`NodeInvocation` and returns
:class:`OutputHandle` references instead of running it; nested graphs are inlined under a prefixed
node name (``outer.inner``). A graph's own inputs are :class:`GraphInput` placeholders while it is
composed: the op inputs they reach stay unconnected and are recorded in
:attr:`GraphDefinition.input_mappings`, to be given at launch (``input_values=`` or
``run_config={"inputs": {...}}``). :mod:`resnb.core.jobs` turns graphs into jobs.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from resnb.errors import DefinitionError, InvocationError, did_you_mean, listing

if TYPE_CHECKING:
    from resnb.core.jobs import JobDefinition
    from resnb.core.ops import OpDefinition

__all__ = [
    "Composition",
    "GraphDefinition",
    "GraphInput",
    "GraphOutputs",
    "NodeInvocation",
    "OutputHandle",
    "compose",
    "current_composition",
    "graph",
    "named_outputs",
]

_COMPOSING = threading.local()


class OutputHandle(NamedTuple):
    """What calling an op inside a graph returns: a reference to one of its outputs."""

    node_name: str
    output_name: str


class GraphInput:
    """What a graph function's parameter is while the graph is composed: a placeholder for its value."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"GraphInput({self.name!r})"

    def _no_value(self, *_args: Any) -> Any:
        raise DefinitionError(
            f"Graph input '{self.name}' has no value while the graph is composed: pass it to an op "
            f"or graph as it is (op({self.name})) and work with its value inside the op."
        )

    __iter__ = __getitem__ = __len__ = _no_value


class GraphOutputs(tuple):  # type: ignore[type-arg]
    """The outputs of a graph called inside another: unpack them in order, or take one by name (``r.a``)."""

    _graph: str
    _names: tuple[str, ...]

    def __new__(cls, graph_name: str, outputs: Mapping[str, OutputHandle]) -> GraphOutputs:
        obj = super().__new__(cls, tuple(outputs.values()))
        obj._graph, obj._names = graph_name, tuple(outputs)
        return obj

    def __getitem__(self, key: Any) -> Any:
        return self._by_name(key) if isinstance(key, str) else super().__getitem__(key)

    def __getattr__(self, name: str) -> OutputHandle:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._by_name(name)

    def _by_name(self, name: str) -> OutputHandle:
        if name not in self._names:
            raise AttributeError(
                f"Graph '{self._graph}' has no output '{name}'. Its outputs: {listing(self._names)}."
                f"{did_you_mean(name, self._names)}"
            )
        return tuple.__getitem__(self, self._names.index(name))


class NodeInvocation(NamedTuple):
    """One use of an op in a graph: its node name and where each input comes from."""

    name: str
    op: OpDefinition
    inputs: dict[str, OutputHandle]


def current_composition() -> Composition | None:
    """The composition recording op calls in this thread, or ``None`` outside ``@job``/``@graph``."""
    return getattr(_COMPOSING, "current", None)


class Composition:
    """Records the op calls made while a graph function runs (nested graphs are inlined)."""

    def __init__(self, graph_name: str) -> None:
        self.graph_name = graph_name
        self.nodes: dict[str, NodeInvocation] = {}
        self.aliases: dict[tuple[str, str], OutputHandle] = {}
        #: graph input name -> the (node name, input name) pairs it feeds
        self.input_mappings: dict[str, list[tuple[str, str]]] = {}
        self._uses: dict[str, int] = {}
        self._prefix = ""

    def add_graph(self, graph_def: GraphDefinition, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Inline a call of ``graph_def``: record its ops under a prefixed name, return its outputs."""
        assert graph_def.compose_fn is not None
        try:
            inspect.signature(graph_def.compose_fn).bind(*args, **kwargs)
        except TypeError as exc:
            raise DefinitionError(
                f"In graph '{self.graph_name}', graph '{graph_def.name}' was called with the wrong "
                f"inputs ({exc}). Its inputs: {listing(graph_def.input_mappings)}."
            ) from None
        node_name = self._fresh_name(graph_def.name)
        outer_prefix, self._prefix = self._prefix, f"{self._prefix}{node_name}."
        try:
            returned = graph_def.compose_fn(*args, **kwargs)
        finally:
            self._prefix = outer_prefix
        graph_node = f"{outer_prefix}{node_name}"
        outputs = named_outputs(returned, graph_def.output_names, graph_def.name)
        for name, handle in outputs.items():
            self.aliases[(graph_node, name)] = handle
        if list(outputs) == ["result"]:
            return outputs["result"]
        return GraphOutputs(graph_def.name, outputs) if outputs else None

    def add(
        self, op_def: OpDefinition, args: tuple[Any, ...], kwargs: dict[str, Any], name: str | None = None
    ) -> Any:
        """Record a call of ``op_def`` (as ``name``, else a fresh name); return its output handles."""
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
        connected: dict[str, OutputHandle] = {}
        for input_name, value in bound.items():
            if isinstance(value, GraphOutputs) and len(value) == 1:
                value = value[0]  # a graph with one named output, used as that output
            if input_name not in names:
                raise DefinitionError(
                    f"In graph '{self.graph_name}', op '{node_name}' has no input '{input_name}'. "
                    f"Its inputs: {listing(names)}."
                )
            if isinstance(value, GraphInput):
                self.input_mappings.setdefault(value.name, []).append((node_name, input_name))
            elif isinstance(value, OutputHandle):
                connected[input_name] = value
            else:
                raise DefinitionError(
                    f"In graph '{self.graph_name}', input '{input_name}' of op '{node_name}' must "
                    "be the output of another op call or an input of the graph (values are passed "
                    "at run time)."
                )
        return connected


def named_outputs(
    returned: Any, declared: Sequence[str] | None = None, graph_name: str = ""
) -> dict[str, OutputHandle]:
    """The op outputs a graph function returned, by graph output name.

    A dict gives its keys. With ``declared`` names (``out={...}``), one handle or a tuple takes them
    in order; without, one handle is ``result`` and a tuple gives ``result_0``, ``result_1``...
    """
    if isinstance(returned, dict):
        pairs = list(returned.items())
    elif isinstance(returned, GraphOutputs) and declared is None:
        pairs = list(zip(returned._names, returned))
    else:
        handles = (
            list(returned)
            if isinstance(returned, tuple) and not isinstance(returned, OutputHandle)
            else [returned]
        )
        handles = [h for h in handles if isinstance(h, OutputHandle)]
        if declared is not None:
            if len(handles) != len(declared):
                raise DefinitionError(
                    f"@graph '{graph_name}' declares {len(declared)} output(s) ({listing(declared)}) in "
                    f"out=, but returns {len(handles)}. Return one op output per declared name, in that "
                    "order, or a dict of them."
                )
            pairs = list(zip(declared, handles))
        elif len(handles) == 1:
            pairs = [("result", handles[0])]
        else:
            pairs = [(f"result_{i}", handle) for i, handle in enumerate(handles)]
    return {str(name): handle for name, handle in pairs if isinstance(handle, OutputHandle)}


class GraphDefinition:
    """A set of op invocations wired by their outputs. Turn it into jobs with :meth:`to_job`."""

    def __init__(
        self,
        name: str,
        nodes: Mapping[str, NodeInvocation],
        description: str | None = None,
        compose_fn: Callable[..., Any] | None = None,
        aliases: Mapping[tuple[str, str], OutputHandle] | None = None,
        input_mappings: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        outputs: Mapping[str, OutputHandle] | None = None,
        output_names: Sequence[str] | None = None,
    ) -> None:
        self.name = name
        self.nodes = dict(nodes)
        self.description = description
        self.compose_fn = compose_fn
        self.aliases = dict(aliases or {})
        #: the graph's inputs, in parameter order: name -> the (node name, input name) pairs it feeds
        self.input_mappings = {key: tuple(pairs) for key, pairs in (input_mappings or {}).items()}
        #: the graph's own outputs (what its function returned): name -> the op output it is
        self.outputs = dict(outputs or {})
        #: the output names declared with ``out=`` (``None``: taken from what the function returns)
        self.output_names = None if output_names is None else tuple(output_names)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        composition = current_composition()
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
        input_values: Mapping[str, Any] | None = None,
        **_ignored: Any,
    ) -> JobDefinition:
        """A job running this graph with ``resource_defs``; one graph can make several jobs.

        ``input_values`` gives the graph's own inputs (any Python values) for every run of the job.
        """
        from resnb.core.jobs import JobDefinition, check_unconnected_inputs_loadable  # builds on this module

        job_def = JobDefinition(
            name or self.name,
            self,
            resource_defs or {},
            executor_def,
            description or self.description,
            config,
            input_values,
        )
        check_unconnected_inputs_loadable(job_def)
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


def compose(
    fn: Callable[..., Any], name: str, description: str | None, out: Any = None, kind: str = "graph"
) -> GraphDefinition:
    """Run ``fn`` recording its op calls (its inputs are placeholders); the graph they make."""
    composition = Composition(name)
    previous = current_composition()
    _COMPOSING.current = composition
    try:
        returned = _call_with_placeholders(fn)
    finally:
        _COMPOSING.current = previous
    declared = list(out) if isinstance(out, Mapping) else None
    outputs = named_outputs(returned, declared, name)
    _check_declared_outputs(kind, name, outputs, declared)
    _check_inputs_used(kind, name, fn, composition.input_mappings)
    mappings = {param: composition.input_mappings[param] for param in _input_parameters(fn)}
    return GraphDefinition(
        name, composition.nodes, description, fn, composition.aliases, mappings, outputs, declared
    )


def _check_inputs_used(kind: str, name: str, fn: Callable[..., Any], mappings: Mapping[str, Any]) -> None:
    """Every input of a graph reaches an op, as Dagster requires."""
    unused = [param for param in _input_parameters(fn) if param not in mappings]
    if unused:
        raise DefinitionError(
            f"@{kind} '{name}' has input {listing(unused)}, which no op uses. Pass it to an op or graph "
            f"called in the function ({unused[0]} -> some_op({unused[0]})), or remove it."
        )


def _check_declared_outputs(
    kind: str, name: str, outputs: Mapping[str, OutputHandle], out: Sequence[str] | None
) -> None:
    """A job returns no outputs; a graph given ``out={...}`` returns exactly those names."""
    if kind == "job" and outputs:
        raise DefinitionError(
            f"@job '{name}' returns op outputs ({listing(outputs)}), but a job has no outputs. Drop "
            "the return, or make it a @graph (whose outputs are read with result.output_value()) and "
            "turn it into a job with .to_job()."
        )
    if out is not None and set(out) != set(outputs):
        raise DefinitionError(
            f"@graph '{name}' declares outputs {listing(out)} in out=, but returns {listing(outputs) or 'none'}. "
            "Return a dict with exactly the declared names."
        )


def _call_with_placeholders(fn: Callable[..., Any]) -> Any:
    """Call ``fn`` with a :class:`GraphInput` for each of its inputs."""
    parameters = inspect.signature(fn).parameters.values()
    positional = [GraphInput(p.name) for p in parameters if p.kind is p.POSITIONAL_ONLY]
    named = {
        p.name: GraphInput(p.name) for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    return fn(*positional, **named)


def _input_parameters(fn: Callable[..., Any]) -> list[str]:
    """The parameters of ``fn`` that are graph inputs: all but ``*args``/``**kwargs``."""
    return [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def graph(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    out: Any = None,
    **_ignored: Any,
) -> Any:
    """Define a graph by calling ops inside a function (bare or called).

    What the function returns are the graph's outputs: one op output (``result``), or a dict of
    them, declared with ``out={"name": GraphOut(), ...}``.
    """

    def decorate(fn: Callable[..., Any]) -> GraphDefinition:
        return compose(fn, name or fn.__name__, description or inspect.getdoc(fn), out)

    return decorate(compose_fn) if compose_fn is not None else decorate
