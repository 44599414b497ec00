"""Small building blocks of the display objects: aligned text tables, escaped HTML tables, times.

Every cell is a plain string chosen by the caller (never a raw value), and the HTML is escaped
here, so a name containing ``<`` or ``&`` cannot break or inject markup.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "MISSING_STATE",
    "STATUS_COLORS",
    "Displayable",
    "clock_time",
    "duration_text",
    "html_list",
    "html_table",
    "text_table",
]

#: The state of a resource that assets or ops need but the Definitions do not provide.
MISSING_STATE = "missing: not provided"

#: Background colours of statuses in HTML tables (light, for black text).
STATUS_COLORS: Mapping[str, str] = {
    MISSING_STATE: "#ffcdd2",
    "built": "#cfe3fc",
    "succeeded": "#c8e6c9",
    "materialized": "#c8e6c9",
    "failed": "#ffcdd2",
    "stale": "#ffe8a3",
    "skipped": "#eeeeee",
    "running": "#fff3c4",
}

_TABLE_STYLE = "border-collapse:collapse;font-family:monospace;font-size:12px"
_CELL_STYLE = "border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top"


def clock_time(at: float | None) -> str:
    """``14:03:12`` (local time), or ``-``."""
    return "-" if at is None else time.strftime("%H:%M:%S", time.localtime(at))


def duration_text(seconds: float | None) -> str:
    """``1.23 ms`` / ``2.50 s``, or ``-``."""
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def text_table(headers: Sequence[str], rows: Iterable[Sequence[str]], indent: str = "  ") -> str:
    """Rows aligned in columns under ``headers`` (for terminals and CI logs)."""
    body = [list(headers), *[list(row) for row in rows]]
    widths = [max(len(line[i]) for line in body) for i in range(len(headers))]
    lines = []
    for line in body:
        cells = [cell.ljust(width) for cell, width in zip(line, widths)]
        lines.append(indent + "  ".join(cells).rstrip())
    return "\n".join(lines)


def html_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, status_column: int | None = None
) -> str:
    """An escaped HTML table; ``status_column`` cells are coloured by :data:`STATUS_COLORS`."""
    head = "".join(f'<th style="{_CELL_STYLE}">{html.escape(h)}</th>' for h in headers)
    lines = [f'<table class="resnb" style="{_TABLE_STYLE}"><thead><tr>{head}</tr></thead><tbody>']
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            style = _CELL_STYLE
            if index == status_column and cell in STATUS_COLORS:
                style += f";background:{STATUS_COLORS[cell]}"
            cells.append(f'<td style="{style}">{html.escape(cell)}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines.append("</tbody></table>")
    return "".join(lines)


def html_list(title: str, items: Iterable[str]) -> str:
    """``<p><b>title</b></p><ul>...</ul>`` with escaped items (nothing when there are none)."""
    entries = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    if not entries:
        return ""
    return f"<p><b>{html.escape(title)}</b></p><ul>{entries}</ul>"


class Displayable:
    """Base of the display objects: ``text/plain`` and ``text/html`` from two methods.

    ``repr()`` is the plain text, so results read well in terminals, logs and doctests.
    It adds no instance attributes (empty ``__slots__``), so slotted classes can use it too.
    """

    __slots__ = ()

    def _text(self) -> str:
        raise NotImplementedError

    def _html(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, Any]:
        bundle = {"text/plain": self._text(), "text/html": self._html()}
        if include is not None:
            bundle = {k: v for k, v in bundle.items() if k in set(include)}
        if exclude is not None:
            bundle = {k: v for k, v in bundle.items() if k not in set(exclude)}
        return bundle

    def _repr_html_(self) -> str:
        return self._html()

    def __repr__(self) -> str:
        return self._text()
