"""How the parameters of an ``@asset`` or ``@op`` function are read (as Dagster reads them).

The first parameter is the context if it is named ``context`` or annotated with a context type.
A parameter annotated with a ``ConfigurableResource`` subclass or ``ResourceParam[T]`` is a
resource, keyed by its name. A ``Config`` subclass annotation is run config. Every other
parameter is an input (for assets: an upstream asset of the same name).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from resnb.core.config import Config
from resnb.core.resources import RESOURCE_PARAM, ConfigurableResource, ConfigurableResourceFactory
from resnb.errors import DefinitionError

__all__ = ["ComputeNode", "FunctionParams", "check_resource_keys_combination", "classify_params"]

CONTEXT_TYPE_NAMES = frozenset({"AssetExecutionContext", "OpExecutionContext", "AssetCheckExecutionContext"})


class FunctionParams(NamedTuple):
    """The parameters of a compute function, by role."""

    context: str | None
    resources: tuple[str, ...]
    config: tuple[str, type[Config]] | None
    inputs: tuple[str, ...]
    defaults: dict[str, Any]
    annotations: Mapping[str, Any] = MappingProxyType({})  # input name -> its annotation, if any


class _Unresolved(NamedTuple):
    """A string annotation that names nothing visible from the function's module."""

    text: str
    error: str


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:  # some forward reference does not resolve: resolve the others one by one
        pass
    namespace = getattr(fn, "__globals__", {})
    hints: dict[str, Any] = {}
    for name, annotation in getattr(fn, "__annotations__", {}).items():
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, namespace)  # what get_type_hints does per name
            except Exception as exc:
                annotation = _Unresolved(annotation, f"{type(exc).__name__}: {exc}")
        hints[name] = annotation
    return hints


def _check_resolved(name: str, annotation: Any, where: str) -> None:
    if isinstance(annotation, _Unresolved):
        raise DefinitionError(
            f"{where}: the annotation {annotation.text!r} of parameter '{name}' cannot be resolved "
            f"({annotation.error}). String annotations (and every annotation under "
            "'from __future__ import annotations') are looked up in the module's globals, so a "
            "class defined inside a function or imported under 'if TYPE_CHECKING:' is not found. "
            "Move the class to module level, import it normally, or remove the quotes."
        )


def _is_context_annotation(annotation: Any) -> bool:
    return isinstance(annotation, type) and annotation.__name__ in CONTEXT_TYPE_NAMES


def _is_resource_annotation(name: str, annotation: Any, where: str) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return RESOURCE_PARAM in typing.get_args(annotation)[1:]
    if isinstance(annotation, type) and issubclass(annotation, ConfigurableResourceFactory):
        if not issubclass(annotation, ConfigurableResource):
            raise DefinitionError(
                f"Parameter '{name}' of {where} is annotated as {annotation.__name__}, a resource "
                "factory whose value is whatever create_resource returns. Annotate it as "
                "ResourceParam[<type of that value>] (or ResourceParam[Any])."
            )
        return True
    return False


def classify_params(fn: Callable[..., Any], where: str) -> FunctionParams:
    """Split ``fn``'s parameters into context, resources, config and inputs."""
    signature = inspect.signature(fn)
    hints = _hints(fn)
    context = None
    resources: list[str] = []
    config = None
    inputs: list[str] = []
    defaults: dict[str, Any] = {}
    annotations: dict[str, Any] = {}
    for index, param in enumerate(signature.parameters.values()):
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = hints.get(param.name, param.annotation)
        if index == 0 and (param.name == "context" or _is_context_annotation(annotation)):
            context = param.name
            continue
        _check_resolved(param.name, annotation, where)
        if _is_resource_annotation(param.name, annotation, where):
            resources.append(param.name)
        elif isinstance(annotation, type) and issubclass(annotation, Config):
            config = (param.name, annotation)
        elif param.name == "context" or _is_context_annotation(annotation):
            raise DefinitionError(
                f"{where}: the context parameter '{param.name}' must be the first parameter."
            )
        else:
            inputs.append(param.name)
            if param.default is not param.empty:
                defaults[param.name] = param.default
            if annotation is not param.empty:
                annotations[param.name] = annotation
    return FunctionParams(context, tuple(resources), config, tuple(inputs), defaults, annotations)


def check_resource_keys_combination(params: FunctionParams, required_resource_keys: Any, where: str) -> None:
    """Resource parameters and ``required_resource_keys=`` cannot be combined (as in Dagster)."""
    if params.resources and required_resource_keys:
        raise DefinitionError(
            f"{where} declares resources both as parameters ({', '.join(params.resources)}) and "
            "in required_resource_keys. Use one way: typed parameters (recommended) or "
            "required_resource_keys with context.resources."
        )


class ComputeNode:
    """Mix-in for asset and op definitions: the resource keys their function needs.

    Subclasses set ``params`` (:class:`FunctionParams`), ``declared_resource_keys`` and
    ``outputs`` (output name -> spec with an ``io_manager_key``).
    """

    params: FunctionParams
    declared_resource_keys: frozenset[str]
    outputs: dict[str, Any]

    @property
    def resource_keys(self) -> frozenset[str]:
        """Resource keys the function uses (parameters and ``required_resource_keys``)."""
        keys = self.__dict__.get("_resnb_resource_keys")
        if keys is None:
            keys = frozenset(self.params.resources) | self.declared_resource_keys
            self.__dict__["_resnb_resource_keys"] = keys
        return keys

    @property
    def required_resource_keys(self) -> frozenset[str]:
        """Resource keys needed to run it, IO managers included (as in Dagster)."""
        keys = self.__dict__.get("_resnb_required_keys")
        if keys is None:
            keys = self.resource_keys | {spec.io_manager_key for spec in self.outputs.values()}
            self.__dict__["_resnb_required_keys"] = keys
        return keys
