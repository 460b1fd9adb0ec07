"""The runc executor: the same root filesystem, described as an OCI runtime bundle and run by `runc run`.

Child A unshares a mount namespace (and the network one for network=none), mounts the overlay
root there exactly as the builtin sandbox does, writes config.json and execs runc, so the
mounts die with runc. runc's own errors go to a JSON log, apart from the step's output.
"""
from __future__ import annotations

import glob
import json
import os
import select
import shutil
import signal
import uuid
from pathlib import Path
from typing import Any

from buildkit_py.executor import ExecError, linux, rootfs
from buildkit_py.executor.control import SETUP_FAILED, Channel, fail
from buildkit_py.executor.process import build_env
from buildkit_py.executor.mountpoints import Made, ensure_target
from buildkit_py.executor.rootfs import Plan
from buildkit_py.executor.sandbox import MASKED, READONLY, loopback_up
from buildkit_py.executor.users import ExecUser, read_user_file, resolve_user

# docker's default capability set; here a device cgroup guards CAP_MKNOD, as in docker.
CAPS = ("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE")
_DEVICES_ALLOWED = (("c", 1, 3), ("c", 1, 5), ("c", 1, 7), ("c", 1, 8), ("c", 1, 9), ("c", 5, 0),
                    ("c", 5, 1), ("c", 5, 2), ("c", 136, None))
_NSD = ["nosuid", "nodev", "noexec"]
_RUNC_GRACE = 2.0  # seconds runc may still take to finish starting after a stop request


def runc_path() -> str:
    path = shutil.which("runc") or next((p for p in ("/usr/sbin/runc", "/usr/bin/runc") if os.path.exists(p)), None)
    if path is None:
        raise ExecError("runc is not installed", hint="install the runc package, or use --executor=builtin")
    return path


def _mounts(plan: Plan) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": _NSD},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": [*_NSD, "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": _NSD},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [*_NSD, "ro"]},
    ]
    for dest, name in (("/etc/resolv.conf", rootfs.RESOLV), ("/etc/hosts", rootfs.HOSTS)):
        out.append({"destination": dest, "type": "bind", "source": os.path.join(plan.private, name),
                    "options": ["bind", "ro", "nosuid", "nodev"]})
    for m in plan.mounts:
        opts = [o for o in m.options if m.type == "tmpfs" or o in ("nosuid", "nodev", "noexec")]
        if m.type == "tmpfs":
            out.append({"destination": m.target, "type": "tmpfs", "source": "tmpfs",
                        "options": ["nosuid", "nodev", *opts, *(["ro"] if m.readonly else [])]})
        else:
            out.append({"destination": m.target, "type": "bind", "source": m.source,
                        "options": ["bind", "ro" if m.readonly else "rw", *opts]})
    return out


def make_config(plan: Plan, user: ExecUser, env: list[str], cgroup: str) -> dict[str, Any]:
    """config.json for the step (OCI runtime spec 1.0): what the builtin sandbox sets up, in runc's terms."""
    caps: dict[str, list[str]] = {"bounding": list(CAPS)}
    for kind in ("effective", "permitted"):
        caps[kind] = list(CAPS) if user.uid == 0 else []  # as docker: a non-root user has none in effect
    devices: list[dict[str, Any]] = [{"allow": False, "access": "rwm"}]
    devices += [{"allow": True, "type": t, "major": ma, "access": "rwm", **({"minor": mi} if mi is not None else {})}
                for t, ma, mi in _DEVICES_ALLOWED]
    devices += [{"allow": True, "type": t, "access": "m"} for t in ("c", "b")]  # mknod works, opening does not
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": user.uid, "gid": user.gid, "additionalGids": list(user.groups)},
            "args": list(plan.spec.args),
            "env": env,
            "cwd": plan.spec.cwd,
            "capabilities": caps,
            "noNewPrivileges": False,
        },
        "root": {"path": plan.root, "readonly": False},
        "hostname": plan.hostname,
        "mounts": _mounts(plan),
        "linux": {
            # The network namespace is the one runc is started in: the host's, or A's new one.
            "namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount")],
            "cgroupsPath": cgroup,
            "resources": {"devices": devices},
            "maskedPaths": list(MASKED),
            "readonlyPaths": list(READONLY),
        },
    }


class _Stop:
    """Set by SIGTERM from the parent; the handler only records it, so no step is cut half-way."""

    requested = False
    wakeup_r = -1

    @classmethod
    def arm(cls) -> None:
        r, w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        cls.wakeup_r = r
        signal.set_wakeup_fd(w)
        signal.signal(signal.SIGTERM, cls._on_term)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # the parent blocked it for the fork

    @classmethod
    def _on_term(cls, signum: int, frame: object) -> None:
        cls.requested = True


def _wait_or_stop(pid: int) -> int | None:
    """The exit status of child `pid`, or None as soon as a stop is requested."""
    if pid in _REAPED:
        return _REAPED.pop(pid)
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return _reap(pid)
    try:
        while not _Stop.requested:
            ready = select.select([pidfd, _Stop.wakeup_r], [], [])[0]
            if pidfd in ready:
                return _reap(pid)
        return None
    finally:
        os.close(pidfd)


def _spawn(argv: list[str]) -> int:
    """Start runc so that it dies with this process (posix_spawn cannot set the parent-death signal)."""
    pid = os.fork()
    if pid == 0:
        try:
            linux.set_pdeathsig(signal.SIGKILL)
            os.execve(argv[0], argv, {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        finally:
            os._exit(127)
    return pid


_REAPED: dict[int, int] = {}  # exit codes of children reaped while waiting for another one


def _reap(pid: int) -> int:
    """Wait for `pid`, reaping the other children (orphans handed to this subreaper) on the way."""
    while pid not in _REAPED:
        try:
            got, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 128 + signal.SIGKILL
        code = os.waitstatus_to_exitcode(status)
        _REAPED[got] = code if code >= 0 else 128 - code
    return _REAPED.pop(pid)


def _write_bundle(plan: Plan, rootfd: int, cid: str) -> str:
    user = resolve_user(plan.spec.user, read_user_file(rootfd, "/etc/passwd"), read_user_file(rootfd, "/etc/group"))
    try:  # runc would create a missing one, in the upper dir; the builtin sandbox refuses
        os.close(linux.open_in_root(rootfd, plan.spec.cwd, os.O_PATH | os.O_DIRECTORY))
    except OSError as e:
        raise OSError(e.errno, f"cannot change to the working directory {plan.spec.cwd}: {e.strerror}") from None
    bundle = os.path.join(plan.private, "bundle")
    os.mkdir(bundle, 0o700)
    config = make_config(plan, user, build_env(plan.spec, user.home), f"/pybuild/{cid}")
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f)
    return bundle


def _finish_runc(pid: int) -> int:
    """Wait for `runc run`; after a stop request give it a moment to finish (killed half-way it
    may leave a container it made, which then falls to this subreaper), then kill it."""
    status = _wait_or_stop(pid)
    if status is not None:
        return status
    pidfd = os.pidfd_open(pid)
    try:
        if not select.select([pidfd], [], [], _RUNC_GRACE)[0]:
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(pidfd)
    return _reap(pid)


def _remove_cgroups(cid: str) -> bool:
    """Remove the container's (empty) cgroups; False when one could not be removed."""
    done = True
    for d in glob.glob(f"/sys/fs/cgroup/*/pybuild/{cid}") + glob.glob(f"/sys/fs/cgroup/pybuild/{cid}"):
        try:
            os.rmdir(d)
        except FileNotFoundError:
            pass
        except OSError:
            done = False
    return done


def _kill_children() -> None:
    """SIGKILL and reap whatever this subreaper still has (a container whose runc lost track of it)."""
    while True:
        kids = []
        for tid in os.listdir("/proc/self/task"):
            try:
                kids += open(f"/proc/self/task/{tid}/children").read().split()
            except OSError:
                pass
        if not kids:
            return
        for kid in kids:
            try:
                os.kill(int(kid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        for _ in kids:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break


def child_a(plan: Plan, chan: Channel) -> None:
    """Mount the root in a private namespace, write the bundle, start runc detached, wait, delete. Never returns.

    runc runs detached so the process gets our pipe as its stdout and stderr (in the
    foreground runc would copy them through two pipes and lose their order); as a child
    subreaper, this process then inherits the container's PID 1 and waits for it. SIGTERM
    from the parent stops the step: runc is let finish, then `runc delete --force` cleans up.
    """
    step = "cannot prepare the runc bundle"
    cid = "pybuild-" + uuid.uuid4().hex[:16]
    base: list[str] = []
    code = SETUP_FAILED
    exited = False  # the container's PID 1 ended by itself: its PID namespace is empty
    error: BaseException | None = None
    try:
        _Stop.arm()
        runc = runc_path()
        base = [runc, "--root", os.path.join(plan.private, "state"),
                "--log", os.path.join(plan.scratch, "runc.log"), "--log-format", "json"]
        linux.set_child_subreaper()
        linux.unshare(linux.CLONE_NEWNS | (linux.CLONE_NEWNET if plan.spec.network == "none" else 0))
        if plan.spec.network == "none":
            loopback_up()
        rootfd = rootfs.mount_root(plan)
        made = Made()
        # runc would create missing mount points through the merged view; make them (and note them) here.
        for path, is_dir in plan.stubs:
            ensure_target(rootfd, plan.root, plan.upperdir, path, is_dir, made)
        bundle = _write_bundle(plan, rootfd, cid)
        os.close(rootfd)
        for msg in made.messages():
            chan.send(**msg)
        step = "cannot start runc"
        pidfile = os.path.join(plan.scratch, "init.pid")
        if not _Stop.requested:
            runc_pid = _spawn([*base, "run", "--detach", "--bundle", bundle, "--pid-file", pidfile, cid])
            started = _finish_runc(runc_pid) == 0  # if not, runc logged why
            if started and not _Stop.requested:
                init = int(open(pidfile).read().strip())
                chan.send(pid=init)
                chan.close()
                null = os.open("/dev/null", os.O_WRONLY)  # let the parent see the end of the output
                os.dup2(null, 1)
                os.dup2(null, 2)
                status = _wait_or_stop(init)
                if status is not None:
                    code, exited = status, True
    except BaseException as e:  # noqa: BLE001
        error = e
    if _Stop.requested:
        code = 128 + signal.SIGKILL
    if base and not (exited and _remove_cgroups(cid)):
        # What runc's state (on this namespace's tmpfs) would let `delete` do after a normal exit,
        # removing the cgroups, is done above without starting runc again.
        _reap(_spawn([*base, "delete", "--force", cid]))  # kills what is left, removes its cgroups
    _kill_children()  # whatever runc lost track of was handed to this subreaper
    _remove_cgroups(cid)
    if error is not None:
        fail(chan, error, step)
    os._exit(code)


def log_errors(scratch: Path) -> str | None:
    """The first error runc logged (it could not create or start the container), or None."""
    try:
        lines = (scratch / "runc.log").read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") in ("error", "fatal"):
            return str(entry.get("msg", line))
    return None
