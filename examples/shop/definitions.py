"""The shop's definitions: ``python -m shop`` (from examples/) materialises everything.

The warehouse is SQLite from the standard library; its password comes from the environment
variable ``SHOP_DB_PASSWORD`` (any value works: SQLite ignores it, but it shows how secrets flow).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing

from pydantic import Field

import resnb as dg

ORDERS = [
    ("2026-11-01", "tea", 3, 4.5),
    ("2026-11-01", "coffee", 1, 3.0),
    ("2026-11-02", "tea", -1, 4.5),  # a refund row the clean step drops
    ("2026-11-02", "cake", 2, 6.0),
]


class Warehouse(dg.ConfigurableResource):
    """A SQLite database standing in for the shop's warehouse."""

    path: str = Field(description="File of the SQLite database.")
    user: str = "shop"
    password: str = Field(exclude=True, description="Never shown: read from SHOP_DB_PASSWORD.")

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._connection = sqlite3.connect(self.path)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._connection.close()

    def query(self, sql: str, *params: object) -> list[tuple]:
        """Run ``sql`` and return all rows."""
        with closing(self._connection.cursor()) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        self._connection.commit()
        return rows


@dg.asset(group_name="shop")
def raw_orders(warehouse: Warehouse) -> int:
    """Load the day's orders into the warehouse."""
    warehouse.query("create table if not exists orders (day text, item text, qty int, price real)")
    warehouse.query("delete from orders")
    for row in ORDERS:
        warehouse.query("insert into orders values (?, ?, ?, ?)", *row)
    return len(ORDERS)


@dg.asset(group_name="shop")
def clean_orders(raw_orders: int, warehouse: Warehouse) -> list[tuple]:
    """Orders with a positive quantity."""
    return warehouse.query("select day, item, qty, price from orders where qty > 0 order by day, item")


@dg.asset(group_name="shop")
def daily_revenue(clean_orders: list[tuple]) -> dict[str, float]:
    """Revenue per day."""
    revenue: dict[str, float] = {}
    for day, _item, qty, price in clean_orders:
        revenue[day] = revenue.get(day, 0.0) + qty * price
    return revenue


def default_db_path() -> str:
    """Where the example database lives: a file in the temporary directory."""
    return os.path.join(tempfile.gettempdir(), "resnb_shop.sqlite")


defs = dg.Definitions(
    assets=[raw_orders, clean_orders, daily_revenue],
    jobs=[dg.define_asset_job("shop_job")],
    resources={
        "warehouse": Warehouse(path=default_db_path(), password=dg.EnvVar("SHOP_DB_PASSWORD")),
    },
)
