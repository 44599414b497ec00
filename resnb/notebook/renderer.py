"""Running Graphviz: finding a ``dot`` binary, estimating its work, and rendering DOT text with it.

Rendering runs the system ``dot`` when it is on PATH, else the binary of the ``graphviz-pure`` wheel
(``pip install graphviz-pure``: no system package needed), else there is nothing to run. The
``graphviz`` Python package is not needed here: its ``pipe`` runs ``dot`` by name only, while resnb
must choose the binary, so the renderer is run with ``subprocess``.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable

from resnb.core.graph import DependencyGraph
from resnb.errors import DependencyCycleError, GraphRenderError, exception_summary, listing

__all__ = [
    "FORMATS",
    "INSTALL_HINT",
    "MAX_LAYOUT_SIZE",
    "RENDER_TIMEOUT",
    "GraphRenderError",
    "find_renderer",
    "layout_size",
    "render",
    "run_renderer",
]

#: The image formats :func:`render` produces.
FORMATS = ("png", "svg")

#: Shown (one line) when no Graphviz binary is found.
INSTALL_HINT = "no Graphviz renderer found: pip install graphviz-pure, or install Graphviz"

#: Graphs whose layout size (:func:`layout_size`) exceeds this are not drawn inline: Graphviz would
#: take seconds to minutes. Their DOT text is still shown, and ``save()`` renders them on request.
MAX_LAYOUT_SIZE = 12_000

#: Seconds a renderer may run before :class:`GraphRenderError`.
RENDER_TIMEOUT = 30.0

_RENDERER_NAMES = ("graphviz-pure", "graphviz-pure.exe")


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


def render(dot: str, fmt: str = "svg", *, timeout: float = RENDER_TIMEOUT) -> bytes | None:
    """``dot`` rendered as ``fmt`` (``"svg"`` or ``"png"``) by :func:`find_renderer`'s binary.

    Returns ``None`` when no renderer is installed. Another format is a :class:`ValueError`; a
    renderer that fails or runs longer than ``timeout`` seconds raises :class:`GraphRenderError`
    with its error output. The SVG bytes are the renderer's own;
    :func:`~resnb.notebook.svg_clean.static_svg` cleans them.
    """
    _check_format(fmt)
    renderer = find_renderer()
    if renderer is None:
        return None
    return run_renderer(renderer, dot, fmt, timeout)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(
            f"Cannot render the graph as {fmt!r}: use one of {listing(FORMATS)}, "
            "or save the DOT text (.dot) and convert it with Graphviz."
        )


def run_renderer(renderer: str, dot: str, fmt: str, timeout: float = RENDER_TIMEOUT) -> bytes:
    """The output of the Graphviz binary ``renderer`` run on ``dot`` with ``-T{fmt}``.

    A renderer that cannot start, fails, or runs longer than ``timeout`` seconds raises
    :class:`GraphRenderError` naming the binary, with its exit status and error output.
    """
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


def layout_size(graph: DependencyGraph) -> int:
    """An estimate of Graphviz's work for ``graph``: its nodes plus the virtual nodes of long edges.

    ``dot`` puts each node on a rank (a column, left to right) and routes an edge spanning k ranks
    through k - 1 virtual nodes; its time grows faster than linearly with their total. Ranks are
    estimated as topological levels, with nodes that depend on nothing moved right next to their
    first user (where ``dot`` puts them). A graph with a cycle counts one virtual node per edge.
    Compare it with :data:`MAX_LAYOUT_SIZE`.
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
