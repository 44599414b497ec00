"""A step's process: its entry point, and exceptions packed to cross back to the parent.

:func:`child_main` is the ``Process`` target. Under ``spawn``/``forkserver`` the child finds it
by its module path, so it stays a module-level function of this importable module.

An exception from a step is re-raised in the parent as it was (type and ``__cause__`` chain),
with the child's formatted traceback chained below it as a :class:`RemoteTraceback`.
"""

from __future__ import annotations

import os
import pickle
import signal
import time
import traceback
import warnings
from typing import Any

from resnb.build.scope import ResourceScope, TeardownProblem
from resnb.errors import ResourceTeardownWarning, StepExecutionError, exception_summary
from resnb.execution.plan import Step
from resnb.execution.run import _StepRunner

__all__ = ["STARTED", "RemoteTraceback", "child_main", "pack_exception", "unpack_exception"]

#: The first message of every child: it got through start-up (imports) and reached the step.
STARTED = "started"

#: How many exceptions of a ``__cause__`` chain are sent back at most.
_MAX_CHAIN = 8


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


def pack_exception(exc: BaseException) -> dict[str, Any]:
    """The exception pickled (with its ``__cause__`` chain) plus its formatted traceback."""
    chain, reason = _pickled_chain(exc)
    return {
        "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "summary": exception_summary(exc),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        "chain": chain,
        "reason": reason,
        "pid": os.getpid(),
    }


def _pickled_chain(exc: BaseException) -> tuple[list[bytes], str]:
    """``exc`` and its causes pickled, up to the first that cannot be, and why it cannot."""
    chain: list[bytes] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < _MAX_CHAIN:
        try:
            blob = pickle.dumps(current, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(blob)  # fail here, with a reason, rather than in the parent
        except Exception as problem:  # noqa: BLE001 - any pickling failure means: send text
            return chain, exception_summary(problem)
        chain.append(blob)
        current = current.__cause__
    return chain, ""


def unpack_exception(packed: dict[str, Any], step_name: str) -> BaseException:
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
            return _relinked(chain, packed, step_name)
    return StepExecutionError(
        f"Step '{step_name}' failed with {packed['summary']}. The exception could not be sent "
        f"back from the step's process ({packed['reason'] or 'it cannot be pickled'}), so this "
        f"error stands in for it. Traceback in the step's process:\n{packed['traceback']}"
    )


def _relinked(chain: list[BaseException], packed: dict[str, Any], step_name: str) -> BaseException:
    """The outermost exception of ``chain`` with its causes linked and the remote traceback below."""
    for outer, inner in zip(chain, chain[1:]):
        outer.__cause__ = inner
    if chain[-1].__cause__ is None:
        chain[-1].__cause__ = RemoteTraceback(step_name, packed["pid"], packed["traceback"])
    error = chain[0]
    if hasattr(error, "add_note"):  # Python 3.11+: also says so below the message
        error.add_note(f"(raised in step '{step_name}', process {packed['pid']}; traceback above)")
    return error


# -- the child -------------------------------------------------------------------------------------
class _Outcome:
    """What the child found out while running its step, reported to the parent at the end."""

    __slots__ = ("duration", "error", "produced", "scope")

    def __init__(self) -> None:
        self.scope: ResourceScope | None = None
        self.error: dict[str, Any] | None = None
        self.produced: list[str] = []
        self.duration = 0.0

    def message(self, problems: list[TeardownProblem]) -> tuple[Any, ...]:
        """The final message: status, duration, packed error, packed teardown problems, outputs."""
        packed_problems = [(p.key, pack_exception(p.error)) for p in problems]
        status = "failed" if self.error else "succeeded"
        return (status, self.duration, self.error, packed_problems, self.produced)


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def child_main(conn: Any, payload: Any, step_name: str) -> None:
    """Entry point of a step's process: open its resources, run it, tear down, report."""
    conn.send(STARTED)  # past start-up: a death from here on is the step's, not the import's
    signal.signal(signal.SIGTERM, _on_sigterm)  # terminate() still runs the teardown below
    outcome = _Outcome()
    try:
        _run_step(payload, step_name, outcome)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent reports it
        raise SystemExit(128 + signal.SIGINT) from None
    finally:
        problems = _tear_down_uninterrupted(outcome.scope)
    conn.send(outcome.message(problems))
    conn.close()


def _run_step(payload: Any, step_name: str, outcome: _Outcome) -> None:
    """Open the step's resources and run it; a failure is packed into ``outcome.error``."""
    start = time.perf_counter()
    try:
        if isinstance(payload, bytes):
            payload = pickle.loads(payload)
        plan, resources, resource_config, configs, run_id, partition_key, inputs = payload
        step: Step = plan.by_name[step_name]
        outcome.scope = ResourceScope(resources, resource_config or None, run_id=run_id)
        values = outcome.scope.open(step.required_keys)
        runner = _StepRunner(plan, values, configs, run_id, partition_key, inputs)
        start = time.perf_counter()
        runner.run(step)
        outcome.produced = [name for (_, name) in runner.outputs]
    except Exception as exc:  # noqa: BLE001 - the step's failure, reported to the parent
        outcome.error = pack_exception(exc)
    outcome.duration = time.perf_counter() - start


def _tear_down_uninterrupted(scope: ResourceScope | None) -> list[TeardownProblem]:
    """Close ``scope`` with SIGTERM and SIGINT ignored; the teardown problems, not warned here.

    The parent's terminate() (or a second Ctrl-C) must not cut the teardown short; the parent
    kills the process after ``TERMINATE_GRACE`` seconds instead.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if scope is None:
        return []
    with warnings.catch_warnings():  # the parent re-issues them, naming the step
        warnings.simplefilter("ignore", ResourceTeardownWarning)
        return scope.close()
