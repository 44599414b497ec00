"""Running a plan in this process: resources set up once, steps in order, teardown once.

Every resource the selected steps need is initialised before the first step and torn down after
the last, in reverse order; all steps share the same per-run copies (seed 000: "once per
process").
"""

from __future__ import annotations

import inspect
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from resnb.build.scope import ResourceScope
from resnb.core.context import Resources
from resnb.core.keys import AssetKey, MaterializeResult, Output
from resnb.errors import InvariantViolationError, ResourceFunctionError, did_you_mean, listing
from resnb.execution.context import AssetExecutionContext, OpExecutionContext, context_value
from resnb.execution.gc_tuning import LARGE_PLAN, frozen_long_lived, gc_paused
from resnb.execution.graph_input_values import graph_input_values
from resnb.execution.io_managers import InMemoryIOManager, InputContext, OutputContext
from resnb.execution.plan import Plan, Step
from resnb.execution.result import ExecuteInProcessResult, StepRecord
from resnb.execution.run_config import (
    ConfigInputs,
    config_inputs,
    flatten_ops_config,
    normalize_run_config,
    step_configs,
    with_job_config,
)

__all__ = ["RunHooks", "execute_job_definition", "execute_plan", "normalize_run_config", "step_configs"]

#: ``hook(event, step_name, record_or_None)`` with event "started" or the step's final status.
RunHooks = Callable[[str, str, "StepRecord | None"], None]


class _StepRunner:
    """Runs the steps of one plan against initialised resources."""

    def __init__(
        self,
        plan: Plan,
        values: Mapping[str, Any],
        configs: Mapping[str, Any],
        run_id: str,
        partition_key: str | None,
        inputs_from_config: ConfigInputs | None = None,
    ) -> None:
        self.plan = plan
        self.values = values
        self.configs = configs
        self.run_id = run_id
        self.partition_key = partition_key
        self.inputs_from_config = inputs_from_config or {}
        self.outputs: dict[tuple[str, str], Any] = {}

    def run(self, step: Step) -> None:
        kwargs: dict[str, Any] = {}
        params = step.params
        if params.context is not None:
            kwargs[params.context] = self._context(step)
        for name in params.resources:
            kwargs[name] = self.values[name]
        if params.config is not None:
            kwargs[params.config[0]] = self.configs[step.name]
        for param, source in step.inputs.items():
            kwargs[param] = self._load(step, param, source)
        from_config = self.inputs_from_config.get(step.name)
        if from_config:  # op inputs given in run_config={"ops": {op: {"inputs": {...}}}}
            for param, (loader, value) in from_config.items():
                kwargs[param] = loader.resolve(value)
        if params.defaults:  # unconnected op inputs: In(default_value=...) is not on the function
            for param, value in params.defaults.items():
                kwargs.setdefault(param, value)
        result = step.fn(**kwargs)
        for name, value in _outputs_of(step, result):
            self._store(step, name, value)

    def _context(self, step: Step) -> Any:
        values = {key: self.values[key] for key in step.required_keys}
        attached = {key: context_value(value) for key, value in values.items()}
        resources = Resources(
            attached,
            hint=(
                f"{step.kind.capitalize()} '{step.name}' can only use the resources it declares: "
                "add a typed parameter or list the key in required_resource_keys."
            ),
            # original_resource_dict gives the resources themselves, as typed parameters get them
            originals=values if any(attached[key] is not values[key] for key in values) else None,
        )
        cls = AssetExecutionContext if step.kind == "asset" else OpExecutionContext
        return cls(
            resources,
            self.run_id,
            step.name,
            step.asset_keys,
            self.configs[step.name],
            self.partition_key,
            job_name=self.plan.name,
            outputs=step.outputs,
        )

    def _load(self, step: Step, param: str, source: Any) -> Any:
        manager = self.values[source.io_manager_key]
        if type(manager) is InMemoryIOManager and (source.step, source.output) in self.outputs:
            return self.outputs[(source.step, source.output)]
        upstream = OutputContext(
            source.step or source.producer or "", source.output, source.asset_key, self.run_id
        )
        context = InputContext(param, step.name, source.asset_key, upstream)
        return manager.load_input(context)

    def _store(self, step: Step, name: str, value: Any) -> None:
        spec = step.outputs[name]
        manager = self.values[spec.io_manager_key]
        self.outputs[(step.name, name)] = value
        if type(manager) is InMemoryIOManager:  # fast path, same identifiers as handle_output
            path = spec.asset_key.path if spec.asset_key else (self.run_id, step.name, name)
            manager.values[path] = value
            return
        context = OutputContext(step.name, name, spec.asset_key, self.run_id, spec.metadata)
        manager.handle_output(context, value)


def _outputs_of(step: Step, result: Any) -> Iterator[tuple[str, Any]]:
    names = list(step.outputs)
    if inspect.isgenerator(result):
        seen = set()
        for item in result:
            if isinstance(item, Output):
                _check_output_name(step, item.output_name)
                seen.add(item.output_name)
                yield item.output_name, item.value
            elif isinstance(item, MaterializeResult):
                seen.add(_materialized_output(step, item))
                yield from _materialize_result_value(step, item)
        missing = [n for n in names if n not in seen]
        if missing and len(names) > 1:
            raise InvariantViolationError(
                f"{step.kind.capitalize()} '{step.name}' did not yield outputs {listing(missing)}."
            )
        return
    if isinstance(result, MaterializeResult):
        yield from _materialize_result_value(step, result)
        return
    if len(names) == 1:
        yield names[0], result.value if isinstance(result, Output) else result
        return
    if not isinstance(result, tuple) or len(result) != len(names):
        raise InvariantViolationError(
            f"{step.kind.capitalize()} '{step.name}' has outputs {listing(names)}: return a tuple "
            f"of {len(names)} values in that order, or yield Output(value, output_name=...)."
        )
    for name, value in zip(names, result):
        if isinstance(value, Output):
            _check_output_name(step, value.output_name)
            yield value.output_name, value.value
        elif isinstance(value, MaterializeResult):
            yield from _materialize_result_value(step, value)
        else:
            yield name, value


def _materialize_result_value(step: Step, result: MaterializeResult) -> Iterator[tuple[str, Any]]:
    """The (output, value) a ``MaterializeResult`` gives: none without ``value=`` (its asset stored itself)."""
    if step.kind != "asset":
        raise InvariantViolationError(
            f"Op '{step.name}' returned a MaterializeResult, which only assets return: return the "
            "value itself, or Output(value)."
        )
    name = _materialized_output(step, result)
    if result.has_value:
        yield name, result.value


def _materialized_output(step: Step, result: MaterializeResult) -> str:
    """The output a ``MaterializeResult`` is for: the only one, or the one of its ``asset_key``."""
    names = list(step.outputs)
    if result.asset_key is None:
        if len(names) == 1:
            return names[0]
        raise InvariantViolationError(
            f"{step.kind.capitalize()} '{step.name}' materializes several assets: give each "
            "MaterializeResult its asset_key=."
        )
    for name, spec in step.outputs.items():
        if spec.asset_key == result.asset_key:
            return name
    keys = [spec.asset_key.to_user_string() for spec in step.outputs.values() if spec.asset_key]
    wanted = result.asset_key.to_user_string()
    raise InvariantViolationError(
        f"{step.kind.capitalize()} '{step.name}' returned a MaterializeResult for asset '{wanted}', "
        f"which it does not materialize. Its assets: {listing(keys)}.{did_you_mean(wanted, keys)}"
    )


def _check_output_name(step: Step, name: str) -> None:
    if name not in step.outputs:
        raise InvariantViolationError(
            f"{step.kind.capitalize()} '{step.name}' produced output '{name}', which it does not "
            f"declare. Its outputs: {listing(step.outputs)}.{did_you_mean(name, step.outputs)}"
        )


def execute_plan(
    plan: Plan,
    run_config: Any = None,
    raise_on_error: bool = True,
    *,
    executor: Any = None,
    partition_key: str | None = None,
    run_id: str | None = None,
    hooks: RunHooks | None = None,
    input_values: Mapping[str, Any] | None = None,
) -> ExecuteInProcessResult:
    """Run ``plan``: validate config and resources, then execute with ``executor``.

    ``input_values`` gives the job graph's own inputs as Python values.
    """
    config = normalize_run_config(run_config)
    plan.check_resources()
    with gc_paused():
        ops_config = flatten_ops_config(plan, config["ops"]) if config["ops"] else {}
        configs = step_configs(plan, ops_config)
        inputs = config_inputs(plan, ops_config)
        if plan.graph_inputs or config["inputs"] or input_values:
            _add_graph_inputs(inputs, graph_input_values(plan, config["inputs"], input_values))
    run_id = run_id or uuid.uuid4().hex
    if executor is not None and getattr(executor, "is_multiprocess", False):
        from resnb.execution.multiprocess import execute_plan_multiprocess

        return execute_plan_multiprocess(
            plan, config, configs, raise_on_error, executor, partition_key, run_id, hooks, inputs
        )
    return _execute_in_process(plan, config, configs, raise_on_error, partition_key, run_id, hooks, inputs)


def _add_graph_inputs(inputs: ConfigInputs, from_graph: ConfigInputs) -> None:
    for step_name, values in from_graph.items():
        inputs.setdefault(step_name, {}).update(values)


def _execute_in_process(
    plan: Plan,
    config: dict[str, Any],
    configs: dict[str, Any],
    raise_on_error: bool,
    partition_key: str | None,
    run_id: str,
    hooks: RunHooks | None,
    inputs: ConfigInputs,
) -> ExecuteInProcessResult:
    scope = ResourceScope(plan.resources, config["resources"] or None, run_id=run_id)
    try:
        values = scope.open(plan.required_resource_keys)
    except ResourceFunctionError as exc:
        if raise_on_error:
            raise
        return _result(plan, run_id, [], {}, scope, resource_error=exc)
    runner = _StepRunner(plan, values, configs, run_id, partition_key, inputs)
    records: list[StepRecord] = []
    failure: BaseException | None = None
    finished = False
    try:
        with frozen_long_lived(len(plan.steps) >= LARGE_PLAN):
            failure = _run_steps(plan, runner, records, raise_on_error, hooks)
        finished = True
    finally:
        failed = not finished or any(record.status == "failed" for record in records)
        scope.close(work_failed=failed)  # the warning points at the materialize call
    if failure is not None:
        raise failure
    with gc_paused():
        return _result(plan, run_id, records, runner.outputs, scope)


def _run_steps(
    plan: Plan, runner: _StepRunner, records: list[StepRecord], raise_on_error: bool, hooks: RunHooks | None
) -> BaseException | None:
    status: dict[str, str] = {}
    clock = time.perf_counter
    for step in plan.steps:
        if any(status[u] != "succeeded" for u in step.upstream):
            record = StepRecord(step.name, "skipped", 0.0, None, step.asset_keys)
        else:
            if hooks is not None:
                hooks("started", step.name, None)
            start = clock()
            try:
                runner.run(step)
            except Exception as exc:
                record = StepRecord(step.name, "failed", clock() - start, exc, step.asset_keys)
                if raise_on_error:
                    records.append(record)
                    _notify(hooks, record)
                    return exc
            else:
                record = StepRecord(step.name, "succeeded", clock() - start, None, step.asset_keys)
        status[step.name] = record.status
        records.append(record)
        _notify(hooks, record)
    return None


def _notify(hooks: RunHooks | None, record: StepRecord) -> None:
    if hooks is not None:
        hooks(record.status, record.step_key, record)


def _result(
    plan: Plan,
    run_id: str,
    records: list[StepRecord],
    outputs: dict[tuple[str, str], Any],
    scope: ResourceScope,
    resource_error: BaseException | None = None,
) -> ExecuteInProcessResult:
    asset_steps: dict[AssetKey, tuple[str, str]] = {}
    for step in plan.steps:
        for name, spec in step.outputs.items():
            if spec.asset_key is not None:
                asset_steps[spec.asset_key] = (step.name, name)
    for alias, target in plan.aliases.items():
        if target in outputs:
            outputs[alias] = outputs[target]
    return ExecuteInProcessResult(
        plan.name,
        run_id,
        records,
        outputs,
        asset_steps,
        scope.teardown_problems,
        resource_error,
        graph_outputs=plan.graph_outputs,
    )


def execute_job_definition(
    job_def: Any,
    run_config: Any,
    resources: Mapping[str, Any] | None,
    raise_on_error: bool,
    executor: Any = None,
    **kwargs: Any,
) -> ExecuteInProcessResult:
    """Run a job (op graph or asset job) with ``resources`` overriding its own.

    ``input_values`` (in ``kwargs``) gives the graph's own inputs, over the job's ``input_values``.
    With ``with_executor=True`` (``execute_job``, ``job.execute()``) the run uses ``executor`` as
    ``run_config["execution"]`` configures it; else that section is ignored, as
    ``execute_in_process`` does in Dagster.
    """
    from resnb.core.jobs import check_input_value_names
    from resnb.execution.executors import executor_for_run
    from resnb.execution.materialize import default_io_manager, plan_for_job_definition

    run_config = with_job_config(getattr(job_def, "config", None), run_config)
    if kwargs.get("with_executor"):
        executor = executor_for_run(executor, normalize_run_config(run_config)["execution"])

    input_values = {**job_def.input_values, **(kwargs.get("input_values") or {})}
    check_input_value_names(job_def, input_values)
    bound = {**job_def.resource_defs, **(resources or {})}
    bound.setdefault("io_manager", default_io_manager())
    plan = plan_for_job_definition(job_def, bound)
    return execute_plan(
        plan,
        run_config,
        raise_on_error,
        executor=executor,
        partition_key=kwargs.get("partition_key"),
        input_values=input_values,
    )
