"""Shared fixtures: ``dg`` runs a test once per implementation (resnb, and dagster when installed).

Set ``RESNB_COMPAT_IMPLS=dagster`` (or ``resnb``) to run only one side.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

IMPLEMENTATIONS = tuple(
    name.strip() for name in os.environ.get("RESNB_COMPAT_IMPLS", "resnb,dagster").split(",") if name.strip()
)


@pytest.fixture(params=IMPLEMENTATIONS)
def dg(request: pytest.FixtureRequest) -> ModuleType:
    """The implementation under test, imported as ``dg`` (``resnb`` or ``dagster``)."""
    if request.param == "dagster":
        return pytest.importorskip("dagster")
    return importlib.import_module(request.param)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Set and unset environment variables for one test (``env.setenv`` / ``env.delenv``)."""
    return monkeypatch
