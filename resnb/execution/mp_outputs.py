"""Step outputs of a multiprocess run: where they are stored and how the parent reads them.

Values cross processes through the IO manager. The default in-memory IO manager cannot do that,
so for the run it is replaced by a :class:`FilesystemIOManager` writing to a temporary directory
(:class:`RunStorage`). The parent loads values from it lazily through :class:`OutputLoader`,
which keeps the directory alive as long as the result.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Mapping
from typing import Any

from resnb.build.scope import ResourceScope
from resnb.core.keys import AssetKey
from resnb.execution.io_managers import FilesystemIOManager, InMemoryIOManager, InputContext, OutputContext
from resnb.execution.plan import Plan
from resnb.execution.result import missing_output_error

__all__ = ["AliasOutputs", "OutputLoader", "RunStorage", "asset_outputs", "swap_in_memory_managers"]


class RunStorage:
    """A temporary directory removed when this object is garbage collected (or at exit)."""

    def __init__(self) -> None:
        self.name = tempfile.mkdtemp(prefix="resnb-run-")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.name, ignore_errors=True)

    def cleanup(self) -> None:
        """Remove the directory now."""
        self._finalizer()


def _io_manager_keys(plan: Plan) -> set[str]:
    keys: set[str] = set()
    for step in plan.steps:
        keys.update(spec.io_manager_key for spec in step.outputs.values())
        keys.update(source.io_manager_key for source in step.inputs.values())
    return keys


def swap_in_memory_managers(plan: Plan) -> tuple[dict[str, Any], RunStorage | None]:
    """The run's resources with every default in-memory IO manager replaced by a filesystem one."""
    resources = dict(plan.resources)
    swap = [k for k in _io_manager_keys(plan) if type(resources.get(k)) is InMemoryIOManager]
    if not swap:
        return resources, None
    storage = RunStorage()
    manager = FilesystemIOManager(base_dir=storage.name)
    for key in swap:
        resources[key] = manager
    return resources, storage


def asset_outputs(plan: Plan) -> dict[AssetKey, tuple[str, str]]:
    """Each asset key of the plan -> the (step, output) that produces it."""
    asset_steps: dict[AssetKey, tuple[str, str]] = {}
    for step in plan.steps:
        for name, spec in step.outputs.items():
            if spec.asset_key is not None:
                asset_steps[spec.asset_key] = (step.name, name)
    return asset_steps


class OutputLoader:
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
        if key not in self.cache:
            self.cache[key] = self._load(step_name, output_name)
        return self.cache[key]

    def _load(self, step_name: str, output_name: str) -> Any:
        if output_name not in self.produced.get(step_name, ()):
            raise missing_output_error(step_name, output_name, list(self.plan.by_name[step_name].outputs))
        spec = self.plan.by_name[step_name].outputs[output_name]
        upstream = OutputContext(step_name, output_name, spec.asset_key, self.run_id, spec.metadata)
        context = InputContext(output_name, step_name, spec.asset_key, upstream)
        scope = ResourceScope(self.resources, self.resource_config or None, run_id=self.run_id)
        try:
            manager = scope.open([spec.io_manager_key])[spec.io_manager_key]
            return manager.load_input(context)
        finally:
            scope.close()


class AliasOutputs(dict):  # type: ignore[type-arg]
    """Graph outputs that alias an inner op's output, loaded on first access."""

    def __init__(self, aliases: Mapping[tuple[str, str], tuple[str, str]], loader: OutputLoader) -> None:
        super().__init__()
        self._aliases = {a: t for a, t in aliases.items() if t[1] in loader.produced.get(t[0], ())}
        self._loader = loader

    def __contains__(self, key: object) -> bool:
        return key in self._aliases

    def __getitem__(self, key: tuple[str, str]) -> Any:
        return self._loader(*self._aliases[key])
