"""The step's root filesystem: an overlay of the parent layers over a stub layer, in a private mount namespace.

Mount points the image lacks (/proc, /dev, /sys, /etc/hosts, /etc/resolv.conf, the targets of
extra mounts) come from a bottom-most "stub" lower layer on a private tmpfs: they show up in the
merged view without being created there, so nothing of them reaches the upper dir. Where the
image hides a stub path (a symlinked or opaque parent), see mountpoints.py.
"""
from __future__ import annotations

import errno
import os
import posixpath
from pathlib import Path

from buildkit_py.executor import ExecError, linux
from buildkit_py.executor.spec import DEFAULT_HOSTNAME, MountSpec, ProcessSpec
from buildkit_py.records import dataclass

HOSTS = "hosts"
RESOLV = "resolv.conf"
# Mount points of the sandbox itself; each is (path, is_dir).
SYSTEM_STUBS = (("/proc", True), ("/dev", True), ("/sys", True), ("/etc/hosts", False), ("/etc/resolv.conf", False))
# overlayfs's mount data is one page; longer lowerdir lists go through /proc/self/fd paths.
_MAX_OPTIONS = 3000
_OVERLAY_FIXED = "redirect_dir=off,metacopy=off,index=off,volatile"  # plain whiteout format; no syncfs


@dataclass(frozen=True)
class Plan:
    """Everything a sandbox child needs, computed before the fork."""

    lowerdirs: tuple[str, ...]  # top-most first
    upperdir: str
    workdir: str
    scratch: str  # a host dir; the child mounts its private tmpfs at scratch/m
    spec: ProcessSpec
    mounts: tuple[MountSpec, ...]  # extra mounts, parents before children
    stubs: tuple[tuple[str, bool], ...]
    hostname: str
    hosts: bytes
    resolv_conf: bytes

    @property
    def private(self) -> str:
        return os.path.join(self.scratch, "m")

    @property
    def root(self) -> str:
        return os.path.join(self.private, "root")


def normalize_target(target: str) -> str:
    """An absolute, clean in-container path; mounting over "/" itself is refused."""
    if not target.startswith("/"):
        raise ValueError(f"mount target {target!r} is not an absolute path")
    clean = posixpath.normpath(target)
    if clean.startswith("//"):
        clean = "/" + clean.lstrip("/")
    if clean == "/":
        raise ValueError("cannot mount over the root directory")
    return clean


def target_is_dir(m: MountSpec) -> bool:
    return m.type != "bind" or m.source is None or os.path.isdir(m.source)


def hosts_file(hostname: str) -> bytes:
    """/etc/hosts as BuildKit writes it: the sandbox's hostname resolves to loopback."""
    return f"127.0.0.1\tlocalhost {hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n".encode()


def resolv_conf(host_file: str = "/etc/resolv.conf") -> bytes:
    """The host's resolver configuration; the sandbox shares its network (or has none at all)."""
    try:
        return Path(host_file).read_bytes()
    except OSError:
        return b""


def make_plan(lowerdirs: list[Path], upperdir: Path, workdir: Path, scratch: Path, spec: ProcessSpec) -> Plan:
    mounts = []
    for m in spec.mounts:
        if m.type not in ("bind", "tmpfs"):
            raise ValueError(f"unsupported mount type {m.type!r} for {m.target} (bind or tmpfs)")
        if m.type == "bind" and not m.source:
            raise ValueError(f"bind mount on {m.target} has no source")
        mounts.append(MountSpec(normalize_target(m.target), m.type, m.source, m.readonly, tuple(m.options)))
    mounts.sort(key=lambda m: m.target.count("/"))  # stable: same depth keeps the caller's order
    stubs = SYSTEM_STUBS + tuple((m.target, target_is_dir(m)) for m in mounts)
    hostname = spec.hostname or DEFAULT_HOSTNAME
    return Plan(
        tuple(str(p) for p in lowerdirs), str(upperdir), str(workdir), str(scratch), spec,
        tuple(mounts), stubs, hostname, hosts_file(hostname), resolv_conf(),
    )


def _build_stub_layer(stub: str, stubs: tuple[tuple[str, bool], ...]) -> None:
    for path, is_dir in stubs:
        host = stub + path
        try:
            os.makedirs(host if is_dir else os.path.dirname(host), 0o755, exist_ok=True)
            if not is_dir:
                os.close(os.open(host, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644))
        except OSError:
            pass  # a path both file and dir in the list: the first wins, the mount reports the clash


def _overlay_data(lowers: list[str], upper: str, work: str) -> tuple[str, list[int]]:
    data = f"lowerdir={':'.join(lowers)},upperdir={upper},workdir={work},{_OVERLAY_FIXED}"
    if len(data) < _MAX_OPTIONS and not any(c in p for p in (*lowers, upper, work) for c in ",:\\"):
        return data, []
    fds = [os.open(p, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC) for p in (*lowers, upper, work)]
    names = [f"/proc/self/fd/{fd}" for fd in fds]
    data = f"lowerdir={':'.join(names[:-2])},upperdir={names[-2]},workdir={names[-1]},{_OVERLAY_FIXED}"
    return data, fds


def mount_root(plan: Plan) -> int:
    """In a fresh mount namespace: private tmpfs, stub layer, generated files, overlay. Returns an O_PATH fd of the root."""
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    linux.mount("tmpfs", plan.private, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "mode=0700")
    stub = os.path.join(plan.private, "stub")
    os.mkdir(stub, 0o755)
    os.mkdir(plan.root, 0o755)
    _build_stub_layer(stub, plan.stubs)
    for name, data in ((HOSTS, plan.hosts), (RESOLV, plan.resolv_conf)):
        fd = os.open(os.path.join(plan.private, name), os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644)
        os.write(fd, data)
        os.close(fd)
    data, fds = _overlay_data([*plan.lowerdirs, stub], plan.upperdir, plan.workdir)
    try:
        try:
            linux.mount("overlay", plan.root, "overlay", 0, data)
        except OSError as e:
            if e.errno != errno.EINVAL:
                raise
            # Kernels before 5.10 lack "volatile"; it only spares the sync at unmount.
            linux.mount("overlay", plan.root, "overlay", 0, data.replace(",volatile", ""))
    except OSError as e:
        raise ExecError(f"cannot mount the overlay root filesystem: {e.strerror}",
                        hint="upper and work dirs must be empty dirs on one filesystem that overlayfs "
                             "accepts as upper (not overlayfs itself); the kernel log says more") from None
    finally:
        for fd in fds:
            os.close(fd)
    return os.open(plan.root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
