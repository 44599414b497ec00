"""The result of a run: success, per-step records, output values, teardown problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from resnb.build.scope import TeardownProblem
from resnb.core.job_names import describe_job
from resnb.core.keys import AssetKey, CoercibleToAssetKey
from resnb.errors import InvariantViolationError, did_you_mean, listing

__all__ = ["ExecuteInProcessResult", "StepRecord", "missing_output_error"]


class StepRecord(NamedTuple):
    """What happened to one step: ``status`` is succeeded, failed or skipped."""

    step_key: str
    status: str
    duration: float
    error: BaseException | None = None
    asset_keys: tuple[AssetKey, ...] = ()

    @property
    def is_failure(self) -> bool:
        """Whether the step raised."""
        return self.status == "failed"


def missing_output_error(step: str, output_name: str, declared: Sequence[str]) -> InvariantViolationError:
    """The error for an output a succeeded step has no value for: undeclared, or stored nowhere."""
    if output_name in declared:
        return InvariantViolationError(
            f"Output '{output_name}' of step '{step}' has no value in this run: the step returned a "
            "MaterializeResult without value= for it (or yielded no Output for it), so no IO manager "
            "stored one. Read the data where the step stored it, or return MaterializeResult(value=...)."
        )
    return InvariantViolationError(
        f"Step '{step}' has no output named '{output_name}'. Its outputs: "
        f"{listing(declared)}.{did_you_mean(output_name, declared)}"
    )


class ExecuteInProcessResult:
    """The outcome of ``materialize`` or ``execute_in_process``."""

    def __init__(
        self,
        job_name: str,
        run_id: str,
        records: Sequence[StepRecord],
        outputs: dict[tuple[str, str], Any],
        asset_steps: dict[AssetKey, tuple[str, str]],
        teardown_problems: Sequence[TeardownProblem],
        resource_error: BaseException | None = None,
        loader: Callable[[str, str], Any] | None = None,
        graph_outputs: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self.job_name = job_name
        self.run_id = run_id
        self.step_records = list(records)
        self._outputs = outputs
        self._asset_steps = asset_steps
        self.teardown_problems = list(teardown_problems)
        self.resource_error = resource_error
        self._loader = loader
        self._graph_outputs = dict(graph_outputs or {})

    @property
    def success(self) -> bool:
        """True when every step succeeded and resources initialised."""
        return self.resource_error is None and all(r.status == "succeeded" for r in self.step_records)

    @property
    def job_def(self) -> Any:
        """A stand-in exposing ``.name`` (``__ephemeral_asset_job__`` for materialize)."""
        return _Named(self.job_name)

    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value output ``output_name`` of step ``node_str`` produced in this run."""
        key = (node_str, output_name)
        if key in self._outputs:
            return self._outputs[key]
        steps = {r.step_key: r for r in self.step_records}
        if node_str not in steps:
            raise InvariantViolationError(
                f"No step named '{node_str}' in {describe_job(self.job_name)}. Steps: {listing(steps)}."
                f"{did_you_mean(node_str, steps)}"
            )
        record = steps[node_str]
        if record.status != "succeeded":
            why = (
                "it failed"
                if record.status == "failed"
                else (
                    "it was skipped because a step upstream of it failed"
                    if record.status == "skipped"
                    else f"it {record.status}"
                )
            )
            raise InvariantViolationError(f"No output '{output_name}' from step '{node_str}': {why}.")
        if self._loader is not None:
            return self._loader(node_str, output_name)
        stored = [name for (node, name) in self._outputs if node == node_str]
        declared = [out for (step, out) in self._asset_steps.values() if step == node_str]
        raise missing_output_error(node_str, output_name, declared or stored)

    def output_value(self, output_name: str = "result") -> Any:
        """The value of the job graph's own output ``output_name`` (what the graph function returned)."""
        target = self._graph_outputs.get(output_name)
        if target is not None:
            return self.output_for_node(*target)
        names = list(self._graph_outputs)
        if not names:
            raise InvariantViolationError(
                f"There are no top-level outputs in {describe_job(self.job_name)}: only a graph "
                "whose function returns op outputs has them. Read an op's output with "
                "output_for_node(op_name), or an asset's with asset_value(key)."
            )
        raise InvariantViolationError(
            f"{describe_job(self.job_name).capitalize()} has no top-level output '{output_name}'. Its "
            f"outputs: {listing(names)}.{did_you_mean(output_name, names)}"
        )

    def asset_value(self, asset_key: CoercibleToAssetKey) -> Any:
        """The value of an asset materialised in this run (``"a"``, ``["pre", "e"]`` or AssetKey)."""
        key = AssetKey.from_coercible(asset_key)
        location = self._asset_steps.get(key)
        if location is None:
            names = [k.to_user_string() for k in self._asset_steps]
            raise InvariantViolationError(
                f"Asset '{key.to_user_string()}' was not materialised in this run. Assets of "
                f"this run: {listing(names)}.{did_you_mean(key.to_user_string(), names)}"
            )
        return self.output_for_node(*location)

    # -- Dagster-style accessors over the step records ------------------------------------------
    def get_step_failure_events(self) -> list[StepRecord]:
        """Records of the steps that failed."""
        return [r for r in self.step_records if r.status == "failed"]

    def get_step_success_events(self) -> list[StepRecord]:
        """Records of the steps that succeeded."""
        return [r for r in self.step_records if r.status == "succeeded"]

    def get_failed_step_keys(self) -> set[str]:
        """Names of the steps that failed."""
        return {r.step_key for r in self.get_step_failure_events()}

    def get_skipped_step_keys(self) -> set[str]:
        """Names of the steps skipped because something upstream failed."""
        return {r.step_key for r in self.step_records if r.status == "skipped"}

    def __enter__(self) -> ExecuteInProcessResult:
        """``with execute_job(...) as result:`` (Dagster's form) works too."""
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for record in self.step_records:
            counts[record.status] = counts.get(record.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        return f"<ExecuteInProcessResult {self.job_name} success={self.success} ({summary})>"


class _Named:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name
