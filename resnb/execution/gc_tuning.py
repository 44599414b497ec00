"""Keeping CPython's cyclic garbage collector from making large runs grow faster than linearly.

Each full collection walks every live container object. A plan of 100,000 steps keeps hundreds
of thousands of them alive, so the collections triggered while it runs cost more the larger the
plan is. Two remedies, both scoped to resnb's own work:

- while the framework builds a plan (no user code runs) the collector is paused;
- while a large plan runs, the objects that existed before the run are frozen (``gc.freeze``),
  so collections only walk what the run itself allocates. Objects the steps create are still
  collected as usual. Nothing is frozen when something else already froze objects.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["LARGE_PLAN", "frozen_long_lived", "gc_paused"]

#: Plans with at least this many steps run with the objects that existed before them frozen.
LARGE_PLAN = 5_000


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for a block of framework-only allocation."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen_long_lived(active: bool) -> Iterator[None]:
    """Freeze the objects alive now for the duration of the block (when ``active``)."""
    if not active or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
