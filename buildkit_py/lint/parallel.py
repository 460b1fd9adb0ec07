"""Lint many files on several cores: forked workers, each with a contiguous share of the files.

Python runs one thread at a time, so `pybuild lint` spreads a long file list over processes.
Workers are forked after everything is imported (they start in microseconds and share the
parent's memory), each lints a contiguous run of files — neighbours are often variants of one
image, whose RUN scripts the worker then parses once — and sends its results back pickled
through a pipe. Results come back in the order of the files. A worker that fails (killed, or a
result that does not pickle) costs nothing but time: the parent lints its share itself.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files per worker, forking costs more than it saves.
MIN_FILES_PER_JOB = 8


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def jobs_for(requested: int, n_items: int) -> int:
    """How many processes to use: `requested` (0: one per available CPU), fewer for short lists."""
    wanted = requested if requested > 0 else available_cpus()
    return max(1, min(wanted, n_items // MIN_FILES_PER_JOB))


def shares(weights: Sequence[int], jobs: int) -> list[range]:
    """Split indices 0..len(weights) into `jobs` contiguous ranges of about equal total weight."""
    total = sum(weights) or 1
    out: list[range] = []
    start, acc = 0, 0
    for i, w in enumerate(weights):
        acc += w
        # close the current share once it holds its part of the total (keep one item per share left)
        if len(out) < jobs - 1 and acc * jobs >= total * (len(out) + 1) and len(weights) - i - 1 >= jobs - len(out) - 1:
            out.append(range(start, i + 1))
            start = i + 1
    out.append(range(start, len(weights)))
    return [r for r in out if len(r)]


def map_in_workers(fn: Callable[[T], R], items: Sequence[T], weights: Sequence[int], jobs: int) -> list[R]:
    """[fn(x) for x in items], computed by up to `jobs` processes (this one included)."""
    parts = shares(weights, jobs) if jobs > 1 else [range(len(items))]
    children: list[tuple[int, int, range]] = []
    for part in parts[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: compute, send, leave without running the parent's exit code
            os.close(read_fd)
            code = 1
            try:
                data = pickle.dumps([fn(items[i]) for i in part], protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # noqa: BLE001 - any failure: the parent redoes this share
                pass
            os._exit(code)
        os.close(write_fd)
        children.append((pid, read_fd, part))
    results = [fn(items[i]) for i in parts[0]]
    for pid, read_fd, part in children:
        with os.fdopen(read_fd, "rb") as inp:
            data = inp.read()
        _, status = os.waitpid(pid, 0)
        share = None
        if status == 0 and data:
            try:
                share = pickle.loads(data)
            except Exception:  # noqa: BLE001 - e.g. an exception type that does not unpickle
                share = None
        if share is None or len(share) != len(part):
            share = [fn(items[i]) for i in part]
        results.extend(share)
    return results
