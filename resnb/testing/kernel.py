"""A Jupyter kernel manager whose kernel is IPython on the interpreter running resnb.

No kernelspec has to be installed: the spec is the one ipykernel would install, bound to
``sys.executable``, so a notebook run from a virtual environment sees exactly the packages of that
environment. Where jupyter_client and ipykernel support it, the kernel's sockets are encrypted.

The kernel's stderr is relayed to this process's ``sys.stderr`` as it comes. While the kernel shuts
down, ipykernel may race its own socket teardown and log a ``zmq.error.ZMQError`` traceback (see
ipython/ipykernel#1518), or libzmq may abort on a failed internal assertion
(``Assertion failed: ... (src/signaler.cpp:NNN)``), neither of which says anything about the
notebook: what the kernel writes during a normal shutdown is held back and passed on without such
noise, and everything is dropped when a signal (Ctrl-C) shuts it down. This module imports jupyter_client and ipykernel, so
:mod:`resnb.testing.runner` imports it only when a notebook runs.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import re
import sys
import threading
from typing import Any

from ipykernel.kernelspec import get_kernel_dict
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

__all__ = [
    "CurrentInterpreterKernelManager",
    "StderrRelay",
    "current_interpreter_spec",
    "without_zmq_shutdown_noise",
]

_CHUNK = 65536
_LAST_WORDS_SECONDS = 2.0  # how long a shut-down kernel's stderr may stay open (a grandchild holding it)


_TRACEBACK_START = "Traceback (most recent call last):"
# what libzmq's internal assertion macro prints (C source file and line) before it aborts the process
_LIBZMQ_ASSERTION = re.compile(r"^Assertion failed: .* \((?:\S+/)?src/[\w./-]+\.(?:cpp|hpp):\d+\)\s*$")
# the line tornado's logger writes just before the traceback of a failed callback
_CALLBACK_HEADER = re.compile(r"^(?:(?:ERROR|WARNING|CRITICAL):tornado\.|Exception in callback )")
# a frame of the kernel's own machinery: a traceback the user's code raised has none
_KERNEL_FRAME = re.compile(r'^\s*File "[^"]*(?:/ipykernel/|/tornado/|zmq/eventloop/)')
# the lines Python prints between the tracebacks of a chained exception
_CHAIN_LINES = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)


def without_zmq_shutdown_noise(text: str) -> str:
    """``text`` without what ZMQ's teardown races print while a kernel shuts down.

    That is ipykernel's tracebacks of a send on a closed socket, and libzmq's "Assertion failed:
    ... (src/FILE.cpp:LINE)" line. Such a traceback ends in a ``zmq.error`` and runs through the
    kernel's own code (ipykernel, tornado, pyzmq's event loop); it goes with its logger header line
    and the "During handling ..." line that chains it to another traceback. Any other text,
    including other tracebacks, is kept as it is.
    """
    lines = [line for line in text.splitlines(keepends=True) if not _LIBZMQ_ASSERTION.match(line)]
    kept: list[str] = []
    index = 0
    while index < len(lines):
        end = _traceback_end(lines, index)
        if end is None or not _is_zmq_shutdown_noise(lines[index:end]):
            kept.append(lines[index])
            index += 1
            continue
        _drop_lead_in(kept)
        index = _skip_chain_lines(lines, end)
    return "".join(kept)


def _is_zmq_shutdown_noise(traceback_lines: list[str]) -> bool:
    return traceback_lines[-1].startswith("zmq.error.") and any(map(_KERNEL_FRAME.match, traceback_lines))


def _drop_lead_in(kept: list[str]) -> None:
    """Remove the logger header or chaining line (and the blank lines around it) before a dropped traceback."""
    probe = len(kept)
    while probe and not kept[probe - 1].strip():
        probe -= 1
    if probe and (_CALLBACK_HEADER.match(kept[probe - 1]) or kept[probe - 1].strip() in _CHAIN_LINES):
        probe -= 1
        chained = kept[probe].strip() in _CHAIN_LINES
        while chained and probe and not kept[probe - 1].strip():
            probe -= 1  # the blank line Python prints before "During handling ..."
        del kept[probe:]


def _skip_chain_lines(lines: list[str], index: int) -> int:
    """Past a chaining line (and its blank lines) that follows a dropped traceback, if one does."""
    probe = index
    while probe < len(lines) and not lines[probe].strip():
        probe += 1
    if probe < len(lines) and lines[probe].strip() in _CHAIN_LINES:
        probe += 1
        while probe < len(lines) and not lines[probe].strip():
            probe += 1
        return probe
    return index


def _traceback_end(lines: list[str], start: int) -> int | None:
    """One past the exception line of the traceback starting at ``lines[start]``, if one does."""
    if lines[start].rstrip("\r\n") != _TRACEBACK_START:
        return None
    for index in range(start + 1, len(lines)):
        if lines[index][:1] not in (" ", "\t"):
            return index + 1
    return None


def current_interpreter_spec() -> KernelSpec:
    """The kernelspec of an IPython kernel on ``sys.executable`` (``-m ipykernel_launcher``)."""
    spec = get_kernel_dict()
    return KernelSpec(**{key: value for key, value in spec.items() if KernelSpec.class_traits().get(key)})


class StderrRelay:
    """A pipe whose text a thread copies to ``sys.stderr`` (looked up at each write) until muted.

    Give :attr:`write_fd` to the child process as its stderr, then call :meth:`start`: it closes
    this process's copy of the write end, so the thread stops when the child (and whatever it
    spawned with the same stderr) has exited. Between :meth:`hold` and :meth:`release` the text
    is kept back, to be passed on without ZMQ shutdown noise.
    """

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self.muted = False
        self._held: list[str] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._copy, name="resnb-kernel-stderr", daemon=True)

    def start(self) -> None:
        """Start copying; the child must have been given :attr:`write_fd` already."""
        os.close(self.write_fd)
        self._thread.start()

    def mute(self) -> None:
        """Drop everything written from now on."""
        self.muted = True

    def hold(self) -> None:
        """Keep what is written from now on until :meth:`release`."""
        with self._lock:
            if self._held is None:
                self._held = []

    def release(self) -> None:
        """Pass on what was held, without ZMQ shutdown noise, and copy as it comes again."""
        with self._lock:
            held, self._held = self._held, None
            text = without_zmq_shutdown_noise("".join(held or ()))
            if text and not self.muted:
                _write_stderr(text)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the child's stderr is closed; return whether it is."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _copy(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        with open(self.read_fd, "rb", buffering=0) as source:
            while chunk := source.read(_CHUNK):
                self._pass_on(decoder.decode(chunk))

    def _pass_on(self, text: str) -> None:
        with self._lock:
            if not text or self.muted:
                return
            if self._held is not None:
                self._held.append(text)
            else:
                _write_stderr(text)


def _write_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


class CurrentInterpreterKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that always launches :func:`current_interpreter_spec`.

    Its ``kernel_name`` keeps the default (``python3``) so that clients such as nbclient still treat
    the kernel as an ipykernel; the kernelspec of that name is never looked up. Its stderr goes
    through a :class:`StderrRelay`, muted when the kernel is shut down from another task than the
    one that started it: nbclient's SIGINT/SIGTERM handler, never the normal end of a run.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.has_trait("transport_encryption"):  # newer jupyter_client: CurveZMQ when the spec allows
            self.transport_encryption = "auto"
        self.stderr_relay: StderrRelay | None = None
        self._starting_task: asyncio.Task[Any] | None = None

    @property
    def kernel_spec(self) -> KernelSpec:
        """The current interpreter's kernelspec, whatever ``kernel_name`` says."""
        if self._kernel_spec is None:
            self._kernel_spec = current_interpreter_spec()
        return self._kernel_spec

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        """Start the kernel with its stderr relayed (unless ``stderr`` is given)."""
        self._starting_task = asyncio.current_task()
        if "stderr" in kw:
            await super().start_kernel(**kw)
            return
        relay = StderrRelay()
        try:
            await super().start_kernel(**kw, stderr=relay.write_fd)
        finally:
            relay.start()  # the kernel has its copy of the write end (or failed to start)
            getattr(self, "_launch_args", {}).pop("stderr", None)  # a restart must not reuse the fd
        self.stderr_relay = relay

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        """Shut the kernel down; quietly when a signal handler (another task) does it."""
        relay = self.stderr_relay
        if relay is not None:
            relay.hold()
            if asyncio.current_task() is not self._starting_task:
                relay.mute()
        try:
            await super().shutdown_kernel(now=now, restart=restart)
            if relay is not None and not restart:  # let the relay pass on the kernel's last words
                await asyncio.get_running_loop().run_in_executor(None, relay.join, _LAST_WORDS_SECONDS)
        finally:
            if relay is not None:
                relay.release()
