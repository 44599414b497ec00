"""Tab completion of asset names, resource keys, config fields and flags in the resnb magics.

One IPython completion matcher (API v2, IPython >= 8.6) reads the line up to the cursor: after
``%materialize`` or ``%asset_value`` it offers asset names, after ``%build_resources`` resource
keys (and ``key.field=`` after ``--config``; on the first line of a ``%%build_resources`` cell too), after ``%teardown_resources`` the open keys, after
``%resource_graph --select`` asset names and ``resource:KEY``, and the magic's flags for a word
starting with ``-``. Where a flag waits for a file name (``--output``) or a free value (``-o``),
it steps aside, so IPython's own completers (file names, Python names) answer. ``%resnb``
completes its subcommands, then as the magic the subcommand runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from IPython.core.completer import CompletionContext, SimpleCompletion, completion_matcher

from resnb.notebook.magics import SUBCOMMANDS, subcommand_magic

__all__ = ["MATCHER_ID", "make_matcher"]

MATCHER_ID = "resnb.magics"

_ASSET_MAGICS = {"materialize", "asset_value"}
_MAGICS = _ASSET_MAGICS | {"build_resources", "teardown_resources", "resource_graph"}
# "%magic rest" or "name = %magic rest" (the cursor is at the end of ``rest``)
_MAGIC_LINE = re.compile(r"^\s*(?:[A-Za-z_][\w.]*\s*=\s*)?%(?P<cell>%)?(?P<magic>\w+)(?P<rest>.*)$")
_CELL_MAGICS = {"build_resources"}
_NO_COMPLETION_FLAGS = {"-o", "--out", "-j", "--config-json", "-v", "--config-var", "-O", "--output"}
_SELECT_FLAGS = {"-s", "--select"}
_CONFIG_FLAGS = {"-c", "--config"}
_FORMAT_FLAGS = {"-f", "--format"}
# what comes before a name in a selection: "+name", "2+name", "*name", "a,name"
_SELECTION_PREFIX = re.compile(r"^.*[,+*]")


@dataclass(frozen=True)
class _Offer:
    """Candidates of one kind for the ``fragment`` just before the cursor."""

    kind: str
    names: list[str]
    fragment: str


def make_matcher(magics: Any) -> Callable[[CompletionContext], dict[str, Any]]:
    """A matcher completing the magics of ``magics`` (a ``ResnbMagics``) from its session."""

    @completion_matcher(identifier=MATCHER_ID, priority=10, api_version=2)
    def resnb_matcher(context: CompletionContext) -> dict[str, Any]:
        offer = _offer(magics, context.text_until_cursor)
        if offer is None:
            return {"completions": [], "suppress": False}
        matches = [SimpleCompletion(n, type=offer.kind) for n in offer.names if n.startswith(offer.fragment)]
        return {"completions": matches, "suppress": True, "matched_fragment": offer.fragment}

    return resnb_matcher


def _offer(magics: Any, line: str) -> _Offer | None:
    match = _MAGIC_LINE.match(line)
    if match is None or (match["cell"] and match["magic"] not in _CELL_MAGICS):
        return None
    if match["magic"] == "resnb":
        return _umbrella_offer(magics, match["rest"])
    if match["magic"] not in _MAGICS:
        return None
    magic, rest = match["magic"], match["rest"]
    if not rest[:1].isspace():
        return None  # still typing the magic's name
    words = rest.split()
    ends_with_space = rest[-1:].isspace()
    previous = words if ends_with_space else words[:-1]
    current = "" if ends_with_space else words[-1]
    if current.startswith("-"):
        return _Offer("flag", _flags(magics, magic), current)
    flag = _pending_flag(_parser(magics, magic), previous)
    if flag in _NO_COMPLETION_FLAGS:
        return None
    if flag in _SELECT_FLAGS:
        current = _SELECTION_PREFIX.sub("", current)
    found = _for_magic(magics, magic, flag, current)
    return None if found is None else _Offer(found[0], found[1], current)


def _pending_flag(parser: Any, words: list[str]) -> str | None:
    """The flag whose value the word at the cursor is, or None when it is a positional argument.

    A flag taking one value (``-o NAME``) waits only for the word right after it; one taking
    several (``--config A=1 B=2``) for every word up to the next flag; a switch for none.
    """
    actions = getattr(parser, "_option_string_actions", {})
    for after, word in enumerate(reversed(words)):
        if not word.startswith("-"):
            continue
        action = actions.get(word)
        if action is None or action.nargs == 0:
            return None
        if action.nargs in ("+", "*"):
            return word
        return word if after == 0 else None
    return None


def _for_magic(magics: Any, magic: str, flag: str | None, current: str) -> tuple[str, list[str]] | None:
    session = magics.session
    if session.loaded is None:
        return "name", []  # nothing loaded: nothing to offer, and nothing unrelated either
    if magic == "resource_graph":
        if flag in _FORMAT_FLAGS:
            return "format", ["svg", "dot", "png"]
        if flag in _SELECT_FLAGS:
            return "asset", [*session.asset_names, *(f"resource:{k}" for k in session.resource_keys)]
        return None
    if magic == "materialize" and flag in _CONFIG_FLAGS:
        models = {name: info.model for name, info in session.asset_configs.items() if info.model}
        return "config", _config_items(models, current)
    if magic in _ASSET_MAGICS:
        return "asset", session.asset_names
    if magic == "build_resources" and flag in _CONFIG_FLAGS:
        return "config", _config_items(session.resource_definitions, current)
    if magic == "teardown_resources":
        return "resource", list(session.built()) or session.resource_keys
    return "resource", session.resource_keys


def _parser(magics: Any, magic: str) -> Any:
    return getattr(getattr(magics, magic, None), "parser", None)


def _config_items(definitions: Mapping[str, Any], current: str) -> list[str]:
    """``key.`` for each resource (or asset); once a key is typed, ``key.field=`` for each field.

    ``definitions`` maps resource keys to declarations, or asset names to their config models.
    """
    key = current.split(".", 1)[0]
    if "." not in current or key not in definitions:
        return [f"{k}." for k in sorted(definitions)]
    return [f"{key}.{name}=" for name in _field_names(definitions[key])]


def _field_names(definition: Any) -> Iterable[str]:
    from resnb.notebook.config_args import fields_of

    try:
        return sorted(fields_of(definition))
    except Exception:  # a resource without config fields: nothing to offer
        return []


def _umbrella_offer(magics: Any, rest: str) -> _Offer | None:
    """``%resnb`` completes its subcommands, then what the subcommand's magic completes."""
    if not rest[:1].isspace():
        return None
    stripped = rest.lstrip()
    word = stripped.split(None, 1)[0] if stripped else ""
    tail = stripped[len(word) :]
    if not tail:  # still typing the subcommand
        return _Offer("subcommand", [*SUBCOMMANDS, "help"], word)
    magic = subcommand_magic(word)
    return None if magic is None else _offer(magics, f"%{magic}{tail}")


def _flags(magics: Any, magic: str) -> list[str]:
    parser = _parser(magics, magic)
    if parser is None:
        return []
    return sorted(s for action in parser._actions for s in action.option_strings)
