"""Scaling of ``resnb.core.graph.DependencyGraph``: build, toposort, select and to_dot.

Two shapes at 10,000 and 100,000 nodes: a chain of assets (``a0 -> a1 -> ...``, one edge per node)
and independent assets (no edges). Each step is timed separately in CPU time (best of ``--repeat``
runs; the cached order is cleared so every step does its real work), then the 100k/10k ratio is
printed: linear cost gives about 10.

CPython itself does not scale exactly linearly from 10k to 100k objects (the larger working set no
longer fits in the CPU caches), so the script also times a plain-Python baseline, building the same
dict-of-dicts adjacency and walking it once, and prints its ratio for comparison.

Run: ``python benchmarks/graph_scaling.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from resnb.core.graph import DependencyGraph

SIZES = (10_000, 100_000)
STEPS = ("build", "toposort", "select", "to_dot")
SHAPES = ("chain", "independent")


def names_for(n: int) -> list[str]:
    """``a0000000``, ``a0000001``... (zero-padded, so name order is chain order)."""
    return [f"a{i:07d}" for i in range(n)]


def build(shape: str, n: int) -> DependencyGraph:
    """A graph of ``n`` assets: a chain, or independent nodes."""
    graph = DependencyGraph()
    names = names_for(n)
    for name in names:
        graph.add_node(name, "asset")
    if shape == "chain":
        for upstream, downstream in pairwise(names):
            graph.add_edge(upstream, downstream)
    return graph


def timed(step: Callable[[], object]) -> float:
    """CPU seconds taken by ``step()``."""
    start = time.process_time()
    step()
    return time.process_time() - start


def measure(shape: str, n: int) -> dict[str, float]:
    """Seconds for each step on a fresh graph."""
    middle = f"a{n // 2:07d}"
    built: list[DependencyGraph] = []
    times = {"build": timed(lambda: built.append(build(shape, n)))}
    graph = built[0]
    steps: dict[str, Callable[[], object]] = {
        "toposort": graph.toposort,
        "select": lambda: graph.select(f"*{middle}*"),  # half the chain each way, or one node
        "to_dot": graph.to_dot,
    }
    for step, run in steps.items():
        graph._cache.clear()  # time the real work, not a cached order
        times[step] = timed(run)
    return times


def baseline(n: int) -> float:
    """Plain Python: build a chain's dict-of-dicts adjacency both ways and walk it once."""
    names = names_for(n)

    def run() -> None:
        up: dict[str, dict[str, None]] = {}
        down: dict[str, dict[str, None]] = {}
        for upstream, downstream in pairwise(names):
            up[downstream] = {upstream: None}
            down[upstream] = {downstream: None}
        order, node = [], names[0]
        while node:
            order.append(node)
            node = next(iter(down.get(node, {"": None})))

    return timed(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best is kept")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.platform()}")
    print(f"CPU time, best of {args.repeat}; milliseconds\n")
    header = f"{'shape':<12}{'nodes':>9}" + "".join(f"{step:>11}" for step in STEPS)
    print(header)
    print("-" * len(header))
    results: dict[tuple[str, int], dict[str, float]] = {}
    for shape in SHAPES:
        for n in SIZES:
            runs = [measure(shape, n) for _ in range(args.repeat)]
            best = {step: min(run[step] for run in runs) for step in STEPS}
            results[shape, n] = best
            print(f"{shape:<12}{n:>9,}" + "".join(f"{best[step] * 1000:>11.2f}" for step in STEPS))
    base = {n: min(baseline(n) for _ in range(args.repeat)) for n in SIZES}
    for n in SIZES:
        print(f"{'baseline':<12}{n:>9,}{base[n] * 1000:>11.2f}   (plain dicts: build + walk a chain)")
    small, large = SIZES
    print(f"\nratio {large // 1000}k/{small // 1000}k (linear = {large // small})")
    for shape in SHAPES:
        ratios = "".join(f"{results[shape, large][s] / results[shape, small][s]:>11.1f}" for s in STEPS)
        print(f"{shape:<21}{ratios}")
    print(f"{'baseline':<21}{base[large] / base[small]:>11.1f}")


if __name__ == "__main__":
    main()
