"""``ResourceTable`` (what ``%resources`` shows) and ``BuiltResources`` (what ``%build_resources`` returns)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from resnb.core.context import Resources
from resnb.core.definitions import Definitions
from resnb.core.resources import ConfigurableResourceFactory, PartialResource
from resnb.notebook.describe import (
    built_config_text,
    config_text,
    env_var_names,
    joined,
    masked_by_name_note,
    type_text,
    usage,
)
from resnb.notebook.tables import MISSING_STATE, Displayable, clock_time, html_table, text_table

__all__ = ["MISSING_STATE", "BuiltResources", "OpenInfo", "ResourceRow", "ResourceTable"]

_MAX_REPR = 120

DEFAULT_IO_MANAGER = "io_manager"  # provided by the session when the Definitions do not


@dataclass(frozen=True)
class ResourceRow:
    """One resource, described safely (see :mod:`resnb.notebook.describe`)."""

    key: str
    type: str
    config: str
    env_vars: tuple[str, ...]
    depends_on: tuple[str, ...]
    used_by: tuple[str, ...]
    state: str

    def cells(self) -> tuple[str, ...]:
        """The row as table cells."""
        env = joined([f"${name}" for name in self.env_vars])
        return (
            self.key,
            self.type,
            self.config or "-",
            env,
            joined(self.depends_on),
            joined(self.used_by),
            self.state,
        )


class ResourceTable(Displayable):
    """Every resource of the loaded Definitions: key, type, config (masked), env vars, links, state.

    Keys that assets or ops need but nobody provides are rows too, in state :data:`MISSING_STATE`.
    An open resource shows the config it was built with, fields that differ from the declaration
    marked (``port=5433 (built; declared 5432)``).
    """

    headers = ("key", "type", "config", "env vars", "depends on", "used by", "state")

    def __init__(self, rows: Sequence[ResourceRow]) -> None:
        self.rows = list(rows)

    @classmethod
    def from_definitions(
        cls,
        defs: Definitions,
        resources: Mapping[str, Any],
        open_since: Mapping[str, float],
        built: Mapping[str, Any] | None = None,
    ) -> ResourceTable:
        """Describe ``resources`` (the bound resources of ``defs``); ``open_since``: key -> build time.

        ``built`` maps open keys to what they were built from (the declaration with the build's
        config applied).
        """
        built = built or {}
        depends, used_by = usage(defs)
        rows = []
        for key in sorted(set(used_by) - set(resources) - {DEFAULT_IO_MANAGER}):
            rows.append(ResourceRow(key, "-", "", (), (), tuple(used_by[key]), MISSING_STATE))
        for key in sorted(resources):
            value = resources[key]
            state = f"built {clock_time(open_since[key])}" if key in open_since else "-"
            rows.append(
                ResourceRow(
                    key,
                    type_text(value),
                    built_config_text(value, built[key]) if key in built else config_text(value),
                    tuple(env_var_names(value)),
                    tuple(depends.get(key, ())),
                    tuple(used_by.get(key, ())),
                    state,
                )
            )
        return cls(rows)

    @property
    def keys(self) -> list[str]:
        """The resource keys, sorted."""
        return [row.key for row in self.rows]

    def __getitem__(self, key: str) -> ResourceRow:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    @property
    def missing(self) -> list[str]:
        """The keys needed but not provided."""
        return [row.key for row in self.rows if row.state == MISSING_STATE]

    def _note(self) -> str:
        return masked_by_name_note(*(row.config for row in self.rows))

    def _text(self) -> str:
        if not self.rows:
            return "No resources."
        missing = f" ({len(self.missing)} missing)" if self.missing else ""
        title = f"{len(self.rows) - len(self.missing)} resource(s){missing}:\n"
        note = f"\n{self._note()}" if self._note() else ""
        return title + text_table(self.headers, [r.cells() for r in self.rows]) + note

    def _html(self) -> str:
        if not self.rows:
            return "<p>No resources.</p>"
        table = html_table(self.headers, [r.cells() for r in self.rows], status_column=len(self.headers) - 1)
        return table + _html_note(self._note())


@dataclass(frozen=True)
class OpenInfo:
    """What a session knows about an open resource, for display."""

    type: str
    since: float
    shown: str


def _html_note(note: str) -> str:
    return f'<p style="font-size:smaller" title="masked by name">{html.escape(note)}</p>' if note else ""


def describe_open(value: Any, since: float, built_from: Any = None) -> OpenInfo:
    """An :class:`OpenInfo` for ``value``, built from ``built_from`` (its effective declaration).

    Only a resource declared as a class shows its fields, taken from ``built_from`` (where an
    ``EnvVar`` is still a reference, shown as ``$NAME``) with secrets masked, by declaration or
    by name; other values show nothing.
    """
    shown = ""
    if isinstance(built_from, (ConfigurableResourceFactory, PartialResource)):
        shown = f"{type(value).__name__}({config_text(built_from)})"
    if len(shown) > _MAX_REPR:
        shown = shown[: _MAX_REPR - 3] + "..."
    return OpenInfo(type(value).__name__, since, shown)


class BuiltResources(Displayable, Resources):
    """The resources a session has open: ``built.warehouse`` or ``built["warehouse"]``.

    A :class:`resnb.Resources` (attribute and item access, ``in``, iteration over keys) that
    also displays as a table of key, type, build time and a masked description. ``replaced``
    lists the keys whose previous build was torn down to build them again.
    """

    __slots__ = ("_info", "_replaced")

    def __init__(
        self, values: Mapping[str, Any], info: Mapping[str, OpenInfo], replaced: Sequence[str] = ()
    ) -> None:
        super().__init__(values, hint="Build it first (%build_resources KEY) or check the key in %resources.")
        object.__setattr__(self, "_info", dict(info))
        object.__setattr__(self, "_replaced", list(replaced))

    def _ipython_key_completions_(self) -> list[str]:
        return list(self._values)

    def _cells(self) -> list[tuple[str, str, str, str]]:
        cells = []
        for key in self._values:
            info = self._info.get(key)
            if info is None:
                cells.append((key, type(self._values[key]).__name__, "-", ""))
            else:
                cells.append((key, info.type, clock_time(info.since), info.shown))
        return cells

    def _notes(self) -> list[str]:
        notes = []
        if self._replaced:
            notes.append(
                f"Rebuilt: replaced the previous build of {', '.join(self._replaced)} (torn down first)."
            )
        masked = masked_by_name_note(*(info.shown for info in self._info.values()))
        return [*notes, masked] if masked else notes

    def _text(self) -> str:
        if not self._values:
            return "No resources are open."
        table = text_table(("key", "type", "built", "value"), self._cells())
        return "\n".join([f"{len(self._values)} open resource(s):\n{table}", *self._notes()])

    def _html(self) -> str:
        if not self._values:
            return "<p>No resources are open.</p>"
        title = f"<p>{html.escape(f'{len(self._values)} open resource(s)')}</p>"
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self._notes())
        return title + html_table(("key", "type", "built", "value"), self._cells()) + notes
