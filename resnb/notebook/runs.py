"""One ``%materialize`` run: what to run, running it with progress, and turning a failure into an error.

The selection is the named assets plus ``--select``; upstream assets this session never
materialised (or whose last run failed) are added, so their values exist; with ``upstream=True``
everything upstream is recomputed. The run itself is resnb's in-process executor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from resnb.core.assets import AssetsDefinition
from resnb.core.graph import DependencyGraph
from resnb.errors import (
    InvalidSubsetError,
    InvariantViolationError,
    ResourceFunctionError,
    StepExecutionError,
    exception_summary,
    listing,
)
from resnb.execution.plan import Plan, plan_for_assets
from resnb.execution.result import ExecuteInProcessResult, StepRecord
from resnb.execution.run import execute_plan
from resnb.notebook.display_run import MaterializeResult, RunRow
from resnb.notebook.suggest import suggestion

__all__ = ["Progress", "failure_error", "plan_run", "run_plan", "selection"]

#: Called with the (live) result after every change of a step's status.
Progress = Callable[[MaterializeResult], None]

RUN_NAME = "materialize"


def selection(
    graph: DependencyGraph,
    names: Iterable[str],
    select: str | None,
    *,
    upstream: bool,
    available: Callable[[str], bool],
) -> list[str]:
    """The asset names to run, in topological order.

    ``available(name)`` says whether a value of ``name`` from this session can be reused; upstream
    assets for which it is False are added (and, through them, their own upstream).
    """
    wanted: dict[str, None] = {}
    for name in names:
        if name not in graph:
            raise InvalidSubsetError(
                f"No asset named '{name}'. Assets: {listing(graph)}.{suggestion(name, graph)}"
            )
        wanted[name] = None
    if select:
        wanted.update(dict.fromkeys(graph.select(select)))
    if upstream:
        wanted.update(dict.fromkeys(graph.ancestors(list(wanted))))
    else:
        wanted.update(dict.fromkeys(_missing_upstream(graph, list(wanted), available)))
    position = {name: index for index, name in enumerate(graph.toposort())}
    return sorted(wanted, key=position.__getitem__)


def _missing_upstream(
    graph: DependencyGraph, start: list[str], available: Callable[[str], bool]
) -> list[str]:
    found: list[str] = []
    seen = set(start)
    todo = list(start)
    while todo:
        for parent in graph.upstream_of(todo.pop()):
            if parent in seen or available(parent):
                continue
            seen.add(parent)
            found.append(parent)
            todo.append(parent)
    return found


def plan_run(assets: Sequence[AssetsDefinition], names: Iterable[str], resources: Mapping[str, Any]) -> Plan:
    """The plan for the definitions producing ``names``, with ``resources`` (some ``PreBuilt``)."""
    wanted = set(names)
    chosen = [d for d in assets if any(k.to_user_string() in wanted for k in d.keys)]
    return plan_for_assets(RUN_NAME, assets, chosen, resources)


def run_plan(
    plan: Plan, on_progress: Progress | None = None, run_config: Mapping[str, Any] | None = None
) -> tuple[MaterializeResult, ExecuteInProcessResult]:
    """Run ``plan`` in this process (every step attempted) with ``run_config``; report progress."""
    rows = [RunRow(step.name, tuple(k.to_user_string() for k in step.asset_keys)) for step in plan.steps]
    live = MaterializeResult(rows)

    def hook(event: str, step: str, record: StepRecord | None) -> None:
        if record is None:
            live.mark(step, "running")
        else:
            live.mark(step, record.status, record.duration, record.error)
        if on_progress is not None:
            on_progress(live)

    if on_progress is not None:
        on_progress(live)
    result = execute_plan(plan, dict(run_config or {}) or None, raise_on_error=False, hooks=hook)
    live.finish(_values(result, live), result.run_id)
    if on_progress is not None:
        on_progress(live)
    return live, result


def _values(result: ExecuteInProcessResult, live: MaterializeResult) -> dict[str, Any]:
    """Asset name -> value, for the assets of succeeded steps that stored one.

    An asset that returned a ``MaterializeResult`` without ``value=`` stored its data itself: it has
    no value here (a later run loads it through its IO manager).
    """
    values = {}
    for row in live.rows:
        if row.status != "succeeded":
            continue
        for name in row.assets:
            with contextlib.suppress(InvariantViolationError):
                values[name] = result.asset_value(name)
    return values


def failure_error(
    live: MaterializeResult, result: ExecuteInProcessResult, needs: Mapping[str, Iterable[str]] | None = None
) -> BaseException | None:
    """The error to raise for a failed run (None when it succeeded).

    It names the failed asset(s) and is chained to the user's exception, whose traceback it
    carries on, so a post-mortem debugger opens in the user's code. When a resource failed to
    initialise (nothing ran), it names the assets that needed it; ``needs`` maps each step to
    the resource keys it needs.
    """
    if result.resource_error is not None:
        return _resource_failure(live, result.resource_error, needs or {})
    failed = {record.step_key: record for record in result.step_records if record.status == "failed"}
    if not failed:
        return None
    rows = [row for row in live.rows if row.step in failed]
    first = failed[rows[0].step].error
    assert first is not None
    names = ", ".join(f"'{row.label}'" for row in rows)
    skipped = sum(1 for row in live.rows if row.status == "skipped")
    after = f" {skipped} downstream asset(s) were skipped." if skipped else ""
    error = StepExecutionError(
        f"Materializing asset {names} failed: {exception_summary(first)}. The assets that "
        f"succeeded in this run were kept.{after} Fix the asset (or what it reads) and "
        "materialize it again."
    )
    error.result = live  # type: ignore[attr-defined]
    error.__cause__ = first
    return error


def _resource_failure(
    live: MaterializeResult, error: BaseException, needs: Mapping[str, Iterable[str]]
) -> BaseException:
    """``error`` (a resource that failed to initialise) naming the assets of the run that needed it."""
    key = getattr(error, "key", None)
    if key is None:
        return error
    rows = [row for row in live.rows if key in needs.get(row.step, ())]
    if not rows:
        return error
    names = ", ".join(f"'{row.label}'" for row in rows)
    subject = f"asset {names} needs" if len(rows) == 1 else f"assets {names} need"
    wrapped = ResourceFunctionError(
        f"Nothing was materialized: {subject} resource '{key}', which failed to initialise. "
        f"{error} Fix it (try %build_resources {key}) and materialize again.",
        key=key,
    )
    wrapped.result = live  # type: ignore[attr-defined]
    wrapped.__cause__ = error.__cause__ or error
    return wrapped
