"""Layering: ``import resnb`` stays light, and core -> build -> execution never import the front ends.

Each check runs in a fresh interpreter, because this test process has already imported pytest and
possibly the notebook stack.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("IPython", "ipywidgets", "graphviz", "nbclient", "nbformat", "pytest")
FRONT_ENDS = ("resnb.notebook", "resnb.testing")
LOWER_LAYERS = ("resnb.core", "resnb.build", "resnb.execution")


def modules_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter (cwd: the repo root) and return its ``sys.modules``."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stdout.splitlines()[-1])
    return modules


def loaded(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    """The entries of ``modules`` that are one of ``packages`` or inside one of them."""
    return [name for name in modules if name in packages or name.startswith(tuple(p + "." for p in packages))]


def test_import_resnb_imports_no_notebook_or_test_stack() -> None:
    assert loaded(modules_after("import resnb"), HEAVY) == []


def test_public_names_import_no_notebook_or_test_stack() -> None:
    modules = modules_after(
        """
        import resnb
        for name in resnb.__all__:
            if name not in ("load_ipython_extension", "unload_ipython_extension"):
                getattr(resnb, name)
        """
    )
    assert loaded(modules, HEAVY + FRONT_ENDS) == []


def test_lower_layers_never_import_front_ends_or_heavy_packages() -> None:
    modules = modules_after(
        f"""
        import importlib, pkgutil

        def fail(name):
            raise ImportError(f"cannot import {{name}}")

        for layer in {LOWER_LAYERS!r}:
            try:
                package = importlib.import_module(layer)
            except ModuleNotFoundError as exc:
                if exc.name != layer:
                    raise
                continue  # this layer does not exist (yet)
            for info in pkgutil.walk_packages(package.__path__, layer + ".", onerror=fail):
                importlib.import_module(info.name)
        """
    )
    assert loaded(modules, LOWER_LAYERS), "no lower-layer module was imported"
    assert loaded(modules, HEAVY + FRONT_ENDS) == []
