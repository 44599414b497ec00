"""Sending the run to spawn/forkserver step processes: the plan pickler and its user errors.

Under ``spawn`` and ``forkserver`` each step's process receives the run pickled (functions by
reference), so everything it holds must be importable there. ``@asset``/``@op`` functions are
pickled as "the ``fn`` of the definition that replaced them", and anything defined in a
``__main__`` that the child cannot import again (a notebook cell, the REPL) is refused with an
error that says where to move it.
"""

from __future__ import annotations

import importlib
import io
import pickle
import sys
import types
from collections.abc import Mapping
from typing import Any

from resnb.errors import InvariantViolationError, exception_summary, listing
from resnb.execution.plan import Plan

__all__ = ["check_input_values_picklable", "check_steps_importable", "dumps_payload", "main_importable"]

_MOVE_IT = (
    "Move {it} into an importable module (a .py file next to the notebook, then `from my_module "
    "import ...`), or use the 'fork' start method (Linux only): "
    "multiprocess_executor.configured({{'start_method': 'fork'}})."
)


class _NotImportable(Exception):
    """Something to pickle lives in a ``__main__`` the step processes cannot import."""


class _PlanPickler(pickle.Pickler):
    """Pickles ``@asset``/``@op`` functions by reference to the definition that replaced them.

    ``@asset def a(): ...`` leaves ``module.a`` bound to the AssetsDefinition, so plain pickle
    cannot find the function ``a`` by name; it is stored as "the ``fn`` of ``module.a``".
    """

    def reducer_override(self, obj: Any) -> Any:
        if (
            isinstance(obj, (type, types.FunctionType))
            and obj.__module__ == "__main__"
            and not main_importable()
        ):
            raise _NotImportable(f"{obj.__qualname__} (a {_kind_of(obj)} defined in __main__)")
        if type(obj) is types.FunctionType:
            holder = _lookup(obj.__module__, obj.__qualname__)
            if holder is not obj and getattr(holder, "fn", None) is obj:
                return _function_of, (obj.__module__, obj.__qualname__)
        return NotImplemented


def _lookup(module_name: str, qualname: str) -> Any:
    """What ``module_name.qualname`` is bound to in this process, or None (nothing is imported)."""
    value: Any = sys.modules.get(module_name)
    for part in qualname.split("."):
        if value is None or part == "<locals>":
            return None
        value = getattr(value, part, None)
    return value


def _function_of(module_name: str, qualname: str) -> Any:
    """Unpickling, in the step's process: the ``fn`` of the definition at ``module.qualname``.

    Pickles name this function by its module path, so it must stay importable under this name.
    """
    value: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value.fn


def _kind_of(obj: Any) -> str:
    return "class" if isinstance(obj, type) else "function"


def main_importable() -> bool:
    """Whether a spawned child can import ``__main__`` again (it has a file or a module name).

    A notebook kernel, the REPL and ``python -c`` have neither, so what they define cannot be
    found in the child (multiprocessing's spawn preparation makes the same test).
    """
    main = sys.modules.get("__main__")
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    return getattr(main, "__file__", None) is not None or spec_name is not None


def check_steps_importable(plan: Plan, method: str) -> None:
    """Raise before any process starts if a step's function lives in an unimportable ``__main__``."""
    if method == "fork" or main_importable():
        return
    stranded = [step for step in plan.steps if getattr(step.fn, "__module__", None) == "__main__"]
    if not stranded:
        return
    names = listing(step.name for step in stranded)
    kind = stranded[0].kind + ("s" if len(stranded) > 1 else "")
    raise InvariantViolationError(
        f"The multiprocess executor cannot run {kind} {names} with start method '{method}': "
        f"{'they are' if len(stranded) > 1 else 'it is'} defined in a notebook cell or an "
        "interactive session (module __main__), which each step's process has to import and "
        "cannot. " + _MOVE_IT.format(it="them" if len(stranded) > 1 else "it")
    )


def check_input_values_picklable(inputs: Mapping[str, Mapping[str, tuple[Any, Any]]], method: str) -> None:
    """Raise naming the op input whose given value (``input_values``) cannot go to a step process."""
    for step_name, values in inputs.items():
        for input_name, (_, value) in values.items():
            try:
                pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                raise InvariantViolationError(
                    f"The value given for input '{input_name}' of op '{step_name}' cannot be pickled "
                    f"({exception_summary(exc)}), and the multiprocess executor (start method "
                    f"'{method}') has to send it to the step's process. Pass a picklable value, use "
                    "the 'fork' start method where it is available, or run in process "
                    "(execute_in_process())."
                ) from exc


def dumps_payload(payload: Any, method: str) -> bytes:
    """``payload`` pickled for the step processes; an error saying what to change if it cannot be."""
    buffer = io.BytesIO()
    try:
        _PlanPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(payload)
    except _NotImportable as exc:
        raise InvariantViolationError(
            f"The multiprocess executor (start method '{method}') has to send {exc} to each "
            "step's process, which cannot import this notebook or interactive session's "
            "__main__. " + _MOVE_IT.format(it="it")
        ) from None
    except Exception as exc:
        raise InvariantViolationError(
            f"The multiprocess executor (start method '{method}') has to pickle the run to start "
            f"each step's process, and it cannot: {exception_summary(exc)}. Define the assets, "
            "ops and resources at module level (not inside a function), start the run under "
            "`if __name__ == \"__main__\":` in a script, or use the 'fork' start method where "
            "it is available."
        ) from exc
    return buffer.getvalue()
