"""A job's own graph inputs, given at launch: ``input_values=`` and ``run_config["inputs"]``.

As in Dagster, a graph whose function takes inputs runs as a job when each input is given, either
as a Python value (``job.execute_in_process(input_values={"x": df})``, ``to_job(input_values=...)``)
or in run config (``{"inputs": {"x": 3}}``, in the forms op inputs take there). Each value goes to
the op inputs the graph input feeds; an input given both ways is an error, as in Dagster. An input
given neither way is an error unless every op input it feeds has a default. As in Dagster, a Python
value is checked against the class its op input is annotated with when that step starts: a
mismatch fails the step with :class:`~resnb.errors.TypeCheckError`.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

from resnb.core.input_config import InputLoader
from resnb.core.job_names import describe_job
from resnb.errors import ConfigError, TypeCheckError, did_you_mean, listing
from resnb.execution.plan import Plan

__all__ = ["AS_GIVEN", "TypeChecked", "graph_input_values"]

#: (op node name, op input name) pairs a graph input feeds
Targets = tuple[tuple[str, str], ...]
#: step name -> input name -> (loader, value): the shape of run_config.ConfigInputs
_Found = dict[str, dict[str, tuple[Any, Any]]]


class _AsGiven:
    """The loader of an ``input_values`` entry: the Python value itself."""

    __slots__ = ()

    def resolve(self, value: Any) -> Any:
        return value

    def __reduce__(self) -> str:
        return "AS_GIVEN"  # one instance, also in step processes


AS_GIVEN = _AsGiven()


class TypeChecked:
    """The loader of an ``input_values`` entry whose op input is annotated with a class: checks it."""

    __slots__ = ("expected", "graph_input", "step_name", "input_name")

    def __init__(self, expected: type, graph_input: str, step_name: str, input_name: str) -> None:
        self.expected = expected
        self.graph_input = graph_input
        self.step_name = step_name
        self.input_name = input_name

    def resolve(self, value: Any) -> Any:
        if not _is_instance(value, self.expected):
            raise TypeCheckError(
                f"Graph input '{self.graph_input}' is of type {type(value).__name__}, but it feeds input "
                f"'{self.input_name}' of op '{self.step_name}', annotated {self.expected.__name__}. "
                "Pass a value of that type in input_values."
            )
        return value


def graph_input_values(plan: Plan, section: Any, input_values: Mapping[str, Any] | None) -> _Found:
    """The values of the plan's graph inputs, addressed to the op inputs they feed; all checked."""
    given = dict(input_values or {})
    config = _checked_section(plan, section)
    found: _Found = {}
    for name, targets in plan.graph_inputs.items():
        if name in given and name in config:
            raise ConfigError(
                f"Input '{name}' of {describe_job(plan.name)} is given twice: in input_values (at "
                "launch, or bound with to_job(input_values=...) / @job(input_values=...)) and in "
                "run_config['inputs']. Remove one of them."
            )
        if name in given:
            pairs = [(target, (_python_loader(plan, name, target), given[name])) for target in targets]
        elif name in config:
            pairs = [(target, _from_config(plan, name, target, config[name])) for target in targets]
        elif all(_has_default(plan, target) for target in targets):
            continue  # each op input falls back to its own default, as in Dagster
        else:
            raise ConfigError(_missing_message(plan, name, targets))
        for (step_name, input_name), loaded in pairs:
            found.setdefault(step_name, {})[input_name] = loaded
    return found


def _checked_section(plan: Plan, section: Any) -> dict[str, Any]:
    if section is None:
        return {}
    if not isinstance(section, Mapping):
        raise ConfigError(
            f"run_config['inputs'] must map the inputs of {describe_job(plan.name)} to values, got "
            f"{type(section).__name__}."
        )
    names = list(plan.graph_inputs)
    for key in section:
        if key not in plan.graph_inputs:
            has = f"Its inputs: {listing(names)}." if names else "It takes no top-level inputs."
            raise ConfigError(
                f"run_config['inputs'] gives '{key}', which is not a top-level input of "
                f"{describe_job(plan.name)}. {has}{did_you_mean(str(key), names)} Inputs of single ops "
                "go in run_config={'ops': {op_name: {'inputs': {...}}}}."
            )
    return dict(section)


def _from_config(plan: Plan, name: str, target: tuple[str, str], value: Any) -> tuple[InputLoader, Any]:
    step_name, input_name = target
    loader = plan.by_name[step_name].definition.input_loaders.get(input_name)
    if loader is None:
        raise ConfigError(
            f"Input '{name}' of {describe_job(plan.name)} feeds input '{input_name}' of op "
            f"'{step_name}', whose type run config cannot carry. Give it as a Python value: "
            f"execute_in_process(input_values={{'{name}': ...}})."
        )
    return loader, loader.validate(value, f"input '{name}' of {describe_job(plan.name)}")


def _python_loader(plan: Plan, name: str, target: tuple[str, str]) -> Any:
    expected = _plain_class(plan, *target)
    return AS_GIVEN if expected is None else TypeChecked(expected, name, *target)


def _has_default(plan: Plan, target: tuple[str, str]) -> bool:
    step_name, input_name = target
    return input_name in plan.by_name[step_name].params.defaults


def _plain_class(plan: Plan, step_name: str, input_name: str) -> type | None:
    """The annotation of an op input when it is a class ``isinstance`` can check, else ``None``."""
    definition = plan.by_name[step_name].definition
    spec = definition.ins.get(input_name)
    annotation = getattr(spec, "dagster_type", None) or definition.params.annotations.get(input_name)
    if not isinstance(annotation, type) or isinstance(annotation, types.GenericAlias):
        return None  # list[int] is a type on Python 3.10, and cannot be checked with isinstance
    if annotation is object or annotation is typing.Any:
        return None
    return annotation


def _is_instance(value: Any, expected: type) -> bool:
    """Dagster's checks for the built-in scalars (an int is no float, a bool no int); else isinstance."""
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    try:
        return isinstance(value, expected)
    except TypeError:  # a class isinstance cannot check (a non-runtime Protocol...): not checked
        return True


def _missing_message(plan: Plan, name: str, targets: Targets) -> str:
    fed = ", ".join(f"input '{i}' of op '{s}'" for s, i in targets) or "no op"
    return (
        f"Input '{name}' of {describe_job(plan.name)} was not given (it feeds {fed}). Give it at "
        f"launch: execute_in_process(input_values={{'{name}': ...}}) or "
        f"run_config={{'inputs': {{'{name}': ...}}}}, or bind it with to_job(input_values=...)."
    )
