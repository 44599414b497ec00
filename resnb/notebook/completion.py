"""Tab completion of asset names, resource keys, config fields and flags in the resnb magics.

One IPython completion matcher (API v2, IPython >= 8.6) reads the line up to the cursor: after
``%materialize`` or ``%asset_value`` it offers asset names, after ``%build_resources`` resource
keys (and ``key.field=`` after ``--config``), after ``%teardown_resources`` the open keys, and
the magic's flags for a word starting with ``-``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from IPython.core.completer import CompletionContext, SimpleCompletion, completion_matcher

__all__ = ["MATCHER_ID", "make_matcher"]

MATCHER_ID = "resnb.magics"

_ASSET_MAGICS = {"materialize", "asset_value"}
_MAGICS = _ASSET_MAGICS | {"build_resources", "teardown_resources", "resource_graph"}
# "%magic rest" or "name = %magic rest" (the cursor is at the end of ``rest``)
_MAGIC_LINE = re.compile(r"^\s*(?:[A-Za-z_][\w.]*\s*=\s*)?%(?P<magic>\w+)(?P<rest>.*)$")
_NO_COMPLETION_FLAGS = {"-o", "--out", "-j", "--config-json", "-O", "--output"}
_SELECT_FLAGS = {"-s", "--select"}
_CONFIG_FLAGS = {"-c", "--config"}
_FORMAT_FLAGS = {"-f", "--format"}


def make_matcher(magics: Any) -> Callable[[CompletionContext], dict[str, Any]]:
    """A matcher completing the magics of ``magics`` (a ``ResnbMagics``) from its session."""

    @completion_matcher(identifier=MATCHER_ID, priority=10, api_version=2)
    def resnb_matcher(context: CompletionContext) -> dict[str, Any]:
        found = _candidates(magics, context.text_until_cursor)
        if found is None:
            return {"completions": [], "suppress": False}
        kind, names = found
        token = context.token
        matches = [SimpleCompletion(name, type=kind) for name in names if name.startswith(token)]
        return {"completions": matches, "suppress": True}

    return resnb_matcher


def _candidates(magics: Any, line: str) -> tuple[str, list[str]] | None:
    match = _MAGIC_LINE.match(line)
    if match is None or match["magic"] not in _MAGICS:
        return None
    magic, rest = match["magic"], match["rest"]
    if not rest[:1].isspace():
        return None  # still typing the magic's name
    words = rest.split()
    ends_with_space = rest[-1:].isspace()
    previous = words if ends_with_space else words[:-1]
    current = "" if ends_with_space else words[-1]
    if current.startswith("-"):
        return "flag", _flags(magics, magic)
    flag = _last_flag(previous)
    if flag in _NO_COMPLETION_FLAGS:
        return None
    return _for_magic(magics, magic, flag, current, previous[-1] if previous else "")


def _last_flag(words: list[str]) -> str | None:
    for word in reversed(words):
        if word.startswith("-"):
            return word
    return None


def _for_magic(
    magics: Any, magic: str, flag: str | None, current: str, previous: str
) -> tuple[str, list[str]] | None:
    session = magics.session
    if session.loaded is None:
        return "name", []  # nothing loaded: nothing to offer, and nothing unrelated either
    if magic == "resource_graph":
        if previous in _FORMAT_FLAGS:
            return "format", ["svg", "dot", "png"]
        return ("asset", session.asset_names) if previous in _SELECT_FLAGS else None
    if magic in _ASSET_MAGICS:
        return "asset", session.asset_names
    if magic == "build_resources" and flag in _CONFIG_FLAGS:
        return "config", _config_items(session, current)
    if magic == "teardown_resources":
        return "resource", list(session.built()) or session.resource_keys
    return "resource", session.resource_keys


def _config_items(session: Any, current: str) -> list[str]:
    """``key.`` for each resource; once a key is typed, ``key.field=`` for each of its fields."""
    key = current.split(".", 1)[0]
    definitions = session.resource_definitions
    if "." not in current or key not in definitions:
        return [f"{k}." for k in sorted(definitions)]
    return [f"{key}.{name}=" for name in _field_names(definitions[key])]


def _field_names(definition: Any) -> Iterable[str]:
    from resnb.notebook.config_args import fields_of

    try:
        return sorted(fields_of(definition))
    except Exception:  # a resource without config fields: nothing to offer
        return []


def _flags(magics: Any, magic: str) -> list[str]:
    parser = getattr(getattr(magics, magic), "parser", None)
    if parser is None:
        return []
    return sorted(s for action in parser._actions for s in action.option_strings)
