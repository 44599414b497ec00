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
"""

from __future__ import annotations

import heapq
import importlib
import io
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import time
import traceback
import types
import warnings
import weakref
from collections.abc import Callable, Mapping
from multiprocessing.connection import wait as wait_for
from typing import Any

from resnb._stack import user_stacklevel
from resnb.build.scope import ResourceScope, TeardownProblem
from resnb.core.keys import AssetKey
from resnb.errors import (
    ConfigError,
    InvariantViolationError,
    ResourceTeardownWarning,
    StepExecutionError,
    exception_summary,
    listing,
)
from resnb.execution.io_managers import (
    FilesystemIOManager,
    InMemoryIOManager,
    InputContext,
    OutputContext,
)
from resnb.execution.plan import Plan, Step
from resnb.execution.result import ExecuteInProcessResult, StepRecord

__all__ = ["RemoteTraceback", "execute_plan_multiprocess", "start_method_for"]

#: Seconds a terminated child gets to tear its resources down before it is killed.
TERMINATE_GRACE = 5.0


# -- start method ----------------------------------------------------------------------------------
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


# -- pickling for spawn/forkserver: functions replaced by their definition are found through it ---
class _PlanPickler(pickle.Pickler):
    """Pickles ``@asset``/``@op`` functions by reference to the definition that replaced them.

    ``@asset def a(): ...`` leaves ``module.a`` bound to the AssetsDefinition, so plain pickle
    cannot find the function ``a`` by name; it is stored as "the ``fn`` of ``module.a``".
    """

    def reducer_override(self, obj: Any) -> Any:
        if (
            isinstance(obj, (type, types.FunctionType))
            and obj.__module__ == "__main__"
            and not _main_importable()
        ):
            raise _NotImportable(f"{obj.__qualname__} (a {_kind_of(obj)} defined in __main__)")
        if type(obj) is types.FunctionType:
            holder = _lookup(obj.__module__, obj.__qualname__)
            if holder is not obj and getattr(holder, "fn", None) is obj:
                return _function_of, (obj.__module__, obj.__qualname__)
        return NotImplemented


def _lookup(module_name: str, qualname: str) -> Any:
    value: Any = sys.modules.get(module_name)
    for part in qualname.split("."):
        if value is None or part == "<locals>":
            return None
        value = getattr(value, part, None)
    return value


def _function_of(module_name: str, qualname: str) -> Any:
    value: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value.fn


class _NotImportable(Exception):
    """Something to pickle lives in a ``__main__`` the step processes cannot import."""


def _kind_of(obj: Any) -> str:
    return "class" if isinstance(obj, type) else "function"


def _main_importable() -> bool:
    """Whether a spawned child can import ``__main__`` again (it has a file or a module name).

    A notebook kernel, the REPL and ``python -c`` have neither, so what they define cannot be
    found in the child (multiprocessing's spawn preparation makes the same test).
    """
    main = sys.modules.get("__main__")
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    return getattr(main, "__file__", None) is not None or spec_name is not None


_MOVE_IT = (
    "Move {it} into an importable module (a .py file next to the notebook, then `from my_module "
    "import ...`), or use the 'fork' start method (Linux only): "
    "multiprocess_executor.configured({{'start_method': 'fork'}})."
)


def _check_steps_importable(plan: Plan, method: str) -> None:
    """Raise before any process starts if a step's function lives in an unimportable ``__main__``."""
    if method == "fork" or _main_importable():
        return
    stranded = [step for step in plan.steps if getattr(step.fn, "__module__", None) == "__main__"]
    if not stranded:
        return
    names = listing(step.name for step in stranded)
    kind = stranded[0].kind + ("s" if len(stranded) > 1 else "")
    raise InvariantViolationError(
        f"The multiprocess executor cannot run {kind} {names} with start method '{method}': "
        f"{'they are' if len(stranded) > 1 else 'it is'} defined in a notebook cell or an "
        "interactive session (module __main__), which each step's process has to import and "
        "cannot. " + _MOVE_IT.format(it="them" if len(stranded) > 1 else "it")
    )


def _dumps_payload(payload: Any, method: str) -> bytes:
    buffer = io.BytesIO()
    try:
        _PlanPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(payload)
    except _NotImportable as exc:
        raise InvariantViolationError(
            f"The multiprocess executor (start method '{method}') has to send {exc} to each "
            "step's process, which cannot import this notebook or interactive session's "
            "__main__. " + _MOVE_IT.format(it="it")
        ) from None
    except Exception as exc:
        raise InvariantViolationError(
            f"The multiprocess executor (start method '{method}') has to pickle the run to start "
            f"each step's process, and it cannot: {exception_summary(exc)}. Define the assets, "
            "ops and resources at module level (not inside a function), start the run under "
            "`if __name__ == \"__main__\":` in a script, or use the 'fork' start method where "
            "it is available."
        ) from exc
    return buffer.getvalue()


# -- exceptions crossing the process boundary ------------------------------------------------------
class RemoteTraceback(Exception):
    """The traceback of an exception raised in a step's process, chained as its ``__cause__``.

    Like ``concurrent.futures``' remote traceback: printing the re-raised exception shows where it
    was raised in the child, then "The above exception was the direct cause ...", on every
    Python version.
    """

    def __init__(self, step_name: str, pid: int, text: str) -> None:
        super().__init__(step_name, pid, text)
        self.step_name = step_name
        self.pid = pid
        self.text = text

    def __str__(self) -> str:
        return f'raised in step {self.step_name!r} (process {self.pid}):\n"""\n{self.text}"""'


def _pack_exception(exc: BaseException) -> dict[str, Any]:
    """The exception pickled (with its ``__cause__`` chain) plus its formatted traceback."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    chain: list[bytes] = []
    current: BaseException | None = exc
    reason = ""
    while current is not None and len(chain) < 8:
        try:
            blob = pickle.dumps(current, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(blob)  # fail here, with a reason, rather than in the parent
        except Exception as problem:  # noqa: BLE001 - any pickling failure means: send text
            reason = exception_summary(problem)
            break
        chain.append(blob)
        current = current.__cause__
    return {
        "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "summary": exception_summary(exc),
        "traceback": text,
        "chain": chain,
        "reason": reason,
        "pid": os.getpid(),
    }


def _unpack_exception(packed: dict[str, Any], step_name: str) -> BaseException:
    """Rebuild the child's exception; :class:`StepExecutionError` when it cannot be unpickled.

    The child's formatted traceback is chained below the rebuilt exceptions as a
    :class:`RemoteTraceback` (the cause of the innermost one), so it is shown on every version.
    """
    if packed["chain"]:
        try:
            chain = [pickle.loads(blob) for blob in packed["chain"]]
        except Exception as problem:  # noqa: BLE001 - any unpickling failure means: use text
            packed = {**packed, "chain": [], "reason": exception_summary(problem)}
        else:
            for outer, inner in zip(chain, chain[1:]):
                outer.__cause__ = inner
            if chain[-1].__cause__ is None:
                chain[-1].__cause__ = RemoteTraceback(step_name, packed["pid"], packed["traceback"])
            error = chain[0]
            if hasattr(error, "add_note"):  # Python 3.11+: also says so below the message
                error.add_note(f"(raised in step '{step_name}', process {packed['pid']}; traceback above)")
            return error
    error = StepExecutionError(
        f"Step '{step_name}' failed with {packed['summary']}. The exception could not be sent "
        f"back from the step's process ({packed['reason'] or 'it cannot be pickled'}), so this "
        f"error stands in for it. Traceback in the step's process:\n{packed['traceback']}"
    )
    return error


# -- the child -------------------------------------------------------------------------------------
#: The first message of every child: it got through start-up (imports) and reached the step.
_STARTED = "started"


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _child_main(conn: Any, payload: Any, step_name: str) -> None:
    """Entry point of a step's process: open its resources, run it, tear down, report."""
    conn.send(_STARTED)  # past start-up: a death from here on is the step's, not the import's
    signal.signal(signal.SIGTERM, _on_sigterm)  # terminate() still runs the teardown below
    from resnb.execution.run import _StepRunner

    scope: ResourceScope | None = None
    error: dict[str, Any] | None = None
    produced: list[str] = []
    problems: list[TeardownProblem] = []
    start = time.perf_counter()
    try:
        try:
            if isinstance(payload, bytes):
                payload = pickle.loads(payload)
            plan, resources, resource_config, configs, run_id, partition_key = payload
            step: Step = plan.by_name[step_name]
            scope = ResourceScope(resources, resource_config or None, run_id=run_id)
            values = scope.open(step.required_keys)
            runner = _StepRunner(plan, values, configs, run_id, partition_key)
            start = time.perf_counter()
            runner.run(step)
            produced = [name for (_, name) in runner.outputs]
        except Exception as exc:  # noqa: BLE001 - the step's failure, reported to the parent
            error = _pack_exception(exc)
        duration = time.perf_counter() - start
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent reports it
        raise SystemExit(128 + signal.SIGINT) from None
    finally:
        # Tear down without being cut short: the parent's terminate() (or a second Ctrl-C)
        # must not interrupt it; the parent kills the process after TERMINATE_GRACE seconds.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if scope is not None:
            with warnings.catch_warnings():  # the parent re-issues them, naming the step
                warnings.simplefilter("ignore", ResourceTeardownWarning)
                problems = scope.close()
    packed_problems = [(p.key, _pack_exception(p.error)) for p in problems]
    conn.send(("failed" if error else "succeeded", duration, error, packed_problems, produced))
    conn.close()


# -- the parent ------------------------------------------------------------------------------------
class _Running:
    __slots__ = ("conn", "process", "reached_step", "started", "step")

    def __init__(self, step: Step, process: Any, conn: Any, started: float) -> None:
        self.step = step
        self.process = process
        self.conn = conn
        self.started = started
        self.reached_step = False  # set when the child's _STARTED message arrives


def _io_manager_keys(plan: Plan) -> set[str]:
    keys: set[str] = set()
    for step in plan.steps:
        keys.update(spec.io_manager_key for spec in step.outputs.values())
        keys.update(source.io_manager_key for source in step.inputs.values())
    return keys


class _Storage:
    """A temporary directory removed when this object is garbage collected (or at exit)."""

    def __init__(self) -> None:
        self.name = tempfile.mkdtemp(prefix="resnb-run-")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.name, ignore_errors=True)

    def cleanup(self) -> None:
        """Remove the directory now."""
        self._finalizer()


def _swap_in_memory_managers(plan: Plan) -> tuple[dict[str, Any], _Storage | None]:
    """The run's resources with every default in-memory IO manager replaced by a filesystem one."""
    resources = dict(plan.resources)
    swap = [k for k in _io_manager_keys(plan) if type(resources.get(k)) is InMemoryIOManager]
    if not swap:
        return resources, None
    storage = _Storage()
    manager = FilesystemIOManager(base_dir=storage.name)
    for key in swap:
        resources[key] = manager
    return resources, storage


class _Loader:
    """Loads step outputs in the parent through their IO manager, on first access, then cached."""

    def __init__(
        self, plan: Plan, resources: dict[str, Any], resource_config: Any, run_id: str, storage: Any
    ) -> None:
        self.plan = plan
        self.resources = resources
        self.resource_config = resource_config
        self.run_id = run_id
        self.storage = storage  # keeps the temporary directory alive as long as the result
        self.produced: dict[str, list[str]] = {}
        self.cache: dict[tuple[str, str], Any] = {}

    def __call__(self, step_name: str, output_name: str) -> Any:
        key = (step_name, output_name)
        if key in self.cache:
            return self.cache[key]
        if output_name not in self.produced.get(step_name, ()):
            outputs = self.produced.get(step_name, [])
            raise InvariantViolationError(
                f"Step '{step_name}' has no output named '{output_name}'. Its outputs: {listing(outputs)}."
            )
        spec = self.plan.by_name[step_name].outputs[output_name]
        upstream = OutputContext(step_name, output_name, spec.asset_key, self.run_id, spec.metadata)
        context = InputContext(output_name, step_name, spec.asset_key, upstream)
        scope = ResourceScope(self.resources, self.resource_config or None, run_id=self.run_id)
        try:
            manager = scope.open([spec.io_manager_key])[spec.io_manager_key]
            value = manager.load_input(context)
        finally:
            scope.close()
        self.cache[key] = value
        return value


class _AliasOutputs(dict):  # type: ignore[type-arg]
    """Graph outputs that alias an inner op's output, loaded on first access."""

    def __init__(self, aliases: Mapping[tuple[str, str], tuple[str, str]], loader: _Loader) -> None:
        super().__init__()
        self._aliases = {a: t for a, t in aliases.items() if t[1] in loader.produced.get(t[0], ())}
        self._loader = loader

    def __contains__(self, key: object) -> bool:
        return key in self._aliases

    def __getitem__(self, key: tuple[str, str]) -> Any:
        return self._loader(*self._aliases[key])


def execute_plan_multiprocess(
    plan: Plan,
    config: dict[str, Any],
    configs: dict[str, Any],
    raise_on_error: bool,
    executor: Any,
    partition_key: str | None,
    run_id: str,
    hooks: Callable[[str, str, StepRecord | None], None] | None,
) -> ExecuteInProcessResult:
    """Run ``plan`` with one child process per step, at most ``max_concurrent`` at once."""
    method = start_method_for(executor)
    context = multiprocessing.get_context(method)
    limit = max(1, getattr(executor, "max_concurrent", None) or os.cpu_count() or 1)
    resources, storage = _swap_in_memory_managers(plan)
    payload: Any = (plan, resources, config["resources"], configs, run_id, partition_key)
    if method != "fork":
        _check_steps_importable(plan, method)
        payload = _dumps_payload(payload, method)
    loader = _Loader(plan, resources, config["resources"], run_id, storage)
    try:
        records, problems = _schedule(plan, context, payload, limit, raise_on_error, hooks, loader)
    except BaseException:
        if storage is not None:
            storage.cleanup()
        raise
    asset_steps: dict[AssetKey, tuple[str, str]] = {}
    for step in plan.steps:
        for name, spec in step.outputs.items():
            if spec.asset_key is not None:
                asset_steps[spec.asset_key] = (step.name, name)
    outputs = _AliasOutputs(plan.aliases, loader)
    return ExecuteInProcessResult(plan.name, run_id, records, outputs, asset_steps, problems, None, loader)


def _schedule(
    plan: Plan,
    context: Any,
    payload: Any,
    limit: int,
    raise_on_error: bool,
    hooks: Callable[[str, str, StepRecord | None], None] | None,
    loader: _Loader,
) -> tuple[list[StepRecord], list[TeardownProblem]]:
    position = {step.name: i for i, step in enumerate(plan.steps)}
    waiting_on = {step.name: len(step.upstream) for step in plan.steps}
    dependents: dict[str, list[str]] = {step.name: [] for step in plan.steps}
    for step in plan.steps:
        for upstream in step.upstream:
            dependents[upstream].append(step.name)
    ready = [position[name] for name, count in waiting_on.items() if count == 0]
    heapq.heapify(ready)
    records: dict[str, StepRecord] = {}
    problems: list[TeardownProblem] = []
    running: dict[int, _Running] = {}  # keyed by the process sentinel

    def finish(record: StepRecord) -> None:
        records[record.step_key] = record
        if hooks is not None:
            hooks(record.status, record.step_key, record)

    def skip_downstream(name: str) -> None:
        stack = list(dependents[name])
        while stack:
            downstream = stack.pop()
            if downstream in records:
                continue
            step = plan.by_name[downstream]
            finish(StepRecord(downstream, "skipped", 0.0, None, step.asset_keys))
            stack.extend(dependents[downstream])

    try:
        while ready or running:
            while ready and len(running) < limit:
                step = plan.steps[heapq.heappop(ready)]
                job = _launch(context, payload, step)
                running[job.process.sentinel] = job
                if hooks is not None:
                    hooks("started", step.name, None)
            done = _wait_for_finished(running)
            for sentinel, job in sorted(done.items(), key=lambda item: position[item[1].step.name]):
                record, teardown, produced = _collect(job, context.get_start_method())
                del running[sentinel]
                loader.produced[job.step.name] = produced
                for problem in teardown:
                    problems.append(problem)
                    warnings.warn(
                        ResourceTeardownWarning(
                            f"Teardown of resource '{problem.key}' failed in the process of step "
                            f"'{job.step.name}': {exception_summary(problem.error)}. The step "
                            "itself finished; fix the resource's teardown code."
                        ),
                        stacklevel=user_stacklevel(),
                    )
                finish(record)
                if record.status == "succeeded":
                    for downstream in dependents[job.step.name]:
                        waiting_on[downstream] -= 1
                        if waiting_on[downstream] == 0 and downstream not in records:
                            heapq.heappush(ready, position[downstream])
                elif raise_on_error:
                    assert record.error is not None
                    raise record.error
                else:
                    skip_downstream(job.step.name)
    finally:
        _stop(running.values())
    return [records[step.name] for step in plan.steps if step.name in records], problems


def _launch(context: Any, payload: Any, step: Step) -> _Running:
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main, args=(sender, payload, step.name), name=f"resnb-step-{step.name}"
    )
    started = time.perf_counter()
    try:
        process.start()
    finally:
        sender.close()  # the child has its own copy; ours must go so a dead child reads as EOF
    return _Running(step, process, receiver, started)


def _wait_for_finished(running: dict[int, _Running]) -> dict[int, _Running]:
    """Block until a child exits or sends its result; those children by sentinel.

    A readable pipe is a finished child too (it may be blocked sending a large result), except
    when what arrived is the child's start-up report: that is read, and the child runs on.
    """
    owners: dict[Any, _Running] = {}
    for job in running.values():
        owners[job.conn] = owners[job.process.sentinel] = job
    done: dict[int, _Running] = {}
    for ready in wait_for(list(owners)):
        job = owners[ready]
        if ready is job.conn and not job.reached_step and _read_start_report(job):
            continue
        done[job.process.sentinel] = job
    return done


def _read_start_report(job: _Running) -> bool:
    """Read the child's first message; True when it reports that it reached the step."""
    try:
        job.reached_step = job.conn.recv() == _STARTED
    except (EOFError, OSError):  # the child died before reporting
        return False
    return job.reached_step


def _collect(job: _Running, method: str) -> tuple[StepRecord, list[TeardownProblem], list[str]]:
    """The record of a finished (or dead) child, its teardown problems and output names."""
    message = None
    try:
        while message is None and job.conn.poll():
            received = job.conn.recv()
            if received == _STARTED:  # not read yet when the exit was noticed first
                job.reached_step = True
            else:
                message = received
    except (EOFError, OSError):
        message = None
    finally:
        job.conn.close()
    job.process.join()
    duration = time.perf_counter() - job.started
    step = job.step
    if message is None:
        during_start = None if job.reached_step or method == "fork" else method
        error = StepExecutionError(
            _death_message(step.name, job.process.pid, job.process.exitcode, during_start)
        )
        return StepRecord(step.name, "failed", duration, error, step.asset_keys), [], []
    status, _, packed_error, packed_problems, produced = message
    teardown = [TeardownProblem(key, _unpack_exception(packed, step.name)) for key, packed in packed_problems]
    error = _unpack_exception(packed_error, step.name) if packed_error else None
    return StepRecord(step.name, status, duration, error, step.asset_keys), teardown, produced


def _death_message(step_name: str, pid: int | None, exitcode: int | None, during_start: str | None) -> str:
    """Why a child reported nothing; ``during_start`` is the start method if it died starting up."""
    if exitcode is not None and exitcode < 0:
        try:
            how = f"was killed by signal {signal.Signals(-exitcode).name} (exit code {exitcode})"
        except ValueError:
            how = f"was killed by signal {-exitcode} (exit code {exitcode})"
    else:
        how = f"exited with code {exitcode}"
    if during_start:
        return (
            f"Step '{step_name}' failed: its process (pid {pid}) {how} while starting, before it "
            f"reached the step. With the '{during_start}' start method each step's process first "
            "imports the script that started the run again; if that script starts the run at "
            'top level, put that code under `if __name__ == "__main__":`. The process\'s own '
            "error, if any, was printed to standard error."
        )
    return (
        f"Step '{step_name}' failed: its process (pid {pid}) {how} without reporting a result. "
        "The step crashed the interpreter, called os._exit(), or was killed (for example by "
        "the out-of-memory killer)."
    )


def _stop(jobs: Any) -> None:
    """Terminate and join children still running (they tear their resources down on SIGTERM).

    A child that has not exited after :data:`TERMINATE_GRACE` seconds is killed; so is every
    remaining child when a second Ctrl-C arrives while waiting.
    """
    jobs = list(jobs)
    for job in jobs:
        if job.process.is_alive():
            job.process.terminate()
    try:
        deadline = time.monotonic() + TERMINATE_GRACE
        for job in jobs:
            job.process.join(max(0.0, deadline - time.monotonic()))
    except KeyboardInterrupt:
        _kill(jobs)
        raise
    _kill(jobs)


def _kill(jobs: list[_Running]) -> None:
    for job in jobs:
        if job.process.is_alive():
            job.process.kill()
        job.process.join()
        job.conn.close()
