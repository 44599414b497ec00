#!/usr/bin/env python
"""resnb benchmarks: against plain Python, pydantic, and dagster when it is available.

Usage::

    python benchmarks/run.py            # the full run (a few minutes; dagster takes most of it)
    python benchmarks/run.py --quick    # fewer repetitions, for a quick look

Prints one markdown table. Every figure is the median of several runs after a warm-up run,
timed with ``time.perf_counter``. Import times are measured in fresh processes (wall clock of
``python -c ...``). Each implementation's run-time measurements happen in a fresh worker
process of its own (``--worker resnb|dagster``), so neither pays for the other's imports.

dagster is measured with the interpreter named by ``$DAGSTER_PYTHON`` (default
``/tmp/dagster-venv/bin/python``: a throwaway venv with ``dagster==1.13.28``; never install dagster
into the project's venv) or, failing that, when the current interpreter can import it. The 10,000 and 100,000 asset runs are skipped for dagster: at
about 7 ms per step they would take minutes and hours.
"""

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DAGSTER_PYTHON = Path(os.environ.get("DAGSTER_PYTHON", "/tmp/dagster-venv/bin/python"))
clock = time.perf_counter


# -- timing helpers ----------------------------------------------------------------------------------
def timed(fn, repeat, warmup=1, number=1):
    """Median seconds per call of ``fn`` over ``repeat`` samples of ``number`` calls each."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        gc.collect()
        start = clock()
        for _ in range(number):
            fn()
        samples.append((clock() - start) / number)
    return statistics.median(samples)


def auto_number(fn, target=0.05):
    """How many calls of ``fn`` take about ``target`` seconds (for microsecond-scale work)."""
    number = 1
    while True:
        start = clock()
        for _ in range(number):
            fn()
        if clock() - start >= target or number >= 1_000_000:
            return number
        number *= 4


def command_times(commands, repeat):
    """Median wall-clock seconds of each ``name -> (argv, env)`` run in fresh processes.

    The commands are interleaved (one round runs each once), so a burst of load from other
    processes affects all of them alike; one warm-up round comes first.
    """
    samples = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, (argv, env) in commands.items():
            start = clock()
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
            if round_:
                samples[name].append(clock() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


# -- the worker: run-time measurements for one implementation ---------------------------------------
def worker(impl, quick):
    import importlib

    sys.path.insert(0, str(HERE))
    os.environ["RESNB_BENCH_IMPL"] = impl
    dg = importlib.import_module(impl)
    is_dagster = impl == "dagster"
    out = {"impl": impl, "version": getattr(dg, "__version__", "?")}

    def reps(resnb_full, resnb_quick, dagster_full, dagster_quick):
        if is_dagster:
            return dagster_quick if quick else dagster_full
        return resnb_quick if quick else resnb_full

    class R(dg.ConfigurableResource):
        v: int = 1

    # build_resources of one ConfigurableResource (enter + exit)
    def build_once():
        with dg.build_resources({"r": R(v=1)}) as res:
            assert res.r is not None

    out["build_resources"] = timed(build_once, reps(7, 3, 5, 3), number=reps(2000, 500, 10, 5))

    # materialize 1 asset + 1 resource, against calling the function with the resource
    def one_fn(r):
        return r.v + 1

    one_fn.__annotations__ = {"r": R}
    one = dg.asset(name="one")(one_fn)
    resource = R(v=1)
    out["one"] = timed(lambda: dg.materialize([one], resources={"r": resource}), reps(200, 30, 5, 3))
    out["one_plain"] = timed(lambda: one_fn(resource), 7, number=auto_number(lambda: one_fn(resource)))

    # chain of 100 assets
    def chain_fn(i):
        if i == 0:

            def fn():
                return 0
        else:

            def fn(prev):
                return prev + 1

        fn.__name__ = fn.__qualname__ = f"c{i}"
        return fn

    chain_fns = [chain_fn(i) for i in range(100)]
    chain = [dg.asset(name="c0")(chain_fns[0])] + [
        dg.asset(name=f"c{i}", ins={"prev": dg.AssetIn(f"c{i - 1}")})(chain_fns[i]) for i in range(1, 100)
    ]

    def chain_plain():
        value = chain_fns[0]()
        for fn in chain_fns[1:]:
            value = fn(value)

    out["chain100"] = timed(lambda: dg.materialize(chain), reps(20, 5, 3, 1))
    out["chain100_plain"] = timed(chain_plain, 7, number=auto_number(chain_plain))

    # N independent assets
    def independent_fn(i):
        def fn():
            return i

        fn.__name__ = fn.__qualname__ = f"a{i}"
        return fn

    def independent(n, repeat):
        fns = [independent_fn(i) for i in range(n)]
        start = clock()
        assets = [dg.asset(name=f"a{i}")(fn) for i, fn in enumerate(fns)]
        out[f"define{n}"] = clock() - start

        def plain():
            for fn in fns:
                fn()

        out[f"indep{n}"] = timed(lambda: dg.materialize(assets), repeat)
        out[f"indep{n}_plain"] = timed(plain, 5, number=max(1, auto_number(plain)))

    independent(1000, reps(10, 3, 3, 1))
    if not is_dagster:  # minutes to hours for dagster
        independent(10_000, reps(5, 2, 0, 0))
        gc.collect()
        independent(100_000, reps(3, 1, 0, 0))
    gc.collect()

    # multiprocess executor on two CPU-bound assets, against the in-process executor
    import cpu_job

    instance = dg.DagsterInstance.local_temp() if is_dagster else None
    spin = os.environ["RESNB_BENCH_SPIN"]

    def in_process():
        assert dg.materialize([cpu_job.cpu_one, cpu_job.cpu_two]).success

    def multiprocess():
        with dg.execute_job(dg.reconstructable(cpu_job.cpu_job), instance=instance) as result:
            assert result.success

    os.environ["RESNB_BENCH_SPIN"] = "1000"  # warm-up with almost no work
    in_process()
    multiprocess()
    os.environ["RESNB_BENCH_SPIN"] = spin
    # Alternate the two so that load from other processes hits both alike; the speed-up is the
    # median of the per-pair ratios.
    pairs = []
    for _ in range(reps(5, 2, 3, 1)):
        pairs.append((timed(in_process, 1, warmup=0), timed(multiprocess, 1, warmup=0)))
    out["mp_in_process"] = statistics.median(p[0] for p in pairs)
    out["mp_multiprocess"] = statistics.median(p[1] for p in pairs)
    out["mp_speedup"] = statistics.median(p[0] / p[1] for p in pairs)
    out["mp_plain"] = timed(lambda: (cpu_job.spin(int(spin)), cpu_job.spin(int(spin))), 1, warmup=0)

    def trivial():
        with dg.execute_job(dg.reconstructable(cpu_job.trivial_job), instance=instance) as result:
            assert result.success

    out["mp_trivial"] = timed(trivial, reps(5, 2, 1, 1), warmup=0 if is_dagster else 1)
    out["mp_trivial_steps"] = len(cpu_job.TRIVIAL)
    if instance is not None:
        instance.dispose()
    print("RESULT " + json.dumps(out))


# -- the driver --------------------------------------------------------------------------------------
def run_worker(python, impl, quick, env):
    with tempfile.TemporaryFile("w+") as log:
        argv = [str(python), str(Path(__file__).resolve()), "--worker", impl] + (["--quick"] if quick else [])
        done = subprocess.run(
            argv, env=env, cwd=HERE, stdout=subprocess.PIPE, stderr=log, text=True, check=False
        )
        lines = [l for l in done.stdout.splitlines() if l.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            log.seek(0)
            tail = log.read()[-3000:]
            print(f"\n{impl} worker failed (exit {done.returncode}):\n{tail}", file=sys.stderr)
            return None
        return json.loads(lines[-1][len("RESULT ") :])


def calibrate_spin():
    """Loop iterations of ``cpu_job.spin`` that take about one second here."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    os.environ.setdefault("RESNB_BENCH_IMPL", "resnb")
    from cpu_job import spin

    n = 2_000_000
    seconds = statistics.median(timed_once(spin, n) for _ in range(3))
    return int(n / seconds)


def timed_once(fn, arg):
    start = clock()
    fn(arg)
    return clock() - start


def find_dagster():
    if DAGSTER_PYTHON.exists():
        return DAGSTER_PYTHON
    import importlib.util

    return Path(sys.executable) if importlib.util.find_spec("dagster") else None


def fmt_time(seconds):
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}x"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--worker", choices=["resnb", "dagster"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.quick)
        return

    quick = args.quick
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT), env.get("PYTHONPATH", "")] if p)
    env["RESNB_BENCH_SPIN"] = str(calibrate_spin())
    dagster_python = find_dagster()
    dagster_env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    n_import = 5 if quick else 15
    py = sys.executable
    print(f"Measuring (quick={quick}); dagster: {dagster_python or 'not available'} ...", file=sys.stderr)

    commands = {
        "pass": ([py, "-c", "pass"], env),
        "resnb": ([py, "-c", "import resnb"], env),
        "pydantic": ([py, "-c", "from pydantic import BaseModel"], env),
        "resnb_define": (
            [py, "-c", "import resnb as dg\nclass R(dg.ConfigurableResource):\n    v: int = 1\nR(v=2)"],
            env,
        ),
        "pydantic_define": (
            [py, "-c", "from pydantic import BaseModel\nclass M(BaseModel):\n    v: int = 1\nM(v=2)"],
            env,
        ),
    }
    imports = command_times(commands, n_import)
    if dagster_python is not None:
        dpy = str(dagster_python)
        dagster_commands = {
            "dagster": ([dpy, "-c", "import dagster"], dagster_env),
            "dagster_define": (
                [
                    dpy,
                    "-c",
                    "import dagster as dg\nclass R(dg.ConfigurableResource):\n    v: int = 1\nR(v=2)",
                ],
                dagster_env,
            ),
        }
        imports.update(command_times(dagster_commands, max(3, n_import // 3)))

    print("resnb worker ...", file=sys.stderr)
    resnb = run_worker(py, "resnb", quick, env)
    dagster = None
    if dagster_python is not None:
        print("dagster worker ...", file=sys.stderr)
        dagster = run_worker(
            dagster_python, "dagster", quick, {**dagster_env, "RESNB_BENCH_SPIN": env["RESNB_BENCH_SPIN"]}
        )
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    print_report(quick, imports, resnb, dagster, dagster_python, load_before, load_after, env)


def versions(python, env, code):
    try:
        done = subprocess.run(
            [str(python), "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        return done.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def print_report(quick, imports, r, d, dagster_python, load_before, load_after, env):
    pyd = versions(sys.executable, env, "import pydantic; print(pydantic.VERSION)")
    lines = [
        "## Benchmarks",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs ({cpu_name()}), Python "
        f"{platform.python_version()}, pydantic {pyd}, resnb {r['version'] if r else '?'}"
        + (f", dagster {d['version']}" if d else ", dagster not measured")
        + f". Mode: {'--quick' if quick else 'full'}.",
    ]
    if load_before is not None:
        lines.append(
            f"Load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f} "
            "(other processes share the machine; figures are medians of repeated runs)."
        )
    lines += [
        "",
        "| Measurement | resnb | Baseline | resnb vs baseline | Target | Met | dagster | dagster ÷ resnb |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def row(name, value, baseline, versus, target, met, dag, dag_ratio):
        met_text = "-" if met is None else ("yes" if met else "**no**")
        lines.append(
            f"| {name} | {value} | {baseline} | {versus} | {target} | {met_text} | {dag} | {dag_ratio} |"
        )

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    ri = ratio(imports["resnb"], imports["pydantic"])
    row(
        "`import resnb` (fresh process, wall)",
        fmt_time(imports["resnb"]),
        f"`from pydantic import BaseModel` {fmt_time(imports['pydantic'])}",
        fmt_ratio(ri),
        "<= 1.3x",
        ri is not None and ri <= 1.3,
        fmt_time(imports.get("dagster")) if "dagster" in imports else "-",
        fmt_ratio(ratio(imports.get("dagster"), imports["resnb"]), 1),
    )
    rd = ratio(imports["resnb_define"], imports["pydantic_define"])
    row(
        "import + define and build one ConfigurableResource",
        fmt_time(imports["resnb_define"]),
        f"pydantic + one BaseModel {fmt_time(imports['pydantic_define'])}",
        fmt_ratio(rd),
        "<= 1.3x",
        rd is not None and rd <= 1.3,
        fmt_time(imports.get("dagster_define")) if "dagster_define" in imports else "-",
        fmt_ratio(ratio(imports.get("dagster_define"), imports["resnb_define"]), 1),
    )
    lines.append(f"| (`python -c pass` for reference) | {fmt_time(imports['pass'])} | | | | | | |")
    if r is None:
        lines.append("\nThe resnb worker failed; see stderr.")
        print("\n".join(lines))
        return
    dv = lambda key: d.get(key) if d else None
    row(
        "`build_resources` of one ConfigurableResource (enter + exit)",
        fmt_time(r["build_resources"]),
        "",
        "",
        "< 50 us",
        r["build_resources"] < 50e-6,
        fmt_time(dv("build_resources")),
        fmt_ratio(ratio(dv("build_resources"), r["build_resources"]), 0),
    )

    def step_row(name, key, n, target_text=None):
        value, plain = r.get(key), r.get(f"{key}_plain")
        if value is None:
            return
        overhead = (value - plain) / n
        target = target_text if target_text is not None else "< 20 us/step"
        met = overhead < 20e-6 if target_text is None else None
        dag = dv(key)
        row(
            name,
            fmt_time(value),
            f"plain calls {fmt_time(plain)}",
            f"+{overhead * 1e6:.1f} us/step",
            target,
            met,
            fmt_time(dag) if dag is not None else ("skipped (too slow)" if d else "-"),
            fmt_ratio(ratio(dag, value), 0),
        )

    step_row("`materialize` 1 asset + 1 resource", "one", 1, "")
    step_row("`materialize` chain of 100 assets", "chain100", 100)
    step_row("`materialize` 1,000 independent assets", "indep1000", 1000)
    step_row("`materialize` 10,000 independent assets", "indep10000", 10_000)
    step_row("`materialize` 100,000 independent assets", "indep100000", 100_000)
    scaling = ratio(r.get("indep100000"), r.get("indep10000"))
    row(
        "Scaling 10,000 -> 100,000 assets (time ratio)",
        fmt_ratio(scaling, 1),
        "linear = 10x",
        "",
        "~10x",
        scaling is not None and scaling <= 12.5,
        "skipped" if d else "-",
        "-",
    )
    define = r.get("define1000")
    row(
        "Defining 1,000 `@asset`s",
        fmt_time(define),
        "",
        "",
        "",
        None,
        fmt_time(dv("define1000")),
        fmt_ratio(ratio(dv("define1000"), define), 1),
    )
    speedup, dspeed = r["mp_speedup"], dv("mp_speedup")
    row(
        "Multiprocess executor, 2 CPU-bound assets (~1 s each)",
        f"{fmt_time(r['mp_multiprocess'])} (in-process executor {fmt_time(r['mp_in_process'])})",
        f"plain calls {fmt_time(r['mp_plain'])}",
        f"{fmt_ratio(speedup)} faster than in-process",
        ">= 1.7x",
        speedup >= 1.7,
        f"{fmt_time(dv('mp_multiprocess'))} (in-process {fmt_time(dv('mp_in_process'))}): {fmt_ratio(dspeed)}"
        if d
        else "-",
        fmt_ratio(ratio(dv("mp_multiprocess"), r["mp_multiprocess"]), 1),
    )
    steps = r["mp_trivial_steps"]
    row(
        f"Multiprocess executor, {steps} do-nothing assets (cost of a step's process)",
        f"{fmt_time(r['mp_trivial'])} ({fmt_time(r['mp_trivial'] / steps)}/step)",
        "",
        "",
        "",
        None,
        f"{fmt_time(dv('mp_trivial'))} ({fmt_time(dv('mp_trivial') / steps)}/step)" if d else "-",
        fmt_ratio(ratio(dv("mp_trivial"), r["mp_trivial"]), 0),
    )
    notes = (
        'Notes: "resnb vs baseline" for the materialize rows is the framework overhead per step: '
        "(materialize time - time of calling the same functions directly) / steps; for the 1-asset "
        "row it is the whole fixed cost of a run. Import rows are fresh-process wall times "
        "(interpreter start-up included, the same for both sides; the commands are interleaved). "
        "dagster runs with its defaults (an ephemeral instance per materialize, console logging at "
        "DEBUG to a discarded stderr); its multiprocess runs use "
        "`execute_job(reconstructable(job), instance=DagsterInstance.local_temp())`, and resnb runs "
        "the same code. The CPU-bound work is calibrated to about 1 s per asset when the run "
        "starts; in-process and multiprocess runs alternate and the speed-up is the median of the "
        "per-pair ratios, so it needs both cores free: another busy process on the machine lowers "
        "it. dagster's 10,000/100,000-asset runs are skipped (minutes to hours at its per-step cost)."
    )
    lines += ["", notes]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
