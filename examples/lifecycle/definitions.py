"""Three assets sharing one counted resource, and a job for each executor.

``python -m lifecycle`` (from examples/) runs both jobs and prints the counts. The marker directory
comes from the environment variable ``LIFECYCLE_LOG_DIR``, read when each run starts; child
processes of the multiprocess executor inherit it.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from pathlib import Path

from pydantic import Field

import resnb as dg

__all__ = [
    "ASSETS",
    "CountedConnection",
    "count_events",
    "customers",
    "defs",
    "get_multiprocess_job",
    "orders",
    "record_event",
    "report",
]


def record_event(log_dir: str, event: str) -> None:
    """Leave one empty file named ``<event>-<pid>-<random>`` in ``log_dir``."""
    Path(log_dir, f"{event}-{os.getpid()}-{uuid.uuid4().hex[:8]}").touch()


def count_events(log_dir: str) -> dict[str, int]:
    """How many setups and teardowns ``log_dir`` records, and in how many processes."""
    names = [path.name.split("-") for path in Path(log_dir).iterdir()]
    counts = Counter(event for event, _pid, _tag in names)
    return {
        "setup": counts["setup"],
        "teardown": counts["teardown"],
        "processes": len({pid for _event, pid, _tag in names}),
    }


class CountedConnection(dg.ConfigurableResource):
    """A stand-in for a database connection that records when it is opened and closed."""

    log_dir: str = Field(description="Directory receiving one marker file per setup and per teardown.")

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        record_event(self.log_dir, "setup")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        record_event(self.log_dir, "teardown")

    def query(self, table: str) -> dict[str, object]:
        """Pretend to read ``table``; says which process served the query."""
        return {"table": table, "pid": os.getpid()}


@dg.asset
def orders(connection: CountedConnection) -> dict[str, object]:
    """Rows of the orders table (here: which process read them)."""
    return connection.query("orders")


@dg.asset
def customers(connection: CountedConnection) -> dict[str, object]:
    """Rows of the customers table."""
    return connection.query("customers")


@dg.asset
def report(orders: dict[str, object], customers: dict[str, object], connection: CountedConnection) -> list:
    """The process ids of the three steps: different ones under the multiprocess executor."""
    return [orders["pid"], customers["pid"], connection.query("report")["pid"]]


ASSETS = [orders, customers, report]

defs = dg.Definitions(
    assets=ASSETS,
    jobs=[
        dg.define_asset_job("in_process_job", executor_def=dg.in_process_executor),
        dg.define_asset_job("multiprocess_job", executor_def=dg.multiprocess_executor),
    ],
    resources={"connection": CountedConnection(log_dir=dg.EnvVar("LIFECYCLE_LOG_DIR"))},
)


def get_multiprocess_job() -> dg.JobDefinition:
    """The multiprocess job, from a module-level function: what Dagster's ``reconstructable`` needs.

    ``dg.execute_job(dg.reconstructable(get_multiprocess_job), instance=...)`` runs it on Dagster
    and on resnb (which ignores ``instance``).
    """
    return defs.resolve_job_def("multiprocess_job")
