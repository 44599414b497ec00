"""The kernel's stderr relay: copied to ours while the kernel runs, dropped once muted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("jupyter_client")

from resnb.testing.kernel import StderrRelay  # noqa: E402

WRITE = "import sys; sys.stderr.write('kernel says h\\u00e9llo\\n' * 3)"


def child_writing_to(relay: StderrRelay) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    subprocess.run([sys.executable, "-c", WRITE], stderr=relay.write_fd, env=env, check=True, timeout=60)


def test_the_relay_copies_a_childs_stderr_to_ours(capsys: pytest.CaptureFixture[str]) -> None:
    relay = StderrRelay()
    child_writing_to(relay)
    relay.start()

    assert relay.join(timeout=60), "the relay stops when the child's stderr is closed"
    assert capsys.readouterr().err == "kernel says h\u00e9llo\n" * 3


def test_a_muted_relay_drops_what_the_child_writes(capsys: pytest.CaptureFixture[str]) -> None:
    relay = StderrRelay()
    child_writing_to(relay)
    relay.mute()
    relay.start()

    assert relay.join(timeout=60)
    assert capsys.readouterr().err == ""


def test_a_kernel_stderr_reaches_ours_when_a_notebook_runs(
    tmp_path: Path, write_notebook, capsys: pytest.CaptureFixture[str]
) -> None:
    from resnb.testing import run_notebook

    source = "import sys\nsys.__stderr__.write('from the kernel itself\\n')\nsys.__stderr__.flush()"
    report = run_notebook(write_notebook(tmp_path / "nb.ipynb", source), timeout=120)

    assert report.ok, report
    assert "from the kernel itself\n" in capsys.readouterr().err
