"""What the magics return: plain objects with a useful ``text/plain`` and an HTML table.

Each is usable without IPython (the command line prints their ``repr``). They hold strings that
were made safe when they were built (:mod:`resnb.notebook.describe`): no secret reaches them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from resnb.notebook.display_resources import BuiltResources, OpenInfo, ResourceRow, ResourceTable
from resnb.notebook.display_run import MaterializeResult, RunRow
from resnb.notebook.tables import Displayable, clock_time, duration_text, html_list, html_table, text_table

__all__ = [
    "BuiltResources",
    "DefsSummary",
    "MaterializeResult",
    "OpenInfo",
    "ReloadReport",
    "ResourceRow",
    "ResourceTable",
    "RunRow",
    "StatusReport",
    "TeardownReport",
]


def _bullets(title: str, items: Sequence[str]) -> list[str]:
    return [f"{title}:", *[f"  - {item}" for item in items]] if items else []


@dataclass(repr=False)
class DefsSummary(Displayable):
    """What was loaded: assets (with their groups), resources, jobs, problems found, and notes.

    ``notes`` say what the user should know about what was not loaded (loose notebook assets
    that the chosen ``Definitions`` leaves out).
    """

    source: str
    assets: Mapping[str, str]  # asset name -> group
    resources: Mapping[str, str]  # key -> type
    jobs: Sequence[str]
    problems: Sequence[str] = ()
    notes: Sequence[str] = ()

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def _counts(self) -> str:
        return f"{len(self.assets)} asset(s), {len(self.resources)} resource(s), {len(self.jobs)} job(s)"

    def _text(self) -> str:
        lines = [f"Loaded {self.source}: {self._counts()}"]
        if self.assets:
            lines.append("  assets:    " + ", ".join(self.assets))
        if self.resources:
            lines.append("  resources: " + ", ".join(f"{k} ({t})" for k, t in self.resources.items()))
        if self.jobs:
            lines.append("  jobs:      " + ", ".join(self.jobs))
        lines.extend(_bullets("Problems", self.problems))
        lines.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(lines)

    def _html(self) -> str:
        parts = [f"<p><b>Loaded {html.escape(self.source)}</b>: {html.escape(self._counts())}</p>"]
        rows = [("asset", name, group) for name, group in self.assets.items()]
        rows += [("resource", key, kind) for key, kind in self.resources.items()]
        rows += [("job", name, "") for name in self.jobs]
        if rows:
            parts.append(html_table(("kind", "name", "group / type"), rows))
        parts.append(html_list("Problems", self.problems))
        parts.append(html_list("Notes", self.notes))
        return "".join(parts)


@dataclass(repr=False)
class ReloadReport(Displayable):
    """What a reload changed, and which open resources were kept or torn down."""

    source: str
    added: Mapping[str, Sequence[str]] = field(default_factory=dict)  # "assets"/"resources" -> names
    removed: Mapping[str, Sequence[str]] = field(default_factory=dict)
    changed: Mapping[str, Sequence[str]] = field(default_factory=dict)
    torn_down: Sequence[str] = ()
    kept_open: Sequence[str] = ()

    @property
    def unchanged(self) -> bool:
        """True when nothing was added, removed or changed."""
        return not any(self._entries())

    def _entries(self) -> list[str]:
        entries = []
        for verb, groups in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
            for kind in ("assets", "resources"):
                names = groups.get(kind, ())
                if names:
                    entries.append(f"{kind} {verb}: {', '.join(names)}")
        return entries

    def _resource_lines(self) -> list[str]:
        lines = []
        if self.torn_down:
            lines.append(f"torn down: {', '.join(self.torn_down)}")
        if self.kept_open:
            lines.append(f"kept open: {', '.join(self.kept_open)}")
        return lines

    def _text(self) -> str:
        lines = [f"Reloaded {self.source}" + (": no changes" if self.unchanged else ":")]
        lines += [f"  {entry}" for entry in self._entries() + self._resource_lines()]
        return "\n".join(lines)

    def _html(self) -> str:
        state = "no changes" if self.unchanged else "changes"
        items = self._entries() + self._resource_lines()
        return f"<p><b>Reloaded {html.escape(self.source)}</b>: {state}</p>" + html_list("Details", items)


@dataclass(repr=False)
class TeardownReport(Displayable):
    """Which resources were torn down, which were not open, and teardowns that failed."""

    torn_down: Sequence[str] = ()
    not_open: Sequence[str] = ()
    problems: Mapping[str, str] = field(default_factory=dict)  # key -> error summary

    def _lines(self) -> list[str]:
        lines = [f"Torn down: {', '.join(self.torn_down)}" if self.torn_down else "Nothing was open."]
        if self.not_open:
            lines.append(f"Not open: {', '.join(self.not_open)}")
        lines += [f"Teardown of '{key}' failed: {error}" for key, error in self.problems.items()]
        return lines

    def _text(self) -> str:
        return "\n".join(self._lines())

    def _html(self) -> str:
        return "".join(f"<p>{html.escape(line)}</p>" for line in self._lines())


@dataclass(repr=False)
class StatusReport(Displayable):
    """The state of a session: what is loaded, open, materialized, failed, skipped and stale (and why).

    An asset whose last run failed is ``failed`` until its code changes; then it is ``stale``
    ("code changed since it failed", its last error kept in the reasons). ``skipped`` lists the
    assets whose last run was skipped because something upstream failed.
    """

    source: str | None
    loaded_at: float | None
    open: Mapping[str, OpenInfo]
    materialized: Mapping[str, tuple[float, float]]  # name -> (at, duration)
    failed: Mapping[str, str]  # name -> error summary
    stale: Mapping[str, Sequence[str]]  # name -> reasons
    skipped: Sequence[str] = ()

    def _state(self, name: str) -> str:
        if name in self.failed:
            return "failed"
        if name in self.stale:
            return "stale"
        return "skipped" if name in self.skipped else "materialized"

    def _why(self, name: str) -> str:
        if name in self.failed:
            return self.failed[name]
        if name in self.stale:
            return "; ".join(self.stale[name])
        return "an upstream asset failed in its last run" if name in self.skipped else ""

    def _asset_rows(self) -> list[tuple[str, str, str, str, str]]:
        names = list(dict.fromkeys([*self.materialized, *self.failed, *self.stale, *self.skipped]))
        rows = []
        for name in names:
            at, duration = self.materialized.get(name, (None, None))
            rows.append((name, self._state(name), clock_time(at), duration_text(duration), self._why(name)))
        return rows

    def _open_rows(self) -> list[tuple[str, str, str]]:
        return [(key, info.type, clock_time(info.since)) for key, info in self.open.items()]

    def _text(self) -> str:
        if self.source is None:
            return "Nothing loaded yet."
        lines = [f"Loaded {self.source} at {clock_time(self.loaded_at)}"]
        lines.append("Open resources:" if self.open else "Open resources: none")
        if self.open:
            lines.append(text_table(("key", "type", "since"), self._open_rows()))
        rows = self._asset_rows()
        lines.append("Assets:" if rows else "Assets: none materialized yet")
        if rows:
            lines.append(text_table(("asset", "state", "at", "duration", "why"), rows))
        return "\n".join(lines)

    def _html(self) -> str:
        if self.source is None:
            return "<p>Nothing loaded yet.</p>"
        parts = [f"<p><b>Loaded {html.escape(self.source)}</b> at {clock_time(self.loaded_at)}</p>"]
        parts.append("<p>Open resources:</p>" + html_table(("key", "type", "since"), self._open_rows()))
        headers = ("asset", "state", "at", "duration", "why")
        parts.append("<p>Assets:</p>" + html_table(headers, self._asset_rows(), status_column=1))
        return "".join(parts)
