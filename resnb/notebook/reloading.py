"""Re-importing a target's code after edits: which modules changed, in which order, and undoing a failure.

A target has a *project directory*: the folder of its top-level package (``my_project/`` for
``my_project.definitions``), the folder of a top-level module, or the folder of a ``.py`` file.
Every already-imported module whose source file lives under it is project code (never the
standard library, site-packages or resnb itself). :func:`source_hashes` records a hash of each
one's source when the target is loaded; :func:`modules_to_reimport` then finds those whose
source changed on disk, adds the project modules importing them (directly or not, so a
``from helpers import K`` elsewhere picks up the new ``K``), and orders them so that a module
comes after the modules it imports. :func:`reimported` imports them afresh in that order.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import os
import sys
import sysconfig
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TypeVar

__all__ = [
    "drop_bytecode",
    "is_project_module",
    "modules_to_reimport",
    "project_directory",
    "reimported",
    "restored_on_error",
    "source_hashes",
]

T = TypeVar("T")

#: Module names never re-imported: resnb itself, and the modules resnb makes of ``.py`` targets.
_NEVER = ("resnb", "resnb_file_")


def project_directory(module_name: str) -> Path | None:
    """The project directory of an imported module, or None when it is not project code."""
    top = sys.modules.get(module_name.split(".")[0])
    if top is None or top.__name__ == "resnb":
        return None
    if _source_file(top) is None:  # a namespace package: its first folder
        folder = next(iter(getattr(top, "__path__", [])), None)
        return Path(folder).resolve() if folder and _is_project_path(Path(folder)) else None
    path = _source_file(top)
    return path.parent if path is not None and _is_project_path(path) else None


def source_hashes(directory: Path | None) -> dict[str, str]:
    """Module name -> hash of its source, for the imported project modules under ``directory``."""
    if directory is None:
        return {}
    return {name: _hash(path) for name, path in _modules_under(directory).items()}


def modules_to_reimport(
    directory: Path | None, before: Mapping[str, str], since: float, target: str | None = None
) -> list[str]:
    """The modules to import afresh, dependencies first, ending with ``target`` when given.

    A module under ``directory`` changed when its source hash differs from ``before`` (one
    missing from ``before``, imported after the load, when its file is newer than ``since``).
    Changed modules and the project modules importing them are returned.
    """
    found = _modules_under(directory) if directory is not None else {}
    changed = {name for name, path in found.items() if _changed(name, path, before, since)}
    if target is not None:
        changed.add(target)
    imports = {name: _imports_of(name, path, found) for name, path in found.items()}
    stale = _with_importers(changed, imports)
    order = _dependencies_first(stale, imports)
    if target is not None and target in order:
        order.remove(target)
        order.append(target)
    return order


def reimported(names: list[str], load: Callable[[], T]) -> T:
    """Import ``names`` afresh (in order), then call ``load``; on failure, put the old modules back.

    A name that is not importable by itself (the module of a ``.py`` target) is only dropped:
    ``load`` executes it again.
    """
    with restored_on_error(names):
        for name in names:
            drop_bytecode(sys.modules.pop(name, None))
        importlib.invalidate_caches()
        for name in names:
            if not name.startswith(_NEVER) and name not in sys.modules:
                importlib.import_module(name)
        return load()


# -- which modules -------------------------------------------------------------------------------------
def _installed_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(str(Path(root).resolve()) for root in roots if root)


def _source_file(module: ModuleType) -> Path | None:
    location = getattr(module, "__file__", None)
    if not location or not location.endswith(".py"):
        return None
    return Path(location).resolve()


def _is_project_path(path: Path) -> bool:
    """True for files outside the standard library and site-packages."""
    resolved = str(path.resolve())
    return not resolved.startswith(_installed_roots()) and "site-packages" not in resolved


def _modules_under(directory: Path) -> dict[str, Path]:
    """Imported project modules (by name) whose source file is under ``directory``."""
    root = directory.resolve()
    found = {}
    for name, module in list(sys.modules.items()):
        if name.startswith(_NEVER) or not isinstance(module, ModuleType) or module.__spec__ is None:
            continue
        path = _source_file(module)
        if path is not None and path.is_relative_to(root) and _is_project_path(path):
            found[name] = path
    return found


def _hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # deleted or unreadable: it counts as changed
        return ""


def _changed(name: str, path: Path, before: Mapping[str, str], since: float) -> bool:
    if name in before:
        return _hash(path) != before[name]
    try:
        return path.stat().st_mtime >= since
    except OSError:
        return True


def _imports_of(name: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The modules of ``modules`` that module ``name`` imports (anywhere in its source)."""
    try:
        tree = ast.parse(path.read_bytes(), str(path))
    except (OSError, SyntaxError, ValueError):
        return set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve("." * node.level + (node.module or ""), package)
            if base is not None:
                imported.add(base)
                imported.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in imported if module in modules and module != name}


def _resolve(relative: str, package: str) -> str | None:
    try:
        return importlib.util.resolve_name(relative, package or None)
    except (ImportError, ValueError):
        return None


def _with_importers(changed: set[str], imports: Mapping[str, set[str]]) -> set[str]:
    """``changed`` plus every module importing one of them, directly or through others."""
    stale = set(changed)
    grew = True
    while grew:
        grew = False
        for name, imported in imports.items():
            if name not in stale and imported & stale:
                stale.add(name)
                grew = True
    return stale


def _dependencies_first(names: Iterable[str], imports: Mapping[str, set[str]]) -> list[str]:
    """``names`` ordered so that a module follows those it imports (cycles: in name order)."""
    wanted = set(names)
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for dependency in sorted(imports.get(name, set()) & wanted):
            visit(dependency)
        order.append(name)

    for name in sorted(wanted):
        visit(name)
    return order


# -- re-importing --------------------------------------------------------------------------------------
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
        for name, module in saved.items():  # ``package.sub`` must be the old module again too
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, module)
        raise


def is_project_module(module_name: str) -> bool:
    """True when the imported module ``module_name`` is project code (not resnb, not installed)."""
    module = sys.modules.get(module_name)
    if module is None or module_name == "resnb" or module_name.startswith("resnb."):
        return False
    path = _source_file(module)
    return path is not None and _is_project_path(path)
