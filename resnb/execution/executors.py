"""Executors: how the steps of a run are scheduled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ExecutorDefinition", "executor_for_run", "in_process_executor", "multiprocess_executor"]

# what run_config["execution"]["config"] may hold, per executor (Dagster's schemas)
_IN_PROCESS_KEYS = ("marker_to_close", "retries", "step_dependency_config")
_MULTIPROCESS_KEYS = (
    "max_concurrent",
    "retries",
    "start_method",
    "step_dependency_config",
    "tag_concurrency_limits",
)


class ExecutorDefinition:
    """An executor: ``in_process_executor`` or ``multiprocess_executor`` (``.configured({...})``)."""

    __slots__ = ("name", "is_multiprocess", "config")

    def __init__(self, name: str, is_multiprocess: bool, config: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.is_multiprocess = is_multiprocess
        self.config = dict(config or {})

    def configured(self, config: Mapping[str, Any], name: str | None = None) -> ExecutorDefinition:
        """A copy with ``config`` (for the multiprocess executor: ``{"max_concurrent": N}``)."""
        unknown = set(config) - set(_MULTIPROCESS_KEYS)
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


def executor_for_run(executor: ExecutorDefinition | None, execution: Any) -> ExecutorDefinition | None:
    """The executor a run uses: ``executor`` (None: Dagster's default) with ``run_config["execution"]``.

    As in Dagster, ``{"config": {...}}`` configures the job's executor (``max_concurrent``,
    ``start_method``, ...), and for a job without one selects ``{"in_process": {}}`` or
    ``{"multiprocess": {...}}``. An entry the executor does not take is a ``ConfigError``.
    """
    if execution is None:
        return executor
    config = _execution_config(execution)
    if executor is None:
        return _selected_executor(config)
    allowed = _MULTIPROCESS_KEYS if executor.is_multiprocess else _IN_PROCESS_KEYS
    _check_entries(config, allowed, f"executor '{executor.name}'")
    return executor.configured(config) if executor.is_multiprocess and config else executor


def _execution_config(execution: Any) -> dict[str, Any]:
    from resnb.errors import ConfigError

    if not isinstance(execution, Mapping) or set(execution) - {"config"}:
        raise ConfigError(
            "run_config['execution'] takes one entry, 'config': {'execution': {'config': {'max_concurrent': 2}}}."
        )
    config = execution.get("config") or {}
    if not isinstance(config, Mapping):
        raise ConfigError(f"run_config['execution']['config'] must be a dict, got {type(config).__name__}.")
    return dict(config)


def _selected_executor(config: Mapping[str, Any]) -> ExecutorDefinition | None:
    """For a job without ``executor_def``: ``{"in_process": {...}}`` or ``{"multiprocess": {...}}``."""
    from resnb.errors import ConfigError, did_you_mean

    if not config:
        return None
    choices = {"in_process": _IN_PROCESS_KEYS, "multiprocess": _MULTIPROCESS_KEYS}
    if len(config) > 1:
        raise ConfigError(
            "run_config['execution']['config'] chooses one executor for a job without executor_def: "
            f"'in_process' or 'multiprocess', got {sorted(config)}."
        )
    name, sub = next(iter(config.items()))
    if name not in choices:
        raise ConfigError(
            f"run_config['execution']['config'] names executor '{name}'; a job without executor_def "
            f"runs with 'in_process' or 'multiprocess'.{did_you_mean(name, choices)}"
        )
    if sub is not None and not isinstance(sub, Mapping):
        raise ConfigError(
            f"run_config['execution']['config']['{name}'] must be a dict of its config (or {{}}), "
            f"got {type(sub).__name__}."
        )
    settings = dict(sub or {})
    _check_entries(settings, choices[name], f"executor '{name}'")
    if name == "in_process":
        return in_process_executor
    return multiprocess_executor.configured(settings) if settings else multiprocess_executor


def _check_entries(config: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    from resnb.errors import ConfigError, did_you_mean, listing

    for name in config:
        if name not in allowed:
            raise ConfigError(
                f"run_config['execution']['config'] has '{name}', which {what} does not take.{did_you_mean(name, allowed)} "
                f"It takes: {listing(allowed)}."
            )
    limit = config.get("max_concurrent")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ConfigError(
            f"run_config['execution']['config']['max_concurrent'] must be a whole number (0 or None: one "
            f"step per CPU), got {limit!r}."
        )
