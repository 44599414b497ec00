"""resnb: Dagster-style resources, assets and jobs, fast and notebook-friendly.

``import resnb as dg`` runs code written for ``import dagster as dg`` (see the README's
compatibility section). ``%load_ext resnb`` loads the IPython extension.

Public names are loaded on first access (PEP 562), so ``import resnb`` itself is cheap and never
imports IPython, ipywidgets, graphviz, nbclient or pytest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from resnb._version import __version__

# public name -> (module, attribute in that module)
_EXPORTS: dict[str, tuple[str, str]] = {
    "Config": ("resnb.core.config", "Config"),
    "ConfigurableIOManager": ("resnb.core.io_manager", "ConfigurableIOManager"),
    "ConfigurableIOManagerFactory": ("resnb.core.io_manager", "ConfigurableIOManagerFactory"),
    "ConfigurableResource": ("resnb.core.resources", "ConfigurableResource"),
    "ConfigurableResourceFactory": ("resnb.core.resources", "ConfigurableResourceFactory"),
    "EnvVar": ("resnb.core.env", "EnvVar"),
    "Field": ("resnb.core.legacy_config", "Field"),
    "IAttachDifferentObjectToOpContext": ("resnb.core.resources", "IAttachDifferentObjectToOpContext"),
    "IOManager": ("resnb.core.io_manager", "IOManager"),
    "InitResourceContext": ("resnb.core.context", "InitResourceContext"),
    "IntEnvVar": ("resnb.core.env", "IntEnvVar"),
    "PartialResource": ("resnb.core.resources", "PartialResource"),
    "ResourceDefinition": ("resnb.core.legacy", "ResourceDefinition"),
    "ResourceDependency": ("resnb.core.resources", "ResourceDependency"),
    "ResourceParam": ("resnb.core.resources", "ResourceParam"),
    "Resources": ("resnb.core.context", "Resources"),
    "build_init_resource_context": ("resnb.core.context", "build_init_resource_context"),
    "build_resources": ("resnb.build.resources", "build_resources"),
    "configured": ("resnb.core.configured", "configured"),
    "resource": ("resnb.core.legacy", "resource"),
    # assets, ops, jobs, definitions
    "AssetIn": ("resnb.core.keys", "AssetIn"),
    "AssetKey": ("resnb.core.keys", "AssetKey"),
    "AssetOut": ("resnb.core.keys", "AssetOut"),
    "AssetsDefinition": ("resnb.core.assets", "AssetsDefinition"),
    "Definitions": ("resnb.core.definitions", "Definitions"),
    "GraphDefinition": ("resnb.core.graphs", "GraphDefinition"),
    "GraphOut": ("resnb.core.keys", "GraphOut"),
    "In": ("resnb.core.keys", "In"),
    "JobDefinition": ("resnb.core.jobs", "JobDefinition"),
    "OpDefinition": ("resnb.core.ops", "OpDefinition"),
    "Out": ("resnb.core.keys", "Out"),
    "MaterializeResult": ("resnb.core.keys", "MaterializeResult"),
    "Output": ("resnb.core.keys", "Output"),
    "RepositoryDefinition": ("resnb.core.definitions", "RepositoryDefinition"),
    "RunConfig": ("resnb.core.keys", "RunConfig"),
    "asset": ("resnb.core.assets", "asset"),
    "define_asset_job": ("resnb.core.definitions", "define_asset_job"),
    "definitions": ("resnb.core.definitions", "definitions"),
    "graph": ("resnb.core.graphs", "graph"),
    "job": ("resnb.core.jobs", "job"),
    "multi_asset": ("resnb.core.assets", "multi_asset"),
    "op": ("resnb.core.ops", "op"),
    "repository": ("resnb.core.definitions", "repository"),
    "with_resources": ("resnb.core.definitions", "with_resources"),
    # execution
    "AssetExecutionContext": ("resnb.execution.context", "AssetExecutionContext"),
    "AssetSelection": ("resnb.execution.selection", "AssetSelection"),
    "ExecuteInProcessResult": ("resnb.execution.result", "ExecuteInProcessResult"),
    "ExecutorDefinition": ("resnb.execution.executors", "ExecutorDefinition"),
    "FilesystemIOManager": ("resnb.execution.io_managers", "FilesystemIOManager"),
    "InMemoryIOManager": ("resnb.execution.io_managers", "InMemoryIOManager"),
    "InputContext": ("resnb.execution.io_managers", "InputContext"),
    "OpExecutionContext": ("resnb.execution.context", "OpExecutionContext"),
    "OutputContext": ("resnb.execution.io_managers", "OutputContext"),
    "build_asset_context": ("resnb.execution.context", "build_asset_context"),
    "build_input_context": ("resnb.execution.io_contexts", "build_input_context"),
    "build_output_context": ("resnb.execution.io_contexts", "build_output_context"),
    "build_op_context": ("resnb.execution.context", "build_op_context"),
    "execute_job": ("resnb.execution.job_execution", "execute_job"),
    "in_process_executor": ("resnb.execution.executors", "in_process_executor"),
    "materialize": ("resnb.execution.materialize", "materialize"),
    "materialize_to_memory": ("resnb.execution.materialize", "materialize_to_memory"),
    "multiprocess_executor": ("resnb.execution.executors", "multiprocess_executor"),
    "reconstructable": ("resnb.execution.job_execution", "reconstructable"),
    # errors, under resnb's names and Dagster's
    "ResnbError": ("resnb.errors", "ResnbError"),
    "ConfigError": ("resnb.errors", "ConfigError"),
    "DefinitionError": ("resnb.errors", "DefinitionError"),
    "InvalidSubsetError": ("resnb.errors", "InvalidSubsetError"),
    "InvariantViolationError": ("resnb.errors", "InvariantViolationError"),
    "InvocationError": ("resnb.errors", "InvocationError"),
    "ResourceFunctionError": ("resnb.errors", "ResourceFunctionError"),
    "ResourceTeardownWarning": ("resnb.errors", "ResourceTeardownWarning"),
    "StepExecutionError": ("resnb.errors", "StepExecutionError"),
    "TypeCheckError": ("resnb.errors", "TypeCheckError"),
    "UnknownPartitionError": ("resnb.errors", "UnknownPartitionError"),
    "UnknownResourceError": ("resnb.errors", "UnknownResourceError"),
    "UserCodeExecutionError": ("resnb.errors", "UserCodeExecutionError"),
    "IOManagerError": ("resnb.errors", "IOManagerError"),
    "DagsterError": ("resnb.errors", "ResnbError"),
    "DagsterExecutionStepExecutionError": ("resnb.errors", "StepExecutionError"),
    "DagsterInvalidConfigError": ("resnb.errors", "ConfigError"),
    "DagsterInvalidDefinitionError": ("resnb.errors", "DefinitionError"),
    "DagsterInvalidInvocationError": ("resnb.errors", "InvocationError"),
    "DagsterInvalidSubsetError": ("resnb.errors", "InvalidSubsetError"),
    "DagsterInvariantViolationError": ("resnb.errors", "InvariantViolationError"),
    "DagsterResourceFunctionError": ("resnb.errors", "ResourceFunctionError"),
    "DagsterUnknownPartitionError": ("resnb.errors", "UnknownPartitionError"),
    "DagsterTypeCheckDidNotPass": ("resnb.errors", "TypeCheckError"),
    "DagsterUnknownResourceError": ("resnb.errors", "UnknownResourceError"),
    "DagsterUserCodeExecutionError": ("resnb.errors", "UserCodeExecutionError"),
}

__all__ = sorted([*_EXPORTS, "__version__", "errors", "load_ipython_extension", "unload_ipython_extension"])


def __getattr__(name: str) -> Any:
    if name == "errors":
        return importlib.import_module("resnb.errors")
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(_missing_attribute_message(name)) from None
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value


def _missing_attribute_message(name: str) -> str:
    message = f"module 'resnb' has no attribute '{name}'"
    if name.startswith("_"):
        return message
    from resnb.errors import did_you_mean

    return (
        f"{message}.{did_you_mean(name, __all__)} resnb implements Dagster's resource system and what "
        "runs it (assets, ops, graphs, jobs, Definitions, IO managers, executors); other Dagster names "
        "(schedules, sensors, partitions definitions, asset checks, ...) are not provided. See the README's "
        "'Compatibility with Dagster'."
    )


def __dir__() -> list[str]:
    return __all__


def load_ipython_extension(ipython: Any) -> None:
    """Called by ``%load_ext resnb``: registers the magics (imports IPython only now)."""
    from resnb.notebook import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Called by ``%unload_ext resnb``: removes the magics and tears down open resources."""
    from resnb.notebook import unload_ipython_extension as unload

    unload(ipython)


if TYPE_CHECKING:  # pragma: no cover - mirrors _EXPORTS for type checkers and IDEs
    from resnb.build.resources import build_resources
    from resnb.core.assets import AssetsDefinition, asset, multi_asset
    from resnb.core.config import Config
    from resnb.core.configured import configured
    from resnb.core.context import InitResourceContext, Resources, build_init_resource_context
    from resnb.core.definitions import (
        Definitions,
        RepositoryDefinition,
        define_asset_job,
        definitions,
        repository,
        with_resources,
    )
    from resnb.core.env import EnvVar, IntEnvVar
    from resnb.core.graphs import GraphDefinition, graph
    from resnb.core.io_manager import ConfigurableIOManager, ConfigurableIOManagerFactory, IOManager
    from resnb.core.jobs import JobDefinition, job
    from resnb.core.keys import (
        AssetIn,
        AssetKey,
        AssetOut,
        GraphOut,
        In,
        MaterializeResult,
        Out,
        Output,
        RunConfig,
    )
    from resnb.core.legacy import ResourceDefinition, resource
    from resnb.core.legacy_config import Field
    from resnb.core.ops import OpDefinition, op
    from resnb.core.resources import (
        ConfigurableResource,
        ConfigurableResourceFactory,
        IAttachDifferentObjectToOpContext,
        PartialResource,
        ResourceDependency,
        ResourceParam,
    )
    from resnb.errors import (
        ConfigError,
        DefinitionError,
        InvalidSubsetError,
        InvariantViolationError,
        InvocationError,
        IOManagerError,
        ResnbError,
        ResourceFunctionError,
        ResourceTeardownWarning,
        StepExecutionError,
        TypeCheckError,
        UnknownPartitionError,
        UnknownResourceError,
        UserCodeExecutionError,
    )
    from resnb.errors import ConfigError as DagsterInvalidConfigError
    from resnb.errors import DefinitionError as DagsterInvalidDefinitionError
    from resnb.errors import InvalidSubsetError as DagsterInvalidSubsetError
    from resnb.errors import InvariantViolationError as DagsterInvariantViolationError
    from resnb.errors import InvocationError as DagsterInvalidInvocationError
    from resnb.errors import ResnbError as DagsterError
    from resnb.errors import ResourceFunctionError as DagsterResourceFunctionError
    from resnb.errors import StepExecutionError as DagsterExecutionStepExecutionError
    from resnb.errors import TypeCheckError as DagsterTypeCheckDidNotPass
    from resnb.errors import UnknownPartitionError as DagsterUnknownPartitionError
    from resnb.errors import UnknownResourceError as DagsterUnknownResourceError
    from resnb.errors import UserCodeExecutionError as DagsterUserCodeExecutionError
    from resnb.execution.context import (
        AssetExecutionContext,
        OpExecutionContext,
        build_asset_context,
        build_op_context,
    )
    from resnb.execution.executors import ExecutorDefinition, in_process_executor, multiprocess_executor
    from resnb.execution.io_contexts import build_input_context, build_output_context
    from resnb.execution.io_managers import (
        FilesystemIOManager,
        InMemoryIOManager,
        InputContext,
        OutputContext,
    )
    from resnb.execution.job_execution import execute_job, reconstructable
    from resnb.execution.materialize import materialize, materialize_to_memory
    from resnb.execution.result import ExecuteInProcessResult
    from resnb.execution.selection import AssetSelection
