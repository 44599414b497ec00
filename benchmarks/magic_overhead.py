#!/usr/bin/env python
"""What ``%materialize`` adds to the time of the asset itself (target: under 5 ms).

Usage::

    python benchmarks/magic_overhead.py            # in-process shell, then a live kernel
    python benchmarks/magic_overhead.py --no-kernel

The asset is trivial (returns 1) and uses one resource that is already built, so the figure is
the magic's own cost: parsing, planning, the run, bookkeeping and the live progress display.

1. In-process: an IPython shell without a kernel, first without a live display (as in a
   terminal), then with a display publisher that JSON-encodes every message as a kernel would.
2. Live kernel (jupyter_client): inside the kernel, ``%materialize`` in a loop with the kernel's
   real display publisher; and from the client, the round trip of a cell ``%materialize trivial``
   compared with a cell calling the function directly.

Every figure is the median of several samples (``time.perf_counter``).
"""

import argparse
import json
import statistics
import sys
import time

from IPython.core.displaypub import DisplayPublisher

SETUP = """
import resnb as dg

class Res(dg.ConfigurableResource):
    n: int = 1

@dg.asset
def trivial(res: Res) -> int:
    return res.n

def plain():
    return 1

defs = dg.Definitions(assets=[trivial], resources={"res": Res()})
"""

IN_KERNEL_LOOP = """
import time, statistics
_ip = get_ipython()
def _median(fn, n=200, rounds=5):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples)
_magic = _median(lambda: _ip.run_line_magic("materialize", "trivial"))
_plain = _median(plain)
print(f"RESULT {_magic!r} {_plain!r}")
"""


class JsonPublisher(DisplayPublisher):
    """Encodes each display message as JSON, roughly the work a kernel's publisher does."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False):
        json.dumps({"data": data, "metadata": metadata or {}, "transient": transient or {}, "update": update})
        self.count += 1


def median_seconds(fn, number=200, rounds=7):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def in_process():
    from resnb.testing.shell import make_testing_shell

    ip = make_testing_shell()
    ip.run_line_magic("load_ext", "resnb")
    ip.run_cell(SETUP)
    ip.run_line_magic("load_defs", "defs")
    ip.run_line_magic("build_resources", "")
    plain = ip.user_ns["plain"]
    own = median_seconds(plain)
    bare = median_seconds(lambda: ip.run_line_magic("materialize", "trivial"))
    ip.display_pub = JsonPublisher()
    live = median_seconds(lambda: ip.run_line_magic("materialize", "trivial"))
    per_run = ip.display_pub.count / (7 * 200)
    return own, bare, live, per_run


def live_kernel():
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        run = lambda code: client.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
        run("%load_ext resnb")
        run(SETUP)
        run("%load_defs defs")
        run("%build_resources")
        lines = []
        client.execute_interactive(IN_KERNEL_LOOP, timeout=600, output_hook=lambda msg: lines.append(msg))
        text = "".join(m["content"].get("text", "") for m in lines if m["msg_type"] == "stream")
        magic, plain = (float(x) for x in text.split("RESULT ")[1].split())
        cell_magic = median_seconds(lambda: run("%materialize trivial"), number=30, rounds=5)
        cell_plain = median_seconds(lambda: run("plain()"), number=30, rounds=5)
        return magic, plain, cell_magic, cell_plain
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def ms(seconds):
    return f"{seconds * 1000:.3f} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-kernel", action="store_true", help="Skip the live-kernel measurement.")
    args = parser.parse_args(argv)
    own, bare, live, per_run = in_process()
    print("| setting | %materialize trivial | asset itself | added by the magic |")
    print("|---|---|---|---|")
    print(f"| in-process, no live display | {ms(bare)} | {ms(own)} | {ms(bare - own)} |")
    print(
        f"| in-process, live display ({per_run:.0f} updates/run) | {ms(live)} | {ms(own)} | {ms(live - own)} |"
    )
    if not args.no_kernel:
        magic, plain, cell_magic, cell_plain = live_kernel()
        print(f"| live kernel, loop inside the kernel | {ms(magic)} | {ms(plain)} | {ms(magic - plain)} |")
        print(
            f"| live kernel, cell round trip | {ms(cell_magic)} | {ms(cell_plain)} | {ms(cell_magic - cell_plain)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
