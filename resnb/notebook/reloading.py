"""Re-importing a target's code: which modules, cached bytecode, and undoing a failed re-import.

A module target's whole package is imported afresh when it is project code (not the standard
library or site-packages, and never resnb itself), so edits to helper modules show too.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

__all__ = ["drop_bytecode", "project_modules", "restored_on_error"]


def project_modules(module_name: str) -> list[str]:
    """The loaded modules to re-import for ``module_name``: its whole package if it is project code."""
    top = module_name.split(".")[0]
    package = sys.modules.get(top)
    if package is None or not _is_project_code(package) or top == "resnb":
        return [module_name]
    prefix = top + "."
    names = [name for name in sys.modules if name == top or name.startswith(prefix)]
    return names if module_name in names else [*names, module_name]


def _installed_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(str(Path(root).resolve()) for root in roots if root)


def _is_project_code(module: ModuleType) -> bool:
    """True for modules loaded from source files outside the standard library and site-packages."""
    location = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", [])), None)
    if not location:
        return False
    resolved = str(Path(location).resolve())
    return not resolved.startswith(_installed_roots()) and "site-packages" not in resolved


def drop_bytecode(module: ModuleType | None) -> None:
    """Remove the cached bytecode of ``module`` so an edit within the same second is not missed."""
    source = getattr(module, "__file__", None)
    if not source or not source.endswith(".py"):
        return
    try:
        os.remove(importlib.util.cache_from_source(source))
    except (OSError, NotImplementedError, ValueError):
        pass


@contextmanager
def restored_on_error(names: list[str]) -> Iterator[None]:
    """Put the modules ``names`` back into ``sys.modules`` if the block raises."""
    saved = {name: sys.modules[name] for name in names if name in sys.modules}
    try:
        yield
    except BaseException:
        for name in [n for n in sys.modules if n in names]:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
        raise
