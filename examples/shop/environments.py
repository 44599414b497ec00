"""One set of shop assets, different resources per environment (seed "Per-Environment Configuration").

``SHOP_ENV`` picks the environment when :func:`defs_for_environment` is called (default ``dev``):

- ``dev``: the warehouse is a SQLite file in the temporary directory and values stay in memory;
- ``prod``: the warehouse file comes from ``SHOP_DB_PATH`` and values are pickled under
  ``SHOP_STORAGE_DIR`` by a :class:`~resnb.FilesystemIOManager`.

In both, the password is read from ``SHOP_DB_PASSWORD``: credentials are never written in code.

``defs`` (built when a tool loads it, so ``SHOP_ENV`` is read then) makes the module a target::

    cd examples && SHOP_ENV=prod SHOP_DB_PATH=... SHOP_STORAGE_DIR=... SHOP_DB_PASSWORD=... \
        resnb materialize shop.environments daily_revenue
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import resnb as dg
from resnb.errors import ConfigError, did_you_mean
from shop.definitions import Warehouse, clean_orders, daily_revenue, default_db_path, raw_orders

__all__ = [
    "ENVIRONMENTS",
    "defs",
    "defs_for_environment",
    "get_dev_resources",
    "get_prod_resources",
    "resources_for_environment",
]


def get_dev_resources() -> dict[str, Any]:
    """A local SQLite file; values in memory."""
    return {
        "warehouse": Warehouse(path=default_db_path(), password=dg.EnvVar("SHOP_DB_PASSWORD")),
        "io_manager": dg.InMemoryIOManager(),
    }


def get_prod_resources() -> dict[str, Any]:
    """Everything from the environment: database file, password and storage directory."""
    return {
        "warehouse": Warehouse(path=dg.EnvVar("SHOP_DB_PATH"), password=dg.EnvVar("SHOP_DB_PASSWORD")),
        "io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHOP_STORAGE_DIR")),
    }


#: Environment name -> function returning its resources.
ENVIRONMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "dev": get_dev_resources,
    "prod": get_prod_resources,
}


def resources_for_environment(name: str | None = None) -> dict[str, Any]:
    """The resources of environment ``name`` (default: ``$SHOP_ENV``, else ``dev``)."""
    name = name or os.environ.get("SHOP_ENV", "dev")
    if name not in ENVIRONMENTS:
        suggestion = did_you_mean(name, ENVIRONMENTS)
        raise ConfigError(
            f"Unknown shop environment {name!r} (from SHOP_ENV or the argument).{suggestion}"
            f" Use one of: {', '.join(ENVIRONMENTS)}."
        )
    return ENVIRONMENTS[name]()


def defs_for_environment(name: str | None = None) -> dg.Definitions:
    """The shop's assets and job with the resources of environment ``name``."""
    return dg.Definitions(
        assets=[raw_orders, clean_orders, daily_revenue],
        jobs=[dg.define_asset_job("shop_job")],
        resources=resources_for_environment(name),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The shop for ``$SHOP_ENV`` (default ``dev``): what ``resnb ... shop.environments`` loads."""
    return defs_for_environment()
