"""executor stage of the pipeline (see DESIGN.md): run one RUN step in a Linux sandbox.

The root filesystem is an overlay of the step's parent layers; the process's changes land in
the caller's upper dir and nowhere else. Two ways to run it: the builtin sandbox (namespaces,
overlayfs and pivot_root done here) and runc from an OCI runtime bundle. Heavy modules are
imported only when a step runs.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from buildkit_py.errors import PybuildError
from buildkit_py.executor.spec import MountSpec, ProcessSpec
from buildkit_py.records import dataclass

__all__ = ["ExecError", "ExecResult", "MountSpec", "ProcessSpec", "run", "EXECUTORS"]

EXECUTORS = ("auto", "builtin", "runc")


class ExecError(PybuildError):
    """The sandbox could not be set up or the process could not be started (not: the command failed)."""


@dataclass(frozen=True)
class ExecResult:
    exit_code: int  # the process's status; killed by signal n gives 128+n
    duration: float  # seconds, from the start of the sandbox set-up to the end of the process
    timed_out: bool = False  # killed because `timeout` passed (exit_code is then 137)


def run(
    lowerdirs: Sequence[Path],
    upperdir: Path,
    workdir: Path,
    spec: ProcessSpec,
    *,
    output: Callable[[bytes], None] | None = None,
    executor: str = "auto",
    timeout: float | None = None,
) -> ExecResult:
    """Run `spec` on an overlay of `lowerdirs` (top-most first; none for scratch) with changes in `upperdir`.

    `upperdir` and `workdir` are empty dirs on one filesystem; `workdir` is single-use (the overlay
    is mounted "volatile") and is the caller's to delete. stdout and stderr, merged, go to `output`
    as they come. Nothing stays mounted afterwards and every process of the step is gone. The
    upper dir then holds only the step's changes, in overlayfs's format (whiteouts, opaque dirs,
    and overlayfs's own trusted.overlay.* xattrs, which are not image content): no mount point
    of the sandbox (/proc, /dev, /sys, /etc/hosts, /etc/resolv.conf, mount targets) is left in it.
    """
    from buildkit_py.executor import supervise

    if executor not in EXECUTORS:
        raise ExecError(f"unknown executor {executor!r}", hint="use one of: " + ", ".join(EXECUTORS))
    return supervise.run(
        [Path(p) for p in lowerdirs], Path(upperdir), Path(workdir), spec,
        output=output, executor="builtin" if executor == "auto" else executor, timeout=timeout,
    )
