"""The work behind ``%resource_graph``: draw the loaded Definitions with the session's states."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from resnb.errors import GraphRenderError
from resnb.notebook.session import Session

__all__ = ["choose_formats", "draw_graph"]

_SUFFIXES = ".svg, .png, .dot or .gv"


def choose_formats(fmt: str | None, output: str | None, default: str) -> str:
    """The format to draw and save in, from ``--format`` (``fmt``), ``--output`` and the setting.

    ``--output``'s suffix decides when ``--format`` is not given; both given must agree (a
    suffix resnb does not know is written in the ``--format`` asked for).
    """
    from resnb.notebook.render import format_of_path

    if output is None:
        return fmt or default
    if not output.strip():
        raise UsageError("--output is empty: give the file to write, such as --output graph.svg.")
    from_suffix = format_of_path(output)
    if fmt is not None and from_suffix is not None and fmt != from_suffix:
        raise UsageError(
            f"--format {fmt} and --output {output} disagree: the file's suffix says {from_suffix}. "
            f"Give a file ending in .{fmt}, or drop --format to follow the file's suffix."
        )
    if fmt is None and from_suffix is None:
        raise UsageError(
            f"--output {output}: cannot tell the format from the file's suffix. End it in "
            f"{_SUFFIXES}, or give --format svg, png or dot."
        )
    return fmt or from_suffix  # type: ignore[return-value]


def draw_graph(
    session: Session,
    select: str | None,
    fmt: str | None,
    output: str | None,
    include_resources: bool,
    default_format: str = "svg",
) -> Any:
    """The graph as a ``GraphView`` (shown as svg, dot, or png); also saved to ``output``.

    ``fmt`` is ``--format`` (None: from ``output``'s suffix, else ``default_format``).
    """
    from resnb.notebook.render import INSTALL_HINT, graph_view

    chosen = choose_formats(fmt, output, default_format)
    view = graph_view(
        session.defs,
        select=select,
        include_resources=include_resources,
        states=session.graph_states(),
        render_svg=chosen == "svg",
    )
    if chosen == "png":
        if view.renderer is None:
            raise UsageError(f"Cannot draw the graph as png: {INSTALL_HINT}; or use --format dot.")
        view.with_png()
    if output:
        _save(view, output, chosen)
    return view


def _save(view: Any, output: str, fmt: str) -> None:
    try:
        view.save(output, fmt)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            f"--output {output}: cannot write the file ({reason}). Check that its folder exists "
            "and is writable."
        ) from None
    except (ValueError, GraphRenderError) as exc:
        raise UsageError(f"--output {output}: {exc}") from None
