"""The shop's catalog, read from its JSON API: ``python -m shop.catalog`` (from examples/).

The API's address and key come from ``SHOP_API_URL`` and ``SHOP_API_KEY``, read when a run starts.
Run as a script, this module serves the catalog itself on 127.0.0.1 (see :mod:`shop.api`) for the
duration of the run, so it works offline.
"""

from __future__ import annotations

import os
import secrets

import resnb as dg
from shop.api import CATALOG, USERS, CatalogApi, serve_json

__all__ = ["ROUTES", "catalog_defs", "catalog_prices", "main", "most_expensive_item"]

#: The routes the local catalog API serves.
ROUTES = {"/items": CATALOG, "/users": USERS}


@dg.asset(group_name="catalog")
def catalog_prices(api: CatalogApi) -> dict[str, float]:
    """Unit price of every item, from the catalog API."""
    return api.fetch("items")


@dg.asset(group_name="catalog")
def most_expensive_item(catalog_prices: dict[str, float]) -> str:
    """The item with the highest unit price."""
    return max(catalog_prices, key=catalog_prices.__getitem__)


catalog_defs = dg.Definitions(
    assets=[catalog_prices, most_expensive_item],
    resources={"api": CatalogApi(base_url=dg.EnvVar("SHOP_API_URL"), api_key=dg.EnvVar("SHOP_API_KEY"))},
)


def main() -> int:
    """Serve the catalog locally, materialise the catalog assets, print them."""
    api_key = os.environ.setdefault("SHOP_API_KEY", secrets.token_hex(8))
    with serve_json(ROUTES, api_key=api_key) as base_url:
        os.environ["SHOP_API_URL"] = base_url
        result = dg.materialize(catalog_defs.assets, resources=catalog_defs.resources)
    print("catalog prices:", result.asset_value("catalog_prices"))
    print("most expensive:", result.asset_value("most_expensive_item"))
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
