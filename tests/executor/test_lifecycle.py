"""Every process of a step ends with it: daemons, timeouts, interrupts; output streams as it comes."""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from tests.executor.conftest import host_processes_matching


def _marker() -> str:
    # A sleep length no other process on the machine uses, to find leftovers by command line.
    return str(900000 + uuid.uuid4().int % 99999)


def test_a_daemon_started_by_the_step_is_killed_when_it_ends(sh):
    mark = _marker()
    out = sh(f"(setsid sleep {mark} > /dev/null 2>&1 &); nohup sleep {mark} > /dev/null 2>&1 & echo started")
    assert out.text == "started\n" and out.result.exit_code == 0
    assert host_processes_matching(f"sleep\0{mark}") == []


def test_a_step_that_closes_its_output_is_still_waited_for(sh):
    out = sh("exec > /dev/null 2>&1; sleep 0.3; exit 4")
    assert out.result.exit_code == 4 and out.result.duration >= 0.3


def test_timeout_kills_the_whole_sandbox(sh):
    mark = _marker()
    start = time.monotonic()
    out = sh(f"sleep {mark} & echo begun; sleep {mark}", timeout=1.0)
    assert out.result.timed_out and out.result.exit_code == 137
    assert out.text == "begun\n"
    assert time.monotonic() - start < 10
    assert host_processes_matching(f"sleep\0{mark}") == []


def test_no_timeout_when_the_step_is_quick(sh):
    out = sh("echo hi", timeout=30)
    assert not out.result.timed_out and out.result.exit_code == 0


def test_an_interrupt_kills_the_sandbox_and_propagates(sh):
    mark = _marker()

    def interrupt(chunk: bytes) -> None:
        raise KeyboardInterrupt

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        sh(f"echo go; sleep {mark}", output=interrupt)
    assert time.monotonic() - start < 10
    assert host_processes_matching(f"sleep\0{mark}") == []


def test_output_streams_before_the_step_ends(sh):
    arrivals: list[float] = []
    start = time.monotonic()
    out = sh("echo early; sleep 1; echo late", output=lambda chunk: arrivals.append(time.monotonic() - start))
    assert out.text == "early\nlate\n"
    assert arrivals[0] < arrivals[-1] - 0.5


def test_two_steps_can_run_at_once_from_threads(sh):
    results: dict[int, str] = {}

    def one(i: int) -> None:
        results[i] = sh(f"echo {i}; sleep 0.2").text

    threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: f"{i}\n" for i in range(3)}


@pytest.mark.parametrize("timeout", [0.001, 0.03, 0.1, 0.3])
def test_a_timeout_during_set_up_leaves_nothing_behind(sh, timeout):
    mark = _marker()
    out = sh(f"sleep {mark}", timeout=timeout)
    assert out.result.timed_out and out.result.exit_code == 137
    assert host_processes_matching(f"sleep\0{mark}") == []
    assert out.upper_entries() == set()
