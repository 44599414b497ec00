"""The body of a ``%%build_resources`` cell: resource config written as TOML or JSON.

A body starting with ``{`` is JSON; anything else is TOML, whose tables suit config well::

    %%build_resources
    [warehouse]
    user = "analyst"
    port = 5433

    [api]
    base_url = "http://localhost:8000"

Dagster's run-config shape is accepted as well (``[resources.warehouse.config]``), so a run config
can be pasted as it is. The text is never echoed in an error (it may hold secrets); a syntax error
names its line (counted in the cell, whose first line is the magic's) and column.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from resnb.errors import ConfigError
from resnb.notebook.config_values import read_config_json

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["parse_config_body"]

_LINE = re.compile(r"\bline (\d+)")


def parse_config_body(text: str) -> dict[str, Any]:
    """The mapping a cell body holds, for :func:`~resnb.notebook.config_args.parse_config_mapping`."""
    return _parse_json(text) if text.lstrip().startswith("{") else _parse_toml(text)


def _parse_json(text: str) -> dict[str, Any]:
    try:
        return read_config_json(text, '{"warehouse": {"port": 5433}}', "the cell's JSON", line_offset=1)
    except ValueError as exc:
        raise _error(str(exc)) from None


def _parse_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _error(
            f"the cell's TOML is not valid: {_cell_lines(str(exc))}. Write a table per resource key, such as "
            '[warehouse] with port = 5433 and user = "analyst" on the lines below it (or JSON starting with {).'
        ) from None


def _cell_lines(message: str) -> str:
    """A parser's message with its line numbers counted in the cell (the magic's own line is 1)."""
    return _LINE.sub(lambda match: f"line {int(match[1]) + 1} of the cell", message)


def _error(message: str) -> ConfigError:
    return ConfigError(f"%%build_resources: {message}")
