"""The parent's side of a step's process: start it, wait for it, collect its result, stop it.

No child outlives a run: :func:`stop_all` terminates the children still running (they tear their
resources down on SIGTERM) and kills those that do not exit within :data:`TERMINATE_GRACE`.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterable
from multiprocessing.connection import wait as wait_for
from typing import Any

from resnb.build.scope import TeardownProblem
from resnb.errors import StepExecutionError
from resnb.execution.mp_child import STARTED, child_main, unpack_exception
from resnb.execution.plan import Step
from resnb.execution.result import StepRecord

__all__ = ["TERMINATE_GRACE", "RunningStep", "collect", "launch", "stop_all", "wait_for_finished"]

#: Seconds a terminated child gets to tear its resources down before it is killed.
TERMINATE_GRACE = 5.0


class RunningStep:
    """A started step's process and the read end of the pipe it reports through."""

    __slots__ = ("conn", "process", "reached_step", "started", "step")

    def __init__(self, step: Step, process: Any, conn: Any, started: float) -> None:
        self.step = step
        self.process = process
        self.conn = conn
        self.started = started
        self.reached_step = False  # set when the child's STARTED message arrives


def launch(context: Any, payload: Any, step: Step) -> RunningStep:
    """Start the process of ``step`` from the multiprocessing ``context``."""
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=child_main, args=(sender, payload, step.name), name=f"resnb-step-{step.name}"
    )
    started = time.perf_counter()
    try:
        process.start()
    finally:
        sender.close()  # the child has its own copy; ours must go so a dead child reads as EOF
    return RunningStep(step, process, receiver, started)


def wait_for_finished(running: dict[int, RunningStep]) -> dict[int, RunningStep]:
    """Block until a child exits or sends its result; those children by sentinel.

    A readable pipe is a finished child too (it may be blocked sending a large result), except
    when what arrived is the child's start-up report: that is read, and the child runs on.
    """
    owners: dict[Any, RunningStep] = {}
    for job in running.values():
        owners[job.conn] = owners[job.process.sentinel] = job
    done: dict[int, RunningStep] = {}
    for ready in wait_for(list(owners)):
        job = owners[ready]
        if ready is job.conn and not job.reached_step and _read_start_report(job):
            continue
        done[job.process.sentinel] = job
    return done


def _read_start_report(job: RunningStep) -> bool:
    """Read the child's first message; True when it reports that it reached the step."""
    try:
        job.reached_step = job.conn.recv() == STARTED
    except (EOFError, OSError):  # the child died before reporting
        return False
    return job.reached_step


def collect(job: RunningStep, method: str) -> tuple[StepRecord, list[TeardownProblem], list[str]]:
    """The record of a finished (or dead) child, its teardown problems and output names."""
    message = _final_message(job)
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
    teardown = [TeardownProblem(key, unpack_exception(packed, step.name)) for key, packed in packed_problems]
    error = unpack_exception(packed_error, step.name) if packed_error else None
    return StepRecord(step.name, status, duration, error, step.asset_keys), teardown, produced


def _final_message(job: RunningStep) -> Any:
    """The child's result message, or None if it sent none; the pipe is closed afterwards."""
    message = None
    try:
        while message is None and job.conn.poll():
            received = job.conn.recv()
            if received == STARTED:  # not read yet when the exit was noticed first
                job.reached_step = True
            else:
                message = received
    except (EOFError, OSError):
        message = None
    finally:
        job.conn.close()
    return message


def _death_message(step_name: str, pid: int | None, exitcode: int | None, during_start: str | None) -> str:
    """Why a child reported nothing; ``during_start`` is the start method if it died starting up."""
    if during_start:
        return (
            f"Step '{step_name}' failed: its process (pid {pid}) {_how_it_ended(exitcode)} while "
            f"starting, before it reached the step. With the '{during_start}' start method each "
            "step's process first imports the script that started the run again; if that script "
            'starts the run at top level, put that code under `if __name__ == "__main__":`. The '
            "process's own error, if any, was printed to standard error."
        )
    return (
        f"Step '{step_name}' failed: its process (pid {pid}) {_how_it_ended(exitcode)} without "
        "reporting a result. The step crashed the interpreter, called os._exit(), or was killed "
        "(for example by the out-of-memory killer)."
    )


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is None or exitcode >= 0:
        return f"exited with code {exitcode}"
    try:
        return f"was killed by signal {signal.Signals(-exitcode).name} (exit code {exitcode})"
    except ValueError:
        return f"was killed by signal {-exitcode} (exit code {exitcode})"


def stop_all(jobs: Iterable[RunningStep]) -> None:
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


def _kill(jobs: list[RunningStep]) -> None:
    for job in jobs:
        if job.process.is_alive():
            job.process.kill()
        job.process.join()
        job.conn.close()
