"""``execute_job`` and ``reconstructable``: run a job with its own executor.

``job.execute_in_process()`` always runs in this process, whatever the job's ``executor_def``
(as in Dagster). To run a job with its executor, for example ``multiprocess_executor``::

    result = resnb.execute_job(my_job)                 # or my_job.execute()

Dagster scripts written as ``execute_job(reconstructable(my_job), instance=...)`` run unchanged:
``reconstructable`` returns the job itself (resnb starts step processes by forking, or pickles
functions by reference under spawn, so nothing has to be reconstructed from a module path) and
``instance`` is accepted and ignored.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from resnb.core.jobs import JobDefinition
from resnb.errors import InvocationError
from resnb.execution.result import ExecuteInProcessResult

__all__ = ["execute_job", "reconstructable"]


def reconstructable(target: Any) -> JobDefinition:
    """The job itself: ``target`` is a job, or a function without arguments returning one."""
    if isinstance(target, JobDefinition):
        return target
    if inspect.isroutine(target):
        job = target()
        if isinstance(job, JobDefinition):
            return job
        raise InvocationError(
            f"reconstructable() called {getattr(target, '__name__', target)!r}, which returned "
            f"{type(job).__name__}, not a job. Pass a @job, or a function returning a JobDefinition."
        )
    raise InvocationError(
        f"reconstructable() takes a job (@job, graph.to_job(), defs.resolve_job_def(name)) or a "
        f"function returning one; got {type(target).__name__}."
    )


def execute_job(
    job: Any,
    instance: Any = None,
    run_config: Any = None,
    tags: Mapping[str, Any] | None = None,
    raise_on_error: bool = False,
    *,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    **_ignored: Any,
) -> ExecuteInProcessResult:
    """Run ``job`` with its own ``executor_def`` (the in-process executor when it has none).

    ``raise_on_error`` defaults to False, as in Dagster: failures are reported by the result
    (``result.success``, ``get_failed_step_keys()``). With True the failing step's own exception
    is raised. The result can be used as a context manager (``with execute_job(...) as result:``).
    ``instance``, ``tags`` and Dagster's other keyword arguments are accepted and ignored.
    """
    from resnb.execution.run import execute_job_definition

    job_def = reconstructable(job)
    return execute_job_definition(
        job_def,
        run_config,
        resources,
        raise_on_error,
        executor=job_def.executor_def,
        partition_key=partition_key,
        with_executor=True,
    )
