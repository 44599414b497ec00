"""Two CPU-bound assets for the multiprocess benchmark, importable by Dagster's step processes.

The implementation comes from ``RESNB_BENCH_IMPL`` (``resnb`` or ``dagster``) and the amount of
work per asset from ``RESNB_BENCH_SPIN`` (loop iterations; ``run.py`` calibrates it to ~1 s).
"""

from __future__ import annotations

import importlib
import os

dg = importlib.import_module(os.environ.get("RESNB_BENCH_IMPL", "resnb"))


def spin(n: int) -> int:
    """Pure-Python work: no I/O, no C extension doing the loop, holds the GIL throughout."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def _work() -> int:
    return spin(int(os.environ.get("RESNB_BENCH_SPIN", "1000000")))


@dg.asset
def cpu_one() -> int:
    return _work()


@dg.asset
def cpu_two() -> int:
    return _work()


defs = dg.Definitions(
    assets=[cpu_one, cpu_two],
    jobs=[dg.define_asset_job("cpu_job", executor_def=dg.multiprocess_executor)],
)


def cpu_job():
    """The job with the multiprocess executor, for ``execute_job(reconstructable(cpu_job))``."""
    return defs.resolve_job_def("cpu_job")


def _trivial(i: int):
    def fn() -> int:
        return i

    fn.__name__ = fn.__qualname__ = f"trivial_{i}"
    return dg.asset(name=f"trivial_{i}")(fn)


#: Steps that do nothing: what remains is the cost of a step's process.
TRIVIAL = [_trivial(i) for i in range(20)]

trivial_defs = dg.Definitions(
    assets=TRIVIAL, jobs=[dg.define_asset_job("trivial_job", executor_def=dg.multiprocess_executor)]
)


def trivial_job():
    """20 independent do-nothing assets with the multiprocess executor."""
    return trivial_defs.resolve_job_def("trivial_job")
