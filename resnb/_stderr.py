"""A logging handler that writes to the *current* ``sys.stderr`` (a kernel or a test may swap it)."""

from __future__ import annotations

import logging
import sys
from typing import Any

__all__ = ["CurrentStderrHandler"]


class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not when the handler was made."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # always the current sys.stderr
