"""The multiprocess executor: one process per step, only that step's resources (seed 000, ref 10.7)."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import subprocess
import sys
import textwrap
import time
import traceback
import types
import uuid
from pathlib import Path
from typing import Any

import pytest

import resnb as dg
from resnb.errors import (
    EnvVarError,
    ResourceFunctionError,
    ResourceTeardownWarning,
    StepExecutionError,
)

ROOT = Path(__file__).resolve().parents[2]
MP = dg.multiprocess_executor


def _mark(root: str, tag: str, event: str) -> None:
    Path(root, f"{tag}.{event}.{os.getpid()}.{uuid.uuid4().hex[:8]}").touch()


def _events(root: Path, tag: str, event: str) -> list[int]:
    return sorted(int(p.name.split(".")[2]) for p in root.glob(f"{tag}.{event}.*"))


class Counted(dg.ConfigurableResource):
    root: str
    tag: str
    value: int = 1

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        _mark(self.root, self.tag, "setup")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        _mark(self.root, self.tag, "teardown")


class Broken(dg.ConfigurableResource):
    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        raise RuntimeError("no connection")


class BadTeardown(dg.ConfigurableResource):
    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        raise OSError("cannot close")


@pytest.fixture(autouse=True)
def _no_children_left() -> Any:
    yield
    assert multiprocessing.active_children() == []


# -- values and lifecycle ------------------------------------------------------------------------
def test_values_cross_processes_through_the_io_manager() -> None:
    @dg.asset
    def a() -> int:
        return 2

    @dg.asset
    def b(a: int) -> dict[str, int]:
        return {"b": a * 10}

    @dg.asset
    def pid() -> int:
        return os.getpid()

    result = dg.materialize([a, b, pid], executor=MP)
    assert result.success
    assert result.asset_value("a") == 2
    assert result.asset_value("b") == {"b": 20}
    assert result.output_for_node("b") == {"b": 20}
    assert result.asset_value("pid") != os.getpid()
    assert [r.status for r in result.step_records] == ["succeeded"] * 3
    assert all(r.duration > 0 for r in result.step_records)


def test_multi_asset_and_configured_executor() -> None:
    @dg.multi_asset(outs={"m1": dg.AssetOut(), "m2": dg.AssetOut()})
    def m():
        yield dg.Output(1, output_name="m1")
        yield dg.Output(2, output_name="m2")

    @dg.asset
    def total(m1: int, m2: int) -> int:
        return m1 + m2

    result = dg.materialize([m, total], executor=MP.configured({"max_concurrent": 2}))
    assert result.success
    assert result.asset_value("total") == 3
    assert result.asset_value("m2") == 2


def test_each_step_initialises_only_its_resources_in_its_own_process(tmp_path: Path) -> None:
    root = str(tmp_path)

    @dg.resource
    def lg(context: dg.InitResourceContext):
        _mark(root, "lg", "setup")
        try:
            yield "logger"
        finally:
            _mark(root, "lg", "teardown")

    @dg.asset
    def a1(r1: Counted) -> int:
        return r1.value

    @dg.asset
    def a2(a1: int, r1: Counted) -> int:
        return a1 + r1.value

    @dg.asset
    def a3(a2: int) -> int:
        return a2 + 1

    @dg.asset(required_resource_keys={"lg"})
    def a4(context: dg.AssetExecutionContext) -> str:
        return context.resources.lg

    resources = {
        "r1": Counted(root=root, tag="r1", value=5),
        "lg": lg,
        "unused": Counted(root=root, tag="unused"),
    }
    result = dg.materialize([a1, a2, a3, a4], resources=resources, executor=MP)
    assert result.success
    assert result.asset_value("a3") == 11
    assert result.asset_value("a4") == "logger"

    r1_setup, r1_teardown = _events(tmp_path, "r1", "setup"), _events(tmp_path, "r1", "teardown")
    assert len(r1_setup) == 2 and len(set(r1_setup)) == 2  # once in each of 2 processes
    assert r1_teardown == r1_setup  # torn down in the process that set it up
    assert os.getpid() not in r1_setup
    assert len(_events(tmp_path, "lg", "setup")) == 1
    assert _events(tmp_path, "lg", "teardown") == _events(tmp_path, "lg", "setup")
    assert _events(tmp_path, "unused", "setup") == []


def test_in_process_executor_sets_up_once_for_comparison(tmp_path: Path) -> None:
    @dg.asset
    def a1(r1: Counted) -> int:
        return r1.value

    @dg.asset
    def a2(a1: int, r1: Counted) -> int:
        return a1 + r1.value

    dg.materialize([a1, a2], resources={"r1": Counted(root=str(tmp_path), tag="r1")})
    assert _events(tmp_path, "r1", "setup") == [os.getpid()]


def test_max_concurrent_one_runs_steps_one_at_a_time(tmp_path: Path) -> None:
    def timed(name: str) -> Any:
        @dg.asset(name=name)
        def step() -> None:
            start = time.time()
            time.sleep(0.15)
            Path(tmp_path, f"{name}.json").write_text(json.dumps([start, time.time()]))

        return step

    assets = [timed(f"s{i}") for i in range(3)]

    def intervals() -> list[list[float]]:
        return sorted(json.loads(p.read_text()) for p in tmp_path.glob("*.json"))

    assert dg.materialize(assets, executor=MP.configured({"max_concurrent": 1})).success
    spans = intervals()
    assert len(spans) == 3
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))

    for p in tmp_path.glob("*.json"):
        p.unlink()
    assert dg.materialize(assets, executor=MP.configured({"max_concurrent": 3})).success
    spans = intervals()
    assert spans[0][1] > spans[1][0]  # the first two overlapped


def test_hooks_are_called_in_the_parent() -> None:
    @dg.asset
    def a() -> int:
        return 1

    @dg.asset
    def b(a: int) -> int:
        return a + 1

    events: list[tuple[str, str, int]] = []
    dg.materialize(
        [a, b], executor=MP, hooks=lambda event, step, record: events.append((event, step, os.getpid()))
    )
    assert [(e, s) for e, s, _ in events] == [
        ("started", "a"),
        ("succeeded", "a"),
        ("started", "b"),
        ("succeeded", "b"),
    ]
    assert {pid for _, _, pid in events} == {os.getpid()}


# -- failures ------------------------------------------------------------------------------------
def _failing_assets() -> list[Any]:
    @dg.asset
    def ok() -> int:
        return 1

    @dg.asset
    def boom(ok: int) -> int:
        raise ValueError("user boom")

    @dg.asset
    def after_boom(boom: int) -> int:
        return boom

    @dg.asset
    def after_after(after_boom: int) -> int:
        return after_boom

    @dg.asset
    def indep() -> int:
        time.sleep(0.2)
        return 7

    return [ok, boom, after_boom, after_after, indep]


def test_raise_on_error_raises_the_original_exception_type() -> None:
    with pytest.raises(ValueError, match="user boom") as info:
        dg.materialize(_failing_assets(), executor=MP)
    assert multiprocessing.active_children() == []


def test_the_childs_traceback_is_chained_as_the_cause_on_every_python_version() -> None:
    from resnb.execution.multiprocess import RemoteTraceback

    with pytest.raises(ValueError, match="user boom") as info:
        dg.materialize(_failing_assets(), executor=MP)
    remote = info.value.__cause__
    assert isinstance(remote, RemoteTraceback)
    assert remote.step_name == "boom" and remote.pid != os.getpid()
    printed = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert "raised in step 'boom'" in printed and 'raise ValueError("user boom")' in printed
    assert "The above exception was the direct cause of the following exception" in printed


def test_a_chained_user_exception_keeps_its_cause_and_gets_the_traceback_below_it() -> None:
    from resnb.execution.multiprocess import RemoteTraceback

    @dg.asset
    def wraps() -> int:
        try:
            {}["missing"]
        except KeyError as exc:
            raise RuntimeError("lookup failed") from exc
        return 1

    with pytest.raises(RuntimeError, match="lookup failed") as info:
        dg.materialize([wraps], executor=MP)
    cause = info.value.__cause__
    assert isinstance(cause, KeyError)
    assert isinstance(cause.__cause__, RemoteTraceback)
    assert "raise RuntimeError" in str(cause.__cause__)


def test_raise_on_error_false_runs_independent_steps_and_skips_downstream() -> None:
    result = dg.materialize(_failing_assets(), executor=MP, raise_on_error=False)
    assert not result.success
    status = {r.step_key: r.status for r in result.step_records}
    assert status == {
        "ok": "succeeded",
        "boom": "failed",
        "after_boom": "skipped",
        "after_after": "skipped",
        "indep": "succeeded",
    }
    (failure,) = result.get_step_failure_events()
    assert isinstance(failure.error, ValueError)
    assert result.get_skipped_step_keys() == {"after_boom", "after_after"}
    assert result.asset_value("indep") == 7
    with pytest.raises(dg.DagsterInvariantViolationError, match="failed"):
        result.output_for_node("boom")
    assert multiprocessing.active_children() == []


def test_a_child_that_dies_without_reporting_is_a_failed_step() -> None:
    @dg.asset
    def dies() -> int:
        os._exit(3)

    @dg.asset
    def fine() -> int:
        return 1

    result = dg.materialize([dies, fine], executor=MP, raise_on_error=False)
    status = {r.step_key: r.status for r in result.step_records}
    assert status == {"dies": "failed", "fine": "succeeded"}
    error = result.get_step_failure_events()[0].error
    assert isinstance(error, StepExecutionError)
    assert "'dies'" in str(error) and "exited with code 3" in str(error)
    assert "while starting" not in str(error)  # it reached the step: no start-up hint

    with pytest.raises(StepExecutionError, match=r"Step 'dies' failed: .*exited with code 3"):
        dg.materialize([dies], executor=MP)


class _Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:  # unpickling calls cls(*args): fails
        super().__init__(f"needs two arguments {a} {b}")


def test_an_exception_that_cannot_cross_processes_becomes_step_execution_error() -> None:
    @dg.asset
    def odd() -> int:
        raise _Unpicklable(1, 2)

    with pytest.raises(StepExecutionError) as info:
        dg.materialize([odd], executor=MP)
    text = str(info.value)
    assert "Step 'odd' failed with _Unpicklable: needs two arguments 1 2" in text
    assert "Traceback" in text and "raise _Unpicklable(1, 2)" in text


def test_resource_init_failure_in_a_step_process() -> None:
    @dg.asset
    def uses(broken: Broken) -> int:
        return 1

    with pytest.raises(ResourceFunctionError, match="'broken'") as info:
        dg.materialize([uses], resources={"broken": Broken()}, executor=MP)
    assert isinstance(info.value.user_exception, RuntimeError)
    result = dg.materialize([uses], resources={"broken": Broken()}, executor=MP, raise_on_error=False)
    assert result.get_failed_step_keys() == {"uses"}


def test_teardown_problems_are_collected_and_warned() -> None:
    @dg.asset
    def a(bad: BadTeardown) -> int:
        return 1

    with pytest.warns(ResourceTeardownWarning, match="'bad'.*step 'a'"):
        result = dg.materialize([a], resources={"bad": BadTeardown()}, executor=MP)
    assert result.success
    (problem,) = result.teardown_problems
    assert problem.key == "bad" and isinstance(problem.error, OSError)


def test_interrupt_in_the_parent_terminates_children_and_tears_down(tmp_path: Path) -> None:
    @dg.asset
    def slow(r1: Counted) -> int:
        _mark(r1.root, "slow", "running")
        time.sleep(30)
        return 1

    def interrupt(event: str, step: str, record: Any) -> None:
        if event == "started":
            deadline = time.time() + 10
            while not _events(tmp_path, "slow", "running") and time.time() < deadline:
                time.sleep(0.01)
            raise KeyboardInterrupt

    start = time.time()
    with pytest.raises(KeyboardInterrupt):
        dg.materialize(
            [slow], resources={"r1": Counted(root=str(tmp_path), tag="r1")}, executor=MP, hooks=interrupt
        )
    assert time.time() - start < 10
    assert multiprocessing.active_children() == []
    assert _events(tmp_path, "r1", "teardown") == _events(tmp_path, "r1", "setup")  # SIGTERM -> teardown


# -- IO managers ---------------------------------------------------------------------------------
class JsonIOManager(dg.ConfigurableIOManager):
    root: str

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        Path(self.root, "-".join(context.get_identifier()) + ".json").write_text(json.dumps(obj))

    def load_input(self, context: dg.InputContext) -> Any:
        ident = context.upstream_output.get_identifier()
        return json.loads(Path(self.root, "-".join(ident) + ".json").read_text())


def test_a_user_io_manager_is_used_as_it_is(tmp_path: Path) -> None:
    @dg.asset
    def a() -> list[int]:
        return [1, 2]

    @dg.asset
    def b(a: list[int]) -> int:
        return sum(a)

    result = dg.materialize([a, b], resources={"io_manager": JsonIOManager(root=str(tmp_path))}, executor=MP)
    assert result.asset_value("b") == 3
    assert json.loads(Path(tmp_path, "a.json").read_text()) == [1, 2]


def test_the_temporary_storage_is_removed_with_the_result() -> None:
    @dg.asset
    def a() -> int:
        return 1

    result = dg.materialize([a], executor=MP)
    storage = Path(result._loader.storage.name)  # type: ignore[union-attr]
    assert storage.is_dir() and result.asset_value("a") == 1
    del result
    import gc

    gc.collect()
    assert not storage.exists()


# -- jobs ----------------------------------------------------------------------------------------
@dg.op
def where() -> int:
    return os.getpid()


@dg.op
def plus_one(n: int) -> int:
    return n + 1


@dg.graph
def inner():
    return plus_one(where())


@dg.job(executor_def=dg.multiprocess_executor)
def mp_job():
    inner()


def test_job_execute_uses_its_executor_and_execute_in_process_does_not() -> None:
    parent = os.getpid()
    result = mp_job.execute()
    assert result.success
    pid = result.output_for_node("inner.where")
    assert pid != parent
    assert result.output_for_node("inner") == pid + 1  # a graph output aliases an op output
    in_process = mp_job.execute_in_process()
    assert in_process.output_for_node("inner.where") == parent


def test_execute_job_with_reconstructable_ports_from_dagster() -> None:
    with dg.execute_job(dg.reconstructable(mp_job), instance=None) as result:
        assert result.success
        assert result.output_for_node("inner.where") != os.getpid()
    assert dg.reconstructable(lambda: mp_job) is mp_job

    @dg.op
    def fails() -> None:
        raise KeyError("nope")

    @dg.job(executor_def=dg.multiprocess_executor)
    def failing():
        fails()

    assert not dg.execute_job(failing).success  # raise_on_error=False by default, as in Dagster
    with pytest.raises(KeyError):
        dg.execute_job(failing, raise_on_error=True)


@dg.op
def where_am_i() -> int:
    return os.getpid()


@dg.job
def default_executor_job():
    where_am_i()


def test_run_config_execution_configures_or_chooses_the_executor_as_in_dagster() -> None:
    from resnb.execution.executors import executor_for_run

    spawn = {"config": {"start_method": {"spawn": {}}, "max_concurrent": 1}}
    configured = executor_for_run(MP, spawn)
    assert configured.is_multiprocess and configured.config["start_method"] == {"spawn": {}}
    assert configured.max_concurrent == 1 and MP.config == {}, "the job's own executor is not changed"
    assert executor_for_run(None, {"config": {"in_process": {}}}) is dg.in_process_executor
    assert executor_for_run(None, {"config": {"multiprocess": {"max_concurrent": 2}}}).max_concurrent == 2
    assert executor_for_run(MP, None) is MP

    parent = os.getpid()
    run_in_child = {"execution": {"config": {"multiprocess": {}}}}
    assert (
        dg.execute_job(default_executor_job, run_config=run_in_child).output_for_node("where_am_i") != parent
    )
    run_here = {"execution": {"config": {"in_process": {}}}}
    assert dg.execute_job(default_executor_job, run_config=run_here).output_for_node("where_am_i") == parent
    assert mp_job.execute(run_config={"execution": {"config": {"max_concurrent": 1}}}).success
    # execute_in_process ignores the section, as Dagster does
    assert mp_job.execute_in_process(run_config={"execution": {"config": {"bogus": 1}}}).success


@pytest.mark.parametrize(
    ("job", "execution", "message"),
    [
        (mp_job, {"config": {"bogus": 1}}, "'bogus', which executor 'multiprocess' does not take"),
        (mp_job, {"config": {"max_concurrent": "lots"}}, "max_concurrent'] must be a whole number"),
        (mp_job, {"config": {"multiprocess": {}}}, "'multiprocess', which executor 'multiprocess'"),
        (
            default_executor_job,
            {"config": {"in_proces": {}}},
            "executor 'in_proces'.*Did you mean 'in_process'",
        ),
        (
            default_executor_job,
            {"config": {"in_process": {"max_concurrent": 2}}},
            "executor 'in_process' does not",
        ),
        (default_executor_job, {"settings": {}}, "takes one entry, 'config'"),
        (default_executor_job, {"config": {"multiprocess": 4}}, r"\['multiprocess'\] must be a dict"),
    ],
)
def test_bad_execution_config_is_rejected_before_anything_runs(
    job: Any, execution: Any, message: str
) -> None:
    with pytest.raises(dg.DagsterInvalidConfigError, match=message):
        dg.execute_job(job, run_config={"execution": execution})


class Sized(dg.ConfigurableResource):
    n: int


@dg.op
def size_of(sized: Sized) -> int:
    return sized.n


@dg.job(executor_def=dg.multiprocess_executor, resource_defs={"sized": Sized.configure_at_launch()})
def sized_job():
    size_of()


@pytest.mark.parametrize(
    ("run_config", "error", "message"),
    [
        ({"resources": {"nope": {"config": {}}}}, dg.DagsterInvalidConfigError, "names resource 'nope'"),
        ({"resources": {"sized": {"config": {"n": "x"}}}}, dg.DagsterInvalidConfigError, "field 'n'"),
        ({}, dg.DagsterInvalidConfigError, "field 'n': Field required"),
    ],
)
def test_resource_config_errors_are_raised_before_any_step_process_starts(
    run_config: Any, error: type[Exception], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import resnb.execution.multiprocess as mp

    monkeypatch.setattr(mp, "_Scheduler", None)  # no scheduler may be made: nothing starts
    with pytest.raises(error, match=message):
        dg.execute_job(sized_job, run_config=run_config)


def test_an_unset_env_var_of_a_resource_is_raised_by_the_run_under_multiprocess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RESNB_UNSET_FOR_MP", raising=False)

    @dg.job(executor_def=MP, resource_defs={"sized": Sized(n=dg.EnvVar.int("RESNB_UNSET_FOR_MP"))})
    def env_job():
        size_of()

    with pytest.raises(EnvVarError, match="RESNB_UNSET_FOR_MP.*resource .sized."):
        env_job.execute()
    monkeypatch.setenv("RESNB_UNSET_FOR_MP", "12")
    assert env_job.execute().output_for_node("size_of") == 12


def test_definitions_asset_job_with_multiprocess_executor(tmp_path: Path) -> None:
    @dg.asset
    def a1(r1: Counted) -> int:
        return os.getpid()

    @dg.asset
    def a2(a1: int, r1: Counted) -> int:
        return os.getpid()

    defs = dg.Definitions(
        assets=[a1, a2],
        jobs=[dg.define_asset_job("all", executor_def=dg.multiprocess_executor)],
        resources={"r1": Counted(root=str(tmp_path), tag="r1")},
    )
    job = defs.resolve_job_def("all")
    result = dg.execute_job(dg.reconstructable(job))
    assert result.success
    assert len({result.asset_value("a1"), result.asset_value("a2"), os.getpid()}) == 3
    assert len(set(_events(tmp_path, "r1", "setup"))) == 2


# -- scripts -------------------------------------------------------------------------------------
SCRIPT = """
import json, os, sys
import resnb as dg

class R(dg.ConfigurableResource):
    v: int

@dg.asset
def a(r: R) -> int:
    return r.v

@dg.asset
def b(a: int) -> list:
    return [a, os.getpid()]

def main(method):
    executor = dg.multiprocess_executor
    if method:
        executor = executor.configured({"start_method": method})
    result = dg.materialize([a, b], resources={"r": R(v=4)}, executor=executor)
    value, pid = result.asset_value("b")
    print(json.dumps({"success": result.success, "value": value, "child": pid != os.getpid()}))

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
"""


@pytest.mark.parametrize("method", [None, "spawn", "forkserver"])
def test_runs_from_a_scripts_main(tmp_path: Path, method: str | None) -> None:
    if method is not None and method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"start method {method} is not available on this platform")
    script = tmp_path / "pipeline.py"
    script.write_text(textwrap.dedent(SCRIPT))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    args = [sys.executable, str(script)] + ([method] if method else [])
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"success": True, "value": 4, "child": True}


def test_spawn_with_a_local_function_explains_what_to_do() -> None:
    @dg.asset
    def local() -> int:
        return 1

    with pytest.raises(dg.DagsterInvariantViolationError, match="module level"):
        dg.materialize([local], executor=MP.configured({"start_method": "spawn"}))


def _define_in_a_fileless_main(monkeypatch: pytest.MonkeyPatch, code: str) -> dict[str, Any]:
    """Run ``code`` as a notebook kernel does: in a ``__main__`` module with no ``__file__``."""
    main = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", main)
    exec(compile(textwrap.dedent(code), "<cell>", "exec"), main.__dict__)
    return main.__dict__


NOTEBOOK_CELL = """
import resnb as dg

class Setting(dg.ConfigurableResource):
    v: int = 1

@dg.asset
def cell_a(setting: Setting) -> int:
    return setting.v

@dg.asset
def cell_b(cell_a: int) -> int:
    return cell_a + 1
"""


@dg.asset
def uses_setting(setting: dg.ResourceParam[Any]) -> int:
    return setting.v


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_spawn_with_assets_from_a_notebook_cell_names_them_before_starting(
    monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    cell = _define_in_a_fileless_main(monkeypatch, NOTEBOOK_CELL)
    with pytest.raises(dg.DagsterInvariantViolationError) as info:
        dg.materialize(
            [cell["cell_a"], cell["cell_b"]],
            resources={"setting": cell["Setting"]()},
            executor=MP.configured({"start_method": method}),
        )
    message = str(info.value)
    assert "assets 'cell_a', 'cell_b'" in message and f"start method '{method}'" in message
    assert "importable module" in message and "'fork'" in message
    assert multiprocessing.active_children() == []


def test_spawn_with_a_resource_class_from_a_notebook_cell_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    cell = _define_in_a_fileless_main(monkeypatch, NOTEBOOK_CELL)
    with pytest.raises(dg.DagsterInvariantViolationError) as info:
        dg.materialize(
            [uses_setting],  # the asset is importable, the resource's class is not
            resources={"setting": cell["Setting"]()},
            executor=MP.configured({"start_method": "spawn"}),
        )
    message = str(info.value)
    assert "Setting (a class defined in __main__)" in message and "importable module" in message


def test_fork_runs_assets_from_a_notebook_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    cell = _define_in_a_fileless_main(monkeypatch, NOTEBOOK_CELL)
    result = dg.materialize(
        [cell["cell_a"], cell["cell_b"]],
        resources={"setting": cell["Setting"](v=5)},
        executor=MP.configured({"start_method": "fork"}),
    )
    assert result.asset_value("cell_b") == 6


def test_spawn_from_a_script_without_a_main_guard_mentions_the_guard(tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import resnb as dg\n"
        "@dg.asset\ndef a():\n    return 1\n"
        "dg.materialize([a], executor=dg.multiprocess_executor.configured({'start_method': 'spawn'}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert "StepExecutionError: Step 'a' failed" in last and "while starting" in last
    assert 'if __name__ == "__main__":' in last
    assert "out-of-memory" not in last


def test_start_method_accepts_dagsters_selector_form() -> None:
    from resnb.execution.multiprocess import start_method_for

    assert start_method_for(MP.configured({"start_method": {"spawn": {}}})) == "spawn"
    if sys.platform.startswith("linux"):
        assert start_method_for(MP) == "fork"
    with pytest.raises(dg.DagsterInvalidConfigError, match="not available"):
        start_method_for(MP.configured({"start_method": "teleport"}))


def test_results_are_picklable_values_only() -> None:
    @dg.asset
    def unpicklable() -> Any:
        return lambda: 1

    result = dg.materialize([unpicklable], executor=MP, raise_on_error=False)
    error = result.get_step_failure_events()[0].error
    assert isinstance(error, dg.IOManagerError)
    assert "unpicklable" in str(error) and "pickle" in str(error)
    pickle.dumps(result.step_records[0].status)


INTERRUPTED = """
import os, signal, sys, time
from pathlib import Path
import resnb as dg

# A shell starts background jobs with SIGINT ignored, and Python keeps it ignored: a terminal's
# Ctrl-C is what this script stands for, so it gets Python's usual KeyboardInterrupt back.
signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = sys.argv[1]

class R(dg.ConfigurableResource):
    def setup_for_execution(self, context):
        Path(ROOT, f"setup.{os.getpid()}").touch()
    def teardown_after_execution(self, context):
        Path(ROOT, f"teardown.{os.getpid()}").touch()

@dg.asset
def slow1(r: R) -> int:
    Path(ROOT, f"running.{os.getpid()}").touch()
    time.sleep(60)
    return 1

@dg.asset
def slow2(r: R) -> int:
    Path(ROOT, f"running.{os.getpid()}").touch()
    time.sleep(60)
    return 2

if __name__ == "__main__":
    Path(ROOT, "parent").write_text(str(os.getpid()))
    dg.materialize([slow1, slow2], resources={"r": R()}, executor=dg.multiprocess_executor)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_in_a_terminal_leaves_no_process_behind(tmp_path: Path) -> None:
    import signal

    script = tmp_path / "interrupted.py"
    script.write_text(textwrap.dedent(INTERRUPTED))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a shell job
    )
    deadline = time.time() + 60
    while len(list(tmp_path.glob("running.*"))) < 2 and time.time() < deadline:
        time.sleep(0.05)
    children = [int(p.name.split(".")[1]) for p in tmp_path.glob("setup.*")]
    assert len(children) == 2
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: every process of the group gets it
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert stderr.count("KeyboardInterrupt") == 1, stderr  # reported once, by the parent
    assert sorted(int(p.name.split(".")[1]) for p in tmp_path.glob("teardown.*")) == sorted(children)
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_runs_in_a_notebook_kernel_with_functions_defined_in_cells(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\nimport os, resnb as dg",
        (
            "class R(dg.ConfigurableResource):\n    v: int\n\n"
            "@dg.asset\ndef a(r: R) -> int:\n    return r.v\n\n"
            "@dg.asset\ndef b(a: int) -> list:\n    return [a * 2, os.getpid()]"
        ),
        (
            "result = dg.materialize([a, b], resources={'r': R(v=21)}, executor=dg.multiprocess_executor)\n"
            "value, pid = result.asset_value('b')\n"
            "print(result.success, value, pid != os.getpid())"
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    try:
        client.execute()
    except Exception as exc:  # no kernel spec for this interpreter
        if "No such kernel" in str(exc) or "NoSuchKernel" in type(exc).__name__:
            pytest.skip(f"no python3 kernel: {exc}")
        raise
    output = "".join(o.get("text", "") for o in notebook.cells[2].outputs)
    assert output.strip() == "True 42 True"
