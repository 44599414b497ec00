"""Find the ``Definitions`` a notebook or a command works on, and re-import them after code changes.

A *target* names them (no IPython needed, so the command line uses this module too):

- ``package.module:attr``: an attribute of an importable module;
- ``package.module``: its ``defs``, else its only ``Definitions``;
- ``path/to/file.py`` or ``path/to/file.py:attr``: a file, imported under a stable module name
  (its folder is put on ``sys.path``, as ``python file.py`` would);
- ``name``: a variable of the notebook's namespace;
- nothing: the namespace's ``defs``, else its only ``Definitions``, else the loose ``@asset``
  functions and resource objects of the namespace, keyed by variable name. Loose assets that
  the chosen ``Definitions`` leaves out are named in :attr:`LoadedDefs.notes`.

A ``Definitions``, a function decorated with ``@definitions`` (called now) and a
``RepositoryDefinition`` are accepted wherever a target points.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import pkgutil
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from resnb.core.assets import AssetsDefinition
from resnb.core.definitions import Definitions, LazyDefinitions, RepositoryDefinition
from resnb.core.io_manager import IOManager
from resnb.core.legacy import ResourceDefinition
from resnb.core.resources import ConfigurableResourceFactory, PartialResource
from resnb.errors import ResnbError, listing
from resnb.notebook.reloading import modules_to_reimport, project_directory, reimported, source_hashes
from resnb.notebook.suggest import suggestion

__all__ = ["LoadedDefs", "TargetError", "load_target", "reload_target"]

_FILE_TARGET = re.compile(r"^(?P<path>.+\.py)(?::(?P<attr>[A-Za-z_][\w.]*))?$")
_MODULE_TARGET = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
_DEFS_TYPES = (Definitions, LazyDefinitions, RepositoryDefinition)
_RESOURCE_TYPES = (ConfigurableResourceFactory, PartialResource, ResourceDefinition, IOManager)


class TargetError(ResnbError, ValueError):
    """A target that names no ``Definitions``; the message names it and says what to write instead."""


@dataclass(frozen=True)
class LoadedDefs:
    """Definitions and where they came from.

    ``origin`` is ``"module"``, ``"file"``, ``"variable"`` (a namespace variable) or
    ``"namespace"`` (the loose assets and resources of a namespace). ``modules`` holds the
    target's module; ``path`` is the file of a ``.py`` target (resolved), ``target`` what the
    user typed. ``directory`` is the project directory (see :mod:`resnb.notebook.reloading`) and
    ``sources`` the hashes of its imported modules' sources at load time (``at``), so
    :func:`reload_target` re-imports those that changed. ``notes`` are things the user should
    know about what was (not) loaded, one sentence each.
    """

    defs: Definitions
    target: str
    modules: tuple[str, ...] = ()
    path: Path | None = None
    origin: str = "module"
    directory: Path | None = None
    sources: Mapping[str, str] = field(default_factory=dict, repr=False)
    at: float = field(default_factory=time.time)
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        """A short description for summaries: ``shop.definitions:defs`` or ``the notebook's assets``."""
        if self.origin == "namespace":
            return "the notebook's assets and resources"
        if self.origin == "variable":
            return f"the notebook variable '{self.target}'"
        return self.target


def load_target(target: str | None, namespace: Mapping[str, Any] | None = None) -> LoadedDefs:
    """The ``Definitions`` that ``target`` names (see the module docstring for the forms).

    Raises :class:`TargetError` naming the target and the closest valid name when nothing
    matches (notebook variables are mentioned only when a ``namespace`` is given). Errors raised
    by the target's own code (an import that fails inside the module, a ``@definitions``
    function that raises) propagate unchanged.
    """
    text = (target or "").strip()
    if not text:
        return _from_namespace(namespace if namespace is not None else {})
    match = _FILE_TARGET.match(text)
    if match:
        return _from_file(Path(match["path"]).expanduser(), match["attr"], text)
    _check_not_another_file(text.split(":", 1)[0])
    if ":" in text:
        module_name, attr = text.split(":", 1)
        return _from_module(module_name.strip(), attr.strip(), text, namespace)
    if namespace is not None and text in namespace:
        value = namespace[text]
        if isinstance(value, ModuleType):  # `import shop` then `%load_defs shop`
            return _from_module(value.__name__, None, text, namespace)
        return _from_variable(text, value)
    return _from_module(text, None, text, namespace)


def _check_not_another_file(text: str) -> None:
    """A path to a file that is not Python (``notes.txt``) is not read as a module name."""
    path = Path(text).expanduser()
    if ("/" in text or os.sep in text or path.suffix) and path.is_file():
        raise TargetError(
            f"Cannot load target '{text}': it is a file, but not a Python file. A file target is a "
            "'.py' file (path/to/defs.py or path/to/defs.py:attribute) defining the Definitions."
        )


def reload_target(loaded: LoadedDefs, namespace: Mapping[str, Any] | None = None) -> LoadedDefs:
    """Load ``loaded``'s target again, re-importing its code first so that edits show.

    For a module or file target, the project modules whose source changed since the load (and
    the project modules importing them) are imported afresh, dependencies first, then the
    target itself; if the new code fails to import, the previous modules are put back and the
    error propagates. Namespace targets are read from ``namespace`` again.
    """
    if loaded.origin == "file" and loaded.path is not None:
        match = _FILE_TARGET.match(loaded.target)
        typed, attr = (match["path"], match["attr"]) if match else (str(loaded.path), None)
        names = modules_to_reimport(loaded.directory, loaded.sources, loaded.at, loaded.modules[0])
        return reimported(names, lambda: _from_file(Path(typed), attr, loaded.target, loaded.path))
    if loaded.origin == "module":
        module_name, _, attr = loaded.target.partition(":")
        names = modules_to_reimport(loaded.directory, loaded.sources, loaded.at, module_name)
        return reimported(names, lambda: _from_module(module_name, attr or None, loaded.target, None))
    target = None if loaded.origin == "namespace" else loaded.target
    return load_target(target, namespace)


# -- the forms of a target -------------------------------------------------------------------------
def _as_definitions(value: Any) -> Definitions | None:
    """``value`` as Definitions (a ``@definitions`` function is called), or None if it is not one."""
    if isinstance(value, Definitions):
        return value
    if isinstance(value, LazyDefinitions):
        return value()
    if isinstance(value, RepositoryDefinition):
        return value.definitions
    return None


def _not_definitions(target: str, value: Any) -> TargetError:
    return TargetError(
        f"Target '{target}' is a {type(value).__name__}, not a Definitions. Point it at a "
        "Definitions object, a function decorated with @definitions, or a module that defines one."
    )


def _from_variable(name: str, value: Any) -> LoadedDefs:
    defs = _as_definitions(value)
    if defs is None:
        raise _not_definitions(name, value)
    return LoadedDefs(defs, name, origin="variable")


def _definitions_in(members: Mapping[str, Any]) -> dict[str, Any]:
    """Public members holding Definitions, one name per object (the first seen)."""
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for name, value in members.items():
        if name.startswith("_") or not isinstance(value, _DEFS_TYPES) or id(value) in seen:
            continue
        seen.add(id(value))
        found[name] = value
    return found


def _pick(members: Mapping[str, Any]) -> tuple[str, Any] | None:
    """``defs`` if present, else the only Definitions; None when there is none."""
    if isinstance(members.get("defs"), _DEFS_TYPES):
        return "defs", members["defs"]
    found = _definitions_in(members)
    if len(found) == 1:
        return next(iter(found.items()))
    if len(found) > 1:
        raise TargetError(
            f"Found several Definitions: {listing(found)}, and none is named 'defs'. Name the one "
            f"to load, for example '{sorted(found)[0]}'."
        )
    return None


def _from_namespace(namespace: Mapping[str, Any]) -> LoadedDefs:
    picked = _pick(namespace)
    assets, resources = _loose_definitions(namespace)
    if picked is not None:
        loaded = _from_variable(*picked)
        note = _left_out_note(picked[0], loaded.defs, assets)
        return replace(loaded, notes=(note,)) if note else loaded
    if not assets and not resources:
        raise TargetError(
            "Nothing to load: no target was given and the notebook defines no Definitions, no "
            "@asset function and no resource. Define `defs = Definitions(...)` or some assets, "
            "or give a target such as 'my_package.definitions:defs' or 'path/to/file.py'."
        )
    return LoadedDefs(Definitions(assets=assets, resources=resources), "", origin="namespace")


def _left_out_note(name: str, defs: Definitions, loose: list[AssetsDefinition]) -> str:
    """A sentence naming the loose assets of the notebook that ``defs`` (variable ``name``) leaves out."""
    included = {key for definition in defs.assets for key in definition.keys}
    left_out = [k.to_user_string() for d in loose for k in d.keys if k not in included]
    if not left_out:
        return ""
    count = len(left_out)
    subject = (
        "1 loose @asset in the notebook is" if count == 1 else f"{count} loose @assets in the notebook are"
    )
    return (
        f"{subject} not in '{name}' and {'was' if count == 1 else 'were'} not loaded: {', '.join(left_out)}. "
        f"To load {'it' if count == 1 else 'them'}, add {'it' if count == 1 else 'them'} to a Definitions "
        f"and run %load_defs with that variable (e.g. %load_defs {name}), or rename '{name}' so that "
        "%load_defs alone collects the notebook's loose assets."
    )


def _loose_definitions(namespace: Mapping[str, Any]) -> tuple[list[AssetsDefinition], dict[str, Any]]:
    assets: dict[int, AssetsDefinition] = {}
    resources: dict[str, Any] = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if isinstance(value, AssetsDefinition):
            assets.setdefault(id(value), value)
        elif isinstance(value, _RESOURCE_TYPES):
            resources[name] = value
    return list(assets.values()), resources


def _from_module(
    module_name: str, attr: str | None, target: str, namespace: Mapping[str, Any] | None
) -> LoadedDefs:
    if not _MODULE_TARGET.match(module_name) or (attr is not None and not attr.isidentifier()):
        raise TargetError(
            f"Target '{target}' is not a valid target. Write 'package.module', "
            "'package.module:attribute', 'path/to/file.py[:attribute]' or a notebook variable name."
        )
    module = _import(module_name, target, namespace)
    defs_name, value = _attribute(module, attr, target, f"Module '{module_name}'", module_name)
    defs = _as_definitions(value)
    if defs is None:
        raise _not_definitions(f"{module_name}:{defs_name}", value)
    directory = project_directory(module_name)
    return LoadedDefs(
        defs,
        f"{module_name}:{defs_name}",
        (module_name,),
        None,
        "module",
        directory,
        source_hashes(directory),
    )


def _import(module_name: str, target: str, namespace: Mapping[str, Any] | None) -> ModuleType:
    """Import ``module_name``; notebook variables are mentioned in the error only with a ``namespace``."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise  # a module imported *by* the target is missing: the user's code must say so
        variables = _definitions_in(namespace) if namespace is not None else {}
        hint = suggestion(module_name, variables) or suggestion(exc.name, _sibling_modules(exc.name))
        also = " (and no notebook variable of that name)" if namespace is not None else ""
        raise TargetError(
            f"Cannot load target '{target}': there is no module named '{exc.name}'{also}.{hint} Check "
            "the spelling and that the folder containing the package is on sys.path (the current "
            f"directory is {os.getcwd()})."
        ) from None


def _sibling_modules(missing: str) -> list[str]:
    """Importable modules next to ``missing`` (same package), full dotted names, for suggestions."""
    parent, _, _ = missing.rpartition(".")
    if parent:
        package = sys.modules.get(parent)
        path = getattr(package, "__path__", None)
        found = [info.name for info in pkgutil.iter_modules(path)] if path else []
        return [f"{parent}.{name}" for name in found]
    found = [info.name for info in pkgutil.iter_modules()]
    return [*found, *(name for name in sys.modules if "." not in name)]


def _attribute(module: ModuleType, attr: str | None, target: str, what: str, prefix: str) -> tuple[str, Any]:
    """The Definitions attribute of ``module``; ``what`` names it in errors ("Module 'm'", "File
    'f.py'") and ``prefix`` is how a target names it (``prefix:NAME``)."""
    members = vars(module)
    if attr is None:
        picked = _pick(members)
        if picked is None:
            raise TargetError(
                f"{what} (target '{target}') defines no Definitions. Define "
                f"`defs = Definitions(...)` in it, or name the attribute: '{prefix}:NAME'."
            )
        return picked
    if attr not in members:
        found = _definitions_in(members)
        raise TargetError(
            f"{what} has no attribute '{attr}' (target '{target}')."
            f"{suggestion(attr, found) or suggestion(attr, members)} Definitions in it: "
            f"{listing(found)}."
        )
    return attr, members[attr]


def _from_file(path: Path, attr: str | None, target: str, resolved: Path | None = None) -> LoadedDefs:
    """Load the file ``path`` as typed (shown in summaries); ``resolved``: its absolute path if known."""
    resolved = resolved or path.resolve()
    if not resolved.is_file():
        raise TargetError(
            f"Cannot load target '{target}': file '{path}' does not exist (looked for {resolved}). "
            "Give a path relative to the current directory or an absolute one."
        )
    module_name = _file_module_name(resolved)
    module = sys.modules.get(module_name) or _exec_file(module_name, resolved)
    defs_name, value = _attribute(module, attr, target, f"File '{path}'", str(path))
    defs = _as_definitions(value)
    if defs is None:
        raise _not_definitions(f"{path}:{defs_name}", value)
    shown = f"{path}:{attr}" if attr else str(path)
    directory = resolved.parent
    return LoadedDefs(defs, shown, (module_name,), resolved, "file", directory, source_hashes(directory))


def _file_module_name(path: Path) -> str:
    """``resnb_file_<stem>_<8 hex>``: the same name for the same file, in every session."""
    stem = re.sub(r"\W", "_", path.stem)
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    return f"resnb_file_{stem}_{digest}"


def _exec_file(module_name: str, path: Path) -> ModuleType:
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - only for non-.py files
        raise TargetError(f"Cannot import '{path}' as Python code.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module
