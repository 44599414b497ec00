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


ZMQ_NOISE = """ERROR:tornado.general:Uncaught exception in ZMQStream callback
Traceback (most recent call last):
  File "/venv/site-packages/ipykernel/kernelbase.py", line 408, in process_control
    sys.stderr.flush()
  File "zmq/backend/cython/_zmq.py", line 190, in zmq.backend.cython._zmq._check_rc
zmq.error.ZMQError: Socket operation on non-socket
"""
USER_TRACEBACK = """Traceback (most recent call last):
  File "teardown.py", line 3, in close
    raise RuntimeError("pool left open")
RuntimeError: pool left open
"""


def test_zmq_shutdown_tracebacks_are_removed_and_everything_else_kept() -> None:
    from resnb.testing.kernel import without_zmq_shutdown_noise

    text = "closing pool\n" + ZMQ_NOISE + USER_TRACEBACK + ZMQ_NOISE.split("\n", 1)[1] + "bye\n"

    assert without_zmq_shutdown_noise(text) == "closing pool\n" + USER_TRACEBACK + "bye\n"
    assert without_zmq_shutdown_noise(USER_TRACEBACK) == USER_TRACEBACK
    assert without_zmq_shutdown_noise("Traceback (most recent call last):\n  cut off") == (
        "Traceback (most recent call last):\n  cut off"
    )


def test_a_held_relay_passes_on_the_text_without_zmq_noise_when_released(
    capsys: pytest.CaptureFixture[str],
) -> None:
    relay = StderrRelay()
    relay.hold()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    script = "import sys; sys.stderr.write(" + repr("last words\n" + ZMQ_NOISE) + ")"
    subprocess.run([sys.executable, "-c", script], stderr=relay.write_fd, env=env, check=True, timeout=60)
    relay.start()

    assert relay.join(timeout=60)
    assert capsys.readouterr().err == "", "held until released"
    relay.release()
    assert capsys.readouterr().err == "last words\n"


def test_only_tracebacks_through_the_kernels_own_code_are_dropped() -> None:
    from resnb.testing.kernel import without_zmq_shutdown_noise

    users_zmq_error = (
        "Traceback (most recent call last):\n"
        '  File "/home/me/teardown.py", line 9, in close\n'
        "    socket.send(b'bye')\n"
        "zmq.error.ZMQError: Socket operation on non-socket\n"
    )
    assert without_zmq_shutdown_noise(users_zmq_error) == users_zmq_error
    text = "closing the tornado server\n" + ZMQ_NOISE.split("\n", 1)[1]
    assert without_zmq_shutdown_noise(text) == "closing the tornado server\n"


def test_a_chained_zmq_traceback_goes_with_its_chaining_line() -> None:
    from resnb.testing.kernel import without_zmq_shutdown_noise

    noise = ZMQ_NOISE.split("\n", 1)[1]
    chained_after = (
        USER_TRACEBACK + "\nDuring handling of the above exception, another exception occurred:\n\n" + noise
    )
    assert without_zmq_shutdown_noise(chained_after) == USER_TRACEBACK
    chained_before = (
        noise + "\nThe above exception was the direct cause of the following exception:\n\n" + USER_TRACEBACK
    )
    assert without_zmq_shutdown_noise(chained_before) == USER_TRACEBACK
    assert without_zmq_shutdown_noise("done\n\n" + noise) == "done\n\n"


def test_libzmqs_assertion_line_is_dropped_and_a_users_assertion_kept() -> None:
    from resnb.testing.kernel import without_zmq_shutdown_noise

    libzmq = "Assertion failed: pfd.revents & POLLIN (src/signaler.cpp:238)\n"
    users = "Assertion failed: rows > 0, file report.c, line 12\n"
    assert without_zmq_shutdown_noise("saved\n" + libzmq + users) == "saved\n" + users
    assert without_zmq_shutdown_noise("Assertion failed: !_more (/build/libzmq/src/fq.cpp:101)\n") == ""


def test_a_kernel_aborted_by_libzmq_while_held_leaves_nothing_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    relay = StderrRelay()
    relay.hold()
    script = (
        "import os, sys; sys.stderr.write('Assertion failed: pfd.revents & POLLIN (src/signaler.cpp:238)\\n');"
        " sys.stderr.flush(); os.abort()"
    )
    done = subprocess.run([sys.executable, "-c", script], stderr=relay.write_fd, timeout=60)
    relay.start()

    assert done.returncode != 0
    assert relay.join(timeout=60)
    relay.release()
    assert capsys.readouterr().err == ""
