"""Draw the resource/asset graph: DOT text, and static SVG or PNG through a Graphviz ``dot`` binary.

::

    view = graph_view(defs, select="+clean", states={"raw": "materialized"})
    view.save("graph.svg")            # or .png, .dot, .gv
    view                              # in Jupyter: the SVG, or the DOT text with an install hint

The graph is drawn left to right: resources are ellipses, assets boxes, ops rounded boxes; a node's
fill colour is its state (:data:`STATES`), a resource that is needed but not provided is dashed and
red, and a legend lists the kinds and states present. Labels hold names and type names only, never
configuration values, so secrets cannot reach the picture.

Rendering runs the system ``dot`` when it is on PATH, else the binary of the ``graphviz-pure`` wheel
(``pip install graphviz-pure``: no system package needed), else there is no picture and the display
falls back to the DOT text. The SVG is static: no script, no external reference, so it survives
nbconvert, VS Code and GitHub. The ``graphviz`` Python package is not needed here: its ``pipe`` runs
``dot`` by name only, while resnb must choose the binary, so the renderer is run with ``subprocess``.
"""

from __future__ import annotations

import html
import pathlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from os import PathLike
from types import MappingProxyType
from typing import Any

from resnb.core.graph import DOT_KIND_ATTRS, DependencyGraph, NodeKind
from resnb.errors import DependencyCycleError, ResnbError, exception_summary, listing

__all__ = [
    "FORMATS",
    "INSTALL_HINT",
    "MAX_LAYOUT_SIZE",
    "STATES",
    "STATE_COLORS",
    "GraphRenderError",
    "GraphView",
    "find_renderer",
    "graph_to_dot",
    "graph_view",
    "layout_size",
    "render",
    "select_graph",
    "static_svg",
]

#: The states a node can be drawn in; each has a fill colour (:data:`STATE_COLORS`) in the legend.
STATES = ("built", "materialized", "failed", "stale")

#: The fill colour of each state: light enough for black text.
STATE_COLORS: Mapping[str, str] = MappingProxyType(
    {"built": "#cfe3fc", "materialized": "#c8e6c9", "failed": "#ffcdd2", "stale": "#ffe8a3"}
)

#: The image formats :func:`render` produces.
FORMATS = ("png", "svg")

#: Shown (one line) when no Graphviz binary is found.
INSTALL_HINT = "no Graphviz renderer found: pip install graphviz-pure, or install Graphviz"

#: Graphs whose layout size (:func:`layout_size`) exceeds this are not drawn inline: Graphviz would
#: take seconds to minutes. Their DOT text is still shown, and ``save()`` renders them on request.
MAX_LAYOUT_SIZE = 12_000

_MISSING_COLOR = "#c62828"
_KIND_ORDER = (NodeKind.RESOURCE, NodeKind.ASSET, NodeKind.OP)  # upstream to downstream
_LEGEND_GRAPH = {
    "label": "legend",
    "style": "dashed",
    "color": "gray60",
    "fontname": "Helvetica",
    "fontsize": "10",
}
_LEGEND_NODE = {"fontsize": "9", "height": "0.3", "margin": "0.06,0.03"}
# Bounds the network-simplex passes that place nodes (iterations per node): without it, a resource
# used by assets deep in long chains can take Graphviz minutes; small graphs converge well within it.
_LAYOUT_LIMITS = {"nslimit": "2"}
_PLURALS = {NodeKind.RESOURCE: "resources", NodeKind.ASSET: "assets", NodeKind.OP: "ops"}
_SAVE_FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}
_RENDERER_NAMES = ("graphviz-pure", "graphviz-pure.exe")
_RENDER_TIMEOUT = 30.0


class GraphRenderError(ResnbError):
    """The Graphviz renderer failed (its error output is in the message) or none is installed."""


# ----------------------------------------------------------------------------------------------
# DOT
# ----------------------------------------------------------------------------------------------


def graph_to_dot(
    graph: DependencyGraph, *, states: Mapping[str, str] | None = None, legend: bool = True
) -> str:
    """The graph as DOT text, drawn left to right; the same text for the same graph and states.

    Resources are ellipses labelled with their key and type name, assets boxes, ops rounded boxes.
    ``states`` maps node names to one of :data:`STATES` (the node is filled with its colour); names
    not in the graph are ignored, so one mapping serves every selection, and an unknown state is a
    :class:`ValueError`. A resource needed but not provided (``missing=True``) is dashed and red
    with "(missing)" in its label. With ``legend``, a cluster lists the kinds and states present.
    The layout's node-placement work is bounded (``nslimit``): small graphs come out exactly as
    without the bound, large ones stay quick to lay out.
    """
    node_states = _checked_states(states)
    node_attrs = {name: _node_attrs(graph, name, node_states.get(name)) for name in graph}
    dot = graph.to_dot(rankdir="LR", node_attrs=node_attrs)
    extra = [f"  graph [{_dot_attr_list(_LAYOUT_LIMITS)}];"]
    if legend:
        extra.extend(_legend_lines(graph, node_states))
    closing = dot.rindex("}")
    return dot[:closing] + "\n".join(extra) + "\n" + dot[closing:]


def _checked_states(states: Mapping[str, str] | None) -> dict[str, str]:
    for name, state in (states or {}).items():
        if state not in STATE_COLORS:
            raise ValueError(
                f"Unknown state {state!r} for {name!r}: use one of {listing(STATES)} "
                "(or leave the node out of states to draw it unfilled)."
            )
    return dict(states or {})


def _node_attrs(graph: DependencyGraph, name: str, state: str | None) -> dict[str, str]:
    """The label, and the style and colours that state and missing-ness add to the kind's shape."""
    kind = graph.kind_of(name)
    attrs = graph.attrs_of(name)
    styles = [DOT_KIND_ATTRS[kind]["style"]] if "style" in DOT_KIND_ATTRS[kind] else []
    result = {"label": _label(kind, name, attrs)}
    if state is not None:
        styles.append("filled")
        result["fillcolor"] = STATE_COLORS[state]
    if attrs.get("missing"):
        styles.append("dashed")
        result.update(color=_MISSING_COLOR, fontcolor=_MISSING_COLOR)
    if styles:
        result["style"] = ",".join(styles)
    return result


def _label(kind: NodeKind, name: str, attrs: Mapping[str, Any]) -> str:
    """A name, or for a resource ``key\\nType`` (``key\\n(missing)``): never a configuration value."""
    label = str(attrs.get("label", name))
    if kind is not NodeKind.RESOURCE:
        return label
    if attrs.get("missing"):
        return f"{label}\n(missing)"
    type_name = attrs.get("type")
    return f"{label}\n{type_name}" if type_name else label


def _legend_lines(graph: DependencyGraph, node_states: Mapping[str, str]) -> list[str]:
    """A ``cluster_legend`` subgraph of small sample nodes, read top to bottom; none when empty."""
    entries = _legend_entries(graph, node_states)
    if not entries:
        return []
    prefix = _legend_prefix(graph)
    lines = ['  subgraph "cluster_legend" {', f"    graph [{_dot_attr_list(_LEGEND_GRAPH)}];"]
    # Graphviz stacks a left-to-right rank bottom-up, so the first entry is written last.
    for entry, attrs in reversed(entries):
        lines.append(f"    {_dot_string(prefix + entry)} [{_dot_attr_list({**_LEGEND_NODE, **attrs})}];")
    lines.append("  }")
    return lines


def _legend_entries(
    graph: DependencyGraph, node_states: Mapping[str, str]
) -> list[tuple[str, dict[str, str]]]:
    """``(entry name, DOT attributes)`` for each kind, missing resources, and each state present."""
    kinds = Counter(graph.kind_of(name) for name in graph)
    entries = [
        (f"kind:{kind}", {"label": str(kind), **DOT_KIND_ATTRS[kind]}) for kind in _KIND_ORDER if kinds[kind]
    ]
    if any(graph.attrs_of(name).get("missing") for name in graph if graph.kind_of(name) == "resource"):
        missing = {"color": _MISSING_COLOR, "fontcolor": _MISSING_COLOR, "style": "dashed"}
        entries.append(("missing", {"label": "missing resource", "shape": "ellipse", **missing}))
    present = {node_states[name] for name in graph if name in node_states}
    for state in STATES:
        if state in present:
            fill = {"style": "filled", "fillcolor": STATE_COLORS[state]}
            entries.append((f"state:{state}", {"label": state, "shape": "note", **fill}))
    return entries


def _legend_prefix(graph: DependencyGraph) -> str:
    """A node-name prefix no graph node starts with, so legend nodes never merge with real ones."""
    prefix = "legend:"
    while any(name.startswith(prefix) for name in graph):
        prefix = "_" + prefix
    return prefix


def _dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _dot_attr_list(attrs: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={_dot_string(attrs[key])}" for key in sorted(attrs))


# ----------------------------------------------------------------------------------------------
# selection
# ----------------------------------------------------------------------------------------------


def select_graph(graph: DependencyGraph, select: str | None) -> DependencyGraph:
    """The part of ``graph`` a Dagster-style selection picks, with the resources that feed it.

    ``None`` (or a blank string) returns ``graph`` itself. Otherwise the selection (``+name``,
    ``name+``, ``*name``, ``++name``, several clauses separated by commas or spaces) picks nodes
    of every kind, so resources can be named too (``"resource:warehouse+"`` is the resource and
    what uses it); then every resource that feeds a picked node, directly or through other
    resources, is added. Unknown names raise :class:`~resnb.errors.InvalidSubsetError` naming them.
    """
    if select is None or not select.strip():
        return graph
    picked = graph.select(select, kinds=None)
    feeding = graph.ancestors(picked, kinds=NodeKind.RESOURCE) if picked else set()
    keep = set(picked) | feeding
    return graph.subgraph([name for name in graph if name in keep])


def layout_size(graph: DependencyGraph) -> int:
    """An estimate of Graphviz's work for ``graph``: its nodes plus the virtual nodes of long edges.

    ``dot`` puts each node on a rank (a column, left to right) and routes an edge spanning k ranks
    through k - 1 virtual nodes; its time grows faster than linearly with their total. Ranks are
    estimated as topological levels, with nodes that depend on nothing moved right next to their
    first user (where ``dot`` puts them). A graph with a cycle counts one virtual node per edge.
    """
    try:
        levels = graph.levels()
    except DependencyCycleError:
        return len(graph) + len(graph.edges)
    rank = {name: index for index, names in enumerate(levels) for name in names}
    for name in levels[0] if levels else ():
        users = graph.downstream_of(name)
        if users:
            rank[name] = min(rank[user] for user in users) - 1
    return len(graph) + sum(rank[down] - rank[up] - 1 for up, down in graph.edges)


# ----------------------------------------------------------------------------------------------
# rendering
# ----------------------------------------------------------------------------------------------


def find_renderer() -> str | None:
    """The path of a Graphviz ``dot`` binary: the system ``dot`` on PATH, else ``graphviz-pure``'s.

    The ``graphviz-pure`` wheel installs one program (``graphviz-pure``, same flags as ``dot``) into
    the environment's scripts directory; it is found through the package's installed file list, so
    a kernel whose PATH lacks that directory still finds it, then on PATH. ``None`` when neither.
    """
    import shutil

    return shutil.which("dot") or _wheel_renderer() or _first_on_path(_RENDERER_NAMES)


def _wheel_renderer() -> str | None:
    """The ``graphviz-pure`` binary listed in the installed distribution's RECORD, if any."""
    import os
    from importlib import metadata

    try:
        files = metadata.distribution("graphviz-pure").files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name in _RENDERER_NAMES:
            path = pathlib.Path(str(file.locate())).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    return None


def _first_on_path(names: Iterable[str]) -> str | None:
    import shutil

    return next((found for found in map(shutil.which, names) if found), None)


def render(dot: str, fmt: str = "svg", *, timeout: float = _RENDER_TIMEOUT) -> bytes | None:
    """``dot`` rendered as ``fmt`` (``"svg"`` or ``"png"``) by :func:`find_renderer`'s binary.

    Returns ``None`` when no renderer is installed. Another format is a :class:`ValueError`; a
    renderer that fails or runs longer than ``timeout`` seconds raises :class:`GraphRenderError`
    with its error output. The SVG bytes are the renderer's own; :func:`static_svg` cleans them.
    """
    _check_format(fmt)
    renderer = find_renderer()
    if renderer is None:
        return None
    return _run_renderer(renderer, dot, fmt, timeout)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(
            f"Cannot render the graph as {fmt!r}: use one of {listing(FORMATS)}, "
            "or save the DOT text (.dot) and convert it with Graphviz."
        )


def _run_renderer(renderer: str, dot: str, fmt: str, timeout: float) -> bytes:
    import subprocess

    command = [renderer, f"-T{fmt}"]
    try:
        done = subprocess.run(command, input=dot.encode("utf-8"), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GraphRenderError(
            f"Graphviz ({renderer}) did not finish rendering the graph within {timeout:g} s. "
            "Draw a smaller selection (select=...), or save the DOT text (.dot) and render it yourself."
        ) from None
    except OSError as error:
        raise GraphRenderError(
            f"Could not run Graphviz ({renderer}): {exception_summary(error)}. "
            "Reinstall it (pip install graphviz-pure) or put a working 'dot' on PATH."
        ) from error
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip() or "(no error output)"
        raise GraphRenderError(
            f"Graphviz ({renderer}) failed to render the graph as {fmt} "
            f"(exit status {done.returncode}): {stderr}"
        )
    return done.stdout


# ----------------------------------------------------------------------------------------------
# static SVG
# ----------------------------------------------------------------------------------------------

_BANNED_TAGS = frozenset({"script", "foreignObject", "iframe", "object", "embed", "image", "audio", "video"})
_SVG_NS = "http://www.w3.org/2000/svg"
_PREFIXES = {"http://www.w3.org/1999/xlink": "xlink", "http://www.w3.org/XML/1998/namespace": "xml"}
_QUALIFIED = re.compile(r"\A\{([^}]*)\}(.*)\Z", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)


def static_svg(svg: str) -> str:
    """``svg`` made static and self-contained, for notebook output and files.

    Drops everything before the ``<svg`` element (XML declaration, the DOCTYPE that points at an
    external DTD, comments), then removes script and embedding elements (``script``,
    ``foreignObject``, ``image``, elements of other XML namespaces...), event handler attributes
    (``onload``...) and references that leave the document (an ``href`` or CSS ``url()`` not
    starting with ``#``, ``@import``). Graphviz output of :func:`graph_to_dot` has none of these,
    so it comes back unchanged apart from the prolog. Not SVG: :class:`GraphRenderError`.
    """
    import xml.etree.ElementTree as ET

    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise GraphRenderError(f"The renderer's output is not valid SVG ({error}).") from None
    if _split(root.tag)[1] != "svg":
        raise GraphRenderError(f"The renderer's output is not SVG: its root element is {root.tag!r}.")
    if not _strip_active_content(root) and "<?" not in body:
        return body
    _unqualify(root)
    return ET.tostring(root, encoding="unicode")  # the parser has dropped comments and PIs


def _split(name: str) -> tuple[str, str]:
    """``(namespace, local name)`` of an ElementTree name; the namespace is ``""`` when none."""
    match = _QUALIFIED.match(name)
    return (match.group(1), match.group(2)) if match else ("", name)


def _strip_active_content(root: Any) -> bool:
    """Remove banned elements and attributes in place; ``True`` when anything was removed."""
    changed = False
    for parent in root.iter():
        for child in [child for child in parent if _is_banned(child)]:
            parent.remove(child)
            changed = True
        for key in [key for key, value in parent.attrib.items() if _is_active(key, value)]:
            del parent.attrib[key]
            changed = True
    return changed


def _is_banned(element: Any) -> bool:
    namespace, tag = _split(str(element.tag))
    if namespace not in ("", _SVG_NS) or tag in _BANNED_TAGS:
        return True
    return tag == "style" and _refers_outside(element.text)


def _is_active(key: str, value: str) -> bool:
    namespace, attribute = _split(key)
    lowered = attribute.lower()
    if (namespace and namespace not in _PREFIXES) or lowered.startswith("on"):
        return True
    if lowered == "href":
        return not value.strip().startswith("#")
    return _refers_outside(value)


def _refers_outside(text: str | None) -> bool:
    """``True`` for CSS that imports or points at anything but a fragment of this document."""
    if not text:
        return False
    return "@import" in text.lower() or any(not target.startswith("#") for target in _CSS_URL.findall(text))


def _unqualify(root: Any) -> None:
    """Write names as plain SVG markup (``<g>``, ``xlink:href``), not ElementTree's ``ns0:`` prefixes,
    which HTML pages that inline the SVG would not understand."""
    for element in root.iter():
        element.tag = _split(element.tag)[1]
        for key in [key for key in element.attrib if key.startswith("{")]:
            namespace, attribute = _split(key)
            element.attrib[f"{_PREFIXES[namespace]}:{attribute}"] = element.attrib.pop(key)
    root.set("xmlns", _SVG_NS)
    root.set("xmlns:xlink", "http://www.w3.org/1999/xlink")


# ----------------------------------------------------------------------------------------------
# the display object
# ----------------------------------------------------------------------------------------------


class GraphView:
    """A drawn graph: DOT text, static SVG when a renderer is installed, counts for a summary.

    In Jupyter it shows as the SVG; without a renderer, as the DOT text and a one-line install
    hint. Works without IPython: ``view.dot``, ``view.svg``, ``view.save("graph.png")``.
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
        renderer = find_renderer()
        svg = note = None
        size = layout_size(graph) if render_svg and renderer and max_layout_size is not None else 0
        if max_layout_size is not None and size > max_layout_size:
            note = (
                f"too large to draw inline (layout size {size:,} > {max_layout_size:,}): "
                "narrow it with select=..., or save it as .svg, .png or .dot"
            )
        elif render_svg and renderer is not None:
            svg = static_svg(_run_renderer(renderer, dot, "svg", _RENDER_TIMEOUT).decode("utf-8"))
        counts = Counter(str(graph.kind_of(name)) for name in graph)
        return cls(
            dot, svg=svg, renderer=renderer, kind_counts=counts, edge_count=len(graph.edges), note=note
        )

    @property
    def summary(self) -> str:
        """``"resource graph: 3 resources, 4 assets, 6 edges"``."""
        parts = []
        for kind in _KIND_ORDER:
            count = self.kind_counts.get(str(kind), 0)
            if count:
                parts.append(_count(count, str(kind), _PLURALS[kind]))
        parts.append(_count(self.edge_count, "edge", "edges"))
        return "resource graph: " + ", ".join(parts)

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
        elif chosen == "svg":
            target.write_text(self.svg if self.svg is not None else self._rendered_svg(), encoding="utf-8")
        else:
            target.write_bytes(self._rendered(chosen))
        return target

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
        """``image/svg+xml`` (static) when rendered, else ``text/html`` with the DOT text; always
        ``text/plain``. ``include``/``exclude`` filter the MIME types."""
        bundle = {"text/plain": self._plain_text()}
        if self.svg is not None:
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
        drawn = "svg" if self.svg is not None else "dot only"
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
