"""Run config of a plan: its sections, op config and op inputs, all checked before anything runs.

``run_config["ops"]`` is addressed as in Dagster: a step by its name, an op inside a graph
through the graph (``{"g": {"ops": {"add": {...}}}}`` for node ``g.add``). Each step's entry
holds ``"config"`` and, for ops, ``"inputs"``: values for inputs that no other op feeds (see
:mod:`resnb.core.input_config`). A top-level ``"inputs"`` section gives the inputs of the job's
graph itself (:mod:`resnb.execution.graph_input_values`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from resnb.core.config import format_validation_error
from resnb.core.input_config import InputLoader
from resnb.core.job_names import describe_job, is_implicit_job
from resnb.core.keys import RunConfig
from resnb.core.legacy_config import ConfigSchema
from resnb.errors import ConfigError, did_you_mean, listing
from resnb.execution.plan import Plan, Step

__all__ = [
    "ConfigInputs",
    "config_inputs",
    "flatten_ops_config",
    "normalize_run_config",
    "step_configs",
    "with_job_config",
]

#: step name -> input name -> (its loader, the checked run-config value)
ConfigInputs = dict[str, dict[str, tuple[InputLoader, Any]]]

_STEP_KEYS = ("config", "inputs")
_SECTIONS = ("ops", "resources", "inputs", "execution", "loggers")
_CONFIG_LEAF = "{'config': {...}}"
_INPUTS_LEAF = "{'inputs': {'name': value}}"


def normalize_run_config(run_config: Any) -> dict[str, Any]:
    """``RunConfig`` or dict -> ``{"ops", "resources", "inputs", "execution"}``; unknown sections rejected.

    ``"execution"`` is applied by :func:`resnb.execution.executors.executor_for_run` when a job runs
    with its executor; ``"loggers"`` is accepted and ignored (resnb logs through :mod:`logging`).
    """
    if run_config is None:
        return {"ops": {}, "resources": {}, "inputs": None, "execution": None}
    if isinstance(run_config, RunConfig):
        run_config = run_config.to_config_dict()
    if not isinstance(run_config, Mapping):
        raise ConfigError(f"run_config must be a dict or RunConfig, got {type(run_config).__name__}.")
    unknown = set(run_config) - {"ops", "resources", "inputs", "execution", "loggers"}
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigError(
            f"run_config has an unknown section '{name}'.{did_you_mean(name, _SECTIONS)}"
            " Its sections are 'ops', 'resources', 'inputs' (the job graph's own inputs), 'execution'"
            " (the executor's config) and 'loggers' (accepted and ignored)."
        )
    return {
        "ops": dict(run_config.get("ops") or {}),
        "resources": dict(run_config.get("resources") or {}),
        "inputs": run_config.get("inputs"),
        "execution": run_config.get("execution"),
    }


def with_job_config(job_config: Any, run_config: Any) -> Any:
    """``run_config`` over a job's own ``config=`` (its defaults), as Dagster applies them.

    Per section (``ops``, ``resources``, ...), an entry the run gives replaces the job's entry of
    the same name whole; the job's other entries stay.
    """
    if job_config is None:
        return run_config
    base = job_config.to_config_dict() if isinstance(job_config, RunConfig) else job_config
    if not isinstance(base, Mapping):
        raise ConfigError(f"A job's config= must be a dict or RunConfig, got {type(base).__name__}.")
    if run_config is None:
        return base
    given = run_config.to_config_dict() if isinstance(run_config, RunConfig) else run_config
    if not isinstance(given, Mapping):
        return run_config  # normalize_run_config says what is wrong with it
    merged = dict(base)
    for section, entries in given.items():
        defaults = merged.get(section)
        both = isinstance(entries, Mapping) and isinstance(defaults, Mapping)
        merged[section] = {**defaults, **entries} if both else entries
    return merged


# -- addressing ---------------------------------------------------------------------------------
def flatten_ops_config(plan: Plan, ops_config: Mapping[str, Any]) -> dict[str, Any]:
    """``run_config["ops"]`` with graph nesting removed: step name (``g.add``) -> its entry."""
    graphs = _graph_prefixes(plan)
    flat: dict[str, Any] = {}
    pending: list[tuple[str, Mapping[str, Any]]] = [("", ops_config)]
    while pending:
        prefix, level = pending.pop()
        for name, entry in level.items():
            full = f"{prefix}{name}"
            if "." in str(name):
                raise ConfigError(_dotted_name_message(plan, prefix, str(name)))
            if full in plan.by_name:
                flat[full] = entry
            elif full in graphs:
                pending.append((f"{full}.", _graph_entry_ops(plan, full, entry)))
            else:
                raise ConfigError(_unknown_node_message(plan, graphs, prefix, str(name)))
    return flat


def _graph_prefixes(plan: Plan) -> set[str]:
    """Node names of the graphs ops are nested in: ``g`` and ``g.h`` for step ``g.h.add``."""
    prefixes: set[str] = set()
    for name in plan.by_name:
        parts = name.split(".")[:-1]
        for end in range(1, len(parts) + 1):
            prefixes.add(".".join(parts[:end]))
    return prefixes


def _graph_entry_ops(plan: Plan, graph_node: str, entry: Any) -> Mapping[str, Any]:
    unknown = sorted(set(entry) - {"ops"}) if isinstance(entry, Mapping) else None
    if unknown is None or unknown:
        found = f"'{unknown[0]}'" if unknown else f"a {type(entry).__name__} instead of a dict"
        raise ConfigError(
            f"run_config for graph '{graph_node}' in {describe_job(plan.name)} has {found}; a graph's entry holds "
            f"only the config of its ops: {config_address(graph_node + '.op_name', '{...}')}."
        )
    ops = entry.get("ops") or {}
    if not isinstance(ops, Mapping):
        raise ConfigError(f"run_config['ops'] for graph '{graph_node}' must map op names to their config.")
    return ops


def _children(plan: Plan, graphs: set[str], prefix: str) -> list[str]:
    names = [*plan.by_name, *graphs]
    return sorted({n[len(prefix) :] for n in names if n.startswith(prefix) and "." not in n[len(prefix) :]})


def _unknown_node_message(plan: Plan, graphs: set[str], prefix: str, name: str) -> str:
    children = _children(plan, graphs, prefix)
    if prefix:
        what = f"an op or graph of graph '{prefix[:-1]}'"
    elif is_implicit_job(plan.name):
        what = f"one of {describe_job(plan.name)}"
    else:
        what = f"an op, asset or graph of job '{plan.name}'"
    return (
        f"run_config['ops'] names '{name}', which is not {what}. Names there: "
        f"{listing(children)}.{did_you_mean(name, children)}"
    )


def _dotted_name_message(plan: Plan, prefix: str, name: str) -> str:
    full = f"{prefix}{name}"
    hint = ""
    if full in plan.by_name:
        hint = f" Address it through its graph, as Dagster does: {config_address(full, '{...}')}."
    return f"run_config['ops'] names '{name}', but names in run config have no dots.{hint}"


def config_address(step_name: str, leaf: str) -> str:
    """The run config text that reaches ``step_name``: ``{'ops': {'g': {'ops': {'add': leaf}}}}``."""
    text = leaf
    for part in reversed(step_name.split(".")):
        text = f"{{'ops': {{'{part}': {text}}}}}"
    return text


# -- op config ----------------------------------------------------------------------------------
def step_configs(plan: Plan, ops_config: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the config of every step before anything runs; step name -> config value.

    ``ops_config`` is :func:`flatten_ops_config`'s result.
    """
    return {step.name: _step_config(step, _entry(step, ops_config.get(step.name))) for step in plan.steps}


def _entry(step: Step, entry: Any) -> Any:
    if not isinstance(entry, Mapping):
        return entry  # a Config object given directly (RunConfig(ops={...: MyConfig(...)}))
    unknown = sorted(set(entry) - set(_STEP_KEYS))
    if unknown:
        holds = "'config' and 'inputs'" if step.kind == "op" else "only 'config'"
        raise ConfigError(
            f"run_config for {step.kind} '{step.name}' has '{unknown[0]}'; a step's entry holds "
            f"{holds}: {config_address(step.name, _CONFIG_LEAF)}.{did_you_mean(unknown[0], _STEP_KEYS)}"
        )
    return entry


def _step_config(step: Step, entry: Any) -> Any:
    raw = entry.get("config") if isinstance(entry, Mapping) else entry
    where = f"{step.kind} '{step.name}'"
    mapping = getattr(step.definition, "config_mapping", None)
    if mapping is not None:
        raw = mapping.apply(raw, where)
    if step.params.config is not None:
        _, cls = step.params.config
        if isinstance(raw, cls):
            return raw
        try:
            return cls(**(raw or {}))
        except ValidationError as exc:
            raise ConfigError(
                f"Config for {where} ({cls.__name__}) is invalid:\n{format_validation_error(exc)}\n"
                f"Provide it as run_config={config_address(step.name, _CONFIG_LEAF)}."
            ) from None
        except ConfigError as exc:
            raise ConfigError(f"Config for {where}: {exc}") from None
    schema = getattr(step.definition, "config_schema", None)
    if schema is not None:
        return ConfigSchema(schema).process(raw, where)
    return raw


# -- op inputs ----------------------------------------------------------------------------------
def config_inputs(plan: Plan, ops_config: Mapping[str, Any]) -> ConfigInputs:
    """The op inputs run config gives, checked; a missing, unknown or connected one is a ConfigError."""
    found: ConfigInputs = {}
    from_graph = {pair for pairs in plan.graph_inputs.values() for pair in pairs}
    for step in plan.steps:
        entry = ops_config.get(step.name)
        given = entry.get("inputs") if isinstance(entry, Mapping) else None
        if step.kind != "op":
            if given is not None:
                raise ConfigError(
                    f"run_config gives inputs to {step.kind} '{step.name}'; only ops take inputs from "
                    "run config (an asset's inputs are its upstream assets). Remove 'inputs'."
                )
            continue
        values = _op_inputs(plan, step, given, from_graph)
        if values:
            found[step.name] = values
    return found


def _op_inputs(
    plan: Plan, step: Step, given: Any, from_graph: set[tuple[str, str]]
) -> dict[str, tuple[InputLoader, Any]]:
    if given is not None and not isinstance(given, Mapping):
        raise ConfigError(
            f"run_config 'inputs' of op '{step.name}' must map input names to values, got "
            f"{type(given).__name__}: {config_address(step.name, _INPUTS_LEAF)}."
        )
    given = given or {}
    loaders: Mapping[str, InputLoader | None] = step.definition.input_loaders
    for name in given:
        _check_settable(plan, step, str(name), loaders)
        if (step.name, name) in from_graph:
            raise ConfigError(_graph_fed_message(plan, step, str(name)))
    values: dict[str, tuple[InputLoader, Any]] = {}
    for name, loader in loaders.items():
        if name in step.inputs or loader is None or (step.name, name) in from_graph:
            continue
        if name in given:
            values[name] = (loader, loader.validate(given[name], f"input '{name}' of op '{step.name}'"))
        elif name not in step.params.defaults:
            raise ConfigError(_missing_input_message(plan, step, name, loader))
    return values


def _check_settable(plan: Plan, step: Step, name: str, loaders: Mapping[str, InputLoader | None]) -> None:
    settable = [n for n, loader in loaders.items() if loader is not None and n not in step.inputs]
    if name not in loaders:
        raise ConfigError(
            f"run_config gives input '{name}' to op '{step.name}' in {describe_job(plan.name)}, which has no such "
            f"input. Inputs run config can give it: {listing(settable)}.{did_you_mean(name, loaders)}"
        )
    if name in step.inputs:
        source = step.inputs[name]
        raise ConfigError(
            f"run_config gives input '{name}' of op '{step.name}' in {describe_job(plan.name)}, but that input is "
            f"connected to output '{source.output}' of op '{source.step}'. Remove it from the run "
            "config, or stop passing that output where the op is called."
        )
    if loaders[name] is None:
        raise ConfigError(
            f"run_config gives input '{name}' of op '{step.name}' in {describe_job(plan.name)}, but its type cannot "
            "come from run config (only int, float, str, bool, lists, dicts, Optional[...] and "
            "unannotated inputs can). Remove it from the run config."
        )


def _graph_fed_message(plan: Plan, step: Step, name: str) -> str:
    graph_input = next(g for g, pairs in plan.graph_inputs.items() if (step.name, name) in pairs)
    return (
        f"run_config gives input '{name}' of op '{step.name}' in {describe_job(plan.name)}, but that input "
        f"comes from the job's own input '{graph_input}'. Give it as run_config={{'inputs': "
        f"{{'{graph_input}': ...}}}} or input_values={{'{graph_input}': ...}} instead."
    )


def _missing_input_message(plan: Plan, step: Step, name: str, loader: InputLoader) -> str:
    address = config_address(step.name, f"{{'inputs': {{'{name}': ...}}}}")
    return (
        f"Input '{name}' of op '{step.name}' in {describe_job(plan.name)} is not connected and has no default, so "
        f"run config must give it ({loader.describe()}): run_config={address}. Or pass it the output "
        f"of another op where the op is called, or give it a default."
    )
