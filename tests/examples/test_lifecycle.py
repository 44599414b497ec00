"""The lifecycle example: counts of setups per executor, in-process and from the command line."""

from __future__ import annotations

from pathlib import Path

import resnb as dg


def test_in_process_executor_sets_up_once(examples_on_path: Path, tmp_path: Path) -> None:
    from lifecycle.definitions import ASSETS, CountedConnection, count_events

    resources = {"connection": CountedConnection(log_dir=str(tmp_path))}
    dg.materialize(ASSETS, resources=resources, executor=dg.in_process_executor)
    assert count_events(str(tmp_path)) == {"setup": 1, "teardown": 1, "processes": 1}


def test_multiprocess_executor_sets_up_once_per_step(examples_on_path: Path, tmp_path: Path) -> None:
    from lifecycle.definitions import ASSETS, CountedConnection, count_events

    resources = {"connection": CountedConnection(log_dir=str(tmp_path))}
    result = dg.materialize(ASSETS, resources=resources, executor=dg.multiprocess_executor)
    counts = count_events(str(tmp_path))
    assert (counts["setup"], counts["teardown"]) == (3, 3)
    assert len(set(result.asset_value("report"))) == 3


def test_python_m_lifecycle_prints_both_counts(run_example) -> None:
    completed = run_example("lifecycle")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].split() == ["in_process_job", "setups=1", "teardowns=1", "processes=1"]
    assert lines[1].split() == ["multiprocess_job", "setups=3", "teardowns=3", "processes=3"]


def test_the_portable_execute_job_spelling_runs_the_multiprocess_job(
    examples_on_path: Path, tmp_path: Path, env
) -> None:
    from lifecycle.definitions import count_events, get_multiprocess_job

    env.setenv("LIFECYCLE_LOG_DIR", str(tmp_path))
    result = dg.execute_job(dg.reconstructable(get_multiprocess_job), instance=None, raise_on_error=True)

    assert result.success
    assert count_events(str(tmp_path)) == {"setup": 3, "teardown": 3, "processes": 3}
