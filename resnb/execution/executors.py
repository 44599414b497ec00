"""Executors: how the steps of a run are scheduled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ExecutorDefinition", "in_process_executor", "multiprocess_executor"]


class ExecutorDefinition:
    """An executor: ``in_process_executor`` or ``multiprocess_executor`` (``.configured({...})``)."""

    __slots__ = ("name", "is_multiprocess", "config")

    def __init__(self, name: str, is_multiprocess: bool, config: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.is_multiprocess = is_multiprocess
        self.config = dict(config or {})

    def configured(self, config: Mapping[str, Any], name: str | None = None) -> ExecutorDefinition:
        """A copy with ``config`` (for the multiprocess executor: ``{"max_concurrent": N}``)."""
        unknown = set(config) - {"max_concurrent", "retries", "start_method", "tag_concurrency_limits"}
        if unknown:
            from resnb.errors import ConfigError

            raise ConfigError(
                f"Executor '{self.name}' has no config {sorted(unknown)}; it takes max_concurrent."
            )
        return ExecutorDefinition(name or self.name, self.is_multiprocess, {**self.config, **config})

    @property
    def max_concurrent(self) -> int | None:
        """The most steps run at once (``None``: one per CPU)."""
        value = self.config.get("max_concurrent")
        return int(value) if value else None

    def __repr__(self) -> str:
        return f"<ExecutorDefinition {self.name}>"


in_process_executor = ExecutorDefinition("in_process", False)
multiprocess_executor = ExecutorDefinition("multiprocess", True)
