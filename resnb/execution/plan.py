"""Execution plans: the steps of a run, in order, with where each input comes from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from resnb.core.assets import AssetsDefinition, OutputSpec
from resnb.core.jobs import JobDefinition
from resnb.core.keys import AssetKey
from resnb.core.toposort import toposort_mapping
from resnb.errors import DuplicateDefinitionError, MissingResourceError, did_you_mean, listing
from resnb.execution.gc_tuning import gc_paused

__all__ = ["InputSource", "Plan", "Step", "plan_for_assets", "plan_for_job"]


class InputSource(NamedTuple):
    """Where an input comes from: a step's output in this run, or a stored asset."""

    step: str | None
    output: str
    asset_key: AssetKey | None
    io_manager_key: str
    producer: str | None = None  # the node that stored it, when it does not run in this plan


class Step:
    """One unit of work: an asset (or multi-asset) or an op invocation."""

    __slots__ = (
        "name",
        "kind",
        "definition",
        "fn",
        "params",
        "inputs",
        "outputs",
        "resource_keys",
        "required_keys",
        "upstream",
        "asset_keys",
    )

    def __init__(
        self,
        name: str,
        kind: str,
        definition: Any,
        inputs: Mapping[str, InputSource],
        upstream: Iterable[str],
    ) -> None:
        self.name = name
        self.kind = kind
        self.definition = definition
        self.fn = definition.fn
        self.params = definition.params
        self.inputs = inputs if type(inputs) is dict else dict(inputs)
        # shared with the definition, never mutated: one plan of 100,000 steps allocates less
        self.outputs: Mapping[str, OutputSpec] = definition.outputs
        self.resource_keys: frozenset[str] = definition.resource_keys
        stored = {source.io_manager_key for source in self.inputs.values() if source.step is None}
        required = definition.required_resource_keys
        self.required_keys = required | stored if stored else required
        self.upstream = tuple(dict.fromkeys(upstream)) if upstream else ()
        self.asset_keys = _asset_keys_of(definition)

    def __repr__(self) -> str:
        return f"<Step {self.name}>"


def _asset_keys_of(definition: Any) -> tuple[AssetKey, ...]:
    """The asset keys ``definition``'s outputs materialise (cached on the definition)."""
    keys = definition.__dict__.get("_resnb_step_asset_keys")
    if keys is None:
        keys = tuple(spec.asset_key for spec in definition.outputs.values() if spec.asset_key)
        definition.__dict__["_resnb_step_asset_keys"] = keys
    return keys


class Plan:
    """Steps in execution order (topological, ties by name) plus the run's resources."""

    __slots__ = ("name", "steps", "resources", "by_name", "aliases", "graph_inputs", "graph_outputs")

    def __init__(
        self,
        name: str,
        steps: Sequence[Step],
        resources: Mapping[str, Any],
        aliases: Mapping[tuple[str, str], Any] | None = None,
        graph_inputs: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
        graph_outputs: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self.name = name
        self.steps = list(steps)
        self.resources = dict(resources)
        self.by_name = {step.name: step for step in self.steps}
        self.aliases = {key: tuple(handle) for key, handle in (aliases or {}).items()}
        #: the job graph's own inputs: name -> the (step, op input) pairs each one feeds
        self.graph_inputs = dict(graph_inputs or {})
        #: the job graph's own outputs: name -> the (step, output) it is
        self.graph_outputs = dict(graph_outputs or {})

    @property
    def required_resource_keys(self) -> set[str]:
        """Every resource key a step of this plan uses (dependencies not included)."""
        keys: set[str] = set()
        for step in self.steps:
            keys |= step.required_keys
        return keys

    def check_resources(self) -> None:
        """Raise :class:`MissingResourceError` for a key a step needs that is not provided."""
        for step in self.steps:
            missing = step.required_keys - self.resources.keys()
            if missing:
                key = sorted(missing)[0]
                raise MissingResourceError(
                    f"Resource '{key}' required by {step.kind} '{step.name}' was not provided. "
                    f"Available resource keys: {listing(self.resources)}."
                    f"{did_you_mean(key, self.resources)} Provide it (Definitions(resources=...), "
                    "materialize(resources=...) or the job's resource_defs) or fix the name."
                )


def _ordered(steps: dict[str, Step], what: str) -> list[Step]:
    order = toposort_mapping({name: step.upstream for name, step in steps.items()}, what=what)
    return [steps[name] for name in order]


def index_assets(assets: Iterable[AssetsDefinition]) -> dict[AssetKey, AssetsDefinition]:
    """Map every asset key to its definition; the same object twice is fine, two are an error."""
    by_key: dict[AssetKey, AssetsDefinition] = {}
    for definition in assets:
        for key in definition.keys:
            other = by_key.get(key)
            if other is not None and other is not definition:
                raise DuplicateDefinitionError(_duplicate_message(key, other, definition))
            by_key[key] = definition
    return by_key


def _duplicate_message(key: AssetKey, first: AssetsDefinition, second: AssetsDefinition) -> str:
    name = key.to_user_string()
    if first.fn is second.fn:
        return (
            f"Asset '{name}' ({first.location}) was given twice, as two copies of the same "
            "asset: for example once as it is and once through with_resources(...), or by two "
            "Definitions objects that were merged. Pass it only once: keep the copy from "
            "with_resources(...) (it carries the resources) and remove the other."
        )
    return (
        f"Duplicate asset key '{name}': defined by {first.location} and by {second.location}. "
        "Rename one (name= or key_prefix=), or pass only one of them."
    )


def plan_for_assets(
    name: str,
    assets: Sequence[AssetsDefinition],
    selected: Iterable[AssetsDefinition] | None,
    resources: Mapping[str, Any],
) -> Plan:
    """Steps for the ``selected`` definitions (default: all); unselected upstreams are loaded."""
    with gc_paused():
        return _plan_for_assets(name, assets, selected, resources)


def _plan_for_assets(
    name: str,
    assets: Sequence[AssetsDefinition],
    selected: Iterable[AssetsDefinition] | None,
    resources: Mapping[str, Any],
) -> Plan:
    by_key = index_assets(assets)
    chosen = list(dict.fromkeys(selected if selected is not None else by_key.values()))
    chosen_ids = {id(d) for d in chosen}
    steps: dict[str, Step] = {}
    for definition in chosen:
        inputs: dict[str, InputSource] = {}
        upstream: list[str] = []
        for param, key in definition.input_keys.items():
            producer = by_key.get(key)
            if producer is not None and id(producer) in chosen_ids:
                output = _output_for(producer, key)
                inputs[param] = InputSource(producer.node_name, output.name, key, output.io_manager_key)
                upstream.append(producer.node_name)
            elif producer is not None:
                output = _output_for(producer, key)
                inputs[param] = InputSource(None, output.name, key, output.io_manager_key, producer.node_name)
            else:
                inputs[param] = InputSource(None, "result", key, "io_manager")
        for key in definition.deps:
            producer = by_key.get(key)
            if producer is not None and id(producer) in chosen_ids:
                upstream.append(producer.node_name)
        steps[definition.node_name] = Step(definition.node_name, "asset", definition, inputs, upstream)
    return Plan(name, _ordered(steps, "asset"), resources)


def _output_for(definition: AssetsDefinition, key: AssetKey) -> OutputSpec:
    for spec in definition.outputs.values():
        if spec.asset_key == key:
            return spec
    raise KeyError(key)


def plan_for_job(job_def: JobDefinition, resources: Mapping[str, Any]) -> Plan:
    """Steps for every op invocation of ``job_def``'s graph."""
    steps: dict[str, Step] = {}
    for node in job_def.nodes.values():
        inputs = {}
        for param, handle in node.inputs.items():
            producer = job_def.nodes[handle.node_name]
            manager = producer.op.outputs[handle.output_name].io_manager_key
            inputs[param] = InputSource(handle.node_name, handle.output_name, None, manager)
        upstream = [source.step for source in inputs.values() if source.step]
        step = Step(node.name, "op", node.op, inputs, upstream)  # type: ignore[arg-type]
        steps[node.name] = step
    graph_def = job_def.graph
    outputs = {name: tuple(handle) for name, handle in graph_def.outputs.items()}
    return Plan(
        job_def.name, _ordered(steps, "op"), resources, graph_def.aliases, job_def.graph_inputs, outputs
    )
