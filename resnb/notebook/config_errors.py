"""Errors of notebook config: :class:`FieldProblem` (one field) and :class:`ConfigArgError` (all of them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from resnb.errors import ConfigError

__all__ = ["ConfigArgError", "FieldProblem", "raise_problems"]


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field: ``key``, dotted ``field`` path ("" for the whole resource).

    ``key`` is ``"?"`` for a problem of the input as a whole, before any key could be read.

    ``kind`` says what ``key`` names: a ``"resource"`` key, or an ``"asset"`` (asset config).
    """

    key: str
    field: str
    message: str
    kind: str = "resource"

    def __str__(self) -> str:
        if self.key == "?":  # a problem of the input as a whole (unreadable JSON or item)
            return f"{self.kind} config: {self.message}"
        where = f"{self.kind} '{self.key}'"
        return f"{where}, field '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"


class ConfigArgError(ConfigError, ValueError):
    """Config given to a magic or form is invalid. Lists every problem (key, field, what to do).

    ``problems`` holds them one by one, for forms that show each next to its widget.
    """

    def __init__(self, problems: Sequence[FieldProblem] | FieldProblem) -> None:
        self.problems = (problems,) if isinstance(problems, FieldProblem) else tuple(problems)
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            text = f"{len(self.problems)} config problems:\n" + "\n".join(f"  {p}" for p in self.problems)
        super().__init__(text)

    @property
    def key(self) -> str:
        """The resource key of the first problem."""
        return self.problems[0].key

    @property
    def field(self) -> str:
        """The field path of the first problem ("" when it concerns the resource as a whole)."""
        return self.problems[0].field


def raise_problems(problems: Sequence[FieldProblem]) -> None:
    """Raise one :class:`ConfigArgError` listing ``problems``; do nothing when there are none."""
    if problems:
        raise ConfigArgError(problems)
