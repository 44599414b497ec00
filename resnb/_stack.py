"""Where a warning raised on behalf of the user should point: the user's cell, not resnb's code."""

from __future__ import annotations

import sys

__all__ = ["user_stacklevel"]

#: Packages whose frames are walked past: resnb itself, the machinery that calls the magics, and
#: contextlib (build_resources is a context manager).
_INTERNAL = ("resnb", "IPython", "traitlets", "decorator", "contextlib")


def user_stacklevel(below: int = 0) -> int:
    """The ``stacklevel`` that makes a warning point at the first frame outside resnb (and IPython).

    Call it in the function that calls ``warnings.warn`` (``below=0``) or that calls a function
    which does (``below=1``, such as ``ResourceScope.close(stacklevel=...)``). Without a user
    frame (at interpreter exit), the outermost frame is used.
    """
    frame = sys._getframe(1)
    level = 1 + below
    while frame.f_back is not None and _internal(frame):
        frame = frame.f_back
        level += 1
    return level


def _internal(frame: object) -> bool:
    name = str(getattr(frame, "f_globals", {}).get("__name__", ""))
    return name.split(".", 1)[0] in _INTERNAL
