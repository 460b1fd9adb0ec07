"""The parent's side of a run: fork the sandbox, stream its output, enforce the timeout, clean up.

All mounts live in the sandbox's own mount namespace, which dies with its last process: the
host's mount table is never touched. The parent keeps only a scratch dir (removed here).
"""
from __future__ import annotations

import fcntl
import gc
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from buildkit_py.executor import ExecError, ExecResult, control, linux, rootfs
from buildkit_py.executor.mountpoints import Made, remove_made
from buildkit_py.executor.spec import ProcessSpec

NETWORKS = ("default", "host", "none")
_READ = 1 << 16
_DRAIN_SECONDS = 2.0  # after the first child exits, how long its output may still take to end
_STOP_SECONDS = 5.0  # after a stop request, how long before the first child is killed outright


def _check(lowerdirs: list[Path], upperdir: Path, workdir: Path, spec: ProcessSpec) -> None:
    if not spec.args:
        raise ExecError("nothing to run: the process has no arguments")
    if spec.network not in NETWORKS:
        raise ExecError(f"unknown network mode {spec.network!r}", hint="use default, host or none")
    if not spec.cwd.startswith("/"):
        raise ExecError(f"the working directory {spec.cwd!r} is not an absolute path")
    for p in (*lowerdirs, upperdir, workdir):
        if not p.is_dir():
            raise ExecError(f"{p}: not a directory", hint="the layer and overlay dirs must exist")
    if os.geteuid() != 0:
        raise ExecError("running a step needs root (namespaces and overlay mounts)", hint="run pybuild as root")


def _high_fd(fd: int) -> int:
    """A copy of `fd` numbered 10 or more, so the child's dup2 onto 0-3 cannot clobber it."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def _enter_child(child: Callable[..., None], plan: rootfs.Plan, out_w: int, ctl_w: int, parent: int) -> None:
    """In the fork: own session, die with the parent, stdio onto the pipes, no other fds. Never returns."""
    try:
        gc.disable()  # a collected file object of the parent must not close one of our fds
        os.setsid()
        linux.set_pdeathsig(signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(control.SETUP_FAILED)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.dup2(ctl_w, 3, inheritable=False)
        os.closerange(4, os.sysconf("SC_OPEN_MAX"))
        child(plan, control.Channel(3))
    finally:
        os._exit(control.SETUP_FAILED)


class _Supervisor:
    """The parent's view of one sandbox: its output and control pipes and how to stop it."""

    def __init__(self, pid: int, out_r: int, ctl_r: int, output: Callable[[bytes], None] | None,
                 stop_signal: int) -> None:
        self.pid, self.out_r, self.ctl_r, self.output = pid, out_r, ctl_r, output
        self.stop_signal = stop_signal  # what asks the first child to stop before PID 1 is known
        self.pidfd = os.pidfd_open(pid)
        self.sandbox_pidfd: int | None = None
        self.ctl = bytearray()
        self.messages: list[dict[str, Any]] = []
        self.killed_at: float | None = None

    def _on_control(self, data: bytes) -> None:
        self.ctl += data
        *lines, rest = bytes(self.ctl).split(b"\n")
        self.ctl = bytearray(rest)
        for msg in control.parse(b"\n".join(lines)):
            self.messages.append(msg)
            if isinstance(msg.get("pid"), int) and self.sandbox_pidfd is None:
                try:
                    self.sandbox_pidfd = os.pidfd_open(msg["pid"])
                except ProcessLookupError:
                    pass

    def _signal(self, pidfd: int, sig: int) -> None:
        try:
            signal.pidfd_send_signal(pidfd, sig)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL the sandbox's PID 1: the kernel then kills its whole PID namespace.

        Before that pid is known, the first child gets `stop_signal` (the builtin sandbox's PID 1
        dies with it; the runc child stops runc and deletes the container).
        """
        if self.killed_at is None:
            self.killed_at = time.monotonic()
        if self.sandbox_pidfd is not None:
            self._signal(self.sandbox_pidfd, signal.SIGKILL)
        else:
            self._signal(self.pidfd, self.stop_signal)

    def loop(self, deadline: float | None) -> bool:
        """Pump output and control messages until the child exits; True when the deadline killed it."""
        poller = select.poll()
        for fd in (self.out_r, self.ctl_r, self.pidfd):
            poller.register(fd, select.POLLIN)
        open_fds, exited_at, timed_out = {self.out_r, self.ctl_r}, None, False
        while open_fds or exited_at is None:
            now = time.monotonic()
            if exited_at is not None and now - exited_at > _DRAIN_SECONDS:
                break  # something outside the sandbox (an orphaned runc?) still holds the pipe
            if self.killed_at is not None and exited_at is None and now - self.killed_at > _STOP_SECONDS:
                self._signal(self.pidfd, signal.SIGKILL)
            wakeups = [t for t in (None if timed_out else deadline, exited_at and exited_at + _DRAIN_SECONDS,
                                   self.killed_at and self.killed_at + _STOP_SECONDS) if t]
            wait = max(0.0, min(wakeups) - now) if wakeups else None
            events = poller.poll(None if wait is None else int(wait * 1000) + 1)
            if deadline is not None and not timed_out and time.monotonic() >= deadline:
                self.kill()
                timed_out = True
            for fd, _ in events:
                if fd == self.pidfd:
                    exited_at = time.monotonic()
                    poller.unregister(fd)
                    continue
                data = os.read(fd, _READ)
                if not data:
                    poller.unregister(fd)
                    open_fds.discard(fd)
                elif fd == self.out_r:
                    if self.output is not None:
                        self.output(data)
                else:
                    self._on_control(data)
        return timed_out

    def stop(self) -> None:
        """Kill the sandbox and wait (boundedly) for the first child to go."""
        self.kill()
        if not select.select([self.pidfd], [], [], _STOP_SECONDS)[0]:
            self._signal(self.pidfd, signal.SIGKILL)

    def close(self) -> None:
        for fd in (self.out_r, self.ctl_r, self.pidfd, self.sandbox_pidfd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass


def _wait(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 128 - code
        except InterruptedError:
            continue
        except ChildProcessError:
            return 128 + signal.SIGKILL


def run(lowerdirs: list[Path], upperdir: Path, workdir: Path, spec: ProcessSpec, *,
        output: Callable[[bytes], None] | None, executor: str, timeout: float | None) -> ExecResult:
    _check(lowerdirs, upperdir, workdir, spec)
    if executor == "runc":
        from buildkit_py.executor import runc
        child, log_errors = runc.child_a, runc.log_errors
    else:
        from buildkit_py.executor import sandbox
        child, log_errors = sandbox.child_a, None
    start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="pybuild-run-"))
    made = Made()
    try:
        (scratch / "m").mkdir()
        try:
            plan = rootfs.make_plan(lowerdirs, upperdir, workdir, scratch, spec)
        except ValueError as e:
            raise ExecError(str(e)) from None
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        ctl_r, ctl_w = os.pipe2(os.O_CLOEXEC)
        out_w, ctl_w = _high_fd(out_w), _high_fd(ctl_w)
        parent = os.getpid()
        # A stop request (SIGTERM) that comes before the child's handler is set must wait for it.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        try:
            pid = os.fork()
            if pid == 0:
                _enter_child(child, plan, out_w, ctl_w, parent)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(out_w)
        os.close(ctl_w)
        sup = _Supervisor(pid, out_r, ctl_r, output, signal.SIGTERM if executor == "runc" else signal.SIGKILL)
        try:
            timed_out = sup.loop(None if timeout is None else start + timeout)
        except BaseException:
            sup.stop()
            raise
        finally:
            code = _wait(pid)
            sup.close()
            for msg in sup.messages:
                made.created.extend(p for p in msg.get("created", ()) if isinstance(p, str))
                made.copied_up.extend(p for p in msg.get("copied_up", ()) if isinstance(p, str))
        errors = [m for m in sup.messages if "error" in m]
        if errors:
            raise ExecError(str(errors[0]["error"]), hint=errors[0].get("hint"))
        if log_errors is not None:
            problem = log_errors(scratch)
            if problem:
                raise ExecError(f"runc: {problem}", hint="run with --executor=builtin to compare")
        return ExecResult(128 + signal.SIGKILL if timed_out else code, time.monotonic() - start, timed_out)
    finally:
        if made.created:
            remove_made(upperdir, lowerdirs, made)
        shutil.rmtree(scratch, ignore_errors=True)
