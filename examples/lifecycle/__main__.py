"""Run both jobs and print how often the resource was set up: ``cd examples && python -m lifecycle``."""

from __future__ import annotations

import os
import tempfile

import resnb as dg
from lifecycle.definitions import count_events, defs


def run_and_count(job_name: str) -> dict[str, int]:
    """Run ``job_name`` with its own executor; the setup/teardown counts it left behind."""
    with tempfile.TemporaryDirectory() as log_dir:
        os.environ["LIFECYCLE_LOG_DIR"] = log_dir
        dg.execute_job(defs.resolve_job_def(job_name), raise_on_error=True)
        return count_events(log_dir)


def main() -> int:
    for job_name in ("in_process_job", "multiprocess_job"):
        counts = run_and_count(job_name)
        print(
            f"{job_name:17s} setups={counts['setup']} teardowns={counts['teardown']} "
            f"processes={counts['processes']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
