"""The ``resnb`` command: run notebooks headless, draw the graph, materialize, check definitions."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from resnb.cli import main

PROJECT = textwrap.dedent(
    """
    import resnb as dg

    class Store(dg.ConfigurableResource):
        root: str = "."

    @dg.asset
    def raw(store: Store) -> int:
        return 1

    @dg.asset
    def report(raw: int) -> int:
        return raw + 1

    @dg.asset
    def fails(raw: int) -> int:
        raise ValueError("bad data in raw")

    defs = dg.Definitions(assets=[raw, report, fails], resources={"store": Store()})
    unbound = dg.Definitions(assets=[raw, report], jobs=[dg.define_asset_job("everything")])
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A definitions file: ``defs`` is valid (asset ``fails`` raises), ``unbound`` lacks ``store``."""
    path = tmp_path / "project.py"
    path.write_text(PROJECT, encoding="utf-8")
    return path


def write_notebook(path: Path, *sources: str) -> Path:
    nbformat = pytest.importorskip("nbformat")
    from nbformat.v4 import new_code_cell, new_notebook

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(source) for source in sources]), path)
    return path


# -- the command itself ----------------------------------------------------------------------------


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "graph", "materialize", "check"):
        assert f"    {command} " in out


def test_help_and_version_import_nothing_heavy() -> None:
    script = (
        "import contextlib, io, json, sys\n"
        "from resnb.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help']); main(['run', '--help']); main(['--version'])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    modules = json.loads(done.stdout)
    heavy = ("IPython", "nbclient", "nbformat", "jupyter_client", "graphviz", "pydantic", "resnb.notebook")
    assert [name for name in modules if name.startswith(heavy)] == []


# -- run -------------------------------------------------------------------------------------------


def test_run_prints_a_status_line_per_notebook_then_the_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "nbs"
    write_notebook(folder / "a_fine.ipynb", "x = 1", "print(x)")
    write_notebook(folder / "b_broken.ipynb", "x = 1", "x.missing_attribute")
    write_notebook(folder / ".ipynb_checkpoints" / "a_fine-checkpoint.ipynb", "raise SystemExit")
    output_dir = tmp_path / "executed"

    status = main(["run", str(folder), "--output-dir", str(output_dir), "--timeout", "120"])

    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert status == 1
    assert lines[0].startswith(f"ok      {folder / 'a_fine.ipynb'}  ") and lines[0].endswith(" s  2 cells")
    assert lines[1].startswith(f"FAILED  {folder / 'b_broken.ipynb'}")
    assert lines[1].endswith(
        "cell 2 (code cell 2): AttributeError: 'int' object has no attribute 'missing_attribute'"
    )
    assert "cell 2 (code cell 2) source:\n    x.missing_attribute" in out
    assert lines[-1].startswith("1 of 2 notebooks FAILED (")
    # no progress line when stderr is not a terminal (the kernel's own shutdown noise is
    # tests/testing/test_kernel.py's business; a third-party race must not fail this test)
    assert "\r" not in err and "starting the kernel" not in err and "a_fine.ipynb" not in err
    assert sorted(p.name for p in output_dir.iterdir()) == ["a_fine.ipynb", "b_broken.ipynb"]


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (None, ["missing.ipynb"], "no such file or directory: '{tmp}/missing.ipynb'"),
        ("notes.txt", ["notes.txt"], "'{tmp}/notes.txt' is not a notebook"),
        ("empty/", ["empty"], "no notebooks (*.ipynb) in '{tmp}/empty'"),
        (
            "a/x.ipynb b/x.ipynb",
            ["a", "b", "--output-dir", "out"],
            "would both be written to '{tmp}/out/x.ipynb'",
        ),
    ],
)
def test_run_usage_errors_exit_2_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str | None, args: list[str], message: str
) -> None:
    for name in (make or "").split():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_text("{}")
    argv = [arg if arg.startswith("-") else str(tmp_path / arg) for arg in args]

    assert main(["run", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("resnb run: ") and message.format(tmp=tmp_path) in err


@pytest.mark.parametrize("timeout", ["-3", "0", "nan", "soon"])
def test_run_rejects_a_timeout_that_is_not_a_positive_number_naming_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], timeout: str
) -> None:
    (tmp_path / "a.ipynb").write_text("{}")

    assert main(["run", str(tmp_path), "--timeout", timeout]) == 2
    err = capsys.readouterr().err
    assert "resnb run: error: argument --timeout: " in err and repr(timeout) in err
    assert "use --no-timeout" in err


@pytest.mark.parametrize(
    ("args", "timeout"), [([], 600), (["--timeout", "2.5"], 2.5), (["--no-timeout"], None)]
)
def test_run_gives_each_cell_the_timeout_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], timeout: float | None
) -> None:
    import resnb.testing.batch

    seen: list[float | None] = []

    def run_notebooks(
        notebooks: list[Path], *, timeout: float | None, output_dir: str | None
    ) -> list[object]:
        seen.append(timeout)
        return []

    monkeypatch.setattr(resnb.testing.batch, "run_notebooks", run_notebooks)
    (tmp_path / "a.ipynb").write_text("{}")

    assert main(["run", str(tmp_path), *args]) == 0
    assert seen == [timeout]


class Terminal(io.StringIO):
    """A stream that says it is a terminal; ``seen`` is set once ``wanted`` has been written."""

    def __init__(self, wanted: str = "") -> None:
        super().__init__()
        self.wanted = wanted
        self.seen = threading.Event()

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.wanted and self.wanted in text:
            self.seen.set()
        return written


def test_the_progress_line_is_drawn_only_on_a_terminal() -> None:
    from resnb.testing.batch import Progress

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress(stream, total=2, interval=None)
        progress.start(Path("nbs/a.ipynb"))
        progress.cell(4, 2, 9)
        progress.clear()

    assert pipe.getvalue() == ""
    drawn = terminal.getvalue().split("\r\x1b[K")
    assert drawn[1].startswith("[1/2] nbs/a.ipynb: starting the kernel, ")
    assert drawn[2].startswith("[1/2] nbs/a.ipynb: cell 5 (2/9), ")
    assert drawn[3] == ""


def test_a_timer_redraws_the_elapsed_time_during_a_long_cell_until_closed() -> None:
    from resnb.testing.batch import Progress

    now = [100.0]
    terminal = Terminal(wanted="a.ipynb: cell 1 (1/1), 7 s")
    progress = Progress(terminal, total=1, interval=0.01, clock=lambda: now[0])
    progress.start(Path("a.ipynb"))
    progress.cell(0, 1, 1)
    now[0] = 107.0  # the cell is still running: only the timer can draw this

    assert terminal.seen.wait(30)
    progress.close()
    assert "resnb-progress" not in [thread.name for thread in threading.enumerate()]
    assert terminal.getvalue().endswith("\r\x1b[K")


def test_no_timer_runs_when_stderr_is_not_a_terminal() -> None:
    from resnb.testing.batch import Progress

    progress = Progress(io.StringIO(), total=1, interval=0.01)
    progress.start(Path("a.ipynb"))
    assert "resnb-progress" not in [thread.name for thread in threading.enumerate()]
    progress.close()


def test_the_interrupted_line_says_how_far_the_run_got() -> None:
    from resnb.testing.batch import interrupted_line
    from resnb.testing.report import NotebookReport

    notebooks = [Path("a.ipynb"), Path("b.ipynb"), Path("c.ipynb")]
    done = [NotebookReport(notebooks[0], 1.0, 2, None)]

    assert interrupted_line(done, notebooks, "interrupted while running cell 4") == (
        "interrupted: 1 of 3 notebooks run (stopped in b.ipynb, cell 4)"
    )
    assert interrupted_line([], notebooks[:1]) == "interrupted: 0 of 1 notebook run (stopped in a.ipynb)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe to know when the cell runs")
def test_ctrl_c_stops_the_kernel_quietly_and_says_how_far_the_run_got(tmp_path: Path) -> None:
    started = tmp_path / "started"
    os.mkfifo(started)
    write_notebook(tmp_path / "a_ok.ipynb", "x = 1")
    slow = (
        f"import os, time\nwith open({str(started)!r}, 'w') as fifo:\n    fifo.write(str(os.getpid()))\n"
        "time.sleep(300)"
    )
    write_notebook(tmp_path / "b_slow.ipynb", slow)
    write_notebook(tmp_path / "c_never.ipynb", "x = 1")
    run = subprocess.Popen(
        [sys.executable, "-m", "resnb", "run", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal
    )
    try:
        kernel_pid = int(_read_when_written(started, run))
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=120)
    finally:
        run.kill()

    assert run.returncode == 130
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"ok      {tmp_path / 'a_ok.ipynb'}")
    assert (
        lines[1]
        == f"interrupted: 1 of 3 notebooks run (stopped in {tmp_path / 'b_slow.ipynb'}, cell 1 (code cell 1))"
    )
    assert "Traceback" not in err and "ZMQError" not in err, err
    with pytest.raises(ProcessLookupError):
        os.kill(kernel_pid, 0)  # the kernel was stopped (and reaped) before resnb exited


def _read_when_written(fifo: Path, process: subprocess.Popen[str]) -> str:
    """What a cell writes to ``fifo``; fails (instead of blocking forever) if ``process`` ends first."""
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(fifo.read_text()), daemon=True)
    reader.start()
    while reader.is_alive() and process.poll() is None:
        reader.join(0.1)
    if not found:
        with open(fifo, "w"):  # unblock the reader
            pass
        pytest.fail(f"the slow cell never ran: {process.communicate(timeout=60)}")
    return found[0]


# -- check -----------------------------------------------------------------------------------------


def test_check_reports_ok_with_counts(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project)]) == 0
    assert capsys.readouterr().out == f"{project}: ok (3 assets, 0 jobs, 1 resource)\n"


def test_check_lists_each_problem_once_and_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", f"{project}:unbound"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{project}:unbound: 1 problem"
    assert out[1].startswith("  - Resource 'store' required by asset 'raw' was not provided.")


BROKEN = textwrap.dedent(
    """
    import resnb as dg

    class Client(dg.ConfigurableResource):
        other: dg.ResourceDependency[object]

    @dg.asset(required_resource_keys={"x"})
    def a(context):
        return 1

    @dg.asset(required_resource_keys={"y", "z"})
    def b(context):
        return 1

    @dg.op(required_resource_keys={"mailer"})
    def send(context):
        pass

    @dg.job
    def mail_job():
        send()

    defs = dg.Definitions(
        assets=[a, b],
        jobs=[mail_job],
        resources={
            "ok": Client(other=dg.ResourceParam("p")),
            "dangling": Client(other=dg.ResourceParam("zz")),
            "p": Client(other=dg.ResourceParam("q")),
            "q": Client(other=dg.ResourceParam("p")),
        },
    )
    """
)


def test_check_lists_every_missing_key_of_every_asset_op_and_resource_and_each_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.py"
    path.write_text(BROKEN, encoding="utf-8")

    assert main(["check", str(path)]) == 1

    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: 6 problems"
    assert [line.split(" was not provided")[0].split(", which")[0] for line in out[1:]] == [
        "  - Resource 'x' required by asset 'a'",
        "  - Resource 'y' required by asset 'b'",
        "  - Resource 'z' required by asset 'b'",
        "  - Resource 'mailer' required by op 'send' of job 'mail_job'",
        "  - Resource 'dangling' depends on resource 'zz'",
        "  - The resources p -> q -> p depend on each other in a cycle. Break the cycle: one of these "
        "resources must not depend on the next.",
    ]
    assert out[5].endswith("Add a resource under 'zz' or fix the reference.")


SECRETS = textwrap.dedent(
    """
    import resnb as dg

    class Auth(dg.ConfigurableResource):
        secret: str

    class Api(dg.ConfigurableResource):
        user: str
        token: str
        auth: dg.ResourceDependency[Auth]

    class Mailer(dg.ConfigurableResource):
        key: str

    @dg.asset
    def fetched(api: Api) -> int:
        return 1

    @dg.op(required_resource_keys={"mailer"})
    def send(context):
        pass

    @dg.job(resource_defs={"mailer": Mailer(key=dg.EnvVar("RESNB_T_MAIL_KEY"))})
    def mail_job():
        send()

    defs = dg.Definitions(
        assets=[fetched],
        jobs=[mail_job],
        resources={
            "api": Api(
                user=dg.EnvVar("RESNB_T_USER"), token=dg.EnvVar("RESNB_T_TOKEN"), auth=dg.ResourceParam("auth")
            ),
            "auth": Auth(secret=dg.EnvVar("RESNB_T_SECRET")),
            "unused": Auth(secret=dg.EnvVar("RESNB_T_UNUSED")),
        },
    )
    """
)


def test_check_lists_unset_env_vars_of_the_resources_in_use_never_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("RESNB_T_MAIL_KEY", "RESNB_T_TOKEN", "RESNB_T_SECRET", "RESNB_T_UNUSED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RESNB_T_USER", "value-that-must-not-be-printed")
    path = tmp_path / "secrets.py"
    path.write_text(SECRETS, encoding="utf-8")

    assert main(["check", str(path)]) == 1

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"{path}: 3 problems"
    assert lines[1:] == [
        f"  - Environment variable \"{variable}\" is not set, but resource '{key}', field '{field}' reads it "
        f"(EnvVar(\"{variable}\")); resource '{key}' is used by {user}. Set it in the environment before "
        f"running (export {variable}=...) or pass a value directly."
        for variable, key, field, user in [
            ("RESNB_T_TOKEN", "api", "token", "asset 'fetched'"),
            ("RESNB_T_SECRET", "auth", "secret", "asset 'fetched'"),
            ("RESNB_T_MAIL_KEY", "mailer", "key", "op 'send' of job 'mail_job'"),
        ]
    ]
    assert "RESNB_T_UNUSED" not in out and "value-that-must-not-be-printed" not in out

    for name in ("RESNB_T_MAIL_KEY", "RESNB_T_TOKEN", "RESNB_T_SECRET"):
        monkeypatch.setenv(name, "set")
    assert main(["check", str(path)]) == 0


OP_CONFIG = textwrap.dedent(
    """
    import resnb as dg

    class Limits(dg.Config):
        low: int
        high: int
        label: str = "x"

    class Optional(dg.Config):
        label: str = "x"

    @dg.op
    def bounded(config: Limits) -> int:
        return config.low

    @dg.op
    def relaxed(config: Optional) -> str:
        return config.label

    @dg.op(config_schema={"limit": int})
    def legacy(context) -> int:
        return context.op_config["limit"]

    preset = bounded.configured({"low": 1, "high": 2}, name="preset")

    @dg.job
    def needs_config():
        bounded()
        relaxed()
        legacy()
        preset()

    @dg.job(config={"ops": {"bounded": {"config": {"low": 1, "high": 2}}}})
    def given_config():
        bounded()

    defs = dg.Definitions(jobs=[needs_config, given_config])
    """
)


def test_check_lists_assets_and_ops_whose_config_has_no_default_with_how_to_give_it(
    configured: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", configured]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{configured}: 1 problem",
        "  - Asset 'needs_cfg' needs run config: its config field 'n' has no default. Give it with: "
        f"resnb materialize {configured} needs_cfg --config needs_cfg.n=VALUE "
        """(or --config-json '{"needs_cfg": {"n": VALUE}}').""",
    ]

    path = tmp_path / "op_config.py"
    path.write_text(OP_CONFIG, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: 2 problems",
        "  - Op 'bounded' of job 'needs_config' needs run config: its config fields 'low', 'high' have no "
        "default. Give it when running the job: run_config={'ops': {'bounded': {'config': {'low': ..., "
        "'high': ...}}}}.",
        "  - Op 'legacy' of job 'needs_config' needs run config: its config field 'limit' has no default. "
        "Give it when running the job: run_config={'ops': {'legacy': {'config': {'limit': ...}}}}.",
    ]


def test_check_accepts_asset_config_an_asset_job_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "job_config.py"
    path.write_text(
        "import resnb as dg\n\n\nclass C(dg.Config):\n    n: int\n\n\n@dg.asset\ndef a(config: C) -> int:\n"
        "    return config.n\n\n\ndefs = dg.Definitions(assets=[a], jobs=[dg.define_asset_job('j', "
        "selection=[a], config={'ops': {'a': {'config': {'n': 1}}}})])\n",
        encoding="utf-8",
    )
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: ok")


def test_a_target_that_names_nothing_exits_2_without_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", f"{project}:nothing"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("resnb check: ") and "'nothing'" in err and "Traceback" not in err


# -- graph -----------------------------------------------------------------------------------------


def test_graph_prints_dot_by_default(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(project), "--select", "report", "--no-resources"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph") and '"report"' in out
    assert '"raw"' not in out and "store" not in out


def test_graph_writes_a_file_in_the_format_of_its_suffix(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "graph.gv"

    assert main(["graph", str(project), "-o", str(target)]) == 0

    assert target.read_text().startswith("digraph") and "resource:store" in target.read_text()
    assert capsys.readouterr().out.startswith(f"wrote {target} (resource graph: 1 resource, 3 assets, ")


def test_graph_svg_goes_to_stdout(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from resnb.notebook.render import find_renderer

    if find_renderer() is None:
        pytest.skip("no Graphviz renderer installed")
    assert main(["graph", str(project), "--format", "svg"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<svg") and "report" in out and "<script" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "reprot"], "resnb graph: --select 'reprot': "),
        (["--format", "png"], "resnb graph: --format png writes binary data: give a file with -o FILE.png"),
        (["-o", "graph.txt"], "resnb graph: cannot tell the format of 'graph.txt' from its suffix"),
    ],
)
def test_graph_usage_errors_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["graph", str(project), *args]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_graph_to_a_missing_directory_exits_2_saying_to_create_it(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no" / "such dir" / "g.dot"

    assert main(["graph", str(project), "-o", str(target)]) == 2

    err = capsys.readouterr().err
    assert err.startswith(
        f"resnb graph: cannot write '{target}': the directory '{target.parent}' does not exist. "
        f"Create it first (mkdir -p '{target.parent}') or give -o a path in an existing directory."
    )
    assert "Errno" not in err and not target.parent.exists()


def test_graph_into_a_file_as_if_a_directory_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", str(project), "-o", f"{project}/g.dot"]) == 2
    assert f"'{project}' is not a directory. Give -o a path in a directory." in capsys.readouterr().err


# -- materialize -----------------------------------------------------------------------------------


def test_materialize_adds_upstream_kept_in_memory_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["materialize", str(project), "report"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "also materializing upstream 'raw': its IO manager keeps values in memory only, so no "
        "earlier run's value can be loaded"
    )
    assert [line.split()[:2] for line in lines[1:3]] == [["succeeded", "raw"], ["succeeded", "report"]]
    assert lines[3] == f"materialized 2 assets of {project}"


UNREADY = textwrap.dedent(
    """
    import resnb as dg

    class Api(dg.ConfigurableResource):
        token: str

    @dg.asset(required_resource_keys={"missing_thing"})
    def a(context) -> int:
        return 1

    @dg.asset
    def b(a: int) -> int:
        return a

    @dg.asset
    def fetched(api: Api) -> int:
        return 1

    @dg.asset
    def summary(fetched: int) -> int:
        return fetched

    defs = dg.Definitions(
        assets=[a, b, fetched, summary], resources={"api": Api(token=dg.EnvVar("RESNB_TEST_UNSET_TOKEN"))}
    )
    """
)


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("b", "Resource 'missing_thing' required by asset 'a' was not provided."),
        ("summary", 'Environment variable "RESNB_TEST_UNSET_TOKEN" is not set'),
    ],
)
def test_a_run_that_cannot_start_fails_before_the_upstream_note(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    asset: str,
    message: str,
) -> None:
    monkeypatch.delenv("RESNB_TEST_UNSET_TOKEN", raising=False)
    path = tmp_path / "unready.py"
    path.write_text(UNREADY, encoding="utf-8")

    assert main(["materialize", str(path), asset]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"resnb materialize: {message}")


STORED = textwrap.dedent(
    """
    import resnb as dg

    COUNT = {count!r}

    @dg.asset
    def raw() -> int:
        with open(COUNT, "a") as file:
            file.write("raw\\n")
        return 1

    @dg.asset
    def report(raw: int) -> int:
        return raw + 1

    defs = dg.Definitions(
        assets=[raw, report], resources={{"io_manager": dg.FilesystemIOManager(base_dir={store!r})}}
    )
    """
)


def test_materialize_loads_upstream_values_a_persistent_io_manager_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count, path = tmp_path / "count.txt", tmp_path / "stored.py"
    path.write_text(STORED.format(count=str(count), store=str(tmp_path / "store")), encoding="utf-8")
    target = str(path)

    assert main(["materialize", target, "report"]) == 1, "nothing stored yet"
    assert "add --upstream" in capsys.readouterr().err
    assert main(["materialize", target, "raw"]) == 0
    assert main(["materialize", target, "report"]) == 0
    assert count.read_text() == "raw\n", "raw was loaded, not recomputed"
    capsys.readouterr()
    assert main(["materialize", target, "report", "--upstream"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines[:2]] == [["succeeded", "raw"], ["succeeded", "report"]]
    assert count.read_text() == "raw\nraw\n"


def test_a_failing_asset_exits_1_naming_it_with_the_users_traceback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["materialize", str(project), "fails", "report", "--upstream"]) == 1
    out, err = capsys.readouterr()
    assert [line.split()[:2] for line in out.splitlines()] == [
        ["succeeded", "raw"],
        ["failed", "fails"],
        ["succeeded", "report"],
    ]
    assert out.splitlines()[1].endswith("ValueError: bad data in raw")
    assert err.startswith(
        "resnb materialize: Materializing asset 'fails' failed: ValueError: bad data in raw."
    )
    assert f'File "{project}", line ' in err and 'raise ValueError("bad data in raw")' in err
    assert "resnb/execution" not in err


DOWN = textwrap.dedent(
    """
    import resnb as dg

    class Db(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise ConnectionError("database is down")

    @dg.asset
    def table(db: Db) -> int:
        return 1

    defs = dg.Definitions(assets=[table], resources={"db": Db()})
    """
)


def test_a_resource_that_fails_to_set_up_points_at_the_traceback_below_not_a_magic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "down.py"
    path.write_text(DOWN, encoding="utf-8")

    assert main(["materialize", str(path), "table"]) == 1

    message, traceback = capsys.readouterr().err.split("\n\nTraceback (most recent call last):\n")
    assert message.startswith(
        "resnb materialize: Nothing was materialized: asset 'table' needs resource 'db'"
    )
    assert "ConnectionError: database is down." in message
    assert "see the traceback below for where it was raised. Fix it and materialize again." in message
    assert "above" not in message and "%" not in message
    assert 'raise ConnectionError("database is down")' in traceback


@pytest.mark.parametrize(
    ("message", "traceback", "expected"),
    [
        (
            "Error X. Torn down; see the exception above for where it was raised. Fix it "
            "(try %build_resources db) and materialize again.",
            "",
            "Error X. Torn down. Fix it and materialize again.",
        ),
        (
            "Error X. Torn down; see the exception above for where it was raised.",
            "\n\nTraceback ...",
            "Error X. Torn down; see the traceback below for where it was raised.",
        ),
        (
            "Fix it or the run config it was given (see the exception above).",
            "",
            "Fix it or the run config it was given.",
        ),
        ("Fix it (see the exception above).", "\n\nTraceback ...", "Fix it (see the traceback below)."),
    ],
    ids=["clause-alone", "clause-traceback", "parenthesis-alone", "parenthesis-traceback"],
)
def test_messages_written_for_notebooks_are_reworded_for_the_terminal(
    message: str, traceback: str, expected: str
) -> None:
    from resnb.cli.common import command_line_text

    assert command_line_text(message, traceback) == expected


def test_materialize_an_unknown_asset_exits_2_with_a_suggestion(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["materialize", str(project), "reprot"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("resnb materialize: No asset named 'reprot'.") and "Did you mean 'report'?" in err


CONFIGURED = textwrap.dedent(
    """
    import warnings
    import resnb as dg

    class Cfg(dg.Config):
        n: int
        label: str = "x"

    @dg.asset
    def needs_cfg(context, config: Cfg) -> str:
        context.log.info("scaling %s", config.n)
        return config.label * config.n

    @dg.resource
    def flaky(context):
        yield 1
        raise RuntimeError("teardown boom")

    @dg.asset(required_resource_keys={"flaky"})
    def noisy(context) -> int:
        warnings.warn("noisy data")
        return 1

    defs = dg.Definitions(assets=[needs_cfg, noisy], resources={"flaky": flaky})
    """
)


@pytest.fixture
def configured(tmp_path: Path) -> str:
    path = tmp_path / "configured.py"
    path.write_text(CONFIGURED, encoding="utf-8")
    return str(path)


def test_materialize_takes_asset_config_as_flags_or_json(
    configured: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["materialize", configured, "needs_cfg", "--config", "needs_cfg.n=3"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[:2] == ["succeeded", "needs_cfg"]
    json_config = '{"needs_cfg": {"n": 2, "label": "y"}}'
    assert main(["materialize", configured, "needs_cfg", "--config-json", json_config]) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["-c", "needs_cfg.n=2", "needs_cfg"],
        ["--config", "needs_cfg.n=2", "needs_cfg.label=y", "needs_cfg", "noisy"],
        ["noisy", "-c", "needs_cfg.n=2", "needs_cfg"],
        ["-c", "needs_cfg.n=2", "-c", "needs_cfg.label=y", "needs_cfg"],
    ],
)
def test_words_without_equals_after_config_are_assets(
    configured: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(["materialize", configured, *argv]) == 0
    out, err = capsys.readouterr()
    ran = sorted(line.split()[1] for line in out.splitlines() if line.startswith("succeeded"))
    assert ran == sorted(word for word in argv if word in ("needs_cfg", "noisy"))
    assert "scaling 2" in err


def test_config_items_without_an_asset_exit_2_asking_for_one(
    configured: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["materialize", configured, "-c", "needs_cfg.n=2"]) == 2
    assert capsys.readouterr().err.startswith("resnb materialize: name the assets to materialize")


def test_missing_asset_config_says_which_flag_gives_it(
    configured: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["materialize", configured, "needs_cfg"]) == 2
    err = capsys.readouterr().err
    assert "asset 'needs_cfg', field 'n'" in err
    assert f"resnb materialize {configured} needs_cfg --config needs_cfg.n=VALUE" in err
    assert "run_config=" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("needs_cf.n=1", "Did you mean 'needs_cfg'?"),
        ("needs_cfg.nn=1", "Did you mean 'n'?"),
        ("needs_cfg.n=abc", "'abc' is not a valid int"),
        ("needs_cfg.n3", "cannot read config 'needs_cfg.n3': write ASSET.FIELD=VALUE"),
    ],
)
def test_bad_asset_config_exits_2_naming_it(
    configured: str, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    assert main(["materialize", configured, "needs_cfg", "--config", config]) == 2
    assert message in capsys.readouterr().err


def test_context_log_info_reaches_stderr_naming_the_step(
    configured: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["materialize", configured, "needs_cfg", "-c", "needs_cfg.n=4"]) == 0
    err = capsys.readouterr().err
    assert "INFO" in err and "needs_cfg" in err and "scaling 4" in err
    line = next(line for line in err.splitlines() if "scaling 4" in line)
    assert "needs_cfg" in line


def test_warnings_name_their_category_and_only_a_location_in_the_users_code(
    configured: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["materialize", configured, "noisy"]) == 0
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if "teardown boom" in line]
    assert line.startswith("resnb materialize: ResourceTeardownWarning: Teardown of resource 'flaky' failed")
    assert line.endswith("fix the resource's teardown code."), "no location: it would be the caller of main"
    assert "raise SystemExit" not in err and "__main__" not in err and __file__ not in err
    (line,) = [line for line in err.splitlines() if "noisy data" in line]
    lineno = Path(configured).read_text().splitlines().index('    warnings.warn("noisy data")') + 1
    assert line == f"resnb materialize: UserWarning: noisy data (at {configured}:{lineno})"


def test_an_unknown_module_target_does_not_mention_notebook_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "no_such_module_here"]) == 2
    err = capsys.readouterr().err
    assert "no module named 'no_such_module_here'" in err and "notebook" not in err


@pytest.mark.parametrize(
    ("source", "summary", "user_line"),
    [
        ("def broken(:\n    pass\n", "SyntaxError: invalid syntax", "    def broken(:"),
        ("raise RuntimeError('boom at import')\n", "RuntimeError: boom at import", "raise RuntimeError"),
        ("import no_such_dependency_xyz\n", "No module named 'no_such_dependency_xyz'", "import no_such"),
        (
            "import os\nimport resnb as dg\n\n@dg.definitions\ndef defs():\n"
            "    return dg.Definitions(resources={'x': os.environ['UNSET_VAR_XYZ']})\n",
            "KeyError: 'UNSET_VAR_XYZ'",
            "os.environ['UNSET_VAR_XYZ']",
        ),
    ],
)
@pytest.mark.parametrize("command", [["check"], ["graph"], ["materialize", "-", "a"]])
def test_a_target_whose_code_raises_is_one_line_then_the_users_frames_only(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    source: str,
    summary: str,
    user_line: str,
    command: list[str],
) -> None:
    target = tmp_path / "user_code.py"
    target.write_text(source, encoding="utf-8")
    argv = [command[0], str(target), *[c for c in command[1:] if c != "-"]]

    assert main(argv) == 1

    err = capsys.readouterr().err
    assert (
        err.startswith(f"resnb {command[0]}: loading '{target}' raised ") and summary in err.splitlines()[0]
    )
    assert user_line in err and str(target) in err
    assert "resnb/" not in err.replace(f"resnb {command[0]}", "") and "importlib" not in err
