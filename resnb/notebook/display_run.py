"""``MaterializeResult``: the live progress of a ``%materialize`` run, then its result."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from resnb.errors import InvariantViolationError, did_you_mean, exception_summary, listing
from resnb.notebook.tables import Displayable, duration_text, html_table, text_table

__all__ = ["MaterializeResult", "RunRow"]


@dataclass
class RunRow:
    """One step of a run: the asset(s) it materialises, its status and duration."""

    step: str
    assets: tuple[str, ...]
    status: str = "pending"
    duration: float | None = None
    error: str = ""

    @property
    def label(self) -> str:
        """The asset names, comma separated."""
        return ", ".join(self.assets) or self.step


class MaterializeResult(Displayable):
    """Per-asset status and duration of one run; ``.value(name)`` gives a value it produced.

    While the run goes on, the same object is the live progress display (statuses pending,
    running, succeeded, failed, skipped).
    """

    def __init__(self, rows: Sequence[RunRow], run_id: str = "") -> None:
        self.rows = list(rows)
        self.run_id = run_id
        self.finished = False
        self._values: dict[str, Any] = {}
        self._by_step = {row.step: row for row in self.rows}

    # -- progress --------------------------------------------------------------------------------
    def mark(
        self, step: str, status: str, duration: float | None = None, error: BaseException | None = None
    ) -> None:
        """Record a status change of ``step``."""
        row = self._by_step.get(step)
        if row is None:
            return
        row.status = status
        if duration is not None:
            row.duration = duration
        if error is not None:
            row.error = exception_summary(error)

    def finish(self, values: Mapping[str, Any], run_id: str) -> None:
        """The run is over: keep the values it produced (asset name -> value)."""
        self._values = dict(values)
        self.run_id = run_id
        self.finished = True

    # -- results ---------------------------------------------------------------------------------
    @property
    def success(self) -> bool:
        """True when every step succeeded."""
        return self.finished and all(row.status == "succeeded" for row in self.rows)

    @property
    def asset_names(self) -> list[str]:
        """The assets of this run, in execution order."""
        return [name for row in self.rows for name in row.assets]

    def statuses(self) -> dict[str, str]:
        """Asset name -> status."""
        return {name: row.status for row in self.rows for name in row.assets}

    def failed(self) -> list[RunRow]:
        """The rows of the steps that failed."""
        return [row for row in self.rows if row.status == "failed"]

    def has_value(self, name: str) -> bool:
        """Whether asset ``name`` got a value in this run (not one that stored its data itself)."""
        return name in self._values

    def value(self, name: str) -> Any:
        """The value asset ``name`` got in this run."""
        if name in self._values:
            return self._values[name]
        statuses = self.statuses()
        if statuses.get(name) == "succeeded":
            raise InvariantViolationError(
                f"Asset '{name}' succeeded without a value: it returned a MaterializeResult without "
                "value=, so its data is where the asset stored it."
            )
        if name in statuses:
            raise InvariantViolationError(f"Asset '{name}' has no value from this run: it {statuses[name]}.")
        raise InvariantViolationError(
            f"Asset '{name}' was not part of this run. Assets of this run: {listing(statuses)}."
            f"{did_you_mean(name, statuses)}"
        )

    __getitem__ = value

    def _ipython_key_completions_(self) -> list[str]:
        return self.asset_names

    # -- display ---------------------------------------------------------------------------------
    def _headline(self) -> str:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing to run"
        total = sum(row.duration or 0.0 for row in self.rows)
        state = "done" if self.finished else "running"
        return f"materialize ({state}): {summary} in {duration_text(total)}"

    def _table_rows(self) -> Iterable[tuple[str, str, str, str]]:
        for row in self.rows:
            yield row.label, row.status, duration_text(row.duration), row.error

    def _text(self) -> str:
        headers = ("asset", "status", "duration", "error")
        return self._headline() + "\n" + text_table(headers, list(self._table_rows()))

    def _html(self) -> str:
        headers = ("asset", "status", "duration", "error")
        table = html_table(headers, list(self._table_rows()), status_column=1)
        return f"<div><p>{html.escape(self._headline())}</p>{table}</div>"
