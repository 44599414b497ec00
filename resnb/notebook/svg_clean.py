"""Static, self-contained SVG: no script, no external reference, so it survives nbconvert, VS Code
and GitHub, and a page that inlines it runs nothing."""

from __future__ import annotations

import re
from typing import Any

from resnb.errors import GraphRenderError

__all__ = ["static_svg"]

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
    starting with ``#``, ``@import``). Graphviz output of
    :func:`~resnb.notebook.render_dot.graph_to_dot` has none of these, so it comes back unchanged
    apart from the prolog. Not SVG: :class:`~resnb.errors.GraphRenderError`.
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
