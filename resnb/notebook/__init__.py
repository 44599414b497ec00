"""The IPython extension: ``%load_ext resnb`` (see :mod:`resnb.notebook.magics` for the magics).

Importing this package imports no IPython: :mod:`resnb.notebook.loading` and
:mod:`resnb.notebook.session` work without it (the command line uses them); the magics, the
completer and the settings are imported when the extension is loaded.
"""

from __future__ import annotations

import atexit
import logging
import weakref
from dataclasses import dataclass
from typing import Any

from resnb._stderr import CurrentStderrHandler

__all__ = ["load_ipython_extension", "unload_ipython_extension"]

_LOG_FORMAT = "[resnb %(levelname)s] %(name)s: %(message)s"


@dataclass
class _Loaded:
    """What loading the extension registered in one shell, so unloading can remove exactly that."""

    magics: Any
    matcher: Any
    log_handler: logging.Handler | None
    log_level: int  # the "resnb" logger's level before loading, restored on unload


_REGISTRY: weakref.WeakKeyDictionary[Any, _Loaded] = weakref.WeakKeyDictionary()


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics, the completer, the ``Resnb`` settings and teardown at exit.

    The settings start from the ``[tool.resnb]`` section of the nearest ``pyproject.toml``, if
    any. Loading it again into the same shell does nothing.
    """
    if ipython in _REGISTRY:
        return
    from resnb.notebook.completion import make_matcher
    from resnb.notebook.magics import ResnbMagics
    from resnb.notebook.project_settings import apply_project_settings

    previous_level = logging.getLogger("resnb").level
    magics = ResnbMagics(ipython)
    try:
        magics.settings.project_file = apply_project_settings(magics.settings, ipython.config)
    except BaseException:  # a bad [tool.resnb]: nothing is registered, the logger is as it was
        logging.getLogger("resnb").setLevel(previous_level)
        raise
    ipython.register_magics(magics)
    ipython.configurables.append(magics.settings)
    matcher = make_matcher(magics)
    ipython.Completer.custom_matchers.append(matcher)
    atexit.register(magics.session.close)
    _REGISTRY[ipython] = _Loaded(magics, matcher, _add_log_handler(), previous_level)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove what :func:`load_ipython_extension` registered and tear down open resources."""
    loaded = _REGISTRY.pop(ipython, None)
    if loaded is None:
        return
    magics = loaded.magics
    for table in ipython.magics_manager.magics.values():  # line and cell magics
        for name in list(table):
            if getattr(table[name], "__self__", None) is magics:
                del table[name]
    registry = ipython.magics_manager.registry
    if registry.get(type(magics).__name__) is magics:
        del registry[type(magics).__name__]
    ipython.configurables[:] = [c for c in ipython.configurables if c is not magics.settings]
    matchers = ipython.Completer.custom_matchers
    matchers[:] = [m for m in matchers if m is not loaded.matcher]
    atexit.unregister(magics.session.close)
    logger = logging.getLogger("resnb")
    if loaded.log_handler is not None:
        logger.removeHandler(loaded.log_handler)
    logger.setLevel(loaded.log_level)
    magics.session.close()


def _add_log_handler() -> logging.Handler | None:
    """Show resnb's log records (at the ``Resnb.log_level``) unless the logger already has a handler.

    The format names the logger: ``resnb.step.<asset or op>`` for ``context.log`` in a step,
    ``resnb.resource.<key>`` in a resource.
    """
    logger = logging.getLogger("resnb")
    if logger.handlers:
        return None
    handler = CurrentStderrHandler()
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    logger.addHandler(handler)
    return handler
