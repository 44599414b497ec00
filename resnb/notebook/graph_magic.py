"""The work behind ``%resource_graph``: draw the loaded Definitions with the session's states."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from resnb.notebook.session import Session

__all__ = ["draw_graph"]


def draw_graph(
    session: Session,
    select: str | None,
    fmt: str,
    output: str | None,
    include_resources: bool,
    save_format: str | None = None,
) -> Any:
    """The graph as a ``GraphView`` (svg/dot) or an ``Image`` (png); also saved to ``output``.

    ``save_format`` is the format asked for explicitly (None: from ``output``'s suffix).
    """
    from resnb.notebook.render import INSTALL_HINT, graph_view, render

    view = graph_view(
        session.defs,
        select=select,
        include_resources=include_resources,
        states=session.graph_states(),
        render_svg=fmt == "svg",
    )
    if output:
        try:
            view.save(output, save_format)
        except ValueError as exc:
            raise UsageError(f"--output {output}: {exc}") from None
    if fmt != "png":
        return view
    data = render(view.dot, "png")
    if data is None:
        raise UsageError(f"Cannot draw the graph as png: {INSTALL_HINT}; or use --format dot.")
    from IPython.display import Image

    return Image(data=data)
