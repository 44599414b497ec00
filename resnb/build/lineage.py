"""The dependency graph of a ``Definitions``: resources, assets and ops as plain data.

Node names: an asset by its key (``pre/e``), a resource as ``resource:<key>``, an op as
``<job>.<node>``; every node has a ``label`` attribute for display. Edges point upstream to
downstream: resource -> resource (dependency), resource -> asset/op (used by), asset -> asset and
op -> op (data). A key that something needs but nobody provides is a resource node with
``missing=True``.
"""

from __future__ import annotations

from typing import Any

from resnb.build.scope import ResourceScope
from resnb.core.definitions import Definitions
from resnb.core.graph import DependencyGraph
from resnb.core.jobs import JobDefinition
from resnb.errors import DefinitionError

__all__ = ["dependency_graph", "resource_node"]


def resource_node(key: str) -> str:
    """The node name of resource ``key``."""
    return f"resource:{key}"


def dependency_graph(defs: Definitions, *, include_resources: bool = True) -> DependencyGraph:
    """The graph of ``defs``; with ``include_resources=False`` only assets and ops."""
    from resnb.execution.materialize import bind_asset_resources

    graph = DependencyGraph()
    resources = bind_asset_resources(defs.assets, defs.resources)
    if include_resources:
        _add_resources(graph, resources)
    for definition in defs.assets:
        for key in definition.keys:
            name = key.to_user_string()
            graph.add_node(name, "asset", label=name, group=definition.group_name, node=definition.node_name)
            if include_resources:
                _link_resources(graph, definition.resource_keys, name, resources)
    for definition in defs.assets:
        for key in definition.keys:
            for upstream in definition.upstream_keys:
                if upstream.to_user_string() in graph:
                    graph.add_edge(upstream.to_user_string(), key.to_user_string())
    for job in defs.jobs:
        if isinstance(job, JobDefinition):
            _add_job(graph, job, resources if include_resources else None)
    return graph


def _add_resources(graph: DependencyGraph, resources: dict[str, Any]) -> None:
    scope = ResourceScope(resources)
    for key, value in resources.items():
        graph.add_node(resource_node(key), "resource", label=key, type=type(value).__name__)
    for key in resources:
        try:
            dependencies = scope.dependencies(key)
        except DefinitionError:
            continue  # reported by validation; the graph still shows the resource
        for dependency in sorted(dependencies):
            _ensure_resource(graph, dependency, resources)
            graph.add_edge(resource_node(dependency), resource_node(key))


def _ensure_resource(graph: DependencyGraph, key: str, resources: dict[str, Any]) -> None:
    if resource_node(key) not in graph:
        graph.add_node(resource_node(key), "resource", label=key, missing=key not in resources)


def _link_resources(
    graph: DependencyGraph, keys: frozenset[str], node: str, resources: dict[str, Any]
) -> None:
    for key in sorted(keys):
        _ensure_resource(graph, key, resources)
        graph.add_edge(resource_node(key), node)


def _add_job(graph: DependencyGraph, job: JobDefinition, resources: dict[str, Any] | None) -> None:
    for node_name, node in job.nodes.items():
        name = f"{job.name}.{node_name}"
        graph.add_node(name, "op", label=node_name, job=job.name)
        if resources is not None:
            _link_resources(graph, node.op.resource_keys, name, {**resources, **job.resource_defs})
    for node_name, node in job.nodes.items():
        for handle in node.inputs.values():
            graph.add_edge(f"{job.name}.{handle.node_name}", f"{job.name}.{node_name}")
