"""Draw the resource/asset graph: DOT text, and static SVG or PNG through a Graphviz ``dot`` binary.

::

    view = graph_view(defs, select="+clean", states={"raw": "materialized"})
    view.save("graph.svg")            # or .png, .dot, .gv
    view                              # in Jupyter: the SVG, or the DOT text with an install hint

The graph is drawn left to right: resources are ellipses, assets boxes, ops rounded boxes; a node's
fill colour is its state (:data:`STATES`), a resource that is needed but not provided is dashed and
red, and a legend lists the kinds and states present. Labels hold names and type names only, never
configuration values, so secrets cannot reach the picture.

The work is split in three modules, whose public names are importable from here too:
:mod:`~resnb.notebook.render_dot` writes the DOT text and selects a part of the graph,
:mod:`~resnb.notebook.renderer` finds and runs Graphviz (system ``dot``, else the ``graphviz-pure``
wheel's binary; with neither the display falls back to the DOT text), and
:mod:`~resnb.notebook.svg_clean` makes its SVG static (no script, no external reference), so it
survives nbconvert, VS Code and GitHub.
"""

from __future__ import annotations

import base64
import html
import pathlib
from collections import Counter
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

from resnb.core.graph import DependencyGraph, NodeKind
from resnb.errors import GraphRenderError, listing
from resnb.notebook import renderer as renderer_module
from resnb.notebook.render_dot import KIND_ORDER, STATE_COLORS, STATES, graph_to_dot, select_graph
from resnb.notebook.renderer import (
    FORMATS,
    INSTALL_HINT,
    MAX_LAYOUT_SIZE,
    RENDER_TIMEOUT,
    find_renderer,
    layout_size,
    render,
    run_renderer,
)
from resnb.notebook.svg_clean import static_svg

__all__ = [
    "FORMATS",
    "INSTALL_HINT",
    "MAX_LAYOUT_SIZE",
    "STATES",
    "STATE_COLORS",
    "GraphRenderError",
    "GraphView",
    "find_renderer",
    "format_of_path",
    "graph_to_dot",
    "graph_view",
    "layout_size",
    "render",
    "select_graph",
    "static_svg",
]

_PLURALS = {NodeKind.RESOURCE: "resources", NodeKind.ASSET: "assets", NodeKind.OP: "ops"}
_SAVE_FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}


def format_of_path(path: str | PathLike[str]) -> str | None:
    """The format :meth:`GraphView.save` writes for ``path``'s suffix (``svg``, ``png``, ``dot``), or None."""
    return _SAVE_FORMATS.get(pathlib.Path(path).suffix.lower())


class GraphView:
    """A drawn graph: DOT text, static SVG when a renderer is installed, counts for a summary.

    In Jupyter it shows as the SVG (or as the PNG in :attr:`png`, when one was attached with
    :meth:`with_png`); without a renderer, as the DOT text and a one-line install hint. Works
    without IPython: ``view.dot``, ``view.svg``, ``view.save("graph.png")``.
    """

    def __init__(
        self,
        dot: str,
        *,
        svg: str | None = None,
        renderer: str | None = None,
        kind_counts: Mapping[str, int] | None = None,
        edge_count: int = 0,
        note: str | None = None,
    ) -> None:
        self.dot = dot
        self.svg = svg
        #: The graph as PNG bytes, shown instead of the SVG when set (see :meth:`with_png`).
        self.png: bytes | None = None
        self.renderer = renderer
        self.kind_counts = {str(kind): count for kind, count in (kind_counts or {}).items()}
        self.node_count = sum(self.kind_counts.values())
        self.edge_count = edge_count
        #: One line saying why there is no SVG (no renderer, graph too large), shown with the summary.
        self.note = INSTALL_HINT if note is None and svg is None and renderer is None else note

    @classmethod
    def from_graph(
        cls,
        graph: DependencyGraph,
        *,
        states: Mapping[str, str] | None = None,
        render_svg: bool = True,
        legend: bool = True,
        max_layout_size: int | None = MAX_LAYOUT_SIZE,
    ) -> GraphView:
        """Draw ``graph`` (see :func:`graph_to_dot`); render it to SVG when asked and possible.

        A graph whose :func:`layout_size` exceeds ``max_layout_size`` (``None``: no limit) is not
        rendered; :attr:`note` says so and how to narrow it.
        """
        dot = graph_to_dot(graph, states=states, legend=legend)
        # Looked up on its module, so replacing renderer.find_renderer (as tests do) reaches here too.
        renderer = renderer_module.find_renderer()
        svg = note = None
        size = layout_size(graph) if render_svg and renderer and max_layout_size is not None else 0
        if max_layout_size is not None and size > max_layout_size:
            note = (
                f"too large to draw inline (layout size {size:,} > {max_layout_size:,}): "
                "narrow it with select=..., or save it as .svg, .png or .dot"
            )
        elif render_svg and renderer is not None:
            svg = static_svg(run_renderer(renderer, dot, "svg", RENDER_TIMEOUT).decode("utf-8"))
        counts = Counter(str(graph.kind_of(name)) for name in graph)
        return cls(
            dot, svg=svg, renderer=renderer, kind_counts=counts, edge_count=len(graph.edges), note=note
        )

    @property
    def summary(self) -> str:
        """``"resource graph: 3 resources, 4 assets, 6 edges"``."""
        parts = []
        for kind in KIND_ORDER:
            count = self.kind_counts.get(str(kind), 0)
            if count:
                parts.append(_count(count, str(kind), _PLURALS[kind]))
        parts.append(_count(self.edge_count, "edge", "edges"))
        return "resource graph: " + ", ".join(parts)

    def to_source(self) -> Any:
        """The graph as a :class:`graphviz.Source`, for the ``graphviz`` package's own API.

        Use it for what resnb does not do itself: other layout engines
        (``view.to_source().pipe(format="pdf", engine="neato")``), other formats, ``render()`` to
        a file with a system Graphviz, or ``view()``. Those need Graphviz's ``dot`` on PATH.
        """
        import graphviz

        return graphviz.Source(self.dot, format="svg")

    def save(self, path: str | PathLike[str], fmt: str | None = None) -> pathlib.Path:
        """Write the graph to ``path`` as SVG, PNG or DOT (``fmt``, else from the suffix).

        ``fmt`` is ``"svg"``, ``"png"``, ``"dot"`` or ``"gv"``; suffixes ``.svg``, ``.png``,
        ``.dot``, ``.gv``. SVG and PNG need a renderer (:class:`GraphRenderError` when none).
        Returns the path written.
        """
        target = pathlib.Path(path)
        chosen = _save_format(target, fmt)
        if chosen == "dot":
            target.write_text(self.dot, encoding="utf-8")
        elif chosen == "png" and self.png is not None:
            target.write_bytes(self.png)
        elif chosen == "svg":
            target.write_text(self.svg if self.svg is not None else self._rendered_svg(), encoding="utf-8")
        else:
            target.write_bytes(self._rendered(chosen))
        return target

    def with_png(self) -> GraphView:
        """Render the graph as PNG (kept in :attr:`png` and shown instead of the SVG); returns self.

        Raises :class:`GraphRenderError` when no renderer is installed.
        """
        self.png = self._rendered("png")
        return self

    def _rendered(self, fmt: str) -> bytes:
        data = render(self.dot, fmt)
        if data is None:
            raise GraphRenderError(f"Cannot save the graph as {fmt}: {INSTALL_HINT}; or save it as .dot.")
        return data

    def _rendered_svg(self) -> str:
        return static_svg(self._rendered("svg").decode("utf-8"))

    def _plain_text(self) -> str:
        return self.summary if self.note is None else f"{self.summary}\n{self.note}"

    def _html_fallback(self) -> str:
        note = f"<p>{html.escape(self.note)}</p>\n" if self.note is not None else ""
        return f"{note}<pre>{html.escape(self.dot)}</pre>"

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """``image/png`` when attached, else ``image/svg+xml`` (static) when rendered, else
        ``text/html`` with the DOT text; always ``text/plain``. ``include``/``exclude`` filter the
        MIME types."""
        bundle = {"text/plain": self._plain_text()}
        if self.png is not None:
            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        elif self.svg is not None:
            bundle["image/svg+xml"] = self.svg
        else:
            bundle["text/html"] = self._html_fallback()
        if include is not None:
            wanted = set(include)
            bundle = {mime: data for mime, data in bundle.items() if mime in wanted}
        if exclude is not None:
            unwanted = set(exclude)
            bundle = {mime: data for mime, data in bundle.items() if mime not in unwanted}
        return bundle

    def _repr_svg_(self) -> str | None:
        return self.svg

    def __repr__(self) -> str:
        drawn = "png" if self.png is not None else "svg" if self.svg is not None else "dot only"
        return f"<GraphView {self.summary.removeprefix('resource graph: ')}; {drawn}>"


def _count(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _save_format(path: pathlib.Path, fmt: str | None) -> str:
    if fmt is None:
        chosen = _SAVE_FORMATS.get(path.suffix.lower())
        if chosen is None:
            raise ValueError(
                f"Cannot tell the format of {str(path)!r} from its suffix: use one of "
                f"{listing(_SAVE_FORMATS)} or pass fmt= ({listing(['dot', 'gv', 'png', 'svg'])})."
            )
        return chosen
    chosen = _SAVE_FORMATS.get(f".{fmt.lower()}")
    if chosen is None:
        raise ValueError(
            f"Cannot save the graph as {fmt!r}: use one of {listing(['dot', 'gv', 'png', 'svg'])}."
        )
    return chosen


# ----------------------------------------------------------------------------------------------
# from Definitions
# ----------------------------------------------------------------------------------------------


def graph_view(
    defs: Any,
    *,
    select: str | None = None,
    include_resources: bool = True,
    states: Mapping[str, str] | None = None,
    render_svg: bool = True,
    max_layout_size: int | None = MAX_LAYOUT_SIZE,
) -> GraphView:
    """Draw the dependency graph of ``defs`` (a ``Definitions``).

    ``select`` narrows it (:func:`select_graph`), ``include_resources=False`` leaves resources
    out, ``states`` colours nodes (:func:`graph_to_dot`), and ``render_svg=False`` skips running
    the renderer (DOT only), as does a graph larger than ``max_layout_size``
    (:meth:`GraphView.from_graph`). Raises :class:`~resnb.errors.InvalidSubsetError` for unknown
    names and :class:`GraphRenderError` when the renderer fails.
    """
    from resnb.build.lineage import dependency_graph

    graph = select_graph(dependency_graph(defs, include_resources=include_resources), select)
    return GraphView.from_graph(graph, states=states, render_svg=render_svg, max_layout_size=max_layout_size)
