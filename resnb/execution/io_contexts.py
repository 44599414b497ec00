"""The contexts IO managers receive (``OutputContext``, ``InputContext``) and builders for tests."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from resnb.core.keys import AssetKey
from resnb.errors import InvariantViolationError

__all__ = ["InputContext", "OutputContext", "build_input_context", "build_output_context"]


def _step_logger(step_key: str) -> logging.Logger:
    """The logger of a step (``resnb.step.<step>``), as ``context.log`` of the asset or op."""
    return logging.getLogger(f"resnb.step.{step_key or 'direct'}")


class OutputContext:
    """What ``handle_output`` knows about the output: step, output name, asset key, run."""

    __slots__ = ("step_key", "name", "asset_key", "run_id", "metadata", "resources", "config")

    def __init__(
        self,
        step_key: str,
        name: str,
        asset_key: AssetKey | None,
        run_id: str | None,
        metadata: Any = None,
        resources: Any = None,
    ) -> None:
        self.step_key = step_key
        self.name = name
        self.asset_key = asset_key
        self.run_id = run_id
        self.metadata = metadata or {}
        self.resources = resources
        self.config: Any = None

    @property
    def has_asset_key(self) -> bool:
        """Whether the output is an asset."""
        return self.asset_key is not None

    @property
    def definition_metadata(self) -> Mapping[str, Any]:
        """The metadata declared on the output (``AssetOut``/``Out``/``@asset(metadata=...)``)."""
        return self.metadata

    def get_asset_identifier(self) -> list[str]:
        """The asset key's path; an error for an op output (use :meth:`get_identifier`)."""
        return _asset_path(self.asset_key, self.describe())

    @property
    def log(self) -> logging.Logger:
        """The logger of the step whose output this is."""
        return _step_logger(self.step_key)

    def describe(self) -> str:
        """``asset 'a/b'`` or ``output 'result' of op 'x'``, for messages."""
        if self.asset_key is not None:
            return f"asset '{self.asset_key.to_user_string()}'"
        return f"output '{self.name}' of op '{self.step_key}'"

    def get_identifier(self) -> list[str]:
        """A path identifying the stored value: the asset key, else run id, step and output."""
        if self.asset_key is not None:
            return list(self.asset_key.path)
        return [self.run_id or "run", self.step_key, self.name]


class InputContext:
    """What ``load_input`` knows: the input name, the asset key and the upstream output."""

    __slots__ = (
        "name",
        "step_key",
        "asset_key",
        "upstream_output",
        "resources",
        "config",
        "definition_metadata",
    )

    def __init__(
        self,
        name: str,
        step_key: str,
        asset_key: AssetKey | None,
        upstream_output: OutputContext,
        resources: Any = None,
    ) -> None:
        self.name = name
        self.step_key = step_key
        self.asset_key = asset_key
        self.upstream_output = upstream_output
        self.resources = resources
        self.config: Any = None
        self.definition_metadata: dict[str, Any] = {}

    @property
    def has_asset_key(self) -> bool:
        """Whether the input is an asset."""
        return self.asset_key is not None

    def get_asset_identifier(self) -> list[str]:
        """The asset key's path; an error when the input is not an asset."""
        return _asset_path(self.asset_key, f"input '{self.name}' of '{self.step_key}'")

    @property
    def log(self) -> logging.Logger:
        """The logger of the step loading this input."""
        return _step_logger(self.step_key)


def _asset_path(key: AssetKey | None, what: str) -> list[str]:
    if key is None:
        raise InvariantViolationError(
            f"{what[0].upper()}{what[1:]} is not an asset, so it has no asset identifier: use get_identifier()."
        )
    return list(key.path)


def build_output_context(
    step_key: str | None = None,
    name: str | None = None,
    definition_metadata: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    mapping_key: str | None = None,
    config: Any = None,
    dagster_type: Any = None,
    version: str | None = None,
    resource_config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    op_def: Any = None,
    asset_key: Any = None,
    partition_key: str | None = None,
    asset_partitions_def: Any = None,
    asset_partition_key_range: Any = None,
    instance: Any = None,
    asset_spec: Any = None,
    metadata: Mapping[str, Any] | None = None,
    output_metadata: Mapping[str, Any] | None = None,
) -> OutputContext:
    """An ``OutputContext`` for testing an IO manager's ``handle_output`` directly.

    Takes Dagster's parameters; those about partitions, types, versions and the instance are
    accepted and ignored. ``resources`` are reachable as ``context.resources.<key>`` as given (not
    set up).
    """
    key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
    context = OutputContext(
        step_key or "",
        name or "result",
        key,
        run_id,
        definition_metadata or metadata,
        _as_resources(resources),
    )
    context.config = config
    return context


def build_input_context(
    name: str | None = None,
    config: Any = None,
    definition_metadata: Mapping[str, Any] | None = None,
    upstream_output: OutputContext | None = None,
    dagster_type: Any = None,
    resource_config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    op_def: Any = None,
    step_context: Any = None,
    asset_key: Any = None,
    partition_key: str | None = None,
    asset_partition_key_range: Any = None,
    asset_partitions_def: Any = None,
    instance: Any = None,
    metadata: Mapping[str, Any] | None = None,
) -> InputContext:
    """An ``InputContext`` for testing an IO manager's ``load_input`` directly.

    Without ``upstream_output``, the upstream is the output of the asset ``asset_key`` (if given).
    Dagster's other parameters are accepted as for :func:`build_output_context`.
    """
    key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
    upstream = upstream_output if upstream_output is not None else OutputContext("", "result", key, None)
    context = InputContext(name or "input", "", key, upstream, _as_resources(resources))
    context.config = config
    context.definition_metadata = dict(definition_metadata or metadata or {})
    return context


def _as_resources(resources: Mapping[str, Any] | None) -> Any:
    """``resources`` with attribute access (``context.resources.db``), as Dagster gives them."""
    from resnb.core.context import Resources

    if resources is None or isinstance(resources, Resources):
        return resources
    return Resources(dict(resources))
