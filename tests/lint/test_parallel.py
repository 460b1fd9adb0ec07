"""lint/parallel.py: file lists shared out among forked workers, results in order, failures redone."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pytest

from buildkit_py.lint.parallel import MIN_FILES_PER_JOB, jobs_for, map_in_workers, shares


@pytest.mark.parametrize("weights,jobs", [([1] * 10, 3), ([5, 1, 1, 1, 1, 1], 2), ([1, 1], 4), ([100] + [1] * 50, 4),
                                          ([0] * 7, 3), ([3], 2)])
def test_shares_are_contiguous_cover_everything_and_are_balanced(weights, jobs):
    parts = shares(weights, jobs)
    assert [i for r in parts for i in r] == list(range(len(weights)))
    assert 1 <= len(parts) <= jobs and all(len(r) for r in parts)
    total = sum(weights)
    if total and len(weights) >= jobs and max(weights) * jobs <= total:
        # no share holds much more than its part plus one item
        assert max(sum(weights[i] for i in r) for r in parts) <= total / jobs + max(weights)


def test_jobs_for_short_lists_use_one_process():
    assert jobs_for(4, MIN_FILES_PER_JOB - 1) == 1
    assert jobs_for(4, 2 * MIN_FILES_PER_JOB) == 2
    assert jobs_for(1, 1000) == 1
    assert jobs_for(0, 1000) >= 1


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_results_come_back_in_order_from_several_processes():
    items = list(range(40))
    out = map_in_workers(_square_and_pid, items, [1] * 40, 4)
    assert [v for v, _ in out] == [x * x for x in items]
    assert len({pid for _, pid in out}) == 4  # really computed in four processes
    assert out[0][1] == os.getpid()


class _Unpicklable:
    def __reduce__(self):
        raise pickle.PicklingError("no")


def test_a_worker_that_dies_or_cannot_send_has_its_share_redone_here():
    parent = os.getpid()

    def fn(x: int):
        if os.getpid() != parent:
            if x == 15:
                os._exit(3)  # a crash in the second worker
            if x == 25:
                return _Unpicklable()  # a result that does not pickle, in the third
        return x + 1

    assert map_in_workers(fn, list(range(32)), [1] * 32, 4) == [x + 1 for x in range(32)]


def test_cli_gives_the_same_report_with_and_without_workers(tmp_path):
    for i in range(24):
        (tmp_path / f"{i:02d}.Dockerfile").write_text(
            f"FROM debian:12\nENV N {i}\nRUN cd /tmp && apt-get install -y curl{'' if i % 3 else ' wget'}\n")
    (tmp_path / "broken.Dockerfile").write_text("FROM debian:12\nRUN <<EOF\nnever ends\n")
    env = {**os.environ, "NO_COLOR": "1"}
    files = sorted(p.name for p in tmp_path.iterdir())

    def run(*args):
        return subprocess.run([sys.executable, "-m", "buildkit_py.entry", "lint", *args, *files], cwd=tmp_path,
                              capture_output=True, text=True, env=env, timeout=120)

    one, four = run("-j", "1"), run("-j", "4")
    assert one.returncode == four.returncode != 0
    assert one.stdout == four.stdout and "DL3003" in one.stdout and "unterminated heredoc" in one.stdout + one.stderr
    assert one.stderr == four.stderr
