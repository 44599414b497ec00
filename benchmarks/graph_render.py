"""Cost of drawing the resource graph: DOT text (resnb) and SVG layout (the Graphviz binary).

Assets in chains of ``--chain`` (default 5), every one using one shared resource, the usual shape
of a project where all assets talk to the same warehouse. For each size it prints the seconds
spent building the graph from ``Definitions``, writing DOT, and laying it out as SVG, plus the
layout size that ``GraphView`` compares with ``MAX_LAYOUT_SIZE`` before drawing inline. DOT
writing should grow linearly; the layout is Graphviz's and is only run up to ``--max-layout``.

Run: ``python benchmarks/graph_render.py [--chain N] [--max-layout N]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import resnb as dg
from resnb.build.lineage import dependency_graph
from resnb.notebook.render import MAX_LAYOUT_SIZE, find_renderer, graph_to_dot, layout_size, render

SIZES = (100, 1_000, 2_000, 10_000, 100_000)


class Store(dg.ConfigurableResource):
    """The shared resource."""

    url: str


def definitions(count: int, chain: int) -> dg.Definitions:
    """``count`` assets in chains of ``chain``, each using ``store``."""
    assets = []
    for index in range(count):
        deps = [f"a{index - 1:06d}"] if index % chain else []

        def compute(store: Store) -> None:
            return None

        assets.append(dg.asset(name=f"a{index:06d}", deps=deps)(compute))
    return dg.Definitions(assets=assets, resources={"store": Store(url="memory://")})


def seconds(step):
    """``(result, wall-clock seconds)`` of ``step()``."""
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chain", type=int, default=5, help="assets per chain (default 5)")
    parser.add_argument("--max-layout", type=int, default=MAX_LAYOUT_SIZE, help="skip SVG layout above this")
    args = parser.parse_args()
    print(f"renderer: {find_renderer() or '(none)'}; chains of {args.chain}; every asset uses one resource")
    print("| assets | graph s | DOT s | DOT us/node | layout size | SVG s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for count in SIZES:
        defs = definitions(count, args.chain)
        graph, graph_s = seconds(lambda defs=defs: dependency_graph(defs))
        dot, dot_s = seconds(lambda graph=graph: graph_to_dot(graph))
        size = layout_size(graph)
        svg = "skipped"
        if size <= args.max_layout and find_renderer():
            svg = f"{seconds(lambda dot=dot: render(dot, timeout=600))[1]:.2f}"
        per_node = dot_s / len(graph) * 1e6
        print(f"| {count:,} | {graph_s:.3f} | {dot_s:.3f} | {per_node:.1f} | {size:,} | {svg} |")


if __name__ == "__main__":
    main()
