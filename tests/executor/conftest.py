"""Fixtures for the sandbox tests: a busybox root filesystem and a runner that records output and upper dir."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from buildkit_py.executor import ExecResult, ProcessSpec, run
from tests.helpers.busybox_dir import make_busybox_rootfs
from tests.helpers.rootfs import busybox_path

EXECUTORS = ("builtin", "runc")


def _requirements() -> str | None:
    if os.geteuid() != 0:
        return "the sandbox tests need root"
    if busybox_path() is None:
        return "busybox-static is not installed (scripts/setup.sh installs it)"
    return None


@pytest.fixture(scope="session")
def busybox_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = _requirements()
    if reason:
        pytest.skip(reason)
    return make_busybox_rootfs(tmp_path_factory.mktemp("busybox") / "rootfs")


@dataclass
class Outcome:
    result: ExecResult
    output: bytes
    upper: Path

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")

    def upper_entries(self) -> set[str]:
        return {str(p.relative_to(self.upper)) for p in self.upper.rglob("*")}


class Runner:
    def __init__(self, tmp: Path, lower: list[Path], executor: str) -> None:
        self.tmp, self.lower, self.executor, self.n = tmp, lower, executor, 0

    def __call__(self, script: str | tuple[str, ...], *, lower: list[Path] | None = None,
                 timeout: float | None = None, output: Callable[[bytes], None] | None = None,
                 **spec: object) -> Outcome:
        self.n += 1
        upper, work = self.tmp / f"upper{self.n}", self.tmp / f"work{self.n}"
        upper.mkdir()
        work.mkdir()
        args = ("/bin/sh", "-c", script) if isinstance(script, str) else script
        spec.setdefault("env", ())
        chunks: list[bytes] = []

        def collect(chunk: bytes) -> None:
            chunks.append(chunk)
            if output is not None:
                output(chunk)

        result = run(self.lower if lower is None else lower, upper, work,
                     ProcessSpec(args=args, **spec),  # type: ignore[arg-type]
                     output=collect, executor=self.executor, timeout=timeout)
        return Outcome(result, b"".join(chunks), upper)


def _our_mounts() -> list[str]:
    return [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if "pybuild-run-" in line]


def _cgroups() -> set[str]:
    return {str(p) for p in Path("/sys/fs/cgroup").glob("*/pybuild/pybuild-*")}


def _left_behind(before: set[str], grace: float = 3.0) -> set[str]:
    """Container cgroups that appeared during a test and stay empty: the test's leaks.

    Another pybuild on the machine (a build, a second test run) makes cgroups of its own while
    this test runs; those hold its processes, or go away when its sandbox ends. A leaked one of
    ours is empty (its sandbox returned) and stays.
    """
    import time

    deadline = time.monotonic() + grace
    while True:
        new = {c for c in _cgroups() - before if not _has_procs(c)}
        if not new or time.monotonic() >= deadline:
            return new
        time.sleep(0.1)


def _has_procs(cgroup: str) -> bool:
    try:
        return bool(Path(cgroup, "cgroup.procs").read_text().strip())
    except OSError:
        return False  # gone meanwhile


def _orphans() -> list[str]:
    """Processes (runc, a container's) that name the scratch dir of a run that has already ended."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            args = Path(entry.path, "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for arg in args:
            if b"/pybuild-run-" in arg:
                scratch = arg[: arg.index(b"/pybuild-run-") + len(b"/pybuild-run-") + 8]
                if not os.path.exists(scratch):
                    found.append(f"{entry.name}: {b' '.join(args).decode(errors='replace')}")
                break
    return found


@pytest.fixture(params=EXECUTORS)
def executor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sh(tmp_path: Path, busybox_root: Path, executor: str) -> Iterator[Runner]:
    """Run a shell script (or an argv tuple) on the busybox root; checks nothing stays mounted on the host."""
    if executor == "runc" and shutil.which("runc") is None and not os.path.exists("/usr/sbin/runc"):
        pytest.fail("runc is not installed (scripts/setup.sh installs it)")
    cgroups_before = _cgroups()
    yield Runner(tmp_path, [busybox_root], executor)
    assert not _left_behind(cgroups_before), "a container's cgroup was left behind"
    host = Path("/proc/self/mountinfo").read_text()
    assert str(tmp_path) not in host, "a mount of the test's dirs was left in the host's mount table"
    assert not _our_mounts(), "a sandbox mount was left in the host's mount table"
    assert not _orphans(), "a process of a finished sandbox is still running"


@pytest.fixture
def builtin_sh(tmp_path: Path, busybox_root: Path) -> Runner:
    return Runner(tmp_path, [busybox_root], "builtin")


def host_processes_matching(marker: str) -> list[int]:
    """Host pids whose command line contains `marker`."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                cmdline = Path(entry.path, "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found
