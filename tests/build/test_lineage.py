"""The dependency graph of a Definitions: resources, assets and ops as plain data."""

from __future__ import annotations

import resnb as dg
from resnb.build.lineage import dependency_graph, resource_node


class Warehouse(dg.ConfigurableResource):
    url: str


class Api(dg.ConfigurableResource):
    warehouse: Warehouse
    token: str = "t"


def _defs() -> dg.Definitions:
    @dg.asset
    def raw(api: Api) -> int:
        return 1

    @dg.asset
    def clean(raw: int, warehouse: Warehouse) -> int:
        return raw

    @dg.asset(required_resource_keys={"missing_key"})
    def report(context, clean: int) -> int:
        return clean

    @dg.op
    def ping(warehouse: Warehouse) -> None:
        return None

    @dg.op
    def pong(x) -> None:
        return None

    @dg.job
    def ping_job():
        pong(ping())

    warehouse = Warehouse(url="sqlite://")
    return dg.Definitions(
        assets=[raw, clean, report],
        jobs=[ping_job],
        resources={"warehouse": warehouse, "api": Api(warehouse=dg.ResourceParam("warehouse"))},
    )


def test_nodes_have_kinds_and_labels():
    graph = dependency_graph(_defs())
    assert str(graph.kind_of("raw")) == "asset"
    assert str(graph.kind_of(resource_node("warehouse"))) == "resource"
    assert str(graph.kind_of("ping_job.ping")) == "op"
    assert graph.attrs_of(resource_node("api"))["label"] == "api"


def test_edges_resource_to_resource_resource_to_asset_and_asset_to_asset():
    graph = dependency_graph(_defs())
    assert resource_node("warehouse") in graph.upstream_of(resource_node("api"))
    assert resource_node("api") in graph.upstream_of("raw")
    assert "raw" in graph.upstream_of("clean")
    assert resource_node("warehouse") in graph.upstream_of("ping_job.ping")
    assert "ping_job.ping" in graph.upstream_of("ping_job.pong")


def test_a_key_nobody_provides_is_a_missing_resource_node():
    graph = dependency_graph(_defs())
    assert graph.attrs_of(resource_node("missing_key"))["missing"] is True
    assert resource_node("missing_key") in graph.upstream_of("report")


def test_without_resources_only_assets_and_ops():
    graph = dependency_graph(_defs(), include_resources=False)
    assert resource_node("warehouse") not in graph
    assert graph.toposort(kinds=["asset"]) == ["raw", "clean", "report"]
