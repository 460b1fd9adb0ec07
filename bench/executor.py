#!/usr/bin/env python3
"""Per-RUN overhead of the sandbox: `true` through the builtin executor and through runc, next to a
plain fork+exec of `true`, on a busybox root (made from Debian's busybox-static). Prints wall
time (min and median) and the CPU time spent by this process and its children per run.

    .venv/bin/python bench/executor.py [--runs 30] [--runc-runs 10]

Needs root. The machine's load shows in the wall times; the CPU times are steadier.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from buildkit_py.executor import ProcessSpec, run  # noqa: E402
from tests.helpers.busybox_dir import make_busybox_rootfs  # noqa: E402


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(name: str, fn: Callable[[], None], runs: int) -> float:
    fn()  # warm: imports, page cache
    walls, cpus = [], []
    for _ in range(runs):
        c0, t0 = _cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    med = statistics.median(walls)
    print(f"{name:28} wall min {min(walls) * 1e3:7.1f} ms  median {med * 1e3:7.1f} ms"
          f"  cpu median {statistics.median(cpus) * 1e3:6.1f} ms  ({runs} runs)")
    return med


def fork_exec_true() -> None:
    pid = os.fork()
    if pid == 0:
        try:
            os.execv("/bin/true", ["true"])
        finally:
            os._exit(127)
    os.waitpid(pid, 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--runc-runs", type=int, default=10)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-executor-"))
    try:
        root = make_busybox_rootfs(base / "rootfs")
        count = iter(range(10**9))

        def sandbox(executor: str) -> Callable[[], None]:
            def once() -> None:
                i = next(count)
                upper, work = base / f"upper{i}", base / f"work{i}"
                upper.mkdir()
                work.mkdir()
                res = run([root], upper, work, ProcessSpec(args=("/bin/true",), env=()), executor=executor)
                assert res.exit_code == 0, res
                shutil.rmtree(upper)
                shutil.rmtree(work)
            return once

        print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")
        plain = measure("fork+exec true", fork_exec_true, args.runs)
        builtin = measure("builtin sandbox: true", sandbox("builtin"), args.runs)
        runc = measure("runc sandbox: true", sandbox("runc"), args.runc_runs)
        print(f"overhead per RUN (median wall - plain): builtin {(builtin - plain) * 1e3:.1f} ms,"
              f" runc {(runc - plain) * 1e3:.1f} ms")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
