"""Fixtures for the example projects in ``examples/``: import them, or run them as ``python -m``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def examples_on_path() -> Iterator[Path]:
    """``examples/`` on ``sys.path`` for the test, as the notebooks have it."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        yield EXAMPLES
    finally:
        sys.path.remove(str(EXAMPLES))


@pytest.fixture
def run_example(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m <module> [args]`` in ``examples/`` with a clean environment and a private temp dir."""

    def run(module: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("SHOP_", "LIFECYCLE_"))}
        base.update(TMPDIR=str(tmp_path), **env)
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=EXAMPLES,
            env=base,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run
