"""``@job`` and :class:`JobDefinition`: a graph of ops plus the resources and executor to run it with."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from resnb.core.graphs import GraphDefinition, NodeInvocation, compose
from resnb.errors import DefinitionError, MissingResourceError, did_you_mean, listing

__all__ = [
    "JobDefinition",
    "check_input_value_names",
    "check_inputs_connected",
    "check_unconnected_inputs_loadable",
    "job",
]


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
        input_values: Mapping[str, Any] | None = None,
    ) -> None:
        from resnb.build.scope import check_resource_mapping

        self.name = name
        self.graph = graph_def
        self.resource_defs = check_resource_mapping(resource_defs)
        self.executor_def = executor_def
        self.description = description
        self.config = config
        self.input_values = dict(input_values or {})
        check_input_value_names(self, self.input_values)
        self.assets: tuple[Any, ...] = ()  # asset jobs: the assets in scope ...
        self.asset_selection: Any = None  # ... and which of them run

    @property
    def graph_inputs(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """The graph's own inputs: name -> the (op node, op input) pairs each one feeds."""
        return self.graph.input_mappings

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
            self.input_values,
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
        self,
        run_config: Any = None,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        input_values: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run the job with its own ``executor_def`` (multiprocess jobs run in subprocesses)."""
        from resnb.execution.run import execute_job_definition

        return execute_job_definition(
            self,
            run_config,
            resources,
            raise_on_error,
            executor=self.executor_def,
            input_values=input_values,
            with_executor=True,
        )

    def __repr__(self) -> str:
        return f"<JobDefinition {self.name}>"


def check_inputs_connected(job_def: JobDefinition) -> None:
    """Every op input is fed by another op's output, has a default or can be given at launch.

    Checked when the job is resolved or run. As in Dagster, an input left unconnected without a
    default is given in run config at launch (``{"ops": {op: {"inputs": {name: value}}}}``,
    checked when the job runs), and the graph's own inputs in ``input_values=`` or
    ``{"inputs": {name: value}}``; :func:`check_unconnected_inputs_loadable` rejects the op
    inputs run config cannot carry.
    """
    check_unconnected_inputs_loadable(job_def)


def check_input_value_names(job_def: JobDefinition, input_values: Mapping[str, Any]) -> None:
    """Raise :class:`DefinitionError` for an ``input_values`` key that is not an input of the graph."""
    names = list(job_def.graph_inputs)
    for key in input_values:
        if key not in names:
            has = f"Its inputs: {listing(names)}." if names else "Its graph takes no inputs."
            raise DefinitionError(
                f"input_values gives '{key}', but job '{job_def.name}' has no top-level input with "
                f"that name. {has}{did_you_mean(str(key), names)}"
            )


def check_unconnected_inputs_loadable(job_def: JobDefinition) -> None:
    """Raise :class:`DefinitionError` for an unconnected input without a default that run config cannot give.

    Dagster raises this when the job is defined; inputs of other types (``int``, ``str``, lists,
    dicts, unannotated...) may stay unconnected and come from run config.
    """
    from_graph = {pair for pairs in job_def.graph.input_mappings.values() for pair in pairs}
    for node in job_def.nodes.values():
        op_def = node.op
        for input_name in op_def.params.inputs:
            if input_name in node.inputs or input_name in op_def.params.defaults:
                continue
            if (node.name, input_name) in from_graph:  # given at launch (input_values=...)
                continue
            if op_def.input_loaders.get(input_name) is None:
                raise DefinitionError(_unloadable_message(job_def.name, node, input_name))


def _unloadable_message(job_name: str, node: NodeInvocation, input_name: str) -> str:
    op_def = node.op
    spec = op_def.ins.get(input_name)
    annotation = spec.dagster_type if spec is not None and spec.dagster_type is not None else None
    if annotation is None:
        annotation = op_def.params.annotations.get(input_name)
    type_name = getattr(annotation, "__name__", None) or repr(annotation)
    return (
        f"Input '{input_name}' of op '{node.name}' in job '{job_name}' is not connected and has no "
        f"default, and run config cannot give a value of its type ({type_name}). Pass it the output "
        f"of another op where the op is called ({op_def.name}({input_name}=other_op())), give it a "
        f"default (a Python default, or ins={{'{input_name}': In(default_value=...)}}), or annotate it "
        "with a type run config can carry (int, float, str, bool, list, dict, Optional[...], or no "
        "annotation) and give it in run_config={'ops': {...: {'inputs': {...}}}}."
    )


def job(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    executor_def: Any = None,
    description: str | None = None,
    config: Any = None,
    input_values: Mapping[str, Any] | None = None,
    **_ignored: Any,
) -> Any:
    """Define a job by calling ops inside a function, with its resources and executor."""

    def decorate(fn: Callable[..., Any]) -> JobDefinition:
        job_name = name or fn.__name__
        graph_def = compose(fn, job_name, description or inspect.getdoc(fn), kind="job")
        return graph_def.to_job(
            job_name,
            resource_defs=resource_defs,
            config=config,
            executor_def=executor_def,
            input_values=input_values,
        )

    return decorate(compose_fn) if compose_fn is not None else decorate
