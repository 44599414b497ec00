"""The multiprocess executor: every step in its own child process (seed 000, "once per process").

Each child initialises **only** the resources its step needs, runs the step and tears those
resources down before it exits, so a resource used by three steps is set up three times, once in
each step's process. Values cross processes through the IO manager: the default in-memory IO
manager cannot do that, so for the run it is replaced by a :class:`FilesystemIOManager` writing
to a temporary directory. That directory lives as long as the result (values are loaded from it
lazily by ``output_for_node``/``asset_value``) and is removed when the result is garbage
collected, when it is used as a context manager and the block ends, or at interpreter exit.

Start method: ``fork`` on Linux. Nothing has to be pickled on the way into a child, so assets
and ops defined in a script's ``__main__`` or in a notebook cell work as they are. Elsewhere (or
with ``multiprocess_executor.configured({"start_method": "spawn"})``) children are started
with ``spawn``: the plan is pickled (functions by reference), so assets, ops and resources must
be defined at module level of an importable module or of the script, and a script must start
the run under ``if __name__ == "__main__":`` because each child re-imports it. Steps and classes
defined in a notebook cell (a ``__main__`` without a file) are refused before any process starts,
and a child that dies while importing is reported with that hint.

An exception from a step is re-raised in the parent as it was (type and ``__cause__`` chain),
with the child's formatted traceback chained below it as a :class:`RemoteTraceback`.

Ready steps run concurrently, at most ``max_concurrent`` at a time (default: one per CPU). A
step whose upstream failed is skipped. No child outlives the call: on an error, on
``raise_on_error=True`` failure and on Ctrl-C the remaining children are terminated (their
resources are still torn down: SIGTERM is turned into ``SystemExit`` in the child) and joined
before the exception propagates.

This module schedules the steps; the pieces live beside it: ``mp_pickling`` (sending the run to
spawn/forkserver children), ``mp_child`` (the step's process and exceptions crossing back),
``mp_processes`` (starting, collecting and stopping children) and ``mp_outputs`` (storage and
lazy loading of step outputs).
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import sys
import warnings
from collections.abc import Mapping
from typing import Any

from resnb._stack import user_stacklevel
from resnb.build.scope import ResourceScope, TeardownProblem
from resnb.errors import (
    ConfigError,
    InvariantViolationError,
    ResourceTeardownWarning,
    exception_summary,
    listing,
)
from resnb.execution.mp_child import RemoteTraceback
from resnb.execution.mp_outputs import AliasOutputs, OutputLoader, asset_outputs, swap_in_memory_managers
from resnb.execution.mp_pickling import check_input_values_picklable, check_steps_importable, dumps_payload
from resnb.execution.mp_processes import RunningStep, collect, launch, stop_all, wait_for_finished
from resnb.execution.plan import Plan
from resnb.execution.result import ExecuteInProcessResult, StepRecord
from resnb.execution.run import RunHooks
from resnb.execution.run_config import ConfigInputs

__all__ = ["RemoteTraceback", "execute_plan_multiprocess", "start_method_for"]


def start_method_for(executor: Any) -> str:
    """``fork`` on Linux, else ``spawn``; ``start_method`` in the executor config overrides it.

    Accepts Dagster's form (``{"start_method": {"spawn": {}}}``) as well as a plain string.
    """
    chosen = (getattr(executor, "config", None) or {}).get("start_method")
    if isinstance(chosen, Mapping):
        if len(chosen) != 1:
            raise ConfigError(f"start_method takes one of fork, spawn, forkserver; got {dict(chosen)!r}.")
        chosen = next(iter(chosen))
    available = multiprocessing.get_all_start_methods()
    if chosen is None:
        return "fork" if sys.platform.startswith("linux") and "fork" in available else "spawn"
    if chosen not in available:
        raise ConfigError(
            f"start_method '{chosen}' is not available on this platform; available: {listing(available)}."
        )
    return str(chosen)


def execute_plan_multiprocess(
    plan: Plan,
    config: dict[str, Any],
    configs: dict[str, Any],
    raise_on_error: bool,
    executor: Any,
    partition_key: str | None,
    run_id: str,
    hooks: RunHooks | None,
    inputs: ConfigInputs | None = None,
) -> ExecuteInProcessResult:
    """Run ``plan`` with one child process per step, at most ``max_concurrent`` at once."""
    method = start_method_for(executor)
    limit = max(1, getattr(executor, "max_concurrent", None) or os.cpu_count() or 1)
    ResourceScope(plan.resources, config["resources"] or None).check(plan.required_resource_keys)
    resources, storage = swap_in_memory_managers(plan)
    payload: Any = (plan, resources, config["resources"], configs, run_id, partition_key, inputs)
    if method != "fork":
        check_steps_importable(plan, method)
        try:
            payload = dumps_payload(payload, method)
        except InvariantViolationError:
            check_input_values_picklable(inputs or {}, method)  # a better message when one is at fault
            raise
    loader = OutputLoader(plan, resources, config["resources"], run_id, storage)
    scheduler = _Scheduler(plan, multiprocessing.get_context(method), payload, hooks, loader)
    try:
        records, problems = scheduler.run(limit, raise_on_error)
    except BaseException:
        if storage is not None:
            storage.cleanup()
        raise
    outputs = AliasOutputs(plan.aliases, loader)
    return ExecuteInProcessResult(
        plan.name, run_id, records, outputs, asset_outputs(plan), problems, None, loader, plan.graph_outputs
    )


class _Scheduler:
    """Starts ready steps in plan order, each in its own process, and records how each ended.

    A step is ready when all its upstream steps succeeded; downstream of a failure is skipped.
    """

    def __init__(
        self, plan: Plan, context: Any, payload: Any, hooks: RunHooks | None, loader: OutputLoader
    ) -> None:
        self.plan = plan
        self.context = context
        self.payload = payload
        self.hooks = hooks
        self.loader = loader
        self.position = {step.name: i for i, step in enumerate(plan.steps)}
        self.waiting_on = {step.name: len(step.upstream) for step in plan.steps}
        self.dependents: dict[str, list[str]] = {step.name: [] for step in plan.steps}
        for step in plan.steps:
            for upstream in step.upstream:
                self.dependents[upstream].append(step.name)
        self.ready = [self.position[name] for name, count in self.waiting_on.items() if count == 0]
        heapq.heapify(self.ready)
        self.records: dict[str, StepRecord] = {}
        self.problems: list[TeardownProblem] = []
        self.running: dict[int, RunningStep] = {}  # keyed by the process sentinel

    def run(self, limit: int, raise_on_error: bool) -> tuple[list[StepRecord], list[TeardownProblem]]:
        """Run every step, at most ``limit`` at once; no child is left running when this returns."""
        method = self.context.get_start_method()
        try:
            while self.ready or self.running:
                self._start_ready(limit)
                done = wait_for_finished(self.running)
                for sentinel, job in sorted(done.items(), key=lambda item: self.position[item[1].step.name]):
                    record, teardown, produced = collect(job, method)
                    del self.running[sentinel]
                    self._settle(record, teardown, produced, raise_on_error)
        finally:
            stop_all(self.running.values())
        records = [self.records[step.name] for step in self.plan.steps if step.name in self.records]
        return records, self.problems

    def _start_ready(self, limit: int) -> None:
        while self.ready and len(self.running) < limit:
            step = self.plan.steps[heapq.heappop(self.ready)]
            job = launch(self.context, self.payload, step)
            self.running[job.process.sentinel] = job
            if self.hooks is not None:
                self.hooks("started", step.name, None)

    def _settle(
        self, record: StepRecord, teardown: list[TeardownProblem], produced: list[str], raise_on_error: bool
    ) -> None:
        """Record a finished step, then release, or skip, what depends on it."""
        name = record.step_key
        self.loader.produced[name] = produced
        for problem in teardown:
            self.problems.append(problem)
            _warn_teardown_problem(problem, name)
        self._finish(record)
        if record.status == "succeeded":
            self._release_downstream(name)
        elif raise_on_error:
            assert record.error is not None
            raise record.error
        else:
            self._skip_downstream(name)

    def _finish(self, record: StepRecord) -> None:
        self.records[record.step_key] = record
        if self.hooks is not None:
            self.hooks(record.status, record.step_key, record)

    def _release_downstream(self, name: str) -> None:
        for downstream in self.dependents[name]:
            self.waiting_on[downstream] -= 1
            if self.waiting_on[downstream] == 0 and downstream not in self.records:
                heapq.heappush(self.ready, self.position[downstream])

    def _skip_downstream(self, name: str) -> None:
        stack = list(self.dependents[name])
        while stack:
            downstream = stack.pop()
            if downstream in self.records:
                continue
            step = self.plan.by_name[downstream]
            self._finish(StepRecord(downstream, "skipped", 0.0, None, step.asset_keys))
            stack.extend(self.dependents[downstream])


def _warn_teardown_problem(problem: TeardownProblem, step_name: str) -> None:
    warnings.warn(
        ResourceTeardownWarning(
            f"Teardown of resource '{problem.key}' failed in the process of step "
            f"'{step_name}': {exception_summary(problem.error)}. The step "
            "itself finished; fix the resource's teardown code."
        ),
        stacklevel=user_stacklevel(),
    )
