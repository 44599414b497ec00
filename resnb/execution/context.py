"""Execution contexts handed to assets and ops, and ``build_asset_context``/``build_op_context``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from resnb.core.context import Resources
from resnb.core.keys import AssetKey
from resnb.core.resources import IAttachDifferentObjectToOpContext
from resnb.errors import InvariantViolationError, did_you_mean, listing

if TYPE_CHECKING:
    import logging

    from resnb.build.scope import ResourceScope

__all__ = [
    "AssetExecutionContext",
    "OpExecutionContext",
    "StepContext",
    "build_asset_context",
    "build_op_context",
]


class StepContext:
    """What a running asset or op sees: ``resources``, ``log``, ``run_id``, ``op_config``, ..."""

    __slots__ = (
        "resources",
        "run_id",
        "step_key",
        "_asset_keys",
        "op_config",
        "_partition_key",
        "_log",
        "_scope",
        "_job_name",
        "_outputs",
        "_output_metadata",
    )

    def __init__(
        self,
        resources: Resources,
        run_id: str | None = None,
        step_key: str = "",
        asset_keys: tuple[AssetKey, ...] = (),
        op_config: Any = None,
        partition_key: str | None = None,
        scope: ResourceScope | None = None,
        job_name: str | None = None,
        outputs: Mapping[str, Any] | None = None,
    ) -> None:
        self.resources = resources
        self.run_id = run_id
        self.step_key = step_key
        self._asset_keys = asset_keys
        self.op_config = op_config
        self._partition_key = partition_key
        self._log: logging.Logger | None = None
        self._scope = scope
        self._job_name = job_name
        self._outputs: Mapping[str, Any] = outputs or {}  # output name -> its spec (``.asset_key``)
        self._output_metadata: dict[str, dict[str, Any]] = {}

    @property
    def log(self) -> logging.Logger:
        """A standard logger named ``resnb.step.<step>``."""
        if self._log is None:
            import logging

            self._log = logging.getLogger(f"resnb.step.{self.step_key or 'direct'}")
        return self._log

    @property
    def asset_key(self) -> AssetKey:
        """The key of the asset being materialised."""
        if len(self._asset_keys) != 1:
            raise InvariantViolationError(
                f"Step '{self.step_key}' materialises {len(self._asset_keys)} assets; use "
                "context.asset_keys or asset_key_for_output(name)."
            )
        return self._asset_keys[0]

    @property
    def asset_keys(self) -> list[AssetKey]:
        """Keys of all assets materialised by this step."""
        return list(self._asset_keys)

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        """Keys of the assets this step materialises in this run."""
        return set(self._asset_keys)

    def asset_key_for_output(self, output_name: str = "result") -> AssetKey:
        """The key of the asset an output of this step materialises."""
        spec = self._outputs.get(output_name)
        key = spec.asset_key if spec is not None else None
        if key is None:
            names = [name for name, value in self._outputs.items() if value.asset_key is not None]
            raise InvariantViolationError(
                f"Step '{self.step_key}' has no asset output '{output_name}'. Its asset outputs: "
                f"{listing(names)}.{did_you_mean(output_name, names)}"
            )
        return key

    @property
    def job_name(self) -> str | None:
        """The running job's name (``__ephemeral_asset_job__`` under ``materialize``); None when invoked directly."""
        return self._job_name

    @property
    def retry_number(self) -> int:
        """Always 0: resnb runs each step once (no retry policies)."""
        return 0

    def add_output_metadata(self, metadata: Mapping[str, Any], output_name: str | None = None) -> None:
        """Attach ``metadata`` to an output (the only one when ``output_name`` is None)."""
        name = output_name or self._only_output()
        if self._outputs and name not in self._outputs:
            raise InvariantViolationError(
                f"Step '{self.step_key}' has no output named '{name}'. Its outputs: "
                f"{listing(self._outputs)}.{did_you_mean(name, self._outputs)}"
            )
        self._output_metadata.setdefault(name, {}).update(metadata)

    def get_output_metadata(self, output_name: str | None = None) -> dict[str, Any]:
        """The metadata added to an output so far in this step."""
        return dict(self._output_metadata.get(output_name or self._only_output(), {}))

    def _only_output(self) -> str:
        if len(self._outputs) > 1:
            raise InvariantViolationError(
                f"Step '{self.step_key}' has several outputs ({listing(self._outputs)}): pass output_name=."
            )
        return next(iter(self._outputs), "result")

    @property
    def op_execution_context(self) -> StepContext:
        """This context (Dagster separates the two; resnb has one object)."""
        return self

    @property
    def has_partition_key(self) -> bool:
        """Whether the run targets a partition."""
        return self._partition_key is not None

    @property
    def partition_key(self) -> str:
        """The partition the run targets."""
        if self._partition_key is None:
            raise InvariantViolationError(
                "Cannot access partition_key for a non-partitioned run: pass partition_key= to "
                "materialize, or check context.has_partition_key first."
            )
        return self._partition_key

    @property
    def instance(self) -> None:
        """Always ``None``: resnb has no instance database."""
        return None

    def __enter__(self) -> StepContext:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._scope is not None:
            self._scope.close()
            self._scope = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(step={self.step_key!r}, resources=[{', '.join(self.resources)}])"


class AssetExecutionContext(StepContext):
    """The context of an asset step."""

    __slots__ = ()


class OpExecutionContext(StepContext):
    """The context of an op step."""

    __slots__ = ()


def context_value(value: Any) -> Any:
    """What ``context.resources.<key>`` gives for an initialised resource."""
    if isinstance(value, IAttachDifferentObjectToOpContext):
        return value.get_object_to_set_on_execution_context()
    return value


def _open_resources(
    resources: Mapping[str, Any] | None, resources_config: Mapping[str, Any] | None
) -> tuple[Resources, ResourceScope | None]:
    if not resources:
        return Resources({}), None
    from resnb.build.scope import ResourceScope

    scope = ResourceScope(resources, resources_config)
    values = scope.open()
    attached = {key: context_value(value) for key, value in values.items()}
    if any(attached[key] is not values[key] for key in values):
        return Resources(attached, originals=values), scope
    return Resources(values), scope


def build_op_context(
    resources: Mapping[str, Any] | None = None,
    op_config: Any = None,
    resources_config: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    config: Any = None,
    **_ignored: Any,
) -> OpExecutionContext:
    """A context for calling an op directly in a test; resources are initialised now.

    Use it as a context manager (``with build_op_context(...) as context:``) to tear the
    resources down at the end.
    """
    values, scope = _open_resources(resources, resources_config)
    return OpExecutionContext(
        values, None, "", (), op_config if op_config is not None else config, partition_key, scope
    )


def build_asset_context(
    resources: Mapping[str, Any] | None = None,
    resources_config: Mapping[str, Any] | None = None,
    asset_config: Any = None,
    partition_key: str | None = None,
    **_ignored: Any,
) -> AssetExecutionContext:
    """A context for calling an asset directly in a test; resources are initialised now."""
    values, scope = _open_resources(resources, resources_config)
    return AssetExecutionContext(values, None, "", (), asset_config, partition_key, scope)
