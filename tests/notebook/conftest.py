"""Fixtures for the notebook layer: an in-process shell with resnb loaded, the shop example, packages on disk."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SENTINEL = "s3cr3t-SENTINEL-9d1f"


@pytest.fixture
def ip() -> Iterator[object]:
    """A TestingShell with ``%load_ext resnb`` loaded; unloaded (and torn down) after the test."""
    from resnb.testing.shell import make_testing_shell

    shell = make_testing_shell()
    shell.run_line_magic("load_ext", "resnb")
    yield shell
    if "resnb" in shell.extension_manager.loaded:
        shell.run_line_magic("unload_ext", "resnb")


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> str:
    """``examples/`` on sys.path and the shop's password variable set; returns the shop target."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setenv("SHOP_DB_PASSWORD", SENTINEL)
    return "shop.definitions"


@pytest.fixture
def make_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Write a package with a unique name under ``tmp_path`` and put it on sys.path.

    ``make_package(defs="...", helpers="...")`` writes ``<pkg>/defs.py`` and ``<pkg>/helpers.py``
    (dedented) and returns the package name. Its modules are dropped from sys.modules afterwards.
    """
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def make(**modules: str) -> str:
        name = f"pkg_{uuid.uuid4().hex[:10]}"
        folder = tmp_path / name
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        for module, source in modules.items():
            (folder / f"{module}.py").write_text(textwrap.dedent(source))
        names.append(name)
        return name

    yield make
    for name in names:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]
