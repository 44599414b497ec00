""" "Did you mean" for the names users type in the magics: close spellings, short names, asset paths.

:func:`resnb.errors.did_you_mean` finds close spellings; for the names of a notebook it misses two
common cases, covered here: short names one keystroke apart (``d3`` for ``d1``), and an asset
named by the last part of its key (``b`` for ``sales/b``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "suggestion"]

_CUTOFF = 0.6  # as resnb.errors.did_you_mean


def suggestion(name: str, candidates: Iterable[str]) -> str:
    """``" Did you mean 'x'?"`` for the candidate :func:`closest` to ``name``, or ``""``."""
    found = closest(name, candidates)
    return f" Did you mean '{found}'?" if found is not None else ""


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` most likely meant, or None.

    Tried in order: a candidate whose last ``/`` component is ``name`` (an asset key without
    its prefix), a close spelling, a close spelling of a last component, and a candidate one
    edit (insertion, deletion, substitution) away.
    """
    names = [str(candidate) for candidate in candidates]
    last_parts = {c.rsplit("/", 1)[1]: c for c in reversed(names) if "/" in c}
    if name in last_parts:
        return last_parts[name]
    close = difflib.get_close_matches(name, names, n=1, cutoff=_CUTOFF)
    if close:
        return close[0]
    close = difflib.get_close_matches(name, list(last_parts), n=1, cutoff=_CUTOFF)
    if close:
        return last_parts[close[0]]
    one_edit = sorted(c for c in names if _one_edit_apart(name, c))
    return one_edit[0] if one_edit else None


def _one_edit_apart(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
