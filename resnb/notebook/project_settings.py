"""The ``[tool.resnb]`` section of a project's ``pyproject.toml``: defaults for the extension's settings.

When ``%load_ext resnb`` runs, the nearest ``pyproject.toml`` from the working directory upwards is
read; each key of its ``[tool.resnb]`` table sets the :class:`~resnb.notebook.magic_support.Resnb`
setting of that name (``graph_format = "dot"``, ``log_level = "DEBUG"``...), unless IPython's own
configuration already sets it. ``%config Resnb.<name> = ...`` changes a setting afterwards. An
unknown key or a bad value is a ``UsageError`` naming the file and the key, before anything is
registered. This is the jupysql convention (``[tool.jupysql.SqlMagic]``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError
from traitlets import TraitError
from traitlets.config import Configurable

from resnb.errors import did_you_mean, listing

__all__ = ["apply_project_settings", "find_pyproject", "read_tool_section"]

_SECTION = "tool.resnb"


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` or one of its parents, if any."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_tool_section(path: Path) -> dict[str, Any]:
    """The ``[tool.resnb]`` table of ``path`` (empty when it has none); a bad file is a ``UsageError``."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised by CI on Python 3.10
        import tomli as tomllib

    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"Cannot read the resnb settings in {path}: {exc}. Fix the file.") from None
    section = document.get("tool", {}).get("resnb", {})
    if not isinstance(section, Mapping):
        raise UsageError(f'[{_SECTION}] in {path} must be a table of settings, like graph_format = "dot".')
    return dict(section)


def apply_project_settings(
    settings: Configurable, ipython_config: Any, start: Path | None = None
) -> Path | None:
    """Set ``settings`` from the nearest pyproject's ``[tool.resnb]``; return that file if it had one.

    Keys that IPython's configuration (``ipython_config.py``, ``c.Resnb.<name>``) already sets
    keep their value from there.
    """
    path = find_pyproject(start if start is not None else Path.cwd())
    if path is None:
        return None
    section = read_tool_section(path)
    if not section:
        return None
    names = sorted(settings.class_traits(config=True))
    configured = _ipython_configured(ipython_config, type(settings).__name__)
    for key, value in section.items():
        if key not in names:
            raise UsageError(
                f"[{_SECTION}] in {path} has an unknown setting '{key}'.{did_you_mean(key, names)} "
                f"Its settings: {listing(names)}."
            )
        if key in configured:
            continue
        try:
            setattr(settings, key, value)
        except TraitError as exc:
            help_text = settings.class_traits()[key].help
            raise UsageError(
                f"[{_SECTION}] in {path}: {key} = {value!r} is not valid ({_trait_problem(exc)}). "
                f"{key}: {help_text}"
            ) from None
    return path


def _ipython_configured(ipython_config: Mapping[str, Any], class_name: str) -> set[str]:
    """The settings IPython's own configuration gives the class ``class_name``."""
    section = ipython_config.get(class_name)  # dict.get: a traitlets Config creates no section here
    return set(section) if isinstance(section, Mapping) else set()


def _trait_problem(exc: TraitError) -> str:
    """traitlets' message without its class-and-trait prefix."""
    text = str(exc).strip()
    marker = " expected "
    return text[text.index(marker) + 1 :] if marker in text else text
