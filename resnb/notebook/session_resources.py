"""``OpenResources``: the resources a session keeps open across cells, each torn down exactly once.

Each key is opened in its own :class:`~resnb.build.scope.ResourceScope`, with the keys it
depends on handed over as :class:`~resnb.build.scope.PreBuilt` values, so one key can be torn
down (with the open keys that depend on it) without touching the others.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from resnb._stack import user_stacklevel
from resnb.build.scope import PreBuilt, ResourceScope, TeardownProblem
from resnb.errors import ResnbError, ResourceFunctionError, listing
from resnb.notebook.display import BuiltResources
from resnb.notebook.display_resources import OpenInfo, describe_open
from resnb.notebook.fingerprint import resource_fingerprint
from resnb.notebook.session_state import OpenResource, effective_declaration, user_frames

__all__ = ["OpenResources"]


class OpenResources:
    """Open resources by key, in the order they were opened (dependencies first)."""

    def __init__(self) -> None:
        self.entries: dict[str, OpenResource] = {}
        self.teardown_problems: list[TeardownProblem] = []

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __getitem__(self, key: str) -> OpenResource:
        return self.entries[key]

    # -- opening ---------------------------------------------------------------------------------
    def build(
        self,
        declarations: Mapping[str, Any],
        prints: Mapping[str, str],
        wanted: list[str],
        configs: Mapping[str, Mapping[str, Any]],
    ) -> list[str]:
        """Open ``wanted`` and what they depend on; an open key in ``wanted`` is rebuilt.

        ``configs`` holds the complete config of some wanted keys. The open resources depending
        on a rebuilt key are rebuilt too, with their previous config. If one fails, everything
        this call opened is torn down and the error propagates. Returns the keys that were open
        and were torn down to be built again.
        """
        replaced = self.dependents(wanted)
        previous = {key: self.entries[key].config for key in replaced}
        rebuilt = self.close(wanted)
        for key in wanted:
            previous[key] = configs.get(key)
        order = ResourceScope(declarations).init_order([*wanted, *rebuilt])
        opened: list[str] = []
        try:
            for key in order:
                if key not in self.entries:
                    self._open_one(declarations, prints, key, previous.get(key))
                    opened.append(key)
        except BaseException as exc:
            self.close(opened)
            _say_what_was_closed(exc, [key for key in replaced if key not in self.entries])
            raise
        return list(reversed(replaced))

    def _open_one(
        self,
        declarations: Mapping[str, Any],
        prints: Mapping[str, str],
        key: str,
        config: Mapping[str, Any] | None,
    ) -> None:
        declaration = declarations[key]
        effective = effective_declaration(key, declaration, config)
        graph = ResourceScope(declarations)
        scope_resources: dict[str, Any] = {key: effective}
        for dependency in graph.init_order([key]):
            if dependency != key:
                entry = self.entries[dependency]
                scope_resources[dependency] = PreBuilt(entry.value, entry.declaration)
        scope = ResourceScope(scope_resources)
        try:
            value = scope.open([key])[key]
        except ResourceFunctionError as exc:
            raise user_frames(exc)
        self.entries[key] = OpenResource(
            key,
            value,
            scope,
            declaration,
            prints[key],
            resource_fingerprint(effective),
            time.time(),
            graph.dependencies(key),
            None if config is None else dict(config),
            built_from=effective,
        )

    # -- closing ---------------------------------------------------------------------------------
    def dependents(self, keys: Iterable[str]) -> list[str]:
        """The open ``keys`` plus the open resources depending on them, dependents first."""
        closing = {key for key in keys if key in self.entries}
        for key, entry in self.entries.items():  # in build order: dependencies come first
            if key not in closing and entry.dependencies & closing:
                closing.add(key)
        return [key for key in reversed(self.entries) if key in closing]

    def close(self, keys: Iterable[str]) -> list[str]:
        """Tear down the open ``keys`` and their open dependents; return the keys torn down, in order."""
        order = self.dependents(keys)
        for key in order:
            entry = self.entries.pop(key)
            self.teardown_problems.extend(entry.scope.close(stacklevel=user_stacklevel(below=1)))
        return order

    def refresh(self, declarations: Mapping[str, Any], prints: Mapping[str, str]) -> list[str]:
        """After a reload: tear down keys whose declaration changed or went away, adopt the rest."""
        changed = [key for key, entry in self.entries.items() if prints.get(key) != entry.declaration_print]
        torn_down = self.close(changed)
        for key, entry in self.entries.items():
            entry.declaration = declarations[key]
        return torn_down

    # -- views -----------------------------------------------------------------------------------
    def for_run(self, declarations: Mapping[str, Any]) -> dict[str, Any]:
        """``declarations`` with the open keys replaced by their built values (``PreBuilt``)."""
        return {
            key: PreBuilt(self.entries[key].value, value) if key in self.entries else value
            for key, value in declarations.items()
        }

    def since(self) -> dict[str, float]:
        """Key -> when it was built."""
        return {key: entry.since for key, entry in self.entries.items()}

    def built_from(self) -> dict[str, Any]:
        """Key -> what it was built from (the declaration with the build's config applied)."""
        return {key: entry.built_from for key, entry in self.entries.items()}

    def describe(self, key: str) -> OpenInfo:
        """How to show open resource ``key`` (secrets masked)."""
        entry = self.entries[key]
        return describe_open(entry.value, entry.since, entry.built_from)

    def built(self, replaced: Iterable[str] = ()) -> BuiltResources:
        """The open resources as a ``Resources`` object that displays as a table.

        ``replaced``: keys whose previous build was just torn down to build them again.
        """
        values = {key: entry.value for key, entry in self.entries.items()}
        info = {key: self.describe(key) for key in self.entries}
        return BuiltResources(values, info, list(replaced))


def _say_what_was_closed(exc: BaseException, closed: list[str]) -> None:
    """Append to a failed build's error which previously open resources it left closed."""
    if not closed or not isinstance(exc, ResnbError) or not exc.args or not isinstance(exc.args[0], str):
        return
    note = (
        f" The open resources {listing(closed)} were torn down to be rebuilt and are closed now: "
        "build them again once this works."
    )
    exc.args = (exc.args[0] + note, *exc.args[1:])
